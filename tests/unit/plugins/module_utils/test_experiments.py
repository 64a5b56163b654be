# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The experiments resource: its path, filters, every page read whatever the order, and lenient facts."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import requests

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import APIError, LLMObsError
from ansible_collections.llmobs.datadog.plugins.module_utils._experiments import (
    EXPERIMENT_PAGE_LIMIT,
    EXPERIMENTS_PATH,
    experiment_facts,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import PROJECT, dataset, make_api
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    datasets_by_name,
    delete_experiments,
    eval_metric,
    events_page,
    experiment,
    experiment_by_id,
    experiments_by_name,
    list_experiment_events,
    list_experiments,
    span,
    update_experiment,
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

    assert [item['id'] for item in make_api().experiments.list(dataset_id='d1')] == ['e2', 'e1']   # newest first


def test_both_filters_are_sent(http):
    http.expect(list_experiments(dataset_id='d1', project_id=PROJECT).reply_page())

    assert make_api().experiments.list(dataset_id='d1', project_id=PROJECT) == []


def test_of_dataset_returns_facts(http):
    live = experiment('e1', 'nightly', 'd1', '2026-11-20T02:00:00+00:00', experiment='nightly-pipeline',
                      dataset_version=3, status='completed', author={'id': 'u1'}, aggregate_data={'score': 1})
    http.expect(list_experiments(dataset_id='d1').reply(200, json={'data': [live], 'meta': {'after': ''}}))

    assert make_api().experiments.of_dataset('d1') == [dict(
        id='e1', name='nightly', experiment='nightly-pipeline', description='', metadata=None, project_id=PROJECT,
        dataset_id='d1', dataset_version=3, parent_experiment_id=None, status='completed', error=None,
        aggregate_data={'score': 1}, config=None, run_count=None, created_at='2026-11-20T02:00:00+00:00',
        updated_at='2026-11-20T02:00:00+00:00')]


def test_facts_are_read_leniently():
    assert experiment_facts({'id': 'e1'}) == dict(
        id='e1', name=None, experiment=None, description=None, metadata=None, project_id=None, dataset_id=None,
        dataset_version=None, parent_experiment_id=None, status=None, error=None, aggregate_data=None, config=None,
        run_count=None, created_at=None, updated_at=None)
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


def test_every_filter_is_sent_and_the_list_comes_newest_first(http):
    http.expect(list_experiments(
        project_id=PROJECT, dataset_id='d1', name='run-7', experiment='nightly', metadata={'b': 1, 'a': 'x'},
        parent_experiment_id='e0').reply_page(
            experiment('e1', 'run-7', 'd1', '2026-11-01T00:00:00Z'), experiment('e3', 'run-7', 'd1', None),
            experiment('e2', 'run-7', 'd1', '2026-11-02T00:00:00Z')))

    found = make_api().experiments.list(project_id=PROJECT, dataset_id='d1', name='run-7', experiment='nightly',
                                        metadata={'b': 1, 'a': 'x'}, parent_experiment_id='e0')

    assert [item['id'] for item in found] == ['e2', 'e1', 'e3']
    assert http.seen[0].query['filter[metadata]'] == '{"a":"x","b":1}'


def test_find_by_name_keeps_exact_matches_only(http):
    http.expect(experiments_by_name('run').reply_page(experiment('e1', 'run', 'd1'), experiment('e2', 'Run', 'd1'),
                                                      experiment('e3', 'run ', 'd1')))

    assert [item['id'] for item in make_api().experiments.find_by_name(PROJECT, 'run')] == ['e1']


def test_the_deleted_ones_are_asked_for_with_is_deleted(http):
    http.expect(list_experiments(project_id=PROJECT, deleted=True).reply_page(experiment('e1', 'old', 'd1')))

    assert [item['id'] for item in make_api().experiments.list(project_id=PROJECT, deleted=True)] == ['e1']


def test_an_update_answered_with_an_empty_body_is_read_back(http, clock):
    http.expect(
        update_experiment('e1', {'metadata': {'baseline': 'true'}}).reply(200, body=''),
        experiment_by_id('e1').reply_page(experiment('e1', 'run', 'd1', metadata=None)),        # the read lags
        experiment_by_id('e1').reply_page(experiment('e1', 'run', 'd1', metadata={'baseline': 'true'})),
    )

    warnings = []
    experiments = make_api(warnings=warnings).experiments
    item = experiments.update(PROJECT, 'e1', {'metadata': {'baseline': 'true'}}, settle_timeout=10)

    assert item['attributes']['metadata'] == {'baseline': 'true'} and warnings == []


def test_an_update_never_shown_stands_as_sent_after_the_settle_time(http, clock):
    http.expect(
        update_experiment('e1', {'name': 'new'}).reply(200, json={'data': experiment('e1', 'old', 'd1')}),
        experiment_by_id('e1').reply_page(experiment('e1', 'old', 'd1', description='kept')).times(3),
    )

    warnings = []
    item = make_api(warnings=warnings).experiments.update(PROJECT, 'e1', {'name': 'new'}, settle_timeout=1)

    assert item['attributes']['name'] == 'new' and item['attributes']['description'] == 'kept'
    assert warnings == ['Updating experiment e1 was answered, but the experiments list still showed the values from '
                        'before after 1 second (reads lag behind writes); a run started right away may find them and '
                        'update it again. Raise wait_timeout to wait longer.']


def test_an_update_of_an_unknown_experiment_fails_with_the_404(http):
    http.expect(update_experiment('e9', {'name': 'x'}).reply_error(404, {'title': 'Not Found'}))

    with pytest.raises(APIError) as error:
        make_api().experiments.update(PROJECT, 'e9', {'name': 'x'}, settle_timeout=1)

    assert error.value.status == 404 and error.value.message.startswith('Updating experiment e9 failed with HTTP 404')


def test_a_delete_is_one_request_for_every_id(http):
    http.expect(delete_experiments('e1', 'e2').reply(204))

    make_api().experiments.delete(PROJECT, ['e1', 'e2'], settle_timeout=5)


def test_a_delete_whose_answer_was_lost_is_looked_up_not_sent_again(http, clock):
    warnings = []
    api = make_api(warnings=warnings)
    http.expect(
        delete_experiments('e1').raises(requests.exceptions.ReadTimeout('read timed out')),
        experiment_by_id('e1').reply_page(),
    )

    api.experiments.delete(PROJECT, ['e1'], settle_timeout=5)

    assert any('a lookup shows it was done' in warning for warning in warnings)


def test_a_delete_of_several_looks_at_the_whole_project_after_a_lost_answer(http, clock):
    http.expect(
        delete_experiments('e1', 'e2').reply(502, body='bad gateway'),
        list_experiments(project_id=PROJECT).reply_page(experiment('e2', 'kept', 'd1')),
        list_experiments(project_id=PROJECT).reply_page(experiment('e3', 'other', 'd1')),
    )

    make_api().experiments.delete(PROJECT, ['e1', 'e2'], settle_timeout=5)


def test_events_are_read_page_by_page_with_their_summary_metrics(http):
    summary = [eval_metric('total_cost', 'score', 1.5, metric_source='summary')]
    http.expect(
        list_experiment_events('e1').reply(json=events_page([span('s1'), span('s2')], summary, after='c2')),
        list_experiment_events('e1', cursor='c2').reply(json=events_page([span('s2'), span('s3')], summary)),
    )
    events = make_api().experiments.events('e1')
    assert http.seen == []           # nothing is read before the spans are asked for

    assert [item['id'] for item in events] == ['s1', 's2', 's3']
    assert events.summary_metrics == summary


def test_events_without_a_spans_list_are_an_error(http):
    http.expect(list_experiment_events('e1').reply(json={'data': {'attributes': {'events': []}}}))

    with pytest.raises(LLMObsError) as error:
        list(make_api().experiments.events('e1'))

    assert error.value.message == ('Reading the events of experiment e1 returned a response without a '
                                   '"data.attributes.spans" list; the API may have changed.')


def test_events_of_an_unknown_experiment_fail_with_the_404(http):
    http.expect(list_experiment_events('e9').reply_error(404, {'title': 'Not Found'}))

    with pytest.raises(APIError) as error:
        list(make_api().experiments.events('e9'))

    assert error.value.status == 404
    assert error.value.message.startswith('Reading the events of experiment e9 failed with HTTP 404')


def test_a_resent_delete_refused_with_404_was_done_by_the_lost_one(http, clock):
    warnings = []
    http.expect(
        delete_experiments('e1').reply(500, body='oops'),
        experiment_by_id('e1').reply_page(experiment('e1', 'run', 'd1')).times(5),    # the reads lag
        delete_experiments('e1').reply_error(404, {'title': 'Not Found', 'detail': 'experiment not found'}),
    )

    make_api(warnings=warnings).experiments.delete(PROJECT, ['e1'], settle_timeout=5)

    assert any('shows the first attempt was carried out' in warning for warning in warnings)


def test_summary_metrics_spread_over_pages_are_kept_once_each(http):
    first = [eval_metric('total_cost', 'score', 1.5, id='m1'), eval_metric('runs', 'score', 2)]
    second = [eval_metric('total_cost', 'score', 1.5, id='m1'), eval_metric('runs', 'score', 2),
              eval_metric('latency', 'score', 0.3, id='m3')]
    http.expect(
        list_experiment_events('e1').reply(json=events_page([span('s1')], first, after='c2')),
        list_experiment_events('e1', cursor='c2').reply(json=events_page([span('s2')], second, after='c3')),
        list_experiment_events('e1', cursor='c3').reply(json=events_page([span('s3')])),
    )
    events = make_api().experiments.events('e1')

    assert len(list(events)) == 3
    assert events.summary_metrics == first + second[2:]


def test_spans_given_as_null_are_an_empty_page(http):
    page = events_page([])
    page['data']['attributes']['spans'] = None
    http.expect(list_experiment_events('e1').reply(json=page))
    events = make_api().experiments.events('e1')

    assert list(events) == [] and events.summary_metrics is None


def test_newest_first_compares_times_not_texts(http):
    http.expect(list_experiments(project_id=PROJECT).reply_page(
        experiment('e1', 'a', 'd1', '2026-11-02T10:00:00Z'),
        experiment('e2', 'b', 'd1', '2026-11-02T10:00:00.500Z'),          # half a second later, sorts before as text
        experiment('e3', 'c', 'd1', '2026-11-02T12:30:00+03:00'),         # 09:30 UTC: the oldest
        experiment('e4', 'd', 'd1', 'not a time')))

    assert [item['id'] for item in make_api().experiments.list(project_id=PROJECT)] == ['e2', 'e1', 'e3', 'e4']
