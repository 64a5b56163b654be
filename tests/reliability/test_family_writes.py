# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The writes of llmobs_project and llmobs_dataset through every fault class, in real playbook runs.

The clone's fault matrix (test_fault_matrix.py) drives the shared engine through every fault; here
each module's own write path (create, update, delete) meets each class of fault once: a refusal
that asks to wait (429), an answer lost before the write was done, an answer lost after it was
done, and a server that always fails. The promise: success with the write done exactly once, or
a clear failure that says nothing was done, and in no case a duplicate, a traceback or a key.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.tests.support.demo import DEMO_PROJECT
from ansible_collections.llmobs.datadog.tests.support.playbook import API_KEY, APP_KEY, run_playbook
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import warnings_of

KEYS = {'DD-API-KEY': API_KEY, 'DD-APPLICATION-KEY': APP_KEY}

# (fault class, the fault, expected outcome)
FAULT_CLASSES = [
    ('refused-429', dict(status=429, body='strings', reset=1), 'success'),
    ('lost-not-done', dict(status=503), 'success'),
    ('lost-after-done', dict(drop=True, commit=True), 'success'),
    ('always-5xx', dict(status=500, times=None), 'failure'),
]


def make_project(name, records=None):
    """A project named ``name``; with ``records``, it holds a dataset of that many records."""
    def prepare(emulator):
        answer = emulator.api('POST', '/projects', headers=KEYS, json={'data': {'type': 'projects', 'attributes': {
            'name': name, 'description': 'before'}}})
        assert answer.status_code in (200, 201)
        if records is not None:
            project_id = answer.json()['data']['id']
            made = emulator.api('POST', '/%s/datasets' % project_id, headers=KEYS, json={'data': {
                'type': 'datasets', 'attributes': {'name': name + '-data'}}})
            assert made.status_code in (200, 201)
            emulator.control('POST', '/records/bulk', json={
                'project_id': project_id, 'dataset_id': made.json()['data']['id'], 'count': records})
    return prepare


def make_dataset(name):
    def prepare(emulator):
        answer = emulator.api('POST', '/%s/datasets' % DEMO_PROJECT, headers=KEYS, json={'data': {
            'type': 'datasets', 'attributes': {'name': name, 'description': 'before'}}})
        assert answer.status_code in (200, 201)
    return prepare


def named(kind, name):
    return lambda emulator: [item for item in emulator.state()[kind] if item['name'] == name]


def described(description):
    return lambda items: len(items) == 1 and items[0]['description'] == description


class Write(object):
    """One write path of one module: its own name, how to prepare, the task, what the state must be.

    Each write has its own operation, so one playbook run can take every write through a fault class.
    """

    def __init__(self, write_id, module, operation, task, prepare, found, done, undone, untouched):
        self.id = write_id
        self.module = module
        self.operation = operation
        self.task = task
        self.prepare = prepare
        self.found = found          # emulator -> the items of the write's name
        self.done = done            # items -> whether the write took effect (exactly once)
        self.undone = undone        # what a failure of a write sent only once must say did not happen
        self.untouched = untouched  # items -> whether a failed write left everything as it was


WRITES = [
    Write('project-create', 'llmobs.datadog.llmobs_project', 'CreateLLMObsProject',
          dict(name='matrix-project-c', description='after'), None, named('projects', 'matrix-project-c'),
          described('after'), 'nothing was created', lambda items: items == []),
    Write('project-update', 'llmobs.datadog.llmobs_project', 'UpdateLLMObsProject',
          dict(name='matrix-project-u', description='after'), make_project('matrix-project-u'),
          named('projects', 'matrix-project-u'), described('after'), None, described('before')),
    # The project holds a dataset of 1,200 records: deleting it takes force.
    Write('project-delete', 'llmobs.datadog.llmobs_project', 'DeleteLLMObsProjects',
          dict(name='matrix-project-d', state='absent', force=True), make_project('matrix-project-d', records=1200),
          named('projects', 'matrix-project-d'), lambda items: items == [], 'nothing was deleted',
          described('before')),
    Write('dataset-create', 'llmobs.datadog.llmobs_dataset', 'CreateLLMObsDataset',
          dict(project_id=DEMO_PROJECT, name='matrix-dataset-c', description='after'), None,
          named('datasets', 'matrix-dataset-c'), described('after'), 'nothing was created', lambda items: items == []),
    Write('dataset-update', 'llmobs.datadog.llmobs_dataset', 'UpdateLLMObsDataset',
          dict(project_id=DEMO_PROJECT, name='matrix-dataset-u', description='after', metadata={'k': 1}),
          make_dataset('matrix-dataset-u'), named('datasets', 'matrix-dataset-u'),
          lambda items: described('after')(items) and items[0]['metadata'] == {'k': 1}, None, described('before')),
    Write('dataset-delete', 'llmobs.datadog.llmobs_dataset', 'DeleteLLMObsDatasets',
          dict(project_name='demo-project', name='matrix-dataset-d', state='absent'), make_dataset('matrix-dataset-d'),
          named('datasets', 'matrix-dataset-d'), lambda items: items == [], 'nothing was deleted', described('before')),
]


def task(write, options):
    return {'name': write.id, write.module: options, 'register': write.id.replace('-', '_'), 'ignore_errors': True}


# Every class with the keys in the tasks; one with the keys from DD_API_KEY/DD_APP_KEY (test_fault_matrix.py runs
# more): where the keys come from changes what the connection options hold, not how a fault is handled.
RUNS = [cls + ('params',) for cls in FAULT_CLASSES] + [cls + ('env',) for cls in FAULT_CLASSES
                                                       if cls[0] == 'lost-after-done']


@pytest.mark.parametrize('fault_class, fault, expected, key_source', RUNS, ids=['%s-%s' % (r[0], r[3]) for r in RUNS])
def test_writes_through_fault_class(fresh_emulator, record, fault_class, fault, expected, key_source):
    emulator = fresh_emulator
    for write in WRITES:
        if write.prepare:
            write.prepare(emulator)
    for write in WRITES:
        emulator.add_fault(operation=write.operation, **fault)
    emulator.control('DELETE', '/requests')

    # timeout 1 s and retries 2, as in the clone's matrix; wait_timeout 1 s bounds each look for a lost
    # write (there is no lag here), so that the always-failing class stays short. After a success, the
    # same task runs again in the same playbook: the very next run must find the work done.
    keys = dict(api_key=API_KEY, app_key=APP_KEY) if key_source == 'params' else {}
    tasks, registered = [], []
    for round_number in ((1, 2) if expected == 'success' else (1,)):
        for write in WRITES:
            options = dict(write.task, api_url=emulator.url, timeout=1, retries=2, wait_timeout=1, **keys)
            step = task(write, options)
            step['register'] += '_%d' % round_number
            tasks.append(step)
            registered.append(step['register'])
    env = {'DD_API_KEY': API_KEY, 'DD_APP_KEY': APP_KEY} if key_source == 'env' else {}
    run = run_playbook(tasks, registered, extra_env=env)

    assert run.leaks() == []
    assert run.tracebacks() == []
    log = emulator.requests_log()
    for number, write in enumerate(WRITES):
        result = run.results[number]
        items = write.found(emulator)
        writes_sent = [e for e in log if e['operation'] == write.operation]
        outcome = 'failure' if result.get('failed') else 'success'
        assert outcome == expected, '%s: %s' % (write.id, result.get('msg'))
        assert len(writes_sent) <= 2 + 1, '%s: retries: 2 bounds the sends of one write' % write.id
        if outcome == 'success':
            assert write.done(items), (write.id, items)
            assert result['changed'] is True, write.id
            rerun = run.results[len(WRITES) + number]
            assert rerun.get('failed') is not True and rerun['changed'] is False, (write.id, rerun.get('msg'))
            if fault_class == 'lost-after-done' and write.undone:
                # The answer was lost after the write was done: a lookup found it, so it was not sent again.
                assert [e['status'] for e in writes_sent] == ['dropped'], write.id
                assert any('a lookup shows it was done' in w for w in warnings_of(result)), write.id
        else:
            assert write.untouched(items), (write.id, items)
            assert 'failed with HTTP 5' in result['msg'], write.id
            if write.undone:
                assert write.undone in result['msg'], (write.id, result['msg'])

        if key_source == 'params':
            record('family_writes', {
                'write': write.id, 'fault': fault_class, 'expected': expected, 'outcome': outcome,
                'changed': result.get('changed'), 'write_requests': len(writes_sent),
                'retries': sum(1 for w in warnings_of(result) if 'retrying in' in w), 'message': result.get('msg', ''),
            })


def test_check_mode_never_writes(fresh_emulator, record):
    emulator = fresh_emulator
    for write in WRITES:
        if write.prepare:
            write.prepare(emulator)
    emulator.control('DELETE', '/requests')
    tasks = []
    for write in WRITES:
        step = task(write, dict(write.task, api_url=emulator.url, api_key=API_KEY, app_key=APP_KEY))
        step['check_mode'] = True
        tasks.append(step)
    run = run_playbook(tasks, [step['register'] for step in tasks])

    assert run.leaks() == [] and run.tracebacks() == []
    assert [e for e in emulator.requests_log() if e['method'] != 'GET'] == []
    for write, result in zip(WRITES, run.results):
        assert result['changed'] is True, (write.id, result.get('msg'))
        assert 'check mode' in result['msg'], write.id
        record('family_check_mode', {'write': write.id, 'msg': result['msg']})


def test_a_project_that_holds_datasets_is_not_deleted_without_force(fresh_emulator):
    emulator = fresh_emulator
    make_project('matrix-project-full', records=1200)(emulator)
    emulator.control('DELETE', '/requests')
    options = dict(name='matrix-project-full', state='absent', api_url=emulator.url, api_key=API_KEY, app_key=APP_KEY)
    tasks = [
        {'name': 'refused', 'llmobs.datadog.llmobs_project': options, 'register': 'refused', 'ignore_errors': True},
        {'name': 'refused in check mode', 'llmobs.datadog.llmobs_project': options, 'register': 'refused_check',
         'check_mode': True, 'ignore_errors': True},
    ]
    run = run_playbook(tasks, ['refused', 'refused_check'])

    assert run.leaks() == [] and run.tracebacks() == []
    assert [e for e in emulator.requests_log() if e['method'] != 'GET'] == []
    project = named('projects', 'matrix-project-full')(emulator)
    assert len(project) == 1
    assert [d['record_count'] for d in emulator.state()['datasets'] if d['project_id'] == project[0]['id']] == [1200]
    for result in run.results:
        assert result['failed'] is True and result['changed'] is False
        assert result['msg'] == (
            "Project 'matrix-project-full' (id %s) still holds 1 dataset with 1,200 records; deleting it deletes them "
            "too. Set force: true to delete it with them, or delete the dataset first." % project[0]['id'])
        assert result['contents'] == {'datasets': 1, 'records': 1200}
