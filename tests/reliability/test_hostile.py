# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Hostile servers and hostile records files, in real playbook runs on both execution paths.

The servers (docs/emulator.md, "Hostile servers"): answers sent 2 bytes every half second, lists
whose pages never end, a 403 page that echoes the API key where an excerpt of it cuts the key, and
a ``batch_update`` whose answer is lost while records reads lag longer than ``wait_timeout``. The
promise: every run ends within seconds with a clear message, never prints a part of a key, never
writes a record twice, and never says "not written" about records that are there; a re-run
converges. The files: every one that declares no records, blocks, expands or nests without end is
refused before any request, naming the file. Each case runs in the controller (the default) and
as a module (``LLMOBS_IN_PROCESS=0``); tests/integration/targets/hostile holds the same cases on
every ansible-core of the matrix.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from ansible_collections.llmobs.datadog.tests.support.demo import DEMO_DATASET, DEMO_DATASET_NAME, DEMO_PROJECT
from ansible_collections.llmobs.datadog.tests.support.emulator import wait_for
from ansible_collections.llmobs.datadog.tests.support.playbook import API_KEY, APP_KEY, run_playbook
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import warnings_of

KEYS = {'DD-API-KEY': API_KEY, 'DD-APPLICATION-KEY': APP_KEY}
PATHS = [('controller', {}), ('module', {'LLMOBS_IN_PROCESS': '0'})]
# Sent only by the key-echo case, which the emulator refuses before checking keys: distinctive at both ends.
ECHOED_KEY = 'Zq7xReliabilityEchoKeyQxZwJvKp'
# A bound for every run: a hostile server or file must not hold a task longer (the task's own timeout is 60).
# The endless lists take list_timeout: 1: the module and the emulator stay busy until it passes, and 1 second
# proves the bound as well as 3.
RUN_SECONDS = 30
RECORDS_LAG = 5
WAIT_TIMEOUT = 2


def connection(emulator, **more):
    options = dict(api_url=emulator.url, api_key=API_KEY, app_key=APP_KEY, timeout=2, retries=1)
    options.update(more)
    return options


def task(name, module, options):
    # The task keyword timeout is a safety net: a regression fails the run instead of hanging the suite.
    return {'name': name, 'llmobs.datadog.' + module: options, 'register': name, 'ignore_errors': True, 'timeout': 60}


def api_requests(emulator):
    return len(emulator.requests_log())


def assert_clean(run):
    assert run.leaks() == [] and run.tracebacks() == []


def row(case, path, what, expected, run, result, emulator, **more):
    outcome = 'failure' if result.get('failed') else 'success'
    entry = {'case': case, 'path': path, 'what': what, 'expected': expected, 'outcome': outcome,
             'changed': bool(result.get('changed')), 'seconds': round(run.seconds, 1),
             'requests': api_requests(emulator), 'message': result.get('msg', '')}
    entry.update(more)
    return entry


# ---------------------------------------------------------------------- servers


SERVERS = [
    ('slow drip', 'every dataset list answered 2 bytes every 0.5 s, status line and headers included',
     dict(operation='ListLLMObsDatasets', drip=[2, 0.5], times=None),
     ('llmobs_dataset_info', dict(project_id=DEMO_PROJECT, name=DEMO_DATASET_NAME)), 'timeout'),
    ('endless records list', 'every page of the records list brings 100 new records and a next cursor',
     dict(operation='ListLLMObsDatasetRecords', endless=True),
     ('llmobs_dataset_records_info', dict(project_id=DEMO_PROJECT, dataset_id=DEMO_DATASET, list_timeout=1)),
     'list_timeout'),
    ('endless dataset list', 'every page of the dataset list brings 100 new datasets and a next cursor',
     dict(operation='ListLLMObsDatasets', endless=True),
     ('llmobs_dataset_info', dict(project_id=DEMO_PROJECT, name=DEMO_DATASET_NAME, list_timeout=1)), 'list_timeout'),
    ('key echoed', 'a 403 HTML page repeats the API key 190 characters in, so that a 200-character excerpt cuts it',
     dict(operation='ListLLMObsDatasets', status=403, body='echo_key', times=None),
     ('llmobs_dataset_info', dict(project_id=DEMO_PROJECT, name=DEMO_DATASET_NAME, api_key=ECHOED_KEY)), '403'),
]


@pytest.mark.parametrize('path, path_env', PATHS, ids=[p[0] for p in PATHS])
@pytest.mark.parametrize('case, what, fault, call, words', SERVERS, ids=[s[0].replace(' ', '-') for s in SERVERS])
def test_hostile_server(fresh_emulator, record, path, path_env, case, what, fault, call, words):
    emulator = fresh_emulator
    emulator.add_fault(**fault)
    module, options = call
    run = run_playbook([task('hostile', module, connection(emulator, **options))], ['hostile'], extra_env=path_env)
    result = run.result

    assert_clean(run)
    assert result.get('failed') is True, result
    assert words in result['msg'], result['msg']
    assert run.seconds < RUN_SECONDS, '%s took %.1f s' % (case, run.seconds)
    if case == 'key echoed':
        everything = [run.stdout, run.stderr, json.dumps(run.results)]
        for fragment in (ECHOED_KEY[:4], ECHOED_KEY[-4:]):
            assert not [text for text in everything if fragment in text], 'a part of the key was printed: %s' % fragment
        assert '********' in result['msg'], result['msg']  # the part of the key that the excerpt held, masked
    record('hostile_servers', row(case, path, what, 'failure within seconds', run, result, emulator,
                                  retries=sum(1 for w in warnings_of(result) if 'retrying in' in w)))


def make_dataset(emulator, name):
    answer = emulator.api('POST', '/%s/datasets' % DEMO_PROJECT, headers=KEYS,
                          json={'data': {'type': 'datasets', 'attributes': {'name': name}}})
    assert answer.status_code in (200, 201), answer.text
    return answer.json()['data']['id']


def held(emulator, dataset_id):
    return [d for d in emulator.state()['datasets'] if d['id'] == dataset_id][0]


LOST = [
    ('lost answer, keyed by input', False, 'failure: outcome unknown, a re-run converges'),
    ('lost answer, keyed by id', True, 'success, or failure: outcome unknown'),
]


@pytest.mark.parametrize('path, path_env', PATHS, ids=[p[0] for p in PATHS])
@pytest.mark.parametrize('case, with_ids, expected', LOST, ids=['by-input', 'by-id'])
def test_lost_batch_answer_while_reads_lag(fresh_emulator, record, tmp_path, path, path_env, case, with_ids, expected):
    emulator = fresh_emulator
    emulator.configure(records_lag=RECORDS_LAG)
    dataset_id = make_dataset(emulator, 'hostile-lost')
    records_file = str(tmp_path / 'records.jsonl')
    with open(records_file, 'w') as handle:
        for number in range(3):
            item = {'input': 'Question %d?' % number, 'expected_output': 'Answer %d' % number}
            if with_ids:
                item['id'] = 'e%d' % (number + 1)
            handle.write(json.dumps(item) + '\n')
    emulator.add_fault(operation='BatchUpdateLLMObsDataset', commit=True, drop=True)
    options = connection(emulator, project_id=DEMO_PROJECT, dataset_id=dataset_id, src=records_file, purge=True,
                         wait_timeout=WAIT_TIMEOUT)
    run = run_playbook([task('sync', 'llmobs_dataset_records', options)], ['sync'], extra_env=path_env)
    result = run.result

    assert_clean(run)
    dataset = held(emulator, dataset_id)
    inputs = [r['input'] for r in dataset['records']]
    assert len(inputs) == len(set(inputs)) == 3, '%s: records held %s' % (case, inputs)
    # Nothing said may deny a write that is there: neither the message nor a warning of a retry.
    said = [result.get('msg', '')] + warnings_of(result)
    assert not [text for text in said if 'not written' in text or 'was not done' in text], said
    assert result['changed'] is True, result
    writes = [e for e in emulator.requests_log() if e['operation'] == 'BatchUpdateLLMObsDataset']
    if not with_ids:
        assert result.get('failed') is True and 'unknown' in result['msg'], result
        assert len(writes) == 1, 'a batch keyed by input was sent again'
    elif result.get('failed'):
        assert 'unknown' in result['msg'], result['msg']
    run_seconds = run.seconds

    # Once the records show, the next run finds them all and changes nothing.
    assert wait_for(lambda: held(emulator, dataset_id)['listed_record_count'] == 3, timeout=RECORDS_LAG + 5)
    emulator.control('DELETE', '/requests')
    rerun = run_playbook([task('again', 'llmobs_dataset_records', options)], ['again'], extra_env=path_env)
    again = rerun.result
    assert_clean(rerun)
    assert again.get('failed') is not True and again['changed'] is False, again.get('msg')
    assert len(held(emulator, dataset_id)['records']) == 3
    assert [e for e in emulator.requests_log() if e['method'] != 'GET'] == []

    record('hostile_servers', dict(
        case=case, path=path, expected=expected, outcome='failure' if result.get('failed') else 'success',
        what='a batch_update of 3 records is written, its connection dropped; records lists lag %d s, wait_timeout is %d'
             % (RECORDS_LAG, WAIT_TIMEOUT),
        changed=bool(result.get('changed')), seconds=round(run_seconds, 1), requests=len(writes),
        message=result.get('msg', ''), warnings=warnings_of(result), retries=0,
        rerun='converged: %s' % again.get('msg', '')))


# ---------------------------------------------------------------------- files


def hostile_files(directory):
    """(case, what, path) of each hostile records file, made in ``directory``."""
    def write(name, text):
        path = os.path.join(directory, name)
        with open(path, 'w') as handle:
            handle.write(text)
        return path

    fifo = os.path.join(directory, 'fifo.jsonl')
    os.mkfifo(fifo)
    zero = os.path.join(directory, 'zero.jsonl')
    os.symlink('/dev/zero', zero)
    laughs = ['- input:', '    a: &a [%s]' % ', '.join(['lol'] * 9)]
    for level, name in enumerate('bcdefghi'):
        laughs.append('    %s: %s[%s]' % (name, '' if name == 'i' else '&%s ' % name, ', '.join(['*' + 'abcdefgh'[level]] * 9)))
    good = json.dumps({'input': 'What is the capital of Laos?'})
    return [
        ('empty .jsonl', 'no bytes at all', write('empty.jsonl', '')),
        ('blank .jsonl', 'only blank lines', write('blank.jsonl', '\n \n\n')),
        ('header-only .csv', 'a header row and no record', write('header.csv', 'id,input\n')),
        ('short .csv row', 'line 3 has fewer cells than the header',
         write('short.csv', 'id,input,expected_output\na,one,1\nb,two\n')),
        ('input null', 'line 2 has "input": null', write('null.jsonl', good + '\n{"input": null}\n')),
        ('bad JSON line', 'line 3 is not JSON', write('bad.jsonl', good + '\n' + good.replace('Laos', 'Mali') + '\n{"input": 1,}\n')),
        ('FIFO', 'src is a named pipe nobody writes to', fifo),
        ('/dev/zero', 'src is a symlink to /dev/zero', zero),
        ('billion laughs', '%d bytes of YAML aliases that expand to 387,420,489 strings' % len('\n'.join(laughs)),
         write('laughs.yaml', '\n'.join(laughs) + '\n')),
        ('deep JSON', 'line 2 nests 5000 lists', write('deep.jsonl', good + '\n{"input": %s"x"%s}\n' % ('[' * 5000, ']' * 5000))),
        ('deep YAML', 'line 2 nests 5000 lists', write('deep.yaml', '- input: a\n- input: %sx%s\n' % ('[' * 5000, ']' * 5000))),
    ]


@pytest.mark.parametrize('path, path_env', PATHS, ids=[p[0] for p in PATHS])
def test_hostile_files_are_refused_before_any_request(fresh_emulator, record, tmp_path, path, path_env):
    emulator = fresh_emulator
    cases = hostile_files(str(tmp_path))
    version = held(emulator, DEMO_DATASET)['current_version']
    emulator.control('DELETE', '/requests')
    tasks = [task('file_%02d' % number, 'llmobs_dataset_records', connection(
        emulator, project_id=DEMO_PROJECT, dataset_id=DEMO_DATASET, src=src, purge=True))
        for number, (dummy, dummy2, src) in enumerate(cases)]
    try:
        run = run_playbook(tasks, ['file_%02d' % number for number in range(len(cases))], extra_env=path_env)
    finally:
        try:  # a reader blocked on the FIFO (a regression) gets its end of file
            os.close(os.open(cases[6][2], os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass

    assert_clean(run)
    assert emulator.requests_log() == [], 'a hostile file led to a request'
    dataset = held(emulator, DEMO_DATASET)
    assert dataset['record_count'] == 5 and dataset['current_version'] == version
    assert run.seconds < 2 * RUN_SECONDS
    for (case, what, src), result in zip(cases, run.results):
        assert result.get('failed') is True, (case, result)
        assert os.path.basename(src) in result['msg'], (case, result['msg'])
        assert 'recursion' not in result['msg'], (case, result['msg'])
        record('hostile_files', {'case': case, 'path': path, 'what': what, 'outcome': 'refused',
                                 'message': result['msg'].replace(str(tmp_path) + os.sep, '')})
    record('hostile_files_runs', {'path': path, 'seconds': round(run.seconds, 1), 'files': len(cases)})
