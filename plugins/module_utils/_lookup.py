# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Finding exactly one resource by name, and addressing projects and datasets by id or by name.

Names are looked up with the API's ``filter[name]`` over every page and compared exactly by the
resources; here the matches become one item, nothing, or a failure that lists the ids.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError
from ansible_collections.llmobs.datadog.plugins.module_utils._jsonapi import attributes_of
from ansible_collections.llmobs.datadog.plugins.module_utils._planned import PLANNED_NOTE, is_planned, planned_item
from ansible_collections.llmobs.datadog.plugins.module_utils._text import plural


def exactly_one(matches, kind, name, where='', **result_extras):
    """The one item of ``matches`` (exact name matches), None when there is none.

    Several matches are a failure that lists their ids: the module cannot tell which is meant.
    ``where`` says where they were looked for ("in project 'x' (id X)"); ``result_extras`` go into the failure result.
    """
    if len(matches) > 1:
        raise LLMObsError(
            'Several %s named %r exist%s (ids: %s); the module cannot tell which one is meant. '
            'Rename or delete the extra ones.'
            % (plural(kind), name, (' ' + where) if where else '', ', '.join(str(m.get('id')) for m in matches)),
            **result_extras)
    return matches[0] if matches else None


def require_one(matches, kind, name, where='', option=None, **result_extras):
    """Like exactly_one, but none is an addressing failure that names what was not found, and where."""
    found = exactly_one(matches, kind, name, where, **result_extras)
    if found is None:
        raise LLMObsError('No %s named %r was found%s%s.'
                          % (kind, name, (' ' + where) if where else '',
                             (' (given as %s; names are compared exactly)' % option) if option else ''),
                          **result_extras)
    return found


def named(kind, name, item_id):
    """How a message names a resource: as the user gave it, by its name with the id beside it
    ("project 'support-bot' (id 0d89...)"), or by its id alone when the user gave the id."""
    if name is None:
        return '%s %s' % (kind, item_id)
    if item_id is None:  # not made yet (check mode)
        return '%s %r' % (kind, name)
    return '%s %r (id %s)' % (kind, name, item_id)


class Names(object):
    """The names that the task's lookups by name found, by id: so that a request's messages name a project or
    dataset the way the task gave it ("project 'support-bot' (id 0d89...)"), and by id otherwise."""

    def __init__(self):
        self._names = {}

    def found(self, kind, items, name):
        """Remember ``name`` for the ids of ``items``, the exact matches of a lookup of ``name``."""
        for item in items:
            if item.get('id') is not None:
                self._names[(kind, item['id'])] = name
        return items

    def label(self, kind, item_id):
        return named(kind, self._names.get((kind, item_id)), item_id)


def project_as_given(params, project_id):
    """The project as the task addressed it: ``project_name`` with the id beside it, or ``project_id``."""
    return named('project', params.get('project_name'), project_id)


def dataset_as_given(params, dataset_id):
    """The dataset as the task addressed it: ``dataset_name`` with the id beside it, or ``dataset_id``."""
    return named('dataset', params.get('dataset_name'), dataset_id)


def resolve_project(api, params, plan=None):
    """The project id of ``project_id`` (as given, no request) or ``project_name`` (one lookup).

    Returns ``(project_id, item)``: the item is the project found by name, None for an id. A name
    that matches nothing but that an earlier task of a dry run would create (``plan``, see
    ``_planned``) gives ``(None, planned item)``.
    """
    if params.get('project_id') is not None:
        return params['project_id'], None
    name = params['project_name']
    matches = api.projects.find_by_name(name)
    if not matches and plan is not None and plan.project(name):
        return None, planned_item(name)
    item = require_one(matches, 'project', name, option='project_name')
    return item['id'], item


def resolve_dataset(api, project_id, params, plan=None):
    """The dataset id of ``dataset_id`` (as given, no request) or ``dataset_name`` in the project (one lookup).

    Returns ``(dataset_id, item)``: the item is the dataset found by name, None for an id. A name
    that an earlier task of a dry run would create (``plan``) gives ``(None, planned item)``, whose
    ``source`` says where its records would come from. ``project_id`` None: the project is planned
    (``params['project_name']``), so nothing in it can be looked up; only planned datasets are there.
    """
    name = params.get('dataset_name')
    if project_id is None:
        project_name = params['project_name']
        if name is None:
            raise LLMObsError('No dataset with id %s can be in project %r: the project does not exist yet (%s).'
                              % (params['dataset_id'], project_name, PLANNED_NOTE))
        entry = plan.dataset(None, project_name, name) if plan is not None else None
        if entry is None:
            raise LLMObsError('No dataset named %r was found: project %r does not exist yet (%s), and no earlier task '
                              'would create a dataset of that name in it (given as dataset_name; names are compared '
                              'exactly).' % (name, project_name, PLANNED_NOTE))
        return None, planned_item(name, source=entry.get('source'))
    if params.get('dataset_id') is not None:
        return params['dataset_id'], None
    matches = api.datasets.find_by_name(project_id, name)
    entry = plan.dataset(project_id, None, name) if not matches and plan is not None else None
    if entry is not None:
        return None, planned_item(name, source=entry.get('source'))
    item = require_one(matches, 'dataset', name, 'in ' + project_as_given(params, project_id), option='dataset_name')
    return item['id'], item


def project_where(params, project_id, project):
    """Where a dataset is, in messages: in the project as the task gave it ("in project 'support-bot' (id 0d89...)"),
    or for a planned project its name and why it is missing."""
    if is_planned(project):
        return 'in project %r (%s)' % (attributes_of(project).get('name'), PLANNED_NOTE)
    return 'in ' + project_as_given(params, project_id)


def dataset_finder(api, project_id):
    """``find(name)`` over the datasets of a project; a planned project (``project_id`` None) holds none yet."""
    if project_id is None:
        return lambda name: []
    return lambda name: api.datasets.find_by_name(project_id, name)


def dataset_label(params, dataset_id, dataset):
    """How messages name a dataset: as the task gave it (``dataset_as_given``), or for a planned dataset its name and
    why it is missing."""
    if is_planned(dataset):
        return 'dataset %r (%s)' % (attributes_of(dataset).get('name'), PLANNED_NOTE)
    return dataset_as_given(params, dataset_id)


def records_origin(project_id, dataset_id, dataset):
    """Where the records of a clone of this dataset would come from: the dataset itself when it exists, the
    origin of a planned one (None: it would be empty)."""
    if is_planned(dataset):
        return dataset.get('source')
    return dict(project_id=project_id, dataset_id=dataset_id)
