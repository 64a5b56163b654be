# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # The option of a module that reads a file of the repository (plugins/module_utils/_controller_files.py).
    DOCUMENTATION = r'''
options:
  remote_src:
    description:
      - Where the files this module reads are, as in M(ansible.builtin.copy).
      - V(false) (the default), the file is on the controller, with the playbook. A relative path is looked for,
        in this order, in the C(files/) directory of the task's role, the role's directory, the C(files/)
        directory of the playbook and the playbook's directory (as M(ansible.builtin.copy) looks for its
        C(src)); an absolute path is used as it is. When the task runs elsewhere (a remote host, C(become),
        C(async)), the file is copied to the task's temporary directory there, and removed with it.
      - V(true), the path is read on the host that runs the module, relative to the directory the module runs in.
      - Messages name the file as the task gave it, and where it was found when that differs.
    type: bool
    default: false
'''
