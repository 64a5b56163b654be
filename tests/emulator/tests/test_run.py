# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Starting the emulator as users do: run.py's options and bad input, --detach and --stop, the
collection playbook llmobs.datadog.emulator, and latency."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
import requests

from ansible_collections.llmobs.datadog.tests.support.demo import COLLECTIONS_ROOT, DEMO_PROJECT
from ansible_collections.llmobs.datadog.tests.support.emulator import HEADERS, RUN_PY
from ansible_collections.llmobs.datadog.tests.support.playbook import child_environment

ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
# The copy of the collection that ansible-playbook runs the playbook llmobs.datadog.emulator of.
THIS_COPY = os.path.realpath(os.path.join(COLLECTIONS_ROOT, 'ansible_collections', 'llmobs', 'datadog'))


def run(*options, **kwargs):
    return subprocess.run([sys.executable, RUN_PY] + list(options), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=kwargs.pop('timeout', 30), check=False, **kwargs)


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def assert_usage_error(result, *words):
    """Exit code 2, one line on stderr naming the problem, nothing on stdout, no traceback."""
    assert result.returncode == 2, result
    assert result.stdout == ''
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith('llmobs-emulator: ')
    for word in words:
        assert word in lines[0]


@pytest.mark.parametrize('options, words', [
    (['--port', 'abc'], ['--port', "'abc' is not a port number"]),
    (['--port', '70000'], ['70000 is not a port number']),
    (['--lag', '-1'], ['--lag']),
    (['--records-lag', 'soon'], ['--records-lag', "'soon' is not a number"]),
    (['--fault', '{"operation": "ListLLMObsDatasets", "drip": [0, 1]}'], ['bytes per write']),
    (['--latency-ms', 'slow'], ['--latency-ms', "'slow' is not a number"]),
    (['--latency-ms', 'nan'], ['--latency-ms']),
    (['--rate-limit', '10'], ['LIMIT/PERIOD_SECONDS']),
    (['--rate-limit', '0/60'], ['the limit must be 1 or more']),
    (['--fault', '{"operation": "X", "stauts": 500}'], ['unknown fault field(s): stauts']),
    (['--fault', 'not json'], ['bad fault']),
    (['--dataset-create-status', '202'], ['--dataset-create-status']),
    (['--records-shape', 'deep'], ['--records-shape']),
    (['--seeds', 'x.json'], ['unrecognized arguments: --seeds']),
    (['--tls-key', 'key.pem'], ['--tls-key needs --tls-cert']),
    (['--pid-file', 'x.pid'], ['--pid-file and --log-file go with --detach or --stop']),
    (['--detach', '--stop', '--pid-file', 'x.pid'], ['do not go together']),
    (['--detach', '--port', '0'], ['needs --pid-file']),
])
def test_bad_options_get_one_line_and_exit_code_2(options, words):
    assert_usage_error(run(*options), *words)


@pytest.mark.parametrize('content, words', [
    (None, ['cannot read seed file', 'No such file or directory']),
    ('{"projects": [', ['is not valid JSON']),
    (b'\xff\xfe', ['is not UTF-8 text']),
    ('[]', ['the document: must be a JSON object']),
    ('{"project": []}', ['unknown key(s) project']),
    ('{"projects": {"name": "p"}}', ['projects: must be a JSON list']),
    ('{"projects": [{"datasets": []}]}', ['projects[0].name: missing']),
    ('{"projects": [{"name": "p", "datasets": [{"name": "d", "metadata": []}]}]}',
     ['projects[0].datasets[0].metadata: must be a JSON object or null']),
    ('{"projects": [{"name": "p", "datasets": [{"name": "d", "records": [{"expected_output": 1}]}]}]}',
     ['projects[0].datasets[0].records[0].input', 'needs an input']),
    ('{"projects": [{"name": "p", "datasets": [{"name": "d", "records": [{"input": 1, "id": "a b"}]}]}]}',
     ['records[0].id', 'A-Z a-z 0-9']),
    ('{"projects": [{"name": "p", "datasets": [{"name": "d", "records": [{"input": 1, "tags": ["nokey"]}]}]}]}',
     ['records[0].tags.0', 'key:value']),
    ('{"projects": [{"name": "p", "datasets": [{"name": "d", "records": [{"input": 1, "id": "a"}, {"input": 2, "id": "a"}]}]}]}',
     ['records[1].id: a is used twice']),
])
def test_bad_seed_files_name_the_file_and_the_place(tmp_path, content, words):
    seed = tmp_path / 'seed.json'
    if isinstance(content, bytes):
        seed.write_bytes(content)
    elif content is not None:
        seed.write_text(content)
    result = run('--seed', str(seed))
    assert_usage_error(result, *words)
    assert str(seed) in result.stderr


def test_missing_or_unusable_tls_files(tmp_path):
    assert_usage_error(run('--tls-cert', str(tmp_path / 'cert.pem')), '--tls-cert: no such file')
    not_pem = tmp_path / 'cert.pem'
    not_pem.write_text('not a certificate')
    assert_usage_error(run('--tls-cert', str(not_pem), '--tls-key', str(tmp_path / 'key.pem')), '--tls-key: no such file')
    assert_usage_error(run('--tls-cert', str(not_pem)), 'cannot use the certificate', 'PEM')


def test_a_port_in_use_is_named():
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert_usage_error(run('--port', str(port)), 'port %d on 127.0.0.1 is already in use' % port)


def test_runs_as_a_module_of_the_package_too():
    process = subprocess.Popen([sys.executable, '-m', 'ansible_collections.llmobs.datadog.tests.emulator.run', '--port', '0'],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, env=child_environment())
    try:
        url = process.stdout.readline().strip()
        assert requests.get(url + '/_emulator/health', timeout=5).json() == {'status': 'ok'}
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()


def test_latency_delays_api_answers_but_not_the_control_api(start_emulator):
    # A sleep gives a sure lower bound; upper bounds are only ever compared with a latency long
    # enough (3 s) that no busy runner reaches it without one.
    emulator = start_emulator('--latency-ms', '3000')
    assert emulator.control('GET', '/config')['latency_ms'] == 3000
    started = time.monotonic()
    emulator.control('GET', '/state')
    assert time.monotonic() - started < 3.0
    started = time.monotonic()
    assert emulator.api('GET', '/projects').status_code == 200
    assert time.monotonic() - started >= 3.0
    emulator.configure(latency_ms=0)
    started = time.monotonic()
    emulator.api('GET', '/projects')
    assert time.monotonic() - started < 3.0
    emulator.configure(latency_ms=150)
    started = time.monotonic()
    emulator.api('GET', '/projects')
    assert time.monotonic() - started >= 0.15
    emulator.control('POST', '/reset')  # back to the start-up value
    assert emulator.control('GET', '/config')['latency_ms'] == 3000


def test_detach_status_restart_and_stop(tmp_path):
    port, pid_file = free_port(), str(tmp_path / 'emulator.pid')
    try:
        started = run('--detach', '--port', str(port), '--pid-file', pid_file, '--lag', '1')
        assert started.returncode == 0, started.stderr
        url, message, served_by = started.stdout.splitlines()[:3]
        assert url == 'http://127.0.0.1:%d' % port
        assert message.startswith('started in the background') and pid_file in message
        assert served_by == 'emulator: %s' % RUN_PY
        with open(pid_file) as handle:
            pid = int(handle.read())
        assert requests.get(url + '/_emulator/config', timeout=5).json()['lag'] == 1
        assert os.path.exists(os.path.splitext(pid_file)[0] + '.log')

        again = run('--detach', '--port', str(port), '--pid-file', pid_file, '--lag', '1')
        assert again.returncode == 0 and again.stdout.splitlines()[1].startswith('already running (pid %d' % pid)
        assert again.stdout.splitlines()[2:] == ['emulator: %s' % RUN_PY]

        other = run('--detach', '--port', str(port), '--pid-file', pid_file, '--lag', '2')
        assert other.returncode == 0 and other.stdout.splitlines()[1].startswith('restarted in the background')
        assert requests.get(url + '/_emulator/config', timeout=5).json()['lag'] == 2

        stopped = run('--stop', '--pid-file', pid_file)
        assert stopped.returncode == 0 and stopped.stdout.startswith('stopped (pid')
        assert not os.path.exists(pid_file)
        with pytest.raises(requests.ConnectionError):
            requests.get(url + '/_emulator/health', timeout=5)
        assert run('--stop', '--pid-file', pid_file).stdout.startswith('not running')
    finally:
        run('--stop', '--pid-file', pid_file)


def test_detach_reports_why_it_could_not_start(tmp_path):
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run('--detach', '--port', str(port), '--pid-file', str(tmp_path / 'e.pid'))
    assert_usage_error(result, 'port %d on 127.0.0.1 is already in use' % port)
    assert os.listdir(str(tmp_path)) == []  # neither the pid file nor the log
    assert_usage_error(run('--detach', '--port', '0', '--pid-file', str(tmp_path / 'e.pid'), '--seed', str(tmp_path / 'no.json')),
                       'cannot read seed file')


def test_stale_pid_file_is_not_trusted(tmp_path):
    pid_file = tmp_path / 'stale.pid'
    pid_file.write_text('%d\n' % os.getpid())  # a live process, but not an emulator
    result = run('--stop', '--pid-file', str(pid_file))
    assert result.returncode == 0 and result.stdout.startswith('not running')
    assert not pid_file.exists()


def playbook(*extra):
    env = child_environment(ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_NOCOLOR='1')
    return subprocess.run([ANSIBLE_PLAYBOOK, 'llmobs.datadog.emulator'] + list(extra), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, timeout=120, check=False, env=env)


def recap(result):
    line = [line for line in result.stdout.splitlines() if line.startswith('localhost ')][-1]
    return dict((part.split('=')[0], int(part.split('=')[1])) for part in line.split(':', 1)[1].split())


def test_collection_playbook_starts_and_stops_it(tmp_path):
    port, pid_file = free_port(), str(tmp_path / 'play.pid')
    common = ['-e', 'emulator_port=%d' % port, '-e', 'emulator_pid_file=%s' % pid_file]
    url = 'http://127.0.0.1:%d' % port
    try:
        first = playbook(*common + ['-e', 'emulator_latency_ms=20', '-e', '{"emulator_args": ["--inexact-name-filter"]}'])
        assert first.returncode == 0, first.stdout
        assert recap(first)['changed'] == 1
        assert 'The emulator answers at %s' % url in first.stdout and pid_file in first.stdout
        assert '"It is the emulator of the collection at %s",' % THIS_COPY in first.stdout
        assert '{api_url: %s, api_key: local-api-key, app_key: local-app-key}' % url in first.stdout
        assert "It accepts any keys; give keys of 8 characters or more" in first.stdout
        config = requests.get(url + '/_emulator/config', timeout=5).json()
        assert (config['latency_ms'], config['inexact_name_filter']) == (20, True)
        projects = requests.get(url + '/api/v2/llm-obs/v1/projects', headers=HEADERS, timeout=5).json()
        assert [p['id'] for p in projects['data']] == [DEMO_PROJECT]

        again = playbook(*common + ['-e', 'emulator_latency_ms=20', '-e', '{"emulator_args": ["--inexact-name-filter"]}'])
        assert again.returncode == 0 and recap(again)['changed'] == 0, again.stdout

        seed = tmp_path / 'seed.json'
        seed.write_text(json.dumps({'projects': [{'id': 'p-1', 'name': 'mine'}]}))
        seeded = playbook(*common + ['-e', 'emulator_seed=%s' % seed])
        assert seeded.returncode == 0 and recap(seeded)['changed'] == 1, seeded.stdout
        projects = requests.get(url + '/api/v2/llm-obs/v1/projects', headers=HEADERS, timeout=5).json()
        assert [p['id'] for p in projects['data']] == ['p-1']

        stopped = playbook(*common + ['-e', 'emulator_state=stopped'])
        assert stopped.returncode == 0 and recap(stopped)['changed'] == 1, stopped.stdout
        with pytest.raises(requests.ConnectionError):
            requests.get(url + '/_emulator/health', timeout=5)
        assert recap(playbook(*common + ['-e', 'emulator_state=stopped']))['changed'] == 0
    finally:
        run('--stop', '--pid-file', pid_file)


def test_collection_playbook_refuses_bad_variables():
    result = playbook('-e', 'emulator_port=http', '-e', 'emulator_pid_file=/nonexistent/x.pid')
    assert result.returncode != 0
    assert 'emulator_port a port number' in result.stdout


def test_collection_playbook_says_which_keys_it_checks(tmp_path):
    port, pid_file = free_port(), str(tmp_path / 'keys.pid')
    try:
        result = playbook('-e', 'emulator_port=%d' % port, '-e', 'emulator_pid_file=%s' % pid_file,
                          '-e', '{"emulator_args": ["--api-key", "emulator-only-api-key"]}')
        assert result.returncode == 0, result.stdout
        assert 'api_key: <its --api-key>, app_key: local-app-key}' in result.stdout
        assert 'It accepts only the keys given with --api-key (403 otherwise), and any app_key' in result.stdout
        assert 'local-api-key' not in result.stdout and 'It accepts any keys' not in result.stdout
    finally:
        run('--stop', '--pid-file', pid_file)


def test_collection_playbook_reports_a_taken_port_as_a_failure_in_its_own_terms(tmp_path):
    pid_file = str(tmp_path / 'taken.pid')
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = playbook('-e', 'emulator_port=%d' % port, '-e', 'emulator_pid_file=%s' % pid_file)
    assert result.returncode != 0
    assert (recap(result)['changed'], recap(result)['failed']) == (0, 1), result.stdout
    assert ('Port %d on 127.0.0.1 is already in use: stop what uses it, or choose another port with '
            '-e emulator_port=<port> (-e emulator_port=0 picks a free one).' % port) in result.stdout
    assert '--port' not in result.stdout and 'non-zero return code' not in result.stdout
    assert os.listdir(str(tmp_path)) == []  # no pid file, no log


def test_collection_playbook_names_the_copy_whose_emulator_answers(tmp_path):
    # Another install of the collection started the emulator this playbook finds running.
    other = tmp_path / 'other' / 'ansible_collections' / 'llmobs' / 'datadog'
    shutil.copytree(os.path.dirname(RUN_PY), str(other / 'tests' / 'emulator'),
                    ignore=shutil.ignore_patterns('tests', '__pycache__'))
    port, pid_file = free_port(), str(tmp_path / 'two.pid')
    try:
        # The options the playbook starts it with, so that it finds it running as it would start it.
        started = subprocess.run([sys.executable, str(other / 'tests' / 'emulator' / 'run.py'), '--detach', '--pid-file',
                                  pid_file, '--port', str(port), '--latency-ms', '0', '--lag', '0'],
                                 stdout=subprocess.PIPE, universal_newlines=True, timeout=30, check=True)
        assert started.stdout.splitlines()[2] == 'emulator: %s' % (other / 'tests' / 'emulator' / 'run.py')
        result = playbook('-e', 'emulator_port=%d' % port, '-e', 'emulator_pid_file=%s' % pid_file)
        assert result.returncode == 0 and recap(result)['changed'] == 0, result.stdout
        assert 'already running' in result.stdout
        assert ('It is the emulator of the collection at %s, not the one of this playbook (%s): '
                '-e emulator_state=restarted starts this one instead' % (os.path.realpath(str(other)), THIS_COPY)
                ) in result.stdout
    finally:
        run('--stop', '--pid-file', pid_file)
