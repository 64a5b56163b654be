# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Make this checkout importable as llmobs.datadog in the running Python's environment.

A symlink site-packages/ansible_collections/llmobs/datadog -> repository root acts as an
editable install for ansible-playbook, ansible-doc, ansible-lint and pytest alike.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sysconfig


def main():
    repo_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    namespace_dir = os.path.join(sysconfig.get_paths()['purelib'], 'ansible_collections', 'llmobs')
    link = os.path.join(namespace_dir, 'datadog')
    if not os.path.isdir(namespace_dir):
        os.makedirs(namespace_dir)
    if os.path.islink(link) or os.path.exists(link):
        if os.path.realpath(link) == repo_root:
            return
        os.remove(link)
    os.symlink(repo_root, link)
    print('linked %s -> %s' % (link, repo_root))


if __name__ == '__main__':
    main()
