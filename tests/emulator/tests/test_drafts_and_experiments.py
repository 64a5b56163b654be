# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The draft lock of a dataset (the API key's user against another one), the experiments list,
the seeds and control routes that make both, and faults on the new routes."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import socket
import time

import pytest
import requests

from ansible_collections.llmobs.datadog.tests.emulator.seeds import SeedError, check_seed
from ansible_collections.llmobs.datadog.tests.support.demo import DEMO_DATASET, DEMO_PROJECT, DEMO_SEED, SECOND_DATASET
from ansible_collections.llmobs.datadog.tests.support.emulator import API_PREFIX, HEADERS, load_seed_file

DATASET = '/%s/datasets/%s' % (DEMO_PROJECT, DEMO_DATASET)
DRAFT = DATASET + '/draft_state'
API_USER = {'id': 'emulator-api-user', 'email': 'api-user@example.com', 'handle': 'api-user@example.com', 'icon': '',
            'name': 'API key user'}
JANE = {'id': '00000000-0000-0000-0000-000000000010', 'email': 'jane.doe@example.com',
        'handle': 'jane.doe@example.com', 'name': 'Jane Doe'}


@pytest.fixture
def emulator(in_process):
    # The demo seed without its experiments: the lists below hold only what each test adds.
    seed = load_seed_file(DEMO_SEED)
    for project in seed['projects']:
        project.pop('experiments', None)
    return in_process(seeds=[seed])


def draft(emulator):
    answer = emulator.api('GET', DRAFT)
    assert answer.status_code == 200, answer.text
    body = answer.json()['data']
    assert (body['id'], body['type']) == (DEMO_DATASET, 'draft_state_data')
    return body['attributes']


def hold(emulator, user, **more):
    return emulator.control('POST', '/datasets/%s/draft_state' % DEMO_DATASET, json=dict(user=user, **more))


# ---------------------------------------------------------------------- the draft lock


def test_nobody_holds_the_lock_at_first(emulator):
    assert draft(emulator) == {'drafting_since': None, 'user': None}


def test_the_caller_takes_keeps_and_releases_the_lock(emulator):
    taken = emulator.api('PATCH', DRAFT + '/lock')
    assert taken.status_code == 200
    attributes = taken.json()['data']['attributes']
    assert attributes['user'] == API_USER and attributes['drafting_since'].endswith('+00:00')
    assert draft(emulator) == attributes
    time.sleep(0.01)
    again = emulator.api('PATCH', DRAFT + '/lock', json={'ignored': True})   # a body is ignored
    assert again.status_code == 200 and again.json()['data']['attributes'] == attributes   # same holder, same since
    state = [d for d in emulator.state()['datasets'] if d['id'] == DEMO_DATASET][0]
    assert state['draft_state'] == attributes
    released = emulator.api('PATCH', DRAFT + '/unlock')
    assert released.status_code == 200 and released.content == b'' and released.headers['Content-Length'] == '0'
    assert draft(emulator) == {'drafting_since': None, 'user': None}
    nothing_held = emulator.api('PATCH', DRAFT + '/unlock')
    assert nothing_held.status_code == 200 and nothing_held.content == b''


def test_another_users_lock_refuses_lock_and_unlock_but_not_record_writes(emulator):
    view = hold(emulator, JANE, drafting_since='2024-01-15T10:30:00Z')
    assert view['draft_state'] == {'user': JANE, 'drafting_since': '2024-01-15T10:30:00.000+00:00'}
    assert draft(emulator) == {'user': JANE, 'drafting_since': '2024-01-15T10:30:00.000+00:00'}
    for action in ('lock', 'unlock'):
        refused = emulator.api('PATCH', DRAFT + '/' + action)
        assert refused.status_code == 400
        detail = refused.json()['errors'][0]['detail']
        assert 'Jane Doe' in detail and 'jane.doe@example.com' in detail and '2024-01-15T10:30:00' in detail
    assert draft(emulator)['user'] == JANE
    # The lock is advisory, as in Datadog's UI: record writes still go through.
    write = emulator.api('POST', DATASET + '/batch_update', json={'data': {'type': 'datasets', 'id': DEMO_DATASET,
                                                                           'attributes': {'insert_records': [{'input': 'x'}]}}})
    assert write.status_code == 200
    hold(emulator, None)
    assert draft(emulator) == {'drafting_since': None, 'user': None}
    assert emulator.api('PATCH', DRAFT + '/lock').json()['data']['attributes']['user'] == API_USER


def test_a_lock_held_since_now_by_a_user_with_only_an_id(emulator):
    hold(emulator, {'id': 'someone'})
    attributes = draft(emulator)
    assert attributes['user'] == {'id': 'someone'} and attributes['drafting_since'].endswith('+00:00')
    assert 'someone' in emulator.api('PATCH', DRAFT + '/lock').json()['errors'][0]['detail']
    # The control route can also give the lock to the API key's user: then the caller holds it.
    hold(emulator, {'id': 'emulator-api-user'})
    assert emulator.api('PATCH', DRAFT + '/unlock').status_code == 200


@pytest.mark.parametrize('body, words', [
    ({}, 'user is missing'), ({'user': {'email': 'x@example.com'}}, 'user.id is missing'),
    ({'user': {'id': ''}}, 'user.id must be a non-empty string'), ({'user': {'id': 'x', 'name': 5}}, 'user.name'),
    ({'user': {'id': 'x', 'role': 'admin'}}, 'unknown key'), ({'user': 'jane'}, 'JSON object'),
    ({'user': {'id': 'x'}, 'drafting_since': 'now'}, 'ISO 8601'), ({'user': None, 'owner': 'x'}, 'unknown key')])
def test_bad_lock_control_requests_are_refused(emulator, body, words):
    answer = requests.post(emulator.url + '/_emulator/datasets/%s/draft_state' % DEMO_DATASET, json=body, timeout=5)
    assert answer.status_code == 400 and words in answer.json()['error']
    assert draft(emulator)['user'] is None


def test_locks_of_unknown_datasets_are_404(emulator):
    for method, path in (('GET', ''), ('PATCH', '/lock'), ('PATCH', '/unlock')):
        assert emulator.api(method, '/%s/datasets/no-such-dataset/draft_state%s' % (DEMO_PROJECT, path)).status_code == 404
        assert emulator.api(method, '/no-such-project/datasets/%s/draft_state%s' % (DEMO_DATASET, path)).status_code == 404
    assert requests.post(emulator.url + '/_emulator/datasets/no-such-dataset/draft_state', json={'user': None},
                         timeout=5).status_code == 404


def test_each_dataset_has_its_own_lock(emulator):
    hold(emulator, JANE)
    other = '/%s/datasets/%s/draft_state/lock' % (DEMO_PROJECT, SECOND_DATASET)
    assert emulator.api('PATCH', other).status_code == 200
    assert draft(emulator)['user'] == JANE


# ---------------------------------------------------------------------- experiments


def add_experiments(emulator, *experiments):
    return emulator.control('POST', '/experiments', json={'experiments': list(experiments)})['experiments']


def experiment(name, dataset_id=DEMO_DATASET, **more):
    return dict({'project_id': DEMO_PROJECT, 'dataset_id': dataset_id, 'name': name}, **more)


def experiments(emulator, expect=200, **params):
    answer = emulator.api('GET', '/experiments', params=params)
    assert answer.status_code == expect, answer.text
    return answer.json()


def names(body):
    return [item['attributes']['name'] for item in body['data']]


def test_experiments_are_stored_with_ids_and_listed_newest_first(emulator):
    made = add_experiments(
        emulator, experiment('january', created_at='2024-01-01T00:00:00Z', status='failed', metadata={'branch': 'main'}),
        experiment('march', created_at='2024-03-01T00:00:00Z', id='exp-march', experiment='pipeline'),
        experiment('february', created_at='2024-02-01T00:00:00Z', dataset_id=SECOND_DATASET))
    assert [e['id'] for e in made][1] == 'exp-march' and all(e['id'] for e in made)
    assert made[0] == dict(made[0], name='january', status='failed', dataset_version=0, project_id=DEMO_PROJECT,
                           created_at='2024-01-01T00:00:00.000+00:00', metadata={'branch': 'main'}, experiment='january')
    body = experiments(emulator, **{'filter[project_id]': DEMO_PROJECT})
    assert names(body) == ['march', 'february', 'january'] and body['meta'] == {'after': None}
    item = body['data'][0]
    assert item['id'] == 'exp-march' and item['type'] == 'experiments'
    attributes = item['attributes']
    assert attributes == dict(attributes, project_id=DEMO_PROJECT, dataset_id=DEMO_DATASET, dataset_version=0,
                              name='march', experiment='pipeline', status='completed', description='',
                              created_at='2024-03-01T00:00:00.000+00:00', updated_at='2024-03-01T00:00:00.000+00:00')
    assert 'dataset_name' not in attributes and 'author' not in attributes
    assert [e['name'] for e in emulator.state()['experiments']] == ['march', 'february', 'january']


def test_experiment_filters(emulator):
    made = add_experiments(
        emulator, experiment('a', metadata={'commit': 'abc', 'branch': 'main'}),
        experiment('b', dataset_id=SECOND_DATASET, experiment='nightly'),
        experiment('c', metadata={'commit': 'def'}, experiment='nightly'))
    ids = [e['id'] for e in made]
    project = {'filter[project_id]': DEMO_PROJECT}
    assert names(experiments(emulator, **{'filter[dataset_id]': DEMO_DATASET})) == ['c', 'a']
    assert names(experiments(emulator, **{'filter[dataset_id]': SECOND_DATASET, 'filter[project_id]': DEMO_PROJECT})) == ['b']
    assert names(experiments(emulator, **{'filter[project_id]': 'another-project'})) == []
    assert names(experiments(emulator, **dict(project, **{'filter[name]': 'b'}))) == ['b']
    assert names(experiments(emulator, **dict(project, **{'filter[name]': 'B'}))) == []      # exact
    assert names(experiments(emulator, **dict(project, **{'filter[experiment]': 'nightly'}))) == ['c', 'b']
    assert names(experiments(emulator, **dict(project, **{'filter[metadata]': '{"commit": "abc"}'}))) == ['a']
    assert names(experiments(emulator, **dict(project, **{'filter[metadata]': '{"branch": "main", "commit": "def"}'}))) == []
    assert names(experiments(emulator, **dict(project, **{'filter[is_deleted]': 'true'}))) == []
    assert names(experiments(emulator, **dict(project, **{'filter[is_deleted]': 'false'}))) == ['c', 'b', 'a']
    # filter[id] repeated (or comma separated)
    answer = emulator.api('GET', '/experiments?filter[project_id]=%s&filter[id]=%s&filter[id]=%s' % (DEMO_PROJECT, ids[0], ids[2]))
    assert names(answer.json()) == ['c', 'a']
    assert names(experiments(emulator, **dict(project, **{'filter[id]': '%s,%s' % (ids[1], ids[2])}))) == ['c', 'b']
    included = experiments(emulator, **dict(project, **{'include[dataset_names]': 'true', 'include[user_data]': 'true'}))
    assert [item['attributes']['dataset_name'] for item in included['data']] == ['capitals', 'support-tickets', 'capitals']
    assert included['data'][0]['attributes']['author'] == API_USER


@pytest.mark.parametrize('params, parameter', [
    ({}, 'filter[project_id]'), ({'filter[name]': 'a'}, 'filter[project_id]'),
    ({'filter[project_id]': DEMO_PROJECT, 'filter[metadata]': '[1]'}, 'filter[metadata]'),
    ({'filter[project_id]': DEMO_PROJECT, 'filter[metadata]': 'commit=abc'}, 'filter[metadata]'),
    ({'filter[project_id]': DEMO_PROJECT, 'filter[is_deleted]': 'yes'}, 'filter[is_deleted]'),
    ({'filter[project_id]': DEMO_PROJECT, 'include[user_data]': '1'}, 'include[user_data]'),
    ({'filter[project_id]': DEMO_PROJECT, 'page[limit]': 'all'}, 'page[limit]'),
    ({'filter[project_id]': DEMO_PROJECT, 'page[cursor]': 'not-a-cursor'}, 'page[cursor]')])
def test_bad_experiment_list_parameters_are_named(emulator, params, parameter):
    answer = experiments(emulator, expect=400, **params)
    assert answer['errors'][0]['source'] == {'parameter': parameter}


def test_experiment_pages_walk_every_experiment_once_newest_first(emulator):
    add_experiments(emulator, *[experiment('run-%02d' % n, created_at='2024-01-01T00:00:%02dZ' % (n % 7))
                                for n in range(23)])
    seen, cursor, pages = [], None, 0
    while True:
        params = {'filter[dataset_id]': DEMO_DATASET, 'page[limit]': 5}
        if cursor:
            params['page[cursor]'] = cursor
        body = experiments(emulator, **params)
        pages += 1
        assert len(body['data']) <= 5
        seen.extend(item['attributes'] for item in body['data'])
        cursor = body['meta']['after']
        if cursor is None:
            break
        # An experiment added meanwhile, older than the page, does not shift the pages.
        if pages == 2:
            add_experiments(emulator, experiment('late but old', created_at='2023-01-01T00:00:00Z'))
    assert pages == 5 and len(seen) == 24 and len(set(a['name'] for a in seen)) == 24
    assert [a['created_at'] for a in seen] == sorted((a['created_at'] for a in seen), reverse=True)
    # page[limit] defaults to 5000 and is clamped at 5000
    assert len(experiments(emulator, **{'filter[dataset_id]': DEMO_DATASET})['data']) == 24
    assert len(experiments(emulator, **{'filter[dataset_id]': DEMO_DATASET, 'page[limit]': 100000})['data']) == 24


@pytest.mark.parametrize('item, words', [
    (experiment('x', project_id='no-such-project'), 'experiments[0].project_id: no project no-such-project'),
    (experiment('x', dataset_id='no-such-dataset'), 'experiments[0].dataset_id: no dataset no-such-dataset'),
    ({'project_id': DEMO_PROJECT, 'name': 'x'}, 'experiments[0].dataset_id: missing'),
    (experiment(''), 'experiments[0].name: must be a non-empty string'),
    (experiment('x', dataset_version=1), 'has versions 0 to 0, not 1'),
    (experiment('x', dataset_version=-1), 'dataset_version: must be a whole number'),
    (experiment('x', status='done'), 'status: must be one of running, completed, failed, interrupted'),
    (experiment('x', created_at='last week'), 'created_at must be an ISO 8601'),
    (experiment('x', metadata=['a']), 'metadata: must be a JSON object or null'),
    (experiment('x', colour='blue'), 'unknown key(s) colour'),
    (experiment('x', id='taken'), 'experiment taken already exists'),
])
def test_bad_experiments_are_refused_whole(emulator, item, words):
    add_experiments(emulator, experiment('first', id='taken'))
    answer = requests.post(emulator.url + '/_emulator/experiments', json={'experiments': [experiment('fine'), item]},
                           timeout=5)
    assert answer.status_code == 400
    assert words.replace('[0]', '[1]') in answer.json()['error']
    assert [e['name'] for e in emulator.state()['experiments']] == ['first']


def test_deleting_a_project_deletes_its_experiments(emulator):
    add_experiments(emulator, experiment('goes'))
    emulator.api('POST', '/projects/delete', json={'data': {'type': 'projects', 'attributes': {'project_ids': [DEMO_PROJECT]}}})
    assert emulator.state()['experiments'] == []
    assert experiments(emulator, **{'filter[project_id]': DEMO_PROJECT})['data'] == []


# ---------------------------------------------------------------------- seeds


SEED = {'projects': [{'id': 'p-1', 'name': 'seeded', 'datasets': [
    {'id': 'd-1', 'name': 'old', 'created_at': '2023-05-01T12:00:00Z', 'records': [{'input': 'x'}]},
    {'name': 'new'}],
    'experiments': [
        {'name': 'by name', 'dataset': 'old', 'created_at': '2023-06-01T00:00:00Z', 'status': 'running'},
        {'id': 'e-2', 'name': 'by id', 'dataset': 'd-1', 'dataset_version': 0},
        {'name': 'on new', 'dataset': 'new'}]}]}


def test_seeds_carry_created_at_and_experiments(in_process):
    emulator = in_process(seeds=[SEED])
    datasets = dict((d['name'], d) for d in emulator.state()['datasets'])
    assert datasets['old']['created_at'] == datasets['old']['updated_at'] == '2023-05-01T12:00:00.000+00:00'
    assert datasets['old']['record_count'] == 1
    listed = emulator.api('GET', '/p-1/datasets', params={'filter[name]': 'old'}).json()['data'][0]['attributes']
    assert listed['created_at'] == '2023-05-01T12:00:00.000+00:00'
    seeded = emulator.state()['experiments']
    assert sorted(e['name'] for e in seeded) == ['by id', 'by name', 'on new']
    by_name = dict((e['name'], e) for e in seeded)
    assert by_name['by name']['dataset_id'] == by_name['by id']['dataset_id'] == 'd-1'
    assert by_name['by id']['id'] == 'e-2' and by_name['by name']['status'] == 'running'
    assert by_name['on new']['dataset_id'] == datasets['new']['id'] and by_name['on new']['dataset_version'] == 0
    versions = emulator.api('GET', '/p-1/datasets/d-1/versions').json()['data']
    assert versions[0]['attributes']['last_used'] is not None        # 'by id' ran just now on version 0
    # reset reloads them, the same
    emulator.control('POST', '/reset')
    assert sorted(e['name'] for e in emulator.state()['experiments']) == ['by id', 'by name', 'on new']


@pytest.mark.parametrize('change, words', [
    (lambda s: s['projects'][0]['datasets'][0].update(created_at='May 1st'), 'projects[0].datasets[0].created_at'),
    (lambda s: s['projects'][0]['experiments'][0].update(dataset='missing'),
     'projects[0].experiments[0].dataset: missing is not the name or id of a dataset of this project'),
    (lambda s: s['projects'][0]['experiments'][1].update(dataset_version=1),
     'projects[0].experiments[1].dataset_version: a seeded dataset has only version 0'),
    (lambda s: s['projects'][0]['experiments'][2].pop('dataset'), 'projects[0].experiments[2].dataset: missing'),
    (lambda s: s['projects'][0]['experiments'][2].update(id='e-2'), 'projects[0].experiments[2].id: e-2 is used twice'),
    (lambda s: s['projects'][0].update(experiments={}), 'projects[0].experiments: must be a JSON list'),
])
def test_bad_seed_experiments_say_where(change, words):
    seed = copy.deepcopy(SEED)
    change(seed)
    with pytest.raises(SeedError) as caught:
        check_seed(seed)
    assert words in str(caught.value)


# ---------------------------------------------------------------------- faults on the new routes


def raw_get(emulator, path):
    host, port = emulator.url.split('//')[1].split(':')
    connection = socket.create_connection((host, int(port)), timeout=10)
    headers = ''.join('%s: %s\r\n' % item for item in HEADERS.items())
    connection.sendall(('GET %s%s HTTP/1.1\r\nHost: %s\r\n%s\r\n' % (API_PREFIX, path, host, headers)).encode())
    received = b''
    with connection:
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                return received
            received += chunk


def test_cut_after_sends_part_of_a_json_answer_then_closes(emulator):
    emulator.add_fault(operation='ListLLMObsDatasets', cut_after=25)
    answer = raw_get(emulator, '/%s/datasets' % DEMO_PROJECT)
    head, dummy, body = answer.partition(b'\r\n\r\n')
    assert b'HTTP/1.1 200' in head and len(body) == 25
    size = int([line for line in head.split(b'\r\n') if line.lower().startswith(b'content-length')][0].split(b':')[1])
    assert size > 25
    entry = emulator.requests_log()[-1]
    assert entry['cut'] == {'sent': 25, 'of': size} and entry['fault']['cut_after'] == 25
    # A client that trusts the answer fails loudly; the next request is served whole.
    emulator.add_fault(operation='ListLLMObsDatasets', cut_after=25)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        emulator.api('GET', '/%s/datasets' % DEMO_PROJECT)
    assert emulator.api('GET', '/%s/datasets' % DEMO_PROJECT).status_code == 200


def test_cut_after_in_the_middle_of_an_export(emulator):
    emulator.control('POST', '/records/bulk', json={'project_id': DEMO_PROJECT, 'dataset_id': DEMO_DATASET,
                                                    'count': 3000, 'size_bytes': 300})
    whole = emulator.api('GET', DATASET + '/export').content
    emulator.add_fault(operation='ExportLLMObsDataset', cut_after=100000)
    answer = raw_get(emulator, DATASET + '/export')
    head, dummy, body = answer.partition(b'\r\n\r\n')
    assert b'Transfer-Encoding: chunked' in head and not body.endswith(b'0\r\n\r\n')
    assert emulator.requests_log()[-1]['cut'] == {'sent': 100000, 'of': None}
    # The chunks carried exactly the first 100,000 bytes of the export.
    data, rest = b'', body
    while rest:
        size_line, dummy, rest = rest.partition(b'\r\n')
        size = int(size_line, 16)
        data += rest[:size]
        rest = rest[size + 2:]
    assert data == whole[:100000]
    emulator.add_fault(operation='ExportLLMObsDataset', cut_after=100000)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        emulator.api('GET', DATASET + '/export')
    # A cut past the end sends the whole answer.
    emulator.add_fault(operation='ExportLLMObsDataset', cut_after=len(whole))
    assert emulator.api('GET', DATASET + '/export').content == whole


def test_drip_sends_a_whole_export_with_its_length(emulator):
    emulator.add_fault(operation='ExportLLMObsDataset', drip=[400, 0.01])
    answer = raw_get(emulator, DATASET + '/export')
    head, dummy, body = answer.partition(b'\r\n\r\n')
    assert b'Content-Type: text/csv; charset=utf-8' in head and b'Content-Length: %d' % len(body) in head
    assert body.startswith(b'id,input,expected_output,metadata,tags\r\n') and body.count(b'\r\n') == 6
    assert emulator.requests_log()[-1]['dripped'] == {'sent': len(answer), 'of': len(answer)}


def test_commit_then_fail_and_drop_on_the_new_writes(emulator):
    restore = {'data': {'type': 'datasets', 'id': DEMO_DATASET, 'attributes': {'dataset_version': 0}}}
    emulator.add_fault(operation='RestoreLLMObsDatasetVersion', status=500, commit=True)
    assert emulator.api('POST', DATASET + '/restore', json=restore).status_code == 500
    assert [d for d in emulator.state()['datasets'] if d['id'] == DEMO_DATASET][0]['current_version'] == 1
    emulator.add_fault(operation='RestoreLLMObsDatasetVersion', status=500)
    assert emulator.api('POST', DATASET + '/restore', json=restore).status_code == 500
    assert [d for d in emulator.state()['datasets'] if d['id'] == DEMO_DATASET][0]['current_version'] == 1
    emulator.add_fault(operation='LockLLMObsDatasetDraftState', drop=True, commit=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        emulator.api('PATCH', DRAFT + '/lock')
    assert draft(emulator)['user'] == API_USER
    emulator.add_fault(operation='UnlockLLMObsDatasetDraftState', status=429, reset=2)
    limited = emulator.api('PATCH', DRAFT + '/unlock')
    assert limited.status_code == 429 and limited.headers['X-RateLimit-Reset'] == '2'
    assert draft(emulator)['user'] == API_USER
    emulator.add_fault(operation='ListLLMObsExperiments', status=502, body='html')
    assert emulator.api('GET', '/experiments', params={'filter[project_id]': DEMO_PROJECT}).status_code == 502
    emulator.add_fault(operation='GetLLMObsDatasetDraftState', delay=0.3)
    started = time.monotonic()
    assert draft(emulator)['user'] == API_USER and time.monotonic() - started >= 0.3


@pytest.mark.parametrize('fault, words', [
    ({'cut_after': -1}, 'cut_after'), ({'cut_after': 'half'}, 'cut_after'), ({'cut_after': True}, 'cut_after'),
    ({'cut_after': 10, 'drop': True}, 'does not go with'), ({'cut_after': 10, 'drip': [1, 0.1]}, 'does not go with')])
def test_bad_cut_after_is_refused(emulator, fault, words):
    answer = requests.post(emulator.url + '/_emulator/faults', json=dict(fault, operation='ExportLLMObsDataset'), timeout=5)
    assert answer.status_code == 400 and words in answer.json()['error']


def test_drop_and_delay_on_an_export(emulator):
    emulator.add_fault(operation='ExportLLMObsDataset', drop=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        emulator.api('GET', DATASET + '/export')
    assert emulator.requests_log()[-1]['status'] == 'dropped'
    emulator.add_fault(operation='ExportLLMObsDataset', delay=0.3)
    started = time.monotonic()
    answer = emulator.api('GET', DATASET + '/export')
    assert answer.status_code == 200 and answer.text.count('\r\n') == 6 and time.monotonic() - started >= 0.3
    emulator.add_fault(operation='ExportLLMObsDataset', delay=2)
    with pytest.raises(requests.exceptions.Timeout):
        emulator.api('GET', DATASET + '/export', timeout=0.5)
