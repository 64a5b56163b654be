# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the benchmarks at scale share (tests/bench/records.py, export.py, restore.py): a run measured for wall time
and peak memory, a module run as Ansible runs it on a host, an emulator with a project, and the report's main."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import requests

from ansible_collections.llmobs.datadog.tests.support.ansible_dirs import keep_ansible_dirs_private
from ansible_collections.llmobs.datadog.tests.support.emulator import EmulatorProcess

API_KEY, APP_KEY = 'bench-api-key', 'bench-app-key'
HEADERS = {'DD-API-KEY': API_KEY, 'DD-APPLICATION-KEY': APP_KEY}


def measured(command, env=None):
    """Run ``command``; (seconds, peak resident MB of it and the processes it waited for, exit code, output)."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    output = process.stdout.read()
    dummy, status, usage = os.wait4(process.pid, 0)
    code = os.waitstatus_to_exitcode(status) if hasattr(os, 'waitstatus_to_exitcode') else status
    process.stdout.close()
    return time.monotonic() - started, usage.ru_maxrss / 1024.0, code, output.decode('utf-8', 'replace')


def load_average():
    try:
        return '%.1f' % os.getloadavg()[0]
    except OSError:
        return 'unknown'


def last_line(output):
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else 'failed with no output'


class EmulatorBench(object):
    """An emulator of its own (the bench keys only, no demo data) with a project ``bench``, and a scratch folder.

    ``rows`` collects the measured runs; ``load_at_start`` is the load average when it started.
    """

    def __init__(self, options, folder_prefix, **config):
        self.options = options
        self.emulator = EmulatorProcess(['--no-demo-seed', '--api-key', API_KEY, '--app-key', APP_KEY])
        self.emulator.configure(log_bodies=False, **config)
        self.session = requests.Session()
        self.project = self.api('POST', '/projects', {'data': {'type': 'projects', 'attributes': {'name': 'bench'}}})['data']['id']
        self.folder = tempfile.mkdtemp(prefix=folder_prefix)
        self.rows = []
        self.load_at_start = load_average()

    def stop(self):
        self.emulator.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def api(self, method, path, body=None):
        response = self.session.request(method, self.emulator.url + '/api/v2/llm-obs/v1' + path, json=body,
                                        headers=HEADERS, timeout=600)
        response.raise_for_status()
        return response.json() if response.content else None

    def request_log(self):
        """The API requests made since the last call (the log is emptied)."""
        log = self.emulator.control('GET', '/requests')['requests']
        self.emulator.control('DELETE', '/requests')
        return log

    def module(self, module_path, args):
        """Run a module as Ansible runs it on a host (``python module.py args.json``) against the emulator's project:
        (seconds, peak MB of that process, the error or None, its result)."""
        path = os.path.join(self.folder, 'args.json')
        with open(path, 'w') as handle:
            json.dump({'ANSIBLE_MODULE_ARGS': dict(api_url=self.emulator.url, api_key=API_KEY, app_key=APP_KEY,
                                                   project_id=self.project, **args)}, handle)
        seconds, memory, code, output = measured([sys.executable, module_path, path])
        try:
            result = json.loads(output[output.index('{'):])
        except ValueError:
            result = {'failed': True, 'msg': output[-300:]}
        error = None if code == 0 and not result.get('failed') else result.get('msg', output[-300:])
        return seconds, memory, error, result


def run_bench(make_bench, runs, markdown, out):
    """Run a benchmark: ``runs(bench)`` measures, ``markdown(bench, started, elapsed)`` makes the report, written to
    ``out`` and printed."""
    keep_ansible_dirs_private()
    started = datetime.datetime.now(datetime.timezone.utc)
    clock = time.monotonic()
    bench = make_bench()
    try:
        runs(bench)
    finally:
        bench.stop()
    text = markdown(bench, started, time.monotonic() - clock)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, 'w') as handle:
        handle.write(text)
    print('\n' + text)
    print('Written to %s' % out)
