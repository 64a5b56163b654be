# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Helpers of runme.sh.

    check.py reset URL                       reset the emulator to its seed, forget its request log
    check.py requests URL FILE               write the emulator's request log (without the times)
    check.py compare DIR REFERENCE MODE...   every run recorded in DIR/MODE equals DIR/REFERENCE
    check.py paths FILE                      each task of paths.yml took the path its name announces
    check.py secrets FILE KEY...             no key appears anywhere in FILE

A run (runme.sh) leaves in its folder: ``stdout`` (what ansible-playbook printed at -v),
``registered.json`` (every ``r_*`` variable), ``results.jsonl`` (every result as the stdout callback
shows it at -vvv, invocation included) and ``requests.json`` (what the emulator received). Before
comparing, ids and timestamps the emulator made up are replaced by placeholders numbered in order of
appearance, so two runs that did the same things compare equal.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import difflib
import json
import os
import re
import sys

from ansible.module_utils.urls import open_url

UUID = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}')
TIMESTAMP = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?')
SEEDED = ('a33671aa-24fd-4dcd-9b33-a8ec7dde7751', '9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d',
          '0b6a1c52-4a8e-4f39-9d0c-7e2f5b1a9c33')
# The last task writes registered.json into the run's own folder: not part of the comparison.
LAST_TASK = 'Write what every task registered'
STDOUT_END = 'TASK [%s]' % LAST_TASK
# ansible-core lists the valid booleans from a set, in an order that changes with every process.
BOOLEANS = re.compile(r"(Valid booleans include: )((?:'?\w+'?(?:, )?)+)")
PATH_LINE = re.compile(r'^<[^>]+> (\S+) runs (in the controller|as a module)\b')


def control(url, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    response = open_url(url + '/_emulator' + path, data=data, method=method, timeout=30,
                        headers={'Content-Type': 'application/json'})
    content = response.read()
    return json.loads(content.decode()) if content else None


def normalize(text):
    ids = {}

    def replace_id(match):
        value = match.group(0)
        if value in SEEDED:
            return value
        return ids.setdefault(value, '<id-%d>' % (len(ids) + 1))

    text = BOOLEANS.sub(lambda match: match.group(1) + ', '.join(sorted(match.group(2).split(', '))), text)
    return TIMESTAMP.sub('<time>', UUID.sub(replace_id, text))


def read(folder, name):
    with open(os.path.join(folder, name)) as handle:
        text = handle.read()
    if name == 'stdout':
        text = text.split(STDOUT_END)[0]
    elif name.endswith('.jsonl'):
        text = ''.join(line + '\n' for line in text.splitlines() if json.loads(line)['task'] != LAST_TASK)
    elif name.endswith('.json'):
        text = json.dumps(json.loads(text), indent=1, sort_keys=True)
    return normalize(text).splitlines()


def compare(folder, reference, modes):
    failures = 0
    for mode in modes:
        for name in ('stdout', 'registered.json', 'results.jsonl', 'requests.json'):
            expected = read(os.path.join(folder, reference), name)
            actual = read(os.path.join(folder, mode), name)
            if expected != actual:
                failures += 1
                print('DIFFERENT: %s of %s and %s' % (name, reference, mode))
                sys.stdout.writelines(line + '\n' for line in difflib.unified_diff(
                    expected, actual, reference, mode, lineterm='', n=2))
            else:
                print('same %-16s %s = %s (%d lines)' % (name, reference, mode, len(expected)))
    return failures


def paths(path):
    """Task names of paths.yml start with 'In process' or 'Module': compare with the -vvv lines of the action."""
    task, seen, failures = None, {}, 0
    with open(path) as handle:
        for line in handle:
            line = line.rstrip('\n')
            if line.startswith('TASK ['):
                task = line[len('TASK ['):line.rindex(']')]
                seen.setdefault(task, [])
                continue
            match = PATH_LINE.match(line)
            if match and task:
                seen[task].append('in process' if match.group(2) == 'in the controller' else 'module')
    for task, found in seen.items():
        lowered = task.lower()
        expected = 'in process' if lowered.startswith('in process') else 'module' if lowered.startswith('module') else None
        if expected is None:
            continue
        if not found or any(item != expected for item in found):
            failures += 1
            print('WRONG PATH: %r took %s' % (task, found or 'no decision line'))
        else:
            print('path ok: %-80s %s x%d' % (task, expected, len(found)))
    return failures


def secrets(path, keys):
    with open(path) as handle:
        text = handle.read()
    found = [key for key in keys if key in text]
    for key in found:
        print('SECRET FOUND in %s: %s...' % (path, key[:6]))
    return len(found)


def main(argv):
    command = argv[0]
    if command == 'reset':
        control(argv[1], 'POST', '/reset')
        control(argv[1], 'DELETE', '/requests')
        return 0
    if command == 'requests':
        log = control(argv[1], 'GET', '/requests')
        entries = [dict((key, value) for key, value in entry.items() if key != 'time') for entry in log['requests']]
        with open(argv[2], 'w') as handle:
            json.dump(entries, handle, indent=1, sort_keys=True)
        return 0
    if command == 'compare':
        return 1 if compare(argv[1], argv[2], argv[3:]) else 0
    if command == 'paths':
        return 1 if paths(argv[1]) else 0
    if command == 'secrets':
        return 1 if secrets(argv[1], argv[2:]) else 0
    raise SystemExit('unknown command %s' % command)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
