# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A benchmark of llmobs_dataset_restore on a large dataset. No assertions.

A dataset of 100,000 records of about 1 KB (``--sizes``), bulk-loaded into the emulator as one version (N); then
one batch changes 1 % of them (500 answers changed, 250 records deleted, 250 added), so that the current records are
no longer version N's. Each run's wall time and peak memory, beside the floor:

* the module restoring version N: it reads the versions list, version N's records and the current ones (page by
  page, 5,000 a page), compares them, reads the draft state, sends one restore and waits until the dataset's current
  version moves;
* the module again, right after: the compare alone, which finds the records equal and sends nothing;
* the floor: a plain ``requests`` script that reads the two record lists at 5,000 a page, keeping nothing, then sends
  the one restore, and does nothing else (no lookup, no compare, no wait); and the same script without the restore,
  the floor of the unchanged re-run. After the floor's restore the same batch of changes is made again (new ids for
  the records it adds), so that the module meets the same difference.

The module runs the way Ansible runs it on a host (``python llmobs_dataset_restore.py args.json``): its peak memory
is the maximum resident set (``ru_maxrss``) of that process alone. Requests come from the emulator's request log;
their floor is ``2 * ceil(records / 5,000)`` pages, and one restore when there is something to restore.

Prints the table and writes a markdown section (default build/restore-bench.md).

Usage: python tests/bench/restore.py [--sizes 100000] [--latency-ms 0] [--out build/restore-bench.md]
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import math
import os
import platform
import sys

from ansible_collections.llmobs.datadog.tests.support.bench import (
    EmulatorBench, last_line, load_average, measured, run_bench,
)

HERE = os.path.dirname(os.path.realpath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
MODULE = os.path.join(REPO_ROOT, 'plugins', 'modules', 'llmobs_dataset_restore.py')
RECORD_BYTES = 1024
PAGE = 5000
# The difference the restore undoes: answers changed, records deleted, records added (1 % in all, one batch).
UPDATED, DELETED, ADDED = 500, 250, 250
# The records sync's target for the same 100,000 records (tests/bench/records.py): the restore compares as much.
MEMORY_TARGET_MB = 300

FLOOR_SCRIPT = r'''
import sys, requests
base, dataset_id, version, restore = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == 'restore'
session = requests.Session()
session.headers.update({'DD-API-KEY': 'bench-api-key', 'DD-APPLICATION-KEY': 'bench-app-key'})

def read(params):
    cursor = None
    while True:
        page = dict(params, **{'page[limit]': 5000})
        if cursor:
            page['page[cursor]'] = cursor
        response = session.get(base + '/records', params=page, timeout=600)
        response.raise_for_status()
        cursor = (response.json().get('meta') or {}).get('after')
        if not cursor:
            return

read({'filter[version]': version})
read({})
if restore:
    session.post(base + '/restore', json={'data': {'id': dataset_id, 'type': 'datasets', 'attributes': {
        'dataset_version': version}}}, timeout=600).raise_for_status()
'''


class Bench(EmulatorBench):
    def __init__(self, options):
        super(Bench, self).__init__(options, 'llmobs-restore-bench-', latency_ms=options.latency_ms)

    def dataset_path(self, dataset_id):
        return '/%s/datasets/%s' % (self.project, dataset_id)

    def current_version(self, dataset_id):
        state = self.emulator.control('GET', '/state', params={'records': 'false'}, timeout=600)
        return [d for d in state['datasets'] if d['id'] == dataset_id][0]['current_version']

    def dataset_of(self, size):
        """A dataset of ``size`` records in one version; returns (its id, that version)."""
        dataset_id = self.api('POST', '/%s/datasets' % self.project,
                              {'data': {'type': 'datasets', 'attributes': {'name': 'restore-%d' % size}}})['data']['id']
        self.emulator.control('POST', '/records/bulk', json={
            'project_id': self.project, 'dataset_id': dataset_id, 'count': size, 'size_bytes': RECORD_BYTES,
            'id_prefix': 'r', 'create_new_version': True}, timeout=600)
        return dataset_id, self.current_version(dataset_id)

    def change(self, dataset_id, size, round_number):
        """One batch that makes the current records differ from version N's by 1 %: the same records changed and
        deleted each time, the added ones with ids of this round."""
        step = size // (UPDATED + DELETED)
        chosen = ['r%d' % (n * step) for n in range(UPDATED + DELETED)]
        self.api('POST', self.dataset_path(dataset_id) + '/batch_update', {'data': {
            'type': 'datasets', 'id': dataset_id, 'attributes': {
                'update_records': [{'id': record_id, 'expected_output': {'answer': 'changed %d' % round_number}}
                                   for record_id in chosen[:UPDATED]],
                'delete_records': chosen[UPDATED:],
                'insert_records': [{'id': 'added-%d-%d' % (round_number, n), 'input': {'question': 'new %d' % n}}
                                   for n in range(ADDED)]}}})

    def requests_made(self):
        return len(self.request_log())

    def restore(self, dataset_id, version):
        return self.module(MODULE, dict(dataset_id=dataset_id, version=version))

    def floor(self, dataset_id, version, restore):
        script = os.path.join(self.folder, 'floor.py')
        with open(script, 'w') as handle:
            handle.write(FLOOR_SCRIPT)
        base = self.emulator.url + '/api/v2/llm-obs/v1' + self.dataset_path(dataset_id)
        seconds, memory, code, output = measured([sys.executable, script, base, dataset_id, str(version),
                                                  'restore' if restore else 'reads'])
        return seconds, memory, None if code == 0 else last_line(output), {}

    def run_size(self, size):
        dataset_id, version = self.dataset_of(size)
        self.change(dataset_id, size, 1)
        # The emulator works out an older version's records once, on its first read, then keeps them: read them
        # once before anything is measured, so that no run pays for that.
        self.floor(dataset_id, version, False)
        reads = 2 * int(math.ceil(size / float(PAGE)))
        runs = [('requests script, the two reads (floor of the re-run)', reads,
                 lambda: self.floor(dataset_id, version, False)),
                ('requests script, the two reads and one restore (floor)', reads + 1,
                 lambda: self.floor(dataset_id, version, True)),
                (None, None, lambda: self.change(dataset_id, size, 2)),
                ('module, restore (compare, one restore, wait)', reads + 1, lambda: self.restore(dataset_id, version)),
                ('module, unchanged re-run (compare only)', reads, lambda: self.restore(dataset_id, version))]
        self.requests_made()
        for name, floor, action in runs:
            if name is None:  # a step between the runs, not measured
                action()
                self.requests_made()
                continue
            seconds, memory, error, result = action()
            row = dict(size=size, run=name, floor=floor, seconds=seconds, memory=memory, error=error,
                       requests=self.requests_made(), changed=result.get('changed'),
                       counts=dict((k, result.get(k)) for k in ('added', 'updated', 'removed', 'unchanged'))
                       if 'unchanged' in result else None)
            counted = (result.get('added'), result.get('updated'), result.get('removed'))
            if not error and name.startswith('module, restore') and counted != (DELETED, UPDATED, ADDED):
                row['error'] = 'the restore counted %s, not %d back, %d changed back, %d removed' % (
                    row['counts'], DELETED, UPDATED, ADDED)
            self.rows.append(row)
            print(format_row(row))
            sys.stdout.flush()


def format_row(row):
    failed = (' FAILED: %s' % row['error'][:160]) if row['error'] else ''
    return '%7d records  %-58s requests %3d (floor %3d)  %7.2f s  %6.0f MB%s' % (
        row['size'], row['run'], row['requests'], row['floor'], row['seconds'], row['memory'], failed)


def counts_text(counts):
    if not counts:
        return ''
    return '+{added:,} ~{updated:,} -{removed:,}, {unchanged:,} unchanged'.format(**counts)


def markdown(bench, started, elapsed):
    rows = bench.rows
    # A blank line first: `make bench` appends the section right after the export's, which ends with its list.
    lines = ['', '## Dataset restore at scale', '',
             'Generated by `tests/bench/restore.py` on %s (%s, Python %s, %d CPUs, load average %s at the start and %s '
             'at the end: wall times on a busy machine vary from run to run; request counts do not), in %.0f s, on '
             '%s. A dataset of records of about 1 KB, bulk-loaded into the emulator as one version (N), then one batch '
             'that changes 1 %% of them: %d answers changed, %d records deleted, %d added. `llmobs_dataset_restore` '
             'gives it version N\'s records back: it reads the versions list, both record lists at %s a page, '
             'compares them, reads the draft state, sends one restore and waits until the current version moves. '
             'The module rows run the module as Ansible runs it on a host (`python llmobs_dataset_restore.py '
             'args.json`, without the controller\'s own second per task): their memory is that process\'s peak '
             'resident set. Requests are counted in the emulator\'s request log; beyond the floor, the module reads '
             'the dataset and its versions list, then, when it restores, the draft state and the dataset again until '
             'its current version moves. The floor is a plain `requests` script that reads the two record lists at '
             '%s a page, keeping nothing, then sends the restore (or, for the re-run, not), and does nothing else; '
             'after its restore the same batch of changes was made again. Version N\'s records were read once before '
             'the first run, since the emulator works them out on their first read.'
             % (started.strftime('%Y-%m-%d %H:%M UTC'), platform.platform(terse=True), platform.python_version(),
                os.cpu_count() or 1, bench.load_at_start, load_average(), elapsed,
                'loopback' if not bench.options.latency_ms else 'the emulator answering after %d ms'
                % bench.options.latency_ms, UPDATED, DELETED, ADDED, '{:,}'.format(PAGE), '{:,}'.format(PAGE)), '',
             '| records | run | requests (floor) | time | peak memory | changed | records compared |',
             '| ---: | --- | ---: | ---: | ---: | --- | --- |']
    for row in rows:
        if row['error']:
            cells = ['{:,}'.format(row['size']), row['run'], '%d (%d)' % (row['requests'], row['floor']), 'failed',
                     '', '', '']
        else:
            cells = ['{:,}'.format(row['size']), row['run'], '%d (%d)' % (row['requests'], row['floor']),
                     '%.2f s' % row['seconds'], '%.0f MB' % row['memory'],
                     '' if row['changed'] is None else str(row['changed']).lower(), counts_text(row['counts'])]
        lines.append('| %s |' % ' | '.join(cells))
    lines.append('')
    failures = ['- %s, %s records: %s' % (row['run'], '{:,}'.format(row['size']), row['error'].replace('|', '/')[:240])
                for row in rows if row['error']]
    lines += failures + ([''] if failures else []) + ['### Targets', '']
    for size in sorted(set(r['size'] for r in rows)):
        found = dict((r['run'].split(' (')[0], r) for r in rows if r['size'] == size)
        pairs = [('module, restore', 'requests script, the two reads and one restore', 'restore'),
                 ('module, unchanged re-run', 'requests script, the two reads', 'unchanged re-run')]
        for module_run, floor_run, what in pairs:
            module, floor = found.get(module_run), found.get(floor_run)
            if not module or module['error']:
                continue
            text = '- %s records, %s: %d requests (floor %d), %.2f s' % (
                '{:,}'.format(size), what, module['requests'], module['floor'], module['seconds'])
            if floor and not floor['error']:
                text += ', %.1f times the floor\'s %.2f s' % (module['seconds'] / floor['seconds'], floor['seconds'])
            text += '; peak memory of the module process %.0f MB (the records sync\'s target for as many records: ' \
                'under %d MB: %s).' % (module['memory'], MEMORY_TARGET_MB,
                                       'met' if module['memory'] < MEMORY_TARGET_MB else 'missed')
            lines.append(text)
    lines.append('')
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--sizes', default='100000')
    parser.add_argument('--latency-ms', type=int, default=0)
    parser.add_argument('--out', default=os.path.join(REPO_ROOT, 'build', 'restore-bench.md'))
    options = parser.parse_args()

    def runs(bench):
        for size in [int(v) for v in options.sizes.split(',')]:
            bench.run_size(size)

    run_bench(lambda: Bench(options), runs, markdown, options.out)


if __name__ == '__main__':
    main()
