# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Dataset versions beyond the records list: restoring one, exporting one as CSV, versions that
expire, when each was last used by an experiment, and datasets' settable created_at."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import csv
import io
import json

import pytest
import requests

from ansible_collections.llmobs.datadog.tests.support.demo import (
    DEMO_BASELINE_EXPERIMENT, DEMO_CANDIDATE_EXPERIMENT, DEMO_DATASET, DEMO_PROJECT)

DATASETS = '/%s/datasets' % DEMO_PROJECT


class FakeClock(object):
    """The store's clock, moved by hand (lags and version_ttl_seconds count on it)."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def emulator(in_process):
    """An in-process emulator with the demo seed, a fake clock and an empty dataset ``versions``."""
    emulator = in_process()
    emulator.clock = emulator.emulator.store.clock = FakeClock()
    created = emulator.api('POST', DATASETS, json={'data': {'type': 'datasets', 'attributes': {'name': 'versions'}}})
    emulator.dataset_id = created.json()['data']['id']
    emulator.path = DATASETS + '/' + emulator.dataset_id
    return emulator


def batch(emulator, **attributes):
    response = emulator.api('POST', emulator.path + '/batch_update', json={
        'data': {'type': 'datasets', 'id': emulator.dataset_id, 'attributes': attributes}})
    assert response.status_code == 200, response.text


def listed(emulator, **params):
    """Every record of the dataset's list, walked to its end, in the order served."""
    records, cursor = [], None
    while True:
        query = dict(params, **({'page[cursor]': cursor} if cursor else {}))
        response = emulator.api('GET', emulator.path + '/records', params=query)
        assert response.status_code == 200, response.text
        records.extend(response.json()['data'])
        cursor = response.json()['meta']['after']
        if not cursor:
            return records


def contents(records):
    """[(id, input, expected_output, metadata, tags)] of a nested list, in its order."""
    return [(r['id'], r['attributes']['input'], r['attributes']['expected_output'], r['attributes']['metadata'],
             r['attributes']['tags']) for r in records]


def restore(emulator, version, dataset_id=None, **body_changes):
    dataset_id = dataset_id or emulator.dataset_id
    data = {'type': 'datasets', 'id': dataset_id, 'attributes': {'dataset_version': version}}
    data.update(body_changes)
    return emulator.api('POST', DATASETS + '/%s/restore' % dataset_id, json={'data': data})


def current_version(emulator):
    return emulator.api('GET', DATASETS, params={'filter[id]': emulator.dataset_id}).json()['data'][0]['attributes'][
        'current_version']


def versions(emulator):
    answer = emulator.api('GET', emulator.path + '/versions')
    assert answer.status_code == 200, answer.text
    return [(v['attributes']['version_number'], v['attributes']['last_used']) for v in answer.json()['data']]


def make_history(emulator):
    """Versions 1 to 4: a, b, c added; a changed (input and metadata); b deleted; d added; c's
    metadata and tags changed (no version). Returns version 1's records as listed."""
    batch(emulator, insert_records=[
        {'id': 'a', 'input': 'alpha', 'expected_output': {'n': 1}, 'metadata': {'m': 'a1'}, 'tags': ['k:a']},
        {'id': 'b', 'input': {'q': 'beta'}, 'expected_output': None, 'metadata': None, 'tags': []},
        {'input': ['server', 'made', 'id'], 'expected_output': 3, 'metadata': {'m': 'c1'}, 'tags': ['k:c']}])
    first = listed(emulator)
    batch(emulator, update_records=[{'id': 'a', 'input': 'ALPHA', 'metadata': {'m': 'a2'},
                                     'tag_operations': {'set': ['k:changed']}}])
    batch(emulator, delete_records=['b'])
    batch(emulator, insert_records=[{'id': 'd', 'input': 'delta'}])
    server_id = [r['id'] for r in first if r['attributes']['input'] == ['server', 'made', 'id']][0]
    batch(emulator, update_records=[{'id': server_id, 'metadata': {'m': 'c2'}}], create_new_version=False)
    assert current_version(emulator) == 4
    return first


# ---------------------------------------------------------------------- restore


def test_restore_makes_a_new_version_holding_the_old_versions_records(emulator):
    first = make_history(emulator)
    answer = restore(emulator, 1)
    assert answer.status_code == 200
    assert answer.content == b'' and answer.headers['Content-Length'] == '0' and 'Content-Type' not in answer.headers
    assert current_version(emulator) == 5
    restored = listed(emulator)
    # b (deleted since) is back, d (added since) is gone, a's input, metadata and tags are version 1's
    # again; the same ids, in the same order. c's metadata change made no version, so version 1 shows
    # it too (metadata is not versioned): both lists agree on it.
    assert contents(restored) == contents(listed(emulator, **{'filter[version]': 1}))
    assert [r['id'] for r in restored] == [r['id'] for r in first]
    by_id = dict((r[0], r[1:]) for r in contents(restored))
    assert by_id['a'] == ('alpha', {'n': 1}, {'m': 'a1'}, ['k:a'])
    assert by_id['b'] == ({'q': 'beta'}, None, None, [])
    assert 'd' not in by_id
    # Every older version is still what it was.
    assert [r[0] for r in contents(listed(emulator, **{'filter[version]': 4}))] == ['d'] + [
        r['id'] for r in first if r['id'] != 'b']
    assert dict((r[0], r[1]) for r in contents(listed(emulator, **{'filter[version]': 4})))['a'] == 'ALPHA'
    assert [v for v, dummy in versions(emulator)] == [0, 1, 2, 3, 4, 5]
    state = [d for d in emulator.state()['datasets'] if d['id'] == emulator.dataset_id][0]
    assert state['current_version'] == 5 and state['record_count'] == 3 and state['versions'] == [0, 1, 2, 3, 4, 5]


def test_restore_makes_a_version_even_when_nothing_differs(emulator):
    batch(emulator, insert_records=[{'id': 'a', 'input': 1}])
    before = contents(listed(emulator))
    assert restore(emulator, 1).status_code == 200
    assert current_version(emulator) == 2 and contents(listed(emulator)) == before
    assert restore(emulator, 0).status_code == 200
    assert current_version(emulator) == 3 and listed(emulator) == []
    assert restore(emulator, 2).status_code == 200
    assert current_version(emulator) == 4 and contents(listed(emulator)) == before


def test_restore_brings_back_an_id_that_was_reused_since(emulator):
    batch(emulator, insert_records=[{'id': 'e1', 'input': 'first e1', 'tags': ['gen:1']}])
    batch(emulator, delete_records=['e1'])
    batch(emulator, insert_records=[{'id': 'e1', 'input': 'second e1', 'tags': ['gen:2']}])
    first_canonical = listed(emulator, **{'filter[version]': 1})[0]['attributes']['canonical_id']
    assert restore(emulator, 1).status_code == 200
    restored = listed(emulator)
    assert contents(restored) == [('e1', 'first e1', None, None, ['gen:1'])]
    assert restored[0]['attributes']['canonical_id'] == first_canonical
    # Writes go on as usual after a restore: the id is taken again, and updates version as before.
    batch(emulator, update_records=[{'id': 'e1', 'expected_output': 'x'}])
    assert current_version(emulator) == 5
    assert contents(listed(emulator, **{'filter[version]': 4})) == [('e1', 'first e1', None, None, ['gen:1'])]


@pytest.mark.parametrize('attributes, pointer', [
    ({}, '/data/attributes/dataset_version'),
    ({'dataset_version': '1'}, '/data/attributes/dataset_version'),
    ({'dataset_version': 1.5}, '/data/attributes/dataset_version'),
    ({'dataset_version': True}, '/data/attributes/dataset_version'),
    ({'dataset_version': None}, '/data/attributes/dataset_version'),
    ({'dataset_version': 0, 'version': 0}, '/data/attributes/version'),
])
def test_restore_refuses_a_bad_body_naming_the_field(emulator, attributes, pointer):
    answer = emulator.api('POST', emulator.path + '/restore', json={'data': {
        'type': 'datasets', 'id': emulator.dataset_id, 'attributes': attributes}})
    assert answer.status_code == 400
    assert answer.json()['errors'][0]['source'] == {'pointer': pointer}
    assert current_version(emulator) == 0


def test_restore_of_a_version_that_does_not_exist_or_of_another_dataset(emulator):
    batch(emulator, insert_records=[{'input': 1}])
    for version in (2, 99, -1):
        answer = restore(emulator, version)
        assert answer.status_code == 404, version
        assert 'version %d' % version in answer.json()['errors'][0]['detail']
    mismatch = restore(emulator, 0, id=DEMO_DATASET)
    assert mismatch.status_code == 400 and mismatch.json()['errors'][0]['source'] == {'pointer': '/data/id'}
    assert restore(emulator, 0, dataset_id='no-such-dataset').status_code == 404
    assert current_version(emulator) == 1


def test_restore_respects_the_records_lag(emulator):
    batch(emulator, insert_records=[{'id': 'old', 'input': 1}])
    batch(emulator, delete_records=['old'])
    batch(emulator, insert_records=[{'id': 'new', 'input': 2}])
    emulator.configure(records_lag=5)
    assert restore(emulator, 1).status_code == 200
    # The write is done (the state shows it); the list shows it 5 seconds later, as for other writes.
    state = [d for d in emulator.state()['datasets'] if d['id'] == emulator.dataset_id][0]
    assert [r['id'] for r in state['records']] == ['old']
    assert [r['id'] for r in listed(emulator)] == ['new']
    emulator.clock.now += 5
    assert [r['id'] for r in listed(emulator)] == ['old']


def test_restore_on_a_large_dataset(emulator):
    emulator.control('POST', '/records/bulk', json={'project_id': DEMO_PROJECT, 'dataset_id': emulator.dataset_id,
                                                    'count': 20000, 'size_bytes': 200, 'id_prefix': 'r-',
                                                    'create_new_version': True})
    batch(emulator, delete_records=['r-%d' % n for n in range(0, 500)],
          update_records=[{'id': 'r-%d' % n, 'input': 'changed'} for n in range(500, 1000)])
    assert restore(emulator, 1).status_code == 200
    state = [d for d in emulator.state()['datasets'] if d['id'] == emulator.dataset_id][0]
    assert state['record_count'] == 20000
    assert state['records'][-1]['id'] == 'r-0' and state['records'][-501]['input'] != 'changed'


# ---------------------------------------------------------------------- export


def export(emulator, headers=None, **params):
    return emulator.api('GET', emulator.path + '/export', params=params, headers=headers)


def parse_export(text):
    """The rows of an export, read back: JSON cells decoded, empty cells None."""
    rows = list(csv.reader(io.StringIO(text, newline='')))
    assert rows[0] == ['id', 'input', 'expected_output', 'metadata', 'tags']
    return [(row[0],) + tuple(json.loads(cell) if cell else None for cell in row[1:4]) + (json.loads(row[4]),)
            for row in rows[1:]]


AWKWARD = [
    {'id': 'plain', 'input': 'hello', 'expected_output': 'world', 'metadata': {}, 'tags': []},
    {'id': 'commas', 'input': 'a, b, "c"', 'expected_output': {'list': [1, 2.5, None, True]},
     'metadata': {'note': 'line one\nline two\r\nthree', 'quote': '"'}, 'tags': ['k:v', 'team:a,b']},
    {'id': 'nulls', 'input': {'q': None}, 'expected_output': None, 'metadata': None},
    {'id': 'unicode', 'input': 'café ☕ \u201cquoted\u201d', 'expected_output': ['é'], 'metadata': {'emoji': '\U0001F600'}},
    {'id': 'numbers', 'input': 42, 'expected_output': False, 'tags': ['n:1']},
    {'id': 'empty-string', 'input': '', 'expected_output': ''},
]


def test_export_is_rfc_4180_csv_that_reads_back_to_the_records(emulator):
    batch(emulator, insert_records=AWKWARD)
    answer = export(emulator, format='csv')
    assert answer.status_code == 200
    assert answer.headers['Content-Type'] == 'text/csv; charset=utf-8'
    assert answer.headers.get('Transfer-Encoding') == 'chunked'
    text = answer.content.decode('utf-8')
    assert text.startswith('id,input,expected_output,metadata,tags\r\n') and text.endswith('\r\n')
    assert '\r\nplain,"""hello""","""world""",{},[]\r\n' in text      # a string input is JSON text, quoted
    assert '\r\nnulls,"{""q"":null}",,,[]\r\n' in text                 # null: an empty cell
    # One row per record, in the records list's order (newest first), each reading back to the record.
    assert parse_export(text) == contents(listed(emulator))
    assert [row[0] for row in parse_export(text)] == [r['id'] for r in reversed(AWKWARD)]


def test_export_of_an_older_version_and_of_an_empty_one(emulator):
    batch(emulator, insert_records=[{'id': 'a', 'input': 1}, {'id': 'b', 'input': 2}])
    batch(emulator, update_records=[{'id': 'a', 'input': 'one'}], delete_records=['b'])
    assert parse_export(export(emulator).text) == [('a', 'one', None, None, [])]
    assert parse_export(export(emulator, version=1).text) == [('b', 2, None, None, []), ('a', 1, None, None, [])]
    assert export(emulator, version=0).text == 'id,input,expected_output,metadata,tags\r\n'


@pytest.mark.parametrize('accept, status', [
    (None, 200), ('text/csv', 200), ('*/*', 200), ('text/*', 200), ('application/json, text/csv;q=0.5', 200),
    ('text/csv; charset=utf-8', 200), ('application/json', 406), ('application/json, text/csv;q=0', 406),
    ('application/vnd.api+json', 406)])
def test_export_answers_406_unless_the_request_accepts_csv(emulator, accept, status):
    response = export(emulator, headers={'Accept': accept})      # None: no Accept header at all
    assert response.request.headers.get('Accept') == accept
    assert response.status_code == status
    if status == 406:
        error = response.json()['errors'][0]
        assert error['status'] == '406' and error['source'] == {'header': 'Accept'} and accept in error['detail']


@pytest.mark.parametrize('params, status, parameter', [
    ({'format': 'json'}, 400, 'format'), ({'format': ''}, 400, 'format'), ({'version': 'latest'}, 400, 'version'),
    ({'version': '1'}, 404, None), ({'version': '-1'}, 404, None)])
def test_export_refuses_a_bad_format_or_version(emulator, params, status, parameter):
    answer = export(emulator, **params)
    assert answer.status_code == status
    if parameter:
        assert answer.json()['errors'][0]['source'] == {'parameter': parameter}


def test_export_of_an_unknown_dataset_or_project_is_404(emulator):
    assert emulator.api('GET', DATASETS + '/no-such-dataset/export').status_code == 404
    assert emulator.api('GET', '/no-such-project/datasets/%s/export' % DEMO_DATASET).status_code == 404


def test_export_follows_the_records_lag_like_the_list(emulator):
    emulator.configure(records_lag=5)
    batch(emulator, insert_records=[{'id': 'late', 'input': 1}])
    assert parse_export(export(emulator).text) == []
    emulator.clock.now += 5
    assert [row[0] for row in parse_export(export(emulator).text)] == ['late']


def test_100000_records_export_whole(start_emulator):
    emulator = start_emulator()
    created = emulator.api('POST', DATASETS, json={'data': {'type': 'datasets', 'attributes': {'name': 'large'}}})
    dataset_id = created.json()['data']['id']
    emulator.control('POST', '/records/bulk', json={'project_id': DEMO_PROJECT, 'dataset_id': dataset_id,
                                                    'count': 100000, 'size_bytes': 1024, 'id_prefix': 'rec-'})
    answer = emulator.api('GET', DATASETS + '/%s/export' % dataset_id, stream=True, timeout=60)
    rows, size = 0, 0
    reader = csv.reader(io.TextIOWrapper(answer.raw, encoding='utf-8', newline=''))
    header = next(reader)
    for row in reader:
        rows += 1
        size += sum(len(cell) for cell in row)
        if rows == 1:
            assert row[0] == 'rec-99999' and len(json.loads(row[1])['context']) >= 900
    assert header == ['id', 'input', 'expected_output', 'metadata', 'tags']
    assert rows == 100000 and size > 100000 * 1000


# ---------------------------------------------------------------------- expiry


def test_expired_versions_are_gone_from_every_read(emulator):
    for n in range(3):
        batch(emulator, insert_records=[{'input': n}])
    state = emulator.control('POST', '/datasets/%s/expire' % emulator.dataset_id, json={'versions': [0, 1]})
    assert (state['versions'], state['expired_versions'], state['current_version']) == ([2, 3], [0, 1], 3)
    assert [v for v, dummy in versions(emulator)] == [2, 3]
    for version in (0, 1):
        records = emulator.api('GET', emulator.path + '/records', params={'filter[version]': version})
        assert records.status_code == 404 and 'expired' in records.json()['errors'][0]['detail']
        assert export(emulator, version=version).status_code == 404
        assert restore(emulator, version).status_code == 404
    assert emulator.api('GET', emulator.path + '/records', params={'filter[version]': 2}).status_code == 200
    assert current_version(emulator) == 3


@pytest.mark.parametrize('body, words', [
    ({'versions': [1]}, 'current version'), ({'versions': [5]}, 'versions 0 to 1'), ({'versions': []}, 'non-empty'),
    ({'versions': ['0']}, "not '0'"), ({'versions': [True]}, 'not True'), ({'version': [0]}, 'unknown key'), ([0], 'JSON object')])
def test_bad_expiry_requests_are_refused_whole(emulator, body, words):
    batch(emulator, insert_records=[{'input': 1}])
    answer = requests.post(emulator.url + '/_emulator/datasets/%s/expire' % emulator.dataset_id, json=body, timeout=5)
    assert answer.status_code == 400 and words in answer.json()['error']
    assert [v for v, dummy in versions(emulator)] == [0, 1]
    missing = requests.post(emulator.url + '/_emulator/datasets/no-such-dataset/expire', json={'versions': [0]}, timeout=5)
    assert missing.status_code == 404


def test_version_ttl_expires_every_version_but_the_current_one(emulator):
    batch(emulator, insert_records=[{'input': 1}])      # version 1 at t = 1000
    emulator.clock.now += 30
    batch(emulator, insert_records=[{'input': 2}])      # version 2 at t = 1030
    assert emulator.configure(version_ttl_seconds=60)['version_ttl_seconds'] == 60
    assert [v for v, dummy in versions(emulator)] == [0, 1, 2]
    emulator.clock.now += 30                            # t = 1060: versions 0 and 1 are 60 s old
    assert [v for v, dummy in versions(emulator)] == [2]
    emulator.clock.now += 1000
    assert [v for v, dummy in versions(emulator)] == [2]      # the current version never expires
    assert emulator.api('GET', emulator.path + '/records', params={'filter[version]': 1}).status_code == 404
    # The time to live counts from when a version was made: version 2, made 1030 s ago, goes as
    # soon as it is not the current one.
    batch(emulator, insert_records=[{'input': 3}])
    assert [v for v, dummy in versions(emulator)] == [3]
    # Expiry by time is worked out at each read: without a time to live, every version is back.
    emulator.configure(version_ttl_seconds=None)
    assert [v for v, dummy in versions(emulator)] == [0, 1, 2, 3]


@pytest.mark.parametrize('value', [-1, 'soon', True, [1]])
def test_bad_version_ttl_is_refused(emulator, value):
    answer = requests.patch(emulator.url + '/_emulator/config', json={'version_ttl_seconds': value}, timeout=5)
    assert answer.status_code == 400 and 'version_ttl_seconds' in answer.json()['error']
    assert emulator.control('GET', '/config')['version_ttl_seconds'] is None


# ---------------------------------------------------------------------- last_used


def test_last_used_is_the_newest_experiment_on_each_version(emulator):
    batch(emulator, insert_records=[{'input': 1}])
    batch(emulator, insert_records=[{'input': 2}])
    made = emulator.control('POST', '/experiments', json={'experiments': [
        {'project_id': DEMO_PROJECT, 'dataset_id': emulator.dataset_id, 'name': 'old run', 'dataset_version': 1,
         'created_at': '2024-01-15T10:30:00Z'},
        {'project_id': DEMO_PROJECT, 'dataset_id': emulator.dataset_id, 'name': 'newer run', 'dataset_version': 1,
         'created_at': '2024-02-20T14:45:00.5+01:00'},
        {'project_id': DEMO_PROJECT, 'dataset_id': emulator.dataset_id, 'name': 'on version 0', 'dataset_version': 0,
         'created_at': '2023-12-31T23:59:59Z'},
        {'project_id': DEMO_PROJECT, 'dataset_id': DEMO_DATASET, 'name': 'another dataset', 'dataset_version': 0}]})
    assert len(made['experiments']) == 4
    assert versions(emulator) == [(0, '2023-12-31T23:59:59.000+00:00'), (1, '2024-02-20T13:45:00.500+00:00'), (2, None)]
    # An experiment without a version ran on the current one, now.
    emulator.control('POST', '/experiments', json={'experiments': [
        {'project_id': DEMO_PROJECT, 'dataset_id': emulator.dataset_id, 'name': 'current'}]})
    last = versions(emulator)[-1]
    assert last[0] == 2 and last[1] is not None and last[1].endswith('+00:00')


# ---------------------------------------------------------------------- created_at


def test_a_dataset_can_be_backdated(emulator):
    before = emulator.api('GET', DATASETS, params={'filter[id]': emulator.dataset_id}).json()['data'][0]['attributes']
    view = emulator.control('PATCH', '/datasets/%s' % emulator.dataset_id, json={'created_at': '2020-01-02T03:04:05Z'})
    assert view['created_at'] == '2020-01-02T03:04:05.000+00:00' and view['id'] == emulator.dataset_id
    after = emulator.api('GET', DATASETS, params={'filter[id]': emulator.dataset_id}).json()['data'][0]['attributes']
    assert after['created_at'] == '2020-01-02T03:04:05.000+00:00'
    assert after['updated_at'] == before['updated_at']          # made long ago, changed just now
    # Moved into the future, it was not updated before it was made.
    later = emulator.control('PATCH', '/datasets/%s' % emulator.dataset_id, json={'created_at': '2999-01-01'})
    assert later['created_at'] == later['updated_at'] == '2999-01-01T00:00:00.000+00:00'
    both = emulator.control('PATCH', '/datasets/%s' % emulator.dataset_id, json={
        'created_at': '2021-06-01T00:00:00+02:00', 'updated_at': '2021-07-01T00:00:00Z'})
    assert (both['created_at'], both['updated_at']) == ('2021-05-31T22:00:00.000+00:00', '2021-07-01T00:00:00.000+00:00')


@pytest.mark.parametrize('body, words', [
    ({'created_at': 'yesterday'}, 'ISO 8601'), ({'created_at': '2024-13-01T00:00:00Z'}, 'not a valid date'),
    ({'created_at': 20240101}, 'ISO 8601'), ({}, 'nothing to change'), ({'name': 'x'}, 'unknown key')])
def test_bad_backdating_is_refused(emulator, body, words):
    answer = requests.patch(emulator.url + '/_emulator/datasets/%s' % emulator.dataset_id, json=body, timeout=5)
    assert answer.status_code == 400 and words in answer.json()['error']
    assert requests.patch(emulator.url + '/_emulator/datasets/no-such-dataset', json={'created_at': '2020-01-01'},
                          timeout=5).status_code == 404


def test_reset_forgets_expiry_backdating_and_the_version_ttl(emulator):
    emulator.control('PATCH', '/datasets/%s' % DEMO_DATASET, json={'created_at': '2020-01-01T00:00:00Z'})
    emulator.configure(version_ttl_seconds=1)
    emulator.control('POST', '/experiments', json={'experiments': [
        {'project_id': DEMO_PROJECT, 'dataset_id': DEMO_DATASET, 'name': 'gone after the reset'}]})
    emulator.control('PATCH', '/experiments/%s' % DEMO_BASELINE_EXPERIMENT, json={'status': 'failed'})
    emulator.control('POST', '/reset')
    assert emulator.control('GET', '/config')['version_ttl_seconds'] is None
    demo = [d for d in emulator.state()['datasets'] if d['id'] == DEMO_DATASET][0]
    assert not demo['created_at'].startswith('2020') and demo['versions'] == [0] and demo['expired_versions'] == []
    # Only the demo seed's experiments, as seeded.
    assert [(e['id'], e['status']) for e in emulator.state()['experiments']] == [
        (DEMO_CANDIDATE_EXPERIMENT, 'completed'), (DEMO_BASELINE_EXPERIMENT, 'completed')]
