# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: llmobs_record
type: aggregate
short_description: Test only; writes every task result, invocation included, to a JSON-lines file
description:
  - One line per result of a task (and per loop item) to the file named by the environment variable
    E(LLMOBS_RECORD_FILE), as the stdout callback would show it at -vvv (with the module's invocation).
  - Used by the in_process integration target to compare the two execution paths.
author:
  - llmobs.datadog maintainers (@llmobs)
requirements:
  - enabled with ANSIBLE_CALLBACKS_ENABLED=llmobs_record
'''

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'llmobs_record'
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, status, result):
        path = os.environ.get('LLMOBS_RECORD_FILE')
        if not path:
            return
        data = getattr(result, 'result', None)
        if not isinstance(data, dict):
            data = result._result
        host = getattr(result, 'host', None) or result._host
        line = dict(status=status, host=host.get_name(), task=result.task_name,
                    result=json.loads(self._dump_results(data, keep_invocation=True)))
        with open(path, 'a') as handle:
            handle.write(json.dumps(line, sort_keys=True) + '\n')

    def v2_runner_on_ok(self, result, **kwargs):
        self._record('ok', result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record('failed', result)

    def v2_runner_on_skipped(self, result):
        self._record('skipped', result)

    def v2_runner_item_on_ok(self, result):
        self._record('item ok', result)

    def v2_runner_item_on_failed(self, result):
        self._record('item failed', result)
