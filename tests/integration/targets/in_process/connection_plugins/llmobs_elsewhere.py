# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: llmobs_elsewhere
short_description: Test only; the local connection under another name
description:
  - Runs commands on the controller exactly as the local connection does, but is not the builtin
    local connection, so tasks of llmobs.datadog take the module path as on a remote host. Used by
    the in_process integration target in place of SSH, which is not available to the tests.
author:
  - llmobs.datadog maintainers (@llmobs)
extends_documentation_fragment:
  - connection_pipelining
'''

from ansible.plugins.connection.local import Connection as LocalConnection


class Connection(LocalConnection):
    transport = 'llmobs_elsewhere'
