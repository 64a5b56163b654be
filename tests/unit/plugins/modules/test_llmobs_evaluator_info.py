# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""llmobs_evaluator_info end to end inside the module: every test states the full list of HTTP calls."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.plugins.modules import llmobs_evaluator_info
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import TIMESTAMP, assert_no_secrets, with_keys
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import evaluator, get_evaluator, list_evaluators

MODULE = llmobs_evaluator_info
TARGET = {'application_name': 'support-bot', 'enabled': True}


def facts(name, **config):
    result = dict(eval_name=name, category=None, target=None, llm_provider=None, llm_judge_config=None,
                  created_at=TIMESTAMP, updated_at=TIMESTAMP, created_by={'email': 'owner@example.com'},
                  last_updated_by={'email': 'owner@example.com'})
    result.update(config)
    return result


def test_every_evaluator_sorted_by_name_over_every_page(http, run):
    http.expect(
        list_evaluators().reply_page(evaluator('tone-judge', target=TARGET), after='c2'),
        list_evaluators(cursor='c2').reply_page(evaluator('helpfulness-judge', category='Custom')),
    )

    result, code, raw = run(with_keys())

    assert code == 0 and result['changed'] is False
    assert result['evaluators'] == [facts('helpfulness-judge', category='Custom'), facts('tone-judge', target=TARGET)]
    assert_no_secrets(raw)


def test_no_evaluators_is_an_empty_list(http, run):
    http.expect(list_evaluators().reply_page())

    result, code, dummy = run(with_keys(), check_mode=True)

    assert code == 0 and result['evaluators'] == []


def test_one_evaluator_by_name(http, run):
    http.expect(get_evaluator('tone-judge').reply_data(evaluator('tone-judge', target=TARGET)))

    result, code, dummy = run(with_keys(dict(name='tone-judge')))

    assert code == 0 and result['evaluators'] == [facts('tone-judge', target=TARGET)]


def test_a_missing_evaluator_is_an_empty_list_not_a_failure(http, run):
    http.expect(get_evaluator('nope').reply_error(404, {'status': '404', 'title': 'Not Found'}))

    result, code, dummy = run(with_keys(dict(name='nope')))

    assert code == 0 and result['evaluators'] == []
    assert 'summary' not in result


def test_another_error_fails_with_the_api_error(http, run):
    http.expect(get_evaluator('tone-judge').reply_error(403, {'status': '403', 'title': 'Forbidden'}))

    result, code, raw = run(with_keys(dict(name='tone-judge')))

    assert code == 1 and result['status'] == 403
    assert_no_secrets(raw)


def test_a_blank_name_fails_before_any_request(http, run):
    result, code, dummy = run(with_keys(dict(name=' ')))

    assert code == 1 and result['msg'] == 'name must not be blank: give the name of the evaluator.'
    assert http.seen == []
