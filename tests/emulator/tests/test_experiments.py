# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Experiments written through the API (create, update, soft delete), their events (posted the
spec's way and ddtrace's, seeded, generated) read page by page, the control routes, and faults on
the new routes."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import json

import pytest
import requests

from ansible_collections.llmobs.datadog.tests.emulator.events import generated_values
from ansible_collections.llmobs.datadog.tests.emulator.seeds import SeedError, check_seed
from ansible_collections.llmobs.datadog.tests.support.demo import (
    DEMO_BASELINE_EXPERIMENT, DEMO_BASELINE_EXPERIMENT_NAME, DEMO_CANDIDATE_EXPERIMENT, DEMO_CANDIDATE_EXPERIMENT_NAME,
    DEMO_DATASET, DEMO_PROJECT, SECOND_DATASET)
from ansible_collections.llmobs.datadog.tests.support.emulator import wait_for

EVENTS = '/api/v2/llm-obs/v3/experiments/%s/events'
METRICS = [{'label': 'correctness', 'type': 'score'}, {'label': 'toxic', 'type': 'boolean'},
           {'label': 'tone', 'type': 'categorical', 'values': ['calm', 'curt']}, {'label': 'details', 'type': 'json'}]


@pytest.fixture
def emulator(in_process):
    return in_process()


def create(emulator, expect=200, **attributes):
    # None leaves a key out, the defaults' too.
    attributes = dict((key, value) for key, value in dict({'project_id': DEMO_PROJECT, 'dataset_id': DEMO_DATASET},
                                                          **attributes).items() if value is not None)
    answer = emulator.api('POST', '/experiments', json={'data': {'type': 'experiments', 'attributes': attributes}})
    assert answer.status_code == expect, answer.text
    return answer.json()


def update(emulator, experiment_id, expect=200, **attributes):
    answer = emulator.api('PATCH', '/experiments/%s' % experiment_id, json={'data': {
        'type': 'experiments', 'attributes': attributes}})
    assert answer.status_code == expect, answer.text
    return answer


def delete(emulator, *ids):
    answer = emulator.api('POST', '/experiments/delete', json={'data': {
        'type': 'experiments', 'attributes': {'experiment_ids': list(ids)}}})
    assert answer.status_code == 204 and answer.content == b''


def listed(emulator, **params):
    answer = emulator.api('GET', '/experiments', params=dict({'filter[project_id]': DEMO_PROJECT}, **params))
    assert answer.status_code == 200, answer.text
    return answer.json()


def post_events(emulator, experiment_id, expect=202, kind='events', **attributes):
    answer = emulator.api('POST', '/experiments/%s/events' % experiment_id, json={'data': {
        'type': kind, 'attributes': attributes}})
    assert answer.status_code == expect, answer.text
    return answer


def events(emulator, experiment_id, expect=200, **params):
    answer = emulator.api('GET', EVENTS % experiment_id, params=params)
    assert answer.status_code == expect, answer.text
    return answer.json()


def walk(emulator, experiment_id, limit):
    """Every page of an experiment's events, following meta.after."""
    pages, cursor = [], None
    while True:
        params = {'page[limit]': limit}
        if cursor:
            params['page[cursor]'] = cursor
        pages.append(events(emulator, experiment_id, **params))
        cursor = pages[-1].get('meta', {}).get('after')
        if not cursor:
            return pages


def seeded(emulator, **fields):
    item = dict({'project_id': DEMO_PROJECT, 'dataset_id': DEMO_DATASET, 'name': 'seeded'}, **fields)
    return emulator.control('POST', '/experiments', json={'experiments': [item]})['experiments'][0]


def span(span_id, **more):
    return dict({'trace_id': 'trace-%s' % span_id, 'span_id': span_id, 'project_id': DEMO_PROJECT,
                 'dataset_id': DEMO_DATASET, 'name': 'task', 'start_ns': 1705314600000000000, 'duration': 2000000,
                 'status': 'ok'}, **more)


def metric(span_id, label, kind='score', **more):
    value = {'score': ('score_value', 0.5), 'boolean': ('boolean_value', True),
             'categorical': ('categorical_value', 'calm'), 'json': ('json_value', {'k': 1})}[kind]
    return dict({'span_id': span_id, 'label': label, 'metric_type': kind, 'timestamp_ms': 1705314600000,
                 value[0]: value[1]}, **more)


def state_of(emulator, experiment_id):
    return [e for e in emulator.state()['experiments'] if e['id'] == experiment_id][0]


# ---------------------------------------------------------------------- create


def test_a_created_experiment_runs_on_the_current_version_and_is_listed(emulator):
    batch = {'data': {'type': 'datasets', 'id': DEMO_DATASET, 'attributes': {'insert_records': [{'input': 'one more'}]}}}
    emulator.api('POST', '/%s/datasets/%s/batch_update' % (DEMO_PROJECT, DEMO_DATASET), json=batch)
    made = create(emulator, name='nightly', description='d', metadata={'tags': ['team:eval']}, config={'model': 'x'},
                  run_count=3, parent_experiment_id=DEMO_BASELINE_EXPERIMENT)['data']
    attributes = made['attributes']
    assert made['type'] == 'experiments' and attributes == dict(
        attributes, project_id=DEMO_PROJECT, dataset_id=DEMO_DATASET, dataset_version=1, name='nightly',
        experiment='nightly', description='d', metadata={'tags': ['team:eval']}, config={'model': 'x'},
        status='running', run_count=3, parent_experiment_id=DEMO_BASELINE_EXPERIMENT, error=None, deleted_at=None,
        aggregate_data=None, updated_at=attributes['created_at'])
    assert listed(emulator)['data'][0] == made
    assert state_of(emulator, made['id'])['span_count'] == 0
    # Without config (live accepts it), at an older version: config null.
    older = create(emulator, name='older', dataset_version=0)['data']['attributes']
    assert (older['config'], older['dataset_version'], older['description']) == (None, 0, '')


def test_names_are_made_unique_in_the_project_unless_asked_not_to(emulator):
    names = [create(emulator, name='run')['data']['attributes']['name'] for dummy in range(3)]
    assert names == ['run', 'run-1', 'run-2']
    again = create(emulator, name='run', ensure_unique=False)['data']['attributes']
    assert (again['name'], again['experiment']) == ('run', 'run')
    suffixed = create(emulator, name='run', dataset_id=SECOND_DATASET)['data']['attributes']
    assert (suffixed['name'], suffixed['experiment']) == ('run-3', 'run')
    # A name that only a deleted experiment holds is free again.
    delete(emulator, *[e['id'] for e in listed(emulator, **{'filter[experiment]': 'run'})['data']])
    assert create(emulator, name='run')['data']['attributes']['name'] == 'run'


def test_the_create_status_can_be_201(emulator):
    emulator.configure(experiment_create_status=201)
    assert create(emulator, expect=201, name='x')['data']['attributes']['name'] == 'x'


@pytest.mark.parametrize('attributes, status, pointer', [
    ({'name': None}, 400, '/data/attributes/name'), ({'dataset_id': None}, 400, '/data/attributes/dataset_id'),
    ({'project_id': None}, 400, '/data/attributes/project_id'), ({'name': ' '}, 400, '/data/attributes/name'),
    ({'dataset_version': -1}, 400, '/data/attributes/dataset_version'),
    ({'dataset_version': '0'}, 400, '/data/attributes/dataset_version'),
    ({'run_count': 0}, 400, '/data/attributes/run_count'), ({'ensure_unique': 'yes'}, 400, '/data/attributes/ensure_unique'),
    ({'metadata': ['a']}, 400, '/data/attributes/metadata'), ({'config': 'x'}, 400, '/data/attributes/config'),
    ({'status': 'completed'}, 400, '/data/attributes/status'),
    ({'project_id': 'no-such-project'}, 404, None), ({'dataset_id': 'no-such-dataset'}, 404, None),
    ({'dataset_version': 1}, 404, None)])
def test_bad_creates_are_refused_and_make_nothing(emulator, attributes, status, pointer):
    answer = create(emulator, expect=status, **dict({'name': 'refused'}, **attributes))
    assert answer['errors'][0].get('source', {}).get('pointer') == pointer
    assert len(emulator.state()['experiments']) == 2      # the demo seed's


def test_a_dataset_of_another_project_is_not_found(emulator):
    project = emulator.api('POST', '/projects', json={'data': {'type': 'projects', 'attributes': {'name': 'other'}}})
    answer = create(emulator, expect=404, name='x', project_id=project.json()['data']['id'])
    assert DEMO_DATASET in answer['errors'][0]['detail']


# ---------------------------------------------------------------------- update


def test_an_update_answers_an_empty_200_and_changes_what_it_names(emulator):
    made = create(emulator, name='to change', metadata={'a': 1, 'b': 2})['data']
    answer = update(emulator, made['id'], status='completed', metadata={'c': 3}, description='now described')
    assert answer.content == b'' and answer.headers['Content-Length'] == '0' and 'Content-Type' not in answer.headers
    attributes = listed(emulator, **{'filter[id]': made['id']})['data'][0]['attributes']
    assert attributes == dict(made['attributes'], status='completed', metadata={'c': 3}, description='now described',
                              updated_at=attributes['updated_at'])
    assert attributes['updated_at'] > made['attributes']['updated_at']
    update(emulator, made['id'], name='renamed', error='it broke', status='failed', dataset_id=SECOND_DATASET)
    attributes = listed(emulator, **{'filter[id]': made['id']})['data'][0]['attributes']
    assert (attributes['name'], attributes['error'], attributes['status'], attributes['dataset_id']) == (
        'renamed', 'it broke', 'failed', SECOND_DATASET)
    update(emulator, made['id'], error=None, metadata=None)
    attributes = listed(emulator, **{'filter[id]': made['id']})['data'][0]['attributes']
    assert (attributes['error'], attributes['metadata']) == (None, None)
    # The spec's own example sends no attributes: nothing changes but updated_at.
    bare = emulator.api('PATCH', '/experiments/%s' % made['id'], json={'data': {'type': 'experiments'}})
    assert bare.status_code == 200
    assert listed(emulator, **{'filter[id]': made['id']})['data'][0]['attributes']['name'] == 'renamed'


def test_an_update_can_answer_the_experiment_as_the_spec_shows(emulator):
    emulator.configure(experiment_patch_body=True)
    answer = update(emulator, DEMO_BASELINE_EXPERIMENT, status='interrupted')
    body = answer.json()['data']
    assert (body['id'], body['attributes']['status'], body['attributes']['name']) == (
        DEMO_BASELINE_EXPERIMENT, 'interrupted', DEMO_BASELINE_EXPERIMENT_NAME)


@pytest.mark.parametrize('attributes, status, pointer', [
    ({'status': 'done'}, 400, '/data/attributes/status'), ({'name': ''}, 400, '/data/attributes/name'),
    ({'metadata': 'x'}, 400, '/data/attributes/metadata'), ({'error': 5}, 400, '/data/attributes/error'),
    ({'config': {}}, 400, '/data/attributes/config'), ({'dataset_id': 'no-such-dataset'}, 404, None)])
def test_bad_updates_change_nothing(emulator, attributes, status, pointer):
    before = state_of(emulator, DEMO_BASELINE_EXPERIMENT)
    answer = update(emulator, DEMO_BASELINE_EXPERIMENT, expect=status, **attributes).json()
    assert answer['errors'][0].get('source', {}).get('pointer') == pointer
    assert state_of(emulator, DEMO_BASELINE_EXPERIMENT) == before


def test_updates_of_unknown_and_deleted_experiments_are_404(emulator):
    update(emulator, 'no-such-experiment', expect=404, status='completed')
    delete(emulator, DEMO_BASELINE_EXPERIMENT)
    update(emulator, DEMO_BASELINE_EXPERIMENT, expect=404, status='running')
    assert state_of(emulator, DEMO_BASELINE_EXPERIMENT)['status'] == 'completed'


# ---------------------------------------------------------------------- delete


def test_deletes_are_soft_idempotent_and_listed_apart(emulator):
    delete(emulator, DEMO_BASELINE_EXPERIMENT, 'no-such-experiment')
    assert [e['id'] for e in listed(emulator)['data']] == [DEMO_CANDIDATE_EXPERIMENT]
    gone = listed(emulator, **{'filter[is_deleted]': 'true'})['data']
    assert [e['id'] for e in gone] == [DEMO_BASELINE_EXPERIMENT] and gone[0]['attributes']['deleted_at'].endswith('+00:00')
    state = state_of(emulator, DEMO_BASELINE_EXPERIMENT)
    assert state['deleted'] is True and state['deleted_at'] == gone[0]['attributes']['deleted_at']
    assert state_of(emulator, DEMO_CANDIDATE_EXPERIMENT)['deleted'] is False
    delete(emulator, DEMO_BASELINE_EXPERIMENT)     # again: nothing changes, not even deleted_at
    assert state_of(emulator, DEMO_BASELINE_EXPERIMENT)['deleted_at'] == state['deleted_at']
    # Its events and its updates are gone with it.
    events(emulator, DEMO_BASELINE_EXPERIMENT, expect=404)
    post_events(emulator, DEMO_BASELINE_EXPERIMENT, expect=404, metrics=[metric('s', 'x')])
    delete(emulator)        # no ids: nothing to do
    assert len(listed(emulator)['data']) == 1


def test_lag_lists_experiments_as_they_were_before_an_update_or_a_delete(in_process):
    emulator = in_process(lag=1.0)
    update(emulator, DEMO_CANDIDATE_EXPERIMENT, description='first')
    update(emulator, DEMO_CANDIDATE_EXPERIMENT, description='second', metadata={'lagging': 'yes'})
    # The list and its filters still show it as it was before the first update; writes see the change.
    shown = listed(emulator, **{'filter[id]': DEMO_CANDIDATE_EXPERIMENT})['data'][0]['attributes']
    assert shown['description'] != 'first' and shown['metadata'] != {'lagging': 'yes'}
    assert listed(emulator, **{'filter[metadata]': '{"lagging":"yes"}'})['data'] == []
    assert state_of(emulator, DEMO_CANDIDATE_EXPERIMENT)['description'] == 'second'
    delete(emulator, DEMO_BASELINE_EXPERIMENT)
    assert DEMO_BASELINE_EXPERIMENT in [e['id'] for e in listed(emulator)['data']]
    assert listed(emulator, **{'filter[is_deleted]': 'true'})['data'] == []
    update(emulator, DEMO_BASELINE_EXPERIMENT, expect=404, description='x')
    events(emulator, DEMO_BASELINE_EXPERIMENT, expect=404)
    assert wait_for(lambda: [e['id'] for e in listed(emulator)['data']] == [DEMO_CANDIDATE_EXPERIMENT], timeout=5)
    shown = listed(emulator)['data'][0]['attributes']
    assert (shown['description'], shown['metadata']) == ('second', {'lagging': 'yes'})
    # A change through the control route shows at once.
    update(emulator, DEMO_CANDIDATE_EXPERIMENT, description='third')
    emulator.control('PATCH', '/experiments/%s' % DEMO_CANDIDATE_EXPERIMENT, json={'status': 'failed'})
    shown = listed(emulator)['data'][0]['attributes']
    assert (shown['description'], shown['status']) == ('third', 'failed')


@pytest.mark.parametrize('body, pointer', [
    ({'data': {'type': 'experiments', 'attributes': {}}}, '/data/attributes/experiment_ids'),
    ({'data': {'type': 'experiments', 'attributes': {'experiment_ids': [1]}}}, '/data/attributes/experiment_ids/0'),
    ({'data': {'type': 'datasets', 'attributes': {'experiment_ids': []}}}, '/data/type')])
def test_bad_deletes_are_400s(emulator, body, pointer):
    answer = emulator.api('POST', '/experiments/delete', json=body)
    assert answer.status_code == 400 and answer.json()['errors'][0]['source']['pointer'] == pointer
    assert not any(e['deleted'] for e in emulator.state()['experiments'])


# ---------------------------------------------------------------------- events posted


def test_events_posted_the_spec_way_and_ddtraces(emulator):
    made = create(emulator, name='posted')['data']['id']
    # ddtrace posts metrics first (type "experiments", scope and tags); their span comes later.
    post_events(emulator, made, kind='experiments', scope='experiments', tags=['ddtrace.version:4.1', 'source:sdk'],
                metrics=[metric('s-1', 'correctness', score_value=0.9, assessment='pass', metric_source='custom',
                                eval_source_type='custom', experiment_id=made, tags=['source:sdk']),
                         metric('', 'accuracy', metric_source='summary', score_value=0.9)])
    assert state_of(emulator, made)['waiting_metric_count'] == 1
    body = events(emulator, made)
    assert body['data']['attributes']['spans'] == [] and len(body['data']['attributes']['summary_metrics']) == 1
    post_events(emulator, made, spans=[span('s-1', tags=['dataset_record_id:rec-1'], meta={'input': 'q', 'output': 'a'}),
                                       span('s-2', status='error', meta={'error': {'message': 'boom'}})],
                metrics=[metric('s-2', 'correctness', error={'message': 'judge failed'}, score_value=None)])
    body = events(emulator, made)
    assert (body['data']['id'], body['data']['type'], body['meta']) == (made, 'experiment_events', {'after': None})
    first, second = body['data']['attributes']['spans']
    assert (first['span_id'], first['trace_id'], first['dataset_record_id'], first['meta']) == (
        's-1', 'trace-s-1', 'rec-1', {'input': 'q', 'output': 'a'})
    assert 'project_id' not in first and first['id']
    correctness = first['eval_metrics'][0]
    assert correctness == dict(correctness, label='correctness', metric_type='score', score_value=0.9,
                               boolean_value=None, categorical_value=None, json_value=None, assessment='pass',
                               span_id='s-1', trace_id='trace-s-1', metric_source='custom',
                               tags=['source:sdk', 'ddtrace.version:4.1'])
    assert (second['status'], second['dataset_record_id'], second['eval_metrics'][0]['error']) == (
        'error', None, {'message': 'judge failed'})
    summary = body['data']['attributes']['summary_metrics'][0]
    assert (summary['label'], summary['metric_source'], summary['score_value']) == ('accuracy', 'summary', 0.9)
    assert state_of(emulator, made)['waiting_metric_count'] == 0 and state_of(emulator, made)['span_count'] == 2


def test_events_sent_again_replace_what_they_name(emulator):
    made = create(emulator, name='retried')['data']['id']
    for dummy in range(2):     # a retry of a whole post stores nothing twice
        post_events(emulator, made, spans=[span('s-1')], metrics=[metric('s-1', 'correctness', score_value=0.2),
                                                                  metric('s-1', 'exact', 'boolean')])
    post_events(emulator, made, spans=[span('s-1', name='renamed')],
                metrics=[metric('s-1', 'correctness', score_value=0.8), metric('', 'mean', metric_source='summary'),
                         metric('', 'mean', metric_source='summary', score_value=0.7)])
    body = events(emulator, made)['data']['attributes']
    assert len(body['spans']) == 1 and body['spans'][0]['name'] == 'renamed'
    assert [(m['label'], m['score_value']) for m in body['spans'][0]['eval_metrics']] == [
        ('exact', None), ('correctness', 0.8)]
    assert [(m['label'], m['score_value']) for m in body['summary_metrics']] == [('mean', 0.7)]


@pytest.mark.parametrize('attributes, pointer', [
    ({'spans': [span('s', status='done')]}, '/data/attributes/spans/0/status'),
    ({'spans': [span('s', start_ns='now')]}, '/data/attributes/spans/0/start_ns'),
    ({'spans': [dict(span('s'), trace_id=None)]}, '/data/attributes/spans/0/trace_id'),
    ({'spans': [span('s', colour='red')]}, '/data/attributes/spans/0/colour'),
    ({'spans': [span('s', meta={'error': {'code': 1}})]}, '/data/attributes/spans/0/meta/error/code'),
    ({'spans': [span('s', metrics={'tokens': 'many'})]}, '/data/attributes/spans/0/metrics/tokens'),
    ({'spans': [span('s', eval_metrics=[])]}, '/data/attributes/spans/0/eval_metrics'),
    ({'metrics': [metric('s', 'x', metric_type='stars')]}, '/data/attributes/metrics/0/metric_type'),
    ({'metrics': [metric('s', 'x', boolean_value=True)]}, '/data/attributes/metrics/0/boolean_value'),
    ({'metrics': [metric('s', 'x', 'boolean', boolean_value='yes')]}, '/data/attributes/metrics/0/boolean_value'),
    ({'metrics': [metric('s', 'x', assessment='ok')]}, '/data/attributes/metrics/0/assessment'),
    ({'metrics': [metric('s', 'x', timestamp_ms=None)]}, '/data/attributes/metrics/0/timestamp_ms'),
    ({'metrics': [metric('s', 'x', metric_source='managed')]}, '/data/attributes/metrics/0/metric_source'),
    ({'metrics': [metric('s', '')]}, '/data/attributes/metrics/0/label'),
    ({'tags': 'a:b'}, '/data/attributes/tags'), ({'events': []}, '/data/attributes/events')])
def test_bad_events_are_refused_whole(emulator, attributes, pointer):
    made = create(emulator, name='refusing')['data']['id']
    attributes = dict(attributes)
    if 'metrics' in attributes:
        attributes['spans'] = [span('s')]       # a good span beside the bad metric is not stored either
    answer = post_events(emulator, made, expect=400, **attributes).json()
    assert answer['errors'][0]['source']['pointer'] == pointer
    assert state_of(emulator, made)['span_count'] == 0


def test_events_of_an_unknown_experiment_are_404(emulator):
    post_events(emulator, 'no-such-experiment', expect=404, spans=[span('s')])
    for path in (EVENTS, '/api/v2/llm-obs/v2/experiments/%s/events', '/experiments/%s/events'):
        assert emulator.api('GET', path % 'no-such-experiment').status_code == 404


# ---------------------------------------------------------------------- events read


def test_events_pages_walk_every_span_once_in_order(emulator):
    made = seeded(emulator, spans=[{'name': 'span-%d' % n} for n in range(7)],
                  summary_metrics=[{'label': 'mean', 'metric_type': 'score', 'score_value': 0.5}])
    pages = walk(emulator, made['id'], 3)
    assert [[s['name'] for s in page['data']['attributes']['spans']] for page in pages] == [
        ['span-0', 'span-1', 'span-2'], ['span-3', 'span-4', 'span-5'], ['span-6']]
    # Summary metrics on the first page only, by default; on every page when asked.
    assert [len(page['data']['attributes']['summary_metrics']) for page in pages] == [1, 0, 0]
    emulator.configure(summary_metrics_pages='every')
    assert [len(page['data']['attributes']['summary_metrics']) for page in walk(emulator, made['id'], 3)] == [1, 1, 1]
    # The last page's meta.after: null by default, "" or left out when asked.
    assert pages[-1]['meta'] == {'after': None}
    emulator.configure(experiments_last_after='')
    assert walk(emulator, made['id'], 5)[-1]['meta'] == {'after': ''}
    assert listed(emulator)['meta'] == {'after': ''}
    emulator.configure(experiments_last_after='absent')
    assert walk(emulator, made['id'], 5)[-1]['meta'] == {} and listed(emulator)['meta'] == {}
    # page[limit] defaults to 5000 and is clamped there.
    assert len(events(emulator, made['id'])['data']['attributes']['spans']) == 7
    assert len(events(emulator, made['id'], **{'page[limit]': 10 ** 9})['data']['attributes']['spans']) == 7


def test_v1_and_v2_events_give_every_span_at_once(emulator):
    v2 = emulator.api('GET', '/api/v2/llm-obs/v2/experiments/%s/events' % DEMO_BASELINE_EXPERIMENT).json()
    v3 = events(emulator, DEMO_BASELINE_EXPERIMENT, **{'page[limit]': 2})
    assert v2['data']['attributes']['spans'][:2] == v3['data']['attributes']['spans'] and 'meta' not in v2
    assert len(v2['data']['attributes']['spans']) == 5 and len(v2['data']['attributes']['summary_metrics']) == 2
    v1 = emulator.api('GET', '/experiments/%s/events' % DEMO_BASELINE_EXPERIMENT).json()
    assert [(item['id'], item['type']) for item in v1['data']] == [
        (s['id'], 'experiments') for s in v2['data']['attributes']['spans']]
    assert v1['data'][0]['attributes'] == v2['data']['attributes']['spans'][0]


@pytest.mark.parametrize('params, parameter', [
    ({'page[limit]': 0}, 'page[limit]'), ({'page[limit]': 'all'}, 'page[limit]'),
    ({'page[cursor]': 'not-a-cursor'}, 'page[cursor]')])
def test_bad_events_parameters_are_named(emulator, params, parameter):
    answer = events(emulator, DEMO_BASELINE_EXPERIMENT, expect=400, **params)
    assert answer['errors'][0]['source'] == {'parameter': parameter}


def test_the_demo_experiments(emulator):
    runs = listed(emulator, **{'filter[dataset_id]': DEMO_DATASET})['data']
    assert [(e['id'], e['attributes']['name'], e['attributes']['status']) for e in runs] == [
        (DEMO_CANDIDATE_EXPERIMENT, DEMO_CANDIDATE_EXPERIMENT_NAME, 'completed'),
        (DEMO_BASELINE_EXPERIMENT, DEMO_BASELINE_EXPERIMENT_NAME, 'completed')]
    baseline = listed(emulator, **{'filter[metadata]': '{"baseline": "true"}'})['data']
    assert [e['id'] for e in baseline] == [DEMO_BASELINE_EXPERIMENT]
    assert runs[0]['attributes']['parent_experiment_id'] == DEMO_BASELINE_EXPERIMENT
    records = emulator.api('GET', '/%s/datasets/%s/records' % (DEMO_PROJECT, DEMO_DATASET)).json()['data']
    for run in runs:
        spans = events(emulator, run['id'])['data']['attributes']['spans']
        # Span i evaluated record i of the dataset (oldest first), which asked the span's question.
        questions = dict((r['id'], r['attributes']['input']) for r in records)
        assert [questions[s['dataset_record_id']] for s in spans] == [s['meta']['input'] for s in spans]
        assert [sorted(m['metric_type'] for m in s['eval_metrics']) for s in spans] == [
            ['boolean', 'categorical', 'score']] * 5
    stats = emulator.control('GET', '/experiments/%s' % DEMO_BASELINE_EXPERIMENT)['statistics']
    exact = stats['metrics']['exact_match']
    assert (exact['count'], exact['true'], exact['false'], exact['pass'], exact['fail']) == (5, 4, 1, 4, 1)
    assert stats['summary_metrics'] == {'accuracy': 0.8, 'all_passed': False}


# ---------------------------------------------------------------------- generated runs


def test_generated_runs_are_deterministic_and_computable(in_process):
    first, second = in_process(), in_process()
    settings = {'records': 40, 'metrics': METRICS, 'span_bytes': 3000, 'errors': 3, 'seed': 7}
    runs = [seeded(emulator, name='generated', generate=settings) for emulator in (first, second)]
    spans = [[s for page in walk(emulator, run['id'], 15) for s in page['data']['attributes']['spans']]
             for emulator, run in zip((first, second), runs)]
    assert len(spans[0]) == 40 and runs[0]['span_count'] == 40

    def values(run_spans):
        return [(s['status'], [(m['label'], m['metric_type'], m['score_value'], m['boolean_value'],
                                m['categorical_value'], m['json_value'], m.get('assessment')) for m in s['eval_metrics']])
                for s in run_spans]
    assert values(spans[0]) == values(spans[1])
    # What generated_values says, span by span; the failed ones, spread out, have no metrics.
    failed = [index for index, s in enumerate(spans[0]) if s['status'] == 'error']
    assert failed == [6, 20, 33] and all(spans[0][i]['eval_metrics'] == [] for i in failed)
    assert all(spans[0][i]['meta']['error']['type'] == 'TimeoutError' for i in failed)
    for index, served in enumerate(spans[0]):
        if index in failed:
            continue
        expected = generated_values(7, index, METRICS)
        got = dict((m['label'], (m[{'score': 'score_value', 'boolean': 'boolean_value',
                                    'categorical': 'categorical_value', 'json': 'json_value'}[m['metric_type']]],
                                 m.get('assessment'))) for m in served['eval_metrics'])
        assert got == expected
    assert set(m['categorical_value'] for s in spans[0] for m in s['eval_metrics'] if m['label'] == 'tone') == {'calm', 'curt'}
    sizes = [len(json.dumps(s)) for index, s in enumerate(spans[0]) if index not in failed]
    assert all(2900 <= size <= 3100 for size in sizes)
    # The first spans evaluated the dataset's records (5, oldest first); the rest name made-up ones.
    records = first.api('GET', '/%s/datasets/%s/records' % (DEMO_PROJECT, DEMO_DATASET)).json()['data']
    assert [s['dataset_record_id'] for s in spans[0][:6]] == [r['id'] for r in reversed(records)] + ['generated-record-5']
    # Another seed, other values.
    other = seeded(first, name='other seed', generate=dict(settings, seed=8))
    assert values([s for page in walk(first, other['id'], 40) for s in page['data']['attributes']['spans']]) != values(
        spans[0])


def test_ten_thousand_spans_of_five_kilobytes(emulator):
    made = seeded(emulator, name='big', generate={'records': 10000, 'metrics': METRICS[:3], 'span_bytes': 5000,
                                                  'errors': 3, 'seed': 1})
    pages = walk(emulator, made['id'], 5000)
    spans = [s for page in pages for s in page['data']['attributes']['spans']]
    assert len(pages) == 2 and len(spans) == 10000 and len(set(s['id'] for s in spans)) == 10000
    assert 4500 <= len(json.dumps(spans[1])) <= 5500
    # The statistics of the control route are those of the spans served.
    stats = emulator.control('GET', '/experiments/%s' % made['id'])['statistics']
    scores = [m['score_value'] for s in spans for m in s['eval_metrics'] if m['label'] == 'correctness']
    booleans = [m['boolean_value'] for s in spans for m in s['eval_metrics'] if m['label'] == 'toxic']
    assert stats['span_count'] == 10000 and stats['error_span_count'] == 3
    correctness = stats['metrics']['correctness']
    assert (correctness['count'], correctness['min'], correctness['max']) == (len(scores), min(scores), max(scores))
    assert correctness['mean'] == pytest.approx(sum(scores) / len(scores))
    assert correctness['pass'] == sum(1 for score in scores if score >= 0.5)
    assert (stats['metrics']['toxic']['true'], stats['metrics']['toxic']['false']) == (
        booleans.count(True), booleans.count(False))
    assert sum(stats['metrics']['tone']['values'].values()) == 9997


@pytest.mark.parametrize('generate, words', [
    ({'records': -1}, 'generate.records: must be a whole number'),
    ({'records': 2, 'errors': 3}, 'generate.errors: at most records (2)'),
    ({'errors': 6}, 'generate.errors: at most records (5)'),
    ({'metrics': [{'label': 'x', 'type': 'stars'}]}, 'generate.metrics[0].type: must be one of'),
    ({'metrics': [{'label': 'x', 'type': 'score'}, {'label': 'x', 'type': 'boolean'}]}, 'x is used twice'),
    ({'metrics': [{'label': 'x', 'type': 'score', 'values': ['a']}]}, 'only a categorical metric has values'),
    ({'metrics': [{'label': 'x', 'type': 'json', 'assessment': True}]}, 'only score and boolean metrics'),
    ({'size': 5}, 'unknown key(s) size')])
def test_bad_generators_are_refused(emulator, generate, words):
    answer = requests.post(emulator.url + '/_emulator/experiments', timeout=5, json={'experiments': [
        {'project_id': DEMO_PROJECT, 'dataset_id': DEMO_DATASET, 'name': 'x', 'generate': generate}]})
    assert answer.status_code == 400 and words in answer.json()['error']
    assert len(emulator.state()['experiments']) == 2


# ---------------------------------------------------------------------- control routes and seeds


def test_the_control_route_changes_an_experiment(emulator):
    made = create(emulator, name='flipped')['data']
    view = emulator.control('PATCH', '/experiments/%s' % made['id'], json={
        'status': 'completed', 'aggregate_data': {'correctness': {'mean': 0.9}},
        'summary_metrics': [{'label': 'mean', 'metric_type': 'score', 'score_value': 0.9}]})
    assert (view['status'], view['aggregate_data'], view['summary_metric_count']) == (
        'completed', {'correctness': {'mean': 0.9}}, 1)
    attributes = listed(emulator, **{'filter[id]': made['id']})['data'][0]['attributes']
    assert attributes['status'] == 'completed' and attributes['updated_at'] > made['attributes']['updated_at']
    view = emulator.control('PATCH', '/experiments/%s' % made['id'], json={
        'deleted_at': '2024-02-01T00:00:00Z', 'created_at': '2024-01-01T00:00:00Z', 'updated_at': '2024-01-02T00:00:00Z'})
    assert (view['deleted'], view['deleted_at'], view['created_at'], view['updated_at']) == (
        True, '2024-02-01T00:00:00.000+00:00', '2024-01-01T00:00:00.000+00:00', '2024-01-02T00:00:00.000+00:00')
    assert emulator.control('PATCH', '/experiments/%s' % made['id'], json={'deleted_at': None})['deleted'] is False
    assert [e['id'] for e in listed(emulator)['data']][-1] == made['id']     # oldest now


@pytest.mark.parametrize('body, status, words', [
    ({'status': 'done'}, 400, 'status: must be one of'), ({'spans': []}, 400, 'unknown key(s) spans'),
    ({'name': None}, 400, 'name: must be a non-empty string'),
    ({'created_at': None}, 400, 'ISO 8601'), ({'run_count': 0}, 400, 'run_count'),
    ({'summary_metrics': [{'label': 'x'}]}, 400, 'summary_metrics[0].metric_type')])
def test_bad_control_changes_are_refused(emulator, body, status, words):
    answer = requests.patch(emulator.url + '/_emulator/experiments/%s' % DEMO_BASELINE_EXPERIMENT, json=body, timeout=5)
    assert answer.status_code == status and words in answer.json()['error']
    assert requests.patch(emulator.url + '/_emulator/experiments/no-such-experiment', json={'status': 'failed'},
                          timeout=5).status_code == 404
    assert requests.get(emulator.url + '/_emulator/experiments/no-such-experiment', timeout=5).status_code == 404


SEED = {'projects': [{'id': 'p-1', 'name': 'seeded', 'datasets': [{'id': 'd-1', 'name': 'data', 'records': [
    {'id': 'r-1', 'input': 'a'}, {'id': 'r-2', 'input': 'b'}]}], 'experiments': [
    {'id': 'e-1', 'name': 'with spans', 'dataset': 'data', 'created_at': '2024-01-15T10:30:00Z', 'status': 'failed',
     'error': 'timed out', 'run_count': 2, 'deleted_at': '2024-02-01T00:00:00Z',
     'spans': [{'span_id': 'x', 'meta': {'input': 'a'},
                'eval_metrics': [{'label': 'ok', 'metric_type': 'boolean', 'boolean_value': True}]},
               {'dataset_record_id': 'r-1', 'status': 'error'}],
     'summary_metrics': [{'label': 'rate', 'metric_type': 'score', 'score_value': 0.5}]},
    {'id': 'e-2', 'name': 'generated', 'dataset': 'd-1', 'generate': {'metrics': [{'label': 's', 'type': 'score'}]}}]}]}


def test_seeds_carry_spans_generators_and_deleted_experiments(in_process):
    emulator = in_process(seeds=[SEED])
    view = emulator.control('GET', '/experiments/e-1')
    assert view == dict(view, status='failed', error='timed out', run_count=2, deleted=True, span_count=2,
                        summary_metric_count=1, deleted_at='2024-02-01T00:00:00.000+00:00')
    emulator.control('PATCH', '/experiments/e-1', json={'deleted_at': None})
    spans = events(emulator, 'e-1')['data']['attributes']['spans']
    assert [(s['span_id'], s['dataset_record_id'], s['status'], s['name']) for s in spans] == [
        ('x', 'r-1', 'ok', 'task'), (spans[1]['span_id'], 'r-1', 'error', 'task')]
    assert spans[0]['start_ns'] == 1705314600000000000 and spans[1]['start_ns'] == 1705314600500000000
    assert spans[0]['eval_metrics'][0] == dict(spans[0]['eval_metrics'][0], span_id='x', trace_id=spans[0]['trace_id'],
                                               timestamp_ms=1705314601000)
    generated = events(emulator, 'e-2')['data']['attributes']['spans']     # one per record of the dataset
    assert [s['dataset_record_id'] for s in generated] == ['r-1', 'r-2']


@pytest.mark.parametrize('change, words', [
    (lambda e: e['spans'][0].update(status='done'), 'projects[0].experiments[0].spans[0].status: status must be ok'),
    (lambda e: e['spans'][0]['eval_metrics'][0].update(metric_type='x'),
     'projects[0].experiments[0].spans[0].eval_metrics[0].metric_type'),
    (lambda e: e['summary_metrics'][0].pop('metric_type'), 'projects[0].experiments[0].summary_metrics[0].metric_type'),
    (lambda e: e.update(generate={'seed': 'x'}), 'projects[0].experiments[0].generate.seed'),
    (lambda e: e.update(run_count=True), 'projects[0].experiments[0].run_count')])
def test_bad_seed_events_say_where(change, words):
    seed = copy.deepcopy(SEED)
    change(seed['projects'][0]['experiments'][0])
    with pytest.raises(SeedError) as caught:
        check_seed(seed)
    assert words in str(caught.value)


# ---------------------------------------------------------------------- faults on the new routes


def test_lost_answers_after_the_write_on_every_experiment_write(emulator):
    made = create(emulator, name='faulted')['data']['id']
    emulator.add_fault(operation='UpdateLLMObsExperiment', drop=True, commit=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        update(emulator, made, status='completed')
    assert state_of(emulator, made)['status'] == 'completed'
    emulator.add_fault(operation='CreateLLMObsExperimentEvents', status=504, commit=True)
    post_events(emulator, made, expect=504, spans=[span('s')])
    assert state_of(emulator, made)['span_count'] == 1
    emulator.add_fault(operation='DeleteLLMObsExperiments', drop=True, commit=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        delete(emulator, made)
    assert state_of(emulator, made)['deleted'] is True
    emulator.add_fault(operation='CreateLLMObsExperiment', drop=True, commit=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        create(emulator, name='made unseen')
    assert 'made unseen' in [e['name'] for e in emulator.state()['experiments']]
    assert [entry['status'] for entry in emulator.requests_log()[-4:]] == ['dropped', 504, 'dropped', 'dropped']


def test_faults_without_commit_write_nothing(emulator):
    emulator.add_fault(operation='CreateLLMObsExperiment', status=500)
    create(emulator, expect=500, name='never made')
    emulator.add_fault(operation='UpdateLLMObsExperiment', status=429, reset=2)
    limited = update(emulator, DEMO_BASELINE_EXPERIMENT, expect=429, status='failed')
    assert limited.headers['X-RateLimit-Reset'] == '2'
    emulator.add_fault(operation='DeleteLLMObsExperiments', status=503, body='html')
    answer = emulator.api('POST', '/experiments/delete', json={'data': {'type': 'experiments', 'attributes': {
        'experiment_ids': [DEMO_BASELINE_EXPERIMENT]}}})
    assert answer.status_code == 503 and answer.headers['Content-Type'].startswith('text/html')
    emulator.add_fault(operation='CreateLLMObsExperimentEvents', drop=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        post_events(emulator, DEMO_BASELINE_EXPERIMENT, spans=[span('s')])
    state = state_of(emulator, DEMO_BASELINE_EXPERIMENT)
    assert (state['status'], state['deleted'], state['span_count']) == ('completed', False, 5)
    assert len(emulator.state()['experiments']) == 2


def test_faults_on_the_events_list(emulator):
    emulator.add_fault(operation='ListLLMObsExperimentEvents', status=502, body='html', skip=1)
    first = events(emulator, DEMO_BASELINE_EXPERIMENT, **{'page[limit]': 2})
    second = emulator.api('GET', EVENTS % DEMO_BASELINE_EXPERIMENT,
                          params={'page[limit]': 2, 'page[cursor]': first['meta']['after']})
    assert second.status_code == 502
    emulator.add_fault(operation='ListLLMObsExperimentEvents', cut_after=30)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        emulator.api('GET', EVENTS % DEMO_BASELINE_EXPERIMENT)
    emulator.add_fault(operation='ListLLMObsExperimentEventsV2', body='malformed')
    assert emulator.api('GET', '/api/v2/llm-obs/v2/experiments/%s/events' % DEMO_BASELINE_EXPERIMENT).status_code == 200
    # An endless list: new spans on every page, however far it is followed; a list started afresh is the real one.
    emulator.add_fault(operation='ListLLMObsExperimentEvents', endless=True)
    seen, cursor = set(), None
    for dummy in range(4):
        params = {'page[limit]': 50}
        if cursor:
            params['page[cursor]'] = cursor
        page = events(emulator, DEMO_BASELINE_EXPERIMENT, **params)
        seen.update(s['span_id'] for s in page['data']['attributes']['spans'])
        cursor = page['meta']['after']
    assert len(seen) == 200 and cursor
    assert len(events(emulator, DEMO_BASELINE_EXPERIMENT)['data']['attributes']['spans']) == 5
    # Keys are still checked on an endless list's pages, and the experiment must exist.
    emulator.add_fault(operation='ListLLMObsExperimentEvents', endless=True)
    assert emulator.api('GET', EVENTS % 'no-such-experiment').status_code == 404


def test_run_py_options_of_experiments(start_emulator):
    emulator = start_emulator('--experiment-create-status', '201', '--experiment-patch-body')
    made = create(emulator, expect=201, name='from the command line')['data']
    assert update(emulator, made['id'], status='completed').json()['data']['attributes']['status'] == 'completed'
    config = emulator.control('GET', '/config')
    assert (config['experiment_create_status'], config['experiment_patch_body']) == (201, True)
    emulator.control('POST', '/reset')      # the start-up options stay
    assert emulator.control('GET', '/config')['experiment_patch_body'] is True


@pytest.mark.parametrize('setting, value', [
    ('experiment_create_status', 202), ('experiment_patch_body', 'yes'), ('summary_metrics_pages', 'last'),
    ('experiments_last_after', 'none')])
def test_bad_experiment_settings_are_refused(emulator, setting, value):
    answer = requests.patch(emulator.url + '/_emulator/config', json={setting: value}, timeout=5)
    assert answer.status_code == 400 and setting in answer.json()['error']
