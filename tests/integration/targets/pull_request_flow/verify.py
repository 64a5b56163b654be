#!/usr/bin/env python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Check the emulator, and the recap of the run, after each run of a documented playbook (runme.sh).

    python3 verify.py EMULATOR_URL STAGE RECAP_LINE
    python3 verify.py EMULATOR_URL reset|forget-requests

STAGE: dry-run-empty (a --check run on an empty emulator: changes predicted, nothing written),
applied (the real run: changes, a project and its datasets written) or dry-run-again (--check after
it, with the request log cleared before: no change, nothing written). Exits 1 naming what differs.
``reset`` empties the emulator (it runs without a seed), ``forget-requests`` clears its request log.
A script rather than a playbook: it runs after every playbook run, and costs no Ansible start.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re
import sys
import urllib.request


def read(url, method='GET'):
    with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as answer:
        body = answer.read().decode('utf-8')
    return json.loads(body) if body else None


CONTROLS = {'reset': ('/_emulator/reset', 'POST'), 'forget-requests': ('/_emulator/requests', 'DELETE')}


def problems(url, stage, recap):
    counts = dict((name, int(value)) for name, value in re.findall(r'(\w+)=(\d+)', recap))
    state = read(url + '/_emulator/state')
    writes = [request for request in read(url + '/_emulator/requests')['requests'] if request['method'] != 'GET']
    found = []
    if 'changed' not in counts or counts.get('failed') or counts.get('unreachable'):
        found.append('the run did not succeed: %r' % recap)
    if stage == 'dry-run-empty':
        if not counts.get('changed'):
            found.append('the dry run on an empty organisation predicted no change')
        if writes or state['projects'] or state['datasets']:
            found.append('the dry run wrote: %r' % [request['operation'] for request in writes])
    elif stage == 'applied':
        if not counts.get('changed') or len(state['projects']) != 1 or len(state['datasets']) < 2:
            found.append('the real run did not create the project and its datasets: %r, %d projects, %d datasets'
                         % (recap, len(state['projects']), len(state['datasets'])))
    elif stage == 'dry-run-again':
        if counts.get('changed') or writes:
            found.append('the dry run after the real run predicted changes (%r) or wrote %r'
                         % (recap, [request['operation'] for request in writes]))
    else:
        found.append('unknown stage %r' % stage)
    return found


if __name__ == '__main__':
    if sys.argv[2] in CONTROLS:
        path, method = CONTROLS[sys.argv[2]]
        read(sys.argv[1] + path, method)
        sys.exit(0)
    found = problems(*sys.argv[1:4])
    for problem in found:
        print('verify.py %s: %s' % (sys.argv[2], problem), file=sys.stderr)
    sys.exit(1 if found else 0)
