# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The configuration of an evaluator as data: declared, stored, merged and compared by path."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._evaluator_plan import declared_config
from ansible_collections.llmobs.datadog.plugins.module_utils._evaluators import (
    CONFIG_KEYS,
    WRITABLE_FIELDS,
    config_differences,
    evaluator_facts,
    listed_paths,
    merged_config,
    removed_paths,
    shows_config,
    stored_config,
    strip_none,
    unshown_paths,
)

STORED = {
    'category': 'Custom',
    'target': {'application_name': 'support-bot', 'enabled': True, 'sampling_percentage': 50.0},
    'llm_judge_config': {'inference_params': {'temperature': 0.0, 'max_tokens': 256},
                         'output_schema': {'name': 'helpful', 'strict': True},
                         'prompt_template': [{'role': 'user', 'content': 'judge'}]},
}


# ---------------------------------------------------------------- differences


def test_whole_numbers_equal_their_floats_and_key_order_does_not_matter():
    declared = {'llm_judge_config': {'inference_params': {'max_tokens': 256.0, 'temperature': 0}},
                'target': {'sampling_percentage': 50, 'enabled': True}}

    assert config_differences(STORED, declared) == []


def test_a_boolean_is_not_a_number():
    assert config_differences({'target': {'enabled': True}}, {'target': {'enabled': 1}}) == ['target.enabled']


def test_nested_mappings_are_compared_key_by_key_and_paths_name_the_leaf():
    declared = {'target': {'sampling_percentage': 25, 'filter': '@ml_app:bot'},
                'llm_judge_config': {'inference_params': {'max_tokens': 512}}}

    assert config_differences(STORED, declared) == [
        'llm_judge_config.inference_params.max_tokens', 'target.filter', 'target.sampling_percentage']


def test_lists_and_the_output_schema_are_compared_whole():
    declared = {'llm_judge_config': {'prompt_template': [{'role': 'user', 'content': 'judge'},
                                                         {'role': 'user', 'content': 'more'}],
                                     'output_schema': {'name': 'helpful'}}}

    assert config_differences(STORED, declared) == ['llm_judge_config.output_schema',
                                                    'llm_judge_config.prompt_template']


def test_without_replace_an_undeclared_field_is_no_difference():
    assert config_differences(STORED, {'target': {'enabled': True}}) == []


def test_with_replace_every_stored_field_not_declared_that_holds_something_is_a_difference():
    declared = {'target': {'application_name': 'support-bot', 'enabled': True}}
    stored = dict(STORED, category='Quality')

    assert config_differences(stored, declared, replace=True) == ['category', 'llm_judge_config',
                                                                  'target.sampling_percentage']
    assert config_differences(STORED, STORED, replace=True) == []


def test_with_replace_undeclared_nulls_empties_false_and_server_defaults_are_no_difference():
    # What a server fills in when a write leaves it out: its default category, an empty list, false.
    stored = {'category': 'Custom',
              'target': {'application_name': 'support-bot', 'enabled': True, 'experiment_project_ids': [],
                         'filter': '', 'root_spans_only': False},
              'llm_provider': {'bedrock': {'region': ''}},
              'llm_judge_config': {'inference_params': {'max_tokens': 256}, 'modified_library_prompt_template': False,
                                   'output_schema': {}}}
    declared = {'target': {'application_name': 'support-bot', 'enabled': True},
                'llm_judge_config': {'inference_params': {'max_tokens': 256}}}

    assert config_differences(stored, declared, replace=True) == []
    assert config_differences(dict(stored, category='Quality'), declared, replace=True) == ['category']
    assert config_differences({'llm_provider': {'bedrock': {'region': 'us-east-1'}}}, {}, replace=True) == [
        'llm_provider']


def test_a_field_missing_on_one_side_equals_an_empty_value_on_the_other():
    assert config_differences({'target': {}}, {'target': {'experiment_project_ids': []}}) == []
    assert config_differences({'target': {}}, {'target': {'root_spans_only': False}}) == ['target.root_spans_only']


def test_a_section_missing_on_either_side_is_one_path():
    assert config_differences({}, {'target': {'enabled': True}, 'category': 'x'}) == ['category', 'target']
    assert config_differences({'category': 'x'}, {'category': {'a': 1}}) == ['category']


# ---------------------------------------------------------------- merge


def test_merge_lays_the_declared_over_the_stored_mappings_merged_lists_and_scalars_replaced():
    declared = {'target': {'sampling_percentage': 100},
                'llm_judge_config': {'inference_params': {'top_p': 0.9},
                                     'prompt_template': [{'role': 'system', 'content': 'new'}],
                                     'output_schema': {'name': 'other'}}}

    merged = merged_config(STORED, declared)

    assert merged == {
        'category': 'Custom',
        'target': {'application_name': 'support-bot', 'enabled': True, 'sampling_percentage': 100},
        'llm_judge_config': {'inference_params': {'temperature': 0.0, 'max_tokens': 256, 'top_p': 0.9},
                             'output_schema': {'name': 'other'},
                             'prompt_template': [{'role': 'system', 'content': 'new'}]},
    }
    assert STORED['target']['sampling_percentage'] == 50.0   # the stored config is not changed in place


def test_what_a_merge_sends_shows_no_difference_from_the_declared():
    declared = {'target': {'filter': 'x'}, 'category': 'Quality'}

    assert config_differences(merged_config(STORED, declared), declared) == []


# ---------------------------------------------------------------- None and server fields


def test_strip_none_removes_options_not_given_but_never_inside_a_raw_value():
    value = {'target': {'enabled': True, 'filter': None},
             'llm_judge_config': {'output_schema': {'default': None},
                                  'prompt_template': [{'role': 'user', 'content': 'x', 'contents': None},
                                                      {'role': 'user', 'content': None,
                                                       'contents': [{'type': 'text', 'value': {'text': None}}]}]}}

    assert strip_none(value) == {
        'target': {'enabled': True},
        'llm_judge_config': {'output_schema': {'default': None},
                             'prompt_template': [{'role': 'user', 'content': 'x'},
                                                 {'role': 'user', 'contents': [{'type': 'text',
                                                                                'value': {'text': None}}]}]}}


def test_declared_config_keeps_only_the_options_given():
    params = dict(category=None, target={'application_name': 'bot', 'enabled': None, 'experiment_project_ids': None},
                  llm_provider=None, llm_judge_config=None, name='x', state='present')

    assert declared_config(params) == {'target': {'application_name': 'bot'}}
    assert declared_config(params, [{'role': 'user', 'content': 'hi'}]) == {
        'target': {'application_name': 'bot'}, 'llm_judge_config': {'prompt_template': [{'role': 'user', 'content': 'hi'}]}}


def test_the_stored_config_leaves_out_the_server_fields_and_nulls():
    item = {'id': 'judge', 'type': 'evaluator_config',
            'attributes': dict(STORED, eval_name='judge', created_at='t', updated_at='t', created_by={'email': 'a'},
                               last_updated_by={'email': 'b'}, llm_provider=None,
                               target=dict(STORED['target'], filter=None, eval_scope=None))}

    facts = evaluator_facts(item)

    assert facts['eval_name'] == 'judge' and facts['created_by'] == {'email': 'a'}
    assert stored_config(facts) == STORED
    assert stored_config(None) == {}


def test_the_name_comes_from_the_id_when_the_attributes_leave_it_out():
    assert evaluator_facts({'id': 'judge', 'attributes': None})['eval_name'] == 'judge'


@pytest.mark.parametrize('facts, shown', [
    (None, False),
    (dict(STORED, eval_name='judge'), True),
    (dict(STORED, category='Other'), False),
])
def test_an_evaluator_shows_a_config_when_every_field_sent_is_there(facts, shown):
    assert shows_config(facts, {'category': 'Custom', 'target': {'enabled': True}}) is shown


def test_paths_listed_for_messages():
    assert listed_paths([]) == ''
    assert listed_paths(['a']) == 'a'
    assert listed_paths(['a', 'b', 'c']) == 'a, b and c'


def test_a_replace_is_shown_only_once_the_fields_it_removes_no_longer_hold_their_old_values():
    declared = {'target': {'application_name': 'support-bot', 'enabled': True}}
    stored = dict(STORED, category='Quality')
    removed = removed_paths(stored, declared)

    assert removed == {'category': 'Quality', 'llm_judge_config': STORED['llm_judge_config'],
                       'target.sampling_percentage': 50.0}
    assert shows_config(dict(stored), declared) is True                 # every field sent is there...
    assert shows_config(dict(stored), declared, removed) is False       # ...but so is what the PUT removes
    assert unshown_paths(dict(stored), declared, removed) == ['category', 'llm_judge_config',
                                                              'target.sampling_percentage']
    assert shows_config(dict(declared, category=None), declared, removed) is True
    # A server that fills in its own defaults where the fields were: not the old values, so the write shows.
    filled = dict(declared, category='Custom', llm_judge_config={'modified_library_prompt_template': False})
    filled['target'] = dict(declared['target'], sampling_percentage=100.0, experiment_project_ids=[])
    assert shows_config(filled, declared, removed) is True


def test_the_stored_config_keeps_only_the_fields_a_write_takes():
    facts = evaluator_facts({'id': 'judge', 'attributes': {
        'category': 'Custom',
        'target': {'application_name': 'bot', 'enabled': True, 'query': '@ml_app:bot'},
        'llm_provider': {'integration_provider': 'openai', 'integration_account_name': 'Main OpenAI',
                         'bedrock': {'region': 'us-east-1', 'arn': 'x'}},
        'llm_judge_config': {'inference_params': {'max_tokens': 5, 'seed': 7}, 'library_id': 'lib-1',
                             'output_schema': {'name': 'x', 'anything': {'kept': True}},
                             'prompt_template': [{'role': 'user', 'content': 'hi', 'id': 'm1',
                                                  'contents': [{'type': 'text', 'value': {'text': 'hi'}, 'x': 1}]}]},
        'created_at': '2026-11-25T10:30:00+00:00'}})

    assert stored_config(facts) == {
        'category': 'Custom',
        'target': {'application_name': 'bot', 'enabled': True},
        'llm_provider': {'integration_provider': 'openai', 'bedrock': {'region': 'us-east-1'}},
        'llm_judge_config': {'inference_params': {'max_tokens': 5, 'seed': 7},        # kept whole
                             'output_schema': {'name': 'x', 'anything': {'kept': True}},
                             'prompt_template': [{'role': 'user', 'content': 'hi',
                                                  'contents': [{'type': 'text', 'value': {'text': 'hi'}, 'x': 1}]}]}}
    assert sorted(WRITABLE_FIELDS) == sorted(CONFIG_KEYS)
