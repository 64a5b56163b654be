# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Make this checkout the llmobs.datadog of the running virtualenv, for the Makefile's commands only.

The symlink <venv>/collections/ansible_collections/llmobs/datadog -> repository root is an
editable install. The Makefile points ANSIBLE_COLLECTIONS_PATH (ansible-playbook, ansible-doc,
ansible-lint) and PYTHONPATH (pytest, and any Python that imports ansible_collections.llmobs.datadog)
at <venv>/collections; `make -s env` prints the same settings for a shell.

The link is kept out of site-packages on purpose: there, every ansible-galaxy of the virtualenv
would take the checkout for an installed llmobs.datadog, and `ansible-galaxy collection install
-p DIR <tarball>` would answer "Nothing to do". A link left there by an older version of this
script is removed.

Prints the folder to put on ANSIBLE_COLLECTIONS_PATH.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys
import sysconfig


def ensure_link(link, target):
    parent = os.path.dirname(link)
    if not os.path.isdir(parent):
        os.makedirs(parent)
    if os.path.islink(link) or os.path.exists(link):
        if os.path.realpath(link) == target:
            return
        os.remove(link)
    os.symlink(target, link)


def remove_site_packages_link(target):
    namespace_dir = os.path.join(sysconfig.get_paths()['purelib'], 'ansible_collections', 'llmobs')
    old_link = os.path.join(namespace_dir, 'datadog')
    if os.path.islink(old_link) and os.path.realpath(old_link) == target:
        os.remove(old_link)
        for folder in (namespace_dir, os.path.dirname(namespace_dir)):
            if os.path.isdir(folder) and not os.listdir(folder):
                os.rmdir(folder)


def main():
    repo_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
    collections_dir = os.path.join(sys.prefix, 'collections')
    ensure_link(os.path.join(collections_dir, 'ansible_collections', 'llmobs', 'datadog'), repo_root)
    remove_site_packages_link(repo_root)
    print(collections_dir)


if __name__ == '__main__':
    main()
