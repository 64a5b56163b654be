# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator's switchable behaviours, faults, control API and request log."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import signal
import time

import pytest
import requests

from ansible_collections.llmobs.datadog.tests.support.demo import DEMO_DATASET, DEMO_PROJECT
from ansible_collections.llmobs.datadog.tests.support.emulator import HEADERS, wait_for

DATASETS = '/%s/datasets' % DEMO_PROJECT
CLONE = DATASETS + '/%s/clone' % DEMO_DATASET


def clone_body(name, description=None):
    attributes = {'name': name}
    if description is not None:
        attributes['description'] = description
    return {'data': {'type': 'datasets', 'id': DEMO_DATASET, 'attributes': attributes}}


def listed_names(emulator, **params):
    return [d['attributes']['name'] for d in emulator.api('GET', DATASETS, params=params).json()['data']]


def test_clone_copies_the_current_records_and_starts_at_version_zero(emulator):
    cloned = emulator.api('POST', CLONE, json=clone_body('copy', 'desc')).json()['data']
    assert cloned['attributes']['current_version'] == 0
    assert cloned['attributes']['description'] == 'desc'
    source = emulator.api('GET', DATASETS + '/%s/records' % DEMO_DATASET).json()['data']
    copied = emulator.api('GET', DATASETS + '/%s/records' % cloned['id']).json()['data']
    assert sorted(json.dumps(r['attributes']['input'], sort_keys=True) for r in copied) == \
        sorted(json.dumps(r['attributes']['input'], sort_keys=True) for r in source)
    assert all(r['attributes']['dataset_id'] == cloned['id'] for r in copied)
    assert not set(r['id'] for r in copied) & set(r['id'] for r in source)


def test_appending_records_makes_a_version_and_old_versions_stay_readable(emulator):
    path = DATASETS + '/%s/records' % DEMO_DATASET
    body = {'data': {'type': 'records', 'attributes': {'records': [{'input': {'q': 'extra'}}]}}}
    assert emulator.api('POST', path, json=body).status_code == 200
    dataset = [d for d in emulator.api('GET', DATASETS).json()['data'] if d['id'] == DEMO_DATASET][0]
    assert dataset['attributes']['current_version'] == 1
    assert len(emulator.api('GET', path).json()['data']) == 6
    assert len(emulator.api('GET', path, params={'filter[version]': 0}).json()['data']) == 5
    # the same record again is deduplicated by default
    emulator.api('POST', path, json=body)
    assert len(emulator.api('GET', path).json()['data']) == 6


def test_lag_hides_new_datasets_from_lists_for_a_while(start_emulator):
    emulator = start_emulator('--lag', '1.5')
    started = time.monotonic()
    created = emulator.api('POST', CLONE, json=clone_body('lagging')).json()['data']
    assert 'lagging' not in listed_names(emulator)
    assert listed_names(emulator, **{'filter[id]': created['id']}) == []
    assert emulator.datasets_named('lagging')[0]['listed'] is False
    assert wait_for(lambda: 'lagging' in listed_names(emulator), timeout=5)
    assert time.monotonic() - started >= 1.4


def test_lag_can_be_changed_at_run_time(emulator):
    emulator.configure(lag=30)
    emulator.api('POST', CLONE, json=clone_body('later'))
    assert 'later' not in listed_names(emulator)
    assert emulator.control('GET', '/config')['lag'] == 30


def test_name_filter_is_exact_by_default_and_inexact_when_asked(start_emulator):
    exact = start_emulator()
    exact.api('POST', CLONE, json=clone_body('Capitals v2'))
    assert listed_names(exact, **{'filter[name]': 'capitals'}) == ['capitals']
    inexact = start_emulator('--inexact-name-filter')
    inexact.api('POST', CLONE, json=clone_body('Capitals v2'))
    assert sorted(listed_names(inexact, **{'filter[name]': 'capitals'})) == ['Capitals v2', 'capitals']


def test_rate_limit_headers_count_down_and_429_carries_them(start_emulator):
    emulator = start_emulator('--rate-limit', '2/30')
    first = emulator.api('GET', DATASETS)
    assert first.headers.get('X-RateLimit-Remaining') is None  # headers come with the 429, as on Datadog's 429s
    emulator.api('GET', DATASETS)
    limited = emulator.api('GET', DATASETS)
    assert limited.status_code == 429
    assert limited.json() == {'errors': ['Too many requests']}
    assert limited.headers['X-RateLimit-Limit'] == '2'
    assert limited.headers['X-RateLimit-Period'] == '30'
    assert limited.headers['X-RateLimit-Remaining'] == '0'
    assert 1 <= int(limited.headers['X-RateLimit-Reset']) <= 30
    assert limited.headers['X-RateLimit-Name']


def test_keys_missing_or_wrong(start_emulator):
    emulator = start_emulator('--api-key', 'good-api', '--app-key', 'good-app')
    missing = emulator.api('GET', DATASETS, headers={'DD-APPLICATION-KEY': ''})
    assert missing.status_code == 401
    assert missing.json()['errors'][0]['source'] == {'header': 'DD-APPLICATION-KEY'}
    wrong = emulator.api('GET', DATASETS, headers={'DD-API-KEY': 'bad', 'DD-APPLICATION-KEY': 'good-app'})
    assert wrong.status_code == 403
    right = emulator.api('GET', DATASETS, headers={'DD-API-KEY': 'good-api', 'DD-APPLICATION-KEY': 'good-app'})
    assert right.status_code == 200


@pytest.mark.parametrize('body, pointer', [
    ({'data': {'type': 'datasets', 'id': DEMO_DATASET}}, '/data/attributes'),
    ({'data': {'type': 'projects', 'id': DEMO_DATASET, 'attributes': {'name': 'x'}}}, '/data/type'),
    ({'data': {'type': 'datasets', 'id': 'other', 'attributes': {'name': 'x'}}}, '/data/id'),
    ({'data': {'type': 'datasets', 'id': DEMO_DATASET, 'attributes': {'name': ''}}}, '/data/attributes/name'),
    ({'data': {'type': 'datasets', 'id': DEMO_DATASET, 'attributes': {'name': 'x', 'description': 3}}},
     '/data/attributes/description'),
    ([], '/'),
])
def test_bad_bodies_get_400_with_a_pointer(emulator, body, pointer):
    response = emulator.api('POST', CLONE, json=body)
    assert response.status_code == 400
    assert response.json()['errors'][0]['source']['pointer'] == pointer
    assert emulator.state()['datasets'][0]['name'] == 'support-tickets'  # nothing was created


def test_unknown_project_and_dataset_are_404(emulator):
    assert emulator.api('GET', '/nope/datasets').status_code == 404
    response = emulator.api('POST', DATASETS + '/nope/clone', json={'data': {
        'type': 'datasets', 'id': 'nope', 'attributes': {'name': 'x'}}})
    assert response.status_code == 404
    assert 'dataset nope not found' in response.json()['errors'][0]['detail']


@pytest.mark.parametrize('kind, content_type, check', [
    ('html', 'text/html', lambda text: '<h1>' in text),
    ('malformed', 'application/json', lambda text: text.startswith('{"errors"') and not text.endswith('}')),
    ('empty', 'application/json', lambda text: text == ''),
    ('strings', 'application/json', lambda text: json.loads(text) == {'errors': ['Injected fault (HTTP 502)']}),
    ('json', 'application/json', lambda text: json.loads(text)['errors'][0]['status'] == '502'),
])
def test_fault_bodies(emulator, kind, content_type, check):
    emulator.add_fault(operation='ListLLMObsDatasets', status=502, body=kind)
    response = emulator.api('GET', DATASETS)
    assert response.status_code == 502
    assert response.headers['Content-Type'].startswith(content_type)
    assert check(response.text)
    assert emulator.api('GET', DATASETS).status_code == 200  # times defaults to 1


def test_commit_then_fail_makes_the_clone_but_answers_500(emulator):
    emulator.add_fault(operation='CloneLLMObsDataset', status=500, commit=True)
    assert emulator.api('POST', CLONE, json=clone_body('committed')).status_code == 500
    assert len(emulator.datasets_named('committed')) == 1


def test_500_without_commit_changes_nothing(emulator):
    emulator.add_fault(operation='CloneLLMObsDataset', status=500)
    assert emulator.api('POST', CLONE, json=clone_body('not-made')).status_code == 500
    assert emulator.datasets_named('not-made') == []


@pytest.mark.parametrize('commit, made', [(False, 0), (True, 1)])
def test_dropped_connection_before_or_after_acting(emulator, commit, made):
    emulator.add_fault(operation='CloneLLMObsDataset', drop=True, commit=commit)
    with pytest.raises(requests.exceptions.ConnectionError):
        emulator.api('POST', CLONE, json=clone_body('dropped'))
    assert len(emulator.datasets_named('dropped')) == made
    assert emulator.requests_log()[-1]['status'] == 'dropped'


def test_delay_past_the_client_timeout(emulator):
    emulator.add_fault(operation='CloneLLMObsDataset', delay=1.5, commit=True, drop=True)
    with pytest.raises(requests.exceptions.ReadTimeout):
        emulator.api('POST', CLONE, json=clone_body('slow'), timeout=0.5)
    assert wait_for(lambda: len(emulator.datasets_named('slow')) == 1, timeout=5)


def test_malformed_success_body_after_acting(emulator):
    emulator.add_fault(operation='CloneLLMObsDataset', body='malformed')
    response = emulator.api('POST', CLONE, json=clone_body('garbled'))
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()
    assert len(emulator.datasets_named('garbled')) == 1


def test_fault_skip_and_times(emulator):
    emulator.add_fault(operation='ListLLMObsDatasets', status=503, skip=1, times=2)
    assert [emulator.api('GET', DATASETS).status_code for dummy in range(4)] == [200, 503, 503, 200]


def test_429_fault_with_and_without_reset(emulator):
    emulator.add_fault(operation='ListLLMObsDatasets', status=429, body='strings', reset=3)
    emulator.add_fault(operation='ListLLMObsDatasets', status=429, body='strings', reset=None)
    with_reset, without_reset = emulator.api('GET', DATASETS), emulator.api('GET', DATASETS)
    assert with_reset.headers['X-RateLimit-Reset'] == '3'
    assert 'X-RateLimit-Reset' not in without_reset.headers


def test_faults_from_the_command_line_and_cleared_at_run_time(start_emulator):
    emulator = start_emulator('--fault', '{"operation": "ListLLMObsDatasets", "status": 503, "times": null}')
    assert emulator.api('GET', DATASETS).status_code == 503
    assert emulator.api('GET', DATASETS).status_code == 503
    assert emulator.control('GET', '/faults')['faults'][0]['times'] is None
    emulator.control('DELETE', '/faults')
    assert emulator.api('GET', DATASETS).status_code == 200


def test_bad_fault_descriptions_are_refused(emulator):
    response = requests.post(emulator.url + '/_emulator/faults', json={'operation': 'X', 'stauts': 500}, timeout=5)
    assert response.status_code == 400 and 'stauts' in response.json()['error']


def test_request_log_has_what_tests_need_and_never_the_keys(emulator):
    emulator.api('GET', DATASETS, params={'filter[name]': 'capitals', 'page[limit]': 5})
    emulator.api('POST', CLONE, json=clone_body('logged'))
    emulator.control('GET', '/state')  # control calls are not logged
    log = emulator.requests_log()
    assert [(e['method'], e['path'], e['operation'], e['status']) for e in log] == [
        ('GET', DATASETS_PATH, 'ListLLMObsDatasets', 200), ('POST', CLONE_PATH, 'CloneLLMObsDataset', 200)]
    assert log[0]['query'] == {'filter[name]': 'capitals', 'page[limit]': '5'}
    assert log[1]['body'] == clone_body('logged')
    assert log[1]['headers']['DD-API-KEY'] == '<redacted>'
    raw = json.dumps(log)
    assert HEADERS['DD-API-KEY'] not in raw and HEADERS['DD-APPLICATION-KEY'] not in raw
    emulator.control('DELETE', '/requests')
    assert emulator.requests_log() == []


DATASETS_PATH = '/api/v2/llm-obs/v1' + DATASETS
CLONE_PATH = '/api/v2/llm-obs/v1' + CLONE


def test_reset_restores_the_seed(emulator):
    emulator.api('POST', CLONE, json=clone_body('temporary'))
    emulator.add_fault(operation='*', status=500, times=None)
    emulator.control('POST', '/reset')
    assert emulator.datasets_named('temporary') == []
    assert emulator.api('GET', DATASETS).status_code == 200


def test_seed_file_replaces_the_demo_seed(start_emulator, tmp_path):
    seed = tmp_path / 'seed.json'
    seed.write_text(json.dumps({'projects': [{'id': 'p1', 'name': 'mine', 'datasets': [
        {'id': 'd1', 'name': 'only', 'records': [{'input': {'a': 1}}]}]}]}))
    emulator = start_emulator('--seed', str(seed))
    state = emulator.state()
    assert [p['id'] for p in state['projects']] == ['p1']
    assert [(d['id'], len(d['records'])) for d in state['datasets']] == [('d1', 1)]


def test_listens_on_loopback_only_and_stops_on_sigterm(emulator):
    assert emulator.url.startswith('http://127.0.0.1:')
    emulator.process.send_signal(signal.SIGTERM)
    assert emulator.process.wait(timeout=10) == 0


def test_page_churn_makes_served_items_come_back_on_the_next_page(emulator):
    emulator.configure(page_churn=1)
    first = emulator.api('GET', DATASETS, params={'page[limit]': 1}).json()
    second = emulator.api('GET', DATASETS, params={'page[limit]': 1, 'page[cursor]': first['meta']['after']}).json()
    # one dataset was added in front after the first page, so the offset cursor serves the same item again
    assert second['data'][0]['id'] == first['data'][0]['id']
    assert sum(1 for d in emulator.state()['datasets'] if d['name'].startswith('churn-')) == 2  # one per page with a next
    assert emulator.control('GET', '/config')['page_churn'] == 1


def listed_projects(emulator, **params):
    return [p['attributes']['name'] for p in emulator.api('GET', '/projects', params=params).json()['data']]


def create_project(emulator, name, description=None):
    attributes = {'name': name}
    if description is not None:
        attributes['description'] = description
    return emulator.api('POST', '/projects', json={'data': {'type': 'projects', 'attributes': attributes}})


def delete_body(kind, ids):
    return {'data': {'type': kind, 'attributes': {('project_ids' if kind == 'projects' else 'dataset_ids'): ids}}}


def test_lag_keeps_deleted_datasets_listed_for_a_while_but_writes_see_the_delete(start_emulator):
    emulator = start_emulator('--lag', '1')
    assert emulator.api('POST', DATASETS + '/delete', json=delete_body('datasets', [DEMO_DATASET])).status_code == 204
    assert 'capitals' in listed_names(emulator)
    assert listed_names(emulator, **{'filter[id]': DEMO_DATASET}) == ['capitals']
    assert emulator.api('POST', CLONE, json=clone_body('from-deleted')).status_code == 404
    assert emulator.api('PATCH', DATASETS + '/' + DEMO_DATASET, json={
        'data': {'type': 'datasets', 'attributes': {'description': 'x'}}}).status_code == 404
    assert emulator.datasets_named('capitals') == []
    assert wait_for(lambda: 'capitals' not in listed_names(emulator), timeout=5)


def test_lag_applies_to_project_creates_and_deletes(start_emulator):
    emulator = start_emulator('--lag', '1')
    created = create_project(emulator, 'lagging-project')
    assert created.status_code == 201
    project_id = created.json()['data']['id']
    assert listed_projects(emulator) == ['demo-project']
    assert listed_projects(emulator, **{'filter[id]': project_id}) == []
    # the project exists for writes at once, and a second create returns it
    again = create_project(emulator, 'lagging-project')
    assert (again.status_code, again.json()['data']['id']) == (200, project_id)
    assert emulator.api('GET', '/%s/datasets' % project_id).status_code == 200
    assert [p['listed'] for p in emulator.state()['projects'] if p['id'] == project_id] == [False]
    assert wait_for(lambda: 'lagging-project' in listed_projects(emulator), timeout=5)
    assert emulator.api('POST', '/projects/delete', json=delete_body('projects', [project_id])).status_code == 204
    assert 'lagging-project' in listed_projects(emulator)
    assert emulator.api('GET', '/%s/datasets' % project_id).status_code == 404
    assert wait_for(lambda: 'lagging-project' not in listed_projects(emulator), timeout=5)


def test_projects_update_and_delete(emulator):
    updated = emulator.api('PATCH', '/projects/' + DEMO_PROJECT, json={'data': {'type': 'projects', 'attributes': {
        'description': 'new words'}}})
    assert updated.status_code == 200
    attributes = updated.json()['data']['attributes']
    assert (attributes['name'], attributes['description']) == ('demo-project', 'new words')
    renamed = emulator.api('PATCH', '/projects/' + DEMO_PROJECT, json={'data': {'type': 'projects', 'attributes': {
        'name': 'renamed'}}})
    assert renamed.json()['data']['attributes']['name'] == 'renamed'
    assert listed_projects(emulator, **{'filter[name]': 'renamed'}) == ['renamed']
    for body, pointer in (({'data': {'type': 'projects'}}, '/data/attributes'),
                          ({'data': {'type': 'datasets', 'attributes': {}}}, '/data/type'),
                          ({'data': {'type': 'projects', 'attributes': {'name': ' '}}}, '/data/attributes/name'),
                          ({'data': {'type': 'projects', 'attributes': {'description': 7}}}, '/data/attributes/description')):
        refused = emulator.api('PATCH', '/projects/' + DEMO_PROJECT, json=body)
        assert refused.status_code == 400 and refused.json()['errors'][0]['source']['pointer'] == pointer
    assert emulator.api('PATCH', '/projects/nope', json={'data': {'type': 'projects', 'attributes': {}}}).status_code == 404
    bad = emulator.api('POST', '/projects/delete', json={'data': {'type': 'projects', 'attributes': {'project_ids': 'x'}}})
    assert bad.status_code == 400 and bad.json()['errors'][0]['source']['pointer'] == '/data/attributes/project_ids'
    assert emulator.api('POST', '/projects/delete', json=delete_body('projects', [DEMO_PROJECT, 'unknown'])).status_code == 204
    assert listed_projects(emulator) == []
    assert emulator.api('GET', DATASETS).status_code == 404
    assert emulator.state()['datasets'] == []


def test_inexact_name_filter_applies_to_projects_too(start_emulator):
    emulator = start_emulator('--inexact-name-filter')
    create_project(emulator, 'Demo-Project 2')
    assert sorted(listed_projects(emulator, **{'filter[name]': 'demo-project'})) == ['Demo-Project 2', 'demo-project']
    emulator.configure(inexact_name_filter=False)
    assert listed_projects(emulator, **{'filter[name]': 'demo-project'}) == ['demo-project']


def test_dataset_answers_carry_the_live_fields_and_lists_end_with_an_empty_cursor(emulator):
    body = emulator.api('GET', DATASETS).json()
    assert body['meta'] == {'after': ''}
    attributes = body['data'][0]['attributes']
    assert attributes['dataset_type'] == 'user' and attributes['project_id'] == DEMO_PROJECT
    assert set(attributes['author']) == {'id'}
    first = emulator.api('GET', DATASETS, params={'page[limit]': 1}).json()
    assert first['meta']['after']  # a real cursor while there is more
    assert emulator.api('GET', '/projects').json()['meta'] == {'after': None}


def test_dataset_create_answers_201_or_200(start_emulator):
    body = {'data': {'type': 'datasets', 'attributes': {'name': 'made'}}}
    emulator = start_emulator('--dataset-create-status', '200')
    assert emulator.api('POST', DATASETS, json=body).status_code == 200
    emulator.configure(dataset_create_status=201)
    assert emulator.api('POST', DATASETS, json=body).status_code == 201
    emulator.control('POST', '/reset')
    assert emulator.control('GET', '/config')['dataset_create_status'] == 200


@pytest.mark.parametrize('changes, words', [
    ({'lag': -1}, 'lag must be at least 0'),
    ({'lag': 'soon'}, 'lag must be a number'),
    ({'latency_ms': True}, 'latency_ms must be a number'),
    ({'page_churn': 1.5}, 'page_churn must be a whole number'),
    ({'rate_limit': {'limit': 0, 'period': 60}}, 'rate_limit.limit must be at least 1'),
    ({'rate_limit': 5}, 'rate_limit is {"limit": N, "period": SECONDS} or null'),
    ({'dataset_create_status': 202}, 'dataset_create_status must be 200 or 201'),
    ({'records_shape': 'deep'}, 'records_shape must be nested or flat'),
    ({'max_batch_records': 0}, 'max_batch_records must be at least 1'),
    ({'inexact_name_filter': 'yes'}, 'inexact_name_filter must be true or false'),
    ({'lagg': 1}, 'unknown setting(s) lagg'),
    ([], 'the configuration is a JSON object'),
])
def test_bad_configuration_is_refused_whole(emulator, changes, words):
    before = emulator.control('GET', '/config')
    payload = dict(changes, lag=1) if isinstance(changes, dict) and 'lag' not in changes else changes
    response = requests.patch(emulator.url + '/_emulator/config', json=payload, timeout=5)
    assert response.status_code == 400 and words in response.json()['error']
    assert emulator.control('GET', '/config') == before


def test_bad_seed_documents_are_refused_at_run_time(emulator):
    response = requests.post(emulator.url + '/_emulator/seed', json={'projects': [{'name': 'p', 'datasets': [
        {'name': 'd', 'records': [{'input': 1, 'id': 'bad id'}]}]}]}, timeout=5)
    assert response.status_code == 400
    assert response.json()['error'].startswith('the seed: projects[0].datasets[0].records[0].id:')
    assert len(emulator.state()['projects']) == 1
    emulator.control('POST', '/seed', json={'projects': [{'id': 'p9', 'name': 'added', 'datasets': [{'name': 'd9'}]}]})
    assert sorted(p['name'] for p in emulator.state()['projects']) == ['added', 'demo-project']


def test_bulk_records_control_route(emulator):
    answer = emulator.control('POST', '/records/bulk', json={'project_id': DEMO_PROJECT, 'dataset_id': DEMO_DATASET,
                                                             'count': 20, 'size_bytes': 300, 'id_prefix': 'b-',
                                                             'create_new_version': True})
    assert (answer['added'], answer['records'], answer['current_version']) == (20, 25, 1)
    records = emulator.api('GET', DATASETS + '/%s/records' % DEMO_DATASET, params={'page[limit]': 3}).json()['data']
    assert [r['id'] for r in records] == ['b-24', 'b-23', 'b-22']
    assert records[0]['attributes']['tags'] == ['source:bulk']
    for body in ({'project_id': DEMO_PROJECT, 'dataset_id': DEMO_DATASET, 'count': -1},
                 {'project_id': DEMO_PROJECT, 'dataset_id': DEMO_DATASET, 'count': 1, 'id_prefix': 'a b'},
                 {'project_id': DEMO_PROJECT, 'count': 1}):
        assert requests.post(emulator.url + '/_emulator/records/bulk', json=body, timeout=5).status_code == 400
    missing = requests.post(emulator.url + '/_emulator/records/bulk', json={
        'project_id': DEMO_PROJECT, 'dataset_id': 'nope', 'count': 1}, timeout=5)
    assert missing.status_code == 404


def test_large_request_bodies_are_not_kept_in_the_log(emulator):
    emulator.api('POST', DATASETS + '/%s/batch_update' % DEMO_DATASET, json={'data': {
        'type': 'datasets', 'id': DEMO_DATASET, 'attributes': {'insert_records': [{'input': 'x' * (2 * 1024 * 1024)}]}}})
    emulator.configure(log_bodies=False)
    emulator.api('POST', CLONE, json=clone_body('unlogged'))
    bodies = [entry['body'] for entry in emulator.requests_log()]
    assert bodies[0].startswith('<') and bodies[0].endswith(' bytes, not kept>')
    assert bodies[1].startswith('<') and 'not kept' in bodies[1]
