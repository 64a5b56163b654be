# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""llmobs_prompt end to end inside the module: every test states the full list of HTTP calls.

The ``http`` fixture answers the calls in order and fails the test on any extra, missing or different request; a
check-mode test states only reads, so any write fails it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from ansible_collections.llmobs.datadog.plugins.modules import llmobs_prompt
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import (
    LOST_ANSWERS,
    TIMESTAMP,
    assert_no_secrets,
    warnings_of,
    with_keys,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    create_prompt,
    create_prompt_version,
    delete_prompt,
    get_prompt_version,
    label_prompt_version,
    list_prompt_versions,
    list_prompts,
    prompt_deleted,
    prompt_item,
    prompt_version,
    prompt_versions_page,
    update_prompt,
)

MODULE = llmobs_prompt
PID = 'support-answer'
UUID = 'uuid-support-answer'
CHAT_1 = [{'role': 'system', 'content': 'You are a support assistant for {{company}}.'},
          {'role': 'user', 'content': '{{question}}'}]
CHAT_2 = [{'role': 'system', 'content': 'You are a concise support assistant for {{company}}.'},
          {'role': 'user', 'content': '{{question}}'}]
CHAT_3 = [{'role': 'system', 'content': 'Answer in one sentence, {{company}}.'}, {'role': 'user', 'content': '{{question}}'}]
CONFIG = {'model': 'gpt-4o-mini', 'temperature': 0.2}


def args(**overrides):
    return with_keys(dict(prompt_id=PID), overrides)


def existing(title='Support answer', description='Answers questions.', num_versions=2):
    return prompt_item(PID, title=title, description=description, num_versions=num_versions)


def two_versions(*extra):
    """The versions list of the demo prompt: 2 (development) and 1 (production); ``extra`` newer ones first."""
    entries = extra + ((2, ['development']), (1, ['production']))
    return list_prompt_versions(PID).reply(json=prompt_versions_page(PID, *entries))


def none_after(number):
    """The read of the version after ``number``: there is none (the versions list is up to date)."""
    return get_prompt_version(PID, number + 1).reply_error(404, {'status': '404', 'title': 'Not Found'})


def version_1(labels):
    """The read of version 1, with the labels it holds."""
    return get_prompt_version(PID, 1).reply_data(prompt_version(PID, 1, CHAT_1, labels=labels))


def latest_is_2(config=None):
    return get_prompt_version(PID, 2).reply_data(prompt_version(PID, 2, CHAT_2, config=config, labels=['development']))


def state(template, config=None, labels=None, title='Support answer', description='Answers questions.'):
    return dict(state='present', title=title, description=description, template=template, config=config or {},
                labels=labels if labels is not None else {'production': 1, 'development': 2})


# ---------------------------------------------------------------- create


def test_a_missing_prompt_is_created_with_its_first_version(http, run):
    http.expect(
        list_prompts(PID).reply_page(),
        create_prompt(PID, CHAT_1, title='Support answer').reply_data(existing(num_versions=1)),
        list_prompt_versions(PID).reply(json=prompt_versions_page(PID, 1)),
        get_prompt_version(PID, 1).reply_data(prompt_version(PID, 1, CHAT_1)),
        list_prompts(PID).reply_page(existing(num_versions=1)),
    )

    result, code, raw = run(args(template=CHAT_1, title='Support answer'), diff=True)

    assert code == 0 and result['changed'] is True
    assert result['version_created'] is True and result['latest_version'] == 1
    assert result['version']['template'] == CHAT_1 and result['version']['config'] == {}
    assert result['prompt']['id'] == UUID and result['labels'] == {}
    assert result['msg'] == "Prompt 'support-answer' (id uuid-support-answer): created."
    assert result['summary'] == 'prompt support-answer: created'
    assert result['diff'] == {'before': {'state': 'absent'},
                              'after': state(CHAT_1, labels={}, description='Answers questions.')}
    assert_no_secrets(raw)


def test_a_create_with_labels_sets_them_on_the_first_version(http, run):
    http.expect(
        list_prompts(PID).reply_page(),
        create_prompt(PID, 'Hello {{name}}', config=CONFIG).reply_data(existing(num_versions=1)),
        list_prompt_versions(PID).reply(json=prompt_versions_page(PID, 1)),
        label_prompt_version(PID, 1, ['production']).reply_data(prompt_version(PID, 1, 'Hello {{name}}', CONFIG,
                                                                               labels=['production'])),
        list_prompt_versions(PID).reply(json=prompt_versions_page(PID, (1, ['production']))),
        get_prompt_version(PID, 1).reply_data(prompt_version(PID, 1, 'Hello {{name}}', CONFIG, labels=['production'])),
        list_prompts(PID).reply_page(existing(num_versions=1)),
    )

    result, code, dummy = run(args(template='Hello {{name}}', config=CONFIG, labels=['production']))

    assert code == 0 and result['labels'] == {'production': 1}
    assert result['version']['labels'] == ['production']
    assert result['summary'] == 'prompt support-answer: created; label production set on version 1'


def test_a_create_in_check_mode_sends_nothing_and_predicts(http, run):
    http.expect(list_prompts(PID).reply_page())

    result, code, dummy = run(args(template=CHAT_1, labels=['production']), check_mode=True, diff=True)

    assert code == 0 and result['changed'] is True
    assert result['prompt']['id'] is None and result['latest_version'] == 1
    assert result['labels'] == {'production': 1}
    assert result['summary'] == 'prompt support-answer: would be created; label production would be set on version 1'
    assert result['msg'].endswith('(check mode: nothing was sent).')
    assert result['diff']['after']['template'] == CHAT_1
    http.assert_no_write()


def test_a_create_needs_a_template_and_fails_before_any_write(http, run):
    http.expect(list_prompts(PID).reply_page())

    result, code, dummy = run(args(title='t'))

    assert code == 1
    assert result['msg'] == ("No prompt with prompt_id 'support-answer' was found in the prompt registry (prompt ids "
                             "are compared exactly; a deleted prompt is not listed). template or template_src is "
                             "required to create it.")


def test_a_create_refused_with_409_goes_on_with_the_prompt_that_exists(http, run):
    http.expect(
        list_prompts(PID).reply_page(),
        create_prompt(PID, CHAT_2).reply_error(409, {'status': '409', 'title': 'Conflict'}),
        list_prompts(PID).reply_page(existing()),
        two_versions(), none_after(2),
        latest_is_2(),
    )

    result, code, dummy = run(args(template=CHAT_2))

    assert code == 0 and result['changed'] is False and result['latest_version'] == 2
    assert result['summary'] == 'prompt support-answer: unchanged'
    assert 'refused because it exists' in warnings_of(result)[0]


# ---------------------------------------------------------------- an existing prompt


def test_the_same_template_and_config_change_nothing(http, run):
    http.expect(list_prompts(PID).reply_page(existing()), two_versions(), none_after(2), latest_is_2(config={'temperature': 0.2}))

    result, code, dummy = run(args(template=CHAT_2, config={'temperature': 0.2}, title='Support answer',
                                   labels=['development']), diff=True)

    assert code == 0 and result['changed'] is False and result['version_created'] is False
    assert result['msg'] == "Prompt 'support-answer' (id uuid-support-answer): nothing to change."
    assert result['labels'] == {'production': 1, 'development': 2}
    assert result['diff']['before'] == result['diff']['after']


def test_a_template_file_equal_to_the_stored_template_changes_nothing(http, run, tmp_path):
    path = tmp_path / 'support.yml'
    path.write_text('messages:\n  - role: system\n    content: "You are a concise support assistant for {{company}}."\n'
                    '  - {role: user, content: "{{question}}"}\n')
    http.expect(list_prompts(PID).reply_page(existing()), two_versions(), none_after(2), latest_is_2())

    result, code, dummy = run(args(template_src=str(path)))

    assert code == 0 and result['changed'] is False


def test_a_text_file_equals_the_text_template_without_its_last_line_break(http, run, tmp_path):
    path = tmp_path / 'answer.txt'
    path.write_text('Hello {{name}}\n')
    http.expect(
        list_prompts(PID).reply_page(existing(num_versions=1)),
        list_prompt_versions(PID).reply(json=prompt_versions_page(PID, 1)), none_after(1),
        get_prompt_version(PID, 1).reply_data(prompt_version(PID, 1, 'Hello {{name}}')),
    )

    result, code, dummy = run(args(template_src=str(path)))

    assert code == 0 and result['changed'] is False


def test_a_changed_template_makes_one_new_version(http, run):
    http.expect(
        list_prompts(PID).reply_page(existing()),
        two_versions(), none_after(2),
        latest_is_2(),
        create_prompt_version(PID, CHAT_3, description='Shorter').reply_data(prompt_version(PID, 3, CHAT_3)),
        two_versions(3),
        get_prompt_version(PID, 3).reply_data(prompt_version(PID, 3, CHAT_3, description='Shorter')),
        list_prompts(PID).reply_page(existing(num_versions=3)),
    )

    result, code, dummy = run(args(template=CHAT_3, version_description='Shorter'), diff=True)

    assert code == 0 and result['changed'] is True and result['version_created'] is True
    assert result['latest_version'] == 3 and result['version']['template'] == CHAT_3
    assert result['prompt']['num_versions'] == 3
    assert result['summary'] == 'prompt support-answer: version 3 created (template changed)'
    assert result['diff'] == {'before': state(CHAT_2), 'after': state(CHAT_3)}


def test_a_changed_config_alone_makes_a_new_version_with_the_latest_template(http, run):
    http.expect(
        list_prompts(PID).reply_page(existing()),
        two_versions(), none_after(2),
        latest_is_2(config={'model': 'gpt-4o'}),
        create_prompt_version(PID, CHAT_2, config=CONFIG).reply_data(prompt_version(PID, 3, CHAT_2, CONFIG)),
        two_versions(3),
        get_prompt_version(PID, 3).reply_data(prompt_version(PID, 3, CHAT_2, CONFIG)),
        list_prompts(PID).reply_page(existing(num_versions=3)),
    )

    result, code, dummy = run(args(config=CONFIG))

    assert code == 0 and result['changed'] is True
    assert result['summary'] == 'prompt support-answer: version 3 created (config changed)'
    assert result['version']['config'] == CONFIG


def test_a_new_template_with_the_same_config_sends_no_config(http, run):
    http.expect(
        list_prompts(PID).reply_page(existing()),
        two_versions(), none_after(2),
        latest_is_2(config=CONFIG),
        create_prompt_version(PID, CHAT_3).reply_data(prompt_version(PID, 3, CHAT_3, CONFIG)),
        two_versions(3),
        get_prompt_version(PID, 3).reply_data(prompt_version(PID, 3, CHAT_3, CONFIG)),
        list_prompts(PID).reply_page(existing(num_versions=3)),
    )

    result, code, dummy = run(args(template=CHAT_3, config={'temperature': 0.2, 'model': 'gpt-4o-mini'}))

    assert code == 0 and result['version']['config'] == CONFIG


def test_an_empty_config_is_not_sent_with_a_create(http, run):
    http.expect(
        list_prompts(PID).reply_page(),
        create_prompt(PID, 'Hello').reply_data(existing(num_versions=1)),
        get_prompt_version(PID, 1).reply_data(prompt_version(PID, 1, 'Hello')),
        list_prompts(PID).reply_page(existing(num_versions=1)),
    )

    result, code, dummy = run(args(template='Hello', config={}, wait=False))

    assert code == 0 and result['version']['config'] == {}


def test_an_empty_config_equals_a_version_without_one(http, run):
    http.expect(list_prompts(PID).reply_page(existing()), two_versions(), none_after(2), latest_is_2())

    result, code, dummy = run(args(config={}))

    assert code == 0 and result['changed'] is False


def test_a_new_version_without_wait_reads_no_list(http, run):
    http.expect(
        list_prompts(PID).reply_page(existing()),
        two_versions(), none_after(2),
        latest_is_2(),
        create_prompt_version(PID, CHAT_3).reply_data(prompt_version(PID, 3, CHAT_3)),
        get_prompt_version(PID, 3).reply_data(prompt_version(PID, 3, CHAT_3)),
        list_prompts(PID).reply_page(existing(num_versions=3)),
    )

    result, code, dummy = run(args(template=CHAT_3, wait=False))

    assert code == 0 and result['latest_version'] == 3
    assert result['labels'] == {'production': 1, 'development': 2}


@pytest.mark.parametrize('lost', sorted(LOST_ANSWERS))
def test_a_version_whose_answer_was_lost_is_looked_up_and_never_sent_twice(http, run, lost):
    http.expect(
        list_prompts(PID).reply_page(existing()),
        two_versions(), none_after(2),
        latest_is_2(),
        LOST_ANSWERS[lost](create_prompt_version(PID, CHAT_3)),
        # the lookup: version 3, read by its number (no lag), holds the template sent
        get_prompt_version(PID, 3).reply_data(prompt_version(PID, 3, CHAT_3)),
        two_versions(3),                                  # the wait
        get_prompt_version(PID, 3).reply_data(prompt_version(PID, 3, CHAT_3)),
        list_prompts(PID).reply_page(existing(num_versions=3)),
    )

    result, code, dummy = run(args(template=CHAT_3))

    assert code == 0 and result['latest_version'] == 3
    assert http.count('POST') == 1
    assert 'a lookup shows it was done' in warnings_of(result)[0]


def test_a_new_version_in_check_mode_is_predicted_and_not_sent(http, run):
    http.expect(list_prompts(PID).reply_page(existing()), two_versions(), none_after(2), latest_is_2(),
                version_1(['production']))  # the label the list shows on version 1, read before it is taken off

    result, code, dummy = run(args(template=CHAT_3, labels=['production']), check_mode=True, diff=True)

    assert code == 0 and result['changed'] is True
    assert result['latest_version'] == 3 and result['version_created'] is True
    assert result['labels'] == {'production': 3, 'development': 2}
    assert result['prompt']['num_versions'] == 3
    assert result['summary'] == ('prompt support-answer: a new version would be created (template changed); '
                                 'label production would be set on version 3')
    assert result['diff']['after'] == state(CHAT_3, labels={'production': 3, 'development': 2})
    http.assert_no_write()


def test_title_and_description_are_patched_when_they_differ(http, run):
    http.expect(
        list_prompts(PID).reply_page(existing()),
        two_versions(), none_after(2),
        latest_is_2(),
        update_prompt(PID, {'title': 'New title'}).reply_data(existing(title='New title')),
        list_prompts(PID).reply_page(existing(title='New title')),
    )

    result, code, dummy = run(args(title='New title', description='Answers questions.'))

    assert code == 0 and result['changed'] is True and result['version_created'] is False
    assert result['prompt']['title'] == 'New title'
    assert result['summary'] == 'prompt support-answer: title updated'


def test_title_and_description_patched_are_waited_for_until_the_list_shows_them(http, run):
    http.expect(
        list_prompts(PID).reply_page(existing()),
        two_versions(), none_after(2),
        latest_is_2(),
        update_prompt(PID, {'title': 'New title', 'description': 'New.'}).reply_data(
            existing(title='New title', description='New.')),
        list_prompts(PID).reply_page(existing()),                                    # lagging
        list_prompts(PID).reply_page(existing(title='New title', description='New.')),
    )

    result, code, dummy = run(args(title='New title', description='New.'))

    assert code == 0 and result['changed'] is True and warnings_of(result) == []
    assert result['prompt']['title'] == 'New title' and result['prompt']['description'] == 'New.'
    assert result['summary'] == 'prompt support-answer: description and title updated'


def test_title_patched_that_the_list_never_shows_warns_and_returns_what_was_sent(http, run):
    http.expect(
        list_prompts(PID).reply_page(existing()),
        two_versions(), none_after(2),
        latest_is_2(),
        update_prompt(PID, {'title': 'New title'}).reply(status=200, body=''),    # an empty answer
        list_prompts(PID).reply_page(existing()),         # the wait: 3 reads in 1 second, none shows it
        list_prompts(PID).reply_page(existing()),
        list_prompts(PID).reply_page(existing()),
    )

    result, code, dummy = run(args(title='New title', wait_timeout=1))

    assert code == 0 and result['changed'] is True
    assert result['prompt']['title'] == 'New title' and result['prompt']['description'] == 'Answers questions.'
    assert warnings_of(result) == [
        "Prompt 'support-answer' was updated (title), but the prompts list still showed the values from before "
        "after 1 second (reads lag behind writes); a run started right away may update it again. Raise "
        "wait_timeout to wait longer."]


def test_title_patched_without_wait_reads_the_list_once(http, run):
    http.expect(
        list_prompts(PID).reply_page(existing()),
        two_versions(), none_after(2),
        latest_is_2(),
        update_prompt(PID, {'title': 'New title'}).reply_data(existing(title='New title')),
        list_prompts(PID).reply_page(existing()),         # lagging: what was sent stands
    )

    result, code, dummy = run(args(title='New title', wait=False))

    assert code == 0 and result['prompt']['title'] == 'New title' and warnings_of(result) == []


# ---------------------------------------------------------------- labels


def test_a_label_set_is_waited_for_until_the_versions_list_shows_it_there_alone(http, run):
    stale = prompt_versions_page(PID, (2, ['development']), (1, ['production']))
    http.expect(
        list_prompts(PID).reply_page(existing()),
        two_versions(), none_after(2),
        latest_is_2(),
        label_prompt_version(PID, 2, ['development', 'production']).reply_data(
            prompt_version(PID, 2, CHAT_2, labels=['development', 'production'])),
        list_prompt_versions(PID).reply(json=stale),      # lagging: does version 1 still hold it?
        version_1([]),                                    # no: the server moved it
        list_prompt_versions(PID).reply(json=stale),      # the wait
        list_prompt_versions(PID).reply(json=prompt_versions_page(PID, (2, ['development', 'production']), 1)),
        list_prompts(PID).reply_page(existing()),
    )

    result, code, dummy = run(args(labels=['production']))

    assert code == 0 and result['changed'] is True and warnings_of(result) == []
    assert result['labels'] == {'production': 2, 'development': 2}
    assert http.count('PATCH') == 1


def test_a_label_set_without_wait_is_not_waited_for(http, run):
    stale = prompt_versions_page(PID, (2, ['development']), (1, ['production']))
    http.expect(
        list_prompts(PID).reply_page(existing()),
        two_versions(), none_after(2),
        latest_is_2(),
        label_prompt_version(PID, 2, ['development', 'production']).reply_data(
            prompt_version(PID, 2, CHAT_2, labels=['development', 'production'])),
        list_prompt_versions(PID).reply(json=stale),
        version_1([]),
        list_prompts(PID).reply_page(existing()),
    )

    result, code, dummy = run(args(labels=['production'], wait=False))

    assert code == 0 and result['labels'] == {'production': 2, 'development': 2} and warnings_of(result) == []


def test_a_label_the_server_moves_takes_one_patch(http, run):
    http.expect(
        list_prompts(PID).reply_page(existing()),
        two_versions(), none_after(2),
        latest_is_2(),
        label_prompt_version(PID, 2, ['development', 'production']).reply_data(
            prompt_version(PID, 2, CHAT_2, labels=['development', 'production'])),
        list_prompt_versions(PID).reply(json=prompt_versions_page(PID, (2, ['development', 'production']), 1)),
        list_prompts(PID).reply_page(existing()),
    )

    result, code, dummy = run(args(labels=['production']))

    assert code == 0 and result['changed'] is True
    assert result['labels'] == {'production': 2, 'development': 2}
    assert result['version']['labels'] == ['development', 'production']
    assert result['summary'] == 'prompt support-answer: label production set on version 2'


def test_a_label_the_server_keeps_on_both_versions_is_taken_off_the_old_one(http, run):
    http.expect(
        list_prompts(PID).reply_page(existing()),
        two_versions(), none_after(2),
        latest_is_2(),
        label_prompt_version(PID, 2, ['development', 'production']).reply_data(
            prompt_version(PID, 2, CHAT_2, labels=['development', 'production'])),
        list_prompt_versions(PID).reply(json=prompt_versions_page(PID, (2, ['development', 'production']),
                                                                  (1, ['production']))),
        version_1(['production']),
        label_prompt_version(PID, 1, []).reply_data(prompt_version(PID, 1, CHAT_1)),
        list_prompt_versions(PID).reply(json=prompt_versions_page(PID, (2, ['development', 'production']), 1)),
        list_prompts(PID).reply_page(existing()),
    )

    result, code, dummy = run(args(labels=['production']))

    assert code == 0 and result['labels'] == {'production': 2, 'development': 2}
    assert warnings_of(result) == []


def test_labels_go_on_the_version_label_version_names(http, run):
    http.expect(
        list_prompts(PID).reply_page(existing()),
        two_versions(), none_after(2),
        latest_is_2(),
        version_1(['production']),
        label_prompt_version(PID, 1, ['production', 'development']).reply_data(
            prompt_version(PID, 1, CHAT_1, labels=['production', 'development'])),
        list_prompt_versions(PID).reply(json=prompt_versions_page(PID, 2, (1, ['production', 'development']))),
        list_prompts(PID).reply_page(existing()),
    )

    result, code, dummy = run(args(labels=['production', 'development'], label_version='1'))

    assert code == 0 and result['labels'] == {'production': 1, 'development': 1}
    assert result['summary'] == 'prompt support-answer: label development set on version 1'


def test_a_label_version_that_does_not_exist_fails_before_any_write(http, run):
    http.expect(list_prompts(PID).reply_page(existing()), two_versions(), none_after(2), latest_is_2())

    result, code, dummy = run(args(template=CHAT_3, title='changed', labels=['production'], label_version='7'))

    assert code == 1 and not result.get('changed')
    assert result['msg'] == ("label_version: Prompt 'support-answer' has no version 7; its versions: 1, 2, and 3 "
                             "that this task creates.")
    http.assert_no_write()


def test_a_label_version_names_the_version_this_run_creates(http, run):
    http.expect(
        list_prompts(PID).reply_page(existing()),
        two_versions(), none_after(2),
        latest_is_2(),
        create_prompt_version(PID, CHAT_3).reply_data(prompt_version(PID, 3, CHAT_3)),
        two_versions(3),
        label_prompt_version(PID, 3, ['production']).reply_data(prompt_version(PID, 3, CHAT_3, labels=['production'])),
        list_prompt_versions(PID).reply(json=prompt_versions_page(PID, (3, ['production']), (2, ['development']), 1)),
        get_prompt_version(PID, 3).reply_data(prompt_version(PID, 3, CHAT_3, labels=['production'])),
        list_prompts(PID).reply_page(existing(num_versions=3)),
    )

    result, code, dummy = run(args(template=CHAT_3, labels=['production'], label_version='3'))

    assert code == 0 and result['labels'] == {'production': 3, 'development': 2}


def test_label_version_1_labels_the_first_version_of_a_prompt_to_create(http, run):
    http.expect(
        list_prompts(PID).reply_page(),
        create_prompt(PID, CHAT_1).reply_data(existing(num_versions=1)),
        list_prompt_versions(PID).reply(json=prompt_versions_page(PID, 1)),
        label_prompt_version(PID, 1, ['production']).reply_data(prompt_version(PID, 1, CHAT_1, labels=['production'])),
        list_prompt_versions(PID).reply(json=prompt_versions_page(PID, (1, ['production']))),
        get_prompt_version(PID, 1).reply_data(prompt_version(PID, 1, CHAT_1, labels=['production'])),
        list_prompts(PID).reply_page(existing(num_versions=1)),
    )

    result, code, dummy = run(args(template=CHAT_1, labels=['production'], label_version='1'))

    assert code == 0 and result['labels'] == {'production': 1}
    assert result['summary'] == 'prompt support-answer: created; label production set on version 1'


def test_label_version_1_of_a_prompt_to_create_in_check_mode(http, run):
    http.expect(list_prompts(PID).reply_page())

    result, code, dummy = run(args(template=CHAT_1, labels=['production'], label_version='1'), check_mode=True)

    assert code == 0 and result['labels'] == {'production': 1}
    http.assert_no_write()


def test_a_label_version_past_the_first_of_a_prompt_to_create_fails_before_the_create(http, run):
    http.expect(list_prompts(PID).reply_page())

    result, code, dummy = run(args(template=CHAT_1, labels=['production'], label_version='2'))

    assert code == 1
    assert result['msg'] == ("label_version: Prompt 'support-answer' has no version 2; it does not exist yet, and this "
                             "task creates its version 1.")
    http.assert_no_write()


def test_labels_go_on_the_new_version_by_its_number_when_the_list_lags_past_wait_timeout(http, run):
    stale = prompt_versions_page(PID, (2, ['development']), (1, ['production']))
    http.expect(
        list_prompts(PID).reply_page(existing()),
        two_versions(), none_after(2),
        latest_is_2(),
        create_prompt_version(PID, CHAT_3).reply_data(prompt_version(PID, 3, CHAT_3)),
        list_prompt_versions(PID).reply(json=stale),      # the wait: 3 reads in 1 second, none shows version 3
        list_prompt_versions(PID).reply(json=stale),
        list_prompt_versions(PID).reply(json=stale),
        label_prompt_version(PID, 3, ['production']).reply_data(prompt_version(PID, 3, CHAT_3, labels=['production'])),
        list_prompt_versions(PID).reply(json=stale),      # still as it was
        version_1(['production']),                        # so version 1 is read: it does hold it
        label_prompt_version(PID, 1, []).reply_data(prompt_version(PID, 1, CHAT_1)),
        label_prompt_version(PID, 3, ['production', 'development']).reply_data(
            prompt_version(PID, 3, CHAT_3, labels=['production', 'development'])),
        list_prompt_versions(PID).reply(json=stale),
        latest_is_2(),
        label_prompt_version(PID, 2, []).reply_data(prompt_version(PID, 2, CHAT_2)),
        list_prompt_versions(PID).reply(json=stale),      # the wait for the labels: 3 reads, none shows them
        list_prompt_versions(PID).reply(json=stale),
        list_prompt_versions(PID).reply(json=stale),
        get_prompt_version(PID, 3).reply_data(prompt_version(PID, 3, CHAT_3, labels=['production', 'development'])),
        list_prompts(PID).reply_page(existing(num_versions=2)),
    )

    result, code, dummy = run(args(template=CHAT_3, labels=['production', 'development'], wait_timeout=1))

    assert code == 0 and result['latest_version'] == 3
    assert result['labels'] == {'production': 3, 'development': 3}
    assert result['version']['template'] == CHAT_3 and result['version']['labels'] == ['production', 'development']
    assert 'did not show it after 1 second (' in warnings_of(result)[0]
    assert warnings_of(result)[1] == (
        "The labels production, development of prompt 'support-answer' were set, but the versions list did not show "
        "them on version 3 alone after 1 second (reads lag behind writes); a run started right away may set them "
        "again. Raise wait_timeout to wait longer.")


def test_a_label_on_the_target_and_on_another_version_is_taken_off_the_other(http, run):
    http.expect(
        list_prompts(PID).reply_page(existing()),
        list_prompt_versions(PID).reply(json=prompt_versions_page(PID, (2, ['development', 'production']),
                                                                  (1, ['production']))), none_after(2),
        get_prompt_version(PID, 2).reply_data(prompt_version(PID, 2, CHAT_2, labels=['development', 'production'])),
        version_1(['production']),
        label_prompt_version(PID, 1, []).reply_data(prompt_version(PID, 1, CHAT_1)),
        list_prompt_versions(PID).reply(json=prompt_versions_page(PID, (2, ['development', 'production']), 1)),
        list_prompts(PID).reply_page(existing()),
    )

    result, code, dummy = run(args(labels=['production']))

    assert code == 0 and result['changed'] is True
    assert result['labels'] == {'production': 2, 'development': 2}
    assert result['summary'] == 'prompt support-answer: label production removed from version 1'


def test_a_label_on_two_versions_in_check_mode_predicts_its_removal(http, run):
    http.expect(
        list_prompts(PID).reply_page(existing()),
        list_prompt_versions(PID).reply(json=prompt_versions_page(PID, (2, ['production']), (1, ['production']))),
        none_after(2),
        get_prompt_version(PID, 2).reply_data(prompt_version(PID, 2, CHAT_2, labels=['production'])),
        version_1(['production']),
    )

    result, code, dummy = run(args(labels=['production']), check_mode=True)

    assert code == 0 and result['changed'] is True and result['labels'] == {'production': 2}
    assert result['summary'] == 'prompt support-answer: label production would be removed from version 1'
    http.assert_no_write()


def test_a_failure_after_a_write_says_what_was_done_and_reports_a_change(http, run):
    http.expect(
        list_prompts(PID).reply_page(existing()),
        two_versions(), none_after(2),
        latest_is_2(),
        create_prompt_version(PID, CHAT_3).reply_data(prompt_version(PID, 3, CHAT_3)),
        two_versions(3),
        label_prompt_version(PID, 3, ['production']).reply_error(403, {'status': '403', 'title': 'Forbidden'}),
    )

    result, code, dummy = run(args(template=CHAT_3, labels=['production']))

    assert code == 1 and result['changed'] is True
    assert "Before this failure, prompt 'support-answer': version 3 created (template changed)." in result['msg']


def test_a_label_the_api_does_not_know_fails_naming_labels_before_any_request(http, run):
    result, code, dummy = run(args(labels=['staging']))

    assert code == 1 and 'labels' in result['msg'] and 'production, development' in result['msg']
    assert http.seen == []


COMPOSED = {'messages': [{'include': {'prompt_id': 'intro', 'version': 1}}, {'role': 'user', 'content': '{{q}}'}]}
COMPILED = [{'role': 'system', 'content': 'Be kind.'}, {'role': 'user', 'content': '{{q}}'}]


def test_a_composed_version_compares_with_its_authored_template_and_returns_both(http, run):
    http.expect(
        list_prompts(PID).reply_page(existing()),
        two_versions(), none_after(2),
        get_prompt_version(PID, 2).reply_data(prompt_version(PID, 2, COMPILED, authoring=COMPOSED)),
    )

    result, code, dummy = run(args(template=COMPOSED), diff=True)

    assert code == 0 and result['changed'] is False
    assert result['version']['template'] == COMPILED and result['version']['authoring_template'] == COMPOSED
    assert result['diff']['before']['template'] == COMPOSED


def test_a_config_change_of_a_composed_version_sends_its_authored_template(http, run):
    http.expect(
        list_prompts(PID).reply_page(existing()),
        two_versions(), none_after(2),
        get_prompt_version(PID, 2).reply_data(prompt_version(PID, 2, COMPILED, authoring=COMPOSED)),
        create_prompt_version(PID, COMPOSED, config=CONFIG).reply_data(
            prompt_version(PID, 3, COMPILED, CONFIG, authoring=COMPOSED)),
        get_prompt_version(PID, 3).reply_data(prompt_version(PID, 3, COMPILED, CONFIG, authoring=COMPOSED)),
        list_prompts(PID).reply_page(existing(num_versions=3)),
    )

    result, code, dummy = run(args(config=CONFIG, wait=False))

    assert code == 0 and result['latest_version'] == 3


# ---------------------------------------------------------------- absent


def test_absent_deletes_the_prompt_and_waits_until_it_is_unlisted(http, run):
    http.expect(
        list_prompts(PID).reply_page(existing()),
        two_versions(), none_after(2),
        latest_is_2(config=CONFIG),
        delete_prompt(PID).reply(200, json=prompt_deleted(PID)),
        list_prompts(PID).reply_page(),
    )

    result, code, dummy = run(args(state='absent'), diff=True)

    assert code == 0 and result['changed'] is True
    assert result['prompt']['id'] == UUID
    assert result['summary'] == 'prompt support-answer: deleted'
    assert result['diff']['after'] == {'state': 'absent'}
    assert result['diff']['before'] == dict(state='present', prompt_id=PID, title='Support answer',
                                            description='Answers questions.', template=CHAT_2, config=CONFIG,
                                            labels={'production': 1, 'development': 2})


def test_absent_without_diff_reads_no_version(http, run):
    http.expect(
        list_prompts(PID).reply_page(existing()),
        delete_prompt(PID).reply(200, json=prompt_deleted(PID)),
        list_prompts(PID).reply_page(),
    )

    result, code, dummy = run(args(state='absent'))

    assert code == 0 and result['changed'] is True


def test_absent_when_missing_changes_nothing(http, run):
    http.expect(list_prompts(PID).reply_page(prompt_item(PID + '-2')))

    result, code, dummy = run(args(state='absent'))

    assert code == 0 and result['changed'] is False and result['prompt'] is None
    assert result['summary'] == 'prompt support-answer: already absent'


def test_absent_in_check_mode_sends_nothing(http, run):
    http.expect(list_prompts(PID).reply_page(existing()))

    result, code, dummy = run(args(state='absent'), check_mode=True)

    assert code == 0 and result['changed'] is True
    assert result['summary'] == 'prompt support-answer: would be deleted'
    http.assert_no_write()


# ---------------------------------------------------------------- checks before any request


@pytest.mark.parametrize('overrides, text', [
    (dict(label_version='newest'), "label_version must be 'latest' or a version number from 1 (got 'newest')."),
    (dict(label_version='0'), "label_version must be 'latest' or a version number from 1 (got '0')."),
    (dict(template='   '), 'template: a text template must hold a character other than spaces.'),
    (dict(template=[]), 'template: a chat template needs at least one message.'),
    (dict(template=[{'role': 'user', 'content': 'hi'}, {'role': 'user'}]),
     'template message 2 needs a content, as text (got null).'),
    (dict(template=[{'role': 'user', 'conent': 'hi'}]), 'template message 1 has the key conent; a message has only '
                                                        'content and role.'),
    (dict(template=[{'type': 'placeholder', 'name': 'chat history'}]),
     "template message 1 is a placeholder: its name must be letters, digits and _ only (got 'chat history')."),
    (dict(template={'messages': [{'include': {'prompt_id': 'intro', 'version': 0}}]}),
     'template message 1: include needs a version, a number from 1 (got 0).'),
    (dict(template={'msgs': []}), 'template: a template given as a mapping is an authored chat template, '
                                  '{messages: [...]}; it has msgs.'),
    (dict(template=12), 'template must be text, a list of chat messages or {messages: [...]}, not a number.'),
    (dict(prompt_id=' x'), 'prompt_id must not start or end with spaces'),
    (dict(labels=['']), 'labels must be one or more of: production, development'),
    (dict(wait_timeout=0), 'wait_timeout'),
])
def test_bad_options_fail_before_any_request(http, run, overrides, text):
    result, code, dummy = run(args(**overrides))

    assert code == 1 and text in result['msg']
    assert http.seen == []


def test_a_template_file_names_the_file_and_the_message(http, run, tmp_path):
    path = tmp_path / 'bad.json'
    path.write_text(json.dumps([{'role': 'system', 'content': 'ok'}, {'role': 'user', 'content': 3}]))

    result, code, dummy = run(args(template_src=str(path)))

    assert code == 1
    assert result['msg'] == "template_src %r message 2 needs a content, as text (got a number)." % str(path)
    assert http.seen == []


def test_a_template_file_that_is_not_yaml_names_the_file(http, run, tmp_path):
    path = tmp_path / 'bad.yaml'
    path.write_text('- role: [unclosed\n')

    result, code, dummy = run(args(template_src=str(path)))

    assert code == 1 and result['msg'].startswith("template_src %r: not valid YAML" % str(path))


def test_a_template_file_that_is_a_fifo_or_uses_yaml_aliases_is_refused_before_any_request(http, run, tmp_path):
    fifo = tmp_path / 'template.txt'
    os.mkfifo(str(fifo))   # reading it would block for ever
    aliased = tmp_path / 'template.yml'
    aliased.write_text('- &m {role: user, content: hi}\n- *m\n')

    refused = [run(args(template_src=str(path)))[0]['msg'] for path in (fifo, aliased)]

    assert refused == ["template_src %r is a FIFO (named pipe), not a regular file." % str(fifo),
                       "template_src %r:2: YAML aliases are not supported in a template file." % str(aliased)]
    assert http.seen == []


def test_template_and_template_src_are_exclusive(http, run):
    result, code, dummy = run(args(template='a', template_src='b.txt'))

    assert code == 1 and 'mutually exclusive' in result['msg']


def test_facts_keep_created_at(http, run):
    http.expect(list_prompts(PID).reply_page(existing()), two_versions(), none_after(2), latest_is_2())

    result, code, dummy = run(args())

    assert result['prompt']['created_at'] == TIMESTAMP and result['version']['version'] == 2


# ---------------------------------------------------------------- a versions list that lags behind writes


def test_a_version_the_list_does_not_show_yet_is_read_by_its_number_and_not_made_again(http, run):
    # A run right after the one that made version 3 and moved production onto it: the list still shows it as before.
    http.expect(
        list_prompts(PID).reply_page(existing(num_versions=3)),
        two_versions(),
        get_prompt_version(PID, 3).reply_data(prompt_version(PID, 3, CHAT_3, labels=['production'])),
        none_after(3),
        version_1([]),                                    # the list's production on version 1 is gone: read, no write
    )

    result, code, dummy = run(args(template=CHAT_3, labels=['production']), diff=True)

    assert code == 0 and result['changed'] is False and result['version_created'] is False
    assert result['latest_version'] == 3 and result['version']['template'] == CHAT_3
    assert result['labels'] == {'production': 3, 'development': 2}
    assert result['diff']['before'] == result['diff']['after']
    assert result['summary'] == 'prompt support-answer: unchanged'


def test_a_label_on_a_version_the_list_does_not_show_yet_is_found_there(http, run):
    http.expect(
        list_prompts(PID).reply_page(existing(num_versions=4)),
        two_versions(),
        get_prompt_version(PID, 3).reply_data(prompt_version(PID, 3, CHAT_3, labels=['production'])),
        get_prompt_version(PID, 4).reply_data(prompt_version(PID, 4, CHAT_1)),
        none_after(4),
        version_1([]),
    )

    result, code, dummy = run(args(labels=['production'], label_version='3'), check_mode=True)

    assert code == 0 and result['changed'] is False and result['latest_version'] == 4
    assert result['labels'] == {'production': 3, 'development': 2}
    http.assert_no_write()


def test_a_new_version_after_one_the_list_does_not_show_yet_follows_it(http, run):
    http.expect(
        list_prompts(PID).reply_page(existing(num_versions=3)),
        two_versions(),
        get_prompt_version(PID, 3).reply_data(prompt_version(PID, 3, CHAT_3)),
        none_after(3),
        create_prompt_version(PID, CHAT_1).reply_data(prompt_version(PID, 4, CHAT_1)),
        get_prompt_version(PID, 4).reply_data(prompt_version(PID, 4, CHAT_1)),
        list_prompts(PID).reply_page(existing(num_versions=4)),
    )

    result, code, dummy = run(args(template=CHAT_1, wait=False))

    assert code == 0 and result['changed'] is True and result['latest_version'] == 4
    assert result['summary'] == 'prompt support-answer: version 4 created (template changed)'
