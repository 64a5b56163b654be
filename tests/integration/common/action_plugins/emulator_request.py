# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test only: one HTTP request of the integration targets to their emulator, sent from the controller.

    - name: Inject a fault
      emulator_request:
        url: "{{ emulator_url }}/_emulator/faults"
        method: POST                 # GET by default
        body_format: json            # the body is sent as JSON (a string as it is)
        body: {operation: CloneLLMObsDataset, status: 500}
        headers: {...}               # optional
        status_code: [200, 201]      # the statuses that pass; 200 by default

It takes the arguments of ansible.builtin.uri that the targets use and returns what they read of its
result: ``status``, ``json`` (the answer's JSON) or ``content``. ansible.builtin.uri is a module: a
process of its own per request, about half a second of processor time, which the resets and the faults
of every target paid many times. tests/utils/emulator.sh puts this folder in ANSIBLE_ACTION_PLUGINS.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from urllib.error import HTTPError, URLError
from urllib.request import ProxyHandler, Request, build_opener

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

ARGUMENTS = ('url', 'method', 'body', 'body_format', 'headers', 'status_code', 'return_content')


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(ARGUMENTS)

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        if not args.get('url'):
            raise AnsibleActionFail('emulator_request needs a url')
        expected = args.get('status_code', [200])
        expected = [int(status) for status in (expected if isinstance(expected, list) else [expected])]
        headers = dict(args.get('headers') or {})
        data = None
        if args.get('body') is not None:
            body = args['body']
            if args.get('body_format') == 'json' and not isinstance(body, str):
                body = json.dumps(body)
                headers.setdefault('Content-Type', 'application/json')
            data = body.encode('utf-8')
        request = Request(args['url'], data=data, headers=headers, method=args.get('method', 'GET').upper())
        try:
            # The emulator listens on 127.0.0.1: no proxy of the environment in between.
            answer = build_opener(ProxyHandler({})).open(request, timeout=60)
        except HTTPError as error:
            answer = error
        except URLError as error:
            raise AnsibleActionFail('emulator_request could not reach %s: %s' % (args['url'], error.reason))
        content = answer.read().decode('utf-8', 'replace')
        result.update(changed=False, url=args['url'], status=answer.getcode())
        try:
            result['json'] = json.loads(content) if content else None
        except ValueError:
            result['content'] = content
        if result['status'] not in expected:
            result.update(failed=True, msg='Status code was %s and not %s: %s' % (result['status'], expected, content[:300]))
        return result
