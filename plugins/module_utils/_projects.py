# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The projects resource: its paths, request bodies and facts, and every request made about projects."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.plugins.module_utils._datasets import count_records
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import OptionHint
from ansible_collections.llmobs.datadog.plugins.module_utils._jsonapi import API_PREFIX, attributes_of, single_object
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import Names
from ansible_collections.llmobs.datadog.plugins.module_utils._transport import path_segment

PROJECTS_PATH = API_PREFIX + '/projects'

# Asked for per page. Datadog documents no maximum for this list (its experiments list clamps
# at 5,000); a server that serves fewer per page is followed by its cursor all the same.
PROJECT_PAGE_LIMIT = 5000

# What a 404 about a project means to the user.
PROJECT_HINTS = {404: OptionHint(('project_id', 'project_name'), 'the project does not exist for these keys.')}


def project_facts(item):
    """The facts of one project as modules return them, read leniently from a JSON:API object."""
    attributes = attributes_of(item)
    return dict(
        id=item.get('id'),
        name=attributes.get('name'),
        description=attributes.get('description'),
        created_at=attributes.get('created_at'),
        updated_at=attributes.get('updated_at'),
    )


def project_name(item):
    return attributes_of(item).get('name')


# What deleting a project also deletes, in the order messages name it; the datasets are guarded
# (see _state.Contents): a project that holds any is deleted only with force.
PROJECT_CONTENTS = ('datasets', 'records')


def project_contents(api, project_id):
    """What deleting the project also deletes: ``{'datasets': N, 'records': M}``, from every page of the
    project's datasets and of each one's records (reads only)."""
    datasets = api.datasets.list(project_id)
    records = sum(count_records(api, project_id, item.get('id')) for item in datasets if item.get('id') is not None)
    return {'datasets': len(datasets), 'records': records}


class Projects(object):
    """Requests about LLM Observability projects, over one Transport."""

    def __init__(self, transport, names=None):
        self.transport = transport
        self.names = names if names is not None else Names()

    def list(self, name=None, project_id=None):
        """Every project the API's filters return, once each (the name filter is not exact)."""
        params = {}
        if name is not None:
            params['filter[name]'] = name
        if project_id is not None:
            params['filter[id]'] = project_id
        return list(self.transport.pages(PROJECTS_PATH, 'Listing projects', params, PROJECT_PAGE_LIMIT, hints=PROJECT_HINTS,
                                         noun='project'))

    def find_by_name(self, name):
        """Projects whose name is exactly ``name``, from every page."""
        return self.names.found('project', [item for item in self.list(name=name) if project_name(item) == name], name)

    def get(self, project_id):
        """The project with this id, or None. There is no single-project GET: the list is filtered."""
        for item in self.list(project_id=project_id):
            if item.get('id') == project_id:
                return item
        return None

    def create(self, name, description, settle_timeout):
        """Create a project (Datadog's POST is get-or-create by name) and return it."""
        attributes = {'name': name}
        if description is not None:
            attributes['description'] = description
        operation = 'Creating project %r' % name

        def find_created():
            found = self.find_by_name(name)
            return found[0] if found else None

        return self.transport.write_once('POST', PROJECTS_PATH, operation,
                                         {'data': {'type': 'projects', 'attributes': attributes}},
                                         find_created, settle_timeout, 'nothing was created',
                                         parse=single_object(operation, 'project'), hints=PROJECT_HINTS)

    def update(self, project_id, attributes):
        """PATCH the given attributes (setting a value twice is harmless, so it is retried like a read)."""
        operation = 'Updating %s' % self.names.label('project', project_id)
        document = self.transport.request(
            'PATCH', '%s/%s' % (PROJECTS_PATH, path_segment(project_id)), operation,
            body={'data': {'type': 'projects', 'attributes': attributes}}, idempotent=True, hints=PROJECT_HINTS)
        return single_object(operation, 'project')(document)

    def delete(self, project_id, settle_timeout):
        """Delete one project. A delete whose answer was lost is looked up before it is sent again."""
        def find_gone():
            return True if self.get(project_id) is None else None

        self.transport.write_once(
            'POST', PROJECTS_PATH + '/delete', 'Deleting %s' % self.names.label('project', project_id),
            {'data': {'type': 'projects', 'attributes': {'project_ids': [project_id]}}},
            find_gone, settle_timeout, 'nothing was deleted', hints=PROJECT_HINTS)
