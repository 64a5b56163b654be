# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The prompts resource: paths, lenient facts, exact prompt_id lookups, versions and what ``resolve`` picks."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import APIError, LLMObsError
from ansible_collections.llmobs.datadog.plugins.module_utils._prompts import (
    PROMPTS_PATH,
    READ_AHEAD,
    authored_template,
    labels_of,
    prompt_facts,
    version_facts,
    version_number,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import LOST_ANSWERS, TIMESTAMP, make_api, page
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    create_prompt,
    create_prompt_version,
    delete_prompt,
    get_prompt,
    get_prompt_version,
    label_prompt_version,
    list_prompt_versions,
    list_prompts,
    prompt_item,
    prompt_sdk,
    prompt_version,
    prompt_deleted,
    prompt_versions_page,
    update_prompt,
)

CHAT_1 = [{'role': 'system', 'content': 'You are a support assistant for {{company}}.'},
          {'role': 'user', 'content': '{{question}}'}]
CHAT_2 = [{'role': 'system', 'content': 'Be concise, {{company}}.'}, {'role': 'user', 'content': '{{question}}'}]


def prompts(retries=3, warnings=None):
    return make_api(retries, warnings).prompts


def test_path():
    assert PROMPTS_PATH == '/api/v2/llm-obs/v1/prompts'


def test_version_numbers_from_ints_and_texts():
    assert version_number(2) == 2
    assert version_number('2') == 2
    assert version_number(' 12 ') == 12
    assert version_number(True) is None
    assert version_number('latest') is None
    assert version_number(None) is None


def test_prompt_facts_read_leniently():
    facts = prompt_facts(prompt_item('support-answer', title='Support answer', num_versions=2))
    assert facts == dict(id='uuid-support-answer', prompt_id='support-answer', title='Support answer', description=None,
                         num_versions=2, created_at=TIMESTAMP, last_version_created_at=TIMESTAMP, source='registry',
                         in_registry=True, created_from='sdk-registry')
    assert prompt_facts({'id': 'x'})['prompt_id'] is None


def test_version_facts_keep_the_compiled_and_the_authored_template_and_default_an_empty_config():
    authored = {'messages': [{'include': {'prompt_id': 'intro', 'version': 2}}, {'role': 'user', 'content': 'Hi'}]}
    compiled = [{'role': 'user', 'content': 'compiled'}]
    item = prompt_version('p', '3', compiled, authoring=authored, labels=['production'])
    item['attributes']['user_version'] = 'v3.0'
    facts = version_facts(item)
    assert facts['template'] == compiled
    assert facts['authoring_template'] == authored and authored_template(facts) == authored
    assert facts['user_version'] == 'v3.0'
    assert facts['config'] == {}
    assert facts['version'] == 3
    assert facts['labels'] == ['production']
    plain = version_facts(prompt_version('p', 1, 'Hello', config={'model': 'm'}))
    assert plain['config'] == {'model': 'm'} and plain['authoring_template'] is None and plain['user_version'] is None
    assert authored_template(plain) == 'Hello'


def test_list_sends_no_page_size_and_follows_a_cursor(http):
    http.expect(
        list_prompts().reply_page(prompt_item('a'), after='c1'),
        list_prompts(cursor='c1').reply_page(prompt_item('b')),
    )
    assert [item['id'] for item in prompts().list()] == ['uuid-a', 'uuid-b']


def test_find_compares_the_prompt_id_exactly(http):
    http.expect(list_prompts('support').reply_page(prompt_item('support-answer'), prompt_item('support')))
    assert prompts().find('support')['id'] == 'uuid-support'


def test_find_gives_none_when_nothing_matches_exactly(http):
    http.expect(list_prompts('support').reply_page(prompt_item('support-answer')))
    assert prompts().find('support') is None


def test_find_fails_on_two_prompts_with_one_prompt_id(http):
    http.expect(list_prompts('p').reply_page(prompt_item('p', uuid='u1'), prompt_item('p', uuid='u2')))
    with pytest.raises(LLMObsError, match='u1, u2'):
        prompts().find('p')


def test_versions_are_newest_first_whatever_the_order_served(http):
    http.expect(list_prompt_versions('p').reply(json=prompt_versions_page('p', 1, (3, ['production']), 2)))
    versions = prompts().versions('p')
    assert [v['version'] for v in versions] == [3, 2, 1]
    assert versions[0]['labels'] == ['production']
    assert 'template' not in versions[0]


def test_versions_of_a_missing_prompt_are_empty(http):
    http.expect(list_prompt_versions('gone').reply_page())
    assert prompts().versions('gone') == []


def test_version_reads_one_and_gives_none_on_404(http):
    http.expect(
        get_prompt_version('p', 2).reply_data(prompt_version('p', 2, CHAT_2, config={'temperature': 0.2})),
        get_prompt_version('p', 9).reply_error(404, {'status': '404', 'title': 'Not Found'}),
    )
    facts = prompts().version('p', 2)
    assert facts['template'] == CHAT_2 and facts['config'] == {'temperature': 0.2} and facts['version'] == 2
    assert prompts().version('p', 9) is None


def test_version_errors_other_than_404_are_raised(http):
    http.expect(get_prompt_version('p', 2).reply_error(403, {'status': '403', 'title': 'Forbidden'}))
    with pytest.raises(APIError):
        prompts().version('p', 2)


def test_labels_of_maps_each_label_to_the_newest_version_holding_it():
    versions = [dict(version=1, labels=['production', 'development']), dict(version=2, labels=['development'])]
    assert labels_of(versions) == {'production': 1, 'development': 2}


def _nothing_after(prompt_id, number):
    return get_prompt_version(prompt_id, number + 1).reply_error(404, {'status': '404', 'title': 'Not Found'})


def _two_versions(http, prompt_id='p'):
    http.expect(list_prompt_versions(prompt_id).reply(
        json=prompt_versions_page(prompt_id, (2, ['development']), (1, ['production']))), _nothing_after(prompt_id, 2))


def test_versions_up_to_date_reads_past_the_newest_listed_until_one_is_missing(http):
    http.expect(list_prompt_versions('p').reply(json=prompt_versions_page('p', (1, ['production']))),
                get_prompt_version('p', 2).reply_data(prompt_version('p', 2, CHAT_2, labels=['development'])),
                get_prompt_version('p', 3).reply_data(prompt_version('p', 3, 'Hello')),
                _nothing_after('p', 3))
    versions = prompts().versions_up_to_date('p')
    assert [(v['version'], v['labels']) for v in versions] == [(3, []), (2, ['development']), (1, ['production'])]
    assert versions[0]['template'] == 'Hello' and 'template' not in versions[2]


def test_versions_up_to_date_is_bounded(http):
    http.expect(list_prompt_versions('p').reply(json=prompt_versions_page('p', 1)))
    http.expect(*[get_prompt_version('p', n).reply_data(prompt_version('p', n, 'Hello')) for n in
                  range(2, 2 + READ_AHEAD)])
    versions = prompts().versions_up_to_date('p')
    assert [v['version'] for v in versions] == list(range(1 + READ_AHEAD, 0, -1))


def test_versions_up_to_date_of_a_missing_prompt_are_empty(http):
    http.expect(list_prompt_versions('gone').reply_page(), _nothing_after('gone', 0))
    assert prompts().versions_up_to_date('gone') == []


def test_resolve_gives_the_latest_that_the_list_does_not_show_yet_without_reading_it_twice(http):
    http.expect(list_prompt_versions('p').reply(json=prompt_versions_page('p', (1, ['production']))),
                get_prompt_version('p', 2).reply_data(prompt_version('p', 2, CHAT_2, labels=['development'])),
                _nothing_after('p', 2))
    facts = prompts().resolve('p')
    assert facts['version'] == 2 and facts['template'] == CHAT_2 and facts['labels'] == ['development']


def test_resolve_defaults_to_the_latest(http):
    _two_versions(http)
    http.expect(get_prompt_version('p', 2).reply_data(prompt_version('p', 2, CHAT_2, labels=['development'])))
    facts = prompts().resolve('p')
    assert facts['version'] == 2 and facts['template'] == CHAT_2


def test_resolve_by_label(http):
    _two_versions(http)
    http.expect(get_prompt_version('p', 1).reply_data(prompt_version('p', 1, CHAT_1)))
    facts = prompts().resolve('p', label='production')
    assert facts['version'] == 1 and facts['template'] == CHAT_1
    assert facts['labels'] == ['production']  # from the list, when the version's own answer has none


def test_resolve_by_version_given_as_text(http):
    _two_versions(http)
    http.expect(get_prompt_version('p', 1).reply_data(prompt_version('p', 1, 'Hello {{name}}')))
    assert prompts().resolve('p', version='1')['template'] == 'Hello {{name}}'


def test_resolve_names_the_labels_there_are(http):
    _two_versions(http)
    with pytest.raises(LLMObsError) as raised:
        prompts().resolve('p', label='staging')
    assert raised.value.message == ("Prompt 'p' has no version labelled 'staging'; its labels: production (version 1), "
                                    "development (version 2).")


def test_resolve_names_the_versions_there_are(http):
    _two_versions(http)
    with pytest.raises(LLMObsError) as raised:
        prompts().resolve('p', version=7)
    assert raised.value.message == "Prompt 'p' has no version 7; its versions: 1, 2."
    assert [v['version'] for v in raised.value.result_extras['versions']] == [2, 1]


def test_resolve_of_a_missing_prompt(http):
    http.expect(list_prompt_versions('nope').reply(json=page()), _nothing_after('nope', 0))
    with pytest.raises(LLMObsError, match="No prompt with prompt_id 'nope' was found"):
        prompts().resolve('nope')


@pytest.mark.parametrize('kwargs, text', [
    (dict(label='production', version=1), 'not both'),
    (dict(version=0), 'version must be a version number'),
    (dict(version='two'), 'version must be a version number'),
])
def test_resolve_checks_its_arguments_before_any_request(http, kwargs, text):
    with pytest.raises(LLMObsError, match=text):
        prompts().resolve('p', **kwargs)
    assert http.seen == []


# ---------------------------------------------------------------- writes


def test_a_create_whose_answer_was_lost_is_looked_up_and_not_sent_again(http):
    warnings = []
    http.expect(
        LOST_ANSWERS['http-500'](create_prompt('p', 'Hi')),
        list_prompts('p').reply_page(prompt_item('p')),
    )
    assert make_api(warnings=warnings).prompts.create('p', 'Hi', 5)['id'] == 'uuid-p'
    assert 'a lookup shows it was done' in warnings[0]


def test_a_create_refused_with_409_is_none(http):
    http.expect(create_prompt('p', 'Hi', title='T').reply_error(409, {'status': '409', 'title': 'Conflict'}))
    assert prompts().create('p', 'Hi', 5, title='T') is None


def test_a_create_whose_answer_was_lost_is_found_by_reading_the_prompt_when_the_list_lags(http):
    warnings = []
    http.expect(
        LOST_ANSWERS['dropped-connection'](create_prompt('p', 'Hi')),
        list_prompts('p').reply_page(),                    # the list lags behind the create
        get_prompt('p').reply_data(prompt_sdk('p', 1, 'Hi')),
    )
    made = make_api(warnings=warnings).prompts.create('p', 'Hi', 5)
    assert made['id'] == 'uuid-p' and made['attributes']['prompt_id'] == 'p'
    assert http.count('POST') == 1
    assert 'a lookup shows it was done' in warnings[0]


def test_a_create_sent_again_after_a_lost_answer_and_refused_with_409_landed(http):
    warnings = []
    http.expect(
        LOST_ANSWERS['dropped-connection'](create_prompt('p', 'Hi')),
        list_prompts('p').reply_page(),                    # the lookup does not show it yet
        get_prompt('p').reply_error(404, {'status': '404', 'title': 'Not Found'}),
        create_prompt('p', 'Hi').reply_error(409, {'status': '409', 'title': 'Conflict'}),
        list_prompts('p').reply_page(prompt_item('p')),
    )
    assert make_api(retries=1, warnings=warnings).prompts.create('p', 'Hi', 0)['id'] == 'uuid-p'
    assert 'shows the first attempt was carried out' in warnings[-1]


def test_a_409_after_a_lost_answer_landed_even_when_no_read_shows_the_prompt_yet(http):
    http.expect(
        LOST_ANSWERS['http-500'](create_prompt('p', 'Hi')),
        list_prompts('p').reply_page(),
        get_prompt('p').reply_error(404, {'status': '404', 'title': 'Not Found'}),
        create_prompt('p', 'Hi').reply_error(409, {'status': '409', 'title': 'Conflict'}),
        list_prompts('p').reply_page(),                    # still lagging
        get_prompt('p').reply_error(404, {'status': '404', 'title': 'Not Found'}),
    )
    made = prompts(retries=1).create('p', 'Hi', 0)
    assert made == {'id': None, 'type': 'prompt-templates', 'attributes': {'prompt_id': 'p'}}
    assert http.count('POST') == 2


def test_a_version_whose_answer_was_lost_is_found_by_its_number_when_the_list_lags(http):
    warnings = []
    http.expect(
        LOST_ANSWERS['dropped-connection'](create_prompt_version('p', CHAT_2)),
        get_prompt_version('p', 3).reply_data(prompt_version('p', 3, CHAT_2)),
    )
    facts = make_api(warnings=warnings).prompts.create_version('p', CHAT_2, 2, 5)
    assert facts['version'] == 3 and facts['template'] == CHAT_2
    assert http.count('POST') == 1 and 'a lookup shows it was done' in warnings[0]


def test_a_version_after_the_one_before_with_another_template_is_not_taken_for_the_lost_one(http):
    http.expect(
        LOST_ANSWERS['http-500'](create_prompt_version('p', CHAT_2)),
        get_prompt_version('p', 3).reply_data(prompt_version('p', 3, CHAT_1)),  # made by someone else
        get_prompt_version('p', 4).reply_error(404, {'status': '404', 'title': 'Not Found'}),
        list_prompt_versions('p').reply(json=prompt_versions_page('p', 3, 2, 1)),
        create_prompt_version('p', CHAT_2).reply_data(prompt_version('p', 4, CHAT_2)),
    )
    facts = prompts().create_version('p', CHAT_2, 2, 0)
    assert facts['version'] == 4
    assert http.count('POST') == 2


def test_a_lost_version_past_one_made_by_someone_else_is_found_by_its_number(http):
    http.expect(
        LOST_ANSWERS['http-500'](create_prompt_version('p', CHAT_2)),
        get_prompt_version('p', 3).reply_data(prompt_version('p', 3, CHAT_1)),
        get_prompt_version('p', 4).reply_data(prompt_version('p', 4, CHAT_2)),
    )
    assert prompts().create_version('p', CHAT_2, 2, 0)['version'] == 4
    assert http.count('POST') == 1


def test_a_version_answered_without_its_number_is_numbered_by_reading_the_next_one(http):
    answer = prompt_version('p', None, CHAT_2)
    del answer['attributes']['version']
    http.expect(
        create_prompt_version('p', CHAT_2).reply_data(answer),
        get_prompt_version('p', 3).reply_data(prompt_version('p', 3, CHAT_2)),
    )
    assert prompts().create_version('p', CHAT_2, 2, 5)['version'] == 3


def test_a_version_answered_without_its_number_and_never_shown_fails_counting_the_seconds(http):
    answer = prompt_version('p', None, CHAT_2)
    del answer['attributes']['version']
    missing = {'status': '404', 'title': 'Not Found'}
    http.expect(
        create_prompt_version('p', CHAT_2).reply_data(answer),
        *[call for dummy in range(3) for call in (
            get_prompt_version('p', 3).reply_error(404, missing),
            list_prompt_versions('p').reply(json=prompt_versions_page('p', 2, 1)))]
    )
    with pytest.raises(LLMObsError) as raised:
        prompts().create_version('p', CHAT_2, 2, 1)
    assert raised.value.message.endswith('neither version 3 nor the versions list showed it after 1 second.')
    assert http.count('POST') == 1


def test_set_labels_sends_the_whole_list(http):
    http.expect(label_prompt_version('p', 2, ['development', 'production']).reply_data(
        prompt_version('p', 2, 'Hi', labels=['development', 'production'])))
    assert prompts().set_labels('p', 2, ['development', 'production'])['labels'] == ['development', 'production']


def test_update_answers_the_prompt(http):
    http.expect(update_prompt('p', {'title': 'T'}).reply_data(prompt_item('p', title='T')))
    assert prompts().update('p', {'title': 'T'})['attributes']['title'] == 'T'


def test_a_delete_refused_with_404_is_done(http):
    http.expect(delete_prompt('p').reply_error(404, {'status': '404', 'title': 'Not Found'}))
    prompts().delete('p', 5)


def test_a_delete_whose_answer_was_lost_is_looked_up(http):
    http.expect(
        LOST_ANSWERS['http-500'](delete_prompt('p')),
        list_prompts('p').reply_page(),
    )
    prompts().delete('p', 5)


def test_a_delete_answers_what_was_deleted(http):
    http.expect(delete_prompt('p').reply(200, json=prompt_deleted('p')))
    prompts().delete('p', 5)
    assert http.count('DELETE') == 1
