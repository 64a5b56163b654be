# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The integration matrix of `make test` (Makefile, INTEGRATION_RUNS): every target on the newest
ansible-core; on the older ones only the targets whose aliases file says `all_ansible_versions`.
A new target is picked up from its files, with no edit of the Makefile."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import subprocess

from ansible_collections.llmobs.datadog.tests.utils.copy_integration_common import REPO_ROOT

MAKEFILE = os.path.join(REPO_ROOT, 'Makefile')


def make(arguments, cwd):
    """The words make prints; the flags of a make that runs these tests (make unit-<version>) stay out."""
    environment = dict((name, value) for name, value in os.environ.items() if not name.startswith('MAKE'))
    output = subprocess.check_output(['make', '--no-print-directory', '-f', MAKEFILE] + arguments, cwd=cwd, env=environment)
    return output.decode('utf-8').split()


def make_print(target, cwd):
    return make(['-s', target], cwd)


def versions():
    with open(MAKEFILE) as handle:
        line = next(line for line in handle if line.startswith('ANSIBLE_VERSIONS :='))
    return line.split(':=')[1].split()


def add_target(root, name, aliases=None, runme=True):
    folder = root / 'tests' / 'integration' / 'targets' / name
    folder.mkdir(parents=True)
    if runme:
        (folder / 'runme.sh').write_text(u'#!/usr/bin/env bash\n')
    if aliases is not None:
        (folder / 'aliases').write_text(aliases)


def test_every_target_runs_on_the_newest_and_the_marked_ones_on_every_version(tmp_path):
    add_target(tmp_path, 'new_module')                                   # a new target: no aliases file yet
    add_target(tmp_path, 'plain', u'context/controller\nshippable/posix/group1\n')
    add_target(tmp_path, 'version_specific', u'# why\ncontext/controller\nall_ansible_versions\n')
    add_target(tmp_path, 'commented', u'# all_ansible_versions is only mentioned here\n')
    add_target(tmp_path, 'no_runme', u'all_ansible_versions\n', runme=False)
    newest, older = versions()[-1], versions()[:-1]
    # The runs of every version first, the longest (run-tests.sh starts them first on a clean clone).
    expected = ['integration/%s/version_specific' % version for version in [newest] + older]
    expected += ['integration/%s/%s' % (newest, name) for name in ('commented', 'new_module', 'plain')]
    assert make_print('integration-runs', str(tmp_path)) == expected


def test_the_repository_s_matrix_keeps_the_version_specific_targets_on_every_version():
    runs = make_print('integration-runs', REPO_ROOT)
    for version in versions():
        for target in ('in_process', 'hostile', 'dataset_lifecycle'):
            assert 'integration/%s/%s' % (version, target) in runs
    assert 'integration/%s/llmobs_project' % versions()[-1] in runs
    assert 'integration/%s/llmobs_project' % versions()[0] not in runs


def test_a_module_s_own_target_runs_on_the_newest_version_only():
    # A module's code is the same Python on every version and its unit tests run on each; the in_process
    # target (above, on every version) runs a case of every module on both execution paths
    # (tests/unit/test_module_parts.py checks that each has one). So a new module adds one run, not three.
    runs = make_print('integration-runs', REPO_ROOT)
    modules = sorted(name[:-3] for name in os.listdir(os.path.join(REPO_ROOT, 'plugins', 'modules'))
                     if name.endswith('.py') and name != '__init__.py')
    targets = [module for module in modules
               if os.path.isfile(os.path.join(REPO_ROOT, 'tests', 'integration', 'targets', module, 'runme.sh'))]
    assert len(targets) >= 10
    for target in targets:
        assert 'integration/%s/%s' % (versions()[-1], target) in runs
        for version in versions()[:-1]:
            assert 'integration/%s/%s' % (version, target) not in runs, (
                '%s runs on ansible-core %s: remove all_ansible_versions from its aliases (docs/testing.md)'
                % (target, version))


def test_make_test_runs_every_step_through_the_parallel_runner():
    assert make_print('test-steps', REPO_ROOT)[:3] == ['pytest', 'sanity', 'integration']
    assert make(['-n', 'test'], REPO_ROOT) == ['tests/utils/run-tests.sh']
    with open(os.path.join(REPO_ROOT, '.ci', 'run')) as handle:
        assert 'exec make --no-print-directory test\n' in handle.read()


TARGETS = os.path.join(REPO_ROOT, 'tests', 'integration', 'targets')
SCOPE_SCRIPT = os.path.join(REPO_ROOT, 'tests', 'utils', 'integration_scope.sh')


def scope_of(run):
    """The INTEGRATION_SCOPE that make gives a run when the environment sets none."""
    environment = dict((name, value) for name, value in os.environ.items()
                       if not name.startswith('MAKE') and name != 'INTEGRATION_SCOPE')
    output = subprocess.check_output(['make', '--no-print-directory', '-n', '-f', MAKEFILE, run], cwd=REPO_ROOT, env=environment)
    line = next(line for line in output.decode('utf-8').splitlines() if 'INTEGRATION_SCOPE=' in line)
    return line.split('INTEGRATION_SCOPE:-', 1)[1].split('}', 1)[0]


def test_the_older_versions_run_the_version_scope_and_the_newest_everything():
    # On the older ansible-cores a target of every version may leave out what only repeats the
    # collection's own Python (docs/testing.md); the newest runs all of it.
    assert scope_of('integration/%s/in_process' % versions()[-1]) == 'full'
    for version in versions()[:-1]:
        assert scope_of('integration/%s/in_process' % version) == 'version'


def source_scope(value):
    environment = dict(os.environ)
    environment.pop('INTEGRATION_SCOPE', None)
    if value is not None:
        environment['INTEGRATION_SCOPE'] = value
    process = subprocess.run(['bash', '-c', '. "$0"; echo "scope=${scope}"', SCOPE_SCRIPT], env=environment,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    return process.returncode, process.stdout.decode('utf-8'), process.stderr.decode('utf-8')


def test_a_target_outside_make_runs_everything_and_an_unknown_scope_fails():
    assert source_scope(None)[0] == 0 and 'scope=full' in source_scope(None)[1]
    assert 'scope=version' in source_scope('version')[1]
    status, dummy, error = source_scope('some')
    assert status == 2 and 'INTEGRATION_SCOPE must be full or version' in error


def unconditional_lines(target):
    """The lines of a target's runme.sh that run whatever the scope: those outside every if/for block."""
    with open(os.path.join(TARGETS, target, 'runme.sh')) as handle:
        return [line.rstrip('\n') for line in handle if line[:1] not in (' ', '\t', '#')]


def test_in_process_runs_every_module_on_both_paths_in_every_scope():
    # Every module on both execution paths on every version: the in-process run and the opted-out
    # module run of cases.yml are never left out; only the run through the other connection is.
    lines = unconditional_lines('in_process')
    assert 'run_cases in_process inventory.local.yml' in lines
    assert 'run_cases module_env inventory.local.yml LLMOBS_IN_PROCESS=0 --' in lines
    assert not any(line.startswith('run_cases elsewhere') for line in lines)
    # paths.yml, which sends tasks through the other connection and checks the path each takes, runs in every scope.
    assert any('inventory.paths.yml' in line and 'paths.yml' in line for line in lines)


def test_hostile_runs_its_records_files_on_both_paths_in_every_scope():
    lines = unconditional_lines('hostile')
    assert 'run runme in_process -e "messages_file=${out}/messages-in_process.json"' in lines
    assert 'run runme module -e "messages_file=${out}/messages-module.json" "${module_cases[@]}"' in lines
    with open(os.path.join(TARGETS, 'hostile', 'runme.sh')) as handle:
        text = handle.read()
    assert """[ "${scope}" = version ] && module_cases=(-e '{"hostile_cases": ["files", "dest"]}')""" in text


def test_a_target_that_reads_the_scope_takes_it_from_the_one_script():
    # The script refuses a value it does not know, rather than letting a target silently run less.
    readers = []
    for target in sorted(os.listdir(TARGETS)):
        runme = os.path.join(TARGETS, target, 'runme.sh')
        if os.path.isfile(runme):
            with open(runme) as handle:
                text = handle.read()
            if '${scope}' in text:
                readers.append(target)
                assert '. "${repo_root}/tests/utils/integration_scope.sh"' in text, target
    assert {'hostile', 'in_process', 'pull_request_flow'} <= set(readers)
