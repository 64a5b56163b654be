#!/usr/bin/env python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the emulator holds after each stage of runme.sh.

    python3 verify.py EMULATOR_URL STAGE

STAGE: created (after the first run: one project, the dataset and its copy, made with one write
each), unchanged (a re-run and a dry run after it sent no write) or removed (tearing down removed
all of it, with one delete each). Exits 1 naming what differs. A script rather than a playbook: it
runs after every playbook run, and costs no Ansible start.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import sys
import urllib.request

PROJECT_NAME = 'lifecycle-project'
STAGES = ('created', 'unchanged', 'removed')


def read(url):
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.loads(answer.read().decode('utf-8'))


def problems(url, stage):
    state = read(url + '/_emulator/state')
    log = read(url + '/_emulator/requests')
    writes = [entry.get('operation') for entry in log['requests'] if entry.get('method') != 'GET']
    project_ids = [project['id'] for project in state['projects'] if project.get('name') == PROJECT_NAME]
    datasets = dict((dataset.get('name'), dataset) for dataset in state['datasets'] if dataset.get('project_id') in project_ids)
    found = []

    def expect(condition, message):
        if not condition:
            found.append(message)

    if stage in ('created', 'unchanged'):
        expect(len(project_ids) == 1, 'one project %s, found %d' % (PROJECT_NAME, len(project_ids)))
        expect(sorted(datasets) == ['eval-questions', 'eval-questions-frozen'],
               'the datasets eval-questions and eval-questions-frozen, found %s' % sorted(datasets))
        expect(datasets.get('eval-questions', {}).get('metadata') == {'owner': 'llmobs-demo'},
               'eval-questions has the metadata {owner: llmobs-demo}: %r' % datasets.get('eval-questions', {}).get('metadata'))
        expect(writes == ['CreateLLMObsProject', 'CreateLLMObsDataset', 'CloneLLMObsDataset'],
               'one write each (a create of the project and the dataset, a clone), found %s' % writes)
    if stage == 'unchanged':
        expect(datasets.get('eval-questions', {}).get('description') == 'Questions the assistant must answer well',
               'the dry run left the description: %r' % datasets.get('eval-questions', {}).get('description'))
    if stage == 'removed':
        expect(project_ids == [], 'no project %s left' % PROJECT_NAME)
        left = [dataset.get('name') for dataset in state['datasets'] if dataset.get('name', '').startswith('eval-questions')]
        expect(left == [], 'no dataset eval-questions* left, found %s' % left)
        expect(writes[3:] == ['DeleteLLMObsDatasets', 'DeleteLLMObsDatasets', 'DeleteLLMObsProjects'] and len(writes) == 6,
               'the three creates, then one delete of each dataset and of the project, found %s' % writes)
    return found


def main(argv):
    if len(argv) != 2 or argv[1] not in STAGES:
        raise SystemExit('usage: verify.py EMULATOR_URL %s' % '|'.join(STAGES))
    found = problems(argv[0], argv[1])
    for problem in found:
        print('%s: %s' % (argv[1], problem))
    if not found:
        print('%s: the emulator holds what it must' % argv[1])
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
