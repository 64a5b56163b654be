# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The two execution paths of the collection's modules, timed (see docs/execution.md).

A benchmark, not a test: it asserts nothing. It prints a markdown section and writes it to
build/paths-bench.md (``--output``), for docs/performance.md.

Every figure is the wall time of an ansible-playbook run of 20 identical tasks against the local
emulator, minus the median of an empty playbook, divided by 20: the median over ``--runs`` runs
(5 by default; ``--latency-runs``, 3, with latency), the paths of one run taken in turn so that
drift hits them alike. Paths:

* in process: the collection as it is (the local connection runs the modules in the controller);
* module path: the same with LLMOBS_IN_PROCESS=0, the fallback every non-local task takes;
* without action plugins: a copy of the collection without plugins/action, which is how every
  task ran before this change; the fallback must cost the same (timed on loopback for one row
  of each kind, ``WITHOUT_ROWS``).

Each module has a skip path (nothing to change: reads only) and a write path (a create, clone or
records change per task, with the default wait), or a read for the _info modules, beside
ansible.builtin.debug and ansible.builtin.ping. It runs on loopback and with the emulator
answering every API request after ``--latency-ms`` (50 by default).

Usage: python tests/bench/paths.py [--runs 5] [--latency-runs 3] [--latency-ms 50] [--quick] [--output FILE]
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import ansible

from ansible.module_utils.urls import open_url

from ansible_collections.llmobs.datadog.tests.support.ansible_dirs import keep_ansible_dirs_private

HERE = os.path.dirname(os.path.realpath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
RUN_PY = os.path.join(REPO_ROOT, 'tests', 'emulator', 'run.py')
BIN = os.path.dirname(sys.executable)
TASKS = 20
PROJECT = 'a33671aa-24fd-4dcd-9b33-a8ec7dde7751'     # demo-project of the emulator's seed
CAPITALS = '9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d'    # its dataset "capitals"
TICKETS = '0b6a1c52-4a8e-4f39-9d0c-7e2f5b1a9c33'     # its dataset "support-tickets" (3 records, no ids)
TICKET_RECORDS = [
    {'input': {'ticket': 'My invoice is wrong'}, 'expected_output': {'queue': 'billing'}},
    {'input': {'ticket': 'The app crashes on start'}, 'expected_output': {'queue': 'bug'}},
    {'input': {'ticket': 'How do I export my data?'}, 'expected_output': {'queue': 'how-to'}},
]
KEYS = dict(api_key='bench-api-key', app_key='bench-app-key')

IN_PROCESS, MODULE_PATH, WITHOUT = 'in process', 'module path', 'without action plugins'

# Targets of issue 11, on loopback.
DEBUG_FACTOR = 2.5
SPEED_UP = 8.0
FALLBACK_TOLERANCE = 0.10


# ---------------------------------------------------------------------------- the tasks


def module(name, args):
    def tasks(url, run):
        return [{'name': 'task %d' % index, 'llmobs.datadog.%s' % name: dict(args(index, run), api_url=url, **KEYS)}
                for index in range(TASKS)]
    return tasks


def builtin(name, args):
    return lambda url, run: [{'name': 'task %d' % index, name: dict(args)} for index in range(TASKS)]


SCENARIOS = [
    # (row, kind, tasks, writes: the emulator is reset before each run)
    ('ansible.builtin.debug', 'floor', builtin('ansible.builtin.debug', {'msg': 'hello'}), False),
    ('ansible.builtin.ping', 'floor', builtin('ansible.builtin.ping', {}), False),
    ('llmobs_project', 'skip', module('llmobs_project', lambda i, r: dict(name='demo-project', description=None)), False),
    ('llmobs_project', 'write', module('llmobs_project', lambda i, r: dict(name='bench-%d-%d' % (r, i))), True),
    ('llmobs_project_info', 'read', module('llmobs_project_info', lambda i, r: dict(name='demo-project')), False),
    ('llmobs_dataset', 'skip', module('llmobs_dataset', lambda i, r: dict(project_id=PROJECT, name='capitals')), False),
    ('llmobs_dataset', 'write', module('llmobs_dataset', lambda i, r: dict(project_id=PROJECT, name='bench-%d-%d' % (r, i))), True),
    ('llmobs_dataset_info', 'read', module('llmobs_dataset_info', lambda i, r: dict(project_id=PROJECT, name='capitals')), False),
    ('llmobs_dataset_clone', 'skip', module('llmobs_dataset_clone', lambda i, r: dict(
        project_id=PROJECT, dataset_id=CAPITALS, name='capitals')), False),
    ('llmobs_dataset_clone', 'write', module('llmobs_dataset_clone', lambda i, r: dict(
        project_id=PROJECT, dataset_id=CAPITALS, name='bench-%d-%d' % (r, i))), True),
    ('llmobs_dataset_records', 'skip', module('llmobs_dataset_records', lambda i, r: dict(
        project_id=PROJECT, dataset_id=TICKETS, records=TICKET_RECORDS)), False),
    ('llmobs_dataset_records', 'write', module('llmobs_dataset_records', lambda i, r: dict(
        project_id=PROJECT, dataset_id=TICKETS, records=[{'input': 'bench %d %d' % (r, i), 'expected_output': 'x'}])), True),
    ('llmobs_dataset_records_info', 'read', module('llmobs_dataset_records_info', lambda i, r: dict(
        project_id=PROJECT, dataset_id=CAPITALS)), False),
]
QUICK = ('ansible.builtin.debug', 'ansible.builtin.ping', 'llmobs_dataset_clone', 'llmobs_project_info')
# The rows also timed without action plugins (on loopback): one of each kind is enough to compare.
WITHOUT_ROWS = ('llmobs_dataset_clone', 'llmobs_project_info')


# ---------------------------------------------------------------------------- emulator and runs


class Emulator(object):
    def __init__(self, latency_ms):
        self.folder = tempfile.mkdtemp(prefix='llmobs-paths-bench-')
        self.pid_file = os.path.join(self.folder, 'emulator.pid')
        command = [sys.executable, RUN_PY, '--port', '0', '--detach', '--pid-file', self.pid_file,
                   '--api-key', KEYS['api_key'], '--app-key', KEYS['app_key']]
        if latency_ms:
            command += ['--latency-ms', str(latency_ms)]
        output = subprocess.check_output(command, universal_newlines=True)
        self.url = output.splitlines()[0].strip()

    def reset(self):
        open_url(self.url + '/_emulator/reset', data=b'{}', method='POST', timeout=30,
                 headers={'Content-Type': 'application/json'}).read()

    def stop(self):
        subprocess.call([sys.executable, RUN_PY, '--stop', '--pid-file', self.pid_file],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.folder, ignore_errors=True)


def collection_without_action_plugins(folder):
    """A copy of the collection as it was before this change: no plugins/action."""
    target = os.path.join(folder, 'ansible_collections', 'llmobs', 'datadog')
    os.makedirs(target)
    for name in ('galaxy.yml', 'meta', 'plugins'):
        source = os.path.join(REPO_ROOT, name)
        if os.path.isdir(source):
            shutil.copytree(source, os.path.join(target, name),
                            ignore=shutil.ignore_patterns('action', '__pycache__', '*.pyc'))
        else:
            shutil.copy(source, target)
    return folder


def environment(path, without_folder):
    env = dict(os.environ, ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
    env.pop('LLMOBS_IN_PROCESS', None)
    if path == MODULE_PATH:
        env['LLMOBS_IN_PROCESS'] = '0'
    elif path == WITHOUT:
        env['ANSIBLE_COLLECTIONS_PATH'] = without_folder
        env['ANSIBLE_COLLECTIONS_SCAN_SYS_PATH'] = 'false'
        env.pop('PYTHONPATH', None)
    return env


def run_playbook(tasks, env):
    handle, path = tempfile.mkstemp(suffix='.yml', prefix='llmobs-paths-bench-')
    with os.fdopen(handle, 'w') as out:
        json.dump([{'name': 'bench', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}], out)
    started = time.monotonic()
    process = subprocess.run([os.path.join(BIN, 'ansible-playbook'), path], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    elapsed = time.monotonic() - started
    os.unlink(path)
    if process.returncode != 0:
        raise RuntimeError('benchmark playbook failed:\n' + process.stdout[-4000:])
    return elapsed


def check_paths(emulator, without_folder):
    """Make sure each path is the one it claims to be, from the action's -vvv line."""
    tasks = module('llmobs_project_info', lambda i, r: {})(emulator.url, 0)[:1]
    expected = {IN_PROCESS: 'runs in the controller', MODULE_PATH: 'runs as a module', WITHOUT: None}
    for path, marker in expected.items():
        handle, playbook = tempfile.mkstemp(suffix='.yml', prefix='llmobs-paths-check-')
        with os.fdopen(handle, 'w') as out:
            json.dump([{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}], out)
        output = subprocess.run([os.path.join(BIN, 'ansible-playbook'), playbook, '-vvv'],
                                env=environment(path, without_folder), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, universal_newlines=True, check=False).stdout
        os.unlink(playbook)
        found = 'runs in the controller' if 'runs in the controller' in output else (
            'runs as a module' if 'runs as a module' in output else None)
        if found != marker:
            raise RuntimeError('%s is not what it claims to be (found %r):\n%s' % (path, found, output[-3000:]))


def paths_of(paths, row, kind):
    if kind == 'floor':
        return (IN_PROCESS,)
    return tuple(path for path in paths if path != WITHOUT or row in WITHOUT_ROWS)


def measure(latency_ms, runs, paths, scenarios, without_folder):
    """{(row, kind, path): seconds per task}, and the empty playbook's median."""
    emulator = Emulator(latency_ms)
    try:
        check_paths(emulator, without_folder)
        empty = statistics.median(run_playbook([], environment(IN_PROCESS, without_folder)) for dummy in range(runs))
        samples = {}
        for row, kind, tasks, writes in scenarios:
            sys.stderr.write('  %s ms latency: %s, %s ' % (latency_ms, row, kind))
            for run in range(runs):
                for path in paths_of(paths, row, kind):
                    if writes:
                        emulator.reset()
                    elapsed = run_playbook(tasks(emulator.url, run), environment(path, without_folder))
                    samples.setdefault((row, kind, path), []).append((elapsed - empty) / TASKS)
                sys.stderr.write('.')
            sys.stderr.write('\n')
        return dict((key, statistics.median(values)) for key, values in samples.items()), empty
    finally:
        emulator.stop()


# ---------------------------------------------------------------------------- the report


def ms(seconds):
    return '%.1f' % (seconds * 1000) if seconds is not None else '-'


def table(headers, rows):
    lines = ['| %s |' % ' | '.join(headers), '| %s |' % ' | '.join('---' for dummy in headers)]
    lines += ['| %s |' % ' | '.join(str(cell) for cell in row) for row in rows]
    return lines


def report(results, scenarios, runs, load):
    """The markdown section; ``results`` and ``runs`` are keyed by latency (0: loopback)."""
    lines = [
        '## In-process execution: the two paths',
        '',
        'Generated by `tests/bench/paths.py` on %s: ansible-core %s, Python %s, %d CPU cores. Each figure is '
        'the wall time of a playbook of %d identical tasks against the local emulator, minus an empty playbook, '
        'divided by %d: the median of several runs, the paths of a run taken in turn. "In process" is the '
        'collection as it is, on the local connection; "module path" is the same with `LLMOBS_IN_PROCESS=0`, the '
        'path every task takes when it cannot run in the controller (another connection, `become`, `async`, an '
        'opt-out); "without action plugins" is a copy of the collection without `plugins/action`, which is how '
        'every task ran before. A skip path changes nothing (reads only); a write path creates, clones or changes '
        'records in every task and waits as the defaults do. See [execution.md](execution.md) for what runs where. '
        'Load average of the machine (1 minute) at the start and the end: %s.'
        % (datetime.date.today().isoformat(), ansible.__version__, platform.python_version(), os.cpu_count(),
           TASKS, TASKS, ' and '.join('%.1f' % value for value in load)),
        '',
    ]
    verdicts = []
    for latency in sorted(results):
        figures, empty = results[latency]
        debug = figures[('ansible.builtin.debug', 'floor', IN_PROCESS)]
        with_without = any(key[2] == WITHOUT for key in figures)
        lines += ['### %s' % ('Loopback' if not latency else 'Emulator answering after %d ms' % latency), '',
                  'Median of %d runs; empty playbook %.2f s. Milliseconds per task:' % (runs[latency], empty), '']
        headers = ['task', 'path', IN_PROCESS, MODULE_PATH] + ([WITHOUT] if with_without else []) + [
            'module path / in process', 'in process / debug']
        rows = []
        for row, kind, dummy, dummy in scenarios:
            inside = figures[(row, kind, IN_PROCESS)]
            if kind == 'floor':
                rows.append([row, '-', ms(inside), '-'] + (['-'] if with_without else []) + ['-', '%.2f' % (inside / debug)])
                continue
            module_path = figures[(row, kind, MODULE_PATH)]
            cells = [row, kind, ms(inside), ms(module_path)]
            if with_without:
                cells.append(ms(figures.get((row, kind, WITHOUT))))
            rows.append(cells + ['%.1f' % (module_path / inside), '%.2f' % (inside / debug)])
        lines += table(headers, rows) + ['']
        if not latency:
            verdicts += targets(figures, scenarios, debug)
    if verdicts:
        lines += ['### Targets (loopback)', ''] + table(['target', 'worst case', 'verdict'], verdicts) + ['']
    return '\n'.join(lines) + '\n'


def targets(figures, scenarios, debug):
    rows = [(row, kind) for row, kind, dummy, dummy in scenarios if kind != 'floor']
    if not rows:
        return []
    worst_debug = max(rows, key=lambda key: figures[key + (IN_PROCESS,)])
    worst_speed = min(rows, key=lambda key: figures[key + (MODULE_PATH,)] / figures[key + (IN_PROCESS,)])
    factor = figures[worst_debug + (IN_PROCESS,)] / debug
    speed = figures[worst_speed + (MODULE_PATH,)] / figures[worst_speed + (IN_PROCESS,)]
    verdicts = [
        ['in process within %.1fx of debug' % DEBUG_FACTOR, '%.2fx (%s, %s)' % ((factor,) + worst_debug),
         'met' if factor <= DEBUG_FACTOR else '**missed**'],
        ['in process at least %.0fx faster than the module path' % SPEED_UP, '%.1fx (%s, %s)' % ((speed,) + worst_speed),
         'met' if speed >= SPEED_UP else '**missed**'],
    ]
    if any(key[2] == WITHOUT for key in figures):
        gaps = dict((key, figures[key + (MODULE_PATH,)] / figures[key + (WITHOUT,)] - 1) for key in rows
                    if key + (WITHOUT,) in figures)
        worst = max(gaps, key=lambda key: abs(gaps[key]))
        verdicts.append(['the fallback costs what the module path cost before (within %d%%)' % (FALLBACK_TOLERANCE * 100),
                         '%+.1f%% (%s, %s)' % ((gaps[worst] * 100,) + worst),
                         'met' if abs(gaps[worst]) <= FALLBACK_TOLERANCE else '**missed**'])
    return verdicts


def main():
    keep_ansible_dirs_private()
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--runs', type=int, default=5, help='runs of each playbook on loopback (default 5)')
    parser.add_argument('--latency-runs', type=int, default=3, help='runs of each playbook with latency (default 3)')
    parser.add_argument('--latency-ms', type=int, default=50, help='latency of the second pass (0: no second pass)')
    parser.add_argument('--quick', action='store_true', help='2 runs, clone and project_info only')
    parser.add_argument('--output', default=os.path.join(REPO_ROOT, 'build', 'paths-bench.md'))
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *args: sys.exit(1))  # stop the emulator on the way out
    scenarios = [scenario for scenario in SCENARIOS if not options.quick or scenario[0] in QUICK]
    runs = {0: 2 if options.quick else options.runs}
    if options.latency_ms:
        runs[options.latency_ms] = 2 if options.quick else options.latency_runs
    without_folder = collection_without_action_plugins(tempfile.mkdtemp(prefix='llmobs-paths-without-'))
    results = {}
    load = [os.getloadavg()[0]]
    try:
        for latency in sorted(runs):
            paths = (IN_PROCESS, MODULE_PATH, WITHOUT) if not latency else (IN_PROCESS, MODULE_PATH)
            results[latency] = measure(latency, runs[latency], paths, scenarios, without_folder)
    finally:
        shutil.rmtree(without_folder, ignore_errors=True)
    load.append(os.getloadavg()[0])
    text = report(results, scenarios, runs, load)
    sys.stdout.write(text)
    folder = os.path.dirname(os.path.abspath(options.output))
    if not os.path.isdir(folder):
        os.makedirs(folder)
    with open(options.output, 'w') as handle:
        handle.write(text)
    sys.stderr.write('written to %s\n' % options.output)


if __name__ == '__main__':
    main()
