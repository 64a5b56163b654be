# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test only: the last task of every playbook that tests/support/playbook.py runs.

``llmobs_keep_results: {results: [...], dest: PATH}`` writes ``results`` (the registered results of the
run's tasks) to ``dest`` as JSON, in the controller. ``ansible.builtin.copy`` did it before, at the cost
of two module processes (stat, then copy) in every run: about a second of processor time each, more
than most cases' own task.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('results', 'dest'))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        with open(self._task.args['dest'], 'w') as handle:
            json.dump(self._task.args['results'], handle)
        result['changed'] = False
        return result
