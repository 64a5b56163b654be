# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A benchmark of llmobs_dataset_records_info writing a dataset to a file at scale. No assertions.

A dataset of 100,000 records of about 1 KB (``--sizes``), bulk-loaded into the emulator, written to a
file by the module, each run's wall time and peak memory beside the floor:

* ``format: csv``, a first export to a new file, then a re-run that leaves the file as it was;
* ``format: jsonl`` with ``dest`` (the records list read page by page, sorted, written), for comparison;
* the floor: a plain ``requests`` script that streams the same export to a file, and nothing else (one
  request; no lookup, no checksum, no atomic replace).

The module runs the way Ansible runs it on a host (``python llmobs_dataset_records_info.py args.json``): its
peak memory is the maximum resident set (``ru_maxrss``) of that process alone, which is the process that runs
the module on the module path. Then the CSV export runs once more as a task of ``ansible-playbook`` on the
local connection, where the module runs inside a controller worker: its figure is the largest resident set of
any process of that run (the controller, its workers), so an upper bound of the worker's, shown beside an
``ansible-playbook`` run of one ``ansible.builtin.debug`` task (the controller's own). Requests come from the
emulator's request log; their floor is the export and the one read of the dataset's facts (2).

Prints the table and writes a markdown section (default build/export-bench.md).

Usage: python tests/bench/export.py [--sizes 100000] [--latency-ms 0] [--no-jsonl] [--out build/export-bench.md]
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

import requests

from ansible_collections.llmobs.datadog.tests.support.ansible_dirs import keep_ansible_dirs_private
from ansible_collections.llmobs.datadog.tests.support.emulator import EmulatorProcess

HERE = os.path.dirname(os.path.realpath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
MODULE = os.path.join(REPO_ROOT, 'plugins', 'modules', 'llmobs_dataset_records_info.py')
BIN = os.path.dirname(sys.executable)
API_KEY, APP_KEY = 'bench-api-key', 'bench-app-key'
HEADERS = {'DD-API-KEY': API_KEY, 'DD-APPLICATION-KEY': APP_KEY}
RECORD_BYTES = 1024
REQUEST_FLOOR = 2   # the export, and the dataset's facts
MEMORY_TARGET_MB = 150

FLOOR_SCRIPT = r'''
import sys, requests
url, path = sys.argv[1], sys.argv[2]
headers = {'DD-API-KEY': 'bench-api-key', 'DD-APPLICATION-KEY': 'bench-app-key', 'Accept': 'text/csv'}
with requests.get(url, params={'format': 'csv'}, headers=headers, stream=True, timeout=600) as response:
    response.raise_for_status()
    with open(path, 'wb') as handle:
        for chunk in response.iter_content(64 * 1024):
            handle.write(chunk)
'''


def measured(command, env=None):
    """Run ``command``; (seconds, peak resident MB of it and the processes it waited for, exit code, output)."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    output = process.stdout.read()
    dummy, status, usage = os.wait4(process.pid, 0)
    code = os.waitstatus_to_exitcode(status) if hasattr(os, 'waitstatus_to_exitcode') else status
    process.stdout.close()
    return time.monotonic() - started, usage.ru_maxrss / 1024.0, code, output.decode('utf-8', 'replace')


class Bench(object):
    def __init__(self, options):
        self.options = options
        self.emulator = EmulatorProcess(['--no-demo-seed', '--api-key', API_KEY, '--app-key', APP_KEY])
        self.emulator.configure(log_bodies=False, latency_ms=options.latency_ms)
        self.session = requests.Session()
        self.project = self.api('POST', '/projects', {'data': {'type': 'projects', 'attributes': {'name': 'bench'}}})['data']['id']
        self.folder = tempfile.mkdtemp(prefix='llmobs-export-bench-')
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

    def dataset_of(self, size):
        dataset_id = self.api('POST', '/%s/datasets' % self.project,
                              {'data': {'type': 'datasets', 'attributes': {'name': 'export-%d' % size}}})['data']['id']
        self.emulator.control('POST', '/records/bulk', json={
            'project_id': self.project, 'dataset_id': dataset_id, 'count': size, 'size_bytes': RECORD_BYTES,
            'id_prefix': 'r', 'create_new_version': True}, timeout=600)
        return dataset_id

    def requests_made(self):
        log = self.emulator.control('GET', '/requests')['requests']
        self.emulator.control('DELETE', '/requests')
        return len(log)

    def args(self, dataset_id, dest, output_format):
        return dict(api_url=self.emulator.url, api_key=API_KEY, app_key=APP_KEY, project_id=self.project,
                    dataset_id=dataset_id, dest=dest, format=output_format)

    def module(self, dataset_id, dest, output_format):
        path = os.path.join(self.folder, 'args.json')
        with open(path, 'w') as handle:
            json.dump({'ANSIBLE_MODULE_ARGS': self.args(dataset_id, dest, output_format)}, handle)
        seconds, memory, code, output = measured([sys.executable, MODULE, path])
        try:
            result = json.loads(output[output.index('{'):])
        except ValueError:
            result = {'failed': True, 'msg': output[-300:]}
        error = None if code == 0 and not result.get('failed') else result.get('msg', output[-300:])
        return seconds, memory, error, result

    def playbook(self, tasks):
        path = os.path.join(self.folder, 'play.yml')
        with open(path, 'w') as handle:
            json.dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}], handle)
        env = dict(os.environ, ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
        env.pop('LLMOBS_IN_PROCESS', None)
        seconds, memory, code, output = measured([os.path.join(BIN, 'ansible-playbook'), path], env=env)
        return seconds, memory, None if code == 0 else _last_line(output), {}

    def floor(self, dataset_id, dest):
        script = os.path.join(self.folder, 'floor.py')
        with open(script, 'w') as handle:
            handle.write(FLOOR_SCRIPT)
        url = '%s/api/v2/llm-obs/v1/%s/datasets/%s/export' % (self.emulator.url, self.project, dataset_id)
        seconds, memory, code, output = measured([sys.executable, script, url, dest])
        return seconds, memory, None if code == 0 else _last_line(output), {}

    def run_size(self, size):
        dataset_id = self.dataset_of(size)

        def path(name):
            return os.path.join(self.folder, '%s-%d.%s' % (name, size, name.split('-')[-1]))

        runs = [('requests script, export to a file (floor)', path('floor-csv'),
                 lambda dest: self.floor(dataset_id, dest)),
                ('module, csv, new file', path('module-csv'), lambda dest: self.module(dataset_id, dest, 'csv')),
                ('module, csv, unchanged re-run', path('module-csv'), lambda dest: self.module(dataset_id, dest, 'csv'))]
        if not self.options.no_jsonl:
            runs.append(('module, jsonl, new file', path('module-jsonl'),
                         lambda dest: self.module(dataset_id, dest, 'jsonl')))
        runs += [('ansible-playbook, one debug task', None,
                  lambda dest: self.playbook([{'ansible.builtin.debug': {'msg': 'floor'}}])),
                 ('ansible-playbook, csv in the controller, new file', path('playbook-csv'),
                  lambda dest: self.playbook([{'llmobs.datadog.llmobs_dataset_records_info': self.args(dataset_id, dest, 'csv')}]))]
        self.requests_made()
        for name, dest, action in runs:
            seconds, memory, error, result = action(dest)
            row = dict(size=size, run=name, seconds=seconds, memory=memory, error=error, requests=self.requests_made(),
                       changed=result.get('changed'), count=result.get('count'),
                       bytes=os.path.getsize(dest) if dest and os.path.exists(dest) else None)
            if not error and result.get('count') not in (None, size):
                row['error'] = 'the file holds %s records, not %d' % (result.get('count'), size)
            self.rows.append(row)
            print(format_row(row))
            sys.stdout.flush()
        for dummy, dest, dummy2 in runs:
            if dest and os.path.exists(dest):
                os.unlink(dest)


def load_average():
    try:
        return '%.1f' % os.getloadavg()[0]
    except OSError:
        return 'unknown'


def _last_line(output):
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else 'failed with no output'


def format_row(row):
    failed = (' FAILED: %s' % row['error'][:160]) if row['error'] else ''
    return '%7d records  %-50s requests %3d  %7.2f s  %6.0f MB%s' % (
        row['size'], row['run'], row['requests'], row['seconds'], row['memory'], failed)


def markdown(bench, started, elapsed):
    rows = bench.rows
    lines = ['## Dataset export to a file at scale', '',
             'Generated by `tests/bench/export.py` on %s (%s, Python %s, %d CPUs, load average %s at the start and %s '
             'at the end: wall times on a busy machine vary from run to run; request counts do not), in %.0f s, on '
             '%s. A dataset of records of about 1 KB, bulk-loaded into the emulator, written to a file by '
             '`llmobs_dataset_records_info`. The module rows run the module as Ansible runs it on a host '
             '(`python llmobs_dataset_records_info.py args.json`, without the controller\'s own second per task): '
             'their memory is that process\'s peak resident set. The `ansible-playbook` rows run one task on the '
             'local connection, where the module runs inside a controller worker: their memory is the largest '
             'resident set among the run\'s processes (controller and workers), an upper bound of the worker\'s, '
             'beside a run of one `ansible.builtin.debug` task. Requests are counted in the emulator\'s request '
             'log; the floor is %d (the export and one read of the dataset). The floor of time and memory is a '
             'plain `requests` script that streams the export to a file and does nothing else.'
             % (started.strftime('%Y-%m-%d %H:%M UTC'), platform.platform(terse=True), platform.python_version(),
                os.cpu_count() or 1, bench.load_at_start, load_average(), elapsed,
                'loopback' if not bench.options.latency_ms else 'the emulator answering after %d ms'
                % bench.options.latency_ms, REQUEST_FLOOR), '',
             '| records | run | requests | time | peak memory | changed | file |',
             '| ---: | --- | ---: | ---: | ---: | --- | ---: |']
    for row in rows:
        if row['error']:
            cells = ['{:,}'.format(row['size']), row['run'], str(row['requests']), 'failed', '', '', '']
        else:
            cells = ['{:,}'.format(row['size']), row['run'], str(row['requests']), '%.2f s' % row['seconds'],
                     '%.0f MB' % row['memory'], '' if row['changed'] is None else str(row['changed']).lower(),
                     '' if row['bytes'] is None else '{:,} bytes'.format(row['bytes'])]
        lines.append('| %s |' % ' | '.join(cells))
    lines.append('')
    failures = ['- %s, %s records: %s' % (row['run'], '{:,}'.format(row['size']), row['error'].replace('|', '/')[:240])
                for row in rows if row['error']]
    lines += failures + ([''] if failures else []) + ['### Targets', '']
    for size in sorted(set(r['size'] for r in rows)):
        found = dict((r['run'], r) for r in rows if r['size'] == size)
        module, floor = found.get('module, csv, new file'), found.get('requests script, export to a file (floor)')
        if not module or module['error']:
            continue
        text = '- %s records, csv to a new file: %d requests (floor %d), %.2f s' % (
            '{:,}'.format(size), module['requests'], REQUEST_FLOOR, module['seconds'])
        if floor and not floor['error']:
            text += ' beside the plain download\'s %.2f s (%.0f MB)' % (floor['seconds'], floor['memory'])
        text += '; peak memory of the module process %.0f MB (target: under %d MB: %s).' % (
            module['memory'], MEMORY_TARGET_MB, 'met' if module['memory'] < MEMORY_TARGET_MB else 'missed')
        lines.append(text)
    lines.append('')
    return '\n'.join(lines)


def main():
    keep_ansible_dirs_private()
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--sizes', default='100000')
    parser.add_argument('--latency-ms', type=int, default=0)
    parser.add_argument('--no-jsonl', action='store_true', help='skip the JSONL run (it holds every line in memory)')
    parser.add_argument('--out', default=os.path.join(REPO_ROOT, 'build', 'export-bench.md'))
    options = parser.parse_args()
    started = datetime.datetime.now(datetime.timezone.utc)
    clock = time.monotonic()
    bench = Bench(options)
    try:
        for size in [int(v) for v in options.sizes.split(',')]:
            bench.run_size(size)
    finally:
        bench.stop()
    text = markdown(bench, started, time.monotonic() - clock)
    os.makedirs(os.path.dirname(os.path.abspath(options.out)), exist_ok=True)
    with open(options.out, 'w') as handle:
        handle.write(text)
    print('\n' + text)
    print('Written to %s' % options.out)


if __name__ == '__main__':
    main()
