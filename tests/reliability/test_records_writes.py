# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The writes of llmobs_dataset_records through every fault, in real playbook runs.

One sync of a records file (JSONL, 2,200 records keyed by id, ``purge: true``) against a dataset
that holds 1,100 records: 1,200 inserts, 200 updates of ``expected_output``, 100 deletes and 800
records already as declared, that is two ``batch_update`` requests (1,000 changes, then 500).
Each case injects one fault into those requests. The promise: success with the dataset equal to
the file, exactly one new version and no record written twice; or a clear failure that says how
much was written, after which the next run converges to the file, again with one version and no
duplicate. A run right after a success changes nothing and sends no write. In no case a
traceback or a key in the output.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.llmobs.datadog.tests.support.demo import DEMO_PROJECT
from ansible_collections.llmobs.datadog.tests.support.playbook import API_KEY, APP_KEY, run_playbook
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import warnings_of

KEYS = {'DD-API-KEY': API_KEY, 'DD-APPLICATION-KEY': APP_KEY}
WRITE = 'BatchUpdateLLMObsDataset'
DATASET_NAME = 'records-reliability'
DECLARED = 2200
KEPT, UPDATED, UNDECLARED = 800, 200, 100
EXPECTED_COUNTS = dict(created=DECLARED - KEPT - UPDATED, updated=UPDATED, deleted=UNDECLARED, unchanged=KEPT)


def declared_record(number):
    return {'id': 'k-%04d' % number, 'input': {'question': 'Question %d?' % number},
            'expected_output': {'answer': 'Answer %d' % number}, 'metadata': {'n': number},
            'tags': ['set:reliability']}


def stored_before(number):
    """The dataset's version of a declared record before the sync: the last UPDATED have an old answer."""
    item = declared_record(number)
    if number >= KEPT:
        item['expected_output'] = {'answer': 'Old answer %d' % number}
    return item


def undeclared_record(number):
    return {'id': 'x-%03d' % number, 'input': {'question': 'Retired question %d?' % number}}


def prepare(emulator, records_file):
    """The dataset before the sync, and the declared file; returns (dataset id, its version)."""
    answer = emulator.api('POST', '/%s/datasets' % DEMO_PROJECT, headers=KEYS, json={'data': {
        'type': 'datasets', 'attributes': {'name': DATASET_NAME}}})
    assert answer.status_code in (200, 201), answer.text
    dataset_id = answer.json()['data']['id']
    for inserts in ([stored_before(n) for n in range(KEPT + UPDATED)], [undeclared_record(n) for n in range(UNDECLARED)]):
        answer = emulator.api('POST', '/%s/datasets/%s/batch_update' % (DEMO_PROJECT, dataset_id), headers=KEYS,
                              json={'data': {'type': 'datasets', 'id': dataset_id,
                                             'attributes': {'insert_records': inserts}}})
        assert answer.status_code == 200, answer.text
    with open(records_file, 'w') as handle:
        for number in range(DECLARED):
            handle.write(json.dumps(declared_record(number)) + '\n')
    return dataset_id, dataset_state(emulator, dataset_id)['current_version']


def dataset_state(emulator, dataset_id):
    return [d for d in emulator.state()['datasets'] if d['id'] == dataset_id][0]


def holds_exactly_the_file(dataset):
    """Whether the dataset's records are the declared ones, each once, field for field."""
    def canonical(item):
        return json.dumps(dict(item, tags=sorted(item.get('tags') or []), metadata=item.get('metadata') or {}),
                          sort_keys=True)
    held = [canonical(r) for r in dataset['records']]
    return len(held) == DECLARED and sorted(held) == sorted(canonical(declared_record(n)) for n in range(DECLARED))


def writes(emulator):
    return [e for e in emulator.requests_log() if e['operation'] == WRITE]


def sync_task(emulator, name, records_file, **more):
    options = dict(api_url=emulator.url, project_id=DEMO_PROJECT, dataset_name=DATASET_NAME, src=records_file, purge=True,
                   api_key=API_KEY, app_key=APP_KEY, timeout=1, retries=2, wait_timeout=2)
    options.update(more)
    return {'name': name, 'llmobs.datadog.llmobs_dataset_records': options, 'register': name, 'ignore_errors': True}


# (case, what is done to the batch_update requests, expected outcome, batch_update requests the
# emulator receives in the faulty run: refused, dropped and timed-out ones included)
FAULTS = [
    ('rate-limited', 'the first answers 429 with X-RateLimit-Reset: 1', dict(faults=[dict(status=429, body='strings', reset=1)]),
     'success', 3),
    ('lost-not-done', 'the first answers 503 and is not written', dict(faults=[dict(status=503)]), 'success', 3),
    ('lost-after-done', 'the first is written, then its connection is dropped', dict(faults=[dict(drop=True, commit=True)]),
     'success', 2),
    ('second-lost-after-done', 'the second is written, then answers 500', dict(faults=[dict(status=500, commit=True, skip=1)]),
     'success', 2),
    ('late-write', 'the first is written 2.5 s late, after the 1 s timeout (wait_timeout: 4)',
     dict(faults=[dict(delay=2.5)], options=dict(wait_timeout=4)), 'success', 2),
    ('too-large', 'the first answers 413 once', dict(faults=[dict(status=413)]), 'success', 4),
    ('small-server', 'the server takes at most 400 records a request (413 beyond)', dict(max_batch_records=400),
     'success', 8),
    ('refused-403', 'the first is refused with 403 (a read-only dataset)', dict(faults=[dict(status=403)]), 'failure', 1),
    ('always-5xx', 'every one answers 500 and none is written', dict(faults=[dict(status=500, times=None)]), 'failure', 3),
    ('half-way', 'the first is written; then every one answers 500', dict(faults=[dict(status=500, times=None, skip=1)]),
     'failure', 4),
]


@pytest.mark.parametrize('case, what, setup, expected, write_requests', FAULTS, ids=[f[0] for f in FAULTS])
def test_records_sync_through_fault(fresh_emulator, record, tmp_path, case, what, setup, expected, write_requests):
    emulator = fresh_emulator
    records_file = str(tmp_path / 'records.jsonl')
    dataset_id, version_before = prepare(emulator, records_file)
    for fault in setup.get('faults', ()):
        emulator.add_fault(operation=WRITE, **fault)
    if 'max_batch_records' in setup:
        emulator.configure(max_batch_records=setup['max_batch_records'])
    emulator.control('DELETE', '/requests')

    # After a success the same task runs again in the same playbook: the very next run must find the work done.
    options = setup.get('options', {})
    names = ['sync', 'again'] if expected == 'success' else ['sync']
    run = run_playbook([sync_task(emulator, name, records_file, **options) for name in names], names)

    assert run.leaks() == [] and run.tracebacks() == []
    result = run.results[0]
    dataset = dataset_state(emulator, dataset_id)
    ids = [r['id'] for r in dataset['records']]
    assert len(ids) == len(set(ids)), '%s: a record id is held twice' % case
    outcome = 'failure' if result.get('failed') else 'success'
    assert outcome == expected, '%s: %s' % (case, result.get('msg'))
    sent = writes(emulator)
    assert len(sent) == write_requests, (case, [e['status'] for e in sent])
    if outcome == 'success':
        again = run.results[1]
        assert dict((k, result[k]) for k in EXPECTED_COUNTS) == EXPECTED_COUNTS, result
        assert result['changed'] is True and result['version_created'] is True
        assert holds_exactly_the_file(dataset), case
        assert dataset['current_version'] == version_before + 1, '%s: one run, one version' % case
        assert result['dataset']['current_version'] == dataset['current_version']
        assert again.get('failed') is not True and again['changed'] is False, again.get('msg')
        assert again['unchanged'] == DECLARED  # and it sent no write: the count above is the faulty run's
        if 'lost-after-done' in case or case == 'late-write':
            assert any('a lookup shows it was done' in w for w in warnings_of(result)), case
    else:
        if case == 'half-way':
            assert 'Before this failure 1000 of 1500 changes were written in 1 request' in result['msg'], result['msg']
            assert 'running the task again finishes the rest' in result['msg']
            assert result['changed'] is True, 'failed, and yet the dataset changed'
            assert dataset['current_version'] == version_before + 1, 'the written batch made the one version'
        else:
            assert 'Before this failure' not in result['msg'], result['msg']
            assert result.get('changed') is not True, case
            assert dataset['current_version'] == version_before, '%s: nothing was written' % case
            assert len(ids) == KEPT + UPDATED + UNDECLARED, '%s: nothing was written' % case
        # Whatever the failure left, the next run (the fault gone) finishes the sync: one more version, no duplicate.
        emulator.control('DELETE', '/faults')
        emulator.control('DELETE', '/requests')
        version_failed = dataset['current_version']
        rerun = run_playbook([sync_task(emulator, 'finish', records_file)], ['finish']).result
        finished = dataset_state(emulator, dataset_id)
        assert rerun.get('failed') is not True and rerun['changed'] is True, rerun.get('msg')
        assert holds_exactly_the_file(finished), case
        assert finished['current_version'] == version_failed + 1, case
        if case == 'half-way':
            assert (rerun['created'], rerun['updated'], rerun['deleted']) == (300, 200, 0), rerun['msg']
            assert len(writes(emulator)) == 1
        else:
            assert dict((k, rerun[k]) for k in EXPECTED_COUNTS) == EXPECTED_COUNTS, rerun['msg']
            assert len(writes(emulator)) == 2

    record('records_writes', {
        'case': case, 'what': what, 'expected': expected, 'outcome': outcome, 'changed': result.get('changed'),
        'write_requests': len(sent), 'versions': dataset['current_version'] - version_before,
        'records': len(ids), 'retries': sum(1 for w in warnings_of(result) if 'retrying in' in w),
        'message': result.get('msg', ''),
    })


def test_records_check_mode_never_writes(fresh_emulator, record, tmp_path):
    emulator = fresh_emulator
    records_file = str(tmp_path / 'records.jsonl')
    dataset_id, version_before = prepare(emulator, records_file)
    emulator.control('DELETE', '/requests')
    step = sync_task(emulator, 'dry_run', records_file)
    step['check_mode'] = True
    run = run_playbook([step], ['dry_run'])

    assert run.leaks() == [] and run.tracebacks() == []
    assert [e for e in emulator.requests_log() if e['method'] != 'GET'] == []
    result = run.result
    assert result['changed'] is True and result['version_created'] is True
    assert dict((k, result[k]) for k in EXPECTED_COUNTS) == EXPECTED_COUNTS
    assert 'check mode' in result['msg']
    assert dataset_state(emulator, dataset_id)['current_version'] == version_before
    record('records_check_mode', {'msg': result['msg']})
