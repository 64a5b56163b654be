# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A benchmark of llmobs_dataset_records beside the peers a user would pick instead. No assertions.

For 1,000, 10,000 and 100,000 records of about 1 KB, on loopback and with the emulator's latency
at 50 ms, four runs in a row on one dataset: a first load, a re-run that changes nothing, a run
that changes 1 % of the records (their expected_output), and a purge of 10 %. For each run: the
requests (records list pages, batch_update writes, other) from the emulator's request log beside
their floor (reads = pages of 5,000; writes = ceil(changes / 1,000), more only where 5 MiB forces
it), the wall time and the peak memory (maximum resident set) of the process that did the work.

The module runs the way Ansible runs it on a host (``python llmobs_dataset_records.py args.json``),
so the figures are the module's own, without the controller's ~1 s per task. The peers:

* datadog-api-client (the venv's version): a plain "read everything, push everything" script that
  lists every record, then sends every declared record in ``batch_update`` requests of 1,000
  (updates for ids that exist, inserts for the others, deletes for the rest when purging), with
  the client's type checks off (its fastest). Beyond ``--peer-full-max`` records (10,000) it runs
  only the re-run that changes nothing, on a dataset filled through the emulator's bulk route with
  the same records, and beyond ``--peer-latency-max`` (10,000) on loopback only, where its time plus
  one latency per request it made is a lower bound of its time with latency; all this to keep the
  benchmark under ten minutes.
* ddtrace's ``LLMObs`` datasets (``create_dataset``, ``pull_dataset``, ``Dataset.update/delete``,
  ``push``), installed on demand in build/bench-ddtrace-venv from PyPI. It is pointed at the
  emulator with ``DD_LLMOBS_OVERRIDE_ORIGIN``; since it speaks the live API's dialect where the
  emulator follows the spec (``/api/unstable/`` paths, a ``deduplicate`` attribute, the shape of
  the batch_update answer), the script translates those three things in the process, and
  nothing else. Skipped with the reason when it cannot be installed.

Prints the tables and writes a markdown section (default build/records-bench.md).

Usage: python tests/bench/records.py [--sizes 1000,10000,100000] [--latencies 0,50] [--no-ddtrace]
                                     [--ddtrace-max 10000] [--peer-full-max 10000] [--out build/records-bench.md]
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys

import requests

from ansible_collections.llmobs.datadog.tests.support.bench import (
    API_KEY, APP_KEY, EmulatorBench, last_line, load_average, measured, run_bench,
)

HERE = os.path.dirname(os.path.realpath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
MODULE = os.path.join(REPO_ROOT, 'plugins', 'modules', 'llmobs_dataset_records.py')
DDTRACE_VENV = os.path.join(REPO_ROOT, 'build', 'bench-ddtrace-venv')
DDTRACE_VERSION = '4.16.0'
PAGE = 5000
BATCH_RECORDS = 1000
BATCH_BYTES = 5 * 1024 * 1024
RECORD_BYTES = 1024
SCENARIOS = ('first load', 'no change', '1 % changed', '10 % purged')

API_CLIENT_SCRIPT = r'''
import json, sys, warnings
warnings.simplefilter('ignore')
from datadog_api_client import ApiClient, Configuration
from datadog_api_client.v2.api.agent_observability_api import AgentObservabilityApi
from datadog_api_client.v2.model.llm_obs_dataset_batch_update_request import LLMObsDatasetBatchUpdateRequest
from datadog_api_client.v2.model.llm_obs_dataset_batch_update_data_request import LLMObsDatasetBatchUpdateDataRequest
from datadog_api_client.v2.model.llm_obs_dataset_batch_update_data_attributes_request import (
    LLMObsDatasetBatchUpdateDataAttributesRequest)
from datadog_api_client.v2.model.llm_obs_dataset_batch_update_insert_record import LLMObsDatasetBatchUpdateInsertRecord
from datadog_api_client.v2.model.llm_obs_dataset_batch_update_update_record import LLMObsDatasetBatchUpdateUpdateRecord
from datadog_api_client.v2.model.llm_obs_dataset_record_tag_operations import LLMObsDatasetRecordTagOperations
from datadog_api_client.v2.model.llm_obs_dataset_type import LLMObsDatasetType

url, project, dataset, src, purge = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == 'purge'
# Type checks off unless asked: the client at its fastest (with them on, it takes about five times as long).
checked = len(sys.argv) > 6 and sys.argv[6] == 'checked'
configuration = Configuration(host=url, check_input_type=checked, check_return_type=checked)
configuration.api_key['apiKeyAuth'] = 'bench-api-key'
configuration.api_key['appKeyAuth'] = 'bench-app-key'
for operation in ('list_llm_obs_dataset_records', 'batch_update_llm_obs_dataset'):
    configuration.unstable_operations[operation] = True
with open(src) as handle:
    declared = [json.loads(line) for line in handle if line.strip()]
with ApiClient(configuration) as client:
    api = AgentObservabilityApi(client)
    existing, cursor = set(), None
    while True:  # read everything
        kwargs = {'page_limit': 5000}
        if cursor:
            kwargs['page_cursor'] = cursor
        page = api.list_llm_obs_dataset_records(project_id=project, dataset_id=dataset, **kwargs)
        page = page if isinstance(page, dict) else page.to_dict()
        existing.update(item['id'] for item in page['data'])
        cursor = (page.get('meta') or {}).get('after')
        if not cursor:
            break
    changes = []   # push everything
    for record in declared:
        if record['id'] in existing:
            changes.append(('u', LLMObsDatasetBatchUpdateUpdateRecord(
                id=record['id'], input=record['input'], expected_output=record.get('expected_output'),
                metadata=record.get('metadata', {}), tag_operations=LLMObsDatasetRecordTagOperations(set=record.get('tags', [])))))
        else:
            changes.append(('i', LLMObsDatasetBatchUpdateInsertRecord(
                id=record['id'], input=record['input'], expected_output=record.get('expected_output'),
                metadata=record.get('metadata', {}), tags=record.get('tags', []))))
    if purge:
        kept = set(record['id'] for record in declared)
        changes.extend(('d', record_id) for record_id in sorted(existing - kept))
    for start in range(0, len(changes), 1000):
        chunk = changes[start:start + 1000]
        attributes = LLMObsDatasetBatchUpdateDataAttributesRequest(
            create_new_version=start == 0,
            insert_records=[item for kind, item in chunk if kind == 'i'],
            update_records=[item for kind, item in chunk if kind == 'u'],
            delete_records=[item for kind, item in chunk if kind == 'd'])
        api.batch_update_llm_obs_dataset(project_id=project, dataset_id=dataset, body=LLMObsDatasetBatchUpdateRequest(
            data=LLMObsDatasetBatchUpdateDataRequest(id=dataset, type=LLMObsDatasetType.DATASETS, attributes=attributes)))
'''

DDTRACE_SCRIPT = r'''
import json, sys
from ddtrace.llmobs import LLMObs
from ddtrace.llmobs import _writer

# The emulator speaks the spec; ddtrace speaks the live API's dialect. Three translations, nothing else:
# /api/unstable/ paths to /api/v2/, no "deduplicate" attribute on batch_update, and the batch_update
# answer from the spec's shape ({"data": [{"records": [...]}]}) to the one ddtrace reads
# ({"data": [{"id", "attributes": {"version", "canonical_id"}}]}; version -1: ddtrace keeps its own).
_request = _writer.LLMObsExperimentsClient.request
def request(self, method, path, body=None, **kwargs):
    path = path.replace('/api/unstable/', '/api/v2/')
    batch = isinstance(body, dict) and path.endswith('/batch_update')
    if batch:
        body['data']['attributes'].pop('deduplicate', None)
    response = _request(self, method, path, body, **kwargs)
    if batch and response.status == 200:
        records = [r for part in json.loads(response.body).get('data') or [] for r in part.get('records', [])]
        response.body = json.dumps({'data': [{'id': r['id'], 'type': 'records', 'attributes': {
            'version': -1, 'canonical_id': r.get('canonical_id')}} for r in records]}).encode()
    return response
_writer.LLMObsExperimentsClient.request = request

mode, project_name, dataset_name, src = sys.argv[1:5]
LLMObs.enable(ml_app='bench', project_name=project_name, agentless_enabled=True, api_key='bench-api-key',
              app_key='bench-app-key', site='datadoghq.com')
with open(src) as handle:
    declared = [json.loads(line) for line in handle if line.strip()]
records = [{'id': r['id'], 'input_data': r['input'], 'expected_output': r.get('expected_output'),
            'metadata': r.get('metadata', {}), 'tags': r.get('tags', [])} for r in declared]
try:
    if mode == 'create':
        LLMObs.create_dataset(dataset_name=dataset_name, project_name=project_name, records=records)
    else:
        dataset = LLMObs.pull_dataset(dataset_name=dataset_name, project_name=project_name)
        index = dict((record['record_id'], n) for n, record in enumerate(dataset._records))
        for record in records:   # push everything
            if record['id'] in index:
                dataset.update(index[record['id']], {'input_data': record['input_data'],
                                                     'expected_output': record['expected_output'],
                                                     'metadata': record['metadata']})
        if mode == 'purge':
            kept = set(record['id'] for record in records)
            for n in sorted((n for record_id, n in index.items() if record_id not in kept), reverse=True):
                dataset.delete(n)
        dataset.push(bulk_upload=False)
finally:
    LLMObs.disable()
'''


def record(number, revised=False):
    """Record ``number``, the same as the emulator's bulk generator makes at 1,024 bytes (about 1 KB of JSON)."""
    return {'id': 'r%d' % number,
            'input': {'question': 'Generated question %d' % number, 'context': 'x' * (RECORD_BYTES - 120)},
            'expected_output': {'answer': ('Revised answer %d' if revised else 'Generated answer %d') % number},
            'metadata': {'n': number}, 'tags': ['source:bulk']}


def write_files(folder, size):
    """The declared records of the four runs: F0 (first load, re-run), F1 (1 % revised), F2 (F1 less 10 %)."""
    paths = {}
    for name, keep, revise in (('f0', lambda n: True, lambda n: False),
                               ('f1', lambda n: True, lambda n: n % 100 == 0),
                               ('f2', lambda n: n % 10 != 9, lambda n: n % 100 == 0)):
        paths[name] = os.path.join(folder, '%s-%d.jsonl' % (name, size))
        with open(paths[name], 'w') as handle:
            for number in range(size):
                if keep(number):
                    handle.write(json.dumps(record(number, revise(number))) + '\n')
    return paths


class Bench(EmulatorBench):
    def __init__(self, options):
        # ddtrace accepts only a 200 to a dataset create (Datadog answers 200 or 201).
        super(Bench, self).__init__(options, 'llmobs-records-bench-', dataset_create_status=200)
        self.notes = []

    def new_dataset(self, name):
        return self.api('POST', '/%s/datasets' % self.project,
                        {'data': {'type': 'datasets', 'attributes': {'name': name}}})['data']['id']

    def dataset_named(self, name):
        found = self.api('GET', '/%s/datasets?filter[name]=%s' % (self.project, name))['data']
        return [item['id'] for item in found if item['attributes']['name'] == name][0]

    def count(self, dataset_id):
        state = self.emulator.control('GET', '/state?records=0')
        return [d for d in state['datasets'] if d['id'] == dataset_id][0]['record_count']

    def requests_made(self):
        log = self.request_log()
        reads = len([e for e in log if e.get('operation') == 'ListLLMObsDatasetRecords'])
        writes = len([e for e in log if e.get('operation') == 'BatchUpdateLLMObsDataset'])
        return reads, writes, len(log) - reads - writes

    # ------------------------------------------------------------------ the tools

    def sync(self, dataset_id, src, purge):
        seconds, memory, error, dummy = self.module(MODULE, dict(dataset_id=dataset_id, src=src, purge=purge))
        return seconds, memory, error

    def api_client(self, dataset_id, src, purge):
        script = os.path.join(self.folder, 'api_client_peer.py')
        with open(script, 'w') as handle:
            handle.write(API_CLIENT_SCRIPT)
        seconds, memory, code, output = measured([sys.executable, script, self.emulator.url, self.project, dataset_id, src,
                                                  'purge' if purge else 'keep', 'unchecked'])
        return seconds, memory, None if code == 0 else last_line(output)

    def ddtrace(self, mode, name, src):
        script = os.path.join(self.folder, 'ddtrace_peer.py')
        with open(script, 'w') as handle:
            handle.write(DDTRACE_SCRIPT)
        env = dict(os.environ, DD_LLMOBS_OVERRIDE_ORIGIN=self.emulator.url, DD_API_KEY=API_KEY, DD_APP_KEY=APP_KEY,
                   DD_TRACE_ENABLED='false', DD_INSTRUMENTATION_TELEMETRY_ENABLED='false',
                   DD_REMOTE_CONFIGURATION_ENABLED='false', DD_TRACE_STARTUP_LOGS='false')
        seconds, memory, code, output = measured([os.path.join(DDTRACE_VENV, 'bin', 'python'), script, mode, 'bench', name, src],
                                                 env=env)
        return seconds, memory, None if code == 0 else last_line(output)

    # ------------------------------------------------------------------ runs

    def run_size(self, size, latency):
        self.emulator.configure(latency_ms=latency)
        files = write_files(self.folder, size)
        plan = [('first load', files['f0'], False, size, 0),
                ('no change', files['f0'], False, 0, size),
                ('1 % changed', files['f1'], False, int(math.ceil(size / 100.0)), size),
                ('10 % purged', files['f2'], True, size // 10, size)]
        tools = ['module']
        if not latency or size <= self.options.peer_latency_max:
            tools.append('datadog-api-client')
        if self.ddtrace_ready and size <= self.options.ddtrace_max:
            tools.append('ddtrace')
        for tool in tools:
            name = 'bench-%s-%d-%d' % (tool.split('-', maxsplit=1)[0], size, latency)
            dataset_id = None if tool == 'ddtrace' else self.new_dataset(name)
            only_rerun = tool != 'module' and size > self.options.peer_full_max
            if only_rerun:  # the records the first load would have made, at once
                self.emulator.control('POST', '/records/bulk', json={
                    'project_id': self.project, 'dataset_id': dataset_id, 'count': size, 'size_bytes': RECORD_BYTES,
                    'id_prefix': 'r', 'create_new_version': True})
            self.requests_made()
            for scenario, src, purge, changes, before in plan:
                if only_rerun and scenario != 'no change':
                    continue
                if tool == 'module':
                    seconds, memory, error = self.sync(dataset_id, src, purge)
                elif tool == 'datadog-api-client':
                    seconds, memory, error = self.api_client(dataset_id, src, purge)
                else:
                    mode = 'create' if scenario == 'first load' else ('purge' if purge else 'push')
                    seconds, memory, error = self.ddtrace(mode, name, src)
                    if dataset_id is None and scenario == 'first load':
                        try:
                            dataset_id = self.dataset_named(name)
                        except (IndexError, requests.RequestException):
                            dataset_id = None
                reads, writes, other = self.requests_made()
                held = self.count(dataset_id) if dataset_id else None
                row = dict(size=size, latency=latency, tool=tool, scenario=scenario, seconds=seconds, memory=memory,
                           reads=reads, writes=writes, other=other, error=error, held=held,
                           read_floor=max(1, int(math.ceil(before / float(PAGE)))), write_floor=write_floor(changes))
                self.rows.append(row)
                print(format_row(row))
                sys.stdout.flush()
                if error and tool == 'ddtrace' and scenario == 'first load':
                    break

    def prepare_ddtrace(self):
        self.ddtrace_ready = False
        if self.options.no_ddtrace:
            self.notes.append('ddtrace: not run (--no-ddtrace).')
            return
        python = os.path.join(DDTRACE_VENV, 'bin', 'python')
        if not os.path.exists(python):
            print('Installing ddtrace %s in %s (once) ...' % (DDTRACE_VERSION, DDTRACE_VENV))
            try:
                subprocess.run([sys.executable, '-m', 'venv', DDTRACE_VENV], check=True)
                subprocess.run([python, '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check',
                                'ddtrace==%s' % DDTRACE_VERSION], check=True, timeout=600)
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
                shutil.rmtree(DDTRACE_VENV, ignore_errors=True)
                self.notes.append('ddtrace: skipped, it could not be installed from PyPI (%s).' % exc)
                return
        self.ddtrace_ready = True


def write_floor(changes):
    if not changes:
        return 0
    by_count = int(math.ceil(changes / float(BATCH_RECORDS)))
    by_bytes = int(math.ceil(changes * (RECORD_BYTES + 100) / float(BATCH_BYTES)))
    return max(by_count, by_bytes)


def format_row(row):
    failed = (' FAILED: %s' % row['error'][:120]) if row['error'] else ''
    return '%7d records, %3d ms, %-18s %-12s reads %4d (floor %4d)  writes %4d (floor %4d)  other %3d  %7.2f s  %6.0f MB%s' % (
        row['size'], row['latency'], row['tool'], row['scenario'], row['reads'], row['read_floor'], row['writes'],
        row['write_floor'], row['other'], row['seconds'], row['memory'], failed)


def _cell_requests(row):
    if row['error']:
        return 'failed'
    mark = '' if (row['reads'] <= row['read_floor'] and row['writes'] <= row['write_floor']) else ' ▲'
    return '%d + %d%s' % (row['reads'], row['writes'], mark)


def markdown(bench, started, elapsed):
    rows = bench.rows
    lines = ['## Dataset records at scale', '',
             'Generated by `tests/bench/records.py` on %s (%s, Python %s, %d CPUs, load average %s at the start '
             'and %s at the end: wall times on a busy machine vary from run to run; request counts do not), in %.0f s. '
             'Records of about 1 KB; each '
             'size runs four tasks in a row on one dataset: a first load, a re-run that changes nothing, a run '
             'that changes 1 %% of the records, and a purge of 10 %%. Requests are read pages + `batch_update` '
             'writes, from the emulator\'s request log; the floor is one read per 5,000 records listed and '
             'one write per 1,000 changes (more only where 5 MiB forces it). Wall time and peak memory are '
             'those of the process that does the work: the module as Ansible runs it on a host (without the '
             'controller\'s own second per task), and each peer\'s script.'
             % (started.strftime('%Y-%m-%d %H:%M UTC'), platform.platform(terse=True), platform.python_version(),
                os.cpu_count() or 1, bench.load_at_start, load_average(), elapsed), '']
    for latency in sorted(set(r['latency'] for r in rows)):
        lines += ['### %s' % ('Loopback' if not latency else 'Emulator latency %d ms a request' % latency), '',
                  '| records | task | floor (reads + writes) | module: requests | time | memory | '
                  'datadog-api-client: requests | time | memory | ddtrace: requests | time | memory |',
                  '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |']
        for size in sorted(set(r['size'] for r in rows)):
            for scenario in SCENARIOS:
                found = dict((r['tool'], r) for r in rows if r['size'] == size and r['latency'] == latency
                             and r['scenario'] == scenario)
                if not found:
                    continue
                any_row = list(found.values())[0]
                cells = ['{:,}'.format(size), scenario, '%d + %d' % (any_row['read_floor'], any_row['write_floor'])]
                for tool in ('module', 'datadog-api-client', 'ddtrace'):
                    row = found.get(tool)
                    if row is None:
                        cells += ['not run', '', '']
                    else:
                        cells += [_cell_requests(row), '%.2f s' % row['seconds'], '%.0f MB' % row['memory']]
                lines.append('| %s |' % ' | '.join(cells))
        lines.append('')
    lines += ['▲ more requests than the floor. A failed run shows its reason below.', '']
    failures = [r for r in rows if r['error']]
    for row in failures:
        lines.append('- %s, %s records, %s ms, %s: %s' % (
            row['tool'], '{:,}'.format(row['size']), row['latency'], row['scenario'], row['error'].replace('|', '/')[:240]))
    if failures:
        lines.append('')
    lines += targets(rows) + [''] + ['- %s' % note for note in bench.notes + NOTES] + ['']
    return '\n'.join(lines)


NOTES = [
    'datadog-api-client reads every page and sends every declared record again on every run: its writes '
    'grow with the dataset, not with the changes, and each run makes a new version.',
    'ddtrace is pointed at the emulator with DD_LLMOBS_OVERRIDE_ORIGIN; the script translates its /api/unstable/ '
    'paths to /api/v2/, drops the deduplicate attribute and gives it the batch_update answer in the shape it '
    'reads, three things the emulator does as the spec says rather than as the live API does. Its pull reads '
    'pages of the server\'s default size (it sends no page[limit]; the emulator\'s default is 100), and its '
    'push sends the whole change in one batch_update (or, beyond 5 MB, a CSV upload that the emulator does '
    'not serve), which a server refuses beyond 1,000 records.',
]


def targets(rows):
    lines = ['### Targets', '']
    for latency in sorted(set(r['latency'] for r in rows)):
        size = max(r['size'] for r in rows)
        module = [r for r in rows if r['tool'] == 'module' and r['size'] == size and r['latency'] == latency
                  and r['scenario'] == 'no change']
        peer = [r for r in rows if r['tool'] == 'datadog-api-client' and r['size'] == size and r['latency'] == latency
                and r['scenario'] == 'no change']
        bound = ''
        if not peer:  # not run with latency at this size: its loopback time plus one latency a request
            peer = [dict(r, seconds=r['seconds'] + (r['reads'] + r['writes'] + r['other']) * latency / 1000.0)
                    for r in rows if r['tool'] == 'datadog-api-client' and r['size'] == size and r['latency'] == 0
                    and r['scenario'] == 'no change']
            bound = 'at least '
        if not module:
            continue
        module = module[0]
        text = '- %s records, no change, %s: the module sent %d write(s) in %.2f s' % (
            '{:,}'.format(size), 'loopback' if not latency else '%d ms latency' % latency, module['writes'], module['seconds'])
        if peer and not peer[0]['error']:
            ratio = module['seconds'] / peer[0]['seconds']
            text += ', %.0f %% of datadog-api-client\'s %s%.2f s (target: under 33 %%: %s)' % (
                100 * ratio, bound, peer[0]['seconds'], 'met' if ratio < 1 / 3.0 else 'missed')
        text += '; peak memory %.0f MB (target: under 300 MB: %s).' % (
            module['memory'], 'met' if module['memory'] < 300 else 'missed')
        lines.append(text)
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--sizes', default='1000,10000,100000')
    parser.add_argument('--latencies', default='0,50')
    parser.add_argument('--no-ddtrace', action='store_true')
    parser.add_argument('--ddtrace-max', type=int, default=10000,
                        help='the largest size ddtrace runs at (its pull reads 100 records a request)')
    parser.add_argument('--peer-full-max', type=int, default=10000,
                        help='the largest size datadog-api-client runs all four tasks at (beyond: the re-run only)')
    parser.add_argument('--peer-latency-max', type=int, default=10000,
                        help='the largest size datadog-api-client runs at with latency (beyond: loopback only)')
    parser.add_argument('--out', default=os.path.join(REPO_ROOT, 'build', 'records-bench.md'))
    options = parser.parse_args()

    def runs(bench):
        bench.prepare_ddtrace()
        for latency in [int(v) for v in options.latencies.split(',')]:
            for size in [int(v) for v in options.sizes.split(',')]:
                bench.run_size(size, latency)

    run_bench(lambda: Bench(options), runs, markdown, options.out)


if __name__ == '__main__':
    main()
