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
    config_differences,
    evaluator_facts,
    listed_paths,
    merged_config,
    removed_paths,
    shows_config,
    stored_config,
    strip_none,
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


def test_with_replace_every_stored_field_not_declared_is_a_difference():
    declared = {'target': {'application_name': 'support-bot', 'enabled': True}}

    assert config_differences(STORED, declared, replace=True) == ['category', 'llm_judge_config',
                                                                  'target.sampling_percentage']
    assert config_differences(STORED, STORED, replace=True) == []


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


def test_a_replace_is_shown_only_once_the_fields_it_removes_are_gone():
    declared = {'target': {'application_name': 'support-bot', 'enabled': True}}
    removed = removed_paths(STORED, declared)

    assert removed == ['category', 'llm_judge_config', 'target.sampling_percentage']
    assert shows_config(dict(STORED), declared) is True                 # every field sent is there...
    assert shows_config(dict(STORED), declared, removed) is False       # ...but so is what the PUT removes
    assert shows_config(dict(declared, category=None), declared, removed) is True
