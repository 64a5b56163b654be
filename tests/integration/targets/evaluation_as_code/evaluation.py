#!/usr/bin/env python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The steps of runme.sh around the runs of the playbook of docs/evaluators.md and docs/prompts.md.

    python3 evaluation.py write OUTPUT_DIR
    python3 evaluation.py change OUTPUT_DIR PATH
    python3 evaluation.py STAGE EMULATOR_URL OUTPUT_DIR LOG EXIT_STATUS

``write`` copies the playbook, its two variable files and its role (``llmobs/`` beside this script) into
OUTPUT_DIR, after checking that the pages show every one of those files whole, as it is here. ``change`` makes in
OUTPUT_DIR the change that a pull request of the pages makes to PATH (their ```diff block for that file). A STAGE
(below, ``STAGES``) checks, after a run of the playbook, the evaluators and prompts the emulator holds (read through
its API, as the modules read them), the writes of that run (the emulator's request log, cleared for the next
stage), the run's recap and the application's configuration files; it exits 1 naming every difference. A script
rather than a playbook: it costs no Ansible start.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import shutil
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..', '..'))
PAGES = ('docs/evaluators.md', 'docs/prompts.md')
FILES = os.path.join(HERE, 'llmobs')
BLOCK = re.compile(r'^```(\w+)\n(.*?)^```', re.M | re.S)

EVALUATORS = '/api/unstable/llm-obs/config/evaluators/custom'
PROMPTS = '/api/v2/llm-obs/v1/prompts'
PROMPT_ID = 'support-answer'
JUDGE_MESSAGES = [
    {'role': 'system', 'content': 'You judge whether an answer helps the customer.'},
    {'role': 'user', 'content': 'Question: {{span_input}}\nAnswer: {{span_output}}'},
]
FIRST_TEMPLATE = [
    {'role': 'system', 'content': 'You are a support assistant for {{company}}.'},
    {'role': 'user', 'content': '{{question}}'},
]
SECOND_TEMPLATE = [
    {'role': 'system', 'content': 'You are a concise support assistant for {{company}}. Cite the help-center article.'},
    {'role': 'user', 'content': '{{question}}'},
]
PROMPT_CONFIG = {'model': 'gpt-4o-mini', 'temperature': 0.2}

# Each stage: the lines the summary callback prints for the collection's two tasks, the recap's changed count, the
# writes of the run (operation: how many), the sampling percentage of each judge, the templates of the prompt's
# versions (oldest first), where each label is, and the version each environment's configuration file holds (absent:
# no file).
STAGES = {
    'staging-dry-run': dict(
        summary=['evaluator helpfulness-staging: would be created',
                 'prompt support-answer: would be created; label development would be set on version 1'],
        changed=2, writes={}, judges={}, versions=[], labels={}, configs={}),
    'staging-applied': dict(
        summary=['evaluator helpfulness-staging: created',
                 'prompt support-answer: created; label development set on version 1'],
        changed=3, writes={'UpdateLLMObsCustomEvalConfig': 1, 'CreateLLMObsPrompt': 1, 'UpdateLLMObsPromptVersion': 1},
        judges={'helpfulness-staging': 100}, versions=[FIRST_TEMPLATE], labels={'development': 1},
        configs={'staging': 1}),
    'production-dry-run': dict(
        summary=['evaluator helpfulness-production: would be created',
                 'prompt support-answer: label production would be set on version 1'],
        changed=2, writes={}, judges={'helpfulness-staging': 100}, versions=[FIRST_TEMPLATE],
        labels={'development': 1}, configs={'staging': 1}),
    'production-applied': dict(
        summary=['evaluator helpfulness-production: created',
                 'prompt support-answer: label production set on version 1'],
        changed=3, writes={'UpdateLLMObsCustomEvalConfig': 1, 'UpdateLLMObsPromptVersion': 1},
        judges={'helpfulness-staging': 100, 'helpfulness-production': 10}, versions=[FIRST_TEMPLATE],
        labels={'development': 1, 'production': 1}, configs={'staging': 1, 'production': 1}),
    'production-again': dict(
        summary=['evaluator helpfulness-production: unchanged',
                 'prompt support-answer: unchanged'],
        changed=0, writes={}, judges={'helpfulness-staging': 100, 'helpfulness-production': 10},
        versions=[FIRST_TEMPLATE], labels={'development': 1, 'production': 1},
        configs={'staging': 1, 'production': 1}),
    # The pull request that changes the prompt's file, applied on staging: one new version, the development label
    # on it; production's label stays on the version reviewed for it.
    'prompt-changed': dict(
        summary=['evaluator helpfulness-staging: unchanged',
                 'prompt support-answer: version 2 created (template changed); label development set on version 2'],
        changed=2, writes={'CreateLLMObsPromptVersion': 1, 'UpdateLLMObsPromptVersion': 1},
        judges={'helpfulness-staging': 100, 'helpfulness-production': 10},
        versions=[FIRST_TEMPLATE, SECOND_TEMPLATE], labels={'development': 2, 'production': 1},
        configs={'staging': 2, 'production': 1}),
    # The pull request that promotes version 2 to production: its dry run, then the merge.
    'promotion-dry-run': dict(
        summary=['evaluator helpfulness-production: unchanged',
                 'prompt support-answer: label production would be set on version 2'],
        changed=1, writes={}, judges={'helpfulness-staging': 100, 'helpfulness-production': 10},
        versions=[FIRST_TEMPLATE, SECOND_TEMPLATE], labels={'development': 2, 'production': 1},
        configs={'staging': 2, 'production': 1}),
    'promoted': dict(
        summary=['evaluator helpfulness-production: unchanged',
                 'prompt support-answer: label production set on version 2'],
        changed=2, writes={'UpdateLLMObsPromptVersion': 1},
        judges={'helpfulness-staging': 100, 'helpfulness-production': 10},
        versions=[FIRST_TEMPLATE, SECOND_TEMPLATE], labels={'development': 2, 'production': 2},
        configs={'staging': 2, 'production': 2}),
}


def pages():
    text = ''
    for page in PAGES:
        with open(os.path.join(REPO_ROOT, page)) as handle:
            text += handle.read()
    return text


def blocks(kind):
    return [body for language, body in BLOCK.findall(pages()) if language == kind]


def write(out):
    shown = blocks('yaml')
    missing = []
    for folder, dummy, names in os.walk(FILES):
        for name in names:
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, FILES)
            with open(path) as handle:
                text = handle.read()
            if text not in shown:
                missing.append(relative)
    if missing:
        raise SystemExit('%s show no ```yaml block that is the whole of %s' % (' and '.join(PAGES), ', '.join(missing)))
    shutil.copytree(FILES, out)


def change(out, path):
    """Applies the pages' ```diff block for ``path``: its context and - lines become its context and + lines."""
    found = [body for body in blocks('diff') if body.startswith('--- a/%s\n+++ b/%s\n' % (path, path))]
    if len(found) != 1:
        raise SystemExit('the pages show %d ```diff blocks of %s, not 1' % (len(found), path))
    old, new = [], []
    for line in found[0].splitlines()[2:]:
        if line.startswith('@@'):
            continue
        sign, text = line[:1], line[1:]
        if sign in (' ', '-'):
            old.append(text)
        if sign in (' ', '+'):
            new.append(text)
    with open(os.path.join(out, path)) as handle:
        content = handle.read()
    old, new = '\n'.join(old) + '\n', '\n'.join(new) + '\n'
    if content.count(old) != 1:
        raise SystemExit('the change of %s shown by the pages does not apply to it:\n%s' % (path, old))
    with open(os.path.join(out, path), 'w') as handle:
        handle.write(content.replace(old, new))


def call(url, method='GET'):
    headers = {'DD-API-KEY': os.environ['DD_API_KEY'], 'DD-APPLICATION-KEY': os.environ['DD_APP_KEY']}
    request = urllib.request.Request(url, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as answer:
        text = answer.read().decode('utf-8')
    return json.loads(text) if text else None


class Check(object):
    def __init__(self, url, out, log, status):
        self.url = url
        log_entries = call(url + '/_emulator/requests')['requests']
        self.writes = {}
        for entry in log_entries:
            if entry['method'] != 'GET':
                self.writes[entry['operation']] = self.writes.get(entry['operation'], 0) + 1
        self.judges = dict((item['id'], item['attributes']) for item in call(url + EVALUATORS)['data'])
        prompts = [item for item in call(url + PROMPTS)['data'] if item['attributes']['prompt_id'] == PROMPT_ID]
        self.prompts = len(prompts)
        self.versions = call(url + PROMPTS + '/' + PROMPT_ID + '/versions')['data'] if prompts else []
        self.templates = [call(url + PROMPTS + '/' + PROMPT_ID + '/versions/%d' % item['attributes']['version'])
                          ['data']['attributes'] for item in reversed(self.versions)]
        call(url + '/_emulator/requests', 'DELETE')   # the next stage sees only its own requests
        with open(log) as handle:
            self.log = handle.read()
        self.out = out
        self.status = int(status)
        self.problems = []

    def expect(self, condition, problem):
        if not condition:
            self.problems.append(problem)

    def stage(self, name):
        want = STAGES[name]
        recap = re.findall(r'^localhost +: ok=\d+ +changed=(\d+) +unreachable=0 +failed=0', self.log, re.M)
        self.expect(self.status == 0 and recap == [str(want['changed'])],
                    'the run ended with exit status %d and recap changed=%s, not 0 and changed=%d'
                    % (self.status, recap, want['changed']))
        for line in want['summary']:
            self.expect(line in self.log, 'the summary does not say %r' % line)
        self.expect(self.writes == want['writes'], 'the run wrote %s, not %s' % (self.writes, want['writes']))
        sampling = dict((name, attributes['target'].get('sampling_percentage')) for name, attributes in self.judges.items())
        self.expect(sampling == want['judges'], 'the judges and their sampling are %s, not %s' % (sampling, want['judges']))
        for judge, attributes in self.judges.items():
            environment = judge.partition('-')[2]
            judged = attributes['target'].get('filter'), attributes['llm_judge_config'].get('prompt_template')
            self.expect(judged == ('env:' + environment, JUDGE_MESSAGES) and attributes['target'].get('enabled'),
                        'the judge %s holds %s' % (judge, attributes))
        self.expect(self.prompts == (1 if want['versions'] else 0), '%d prompts %s are listed' % (self.prompts, PROMPT_ID))
        templates = [version.get('authoring_template') or version.get('template') for version in self.templates]
        self.expect(templates == want['versions'], 'the versions hold %s, not %s' % (templates, want['versions']))
        configs = [version.get('config') for version in self.templates]
        self.expect(configs == [PROMPT_CONFIG] * len(configs), 'the versions have the configs %s' % configs)
        labels = {}
        for version in self.versions:
            for label in version['attributes'].get('labels') or []:
                labels.setdefault(label, []).append(version['attributes']['version'])
        wanted = dict((label, [number]) for label, number in want['labels'].items())
        self.expect(labels == wanted, 'the labels are on the versions %s, not %s' % (labels, wanted))
        for environment in ('staging', 'production'):
            self.config(environment, want['configs'].get(environment))

    def config(self, environment, version):
        """The application's configuration, as the lookup templated it: the version its label points at."""
        path = os.path.join(self.out, 'support-bot.%s.json' % environment)
        if version is None:
            self.expect(not os.path.exists(path), 'the dry run wrote %s' % path)
            return
        with open(path) as handle:
            config = json.load(handle)
        want = {'environment': environment, 'prompt_id': PROMPT_ID, 'prompt_version': version,
                'messages': [FIRST_TEMPLATE, SECOND_TEMPLATE][version - 1], 'llm': PROMPT_CONFIG}
        self.expect(config == want, '%s holds %s, not %s' % (path, config, want))


def main(command, *args):
    if command == 'write':
        write(*args)
    elif command == 'change':
        change(*args)
    else:
        check = Check(*args)
        check.stage(command)
        for problem in check.problems:
            print('%s: %s' % (command, problem), file=sys.stderr)
        sys.exit(1 if check.problems else 0)


if __name__ == '__main__':
    main(*sys.argv[1:])
