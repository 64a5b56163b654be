# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""llmobs_evaluator end to end inside the module: every test states the full list of HTTP calls.

The ``http`` fixture answers the calls in order and fails the test on any extra, missing or
different request; a check-mode test states only reads, so any write fails it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from ansible_collections.llmobs.datadog.plugins.modules import llmobs_evaluator
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import (
    LOST_ANSWERS,
    TIMESTAMP,
    assert_no_secrets,
    project,
    warnings_of,
    with_keys,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    delete_evaluator,
    evaluator,
    get_evaluator,
    projects_by_name,
    put_evaluator,
)

MODULE = llmobs_evaluator
NAME = 'helpfulness-judge'
PROJECT_UUID = 'a33671aa-24fd-4dcd-9b33-a8ec7dde7751'
OTHER_UUID = '0d8930f2-5b1e-4a3c-9d1f-2e6b7c8a9f01'
LATER = '2026-11-26T10:00:00+00:00'

# The demo evaluator's configuration, as a task declares it and as the API stores it.
TARGET = {'application_name': 'support-bot', 'enabled': True, 'sampling_percentage': 50.0, 'eval_scope': 'span',
          'root_spans_only': True}
PROVIDER = {'integration_provider': 'openai', 'integration_account_id': 'demo-openai-account', 'model_name': 'gpt-4o'}
JUDGE = {
    'prompt_template': [{'role': 'system', 'content': 'You judge whether an answer helps the customer.'},
                        {'role': 'user', 'content': 'Question: {{span_input}}\nAnswer: {{span_output}}'}],
    'parsing_type': 'structured_output',
    'output_schema': {'name': 'helpful', 'strict': True,
                      'schema': {'type': 'object', 'properties': {'helpful': {'type': 'boolean'}}, 'required': ['helpful']}},
    'assessment_criteria': {'pass_when': True},
    'inference_params': {'temperature': 0, 'max_tokens': 256},
}
CONFIG = {'category': 'Custom', 'target': TARGET, 'llm_provider': PROVIDER, 'llm_judge_config': JUDGE}


def config(**changes):
    """The demo configuration with whole sections replaced (``None`` removes one)."""
    result = copy.deepcopy(CONFIG)
    for key, value in changes.items():
        if value is None:
            result.pop(key)
        else:
            result[key] = value
    return result


def stored(**changes):
    """The demo evaluator as the API answers it, with ``changes`` to its configuration."""
    return evaluator(NAME, **config(**changes))


def args(**overrides):
    return with_keys(dict(name=NAME), overrides)


def facts(created_at=TIMESTAMP, updated_at=TIMESTAMP, **changes):
    """The facts the module returns of ``stored(**changes)``."""
    result = dict(eval_name=NAME, created_at=created_at, updated_at=updated_at,
                  created_by={'email': 'owner@example.com'}, last_updated_by={'email': 'owner@example.com'})
    result.update(config(**changes))
    return result


def not_found(call):
    return call.reply_error(404, {'status': '404', 'title': 'Not Found'})


# ---------------------------------------------------------------- create


def test_a_missing_evaluator_is_created_with_the_declared_config_and_read_back(http, run, clock):
    http.expect(
        not_found(get_evaluator(NAME)),
        put_evaluator(NAME, CONFIG).reply(200, body=''),       # the spec's answer: no body
        get_evaluator(NAME).reply_data(stored()),
    )

    result, code, raw = run(args(**copy.deepcopy(CONFIG)), diff=True)

    assert code == 0 and result['changed'] is True
    assert result['evaluator'] == facts()
    assert result['differences'] == ['category', 'llm_judge_config', 'llm_provider', 'target']
    assert result['msg'] == "Evaluator 'helpfulness-judge' created."
    assert result['summary'] == 'evaluator helpfulness-judge: created'
    assert result['diff'] == {'before': {'state': 'absent'}, 'after': dict(CONFIG, state='present')}
    assert clock.sleeps == []
    assert_no_secrets(raw)


def test_a_create_in_check_mode_reads_only_and_predicts(http, run, clock):
    http.expect(not_found(get_evaluator(NAME)))

    result, code, dummy = run(args(**copy.deepcopy(CONFIG)), check_mode=True)

    assert code == 0 and result['changed'] is True
    assert result['evaluator'] == dict(CONFIG, eval_name=NAME, created_at=None, updated_at=None, created_by=None,
                                       last_updated_by=None)
    assert result['msg'] == "Evaluator 'helpfulness-judge' would be created (check mode: nothing was sent)."
    assert result['summary'] == 'evaluator helpfulness-judge: would be created'
    http.assert_no_write()


@pytest.mark.parametrize('check_mode', [False, True])
def test_a_create_without_target_enabled_fails_before_any_write_naming_the_option(http, run, check_mode):
    http.expect(not_found(get_evaluator(NAME)))

    result, code, dummy = run(args(target={'application_name': 'support-bot'}), check_mode=check_mode)

    assert code == 1 and result['changed'] is False
    assert result['msg'] == ("Evaluator 'helpfulness-judge' does not exist, so it would be created, and the API "
                             "requires target.enabled, which is not given. Nothing was sent.")


# ---------------------------------------------------------------- unchanged and update


def test_the_same_config_with_whole_floats_and_server_fields_is_unchanged(http, run):
    # Stored: 50.0, 0.0, a null filter and the server's fields; declared: 50, 0 and no filter.
    http.expect(get_evaluator(NAME).reply_data(stored(target=dict(TARGET, filter=None),
                                                      llm_judge_config=dict(JUDGE, context_query=None))))
    declared = copy.deepcopy(CONFIG)
    declared['target']['sampling_percentage'] = 50
    declared['llm_judge_config']['inference_params']['temperature'] = 0.0

    result, code, dummy = run(args(**declared), diff=True)

    assert code == 0 and result['changed'] is False and result['differences'] == []
    assert result['msg'] == "Evaluator 'helpfulness-judge': nothing to change."
    assert result['summary'] == 'evaluator helpfulness-judge: unchanged'
    assert result['diff']['before'] == result['diff']['after'] == dict(CONFIG, state='present')


def test_one_field_declared_updates_it_and_keeps_everything_else_stored(http, run, clock):
    before = stored(target=dict(TARGET, filter=None))
    body = config(target=dict(TARGET, sampling_percentage=100.0))
    http.expect(
        get_evaluator(NAME).reply_data(before),
        put_evaluator(NAME, body).reply(200, body=''),
        get_evaluator(NAME).reply_data(before),                                   # the read lags the write
        get_evaluator(NAME).reply_data(evaluator(NAME, updated_at=LATER, **body)),
    )

    result, code, dummy = run(args(target={'sampling_percentage': 100}), diff=True)

    assert code == 0 and result['changed'] is True
    assert result['differences'] == ['target.sampling_percentage']
    assert result['evaluator'] == facts(updated_at=LATER, target=dict(TARGET, sampling_percentage=100.0))
    assert result['msg'] == "Evaluator 'helpfulness-judge': updated target.sampling_percentage."
    assert result['summary'] == 'evaluator helpfulness-judge: target.sampling_percentage updated'
    assert result['diff'] == {'before': dict(CONFIG, state='present'), 'after': dict(body, state='present')}
    assert clock.sleeps == [0.5]
    assert warnings_of(result) == []


def test_an_update_in_check_mode_sends_nothing_and_predicts_the_merged_config(http, run):
    http.expect(get_evaluator(NAME).reply_data(stored()))

    result, code, dummy = run(args(llm_provider={'model_name': 'gpt-4o-mini'}, category='Quality'), check_mode=True,
                              diff=True)

    assert code == 0 and result['changed'] is True
    assert result['differences'] == ['category', 'llm_provider.model_name']
    assert result['evaluator'] == facts(category='Quality', llm_provider=dict(PROVIDER, model_name='gpt-4o-mini'))
    assert result['msg'] == ("Evaluator 'helpfulness-judge': would update category and llm_provider.model_name "
                             "(check mode: nothing was sent).")
    assert result['summary'] == 'evaluator helpfulness-judge: category and llm_provider.model_name would be updated'
    assert result['diff']['after']['llm_provider'] == dict(PROVIDER, model_name='gpt-4o-mini')
    http.assert_no_write()


def test_a_prompt_template_is_compared_and_replaced_as_a_whole_list(http, run):
    messages = [{'role': 'user', 'content': 'Is this helpful? {{span_output}}'}]
    body = config(llm_judge_config=dict(JUDGE, prompt_template=messages))
    http.expect(
        get_evaluator(NAME).reply_data(stored()),
        put_evaluator(NAME, body).reply(200, body=''),
        get_evaluator(NAME).reply_data(evaluator(NAME, **body)),
    )

    result, code, dummy = run(args(llm_judge_config={'prompt_template': messages}))

    assert code == 0 and result['differences'] == ['llm_judge_config.prompt_template']


def test_replace_true_sends_exactly_the_declared_config_and_undeclared_fields_are_differences(http, run):
    declared = config(category=None, target=dict(TARGET, sampling_percentage=None), llm_judge_config=None)
    del declared['target']['sampling_percentage']
    http.expect(
        get_evaluator(NAME).reply_data(stored(category='Quality', target=dict(TARGET, filter='@service:bot'))),
        put_evaluator(NAME, declared).reply(200, body=''),
        get_evaluator(NAME).reply_data(evaluator(NAME, **declared)),
    )

    result, code, dummy = run(args(replace=True, **copy.deepcopy(declared)), diff=True)

    assert code == 0 and result['changed'] is True
    assert result['differences'] == ['category', 'llm_judge_config', 'target.filter', 'target.sampling_percentage']
    assert result['evaluator'] == dict(declared, eval_name=NAME, category=None, llm_judge_config=None,
                                       created_at=TIMESTAMP, updated_at=TIMESTAMP,
                                       created_by={'email': 'owner@example.com'},
                                       last_updated_by={'email': 'owner@example.com'})
    assert result['diff']['after'] == dict(declared, state='present')


def test_replace_true_with_the_stored_config_is_unchanged(http, run):
    http.expect(get_evaluator(NAME).reply_data(stored()))

    result, code, dummy = run(args(replace=True, **copy.deepcopy(CONFIG)))

    assert code == 0 and result['changed'] is False


def test_replace_true_without_the_required_target_fails_before_the_write(http, run):
    http.expect(get_evaluator(NAME).reply_data(stored()))

    result, code, dummy = run(args(replace=True, category='Custom'))

    assert code == 1
    assert result['msg'] == ("Evaluator 'helpfulness-judge' would be replaced (replace: true), and the API requires "
                             "target.application_name and target.enabled, which are not given. Nothing was sent.")


# ---------------------------------------------------------------- projects by name


def test_project_names_are_replaced_by_their_ids_and_ids_are_sent_as_they_are(http, run):
    body = config(target=dict(TARGET, experiment_project_ids=[PROJECT_UUID, OTHER_UUID]))
    http.expect(
        projects_by_name('demo-project').reply_page(project('p-near', 'demo-project-2'),
                                                    project(PROJECT_UUID, 'demo-project')),
        get_evaluator(NAME).reply_data(stored()),
        put_evaluator(NAME, body).reply(200, body=''),
        get_evaluator(NAME).reply_data(evaluator(NAME, **body)),
    )

    result, code, dummy = run(args(target={'experiment_project_ids': ['demo-project', OTHER_UUID]}))

    assert code == 0 and result['differences'] == ['target.experiment_project_ids']
    assert result['evaluator']['target']['experiment_project_ids'] == [PROJECT_UUID, OTHER_UUID]


def test_a_project_name_that_matches_nothing_fails_naming_the_option_and_the_name(http, run):
    http.expect(projects_by_name('no-such-project').reply_page(project('p-2', 'no-such-project-2')))

    result, code, dummy = run(args(target={'experiment_project_ids': ['no-such-project']}))

    assert code == 1
    assert result['msg'] == ("No project named 'no-such-project' was found (given as target.experiment_project_ids; "
                             "names are compared exactly).")


# ---------------------------------------------------------------- lost answers and waiting


@pytest.mark.parametrize('lose', sorted(LOST_ANSWERS))
def test_a_put_whose_answer_is_lost_is_looked_up_and_not_sent_again(http, run, lose):
    body = config(target=dict(TARGET, enabled=False))
    http.expect(
        get_evaluator(NAME).reply_data(stored()),
        LOST_ANSWERS[lose](put_evaluator(NAME, body)),
        get_evaluator(NAME).reply_data(evaluator(NAME, updated_at=LATER, **body)),   # the lookup: it was written
    )

    result, code, dummy = run(args(target={'enabled': False}))

    assert code == 0 and result['changed'] is True
    assert result['evaluator'] == facts(updated_at=LATER, target=dict(TARGET, enabled=False))
    assert any('a lookup shows it was done; not sending it again' in text for text in warnings_of(result))


def test_a_put_whose_answer_is_lost_and_that_a_lookup_does_not_show_is_sent_again(http, run, clock):
    body = config(target=dict(TARGET, enabled=False))
    http.expect(
        get_evaluator(NAME).reply_data(stored()),
        LOST_ANSWERS['http-500'](put_evaluator(NAME, body)),
        get_evaluator(NAME).reply_data(stored()).times(3),       # the lookup, for wait_timeout (1 s)
        put_evaluator(NAME, body).reply(200, body=''),
        get_evaluator(NAME).reply_data(evaluator(NAME, **body)),
    )

    result, code, dummy = run(args(target={'enabled': False}, wait_timeout=1))

    assert code == 0 and result['evaluator']['target']['enabled'] is False
    assert clock.sleeps == [0.5, 0.5, 1.0]


def test_reads_that_never_show_the_write_end_with_a_warning_and_the_config_sent(http, run):
    body = config(category='Quality')
    http.expect(
        get_evaluator(NAME).reply_data(stored()),
        put_evaluator(NAME, body).reply(200, body=''),
        get_evaluator(NAME).reply_data(stored()).times(3),
    )

    result, code, dummy = run(args(category='Quality', wait_timeout=1))

    assert code == 0 and result['changed'] is True
    assert result['evaluator'] == facts(category='Quality')
    assert warnings_of(result) == [
        "Writing evaluator 'helpfulness-judge' was answered, but reads still did not show the configuration sent after "
        "1 second (category): reads may lag behind writes, or Datadog may store these fields in a form of its own "
        "(then declare them as it stores them). A run started right away may find the one from before and write it "
        "again. Raise wait_timeout to wait longer."]


def test_without_wait_the_evaluator_is_read_once_after_the_write(http, run, clock):
    body = config(category='Quality')
    http.expect(
        get_evaluator(NAME).reply_data(stored()),
        put_evaluator(NAME, body).reply(200, body=''),
        get_evaluator(NAME).reply_data(stored()),
    )

    result, code, dummy = run(args(category='Quality', wait=False))

    assert code == 0 and result['evaluator']['category'] == 'Quality'
    assert warnings_of(result) == [] and clock.sleeps == []


def test_a_refused_put_fails_with_the_api_error_and_says_nothing_was_written(http, run):
    body = config(category='Quality')
    http.expect(
        get_evaluator(NAME).reply_data(stored()),
        put_evaluator(NAME, body).reply_error(400, {'status': '400', 'title': 'Bad Request', 'detail': 'bad category'}),
    )

    result, code, raw = run(args(category='Quality'))

    assert code == 1 and result['status'] == 400
    assert 'bad category' in result['msg'] and 'the evaluator was not written' in result['msg']
    assert_no_secrets(raw)


# ---------------------------------------------------------------- absent


def test_absent_deletes_the_evaluator_and_waits_until_it_is_gone(http, run, clock):
    http.expect(
        get_evaluator(NAME).reply_data(stored()),
        delete_evaluator(NAME).reply(204),
        get_evaluator(NAME).reply_data(stored()),                # the read lags the delete
        not_found(get_evaluator(NAME)),
    )

    result, code, dummy = run(args(state='absent'), diff=True)

    assert code == 0 and result['changed'] is True
    assert result['evaluator'] == facts()
    assert result['msg'] == "Evaluator 'helpfulness-judge' deleted."
    assert result['summary'] == 'evaluator helpfulness-judge: deleted'
    assert result['diff'] == {'before': dict(CONFIG, state='present'), 'after': {'state': 'absent'}}
    assert clock.sleeps == [0.5]


def test_absent_in_check_mode_sends_nothing(http, run):
    http.expect(get_evaluator(NAME).reply_data(stored()))

    result, code, dummy = run(args(state='absent'), check_mode=True)

    assert code == 0 and result['changed'] is True
    assert result['summary'] == 'evaluator helpfulness-judge: would be deleted'
    http.assert_no_write()


def test_absent_when_missing_is_unchanged(http, run):
    http.expect(not_found(get_evaluator(NAME)))

    result, code, dummy = run(args(state='absent', category='ignored'), diff=True)

    assert code == 0 and result['changed'] is False and result['evaluator'] is None
    assert result['msg'] == "Evaluator 'helpfulness-judge' is absent; nothing to do."
    assert result['summary'] == 'evaluator helpfulness-judge: already absent'
    assert result['diff'] == {'before': {'state': 'absent'}, 'after': {'state': 'absent'}}


def test_a_delete_whose_answer_is_lost_and_that_is_refused_with_404_when_sent_again_is_done(http, run):
    http.expect(
        get_evaluator(NAME).reply_data(stored()),
        LOST_ANSWERS['dropped-connection'](delete_evaluator(NAME)),
        get_evaluator(NAME).reply_data(stored()).times(3),       # the lookup lags
        not_found(delete_evaluator(NAME)),                       # sent again: the first one took it
        not_found(get_evaluator(NAME)),
    )

    result, code, dummy = run(args(state='absent', wait_timeout=1))

    assert code == 0 and result['changed'] is True
    assert any('shows the first attempt was carried out' in text for text in warnings_of(result))


def test_a_delete_still_readable_after_the_wait_warns(http, run):
    http.expect(
        get_evaluator(NAME).reply_data(stored()),
        delete_evaluator(NAME).reply(204),
        get_evaluator(NAME).reply_data(stored()).times(3),
    )

    result, code, dummy = run(args(state='absent', wait_timeout=1))

    assert code == 0 and result['changed'] is True
    assert warnings_of(result) == ["Deleted evaluator 'helpfulness-judge', but it could still be read after 1 second; "
                                   "a run started right away may still find it. Raise wait_timeout to wait longer."]


# ---------------------------------------------------------------- the prompt template from a file


def test_prompt_template_src_gives_the_messages(http, run, tmp_path):
    path = tmp_path / 'judge.yml'
    path.write_text('messages:\n  - role: system\n    content: You judge answers.\n'
                    '  - role: user\n    content: "Answer: {{span_output}}"\n')
    messages = [{'role': 'system', 'content': 'You judge answers.'}, {'role': 'user', 'content': 'Answer: {{span_output}}'}]
    body = config(llm_judge_config=dict(JUDGE, prompt_template=messages))
    http.expect(
        get_evaluator(NAME).reply_data(stored()),
        put_evaluator(NAME, body).reply(200, body=''),
        get_evaluator(NAME).reply_data(evaluator(NAME, **body)),
    )

    result, code, dummy = run(args(prompt_template_src=str(path)))

    assert code == 0 and result['differences'] == ['llm_judge_config.prompt_template']


def test_a_json_prompt_template_file_as_a_plain_list_equal_to_the_stored_one_is_unchanged(http, run, tmp_path):
    path = tmp_path / 'judge.json'
    path.write_text('[{"role": "system", "content": "You judge whether an answer helps the customer."},'
                    ' {"role": "user", "content": "Question: {{span_input}}\\nAnswer: {{span_output}}"}]')
    http.expect(get_evaluator(NAME).reply_data(stored()))

    result, code, dummy = run(args(prompt_template_src=str(path)))

    assert code == 0 and result['changed'] is False


@pytest.mark.parametrize('text, message', [
    ('- role: system\n  content: ok\n- content: no role\n',
     "prompt_template_src '{path}': message 2: role must be a non-empty string (such as system or user)."),
    ('- role: system\n  text: wrong key\n',
     "prompt_template_src '{path}': message 1 has unknown fields (text); a message has role, content and contents."),
    ('- role: user\n', "prompt_template_src '{path}': message 1 has neither content nor contents: give the text of "
                       "the message."),
    ('messages:\n  - {role: user, content: ok}\n  - {role: user, contents: [{type: text}]}\n',
     "prompt_template_src '{path}': message 2: content block 1 must be a mapping with type and value (a mapping)."),
    ('prompt: []\n', "prompt_template_src '{path}': a mapping must hold only \"messages\", the list of the messages "
                     "(found: prompt)."),
    ('a: &x [1]\nb: *x\n', "prompt_template_src '{path}':2: YAML aliases are not supported in a prompt template file."),
    ('[]\n', "prompt_template_src '{path}': messages must be a non-empty list of messages (mappings with role and "
             "content)."),
])
def test_a_bad_prompt_template_file_fails_before_any_request_naming_the_file_and_the_message(http, run, tmp_path,
                                                                                             text, message):
    path = tmp_path / 'judge.yml'
    path.write_text(text)

    result, code, dummy = run(args(prompt_template_src=str(path)))

    assert code == 1 and result['msg'] == message.format(path=path)
    assert http.seen == []


def test_prompt_template_src_and_a_prompt_template_are_mutually_exclusive(http, run, tmp_path):
    path = tmp_path / 'judge.yml'
    path.write_text('- {role: user, content: hi}\n')

    result, code, dummy = run(args(prompt_template_src=str(path),
                                   llm_judge_config={'prompt_template': [{'role': 'user', 'content': 'hi'}]}))

    assert code == 1 and 'mutually exclusive' in result['msg'] and http.seen == []


# ---------------------------------------------------------------- checks before any request


@pytest.mark.parametrize('options, message', [
    (dict(target={'sampling_percentage': 0}),
     'target.sampling_percentage must be greater than 0 and at most 100 (got 0.0).'),
    (dict(target={'sampling_percentage': 100.5}),
     'target.sampling_percentage must be greater than 0 and at most 100 (got 100.5).'),
    (dict(name=' judge'), "name must not start or end with spaces (got ' judge'): names are compared exactly."),
    (dict(name='a/b'), "name must not contain '/' nor be '.' or '..' (got 'a/b'): it is a part of the request path."),
    (dict(llm_judge_config={'prompt_template': [{'role': 'user'}]}),
     'llm_judge_config.prompt_template message 1 has neither content nor contents: give the text of the message.'),
    (dict(llm_judge_config={'prompt_template': [{'role': 'user', 'content': 'ok'},
                                                {'role': 'user', 'contents': [{'type': 'text'}]}]}),
     'llm_judge_config.prompt_template message 2: content block 1 must be a mapping with type and value (a mapping).'),
    (dict(llm_judge_config={'assessment_criteria': {'min_threshold': 0.9, 'max_threshold': 0.5}}),
     'llm_judge_config.assessment_criteria.min_threshold (0.9) must not be greater than max_threshold (0.5).'),
    (dict(llm_judge_config={'inference_params': {'max_tokens': 0}}),
     'llm_judge_config.inference_params.max_tokens must be at least 1 (got 0).'),
    (dict(target={'experiment_project_ids': [' ']}),
     'target.experiment_project_ids[0] must not be blank: give a project id or an exact project name.'),
    (dict(wait_timeout=0), 'wait_timeout must be a whole number of seconds from 1 to 3600 (got 0).'),
])
def test_bad_options_fail_before_any_request_naming_the_option(http, run, options, message):
    result, code, raw = run(args(**options))

    assert code == 1 and result['msg'] == message
    assert http.seen == []
    assert_no_secrets(raw)


def test_the_eval_name_alias_names_the_evaluator(http, run):
    http.expect(not_found(get_evaluator('other-judge')))

    result, code, dummy = run(with_keys(dict(eval_name='other-judge', state='absent')))

    assert code == 0 and result['summary'] == 'evaluator other-judge: already absent'


def test_a_lost_replace_that_only_removes_a_field_is_not_taken_as_done_while_the_field_is_still_there(http, run):
    declared = config(category=None)
    http.expect(
        get_evaluator(NAME).reply_data(stored(category='Quality')),
        LOST_ANSWERS['dropped-connection'](put_evaluator(NAME, declared)),
        get_evaluator(NAME).reply_data(stored(category='Quality')).times(3),   # still with its category: not written
        put_evaluator(NAME, declared).reply(200, body=''),
        get_evaluator(NAME).reply_data(evaluator(NAME, **declared)),
    )

    result, code, dummy = run(args(replace=True, wait_timeout=1, **copy.deepcopy(declared)))

    assert code == 0 and result['differences'] == ['category']
    assert result['evaluator']['category'] is None


def test_an_update_that_adds_a_judge_config_without_inference_params_fails_before_the_write(http, run):
    http.expect(get_evaluator(NAME).reply_data(stored(llm_judge_config=None)))

    result, code, dummy = run(args(llm_judge_config={'parsing_type': 'json'}))

    assert code == 1
    assert result['msg'] == ("Evaluator 'helpfulness-judge' would be updated, and the API requires "
                             "llm_judge_config.inference_params, which is not given. Nothing was sent.")


def test_a_lagging_read_after_a_replace_returns_what_was_sent_not_the_fields_it_removed(http, run):
    declared = config(category=None)
    http.expect(
        get_evaluator(NAME).reply_data(stored(category='Quality')),
        put_evaluator(NAME, declared).reply(200, body=''),
        get_evaluator(NAME).reply_data(stored(category='Quality')).times(3),
    )

    result, code, dummy = run(args(replace=True, wait_timeout=1, **copy.deepcopy(declared)))

    assert code == 0 and result['evaluator'] == dict(facts(category=None), category=None)
    assert len(warnings_of(result)) == 1


# ---------------------------------------------------------------- a server that fills in and adds fields of its own

# What a server may add to a stored evaluator: defaults where a write left fields out, and read-only fields of its own.
FILLED_TARGET = dict(TARGET, experiment_project_ids=[])
FILLED_JUDGE = dict(JUDGE, modified_library_prompt_template=False)
READ_ONLY_TARGET = dict(TARGET, query='@ml_app:support-bot')
READ_ONLY_PROVIDER = dict(PROVIDER, integration_account_name='Main OpenAI account')


def test_replace_true_with_server_defaults_stored_is_unchanged_and_sends_nothing(http, run):
    http.expect(get_evaluator(NAME).reply_data(stored(target=FILLED_TARGET, llm_judge_config=FILLED_JUDGE)))

    result, code, dummy = run(args(replace=True, **copy.deepcopy(CONFIG)))

    assert code == 0 and result['changed'] is False and result['differences'] == []
    assert result['evaluator'] == facts(target=FILLED_TARGET, llm_judge_config=FILLED_JUDGE)


def test_a_replace_is_read_back_at_once_when_the_server_fills_in_removed_fields_with_defaults(http, run, clock):
    declared = config(category=None, target=dict(TARGET, sampling_percentage=None))
    del declared['target']['sampling_percentage']
    read_back = evaluator(NAME, updated_at=LATER, **config(target=dict(FILLED_TARGET, sampling_percentage=100.0),
                                                           llm_judge_config=FILLED_JUDGE))
    http.expect(
        get_evaluator(NAME).reply_data(stored(category='Quality')),
        put_evaluator(NAME, declared).reply(200, body=''),
        get_evaluator(NAME).reply_data(read_back),        # category Custom, sampling 100: defaults, not the old values
    )

    result, code, dummy = run(args(replace=True, **copy.deepcopy(declared)))

    assert code == 0 and result['changed'] is True
    assert result['differences'] == ['category', 'target.sampling_percentage']
    assert result['evaluator'] == facts(updated_at=LATER, target=dict(FILLED_TARGET, sampling_percentage=100.0),
                                        llm_judge_config=FILLED_JUDGE)      # what is stored, not what was sent
    assert clock.sleeps == [] and warnings_of(result) == []


def test_an_update_sends_back_only_the_writable_stored_fields_and_returns_the_read_back(http, run, clock):
    before = stored(target=READ_ONLY_TARGET, llm_provider=READ_ONLY_PROVIDER)
    body = config(target=dict(TARGET, sampling_percentage=100.0))       # no query, no integration_account_name
    after = evaluator(NAME, updated_at=LATER, **config(target=dict(READ_ONLY_TARGET, sampling_percentage=100.0),
                                                       llm_provider=READ_ONLY_PROVIDER))
    http.expect(
        get_evaluator(NAME).reply_data(before),
        put_evaluator(NAME, body).reply(200, body=''),
        get_evaluator(NAME).reply_data(after),
    )

    result, code, dummy = run(args(target={'sampling_percentage': 100}), diff=True)

    assert code == 0 and result['changed'] is True
    assert result['differences'] == ['target.sampling_percentage']
    assert result['evaluator'] == facts(updated_at=LATER, target=dict(READ_ONLY_TARGET, sampling_percentage=100.0),
                                        llm_provider=READ_ONLY_PROVIDER)
    assert result['diff'] == {'before': dict(CONFIG, state='present'), 'after': dict(body, state='present')}
    assert clock.sleeps == [] and warnings_of(result) == []


def test_replace_true_ignores_the_read_only_fields_a_server_adds(http, run):
    http.expect(get_evaluator(NAME).reply_data(stored(target=READ_ONLY_TARGET, llm_provider=READ_ONLY_PROVIDER)))

    result, code, dummy = run(args(replace=True, **copy.deepcopy(CONFIG)))

    assert code == 0 and result['changed'] is False and result['differences'] == []


# ---------------------------------------------------------------- failures after a write


def test_a_read_back_that_fails_after_the_put_fails_with_changed_and_the_evaluator_as_sent(http, run):
    body = config(category='Quality')
    http.expect(
        get_evaluator(NAME).reply_data(stored()),
        put_evaluator(NAME, body).reply(200, body=''),
        get_evaluator(NAME).reply_error(403, {'status': '403', 'title': 'Forbidden'}),
    )

    result, code, raw = run(args(category='Quality'))

    assert code == 1 and result['changed'] is True and result['status'] == 403
    assert result['evaluator'] == dict(facts(category='Quality', created_at=None, updated_at=None), created_by=None,
                                       last_updated_by=None)
    assert result['differences'] == ['category']
    assert ("Writing evaluator 'helpfulness-judge' was answered before this, so the evaluator was written; it could "
            "not be read back.") in result['msg']
    assert_no_secrets(raw)


def test_a_refused_put_fails_unchanged_with_the_evaluator_as_stored(http, run):
    body = config(category='Quality')
    http.expect(
        get_evaluator(NAME).reply_data(stored()),
        put_evaluator(NAME, body).reply_error(400, {'status': '400', 'title': 'Bad Request'}),
    )

    result, code, dummy = run(args(category='Quality'))

    assert code == 1 and result['changed'] is False
    assert result['evaluator'] == facts() and result['differences'] == ['category']


def test_a_put_whose_outcome_is_unknown_fails_with_changed(http, run):
    body = config(category='Quality')
    http.expect(
        get_evaluator(NAME).reply_data(stored()),
        LOST_ANSWERS['http-500'](put_evaluator(NAME, body)),
        get_evaluator(NAME).reply_error(403, {'status': '403', 'title': 'Forbidden'}),   # the lookup fails too
    )

    result, code, dummy = run(args(category='Quality'))

    assert code == 1 and result['changed'] is True
    assert 'its outcome is unknown' in result['msg']


def test_a_read_that_fails_after_the_delete_fails_with_changed(http, run):
    http.expect(
        get_evaluator(NAME).reply_data(stored()),
        delete_evaluator(NAME).reply(204),
        get_evaluator(NAME).reply_error(403, {'status': '403', 'title': 'Forbidden'}),
    )

    result, code, dummy = run(args(state='absent'))

    assert code == 1 and result['changed'] is True and result['evaluator'] == facts()
    assert ("Deleting evaluator 'helpfulness-judge' was answered before this, so the evaluator was deleted"
            in result['msg'])
