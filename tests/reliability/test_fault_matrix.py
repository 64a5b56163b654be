# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The fault matrix: a real playbook run per fault (keys in the task; in some, from the environment), -vvvv --diff.

The promise checked every time: the run either succeeds with exactly one clone, or fails with a
clear message and no traceback, and never leaves a duplicate; the keys appear nowhere.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.tests.support.demo import DEMO_DATASET as SOURCE, DEMO_PROJECT as PROJECT
from ansible_collections.llmobs.datadog.tests.support.playbook import (
    API_KEY,
    APP_KEY,
    run_tasks,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import warnings_of

TARGET = 'matrix-copy'
LIST, CLONE = 'ListLLMObsDatasets', 'CloneLLMObsDataset'


class Case(object):
    def __init__(self, case_id, what, faults=(), config=None, options=None, expect='success', prepare=None,
                 already_there=False):
        self.id = case_id
        self.what = what
        self.faults = list(faults)
        self.config = config or {}
        self.options = options or {}
        self.expect = expect
        self.prepare = prepare
        self.already_there = already_there


def many_near_misses(emulator):
    """6,000 datasets whose names contain the target's: two pages of 5,000 for an inexact filter."""
    emulator.control('POST', '/datasets/bulk', json={'project_id': PROJECT, 'count': 6000, 'name_prefix': TARGET + '-'})


def target_then_near_misses(emulator):
    made = emulator.api('POST', '/%s/datasets/%s/clone' % (PROJECT, SOURCE), json={'data': {
        'type': 'datasets', 'id': SOURCE, 'attributes': {'name': TARGET}}},
        headers={'DD-API-KEY': API_KEY, 'DD-APPLICATION-KEY': APP_KEY})
    assert made.status_code == 200
    many_near_misses(emulator)


CASES = [
    Case('429-reset', '429 with X-RateLimit-Reset on the lookup',
         [dict(operation=LIST, status=429, body='strings', reset=1)]),
    Case('429-no-reset', '429 without X-RateLimit-Reset on the clone',
         [dict(operation=CLONE, status=429, body='strings', reset=None)]),
    Case('429-window', 'a real rate limit: 2 requests per 2 seconds', config={'rate_limit': {'limit': 2, 'period': 2}}),
    Case('500-read', '500 on the lookup', [dict(operation=LIST, status=500)]),
    Case('500-write', '500 on the clone, nothing made', [dict(operation=CLONE, status=500)]),
    Case('502-html-read', '502 with an HTML body on the lookup', [dict(operation=LIST, status=502, body='html')]),
    Case('502-html-write', '502 with an HTML body on the clone, after it was made',
         [dict(operation=CLONE, status=502, body='html', commit=True)]),
    Case('503-read', '503 on the lookup', [dict(operation=LIST, status=503)]),
    Case('503-write', '503 on the clone, nothing made', [dict(operation=CLONE, status=503)]),
    Case('504-read', '504 on the lookup', [dict(operation=LIST, status=504, body='empty')]),
    Case('504-write', '504 on the clone, after it was made', [dict(operation=CLONE, status=504, commit=True)]),
    Case('503-read-always', '503 on every lookup', [dict(operation=LIST, status=503, times=None)], expect='failure'),
    Case('500-write-always', '500 on every clone, nothing made', [dict(operation=CLONE, status=500, times=None)],
         expect='failure'),
    Case('slow-read', 'lookup answer slower than timeout', [dict(operation=LIST, delay=3)]),
    Case('slow-write', 'clone answer slower than timeout (made after 3 s)', [dict(operation=CLONE, delay=3, commit=True)]),
    Case('drop-before-read', 'connection dropped before the lookup', [dict(operation=LIST, drop=True)]),
    Case('drop-before-write', 'connection dropped before the clone was made', [dict(operation=CLONE, drop=True)]),
    Case('drop-after-write', 'connection dropped after the clone was made',
         [dict(operation=CLONE, drop=True, commit=True)]),
    Case('malformed-read', 'malformed JSON in a 200 to the lookup', [dict(operation=LIST, body='malformed')]),
    Case('malformed-write', 'malformed JSON in a 200 to the clone, which was made', [dict(operation=CLONE, body='malformed')]),
    Case('empty-read', 'empty body in a 200 to the lookup', [dict(operation=LIST, body='empty')]),
    Case('empty-write', 'empty body in a 500 to the clone, which was made',
         [dict(operation=CLONE, status=500, body='empty', commit=True)]),
    Case('commit-then-5xx', 'clone made, then 500', [dict(operation=CLONE, status=500, commit=True)]),
    Case('commit-then-no-response', 'clone made, then no answer (dropped)',
         [dict(operation=CLONE, drop=True, commit=True)]),
    Case('commit-then-5xx-lag-4', 'clone made, then 500, with a 4 s consistency lag',
         [dict(operation=CLONE, status=500, commit=True)], config={'lag': 4}, options={'wait_timeout': 15}),
] + [
    Case('lag-%d' % lag, 'consistency lag of %d s' % lag, config={'lag': lag}, options={'wait_timeout': 15})
    for lag in (0, 2, 4, 6, 8)
] + [
    Case('pages-change-new', 'the list changes between pages (6,000 near misses), name absent',
         config={'inexact_name_filter': True, 'page_churn': 3}, prepare=many_near_misses),
    Case('pages-change-existing', 'the list changes between pages (6,000 near misses), name present',
         config={'inexact_name_filter': True, 'page_churn': 3}, prepare=target_then_near_misses, already_there=True),
]


def clones_named(emulator, name):
    return [d for d in emulator.state()['datasets'] if d['name'] == name]


# Keys given in the task (every case) and from DD_API_KEY/DD_APP_KEY (a case of each kind of fault: a refusal, a
# write lost before and after it was done, an unreadable answer, a timeout, a failure to the end, lag, a list that
# changes): where the keys come from changes what the connection options hold, not how a fault is handled.
ENV_CASES = ('429-reset', '500-write', 'drop-after-write', 'malformed-write', 'slow-write', '503-read-always',
             'commit-then-5xx-lag-4', 'pages-change-existing')
RUNS = [(case, 'params') for case in CASES] + [(case, 'env') for case in CASES if case.id in ENV_CASES]


@pytest.mark.parametrize('case, key_source', RUNS, ids=['%s-%s' % (case.id, source) for case, source in RUNS])
def test_fault(fresh_emulator, record, case, key_source):
    emulator = fresh_emulator
    if case.prepare:
        case.prepare(emulator)
    if case.config:
        emulator.configure(**case.config)
    for fault in case.faults:
        emulator.add_fault(**fault)
    emulator.control('DELETE', '/requests')

    # timeout 1 s so that a 3 s delay is past it; wait_timeout 3 s bounds the look for a lost clone.
    options = dict(api_url=emulator.url, project_id=PROJECT, dataset_id=SOURCE, name=TARGET, timeout=1, retries=2,
                   wait_timeout=3)
    options.update(case.options)
    tasks = [options]
    rerun_now = case.id.startswith('lag-')
    if rerun_now:
        tasks.append(dict(options))  # the very next run must find the clone, whatever the lag
    run = run_tasks(tasks, key_source=key_source)

    result = run.result
    clones = clones_named(emulator, TARGET)
    log = emulator.requests_log()
    outcome = 'failure' if result.get('failed') else 'success'

    # the promises
    assert run.leaks() == []
    assert run.tracebacks() == []
    assert len(clones) <= 1, 'a duplicate was made'
    assert outcome == case.expect, result.get('msg')
    if outcome == 'success':
        assert len(clones) == 1
        assert result['dataset']['id'] == clones[0]['id']
        assert result['changed'] is (not case.already_there)
    else:
        assert len(clones) == 0
        assert 'failed with HTTP 5' in result['msg']
        if any(e['operation'] == CLONE for e in log):
            # a clone request was sent: the message must say that it left nothing behind
            assert 'nothing was created' in result['msg']
    if rerun_now:
        assert run.results[1]['changed'] is False
        assert run.results[1]['dataset']['id'] == result['dataset']['id']

    if key_source == 'params':
        record('fault_matrix', {
            'case': case.id, 'what': case.what, 'expected': case.expect, 'outcome': outcome,
            'changed': result.get('changed'), 'clones': len(clones),
            'clone_requests': sum(1 for e in log if e['operation'] == CLONE),
            'requests': len(log), 'retries': sum(1 for w in warnings_of(result) if 'retrying in' in w),
            'seconds': round(run.seconds, 1), 'message': result.get('msg', ''),
        })
