# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The experiments resource: its path, filters, every page read whatever the order, and lenient facts."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import APIError, LLMObsError
from ansible_collections.llmobs.datadog.plugins.module_utils._experiments import (
    EXPERIMENT_PAGE_LIMIT,
    EXPERIMENTS_PATH,
    experiment_facts,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import PROJECT, dataset, make_api
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    datasets_by_name,
    experiment,
    list_experiments,
)


def test_path_and_page_size():
    assert EXPERIMENTS_PATH == '/api/v2/llm-obs/v1/experiments'
    assert EXPERIMENT_PAGE_LIMIT == 5000


def test_the_list_of_a_dataset_reads_every_page(http):
    http.expect(
        list_experiments(dataset_id='d1').reply_page(experiment('e1', 'old', 'd1', '2026-01-01T00:00:00Z'), after='c2'),
        list_experiments(dataset_id='d1', cursor='c2').reply_page(experiment('e2', 'new', 'd1'),
                                                                  experiment('e1', 'old', 'd1')),
    )

    assert [item['id'] for item in make_api().experiments.list(dataset_id='d1')] == ['e1', 'e2']


def test_both_filters_are_sent(http):
    http.expect(list_experiments(dataset_id='d1', project_id=PROJECT).reply_page())

    assert make_api().experiments.list(dataset_id='d1', project_id=PROJECT) == []


def test_of_dataset_returns_facts(http):
    live = experiment('e1', 'nightly', 'd1', '2026-11-20T02:00:00+00:00', experiment='nightly-pipeline',
                      dataset_version=3, status='completed', author={'id': 'u1'}, aggregate_data={'score': 1})
    http.expect(list_experiments(dataset_id='d1').reply(200, json={'data': [live], 'meta': {'after': ''}}))

    assert make_api().experiments.of_dataset('d1') == [dict(
        id='e1', name='nightly', experiment='nightly-pipeline', project_id=PROJECT, dataset_id='d1', dataset_version=3,
        status='completed', created_at='2026-11-20T02:00:00+00:00', updated_at='2026-11-20T02:00:00+00:00')]


def test_facts_are_read_leniently():
    assert experiment_facts({'id': 'e1'}) == dict(
        id='e1', name=None, experiment=None, project_id=None, dataset_id=None, dataset_version=None, status=None,
        created_at=None, updated_at=None)
    assert experiment_facts({'id': 'e1', 'attributes': None})['name'] is None


def test_errors_name_the_dataset_as_the_task_found_it(http):
    api = make_api(retries=0)
    http.expect(
        datasets_by_name('eval').reply_page(dataset('d1', 'eval')),
        list_experiments(dataset_id='d1').reply_error(403, {'title': 'Forbidden', 'detail': 'no llmobs_data_read'}),
    )
    api.datasets.find_by_name(PROJECT, 'eval')

    with pytest.raises(APIError) as error:
        api.experiments.list(dataset_id='d1')

    assert error.value.status == 403
    assert error.value.message.startswith("Listing experiments of dataset 'eval' (id d1) failed")


def test_a_list_without_data_is_an_error(http):
    http.expect(list_experiments(project_id=PROJECT).reply(200, json={'experiments': []}))

    with pytest.raises(LLMObsError) as error:
        make_api().experiments.list(project_id=PROJECT)

    assert error.value.message == ('Listing experiments of project %s returned a response without a "data" list; the '
                                   'API may have changed.' % PROJECT)
