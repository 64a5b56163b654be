# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Dataset records as the emulator keeps them: batch_update, versions, the live nested list,
limits, ids and tags, and the speed of large datasets."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.llmobs.datadog.tests.emulator.store import RecordTable, Store
from ansible_collections.llmobs.datadog.tests.support.demo import DEMO_DATASET, DEMO_PROJECT

DATASETS = '/%s/datasets' % DEMO_PROJECT


@pytest.fixture
def emulator(in_process):
    """An in-process emulator with the demo seed and an empty dataset ``records`` to work on."""
    emulator = in_process()
    created = emulator.api('POST', DATASETS, json={'data': {'type': 'datasets', 'attributes': {'name': 'records'}}})
    emulator.dataset_id = created.json()['data']['id']
    return emulator


def batch(emulator, dataset_id=None, expect=200, **attributes):
    dataset_id = dataset_id or emulator.dataset_id
    response = emulator.api('POST', DATASETS + '/%s/batch_update' % dataset_id, json={
        'data': {'type': 'datasets', 'id': dataset_id, 'attributes': attributes}})
    assert response.status_code == expect, response.text
    return response.json() if response.content else None


def listed(emulator, dataset_id=None, **params):
    """Every record of a list walked to its end, in the order served."""
    records, cursor = [], None
    while True:
        query = dict(params, **({'page[cursor]': cursor} if cursor else {}))
        response = emulator.api('GET', DATASETS + '/%s/records' % (dataset_id or emulator.dataset_id), params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        records.extend(body['data'])
        cursor = body['meta']['after']
        if not cursor:
            return records


def contents(records):
    """id -> (input, expected_output, metadata, tags) of a nested list."""
    return dict((r['id'], (r['attributes']['input'], r['attributes']['expected_output'], r['attributes']['metadata'],
                           r['attributes']['tags'])) for r in records)


def current_version(emulator, dataset_id=None):
    found = emulator.api('GET', DATASETS, params={'filter[id]': dataset_id or emulator.dataset_id}).json()['data']
    return found[0]['attributes']['current_version']


def test_the_list_is_nested_as_the_live_api_answers(emulator):
    batch(emulator, insert_records=[{'id': 'q1', 'input': 'What is 2+2?', 'expected_output': '4',
                                     'metadata': {'level': 1}, 'tags': ['topic:math', 'team:eval']}])
    body = emulator.api('GET', DATASETS + '/%s/records' % emulator.dataset_id).json()
    record = body['data'][0]
    assert sorted(record) == ['attributes', 'id', 'type']
    assert record['id'] == 'q1'
    attributes = record['attributes']
    assert (attributes['input'], attributes['expected_output'], attributes['metadata']) == ('What is 2+2?', '4', {'level': 1})
    assert attributes['tags'] == ['topic:math', 'team:eval']
    assert attributes['canonical_id'] and attributes['canonical_id'] != 'q1'
    assert attributes['dataset_id'] == emulator.dataset_id
    assert body['meta'] == {'after': None}
    emulator.configure(records_shape='flat')
    flat = emulator.api('GET', DATASETS + '/%s/records' % emulator.dataset_id).json()['data'][0]
    assert (flat['id'], flat['input'], flat['tags']) == ('q1', 'What is 2+2?', ['topic:math', 'team:eval'])


def test_version_rules(emulator):
    assert current_version(emulator) == 0
    batch(emulator, insert_records=[{'id': 'a', 'input': 1}, {'id': 'b', 'input': 2}])
    assert current_version(emulator) == 1                       # adding records makes a version
    batch(emulator, update_records=[{'id': 'a', 'metadata': {'note': 'x'}, 'tag_operations': {'add': ['k:v']}}])
    assert current_version(emulator) == 1                       # metadata and tags do not
    batch(emulator, update_records=[{'id': 'a', 'input': 1, 'expected_output': None}])
    assert current_version(emulator) == 1                       # nor does an input set to what it is
    batch(emulator, update_records=[{'id': 'a', 'expected_output': 'one'}])
    assert current_version(emulator) == 2                       # changing expected_output does
    batch(emulator, delete_records=['b'])
    assert current_version(emulator) == 3                       # deleting does
    batch(emulator, delete_records=['no-such-record'])
    assert current_version(emulator) == 3                       # deleting nothing does not
    batch(emulator, insert_records=[{'id': 'c', 'input': 3}], update_records=[{'id': 'a', 'input': 'uno'}],
          create_new_version=False)
    assert current_version(emulator) == 3                       # create_new_version false: into the current one
    batch(emulator, insert_records=[{'id': 'd', 'input': 4}], delete_records=['c'], create_new_version=True)
    assert current_version(emulator) == 4                       # one batch, one version

    assert contents(listed(emulator)) == {'a': ('uno', 'one', {'note': 'x'}, ['k:v']), 'd': (4, None, None, [])}
    versions = dict((v, contents(listed(emulator, **{'filter[version]': v}))) for v in range(5))
    assert versions[0] == {}
    assert dict((k, v[:2]) for k, v in versions[1].items()) == {'a': (1, None), 'b': (2, None)}
    assert dict((k, v[:2]) for k, v in versions[2].items()) == {'a': (1, 'one'), 'b': (2, None)}
    assert dict((k, v[:2]) for k, v in versions[3].items()) == {'a': ('uno', 'one'), 'c': (3, None)}
    assert versions[1]['a'][2] == {'note': 'x'}                 # metadata is not versioned
    listed_versions = emulator.api('GET', DATASETS + '/%s/versions' % emulator.dataset_id).json()['data']
    assert [(v['type'], v['attributes']['version_number'], v['attributes']['dataset_id']) for v in listed_versions] == [
        ('dataset_version', n, emulator.dataset_id) for n in range(5)]
    assert len(set(v['id'] for v in listed_versions)) == 5
    missing = emulator.api('GET', DATASETS + '/%s/records' % emulator.dataset_id, params={'filter[version]': 5})
    assert missing.status_code == 404 and 'version 5' in missing.json()['errors'][0]['detail']


def test_record_update_and_delete_routes_version_like_batch_update(emulator):
    batch(emulator, insert_records=[{'id': 'a', 'input': 1}, {'id': 'b', 'input': 2}])
    records = DATASETS + '/%s/records' % emulator.dataset_id
    answer = emulator.api('PATCH', records, json={'data': {'type': 'records', 'attributes': {
        'records': [{'id': 'a', 'input': 10, 'metadata': {'m': 1}}]}}})
    assert answer.status_code == 200
    assert answer.json()['data'][0]['records'][0]['input'] == 10
    assert current_version(emulator) == 2
    assert emulator.api('PATCH', records, json={'data': {'type': 'datasets', 'attributes': {
        'records': [{'id': 'a', 'metadata': {'m': 2}}]}}}).status_code == 200
    assert current_version(emulator) == 2
    deleted = emulator.api('POST', records + '/delete', json={'data': {'type': 'datasets', 'attributes': {'record_ids': ['b']}}})
    assert deleted.status_code == 204 and deleted.content == b''
    assert current_version(emulator) == 3
    assert contents(listed(emulator)) == {'a': (10, None, {'m': 2}, [])}
    unknown = emulator.api('PATCH', records, json={'data': {'type': 'records', 'attributes': {'records': [{'id': 'zz', 'input': 1}]}}})
    assert unknown.status_code == 404


def test_batch_answer_has_the_inserted_and_updated_records(emulator):
    batch(emulator, insert_records=[{'id': 'a', 'input': 1}])
    answer = batch(emulator, insert_records=[{'input': {'q': 'no id'}}], update_records=[{'id': 'a', 'expected_output': 2}],
                   tags=['run:7'])
    records = answer['data'][0]['records']
    assert [r['id'] for r in records][0] == 'a'
    assert all(r['dataset_id'] == emulator.dataset_id and 'run:7' in r['tags'] for r in records)
    generated = records[1]['id']
    assert generated != 'a' and len(generated) == 36   # the server names records without an id


@pytest.mark.parametrize('attributes, status, pointer', [
    ({'insert_records': [{'expected_output': 1}]}, 400, '/data/attributes/insert_records/0/input'),
    ({'insert_records': [{'input': 1, 'id': 'has space'}]}, 400, '/data/attributes/insert_records/0/id'),
    ({'insert_records': [{'input': 1, 'id': 'x' * 129}]}, 400, '/data/attributes/insert_records/0/id'),
    ({'insert_records': [{'input': 1, 'id': 'same'}, {'input': 2, 'id': 'same'}]}, 400, '/data/attributes/insert_records/1/id'),
    ({'insert_records': [{'input': 1, 'tags': ['no-colon']}]}, 400, '/data/attributes/insert_records/0/tags/0'),
    ({'insert_records': [{'input': 1, 'tags': 'a:b'}]}, 400, '/data/attributes/insert_records/0/tags'),
    ({'insert_records': [{'input': 1, 'metadata': 'text'}]}, 400, '/data/attributes/insert_records/0/metadata'),
    ({'insert_records': [{'input': 1, 'expected': 2}]}, 400, '/data/attributes/insert_records/0/expected'),
    ({'update_records': [{'input': 1}]}, 400, '/data/attributes/update_records/0/id'),
    ({'update_records': [{'id': 'exists', 'tags': ['a:b']}]}, 400, '/data/attributes/update_records/0/tags'),
    ({'update_records': [{'id': 'exists', 'input': 1}, {'id': 'exists', 'input': 2}]}, 400, '/data/attributes/update_records/1/id'),
    ({'update_records': [{'id': 'nope', 'input': 1}]}, 404, None),
    ({'delete_records': [1]}, 400, '/data/attributes/delete_records/0'),
    ({'insert_records': {'input': 1}}, 400, '/data/attributes/insert_records'),
    ({'create_new_version': 'yes'}, 400, '/data/attributes/create_new_version'),
    ({'insert_record': []}, 400, '/data/attributes/insert_record'),
    ({'insert_records': [{'input': 1, 'id': 'exists'}]}, 400, '/data/attributes/insert_records/0/id'),
])
def test_bad_batches_change_nothing_and_say_where(emulator, attributes, status, pointer):
    batch(emulator, insert_records=[{'id': 'exists', 'input': 0}])
    before = (current_version(emulator), contents(listed(emulator)))
    answer = batch(emulator, expect=status, **attributes)
    if pointer:
        assert answer['errors'][0]['source']['pointer'] == pointer
    assert (current_version(emulator), contents(listed(emulator))) == before


def test_ids_may_be_reused_after_a_delete_and_type_records_is_accepted(emulator):
    batch(emulator, insert_records=[{'id': 'k', 'input': 1}])
    batch(emulator, delete_records=['k'], insert_records=[{'id': 'k', 'input': 2}])
    assert contents(listed(emulator)) == {'k': (2, None, None, [])}
    response = emulator.api('POST', DATASETS + '/%s/batch_update' % emulator.dataset_id, json={
        'data': {'type': 'records', 'id': emulator.dataset_id, 'attributes': {'insert_records': [{'input': 3}]}}})
    assert response.status_code == 200
    wrong = emulator.api('POST', DATASETS + '/%s/batch_update' % emulator.dataset_id, json={
        'data': {'type': 'projects', 'id': emulator.dataset_id, 'attributes': {}}})
    assert wrong.status_code == 400 and wrong.json()['errors'][0]['source']['pointer'] == '/data/type'
    other = emulator.api('POST', DATASETS + '/%s/batch_update' % emulator.dataset_id, json={
        'data': {'type': 'datasets', 'id': DEMO_DATASET, 'attributes': {}}})
    assert other.status_code == 400 and other.json()['errors'][0]['source']['pointer'] == '/data/id'


def test_413_past_1000_records_or_5_mib(emulator):
    batch(emulator, insert_records=[{'input': n} for n in range(1000)])
    assert len(listed(emulator, **{'page[limit]': 5000})) == 1000
    answer = batch(emulator, expect=413, insert_records=[{'input': n} for n in range(600)], delete_records=['x'] * 401)
    assert answer['errors'][0]['status'] == '413' and '1001' in answer['errors'][0]['detail']
    large = 'x' * (5 * 1024 * 1024)
    answer = batch(emulator, expect=413, insert_records=[{'input': large}])
    assert answer['errors'][0]['title'] == 'Payload Too Large'
    assert current_version(emulator) == 1 and len(listed(emulator, **{'page[limit]': 5000})) == 1000
    emulator.configure(max_batch_records=10, max_batch_bytes=2000)
    batch(emulator, expect=413, insert_records=[{'input': n} for n in range(11)])
    batch(emulator, expect=413, insert_records=[{'input': 'y' * 2000}])
    batch(emulator, insert_records=[{'input': n} for n in range(10)])


def test_pages_hold_still_while_records_are_written(emulator):
    batch(emulator, insert_records=[{'id': 'r%02d' % n, 'input': n} for n in range(30)])
    path = DATASETS + '/%s/records' % emulator.dataset_id
    first = emulator.api('GET', path, params={'page[limit]': 10}).json()
    assert [r['id'] for r in first['data']] == ['r%02d' % n for n in range(29, 19, -1)]   # newest first
    batch(emulator, insert_records=[{'id': 'late', 'input': 'late'}], delete_records=['r15'])
    second = emulator.api('GET', path, params={'page[limit]': 10, 'page[cursor]': first['meta']['after']}).json()
    assert [r['id'] for r in second['data']] == ['r%02d' % n for n in (19, 18, 17, 16, 14, 13, 12, 11, 10, 9)]
    bad = emulator.api('GET', path, params={'page[cursor]': 'not-a-cursor'})
    assert bad.status_code == 400 and bad.json()['errors'][0]['source']['parameter'] == 'page[cursor]'


def test_page_limit_defaults_to_100_and_is_capped_at_5000(emulator):
    emulator.control('POST', '/records/bulk', json={'project_id': DEMO_PROJECT, 'dataset_id': emulator.dataset_id,
                                                    'count': 5100})
    path = DATASETS + '/%s/records' % emulator.dataset_id
    assert len(emulator.api('GET', path).json()['data']) == 100
    capped = emulator.api('GET', path, params={'page[limit]': 100000}).json()
    assert len(capped['data']) == 5000 and capped['meta']['after']


def test_append_deduplicates_and_clone_keeps_user_ids(emulator):
    path = DATASETS + '/%s/records' % emulator.dataset_id
    batch(emulator, insert_records=[{'id': 'mine', 'input': {'q': 1}, 'expected_output': 'a', 'tags': ['x:y']}])
    body = {'data': {'type': 'datasets', 'attributes': {'records': [{'input': {'q': 1}, 'expected_output': 'a'},
                                                                    {'input': {'q': 2}}, {'input': {'q': 2}}]}}}
    added = emulator.api('POST', path, json=body).json()['data'][0]['records']
    assert [r['input'] for r in added] == [{'q': 2}]
    body['data']['attributes']['deduplicate'] = False
    assert len(emulator.api('POST', path, json=body).json()['data'][0]['records']) == 3
    assert len(listed(emulator)) == 5
    clone = emulator.api('POST', DATASETS + '/%s/clone' % emulator.dataset_id, json={
        'data': {'type': 'datasets', 'id': emulator.dataset_id, 'attributes': {'name': 'copy'}}}).json()['data']
    copied = listed(emulator, clone['id'])
    assert clone['attributes']['current_version'] == 0 and len(copied) == 5
    mine = [r for r in copied if r['id'] == 'mine'][0]['attributes']
    assert (mine['input'], mine['tags']) == ({'q': 1}, ['x:y'])
    original = [r for r in listed(emulator) if r['id'] == 'mine'][0]['attributes']
    assert mine['canonical_id'] != original['canonical_id']
    assert not set(r['id'] for r in copied if r['id'] != 'mine') & set(r['id'] for r in listed(emulator))


def test_seeds_carry_record_ids_and_tags(in_process):
    emulator = in_process(seeds=[{'projects': [{'id': 'p', 'name': 'p', 'datasets': [{'id': 'd', 'name': 'd', 'records': [
        {'id': 'one', 'input': 'x', 'tags': ['a:b']}, {'input': 'y'}]}]}]}])
    records = emulator.api('GET', '/p/datasets/d/records').json()['data']
    assert [(r['id'] if r['id'] == 'one' else 'generated', r['attributes']['tags']) for r in records] == [
        ('generated', []), ('one', ['a:b'])]
    state = emulator.state()['datasets'][0]
    assert state['record_count'] == 2 and state['current_version'] == 0


def test_100000_records_bulk_loaded_and_listed_in_pages_of_5000(start_emulator):
    emulator = start_emulator()
    created = emulator.api('POST', DATASETS, json={'data': {'type': 'datasets', 'attributes': {'name': 'large'}}})
    dataset_id = created.json()['data']['id']
    loaded = emulator.control('POST', '/records/bulk', json={'project_id': DEMO_PROJECT, 'dataset_id': dataset_id,
                                                             'count': 100000, 'size_bytes': 1024, 'id_prefix': 'rec-'})
    assert loaded['records'] == 100000
    ids, cursor, pages = set(), None, 0
    while True:
        params = {'page[limit]': 5000}
        if cursor:
            params['page[cursor]'] = cursor
        body = emulator.api('GET', DATASETS + '/%s/records' % dataset_id, params=params, timeout=60).json()
        pages += 1
        ids.update(r['id'] for r in body['data'])
        cursor = body['meta']['after']
        if not cursor:
            break
    assert pages == 20 and len(ids) == 100000
    assert 'rec-0' in ids and 'rec-99999' in ids
    assert len(json.dumps(body['data'][0]['attributes']['input'])) >= 900
    # test_reads_and_writes_never_walk_the_whole_dataset checks what a read or a write costs, exactly.
    answer = emulator.api('POST', DATASETS + '/%s/batch_update' % dataset_id, json={'data': {
        'type': 'datasets', 'id': dataset_id, 'attributes': {
            'update_records': [{'id': 'rec-%d' % n, 'expected_output': 'changed'} for n in range(0, 100000, 200)],
            'delete_records': ['rec-%d' % n for n in range(1, 100000, 200)]}}})
    assert answer.status_code == 200
    assert emulator.control('GET', '/state?records=false')['datasets'][0]['record_count'] == 99500


class NoWalkDict(dict):
    """A dict that refuses to be walked and counts its lookups."""

    lookups = 0

    def refuse(self, *args):
        raise AssertionError('the whole dataset was walked')

    __iter__ = values = items = keys = refuse

    def get(self, key, default=None):
        NoWalkDict.lookups += 1
        return dict.get(self, key, default)


def test_reads_and_writes_never_walk_the_whole_dataset(monkeypatch):
    store = Store()
    project_id = store.add_project('p', visible_now=True)
    dataset_id = store.add_dataset(project_id, 'd', visible_now=True)
    store.bulk_records(project_id, dataset_id, 100000, id_prefix='r-')
    table = store.datasets[dataset_id].records
    table.live, table.by_seq = NoWalkDict(table.live), NoWalkDict(table.by_seq)
    monkeypatch.setattr(RecordTable, 'current', NoWalkDict.refuse)
    monkeypatch.setattr(RecordTable, '_version_view', NoWalkDict.refuse)

    NoWalkDict.lookups = 0
    dummy, pairs, after = store.records_page(project_id, dataset_id, None, None, 5000)
    assert pairs[0][0].id == 'r-99999' and NoWalkDict.lookups <= 5001
    NoWalkDict.lookups = 0
    dummy, pairs, after = store.records_page(project_id, dataset_id, None, after, 5000)
    assert pairs[0][0].id == 'r-94999' and NoWalkDict.lookups <= 5001

    store.batch_update(project_id, dataset_id, inserts=[{'input': n} for n in range(500)],
                       updates=[{'id': 'r-%d' % n, 'input': 'changed'} for n in range(0, 50000, 100)],
                       deletes=['r-%d' % n for n in range(1, 50000, 100)])
    store.batch_update(project_id, dataset_id, updates=[{'id': 'r-7', 'metadata': {'m': 1}}], new_version=False)
    assert len(table) == 100000 and store.datasets[dataset_id].current_version == 1
    NoWalkDict.lookups = 0
    dummy, pairs, after = store.records_page(project_id, dataset_id, None, None, 1000)
    assert pairs[0][0].row.input == 499 and NoWalkDict.lookups <= 1001
