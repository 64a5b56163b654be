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
import json
import os
import platform
import sys

from ansible_collections.llmobs.datadog.tests.support.bench import (
    API_KEY, APP_KEY, EmulatorBench, last_line, load_average, measured, run_bench,
)

HERE = os.path.dirname(os.path.realpath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
MODULE = os.path.join(REPO_ROOT, 'plugins', 'modules', 'llmobs_dataset_records_info.py')
BIN = os.path.dirname(sys.executable)
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


class Bench(EmulatorBench):
    def __init__(self, options):
        super(Bench, self).__init__(options, 'llmobs-export-bench-', latency_ms=options.latency_ms)

    def dataset_of(self, size):
        dataset_id = self.api('POST', '/%s/datasets' % self.project,
                              {'data': {'type': 'datasets', 'attributes': {'name': 'export-%d' % size}}})['data']['id']
        self.emulator.control('POST', '/records/bulk', json={
            'project_id': self.project, 'dataset_id': dataset_id, 'count': size, 'size_bytes': RECORD_BYTES,
            'id_prefix': 'r', 'create_new_version': True}, timeout=600)
        return dataset_id

    def requests_made(self):
        return len(self.request_log())

    def args(self, dataset_id, dest, output_format):
        return dict(api_url=self.emulator.url, api_key=API_KEY, app_key=APP_KEY, project_id=self.project,
                    dataset_id=dataset_id, dest=dest, format=output_format)

    def export(self, dataset_id, dest, output_format):
        return self.module(MODULE, dict(dataset_id=dataset_id, dest=dest, format=output_format))

    def playbook(self, tasks):
        path = os.path.join(self.folder, 'play.yml')
        with open(path, 'w') as handle:
            json.dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}], handle)
        env = dict(os.environ, ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
        env.pop('LLMOBS_IN_PROCESS', None)
        seconds, memory, code, output = measured([os.path.join(BIN, 'ansible-playbook'), path], env=env)
        return seconds, memory, None if code == 0 else last_line(output), {}

    def floor(self, dataset_id, dest):
        script = os.path.join(self.folder, 'floor.py')
        with open(script, 'w') as handle:
            handle.write(FLOOR_SCRIPT)
        url = '%s/api/v2/llm-obs/v1/%s/datasets/%s/export' % (self.emulator.url, self.project, dataset_id)
        seconds, memory, code, output = measured([sys.executable, script, url, dest])
        return seconds, memory, None if code == 0 else last_line(output), {}

    def run_size(self, size):
        dataset_id = self.dataset_of(size)

        def path(name):
            return os.path.join(self.folder, '%s-%d.%s' % (name, size, name.split('-')[-1]))

        runs = [('requests script, export to a file (floor)', path('floor-csv'),
                 lambda dest: self.floor(dataset_id, dest)),
                ('module, csv, new file', path('module-csv'), lambda dest: self.export(dataset_id, dest, 'csv')),
                ('module, csv, unchanged re-run', path('module-csv'), lambda dest: self.export(dataset_id, dest, 'csv'))]
        if not self.options.no_jsonl:
            runs.append(('module, jsonl, new file', path('module-jsonl'),
                         lambda dest: self.export(dataset_id, dest, 'jsonl')))
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
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--sizes', default='100000')
    parser.add_argument('--latency-ms', type=int, default=0)
    parser.add_argument('--no-jsonl', action='store_true', help='skip the JSONL run (it holds every line in memory)')
    parser.add_argument('--out', default=os.path.join(REPO_ROOT, 'build', 'export-bench.md'))
    options = parser.parse_args()

    def runs(bench):
        for size in [int(v) for v in options.sizes.split(',')]:
            bench.run_size(size)

    run_bench(lambda: Bench(options), runs, markdown, options.out)


if __name__ == '__main__':
    main()
