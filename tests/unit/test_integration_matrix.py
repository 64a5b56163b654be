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
    expected = ['integration/%s/%s' % (newest, name) for name in ('commented', 'new_module', 'plain', 'version_specific')]
    expected += ['integration/%s/version_specific' % version for version in older]
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
