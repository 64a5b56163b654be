# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The plan of a dry run: projects and datasets that earlier check-mode tasks of the run would create.

In check mode nothing is created, so a later task that names what an earlier task would create
would find nothing and fail, although the real run would succeed. So a check-mode task that would
create a project or a dataset adds it to the run's plan, which it returns as the fact
``llmobs_planned``; the action plugin (plugins/plugin_utils/_check_plan.py) stamps the fact with
the run, and hands the plan of the run to each later check-mode task: straight into the engine in
the controller, through the environment variable ``LLMOBS_CHECK_PLAN`` on the module path.

A name is planned only on the API endpoint (the base URL) it was planned on, and only a check-mode
task uses the plan: a real run looks everything up. A name that nothing planned stays an error.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

PLAN_FACT = 'llmobs_planned'
PLAN_ENV = 'LLMOBS_CHECK_PLAN'

# What messages add about a planned project or dataset.
PLANNED_NOTE = 'an earlier task of this run would create it'


def plan_from_environment():
    """The entries the action plugin passed in ``LLMOBS_CHECK_PLAN`` (module path); [] when none or unreadable."""
    text = os.environ.get(PLAN_ENV)
    if not text:
        return []
    try:
        entries = json.loads(text)
    except ValueError:
        return []
    return entries if isinstance(entries, list) else []


def planned_item(name, **extras):
    """A project or dataset that is planned, shaped like an item of the API (``id`` None): facts read it as such."""
    return dict(extras, id=None, attributes=dict(name=name), planned=True)


def is_planned(item):
    return isinstance(item, dict) and item.get('planned') is True


class Plan(object):
    """The run's plan as one check-mode task sees it: ``entries`` of every endpoint, ``api`` the task's own.

    A task that is not in check mode gets an inactive plan: nothing is planned, nothing is added.
    ``changed`` says whether the task added or removed an entry (the module then returns the plan).
    """

    def __init__(self, entries=None, api=None, active=True):
        self.active = active
        self.api = api
        self.entries = [dict(entry) for entry in (entries or ()) if isinstance(entry, dict)] if active else []
        self.changed = False

    def _index(self, kind, name, project_id=None, project_name=None):
        for index, entry in enumerate(self.entries):
            if (entry.get('api') == self.api and entry.get('kind') == kind and entry.get('name') == name
                    and entry.get('project_id') == project_id
                    and entry.get('project_name') == (project_name if project_id is None else None)):
                return index
        return None

    def project(self, name):
        """Whether an earlier task plans the project ``name``."""
        return self._index('project', name) is not None

    def dataset(self, project_id, project_name, name):
        """The entry of the dataset ``name`` an earlier task plans in the project (by id, or by name when the
        project is planned too: ``project_id`` None), else None."""
        index = self._index('dataset', name, project_id, project_name)
        return None if index is None else self.entries[index]

    def datasets_in(self, project_name):
        """The names of the datasets planned in the planned project ``project_name``."""
        return [entry.get('name') for entry in self.entries
                if entry.get('api') == self.api and entry.get('kind') == 'dataset'
                and entry.get('project_id') is None and entry.get('project_name') == project_name]

    def dataset_names(self, project_id, project_name=None):
        """The names of the datasets planned in a project: given by id, or by name when it is planned too
        (``project_id`` None)."""
        if project_id is None:
            return self.datasets_in(project_name)
        return [entry.get('name') for entry in self.entries
                if entry.get('api') == self.api and entry.get('kind') == 'dataset' and entry.get('project_id') == project_id]

    def add_project(self, name):
        self._add(dict(kind='project', name=name))

    def add_dataset(self, project_id, project_name, name, source=None):
        """Plan a dataset; ``source``: where its records would come from (a clone's existing source), or None."""
        self._add(dict(kind='dataset', name=name, project_id=project_id,
                       project_name=project_name if project_id is None else None, source=source))

    def remove_project(self, name):
        """A planned project that a later task would delete: it and the datasets planned in it are no longer planned."""
        dropped = set(self.datasets_in(name))
        self._remove('project', name)
        for dataset in dropped:
            self._remove('dataset', dataset, None, name)

    def remove_dataset(self, project_id, project_name, name):
        self._remove('dataset', name, project_id, project_name)

    def _add(self, entry):
        if not self.active:
            return
        entry['api'] = self.api
        if self._index(entry['kind'], entry['name'], entry.get('project_id'), entry.get('project_name')) is None:
            self.entries.append(entry)
            self.changed = True

    def _remove(self, kind, name, project_id=None, project_name=None):
        index = self._index(kind, name, project_id, project_name)
        if index is not None:
            del self.entries[index]
            self.changed = True

    def fact(self):
        """The value of the ``llmobs_planned`` fact a task returns after changing the plan (the action stamps it)."""
        return dict(entries=self.entries)


class Slot(object):
    """Where a resource of the state engine would be created, in the plan: a project (``project_id`` and
    ``project_name`` None), or a dataset of a project given by id, or by name when it is planned itself.

    ``source``: for a clone, the existing dataset its records would come from (``{project_id, dataset_id}``).
    """

    def __init__(self, plan, kind, project_id=None, project_name=None, source=None):
        self.plan = plan
        self.kind = kind
        self.project_id = project_id
        self.project_name = project_name
        self.source = source

    def holds(self, name):
        if self.kind == 'project':
            return self.plan.project(name)
        return self.plan.dataset(self.project_id, self.project_name, name) is not None

    def add(self, name):
        if self.kind == 'project':
            self.plan.add_project(name)
        else:
            self.plan.add_dataset(self.project_id, self.project_name, name, self.source)

    def remove(self, name):
        if self.kind == 'project':
            self.plan.remove_project(name)
        else:
            self.plan.remove_dataset(self.project_id, self.project_name, name)

    def planned_contents(self, name):
        """How many datasets earlier tasks plan in the planned project ``name`` (0 for a dataset)."""
        return len(self.plan.datasets_in(name)) if self.kind == 'project' else 0
