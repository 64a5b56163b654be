# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A benchmark of llmobs_experiment_info ``scores: true`` on large experiment runs. No assertions.

Runs of 1,000, 2,000 and 10,000 records (``--sizes``; 2,000 is the first size with two pages of events), seeded
into the emulator with its ``generate`` block: one span per record, 5 eval metrics a span (two scores, a boolean, a
categorical, a json) and about 5 KB of JSON a span (an LLM judge's reasoning is long), 3 records failed. Each is
read, its scores computed, by:

* the module as Ansible runs it on a host (``python llmobs_experiment_info.py args.json``): its peak memory is the
  maximum resident set (``ru_maxrss``) of that process alone;
* the module as a task of ``ansible-playbook`` on the local connection, where it runs inside a controller worker:
  its figure is the largest resident set of any process of that run (controller, workers), so an upper bound of
  the worker's, shown beside an ``ansible-playbook`` run of one ``ansible.builtin.debug`` task;
* a plain script with Datadog's ``datadog-api-client`` that reads the same experiment and its events (v3, every
  page, at the endpoint's default page size) and computes the same means, pass rates and counts.

Requests come from the emulator's request log. The module's floor is one experiments list and one events page per
``EVENT_PAGE_LIMIT`` (500) spans. Every row's figures are compared with the emulator's own statistics of the run
(``GET /_emulator/experiments/{id}``): a row that disagrees is marked failed.

Prints the table and writes a markdown section (default build/experiments-bench.md).

Usage: python tests/bench/experiments.py [--sizes 1000,2000,10000] [--latency-ms 0] [--out build/experiments-bench.md]
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import json
import math
import os
import platform
import sys

from ansible_collections.llmobs.datadog.plugins.module_utils._experiments import EVENT_PAGE_LIMIT
from ansible_collections.llmobs.datadog.tests.support.bench import (
    API_KEY, APP_KEY, EmulatorBench, last_line, load_average, measured, run_bench,
)

HERE = os.path.dirname(os.path.realpath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
MODULE = os.path.join(REPO_ROOT, 'plugins', 'modules', 'llmobs_experiment_info.py')
BIN = os.path.dirname(sys.executable)
SPAN_BYTES = 5000
FAILED_RECORDS = 3
METRICS = [
    {'label': 'correctness', 'type': 'score'},
    {'label': 'faithfulness', 'type': 'score'},
    {'label': 'helpful', 'type': 'boolean'},
    {'label': 'tone', 'type': 'categorical', 'values': ['friendly', 'neutral', 'curt']},
    {'label': 'details', 'type': 'json'},
]
MEMORY_TARGET_MB = 200
LIST_REQUESTS = 1   # the experiments list: the project has fewer experiments than one page holds

DDCLIENT_SCRIPT = r'''
import json, sys, warnings
warnings.simplefilter('ignore')
from datadog_api_client import ApiClient, Configuration
from datadog_api_client.v2.api.agent_observability_api import AgentObservabilityApi

url, project, experiment_id = sys.argv[1:4]
configuration = Configuration(host=url)
configuration.api_key['apiKeyAuth'] = 'bench-api-key'
configuration.api_key['appKeyAuth'] = 'bench-app-key'
for operation in ('list_llm_obs_experiments', 'list_llm_obs_experiment_events'):
    configuration.unstable_operations[operation] = True
spans = failed = 0
labels = {}
with ApiClient(configuration) as client:
    api = AgentObservabilityApi(client)
    api.list_llm_obs_experiments(filter_project_id=project, filter_id=experiment_id)
    cursor = None
    while True:  # every page of the v3 events, at the endpoint's default page size
        page = api.list_llm_obs_experiment_events(experiment_id, **({'page_cursor': cursor} if cursor else {}))
        for span in page.data.attributes.spans:
            spans += 1
            failed += str(getattr(span, 'status', '')) == 'error'
            for metric in getattr(span, 'eval_metrics', None) or []:
                kind = str(metric.metric_type)
                entry = labels.setdefault(metric.label, {'type': kind, 'count': 0, 'sum': 0.0, 'true': 0, 'values': {}})
                value = getattr(metric, kind + '_value', None)
                if value is None:
                    continue
                entry['count'] += 1
                if kind == 'score':
                    entry['sum'] += value
                elif kind == 'boolean':
                    entry['true'] += bool(value)
                elif kind == 'categorical':
                    entry['values'][value] = entry['values'].get(value, 0) + 1
        meta = getattr(page, 'meta', None)
        cursor = getattr(meta, 'after', None) if meta is not None else None
        if not cursor:
            break
scores = {}
for label, entry in labels.items():
    figures = {'type': entry['type'], 'count': entry['count']}
    if entry['type'] == 'score':
        figures['mean'] = entry['sum'] / entry['count'] if entry['count'] else None
    elif entry['type'] == 'boolean':
        figures['pass_rate'] = entry['true'] / entry['count'] if entry['count'] else None
    elif entry['type'] == 'categorical':
        figures['counts'] = entry['values']
    scores[label] = figures
print(json.dumps({'span_count': spans, 'error_count': failed, 'scores': scores}))
'''


class Bench(EmulatorBench):
    def __init__(self, options):
        super(Bench, self).__init__(options, 'llmobs-experiments-bench-', latency_ms=options.latency_ms)
        self.dataset = self.api('POST', '/%s/datasets' % self.project, {'data': {
            'type': 'datasets', 'attributes': {'name': 'experiments-bench'}}})['data']['id']

    def experiment_of(self, size):
        """A completed run of ``size`` generated spans; returns its id and the emulator's statistics of it."""
        made = self.emulator.control('POST', '/experiments', json={'experiments': [{
            'project_id': self.project, 'dataset_id': self.dataset, 'name': 'bench-%d' % size,
            'experiment': 'bench', 'status': 'completed',
            'summary_metrics': [{'label': 'accuracy', 'metric_type': 'score', 'score_value': 0.9}],
            'generate': {'records': size, 'span_bytes': SPAN_BYTES, 'errors': FAILED_RECORDS, 'seed': size,
                         'metrics': METRICS}}]}, timeout=600)['experiments'][0]
        statistics = self.emulator.control('GET', '/experiments/%s' % made['id'], timeout=600)['statistics']
        return made['id'], statistics

    def requests_made(self):
        return len(self.request_log())

    def module_run(self, experiment_id):
        return self.module(MODULE, dict(experiment_id=experiment_id, scores=True))

    def playbook(self, tasks):
        path = os.path.join(self.folder, 'play.yml')
        with open(path, 'w') as handle:
            json.dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}], handle)
        env = dict(os.environ, ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
        env.pop('LLMOBS_IN_PROCESS', None)
        seconds, memory, code, output = measured([os.path.join(BIN, 'ansible-playbook'), path], env=env)
        return seconds, memory, None if code == 0 else last_line(output), None

    def controller_run(self, experiment_id):
        """One task on the local connection: the module inside a controller worker. Its result is not printed, so
        it is written to a file by a second task, read back here to be compared."""
        out = os.path.join(self.folder, 'result.json')
        seconds, memory, error, dummy = self.playbook([
            {'llmobs.datadog.llmobs_experiment_info': dict(
                api_url=self.emulator.url, api_key=API_KEY, app_key=APP_KEY, project_id=self.project,
                experiment_id=experiment_id, scores=True), 'register': 'read'},
            {'ansible.builtin.copy': {'content': '{{ read | to_json }}', 'dest': out}}])
        result = None
        if error is None:
            with open(out) as handle:
                result = json.load(handle)
        return seconds, memory, error, result

    def ddclient_run(self, experiment_id):
        script = os.path.join(self.folder, 'ddclient.py')
        with open(script, 'w') as handle:
            handle.write(DDCLIENT_SCRIPT)
        seconds, memory, code, output = measured([sys.executable, script, self.emulator.url, self.project,
                                                  experiment_id])
        if code != 0:
            return seconds, memory, last_line(output), None
        return seconds, memory, None, {'experiments': [json.loads(output.strip().splitlines()[-1])]}

    def run_size(self, size):
        experiment_id, statistics = self.experiment_of(size)
        pages = pages_of(size)
        runs = [
            ('module, as a module process', LIST_REQUESTS + pages, lambda: self.module_run(experiment_id)),
            ('module, in the controller (ansible-playbook)', LIST_REQUESTS + pages,
             lambda: self.controller_run(experiment_id)),
            ('ansible-playbook, one debug task', None,
             lambda: self.playbook([{'ansible.builtin.debug': {'msg': 'floor'}}])),
            ('datadog-api-client script, default page size', None, lambda: self.ddclient_run(experiment_id)),
        ]
        self.requests_made()
        for name, floor, action in runs:
            seconds, memory, error, result = action()
            row = dict(size=size, run=name, floor=floor, seconds=seconds, memory=memory, error=error,
                       requests=self.requests_made(), agrees=None)
            if not error and result is not None:
                row['error'] = disagreement(result, statistics, size)
                row['agrees'] = row['error'] is None
            self.rows.append(row)
            print(format_row(row))
            sys.stdout.flush()


def pages_of(size):
    return int(math.ceil(size / float(EVENT_PAGE_LIMIT)))


def disagreement(result, statistics, size):
    """Why the figures read differ from the emulator's statistics of the run, or None when they agree."""
    experiments = result.get('experiments') or []
    if len(experiments) != 1:
        return 'read %d experiments, not 1' % len(experiments)
    read = experiments[0]
    if (read.get('span_count'), read.get('error_count')) != (size, statistics['error_span_count']):
        return 'read %s spans, %s failed; the run has %d, %d failed' % (
            read.get('span_count'), read.get('error_count'), size, statistics['error_span_count'])
    for label, expected in statistics['metrics'].items():
        got = (read.get('scores') or {}).get(label) or {}
        if expected['type'] == 'score' and not math.isclose(got.get('mean') or -1, expected['mean'], rel_tol=1e-9):
            return '%s: mean %s, the emulator says %s' % (label, got.get('mean'), expected['mean'])
        if expected['type'] == 'boolean':
            rate = expected['true'] / float(expected['true'] + expected['false'])
            if not math.isclose(got.get('pass_rate') or -1, rate, rel_tol=1e-9):
                return '%s: pass rate %s, the emulator says %s' % (label, got.get('pass_rate'), rate)
        if expected['type'] == 'categorical' and got.get('counts') != expected['values']:
            return '%s: counts %s, the emulator says %s' % (label, got.get('counts'), expected['values'])
    return None


def loaded(bench):
    """Says so when other work kept the machine's CPUs busy while the benchmark ran."""
    try:
        busy = max(float(bench.load_at_start), float(load_average())) > (os.cpu_count() or 1)
    except ValueError:
        return ''
    return ', a loaded machine, other jobs running beside it' if busy else ''


def format_row(row):
    failed = (' FAILED: %s' % row['error'][:160]) if row['error'] else ''
    floor = '' if row['floor'] is None else ' (floor %3d)' % row['floor']
    return '%7d records  %-48s requests %3d%-12s  %7.2f s  %6.0f MB%s' % (
        row['size'], row['run'], row['requests'], floor, row['seconds'], row['memory'], failed)


def markdown(bench, started, elapsed):
    rows = bench.rows
    # A blank line first: `make bench` appends the section right after the restore's, which ends with its list.
    lines = ['', '## Experiment scores at scale', '',
             'Generated by `tests/bench/experiments.py` on %s (%s, Python %s, %d CPUs, load average %s at the start '
             'and %s at the end%s: wall times on a busy machine vary from run to run; request counts do not), in '
             '%.0f s, on %s. Runs seeded into the emulator with its `generate` block: one span per record, '
             '%d eval metrics a span (two scores, a boolean, a categorical, a json), about %s bytes of JSON a span '
             '(an LLM judge\'s reasoning is long), %d records failed. `llmobs_experiment_info` with `scores: true` '
             'lists the experiment (by `experiment_id`) and reads its events (v3) at %s spans a page. The module '
             'rows run it as Ansible runs it on a host (`python llmobs_experiment_info.py args.json`): their memory '
             'is that process\'s peak resident set. The `ansible-playbook` rows run one task on the local '
             'connection, where the module runs inside a controller worker: their memory is the largest resident '
             'set among the run\'s processes (controller and workers), an upper bound of the worker\'s, beside a '
             'run of one `ansible.builtin.debug` task. The `datadog-api-client` row is a plain script that reads '
             'the same experiment and events at the endpoint\'s default page size (5,000) and computes the same '
             'figures. Requests are counted in the emulator\'s request log; the floor is one list request and one '
             'events page per %s spans. Every figure read (span and error counts, each score\'s mean, the pass '
             'rate, the categorical counts) was compared with the emulator\'s own statistics of the run.'
             % (started.strftime('%Y-%m-%d %H:%M UTC'), platform.platform(terse=True), platform.python_version(),
                os.cpu_count() or 1, bench.load_at_start, load_average(), loaded(bench), elapsed,
                'loopback' if not bench.options.latency_ms else 'the emulator answering after %d ms'
                % bench.options.latency_ms, len(METRICS), '{:,}'.format(SPAN_BYTES), FAILED_RECORDS,
                '{:,}'.format(EVENT_PAGE_LIMIT), '{:,}'.format(EVENT_PAGE_LIMIT)), '',
             '| records | run | requests (floor) | time | peak memory | figures agree |',
             '| ---: | --- | ---: | ---: | ---: | --- |']
    for row in rows:
        requests = str(row['requests']) if row['floor'] is None else '%d (%d)' % (row['requests'], row['floor'])
        if row['error']:
            cells = ['{:,}'.format(row['size']), row['run'], requests, 'failed', '', '']
        else:
            cells = ['{:,}'.format(row['size']), row['run'], requests, '%.2f s' % row['seconds'],
                     '%.0f MB' % row['memory'], '' if row['agrees'] is None else 'yes']
        lines.append('| %s |' % ' | '.join(cells))
    lines.append('')
    failures = ['- %s, %s records: %s' % (row['run'], '{:,}'.format(row['size']), row['error'].replace('|', '/')[:240])
                for row in rows if row['error']]
    lines += failures + ([''] if failures else []) + ['### Targets', '']
    module_rows = dict((r['size'], r) for r in rows if r['run'] == 'module, as a module process' and not r['error'])
    for size in sorted(module_rows):
        module = module_rows[size]
        peer = [r for r in rows if r['size'] == size and r['run'].startswith('datadog-api-client') and not r['error']]
        text = '- %s records: %d requests (floor %d), %.2f s' % (
            '{:,}'.format(size), module['requests'], module['floor'], module['seconds'])
        if peer:
            text += ' beside the datadog-api-client script\'s %.2f s (%d requests, %.0f MB)' % (
                peer[0]['seconds'], peer[0]['requests'], peer[0]['memory'])
        text += '; peak memory of the module process %.0f MB (target: under %d MB: %s).' % (
            module['memory'], MEMORY_TARGET_MB, 'met' if module['memory'] < MEMORY_TARGET_MB else 'missed')
        lines.append(text)
    if len(module_rows) > 1:
        smallest, largest = min(module_rows), max(module_rows)
        lines.append('- From %s to %s records (%d times as many), the module process\'s peak memory went from %.0f MB '
                     'to %.0f MB (%+.0f MB). By size: %s. The transport lets go of a page of spans before it asks for '
                     'the next, and the scores keep running figures per label, so memory depends on the size of a page, '
                     'not on the number of records.' % (
                         '{:,}'.format(smallest), '{:,}'.format(largest), largest // smallest,
                         module_rows[smallest]['memory'], module_rows[largest]['memory'],
                         module_rows[largest]['memory'] - module_rows[smallest]['memory'],
                         ', '.join('%s records (%d %s of events) %.0f MB' % (
                             '{:,}'.format(size), pages_of(size), 'page' if pages_of(size) == 1 else 'pages',
                             module_rows[size]['memory']) for size in sorted(module_rows))))
    lines.append('')
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--sizes', default='1000,2000,10000')
    parser.add_argument('--latency-ms', type=int, default=0)
    parser.add_argument('--out', default=os.path.join(REPO_ROOT, 'build', 'experiments-bench.md'))
    options = parser.parse_args()

    def runs(bench):
        for size in [int(v) for v in options.sizes.split(',')]:
            bench.run_size(size)

    run_bench(lambda: Bench(options), runs, markdown, options.out)


if __name__ == '__main__':
    main()
