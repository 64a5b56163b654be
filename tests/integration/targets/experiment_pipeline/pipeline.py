#!/usr/bin/env python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The steps of runme.sh around the runs of the pipeline playbook of docs/experiments.md.

    python3 pipeline.py write OUTPUT_DIR
    python3 pipeline.py seed|pull-request-run EMULATOR_URL
    python3 pipeline.py passed|dry-run|failed EMULATOR_URL OUTPUT_DIR LOG EXIT_STATUS

``write`` takes the page's playbook (its one play that reads experiments) and its records file (its first json
block) exactly as the page shows them, into OUTPUT_DIR/evaluate.yml and OUTPUT_DIR/datasets/. ``seed`` loads the
history the pipeline finds (below); ``pull-request-run`` stores a pull request's run, as its job's ddtrace step
would before the playbook runs in check mode. ``passed``, ``dry-run`` and ``failed`` check the emulator's state,
its request log and the run's log after the good run, the pull request's dry run and the worse run; they exit 1
naming every difference. A script rather than
a playbook: it costs no Ansible start.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import sys
import urllib.request

import yaml

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..'))
PAGE = 'docs/experiments.md'
BLOCK = re.compile(r'^```(\w+)\n(.*?)^```', re.M | re.S)

EXPERIMENT = 'support-bot-answers'
# The commits runme.sh gives: a good model's, a pull request's (in check mode), a worse model's.
GOOD_RUN, PR_RUN, BAD_RUN = EXPERIMENT + '-9f0e8d7c6b5a', EXPERIMENT + '-c0ffee000000', EXPERIMENT + '-0b1c2d3e4f5a'
METRICS = [{'label': 'correctness', 'type': 'score'}, {'label': 'helpful', 'type': 'boolean'}]
OLD_COPIES = ['support-questions-frozen-00000000000%d' % n for n in range(1, 5)]
OLD_RUNS = ['%s-old%08d' % (EXPERIMENT, n) for n in range(1, 13)]   # oldest first; the last is the baseline
OTHER_RUN = EXPERIMENT + '-canary'   # matches the pattern, but is a run of another logical experiment


def history():
    """Months of history, all of 2025: 4 frozen copies and 12 runs of the experiment on them, the newest of which
    holds the baseline mark (its correctness mean, seed 0 over 4 records: 0.543), and an old run of another
    logical experiment whose name the prune's pattern matches."""
    datasets = [{'name': 'support-questions', 'records': [{'id': 'refund-window', 'input': {'question': 'old'}}],
                 'created_at': '2025-01-02'}]
    datasets += [{'name': name, 'records': [], 'created_at': '2025-%02d-01' % (2 * n + 1)}
                 for n, name in enumerate(OLD_COPIES)]
    runs = [{'name': name, 'experiment': EXPERIMENT, 'dataset': OLD_COPIES[n // 3],
             'created_at': '2025-%02d-15T12:00:00Z' % (n + 1), 'metadata': {'git_commit': 'old%08d' % (n + 1)},
             'generate': {'records': 4, 'seed': 0, 'metrics': METRICS}} for n, name in enumerate(OLD_RUNS)]
    runs[-1]['metadata']['baseline'] = 'true'
    runs.append({'name': OTHER_RUN, 'experiment': 'canary', 'dataset': OLD_COPIES[0],
                 'created_at': '2025-01-20T12:00:00Z', 'generate': {'records': 4, 'metrics': METRICS}})
    return {'projects': [{'name': 'support-bot', 'datasets': datasets, 'experiments': runs}]}


def blocks(kind):
    with open(os.path.join(REPO_ROOT, PAGE)) as handle:
        return [body for language, body in BLOCK.findall(handle.read()) if language == kind]


def write(out):
    playbooks = [body for body in blocks('yaml') if 'llmobs.datadog.llmobs_experiment_info:' in body
                 and isinstance(yaml.safe_load(body), list) and 'hosts' in yaml.safe_load(body)[0]]
    if len(playbooks) != 1:
        raise SystemExit('%s shows %d playbooks that read experiments, not 1' % (PAGE, len(playbooks)))
    os.makedirs(os.path.join(out, 'datasets'))
    with open(os.path.join(out, 'evaluate.yml'), 'w') as handle:
        handle.write(playbooks[0])
    with open(os.path.join(out, 'datasets', 'support-questions.jsonl'), 'w') as handle:
        handle.write(blocks('json')[0])


def call(url, method='GET', body=None):
    data = json.dumps(body).encode('utf-8') if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, timeout=60) as answer:
        text = answer.read().decode('utf-8')
    return json.loads(text) if text else None


def seed(url):
    call(url + '/_emulator/seed', 'POST', history())


def pull_request_run(url):
    """The pull request's run on the frozen copy the good run made, as the stand-in would store it (seed 4)."""
    state = call(url + '/_emulator/state?records=false')
    copy = [item for item in state['datasets'] if item['name'].startswith('support-questions-frozen-')
            and item['name'] not in OLD_COPIES][0]
    call(url + '/_emulator/experiments', 'POST', {'experiments': [{
        'project_id': copy['project_id'], 'dataset_id': copy['id'], 'name': PR_RUN, 'experiment': EXPERIMENT,
        'metadata': {'git_commit': 'c0ffee000000aaaa'}, 'generate': {'records': 4, 'seed': 4, 'metrics': METRICS}}]})


class Check(object):
    def __init__(self, url, out, log, status):
        self.state = call(url + '/_emulator/state?records=true')
        self.writes = [request['operation'] for request in call(url + '/_emulator/requests')['requests']
                       if request['method'] != 'GET']
        call(url + '/_emulator/requests', 'DELETE')   # the next stage sees only its own requests
        with open(log) as handle:
            self.log = handle.read()
        self.out = out
        self.status = int(status)
        self.problems = []

    def expect(self, condition, problem):
        if not condition:
            self.problems.append(problem)

    def run(self, name):
        found = [item for item in self.state['experiments'] if item['name'] == name]
        return found[0] if len(found) == 1 else {}

    def listed(self):
        return dict((item['name'], item) for item in self.state['experiments'] if not item['deleted'])

    def deleted(self):
        return sorted(item['name'] for item in self.state['experiments'] if item['deleted'])

    def dataset_names(self):
        return sorted(item['name'] for item in self.state['datasets'])

    def common(self, run_name, gone_runs, gone_copies, events_file=True):
        """What holds after every run: the records synced, this run made once on the new copy, the one baseline,
        what the prune left, and the events file (``events_file``: written; a dry run writes none)."""
        datasets = dict((item['name'], item) for item in self.state['datasets'])
        records = [record['id'] for record in datasets.get('support-questions', {}).get('records', [])]
        self.expect(sorted(records) == ['cancel-plan', 'export-data', 'refund-window', 'reset-password'],
                    'the dataset holds %s, not the 4 records of the page' % records)
        copies = [name for name in datasets if name.startswith('support-questions-frozen-')
                  and name not in OLD_COPIES]
        run = self.run(run_name)
        self.expect(len(copies) == 1 and run.get('dataset_id') == datasets[copies[0]]['id'] and
                    run.get('span_count') == 4 and not run.get('deleted'),
                    'no run %s of the 4 records of one new frozen copy: %s, copies %s' % (run_name, run, copies))
        baselines = [name for name, item in self.listed().items() if (item['metadata'] or {}).get('baseline') == 'true']
        self.expect(baselines == [GOOD_RUN], 'the runs marked as the baseline are %s, not %s' % (baselines, GOOD_RUN))
        self.expect(self.deleted() == sorted(gone_runs), 'deleted runs %s, not %s' % (self.deleted(), gone_runs))
        left = sorted(set(['support-questions'] + OLD_COPIES + copies) - set(gone_copies))
        self.expect(self.dataset_names() == left, 'datasets %s, not %s' % (self.dataset_names(), left))
        events = os.path.join(self.out, run_name + '-events.jsonl')
        if not events_file:
            self.expect(not os.path.exists(events), 'the dry run wrote %s' % events)
            return
        lines = open(events).read().splitlines() if os.path.exists(events) else []
        self.expect(len(lines) == 4 and all(json.loads(line)['experiment_name'] == run_name for line in lines),
                    'the events file %s holds %d lines, not the 4 spans of %s' % (events, len(lines), run_name))

    def passed(self):
        self.expect(self.status == 0 and '%s passes: correctness 0.695' % GOOD_RUN in self.log,
                    'the good run did not pass the gate (exit status %d)' % self.status)
        # The rules: the newest 10 of the 13 matching runs stay (the run of another logical experiment is not
        # theirs), and the newest 3 of the 5 frozen copies; everything else is from 2025, older than 30 days.
        self.common(GOOD_RUN, OLD_RUNS[:3], OLD_COPIES[:2])
        former = self.run(OLD_RUNS[-1]).get('metadata')
        self.expect(former == {'git_commit': 'old00000012', 'baseline': 'false'},
                    'the former baseline has the metadata %s' % former)
        self.expect((self.run(GOOD_RUN).get('metadata')) == {'git_commit': '9f0e8d7c6b5a4f3e', 'baseline': 'true'},
                    'the new baseline has the metadata %s' % self.run(GOOD_RUN).get('metadata'))

    def dry_run(self):
        self.expect(self.status == 0 and '%s passes: correctness 0.695' % PR_RUN in self.log,
                    'the dry run of the pull request did not pass the gate (exit status %d)' % self.status)
        mark = self.log.partition('TASK [This run is the new baseline]')[2].partition('TASK [')[0]
        self.expect('"baseline": "true"' in mark and 'changed: [localhost]' in mark,
                    'the dry run did not say that it would mark the pull request\'s run')
        self.expect(self.writes == [], 'the dry run wrote %s' % self.writes)
        self.expect(self.run(PR_RUN).get('metadata') == {'git_commit': 'c0ffee000000aaaa'},
                    'the pull request\'s run has the metadata %s' % self.run(PR_RUN).get('metadata'))
        self.common(PR_RUN, OLD_RUNS[:3], OLD_COPIES[:2], events_file=False)

    def failed(self):
        message = ('%s fails the gate. Status: completed; failed records: 0 of 4; correctness: 0.17074999999999999 '
                   '(4 records scored); baseline %s: 0.6950000000000001.' % (BAD_RUN, GOOD_RUN))
        self.expect(self.status != 0 and message in self.log and 'TASK [This run is the new baseline]' not in self.log,
                    'the worse run did not stop at the gate with its message (exit status %d)' % self.status)
        self.common(BAD_RUN, OLD_RUNS[:3], OLD_COPIES[:2])
        self.expect(self.writes == [],
                    'the failed run wrote %s' % self.writes)
        self.expect(self.run(BAD_RUN).get('metadata') == {'git_commit': '0b1c2d3e4f5a6b7c'},
                    'the failed run has the metadata %s' % self.run(BAD_RUN).get('metadata'))


def main(command, *args):
    if command == 'write':
        write(*args)
    elif command == 'seed':
        seed(*args)
    elif command == 'pull-request-run':
        pull_request_run(*args)
    else:
        check = Check(*args)
        getattr(check, command.replace('-', '_'))()
        for problem in check.problems:
            print('%s: %s' % (command, problem), file=sys.stderr)
        sys.exit(1 if check.problems else 0)


if __name__ == '__main__':
    main(*sys.argv[1:])
