# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""llmobs_project_info end to end inside the module: every test states the full list of HTTP calls.

An info module only reads, never reports a change, and runs the same in check mode.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.plugins.modules import llmobs_project_info
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import (
    assert_no_secrets,
    project,
    project_facts,
    with_keys,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    list_projects,
    project_by_id,
    projects_by_name,
)

MODULE = llmobs_project_info
NAME = 'support-bot'

MODES = pytest.mark.parametrize('check_mode', [False, True], ids=['apply', 'check'])


def args(**overrides):
    return with_keys(overrides)


@MODES
def test_all_projects_from_every_page(http, run, clock, check_mode):
    http.expect(
        list_projects().reply_page(project('p-1', 'one', 'first'), project('p-2', 'two'), after='c2'),
        list_projects(cursor='c2').reply_page(project('p-3', 'three')),
    )

    result, code, raw = run(args(), check_mode=check_mode)

    assert code == 0
    assert result['changed'] is False
    assert result['projects'] == [project_facts('p-1', 'one', 'first'), project_facts('p-2', 'two'), project_facts('p-3', 'three')]
    http.assert_no_write()
    assert_no_secrets(raw)


def test_no_projects_at_all_is_an_empty_list(http, run, clock):
    http.expect(list_projects().reply_page())

    result, code, dummy = run(args())

    assert code == 0 and result['changed'] is False
    assert result['projects'] == []


@MODES
def test_by_name_keeps_exact_matches_only_over_every_page(http, run, clock, check_mode):
    http.expect(
        projects_by_name(NAME).reply_page(project('n1', NAME + ' '), project('p-1', NAME), project('n2', 'Support-Bot'),
                                          after='c2'),
        projects_by_name(NAME, cursor='c2').reply_page(project('n3', NAME + '-old'), project('n4', 'the ' + NAME)),
    )

    result, code, dummy = run(args(name=NAME), check_mode=check_mode)

    assert code == 0 and result['changed'] is False
    assert result['projects'] == [project_facts('p-1', NAME)]
    http.assert_no_write()


def test_by_name_lists_every_project_of_the_name(http, run, clock):
    http.expect(
        projects_by_name(NAME).reply_page(project('p-1', NAME), after='c2'),
        projects_by_name(NAME, cursor='c2').reply_page(project('p-2', NAME, 'twin')),
    )

    result, code, dummy = run(args(name=NAME))

    assert code == 0 and result['changed'] is False
    assert [p['id'] for p in result['projects']] == ['p-1', 'p-2']


def test_by_name_with_no_exact_match_is_an_empty_list(http, run, clock):
    http.expect(projects_by_name(NAME).reply_page(project('n1', NAME + '-2')))

    result, code, dummy = run(args(name=NAME))

    assert code == 0 and result['changed'] is False
    assert result['projects'] == []


@MODES
def test_by_id_keeps_the_project_with_that_id(http, run, clock, check_mode):
    http.expect(project_by_id('p-1').reply_page(project('p-10', 'near miss'), project('p-1', NAME)))

    result, code, dummy = run(args(project_id='p-1'), check_mode=check_mode)

    assert code == 0 and result['changed'] is False
    assert result['projects'] == [project_facts('p-1', NAME)]


def test_by_id_not_found_is_an_empty_list(http, run, clock):
    http.expect(project_by_id('p-1').reply_page())

    result, code, dummy = run(args(project_id='p-1'))

    assert code == 0 and result['changed'] is False
    assert result['projects'] == []


def test_facts_are_read_leniently(http, run, clock):
    http.expect(list_projects().reply(200, json={'data': [
        {'id': 'p-1', 'type': 'projects', 'attributes': {'name': 'bare'}},
        project('p-2', 'live', author={'id': 'u-1'}, org_id=7),
    ], 'meta': {'after': ''}}))

    result, code, dummy = run(args())

    assert code == 0
    assert result['projects'] == [
        {'id': 'p-1', 'name': 'bare', 'description': None, 'created_at': None, 'updated_at': None},
        project_facts('p-2', 'live'),
    ]


def test_jsonapi_error_objects_reach_the_result(http, run, clock):
    entry = {'status': '403', 'title': 'Forbidden', 'detail': 'no llmobs_data_read',
             'source': {'header': 'DD-APPLICATION-KEY'}}
    http.expect(list_projects().reply_error(403, entry))

    result, code, raw = run(args())

    assert code == 1
    assert result['msg'].startswith('Listing projects failed with HTTP 403')
    assert 'Forbidden: no llmobs_data_read (status 403, header DD-APPLICATION-KEY)' in result['msg']
    assert result['status'] == 403 and result['errors'] == [entry]
    assert not result.get('changed')
    assert_no_secrets(raw)


def test_plain_string_errors_of_a_429_reach_the_result(http, run, clock):
    http.expect(projects_by_name(NAME).reply_error(429, 'Rate limit exceeded').times(2))

    result, code, dummy = run(args(name=NAME, retries=1))

    assert code == 1
    assert 'HTTP 429' in result['msg'] and 'Rate limit exceeded' in result['msg']
    assert result['status'] == 429 and result['errors'] == ['Rate limit exceeded']


@pytest.mark.parametrize('overrides, expected', [
    ({'name': ''}, 'name must not be blank'),
    ({'name': ' x'}, 'name must not start or end with spaces'),
    ({'name': 'a\nb'}, 'name must not contain control characters'),
    ({'project_id': 'a/b'}, "project_id must contain only letters, digits, '-' and '_'"),
    ({'project_id': ''}, 'project_id must not be blank'),
    ({'name': NAME, 'project_id': 'p-1'}, 'parameters are mutually exclusive: name|project_id'),
])
def test_bad_filters_are_refused_before_any_request(http, run, overrides, expected):
    result, code, dummy = run(args(**overrides))

    assert code == 1
    assert expected in result['msg']
    assert http.seen == []
