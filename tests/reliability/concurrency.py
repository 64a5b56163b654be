# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Measure what happens when K playbook runs clone to the same new name at the same moment.

A measurement, not a test: it prints a table and writes build/reliability/concurrency.json for
tests/reliability/render_report.py. Usage: python tests/reliability/concurrency.py [K] [rounds]
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys
import tempfile
import time

from ansible_collections.llmobs.datadog.tests.support.ansible_dirs import keep_ansible_dirs_private
from ansible_collections.llmobs.datadog.tests.support.demo import DEMO_DATASET as SOURCE
from ansible_collections.llmobs.datadog.tests.support.demo import DEMO_PROJECT as PROJECT
from ansible_collections.llmobs.datadog.tests.support.emulator import EmulatorProcess

HERE = os.path.dirname(os.path.realpath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
PLAYBOOK = '''
- hosts: localhost
  gather_facts: false
  tasks:
    - llmobs.datadog.llmobs_dataset_clone:
        api_url: %(url)s
        api_key: concurrency-api-key
        app_key: concurrency-app-key
        project_id: %(project)s
        dataset_id: %(source)s
        name: concurrent-copy
        wait: %(wait)s
        wait_timeout: 20
'''


def one_round(emulator, parallel, lag, wait):
    emulator.control('POST', '/reset')
    emulator.configure(lag=lag)
    workdir = tempfile.mkdtemp(prefix='llmobs-concurrency-')
    playbook = os.path.join(workdir, 'play.yml')
    with open(playbook, 'w') as handle:
        handle.write(PLAYBOOK % {'url': emulator.url, 'project': PROJECT, 'source': SOURCE, 'wait': wait})
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), playbook]
    env = dict(os.environ, ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
    processes = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  universal_newlines=True) for dummy in range(parallel)]
    outputs = [process.communicate()[0] for process in processes]
    clones = [d for d in emulator.state()['datasets'] if d['name'] == 'concurrent-copy']
    return {
        'clones': len(clones),
        'failed_runs': sum(1 for process in processes if process.returncode != 0),
        'runs_warned': sum(1 for output in outputs if 'Another dataset named' in output),
    }


def main():
    keep_ansible_dirs_private()
    parallel = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    emulator = EmulatorProcess()
    rows = []
    try:
        for lag, wait in ((0, True), (3, True), (3, False)):
            started = time.monotonic()
            results = [one_round(emulator, parallel, lag, wait) for dummy in range(rounds)]
            rows.append({
                'parallel_runs': parallel, 'lag': lag, 'wait': wait, 'rounds': rounds,
                'clones_per_round': [r['clones'] for r in results],
                'runs_warned_per_round': [r['runs_warned'] for r in results],
                'failed_runs_per_round': [r['failed_runs'] for r in results],
                'seconds': round(time.monotonic() - started, 1),
            })
            print('K=%d lag=%ss wait=%s: clones per round %s, runs that warned %s'
                  % (parallel, lag, wait, rows[-1]['clones_per_round'], rows[-1]['runs_warned_per_round']))
    finally:
        emulator.stop()
    out_dir = os.path.join(REPO_ROOT, 'build', 'reliability')
    if not os.path.isdir(out_dir):
        os.makedirs(out_dir)
    with open(os.path.join(out_dir, 'concurrency.json'), 'w') as handle:
        json.dump(rows, handle, indent=1)


if __name__ == '__main__':
    main()
