# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every directory Ansible writes in, inside a temporary directory of the test run.

A test must not depend on HOME: when HOME is not the user's home directory, an async task on the
local connection wrote its job file under $HOME while async_status looked for it in the home
directory of the user ("could not find job"). tests/utils/ansible_dirs.sh does the same for the
shell scripts; tests/unit/test_ansible_dirs.py keeps the two alike.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import atexit
import os
import shutil
import tempfile


def ansible_dirs_in(root):
    """The environment that puts Ansible's home (local temp, galaxy cache, persistent connections),
    the remote temp, the async job files and ssh's control sockets inside ``root``."""
    return dict(
        ANSIBLE_HOME=os.path.join(root, 'ansible-home'),
        ANSIBLE_LOCAL_TEMP=os.path.join(root, 'local-tmp'),
        ANSIBLE_REMOTE_TEMP=os.path.join(root, 'remote-tmp'),
        ANSIBLE_ASYNC_DIR=os.path.join(root, 'async'),
        ANSIBLE_SSH_CONTROL_PATH_DIR=os.path.join(root, 'ssh-cp'),
    )


def keep_ansible_dirs_private():
    """Point this process, and every Ansible it starts, at a temporary directory removed at exit."""
    root = tempfile.mkdtemp(prefix='llmobs-ansible-')
    atexit.register(shutil.rmtree, root, True)
    os.environ.update(ansible_dirs_in(root))
    return root
