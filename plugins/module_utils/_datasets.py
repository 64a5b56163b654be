# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The datasets resource: its paths, request bodies and facts, and every request made about datasets."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import OptionHint
from ansible_collections.llmobs.datadog.plugins.module_utils._jsonapi import API_PREFIX, attributes_of, single_object
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import Names
from ansible_collections.llmobs.datadog.plugins.module_utils._transport import path_segment

# Asked for per page. Datadog documents no maximum for dataset lists (its experiments list
# clamps at 5,000); a server that serves fewer per page is followed by its cursor all the same.
# Lookups filter by name, so a lookup costs one request per 5,000 datasets whose names contain
# the filter text, whatever the size of the project.
DATASET_PAGE_LIMIT = 5000

# What a 404 means to the user, by request. A request to datasets_path (the list, a create, a delete)
# names the project only; one to a dataset's own path names both.
DATASETS_PATH_HINTS = {404: OptionHint(('project_id', 'project_name'), 'the project does not exist for these keys.')}
DATASET_HINTS = {404: OptionHint(('project_id', 'project_name', 'dataset_id', 'dataset_name'),
                                 'the project or dataset does not exist for these keys.')}


def dataset_facts(item):
    """The facts of one dataset as modules return them, read leniently from a JSON:API object."""
    attributes = attributes_of(item)
    return dict(
        id=item.get('id'),
        name=attributes.get('name'),
        description=attributes.get('description'),
        metadata=attributes.get('metadata'),
        current_version=attributes.get('current_version'),
        created_at=attributes.get('created_at'),
        updated_at=attributes.get('updated_at'),
    )


def summary_label(params, found, dataset_id):
    """How progress lines and summaries name a dataset: ``dataset_name`` as given, else the name of ``found`` (the
    dataset's JSON:API object, or None), else its id."""
    return 'dataset %s' % (params.get('dataset_name') or (dataset_name(found) if found else None) or dataset_id)


def dataset_name(item):
    return attributes_of(item).get('name')


def datasets_path(project_id):
    return '%s/%s/datasets' % (API_PREFIX, path_segment(project_id))


# What deleting a dataset also deletes, in the order messages name it (see _state.Contents).
DATASET_CONTENTS = ('records',)


def count_records(api, project_id, dataset_id):
    """How many records the dataset's current version holds: there is no count field in the API, so
    every page of the records list is read and counted (reads only; the transport bounds the paging)."""
    return sum(1 for dummy in api.records.pages(project_id, dataset_id))


def dataset_contents(api, project_id, dataset_id):
    """What deleting the dataset also deletes: ``{'records': N}``."""
    return {'records': count_records(api, project_id, dataset_id)}


class Datasets(object):
    """Requests about the datasets of LLM Observability projects, over one Transport."""

    def __init__(self, transport, names=None):
        self.transport = transport
        self.names = names if names is not None else Names()

    def _where(self, project_id, dataset_id=None):
        """'project P', or 'dataset D of project P': each by its name beside its id when the task looked it up by name."""
        project = self.names.label('project', project_id)
        return project if dataset_id is None else '%s of %s' % (self.names.label('dataset', dataset_id), project)

    def list(self, project_id, name=None, dataset_id=None):
        """Every dataset of the project that the API's filters return, once each (the name filter is not exact)."""
        params = {}
        if name is not None:
            params['filter[name]'] = name
        if dataset_id is not None:
            params['filter[id]'] = dataset_id
        operation = 'Listing datasets of %s' % self._where(project_id)
        return list(self.transport.pages(datasets_path(project_id), operation, params, DATASET_PAGE_LIMIT,
                                         hints=DATASETS_PATH_HINTS, noun='dataset'))

    def find_by_name(self, project_id, name):
        """Datasets whose name is exactly ``name``, from every page."""
        return self.names.found('dataset', [item for item in self.list(project_id, name=name) if dataset_name(item) == name],
                                name)

    def get(self, project_id, dataset_id):
        """The dataset with this id, or None. There is no single-dataset GET: the list is filtered."""
        for item in self.list(project_id, dataset_id=dataset_id):
            if item.get('id') == dataset_id:
                return item
        return None

    def _find_new(self, project_id, name):
        def find():
            found = self.find_by_name(project_id, name)
            return found[0] if found else None
        return find

    def create(self, project_id, name, description, metadata, settle_timeout):
        """Create a dataset (200 and 201 alike) and return it; never twice, see Transport.write_once."""
        attributes = {'name': name}
        if description is not None:
            attributes['description'] = description
        if metadata is not None:
            attributes['metadata'] = metadata
        operation = 'Creating dataset %r in %s' % (name, self._where(project_id))
        return self.transport.write_once(
            'POST', datasets_path(project_id), operation, {'data': {'type': 'datasets', 'attributes': attributes}},
            self._find_new(project_id, name), settle_timeout, 'nothing was created',
            parse=single_object(operation, 'dataset'), hints=DATASETS_PATH_HINTS)

    def update(self, project_id, dataset_id, attributes):
        """PATCH the given attributes (setting a value twice is harmless, so it is retried like a read)."""
        operation = 'Updating %s' % self._where(project_id, dataset_id)
        document = self.transport.request(
            'PATCH', '%s/%s' % (datasets_path(project_id), path_segment(dataset_id)), operation,
            body={'data': {'type': 'datasets', 'attributes': attributes}}, idempotent=True, hints=DATASET_HINTS)
        return single_object(operation, 'dataset')(document)

    def delete(self, project_id, dataset_id, settle_timeout):
        """Delete one dataset. A delete whose answer was lost is looked up before it is sent again."""
        def find_gone():
            return True if self.get(project_id, dataset_id) is None else None

        self.transport.write_once(
            'POST', datasets_path(project_id) + '/delete', 'Deleting %s' % self._where(project_id, dataset_id),
            {'data': {'type': 'datasets', 'attributes': {'dataset_ids': [dataset_id]}}},
            find_gone, settle_timeout, 'nothing was deleted', hints=DATASETS_PATH_HINTS)

    def clone(self, project_id, source_id, name, description, settle_timeout):
        """Clone ``source_id`` into a new dataset called ``name`` and return it; never twice."""
        attributes = {'name': name}
        if description is not None:
            attributes['description'] = description
        operation = 'Cloning %s into %r' % (self._where(project_id, source_id), name)
        return self.transport.write_once(
            'POST', '%s/%s/clone' % (datasets_path(project_id), path_segment(source_id)), operation,
            {'data': {'type': 'datasets', 'id': source_id, 'attributes': attributes}},
            self._find_new(project_id, name), settle_timeout, 'nothing was created',
            parse=single_object(operation, 'dataset'), hints=DATASET_HINTS)
