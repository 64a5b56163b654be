# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run the collection's modules through a real ``ansible-playbook -vvvv --diff``, the way a user
does, and collect everything a secret could leak into: stdout, stderr and the registered results."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys
import tempfile
import time

from ansible_collections.llmobs.datadog.tests.support.demo import COLLECTIONS_ROOT

# Distinctive, so that a leak anywhere is found by a plain substring search.
API_KEY = 'ReliabilityApiKey7f3e9c21d4b8'
APP_KEY = 'ReliabilityAppKey0a6d5b18e2c7'
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
DEFAULT_MODULE = 'llmobs.datadog.llmobs_dataset_clone'
ACTION_PLUGINS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'action_plugins')


def child_environment(base=None, **more):
    """``base`` (default: this process's environment) and ``more``, where child processes
    (ansible-playbook, python -m) find this same copy of the collection first."""
    env = dict(os.environ if base is None else base, **more)
    for name in ('ANSIBLE_COLLECTIONS_PATH', 'PYTHONPATH'):
        env[name] = os.pathsep.join([COLLECTIONS_ROOT] + [p for p in env.get(name, '').split(os.pathsep) if p and p != COLLECTIONS_ROOT])
    return env


class PlaybookRun(object):
    """What one ``ansible-playbook`` run left: return code, output, registered results, wall time."""

    def __init__(self, returncode, stdout, stderr, results, seconds):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.results = results
        self.seconds = seconds

    @property
    def result(self):
        return self.results[0]

    def leaks(self, secrets=(API_KEY, APP_KEY)):
        """Where any secret appears: a list of (place, secret) pairs, empty when none does."""
        places = {'stdout': self.stdout, 'stderr': self.stderr, 'results': json.dumps(self.results)}
        return [(place, secret) for place, text in places.items() for secret in secrets if secret in text]

    def tracebacks(self):
        texts = [self.stdout, self.stderr] + [json.dumps(r) for r in self.results]
        return [text for text in texts if 'Traceback (most recent call last)' in text or 'MODULE FAILURE' in text]


def run_tasks(task_args, key_source='params', check=False, extra_env=None, verbosity='-vvvv', module=DEFAULT_MODULE):
    """Run one ``module`` task per item of ``task_args``; each failure is ignored and every
    registered result is returned, in order.

    ``key_source``: ``params`` puts the keys in every task's arguments (unless given), ``env``
    exports them as DD_API_KEY and DD_APP_KEY, anything else sends none.
    """
    tasks = []
    for number, args in enumerate(task_args):
        args = dict(args)
        if key_source == 'params':
            args.setdefault('api_key', API_KEY)
            args.setdefault('app_key', APP_KEY)
        tasks.append({'name': 'Case %d' % number, module: args, 'register': 'outcome_%03d' % number, 'ignore_errors': True})
    env = {'DD_API_KEY': API_KEY, 'DD_APP_KEY': APP_KEY} if key_source == 'env' else {}
    env.update(extra_env or {})
    return run_playbook(tasks, ['outcome_%03d' % number for number in range(len(task_args))],
                        check=check, extra_env=env, verbosity=verbosity)


def run_playbook(tasks, registered, check=False, extra_env=None, verbosity='-vvvv'):
    """Run ``tasks`` in one play on localhost and return a PlaybookRun whose ``results`` are the
    values of the ``registered`` variables, in order.

    Datadog's variables (keys, site) are removed from the environment first, so that only what
    the tasks and ``extra_env`` give is used.
    """
    workdir = tempfile.mkdtemp(prefix='llmobs-playbook-')
    results_dir = os.path.join(workdir, 'results')
    os.mkdir(results_dir)
    # In the controller (action_plugins/llmobs_keep_results.py): no module process for the harness's own task.
    tasks = list(tasks) + [{'name': 'Keep the registered results', 'llmobs_keep_results': {
        'results': '{{ [%s] }}' % ', '.join(registered), 'dest': os.path.join(results_dir, 'results.json')}}]
    playbook = os.path.join(workdir, 'play.yml')
    with open(playbook, 'w') as handle:
        json.dump([{'name': 'Playbook run', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}], handle)

    env = child_environment()
    for name in ('DD_API_KEY', 'DD_APP_KEY', 'DD_APPLICATION_KEY', 'DD_SITE'):
        env.pop(name, None)
    env.update(ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_NOCOLOR='1',
               ANSIBLE_ACTION_PLUGINS=ACTION_PLUGINS)
    env.update(extra_env or {})
    command = [ANSIBLE_PLAYBOOK, verbosity, '--diff', playbook] + (['--check'] if check else [])
    started = time.monotonic()
    # A failing task is an outcome to examine, not an error here: the return code is kept.
    process = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True, timeout=600, check=False)
    seconds = time.monotonic() - started
    results_file = os.path.join(results_dir, 'results.json')
    if not os.path.exists(results_file):
        raise AssertionError('the playbook stopped early (rc %s):\n%s\n%s'
                             % (process.returncode, process.stdout[-3000:], process.stderr[-3000:]))
    with open(results_file) as handle:
        results = json.load(handle)
    return PlaybookRun(process.returncode, process.stdout, process.stderr, results, seconds)
