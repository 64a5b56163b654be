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


def resolve_project(api, params):
    """The project id of ``project_id`` (as given, no request) or ``project_name`` (one lookup).

    Returns ``(project_id, item)``: the item is the project found by name, None for an id.
    """
    if params.get('project_id') is not None:
        return params['project_id'], None
    name = params['project_name']
    item = require_one(api.projects.find_by_name(name), 'project', name, option='project_name')
    return item['id'], item


def resolve_dataset(api, project_id, params):
    """The dataset id of ``dataset_id`` (as given, no request) or ``dataset_name`` in the project (one lookup).

    Returns ``(dataset_id, item)``: the item is the dataset found by name, None for an id.
    """
    if params.get('dataset_id') is not None:
        return params['dataset_id'], None
    name = params['dataset_name']
    item = require_one(api.datasets.find_by_name(project_id, name), 'dataset', name,
                       'in ' + project_as_given(params, project_id), option='dataset_name')
    return item['id'], item
