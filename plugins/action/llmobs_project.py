# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The action of llmobs.datadog.llmobs_project: the module's logic in the controller when the task is
local, the module itself otherwise (see plugins/plugin_utils/_in_process.py and docs/execution.md)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.plugins.plugin_utils._in_process import InProcessAction

try:
    from ansible_collections.llmobs.datadog.plugins.modules import llmobs_project as module_file
except Exception as exc:  # pylint: disable=broad-except
    module_file = exc  # not importable in the controller: every task takes the module path, which reports it


class ActionModule(InProcessAction):
    LLMOBS_MODULE = module_file
