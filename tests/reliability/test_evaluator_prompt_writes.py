# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every write of llmobs_evaluator and llmobs_prompt through every fault class, in real playbook runs.

A fault class is two ``ansible-playbook`` runs: the first takes seven writes through it, each with the fault on
its own operation (the operations of one write are never those of another in the same run, so the faults do not
meet the other tasks): an evaluator created (PUT) and one deleted, a prompt created, a new version of another, the
title and description of a third PATCHed, a label moved to the latest version of a fourth (the emulator moves it),
a fifth deleted. The second run, with the emulator keeping a label on both versions (``prompt_labels_move:
false``, so the module must take it off the old one itself), updates an evaluator (PUT over a stored one) and
moves a label. The promises, checked after every run in the emulator's state and request log:

- success with the end state right: the evaluator stored as declared (merged into what was stored, for an
  update), the prompt with exactly the versions it must have (a new version lost after it was made is never made
  twice: the version count says so), each label on the version it was declared on and on that one only; or a
  clear failure with nothing changed.
- a write whose answer was lost after it was done (a dropped connection, an answer past ``timeout``) is found by
  a lookup, and the writes that are not idempotent (the PUT, the creates, the new version, the deletes) are not
  sent again.
- no traceback and no key in any output. After a success the same task runs again right after it and changes
  nothing, sending no write (reads lagging or not: with ``wait: true`` a task ends once reads show its writes);
  after a failure, a second run without the fault finishes the job.

One more run loses the answers of the writes that are not idempotent while reads lag past ``wait_timeout``, so
that no lookup can prove them done: nothing may then be done twice. Check mode sends no write (the emulator's log
holds reads only), and bad input fails before any request. The promises broken today are listed in KNOWN_BUGS:
the report shows them, the suite does not fail on them, and fails once one no longer shows.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import functools
import json
import os

import pytest

from ansible_collections.llmobs.datadog.tests.support.emulator import wait_for
from ansible_collections.llmobs.datadog.tests.support.playbook import API_KEY, APP_KEY, run_playbook
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import warnings_of

KEYS = {'DD-API-KEY': API_KEY, 'DD-APPLICATION-KEY': APP_KEY}
EVALUATOR, PROMPT = 'llmobs.datadog.llmobs_evaluator', 'llmobs.datadog.llmobs_prompt'
EVALUATORS_PATH = '/api/unstable/llm-obs/config/evaluators/custom'
PUT_EVAL, DELETE_EVAL = 'UpdateLLMObsCustomEvalConfig', 'DeleteLLMObsCustomEvalConfig'
CREATE_PROMPT, PATCH_PROMPT, DELETE_PROMPT = 'CreateLLMObsPrompt', 'UpdateLLMObsPrompt', 'DeleteLLMObsPrompt'
CREATE_VERSION, PATCH_VERSION = 'CreateLLMObsPromptVersion', 'UpdateLLMObsPromptVersion'
SERVER_FIELDS = ('created_at', 'updated_at', 'created_by', 'last_updated_by')


def fault(operation, **more):
    return dict(more, operation=operation)


# ---------------------------------------------------------------- what is declared, and what is stored before

def judge_config(**more):
    """A complete evaluator configuration, as the demo's helpfulness-judge."""
    config = {
        'category': 'Custom',
        'target': {'application_name': 'support-bot', 'enabled': True, 'sampling_percentage': 50,
                   'eval_scope': 'span', 'root_spans_only': True},
        'llm_provider': {'integration_provider': 'openai', 'integration_account_id': 'demo-openai-account',
                         'model_name': 'gpt-4o'},
        'llm_judge_config': {
            'prompt_template': [{'role': 'system', 'content': 'You judge whether an answer helps the customer.'},
                                {'role': 'user', 'content': 'Question: {{span_input}}\nAnswer: {{span_output}}'}],
            'parsing_type': 'structured_output',
            'output_schema': {'name': 'helpful', 'strict': True, 'schema': {
                'type': 'object', 'properties': {'helpful': {'type': 'boolean'}}, 'required': ['helpful']}},
            'assessment_criteria': {'pass_when': True},
            'inference_params': {'temperature': 0, 'max_tokens': 256}},
    }
    config.update(more)
    return config


def chat(system, user='{{question}}'):
    return [{'role': 'system', 'content': system}, {'role': 'user', 'content': user}]


TEMPLATE_1 = chat('You are a support assistant for {{company}}.')
TEMPLATE_2 = chat('You are a concise support assistant for {{company}}. Cite the help-center article.')
CREATED_TEMPLATE = chat('You answer billing questions for {{company}}.')
CREATED_CONFIG = {'model': 'gpt-4o-mini', 'temperature': 0.2}
UPDATED_EVALUATOR = judge_config()
UPDATED_EVALUATOR['target']['sampling_percentage'] = 25


# ---------------------------------------------------------------- the emulator, through its API and its state

def api(emulator, method, path, body=None, ok=(200, 201, 204), **more):
    answer = emulator.api(method, path, headers=KEYS, json=body, **more)
    assert answer.status_code in ok, (method, path, answer.status_code, answer.text[:300])
    return answer


def put_evaluator(emulator, name, config):
    attributes = dict(copy.deepcopy(config), eval_name=name)
    api(emulator, 'PUT', '%s/%s' % (EVALUATORS_PATH, name),
        {'data': {'type': 'evaluator_config', 'id': name, 'attributes': attributes}})


def create_prompt(emulator, prompt_id, *templates, **attributes):
    """A prompt with a version per template, oldest first; ``labels``: {version number: [labels]}."""
    labels = attributes.pop('labels', {})
    api(emulator, 'POST', '/prompts', {'data': {'type': 'prompt-templates', 'attributes': dict(
        attributes, prompt_id=prompt_id, template=templates[0])}})
    for template in templates[1:]:
        api(emulator, 'POST', '/prompts/%s/versions' % prompt_id, {'data': {
            'type': 'prompt-template-versions', 'attributes': {'template': template}}})
    for number, names in sorted(labels.items()):
        api(emulator, 'PATCH', '/prompts/%s/versions/%d' % (prompt_id, number), {'data': {
            'type': 'prompt-template-versions', 'attributes': {'labels': names}}})


def stored_evaluator(emulator, name):
    """The evaluator's configuration as the emulator holds it (lists lagging or not), without the server's fields;
    None when there is none."""
    found = [item for item in emulator.control('GET', '/evaluators')['evaluators'] if item['eval_name'] == name]
    if not found:
        return None
    return dict((key, value) for key, value in found[0].items() if key not in SERVER_FIELDS + ('eval_name', 'listed'))


def stored_prompt(emulator, prompt_id):
    """The live prompt as the emulator holds it (lists lagging or not): its metadata and its versions, oldest
    first, each with template (the authored one when there is one), config and labels; None when there is none."""
    found = [item for item in emulator.control('GET', '/prompts')['prompts']
             if item['prompt_id'] == prompt_id and not item['deleted']]
    if not found:
        return None
    assert len(found) == 1, 'prompt %s is held %d times' % (prompt_id, len(found))
    versions = [{'version': v['version'], 'template': v['authoring_template'] or v['template'],
                 'config': v['config'] or {}, 'labels': sorted(v['labels'])} for v in reversed(found[0]['versions'])]
    assert [v['version'] for v in versions] == list(range(1, len(versions) + 1)), 'versions missing'
    return dict(found[0], versions=versions)


def label_map(prompt):
    """{label: [version numbers holding it]} of a stored prompt."""
    found = {}
    for version in prompt['versions']:
        for label in version['labels']:
            found.setdefault(label, []).append(version['version'])
    return found


def carried_out(entry):
    """Whether the emulator did what a request asked: answered it as asked, or acted before a fault's answer."""
    applied = entry.get('fault')
    if applied:
        return bool(applied['commit'] or (applied['status'] is None and not applied['drop']))
    return entry['status'] in (200, 201, 202, 204)


# ---------------------------------------------------------------- the writes

class Write(object):
    """One write of one module: its scene, its task, its operation, and the state it must end in.

    ``prepare(emulator)`` builds what the task starts from; ``done(emulator, result)`` and
    ``untouched(emulator)`` assert the state after a success and after a failure; ``once``: a write that must
    not be sent again after a lost answer (a lookup finds it); ``sends``: the requests of its operation when
    nothing goes wrong.
    """

    def __init__(self, write_id, run, module, operation, arguments, prepare, done, untouched, once=True, sends=1,
                 undone=None):
        self.id = write_id
        self.run = run
        self.module = module
        self.operation = operation
        self.arguments = arguments
        self.prepare = prepare
        self.done = done
        self.untouched = untouched
        self.once = once
        self.sends = sends
        self.undone = undone


def _eval_create_done(emulator, result):
    assert stored_evaluator(emulator, 'rel-eval-create') == judge_config()
    assert result['evaluator']['eval_name'] == 'rel-eval-create'
    return 'created as declared'


def _eval_update_done(emulator, result):
    assert stored_evaluator(emulator, 'rel-eval-update') == UPDATED_EVALUATOR, 'not the stored config merged'
    assert result['differences'] == ['target.sampling_percentage'], result['differences']
    assert result['evaluator']['target']['sampling_percentage'] == 25
    return 'target.sampling_percentage 50 -> 25, the rest as stored'


def _eval_delete_done(emulator, result):
    assert stored_evaluator(emulator, 'rel-eval-delete') is None
    return 'deleted'


def _prompt_create_done(emulator, result):
    prompt = stored_prompt(emulator, 'rel-prompt-create')
    assert prompt is not None and (prompt['title'], prompt['description']) == ('Billing', 'Answers billing questions.')
    assert [(v['template'], v['config']) for v in prompt['versions']] == [(CREATED_TEMPLATE, CREATED_CONFIG)]
    assert result['latest_version'] == 1 and result['prompt']['prompt_id'] == 'rel-prompt-create'
    return 'created once, with 1 version'


def _prompt_version_done(emulator, result):
    prompt = stored_prompt(emulator, 'rel-prompt-version')
    assert [v['template'] for v in prompt['versions']] == [TEMPLATE_1, TEMPLATE_2], '%d versions' % len(
        prompt['versions'])
    assert result['latest_version'] == 2 and result['version']['template'] == TEMPLATE_2
    return '2 versions: the new one made once'


def _prompt_meta_done(emulator, result):
    prompt = stored_prompt(emulator, 'rel-prompt-meta')
    assert (prompt['title'], prompt['description']) == ('After', 'Changed by the task.')
    assert len(prompt['versions']) == 1, 'a PATCH of the title made a version'
    assert (result['prompt']['title'], result['prompt']['description']) == ('After', 'Changed by the task.'), \
        'the result shows the title and description from before: %r' % (result['prompt'],)
    return 'title and description set; still 1 version'


def _labels_done(prompt_id):
    def done(emulator, result):
        prompt = stored_prompt(emulator, prompt_id)
        assert len(prompt['versions']) == 2, 'a label move made a version'
        assert label_map(prompt) == {'production': [2], 'development': [2]}, label_map(prompt)
        assert result['labels'] == {'production': 2, 'development': 2}, result['labels']
        return 'production on version 2 only; development left where it was'
    return done


def _labels_untouched(prompt_id):
    def untouched(emulator):
        assert label_map(stored_prompt(emulator, prompt_id)) == {'production': [1], 'development': [2]}
    return untouched


def _prompt_delete_done(emulator, result):
    assert stored_prompt(emulator, 'rel-prompt-delete') is None
    return 'deleted'


def _prompt_versions_are(prompt_id, count):
    def untouched(emulator):
        prompt = stored_prompt(emulator, prompt_id)
        assert prompt is not None and len(prompt['versions']) == count
    return untouched


def _evaluator_is(name, config):
    def untouched(emulator):
        assert stored_evaluator(emulator, name) == config, 'a failed write changed evaluator %s' % name
    return untouched


def _prompt_absent(prompt_id):
    def untouched(emulator):
        assert stored_prompt(emulator, prompt_id) is None, 'a failed create left prompt %s' % prompt_id
    return untouched


def _prompt_meta_untouched(emulator):
    prompt = stored_prompt(emulator, 'rel-prompt-meta')
    assert (prompt['title'], prompt['description']) == ('Before', 'Before the task.')


def _labels_scene(prompt_id):
    return lambda emulator: create_prompt(emulator, prompt_id, TEMPLATE_1, TEMPLATE_2, title='Labels',
                                          labels={1: ['production'], 2: ['development']})


# Run A: the emulator moves a label (its default). Run B: it keeps a label on both versions.
WRITES = [
    Write('evaluator-create', 'A', EVALUATOR, PUT_EVAL, dict(judge_config(), name='rel-eval-create'),
          None, _eval_create_done, _evaluator_is('rel-eval-create', None)),
    Write('evaluator-delete', 'A', EVALUATOR, DELETE_EVAL, dict(name='rel-eval-delete', state='absent'),
          lambda emulator: put_evaluator(emulator, 'rel-eval-delete', judge_config()), _eval_delete_done,
          _evaluator_is('rel-eval-delete', judge_config())),
    Write('prompt-create', 'A', PROMPT, CREATE_PROMPT,
          dict(prompt_id='rel-prompt-create', title='Billing', description='Answers billing questions.',
               template=CREATED_TEMPLATE, config=CREATED_CONFIG),
          None, _prompt_create_done, _prompt_absent('rel-prompt-create')),
    Write('prompt-version', 'A', PROMPT, CREATE_VERSION, dict(prompt_id='rel-prompt-version', template=TEMPLATE_2),
          lambda emulator: create_prompt(emulator, 'rel-prompt-version', TEMPLATE_1, title='Version'),
          _prompt_version_done, _prompt_versions_are('rel-prompt-version', 1)),
    Write('prompt-title', 'A', PROMPT, PATCH_PROMPT,
          dict(prompt_id='rel-prompt-meta', title='After', description='Changed by the task.'),
          lambda emulator: create_prompt(emulator, 'rel-prompt-meta', TEMPLATE_1, title='Before',
                                         description='Before the task.'),
          _prompt_meta_done, _prompt_meta_untouched, once=False),
    Write('prompt-label-moved', 'A', PROMPT, PATCH_VERSION, dict(prompt_id='rel-prompt-labels', labels=['production']),
          _labels_scene('rel-prompt-labels'), _labels_done('rel-prompt-labels'), _labels_untouched('rel-prompt-labels'),
          once=False),
    Write('prompt-delete', 'A', PROMPT, DELETE_PROMPT, dict(prompt_id='rel-prompt-delete', state='absent'),
          lambda emulator: create_prompt(emulator, 'rel-prompt-delete', TEMPLATE_1, title='Delete'),
          _prompt_delete_done, _prompt_versions_are('rel-prompt-delete', 1)),
    Write('evaluator-update', 'B', EVALUATOR, PUT_EVAL,
          dict(name='rel-eval-update', target={'sampling_percentage': 25}),
          lambda emulator: put_evaluator(emulator, 'rel-eval-update', judge_config()), _eval_update_done,
          _evaluator_is('rel-eval-update', judge_config())),
    # The emulator keeps the label on version 1 too: a second PATCH takes it off there.
    Write('prompt-label-kept', 'B', PROMPT, PATCH_VERSION, dict(prompt_id='rel-prompt-kept', labels=['production']),
          _labels_scene('rel-prompt-kept'), _labels_done('rel-prompt-kept'), _labels_untouched('rel-prompt-kept'),
          once=False, sends=2),
]
RUN_CONFIG = {'A': {}, 'B': {'prompt_labels_move': False}}

# Broken promises known today, (case, write) -> what is wrong: reported in the report's rows, not failing the suite;
# once one no longer shows, the suite fails until its entry is removed.
KNOWN_BUGS = {}


class FaultClass(object):
    def __init__(self, case_id, what, faults, expected='success', config=None, wait_timeout=2, lost_after=False):
        self.id = case_id
        self.what = what
        self.faults = faults            # operation -> the faults of the write's own requests
        self.expected = expected
        self.config = config or {}
        self.wait_timeout = wait_timeout
        self.lost_after = lost_after    # the first write was carried out and its answer lost


def on_every_write(*faults):
    return lambda operation: [fault(operation, **one) for one in faults]


FAULT_CLASSES = [
    FaultClass('429', '429 with X-RateLimit-Reset: 1 and the other rate-limit headers, then done',
               on_every_write(dict(status=429, body='strings', reset=1))),
    FaultClass('lost-before', '503, not done; then done', on_every_write(dict(status=503)), wait_timeout=1),
    FaultClass('lost-after', 'done, then the connection dropped', on_every_write(dict(drop=True, commit=True)),
               lost_after=True),
    # wait_timeout 4: the write lands 2.5 s after it was sent, 1.5 s after the client gave up on it.
    FaultClass('timeout', 'done 2.5 s late, past the 1 s timeout', on_every_write(dict(delay=2.5, commit=True)),
               wait_timeout=4, lost_after=True),
    FaultClass('lag', 'reads show each write 2 s late (lag: 2; wait_timeout: 10)', on_every_write(),
               config={'lag': 2}, wait_timeout=10),
    FaultClass('always-5xx', '500 on every request of the write, none done',
               on_every_write(dict(status=500, times=None)), 'failure', wait_timeout=1),
]


def verbatim(value):
    """``value`` with every string that holds ``{{`` kept from Jinja, as a playbook writes it (``{% raw %}``)."""
    if isinstance(value, dict):
        return dict((key, verbatim(item)) for key, item in value.items())
    if isinstance(value, list):
        return [verbatim(item) for item in value]
    if isinstance(value, str) and '{{' in value:
        return '{%% raw %%}%s{%% endraw %%}' % value
    return value


def options(emulator, write, wait_timeout):
    return dict(verbatim(write.arguments), api_url=emulator.url, api_key=API_KEY, app_key=APP_KEY, timeout=1,
                retries=2, wait_timeout=wait_timeout)


def task(emulator, write, wait_timeout, suffix, check_mode=False):
    step = {'name': '%s %s' % (write.id, suffix), write.module: options(emulator, write, wait_timeout),
            'register': '%s_%s' % (write.id.replace('-', '_'), suffix), 'ignore_errors': True}
    if check_mode:
        step['check_mode'] = True
    return step


def check_clean(run):
    assert run.leaks() == [], 'a key was printed'
    assert run.tracebacks() == [], 'a traceback was printed'


def sent_by(log, write):
    return [entry for entry in log if entry['operation'] == write.operation]


def row(fault_class, write, result, requests, after, rerun, run):
    """A row of the report; ``run``: which of the class's playbook runs, ``runs``: 2 when a second one finished
    the job."""
    return {'case': fault_class.id, 'run': write.run, 'runs': 1 if fault_class.expected == 'success' else 2,
            'write': write.id, 'module': write.module.split('.')[-1],
            'what': fault_class.what, 'expected': fault_class.expected,
            'outcome': 'failure' if result.get('failed') else 'success', 'changed': result.get('changed'),
            'requests': requests, 'after': after, 'rerun': rerun, 'message': result.get('msg', ''),
            'warnings': warnings_of(result), 'seconds': round(run.seconds, 1),
            'retries': sum(1 for w in warnings_of(result) if 'retrying in' in w)}


def described(sent):
    """Requests as a failure names them: the method, the end of the path and the status."""
    return ['%s %s %s' % (entry['method'], '/'.join(entry['path'].split('/')[-2:]), entry['status']) for entry in sent]


def first_line(broken):
    return str(broken).split('\n', 1)[0]


def check_write(emulator, fault_class, write, result, again, sent):
    """Assert the promises of one write after a run of its fault class; what the state shows, for the report."""
    statuses = 'the task and its re-run sent %s' % described(sent)
    if again is not None:
        assert again.get('failed') is not True and again['changed'] is False, 'the re-run right after: %s' % (
            again.get('msg'))
    assert len(sent) <= 3 * write.sends, 'retries: 2 bounds the sends of each request: %s' % statuses
    if fault_class.expected == 'failure':
        assert result.get('failed') is True and result.get('changed') is not True, result.get('msg')
        assert 'HTTP 500' in result['msg'], result['msg']
        assert len(sent) == 3, statuses
        write.untouched(emulator)
        return 'untouched'
    assert result.get('failed') is not True and result['changed'] is True, result.get('msg')
    after = write.done(emulator, result)
    if write.once:
        assert sum(1 for entry in sent if carried_out(entry)) == 1, 'carried out more than once: %s' % statuses
    if fault_class.lost_after and write.once:
        # Lost after it was done: a lookup found it, and it was not sent again.
        assert len(sent) == 1, 'sent again after a lost answer: %s' % statuses
        assert any('a lookup shows it was done' in w for w in warnings_of(result)), warnings_of(result)
    elif fault_class.id == 'lag':
        # A label PATCH may be followed by one that takes the label off the old version as the lagging list still
        # shows it: harmless (the same labels the old version ends with).
        assert write.sends <= len(sent) <= write.sends + (0 if write.once else 1), statuses
    elif not fault_class.lost_after:
        # Refused or lost before it was done: sent once more, then done.
        assert len(sent) == write.sends + 1, statuses
    if fault_class.id == '429':
        assert any('retrying in 1 second' in w for w in warnings_of(result)), warnings_of(result)
    return after


def checked(problems, case, write, check):
    """Run ``check()`` (the asserts of one write in one case) and return what the report says of the state after;
    a broken promise goes to ``problems``, unless it is a known bug of KNOWN_BUGS (and a known bug that no longer
    shows goes there too, so that its entry is removed)."""
    known = KNOWN_BUGS.get((case, write.id))
    try:
        after = check()
    except AssertionError as broken:
        if known is None:
            problems.append('%s: %s' % (write.id, first_line(broken)))
            return 'NOT AS PROMISED: %s' % first_line(broken)
        return 'NOT AS PROMISED (a known bug: %s): %s' % (known, first_line(broken))
    if known is not None:
        problems.append('%s: the known bug under %s no longer shows (%s): remove it from KNOWN_BUGS' % (
            write.id, case, known))
    return after


# ---------------------------------------------------------------- the cases

@pytest.mark.parametrize('run_name', sorted(RUN_CONFIG))
@pytest.mark.parametrize('fault_class', FAULT_CLASSES, ids=[c.id for c in FAULT_CLASSES])
def test_writes_through_fault_class(fresh_emulator, record, fault_class, run_name):
    emulator = fresh_emulator
    writes = [write for write in WRITES if write.run == run_name]
    for write in writes:
        if write.prepare:
            write.prepare(emulator)
    config = dict(RUN_CONFIG[run_name], **fault_class.config)
    if config:
        emulator.configure(**config)
    delayed = 0
    for write in writes:
        for one in fault_class.faults(write.operation):
            emulator.add_fault(**one)
            delayed += 1 if one.get('delay') else 0
    emulator.control('DELETE', '/requests')

    # After a success the same task runs again right after it: the very next run must change nothing and send no
    # write (with wait: true, a write shows in reads before the task ends, lists lagging or not).
    success = fault_class.expected == 'success'
    tasks = []
    for write in writes:
        tasks.append(task(emulator, write, fault_class.wait_timeout, 'faulty'))
        if success:
            tasks.append(task(emulator, write, fault_class.wait_timeout, 'again'))
    run = run_playbook(tasks, [step['register'] for step in tasks])
    check_clean(run)
    # A request held by a delay is logged once it is answered, after the client gave up on it: wait for them all, so
    # that the log is whole (and none lands in the next test).
    assert wait_for(lambda: sum(1 for entry in emulator.requests_log() if (entry['fault'] or {}).get('delay'))
                    >= delayed, timeout=10)
    log = emulator.requests_log()

    # Every write is checked, and every broken promise reported together.
    problems = []
    for number, write in enumerate(writes):
        # The write's requests in the run: those of the task and of its re-run (which must send none).
        result, sent = run.results[2 * number if success else number], sent_by(log, write)
        again = run.results[2 * number + 1] if success else None
        after = checked(problems, fault_class.id, write, functools.partial(
            check_write, emulator, fault_class, write, result, again, sent))
        record('evaluator_prompt_writes', row(fault_class, write, result, len(sent), after,
                                              'unchanged' if success else None, run))
    assert problems == []

    if not success:
        # The next run, without the fault, finishes the job.
        emulator.control('DELETE', '/faults')
        tasks = [task(emulator, write, fault_class.wait_timeout, 'finish') for write in writes]
        second = run_playbook(tasks, [step['register'] for step in tasks])
        check_clean(second)
        for write, result in zip(writes, second.results):
            assert result.get('failed') is not True and result['changed'] is True, (write.id, result.get('msg'))
            write.done(emulator, result)


# ---------------------------------------------------------------- lost answers while reads lag past wait_timeout

LAGGING = ('evaluator-create', 'evaluator-delete', 'prompt-create', 'prompt-version', 'prompt-delete')
# Seconds before reads show a write: well past wait_timeout (1) and the sends that follow a lost answer.
LAG = 6


def settled(emulator):
    """Whether the reads show every evaluator and prompt as the emulator holds them: no write still lagging (the
    lists show what was deleted, too, while a delete lags)."""
    evaluators = emulator.control('GET', '/evaluators')['evaluators']
    prompts = [item for item in emulator.control('GET', '/prompts')['prompts'] if not item['deleted']]
    shown_evaluators = api(emulator, 'GET', EVALUATORS_PATH).json()['data']
    shown_prompts = api(emulator, 'GET', '/prompts').json()['data']
    return (all(item['listed'] for item in evaluators + prompts)
            and sorted(item['eval_name'] for item in evaluators) == sorted(item['id'] for item in shown_evaluators)
            and sorted(item['prompt_id'] for item in prompts) == sorted(
                item['attributes']['prompt_id'] for item in shown_prompts))


def check_lagging(emulator, write, result, second, sent):
    """The promises of a write whose answer was lost while reads lag; ``second``: the next run's result."""
    statuses = described(sent)
    assert len(sent) <= 3, 'retries: 2 bounds the sends: %s' % statuses
    if write.operation != PUT_EVAL:
        assert sum(1 for entry in sent if carried_out(entry)) == 1, 'carried out twice: %s' % statuses
    if result.get('failed'):
        assert 'unknown' in result['msg'], 'a failure that does not say its outcome is unknown: %s' % result['msg']
    else:
        assert result['changed'] is True, result.get('msg')
    assert second.get('failed') is not True and second['changed'] is False, 'the next run: %s' % second.get('msg')
    return write.done(emulator, second)


def test_lost_answers_while_reads_lag(fresh_emulator, record):
    """Each write that is not idempotent is carried out and its answer lost, and reads show it only 6 s later, past
    wait_timeout (1): the lookup cannot prove it was done. Whatever the module then does, nothing may be done twice
    (a prompt version made twice, a second prompt), and a failure must say that the outcome is unknown. Once the
    reads show the writes, the next run must find the work done. (A PUT sent again replaces the configuration with
    the same one: harmless.)"""
    emulator = fresh_emulator
    writes = [write for write in WRITES if write.id in LAGGING]
    for write in writes:
        if write.prepare:
            write.prepare(emulator)
    for write in writes:
        emulator.add_fault(**fault(write.operation, drop=True, commit=True))
    emulator.configure(lag=LAG)
    emulator.control('DELETE', '/requests')
    tasks = [task(emulator, write, 1, 'lagging') for write in writes]
    run = run_playbook(tasks, [step['register'] for step in tasks])
    check_clean(run)
    log = emulator.requests_log()
    # The next run, once the reads show every write, finds the work done.
    assert wait_for(lambda: settled(emulator), timeout=LAG + 10)
    tasks = [task(emulator, write, 1, 'finish') for write in writes]
    finish = run_playbook(tasks, [step['register'] for step in tasks])
    check_clean(finish)

    problems = []
    for write, result, second in zip(writes, run.results, finish.results):
        sent = sent_by(log, write)
        after = checked(problems, 'lost-lagging', write, functools.partial(
            check_lagging, emulator, write, result, second, sent))
        record('evaluator_prompt_writes', {
            'case': 'lost-lagging', 'run': 'C', 'runs': 2, 'write': write.id, 'module': write.module.split('.')[-1],
            'what': 'done, then the connection dropped; reads show it %d s late (lag: %d, wait_timeout: 1)' % (
                LAG, LAG),
            'expected': 'never done twice', 'outcome': 'failure' if result.get('failed') else 'success',
            'changed': result.get('changed'), 'requests': len(sent), 'after': after,
            'rerun': 'unchanged' if second.get('changed') is False else second.get('msg'),
            'message': result.get('msg', ''), 'warnings': warnings_of(result), 'seconds': round(run.seconds, 1),
            'retries': sum(1 for w in warnings_of(result) if 'retrying in' in w)})
    assert problems == []


# ---------------------------------------------------------------- check mode

def test_check_mode_never_writes(fresh_emulator, record):
    emulator = fresh_emulator
    writes = [write for write in WRITES if write.id != 'prompt-label-kept']
    for write in writes:
        if write.prepare:
            write.prepare(emulator)
    before = dict((name, stored_evaluator(emulator, name)) for name in ('rel-eval-delete', 'rel-eval-update'))
    prompts = dict((name, stored_prompt(emulator, name)) for name in (
        'rel-prompt-version', 'rel-prompt-meta', 'rel-prompt-labels', 'rel-prompt-delete'))
    emulator.control('DELETE', '/requests')
    tasks = [task(emulator, write, 2, 'check', check_mode=True) for write in writes]
    run = run_playbook(tasks, [step['register'] for step in tasks])

    check_clean(run)
    assert [(entry['method'], entry['operation']) for entry in emulator.requests_log() if entry['method'] != 'GET'] \
        == [], 'check mode sent a write'
    for write, result in zip(writes, run.results):
        assert result.get('failed') is not True and result['changed'] is True, (write.id, result.get('msg'))
        record('evaluator_prompt_check_mode', {'write': write.id, 'module': write.module.split('.')[-1],
                                               'msg': result.get('msg', '')})
    assert stored_evaluator(emulator, 'rel-eval-create') is None
    assert stored_prompt(emulator, 'rel-prompt-create') is None
    assert dict((name, stored_evaluator(emulator, name)) for name in before) == before
    assert dict((name, stored_prompt(emulator, name)) for name in prompts) == prompts
    # The predictions: the update names what it would change, the new version is announced.
    results = dict((write.id, result) for write, result in zip(writes, run.results))
    assert results['evaluator-update']['differences'] == ['target.sampling_percentage']
    assert results['prompt-version']['version_created'] is True


# ---------------------------------------------------------------- bad input

BAD_MESSAGES = 'bad-messages.yml'

# (module, case, what the message must name, the task's arguments besides the connection). Each fails before any
# request, except those marked READS: they need to read what is stored (the write's options are complete only
# against it), and must fail before any write.
READS = 'reads'
BAD_INPUT = [
    ('llmobs_evaluator', 'name is empty', ['name'], {'name': ''}, None),
    ('llmobs_evaluator', 'sampling_percentage is 0', ['target.sampling_percentage'],
     {'name': 'rel-bad', 'target': {'application_name': 'a', 'enabled': True, 'sampling_percentage': 0}}, None),
    ('llmobs_evaluator', 'sampling_percentage is 150', ['target.sampling_percentage'],
     {'name': 'rel-bad', 'target': {'application_name': 'a', 'enabled': True, 'sampling_percentage': 150}}, None),
    ('llmobs_evaluator', 'eval_scope is not a choice', ['eval_scope'],
     {'name': 'rel-bad', 'target': {'application_name': 'a', 'enabled': True, 'eval_scope': 'everything'}}, None),
    ('llmobs_evaluator', 'integration_provider is not a choice', ['integration_provider'],
     {'name': 'rel-bad', 'llm_provider': {'integration_provider': 'cohere'}}, None),
    ('llmobs_evaluator', 'a message without role', ['role'],
     {'name': 'rel-bad', 'llm_judge_config': {'prompt_template': [{'content': 'no role'}]}}, None),
    ('llmobs_evaluator', 'prompt_template and prompt_template_src', ['prompt_template', 'prompt_template_src'],
     {'name': 'rel-bad', 'prompt_template_src': BAD_MESSAGES,
      'llm_judge_config': {'prompt_template': [{'role': 'user', 'content': 'x'}]}}, None),
    ('llmobs_evaluator', 'prompt_template_src does not exist', ['prompt_template_src', 'missing-messages.yml'],
     {'name': 'rel-bad', 'prompt_template_src': 'missing-messages.yml'}, None),
    ('llmobs_evaluator', 'prompt_template_src: the second message has no role', [BAD_MESSAGES, 'message 2', 'role'],
     {'name': 'rel-bad', 'prompt_template_src': BAD_MESSAGES}, None),
    ('llmobs_evaluator', 'a create without target.application_name', ['target.application_name'],
     {'name': 'rel-bad-missing', 'target': {'enabled': True}}, READS),
    ('llmobs_prompt', 'prompt_id is empty', ['prompt_id'], {'prompt_id': '', 'template': 'Hello'}, None),
    ('llmobs_prompt', 'template and template_src', ['template', 'template_src'],
     {'prompt_id': 'rel-bad', 'template': 'Hello', 'template_src': BAD_MESSAGES}, None),
    ('llmobs_prompt', 'template is blank text', ['template'], {'prompt_id': 'rel-bad', 'template': '   '}, None),
    ('llmobs_prompt', 'a chat message without content', ['template', 'message 2'],
     {'prompt_id': 'rel-bad', 'template': [{'role': 'system', 'content': 'x'}, {'role': 'user'}]}, None),
    ('llmobs_prompt', 'a placeholder with a bad name', ['template'],
     {'prompt_id': 'rel-bad', 'template': [{'type': 'placeholder', 'name': 'has space'}]}, None),
    ('llmobs_prompt', 'template_src does not exist', ['template_src', 'missing-template.yml'],
     {'prompt_id': 'rel-bad', 'template_src': 'missing-template.yml'}, None),
    ('llmobs_prompt', 'template_src: the second message has no role', ['template_src', BAD_MESSAGES, 'message 2'],
     {'prompt_id': 'rel-bad', 'template_src': BAD_MESSAGES}, None),
    ('llmobs_prompt', 'label_version is neither latest nor a number', ['label_version'],
     {'prompt_id': 'rel-bad', 'labels': ['production'], 'label_version': 'newest'}, None),
    ('llmobs_prompt', 'label_version names a version that does not exist', ['label_version', '9'],
     {'prompt_id': 'support-answer', 'labels': ['production'], 'label_version': '9'}, READS),
    ('llmobs_prompt', 'a create without a template', ['template'], {'prompt_id': 'rel-bad-missing'}, READS),
    ('llmobs_prompt_info', 'version and label', ['version', 'label'],
     {'prompt_id': 'support-answer', 'version': 1, 'label': 'production'}, None),
    ('llmobs_prompt_info', 'version without prompt_id', ['prompt_id'], {'version': 1}, None),
]


def test_bad_input_fails_before_any_request(fresh_emulator, record, tmp_path):
    emulator = fresh_emulator
    folder = str(tmp_path)
    with open(os.path.join(folder, BAD_MESSAGES), 'w') as handle:
        handle.write('- role: system\n  content: You judge answers.\n- content: "{{span_output}}"\n')
    tasks = []
    for number, (module, case, dummy, arguments, dummy2) in enumerate(BAD_INPUT):
        arguments = dict(verbatim(arguments), api_url=emulator.url, api_key=API_KEY, app_key=APP_KEY)
        for option in ('prompt_template_src', 'template_src'):
            if option in arguments:
                arguments[option] = os.path.join(folder, arguments[option])
        tasks.append({'name': case, 'llmobs.datadog.' + module: arguments, 'register': 'bad_%02d' % number,
                      'ignore_errors': True})
    emulator.control('DELETE', '/requests')
    run = run_playbook(tasks, [step['register'] for step in tasks])

    check_clean(run)
    log = emulator.requests_log()
    assert [entry for entry in log if entry['method'] != 'GET'] == [], 'a write was sent'
    # The reads are those of the cases that need them, each naming its evaluator or prompt.
    reading = [arguments.get('name') or arguments.get('prompt_id') for dummy, dummy2, dummy3, arguments, reads
               in BAD_INPUT if reads]
    assert [entry['path'] for entry in log if not any(name in json.dumps(entry) for name in reading)] == []
    wrong = []
    for (module, case, named, dummy, dummy2), result in zip(BAD_INPUT, run.results):
        if result.get('failed') is not True or result.get('changed') is True:
            wrong.append('%s: did not fail (%s)' % (case, result.get('msg')))
        wrong.extend('%s: %r not in %r' % (case, text, result.get('msg')) for text in named
                     if text not in result.get('msg', ''))
        # The files' directory is the test's own: the report shows the names within it.
        record('evaluator_prompt_bad_input', {'module': module, 'case': case,
                                              'message': result.get('msg', '').replace(folder + os.sep, '')})
    assert wrong == []
