# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests keep every directory Ansible writes in inside their own temporary directory, whatever HOME
is: tests/utils/ansible_dirs.sh for the scripts, tests/support/ansible_dirs.py for Python.
(The in_process integration target runs its async case under a foreign HOME, and checks that
nothing was written there.)"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys

from ansible_collections.llmobs.datadog.tests.support.ansible_dirs import ansible_dirs_in
from ansible_collections.llmobs.datadog.tests.utils.copy_integration_common import MARK, REPO_ROOT, TARGETS

SHELL_HELPER = os.path.join(REPO_ROOT, 'tests', 'utils', 'ansible_dirs.sh')
ANSIBLE_CONFIG_BIN = os.path.join(os.path.dirname(sys.executable), 'ansible-config')


def shell_helper_environment(root):
    script = '. "$1" && keep_ansible_dirs_in "$2" && env -0'
    output = subprocess.check_output(['bash', '-c', script, 'bash', SHELL_HELPER, root], env={'PATH': os.environ['PATH']})
    return dict(item.split('=', 1) for item in output.decode('utf-8').split('\0') if item.startswith('ANSIBLE_'))


def test_the_script_helper_and_the_python_helper_set_the_same_directories(tmp_path):
    assert shell_helper_environment(str(tmp_path)) == ansible_dirs_in(str(tmp_path))


def test_async_local_and_remote_temp_are_inside_the_test_s_directory(tmp_path):
    environment = ansible_dirs_in(str(tmp_path))
    for name in ('ANSIBLE_ASYNC_DIR', 'ANSIBLE_LOCAL_TEMP', 'ANSIBLE_REMOTE_TEMP', 'ANSIBLE_HOME', 'ANSIBLE_SSH_CONTROL_PATH_DIR'):
        assert os.path.dirname(environment[name]) == str(tmp_path)


def settings(dump):
    """(name, value) of every string in ``ansible-config dump -t all --format json``."""
    def walk(node, name):
        if isinstance(node, dict):
            name = node.get('name', name)
            for key, value in node.items():
                yield from walk(value, key if name is None else name)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value, name)
        elif isinstance(node, str):
            yield name, node
    return list(walk(dump, None))


def test_no_setting_ansible_writes_in_is_left_under_home(tmp_path):
    """What Ansible itself says, for the settings and the plugins the tests use (the sh shell, the
    local and ssh connections): no directory under HOME or a ~ still to expand, and HOME stays empty.
    The callbacks that write files elsewhere (junit, tree) are not enabled by any test."""
    home = tmp_path / 'home'
    home.mkdir()
    environment = dict(os.environ, HOME=str(home), **ansible_dirs_in(str(tmp_path / 'ansible')))
    output = subprocess.check_output([ANSIBLE_CONFIG_BIN, 'dump', '-t', 'all', '--format', 'json'], env=environment,
                                     stderr=subprocess.DEVNULL, cwd=str(tmp_path))
    dump = json.loads(output.decode('utf-8'))
    base = [entry for entry in dump if 'name' in entry]
    plugins = dict((kind, entries) for entry in dump for kind, entries in entry.items() if kind.endswith('_PLUGINS'))
    used = [entry for kind, name in (('SHELL_PLUGINS', 'sh'), ('CONNECTION_PLUGINS', 'local'), ('CONNECTION_PLUGINS', 'ssh'))
            for plugin in plugins[kind] for entry in plugin.get(name, [])]
    assert len(base) > 100 and used, 'ansible-config dump changed its format'
    under_home = [(name, value) for name, value in settings(base + used)
                  if value.startswith(str(home)) or value.startswith('~/')]
    assert under_home == []
    assert os.listdir(str(home)) == []


def test_every_integration_script_keeps_ansible_s_directories_in_its_own():
    """A generated runme.sh gets them from tests/utils/target.sh; a target's own runme.sh calls
    keep_ansible_dirs_in itself."""
    with open(os.path.join(REPO_ROOT, 'tests', 'utils', 'target.sh')) as handle:
        assert 'keep_ansible_dirs_in ' in handle.read()
    missing = []
    for target in sorted(os.listdir(os.path.join(REPO_ROOT, TARGETS))):
        path = os.path.join(REPO_ROOT, TARGETS, target, 'runme.sh')
        if os.path.isfile(path):
            with open(path) as handle:
                text = handle.read()
            if MARK not in text and 'keep_ansible_dirs_in ' not in text:
                missing.append(os.path.relpath(path, REPO_ROOT))
    assert missing == [], 'source tests/utils/ansible_dirs.sh and call keep_ansible_dirs_in in these'
