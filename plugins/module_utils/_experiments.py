# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The experiments resource: its path and facts, and the requests made about experiments (reads only, so far)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.plugins.module_utils._jsonapi import API_PREFIX, attributes_of
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import Names

EXPERIMENTS_PATH = API_PREFIX + '/experiments'

# Asked for per page: the most the list serves (ListLLMObsExperiments clamps page[limit] at 5,000).
EXPERIMENT_PAGE_LIMIT = 5000


def experiment_facts(item):
    """The facts of one experiment, read leniently from a JSON:API object."""
    attributes = attributes_of(item)
    return dict(
        id=item.get('id'),
        name=attributes.get('name'),
        experiment=attributes.get('experiment'),
        project_id=attributes.get('project_id'),
        dataset_id=attributes.get('dataset_id'),
        dataset_version=attributes.get('dataset_version'),
        status=attributes.get('status'),
        created_at=attributes.get('created_at'),
        updated_at=attributes.get('updated_at'),
    )


class Experiments(object):
    """Requests about LLM Observability experiments, over one Transport."""

    def __init__(self, transport, names=None):
        self.transport = transport
        self.names = names if names is not None else Names()

    def list(self, dataset_id=None, project_id=None):
        """Every experiment the filters return (the API needs one of them), from every page, once each.

        The order of the list is not relied on: every page is read (the transport bounds the paging).
        """
        params = {}
        if dataset_id is not None:
            params['filter[dataset_id]'] = dataset_id
        if project_id is not None:
            params['filter[project_id]'] = project_id
        of = [self.names.label(kind, item_id) for kind, item_id in (('dataset', dataset_id), ('project', project_id))
              if item_id is not None]
        operation = 'Listing experiments' + (' of ' + ' in '.join(of) if of else '')
        return list(self.transport.pages(EXPERIMENTS_PATH, operation, params, EXPERIMENT_PAGE_LIMIT, noun='experiment'))

    def of_dataset(self, dataset_id):
        """The facts of every experiment that uses the dataset, in any project."""
        return [experiment_facts(item) for item in self.list(dataset_id=dataset_id)]
