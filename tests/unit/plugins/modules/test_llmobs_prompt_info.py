# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""llmobs_prompt_info: every read it makes, stated call by call; a version or label not there names what is."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.plugins.modules import llmobs_prompt_info
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import TIMESTAMP, with_keys
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    get_prompt_version,
    list_prompt_versions,
    list_prompts,
    prompt_item,
    prompt_version,
    prompt_versions_page,
)

MODULE = llmobs_prompt_info
PID = 'support-answer'
CHAT_1 = [{'role': 'system', 'content': 'You are a support assistant for {{company}}.'},
          {'role': 'user', 'content': '{{question}}'}]


def nothing_after(number):
    """The read of the version after ``number``: there is none (the versions list is up to date)."""
    return get_prompt_version(PID, number + 1).reply_error(404, {'status': '404', 'title': 'Not Found'})


def two_versions():
    """The versions list (2 and 1), and the read that finds no version after 2."""
    return [list_prompt_versions(PID).reply(json=prompt_versions_page(PID, (2, ['development']), (1, ['production']))),
            nothing_after(2)]


def test_every_prompt(http, run):
    http.expect(
        list_prompts().reply_page(prompt_item('a'), after='c1'),
        list_prompts(cursor='c1').reply_page(prompt_item(PID, title='Support answer')),
    )

    result, code, dummy = run(with_keys())

    assert code == 0 and result['changed'] is False
    assert [p['prompt_id'] for p in result['prompts']] == ['a', PID]
    assert 'versions' not in result and 'version' not in result


def test_one_prompt_with_its_versions_and_the_latest_in_full(http, run):
    http.expect(
        list_prompts(PID).reply_page(prompt_item(PID + '-v2'), prompt_item(PID)),
        two_versions(),
        get_prompt_version(PID, 2).reply_data(prompt_version(PID, 2, 'Hello', config={'model': 'm'},
                                                             labels=['development'])),
    )

    result, code, dummy = run(with_keys(dict(prompt_id=PID)))

    assert code == 0 and [p['prompt_id'] for p in result['prompts']] == [PID]
    assert [(v['version'], v['labels']) for v in result['versions']] == [(2, ['development']), (1, ['production'])]
    assert result['version'] == dict(id='v2-' + PID, version=2, labels=['development'], description=None,
                                     created_at=TIMESTAMP, template='Hello', authoring_template=None,
                                     config={'model': 'm'}, user_version=None)


def test_the_version_a_label_names(http, run):
    http.expect(
        list_prompts(PID).reply_page(prompt_item(PID)),
        two_versions(),
        get_prompt_version(PID, 1).reply_data(prompt_version(PID, 1, CHAT_1)),
    )

    result, code, dummy = run(with_keys(dict(prompt_id=PID, label='production')))

    assert code == 0 and result['version']['template'] == CHAT_1 and result['version']['labels'] == ['production']


def test_a_version_by_number(http, run):
    http.expect(
        list_prompts(PID).reply_page(prompt_item(PID)),
        two_versions(),
        get_prompt_version(PID, 1).reply_data(prompt_version(PID, 1, CHAT_1, labels=['production'])),
    )

    result, code, dummy = run(with_keys(dict(prompt_id=PID, version=1)))

    assert code == 0 and result['version']['version'] == 1


def test_a_missing_prompt_is_an_empty_answer(http, run):
    http.expect(list_prompts('nope').reply_page())

    result, code, dummy = run(with_keys(dict(prompt_id='nope', label='production')))

    assert code == 0 and result['prompts'] == [] and result['versions'] == [] and result['version'] is None


def test_versions_the_lagging_list_does_not_show_yet_are_read_by_their_numbers(http, run):
    http.expect(
        list_prompts(PID).reply_page(prompt_item(PID)),
        list_prompt_versions(PID).reply(json=prompt_versions_page(PID, (1, ['production']))),
        get_prompt_version(PID, 2).reply_data(prompt_version(PID, 2, 'Hello', labels=['development'])),
        nothing_after(2),
    )

    result, code, dummy = run(with_keys(dict(prompt_id=PID, label='development')))

    assert code == 0 and result['version']['version'] == 2 and result['version']['template'] == 'Hello'
    assert [(v['version'], v['labels']) for v in result['versions']] == [(2, ['development']), (1, ['production'])]
    assert 'template' not in result['versions'][0]


@pytest.mark.parametrize('given, text', [
    (dict(label='staging'), "Prompt 'support-answer' has no version labelled 'staging'; its labels: production "
                            "(version 1), development (version 2)."),
    (dict(version=5), "Prompt 'support-answer' has no version 5; its versions: 1, 2."),
])
def test_a_version_or_label_not_there_names_what_is(http, run, given, text):
    http.expect(list_prompts(PID).reply_page(prompt_item(PID)), two_versions())

    result, code, dummy = run(with_keys(dict(prompt_id=PID), given))

    assert code == 1 and result['msg'] == text
    assert [v['version'] for v in result['versions']] == [2, 1]


@pytest.mark.parametrize('given, text', [
    (dict(version=1), 'version needs prompt_id'),
    (dict(label='production'), 'label needs prompt_id'),
    (dict(prompt_id=PID, version=0), 'version must be a version number from 1 (got 0).'),
    (dict(prompt_id=PID, version=1, label='production'), 'mutually exclusive'),
])
def test_bad_options_fail_before_any_request(http, run, given, text):
    result, code, dummy = run(with_keys(given))

    assert code == 1 and text in result['msg']
    assert http.seen == []


def test_a_composed_version_gives_its_compiled_and_its_authored_template(http, run):
    composed = {'messages': [{'include': {'prompt_id': 'intro', 'version': 1}}, {'role': 'user', 'content': '{{q}}'}]}
    compiled = [{'role': 'system', 'content': 'Be kind.'}, {'role': 'user', 'content': '{{q}}'}]
    http.expect(
        list_prompts(PID).reply_page(prompt_item(PID)),
        list_prompt_versions(PID).reply(json=prompt_versions_page(PID, 1)), nothing_after(1),
        get_prompt_version(PID, 1).reply_data(prompt_version(PID, 1, compiled, authoring=composed)),
    )

    result, code, dummy = run(with_keys(dict(prompt_id=PID)))

    assert code == 0
    assert result['version']['template'] == compiled and result['version']['authoring_template'] == composed
