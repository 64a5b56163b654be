# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""llmobs_dataset_info end to end inside the module: every test states the full list of HTTP calls.

An info module only reads, never reports a change, and runs the same in check mode. Its own
filters (name, dataset_id) matching nothing give an empty list; a project_name matching nothing
is an addressing failure.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.plugins.modules import llmobs_dataset_info
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import (
    API_KEY,
    APP_KEY,
    PROJECT,
    PROJECT_NAME,
    assert_no_secrets,
    by_project_name,
    dataset,
    dataset_facts,
    project,
    with_keys,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    dataset_by_id,
    datasets_by_name,
    draft_state_document,
    get_draft_state,
    list_datasets,
    projects_by_name,
)

MODULE = llmobs_dataset_info
NAME = 'eval-questions'

MODES = pytest.mark.parametrize('check_mode', [False, True], ids=['apply', 'check'])


def args(**overrides):
    return with_keys(dict(project_id=PROJECT), overrides)


@MODES
def test_all_datasets_of_the_project_from_every_page(http, run, clock, check_mode):
    http.expect(
        list_datasets().reply_page(dataset('d-1', 'one', 'first', metadata={'a': 1}), dataset('d-2', 'two'), after='c2'),
        list_datasets(cursor='c2').reply_page(dataset('d-3', 'three', version=4)),
    )

    result, code, raw = run(args(), check_mode=check_mode)

    assert code == 0 and result['changed'] is False
    assert result['project_id'] == PROJECT
    assert result['datasets'] == [dataset_facts('d-1', 'one', 'first', {'a': 1}), dataset_facts('d-2', 'two'), dataset_facts('d-3', 'three', version=4)]
    http.assert_no_write()
    assert_no_secrets(raw)


def test_a_project_without_datasets_is_an_empty_list(http, run, clock):
    http.expect(list_datasets().reply_page())

    result, code, dummy = run(args())

    assert code == 0 and result['changed'] is False
    assert result['datasets'] == []


@MODES
def test_by_name_keeps_exact_matches_only_over_every_page(http, run, clock, check_mode):
    http.expect(
        datasets_by_name(NAME).reply_page(dataset('n1', NAME + ' '), dataset('d-1', NAME), after='c2'),
        datasets_by_name(NAME, cursor='c2').reply_page(dataset('n2', 'Eval-Questions'), dataset('n3', NAME + '-2'),
                                                       after='c3'),
        datasets_by_name(NAME, cursor='c3').reply_page(dataset('d-2', NAME, 'twin')),
    )

    result, code, dummy = run(args(name=NAME), check_mode=check_mode)

    assert code == 0 and result['changed'] is False
    assert result['datasets'] == [dataset_facts('d-1', NAME), dataset_facts('d-2', NAME, 'twin')]
    http.assert_no_write()


def test_name_filter_with_no_exact_match_is_an_empty_list_not_a_failure(http, run, clock):
    http.expect(datasets_by_name(NAME).reply_page(dataset('n1', NAME + '-old')))

    result, code, dummy = run(args(name=NAME))

    assert code == 0 and result['changed'] is False
    assert result['datasets'] == []
    assert 'failed' not in result


@MODES
def test_by_id_keeps_the_dataset_with_that_id(http, run, clock, check_mode):
    http.expect(dataset_by_id('d-1').reply_page(dataset('d-10', 'near'), dataset('d-1', NAME)))

    result, code, dummy = run(args(dataset_id='d-1'), check_mode=check_mode)

    assert code == 0 and result['changed'] is False
    assert result['datasets'] == [dataset_facts('d-1', NAME)]


def test_by_id_not_found_is_an_empty_list(http, run, clock):
    http.expect(dataset_by_id('d-1').reply_page())

    result, code, dummy = run(args(dataset_id='d-1'))

    assert code == 0 and result['datasets'] == []


@MODES
def test_project_name_costs_one_lookup(http, run, clock, check_mode):
    http.expect(
        projects_by_name(PROJECT_NAME).reply_page(project('p-x', PROJECT_NAME + ' (old)'), after='c2'),
        projects_by_name(PROJECT_NAME, cursor='c2').reply_page(project('proj-9', PROJECT_NAME)),
        datasets_by_name(NAME, project_id='proj-9').reply_page(dataset('d-1', NAME)),
    )

    result, code, dummy = run(by_project_name(args(name=NAME)), check_mode=check_mode)

    assert code == 0 and result['changed'] is False
    assert result['project_id'] == 'proj-9'
    assert result['datasets'] == [dataset_facts('d-1', NAME)]


@MODES
def test_unknown_project_name_is_a_failure_naming_it(http, run, clock, check_mode):
    http.expect(projects_by_name(PROJECT_NAME).reply_page(project('p-x', 'project-one-2')))

    result, code, dummy = run(by_project_name(args()), check_mode=check_mode)

    assert code == 1
    assert result['msg'] == ("No project named 'project-one' was found (given as project_name; names are compared "
                             "exactly).")
    assert not result.get('changed')


def test_several_projects_of_the_name_fail_listing_their_ids(http, run, clock):
    http.expect(projects_by_name(PROJECT_NAME).reply_page(project('p-a', PROJECT_NAME), project('p-b', PROJECT_NAME)))

    result, code, dummy = run(by_project_name(args()))

    assert code == 1
    assert result['msg'].startswith("Several projects named 'project-one' exist (ids: p-a, p-b)")


def test_facts_are_read_leniently_and_unknown_fields_ignored(http, run, clock):
    http.expect(list_datasets().reply(200, json={'data': [
        {'id': 'd-1', 'type': 'datasets', 'attributes': {'name': 'bare'}},
        dataset('d-2', 'live', author={'id': 'u-1'}, dataset_type='user', project_id=PROJECT),
    ], 'meta': {'after': ''}}))

    result, code, dummy = run(args())

    assert code == 0
    assert result['datasets'] == [
        {'id': 'd-1', 'name': 'bare', 'description': None, 'metadata': None, 'current_version': None,
         'created_at': None, 'updated_at': None},
        dataset_facts('d-2', 'live'),
    ]


def test_jsonapi_error_objects_reach_the_result(http, run, clock):
    entry = {'status': '404', 'title': 'Not Found', 'detail': 'project not found'}
    http.expect(list_datasets().reply_error(404, entry))

    result, code, raw = run(args())

    assert code == 1
    assert result['msg'].startswith('Listing datasets of project proj-1 failed with HTTP 404')
    assert 'Not Found: project not found (status 404)' in result['msg']
    assert result['msg'].endswith('Check project_id: the project does not exist for these keys.')  # as the task gave it
    assert result['status'] == 404 and result['errors'] == [entry]
    assert_no_secrets(raw)


def test_plain_string_errors_of_a_429_reach_the_result(http, run, clock):
    http.expect(projects_by_name(PROJECT_NAME).reply_error(429, 'Rate limit exceeded', 'try later').times(2))

    result, code, dummy = run(by_project_name(args(retries=1)))

    assert code == 1
    assert 'HTTP 429' in result['msg'] and 'Rate limit exceeded; try later' in result['msg']
    assert result['status'] == 429 and result['errors'] == ['Rate limit exceeded', 'try later']


@pytest.mark.parametrize('overrides, expected', [
    ({'name': ''}, 'name must not be blank'),
    ({'name': 'x\ty'}, 'name must not contain control characters'),
    ({'dataset_id': 'a/b'}, "dataset_id must contain only letters, digits, '-' and '_'"),
    ({'project_id': 'a/b'}, "project_id must contain only letters, digits, '-' and '_'"),
    ({'project_id': '..'}, "project_id must contain only letters, digits, '-' and '_'"),
    ({'name': NAME, 'dataset_id': 'd-1'}, 'parameters are mutually exclusive: name|dataset_id'),
    ({'project_name': PROJECT_NAME}, 'parameters are mutually exclusive: project_id|project_name'),
])
def test_bad_options_are_refused_before_any_request(http, run, overrides, expected):
    result, code, dummy = run(args(**overrides))

    assert code == 1
    assert expected in result['msg']
    assert http.seen == []


def test_a_project_address_is_required(http, run):
    result, code, dummy = run(dict(api_key=API_KEY, app_key=APP_KEY))

    assert code == 1
    assert 'one of the following is required: project_id, project_name' in result['msg']
    assert http.seen == []


# ---------------------------------------------------------------- draft_state: who edits each dataset in the UI

JANE = {'id': 'u-1', 'name': 'Jane Doe', 'email': 'jane@example.com', 'handle': 'jane@example.com'}


@MODES
def test_draft_state_reads_one_state_per_dataset_returned(http, run, clock, check_mode):
    http.expect(
        list_datasets().reply_page(dataset('d-1', 'one'), dataset('d-2', 'two')),
        get_draft_state('d-1').reply(json=draft_state_document('d-1', JANE, '2026-12-01T10:00:00Z')),
        get_draft_state('d-2').reply(json=draft_state_document('d-2')),
    )

    result, code, raw = run(args(draft_state=True), check_mode=check_mode)

    assert code == 0 and result['changed'] is False
    assert result['datasets'] == [
        dict(dataset_facts('d-1', 'one'), draft_state={'user': JANE, 'drafting_since': '2026-12-01T10:00:00Z'}),
        dict(dataset_facts('d-2', 'two'), draft_state=None),
    ]
    http.assert_no_write()
    assert_no_secrets(raw)


def test_draft_state_of_the_dataset_found_by_name_only(http, run, clock):
    http.expect(
        datasets_by_name(NAME).reply_page(dataset('n1', NAME + '-old'), dataset('d-1', NAME)),
        get_draft_state('d-1').reply(json=draft_state_document('d-1')),
    )

    result, code, dummy = run(args(name=NAME, draft_state=True))

    assert code == 0 and result['datasets'] == [dict(dataset_facts('d-1', NAME), draft_state=None)]


def test_draft_state_with_no_dataset_returned_reads_nothing_more(http, run, clock):
    http.expect(dataset_by_id('d-1').reply_page())

    result, code, dummy = run(args(dataset_id='d-1', draft_state=True))

    assert code == 0 and result['datasets'] == []


def test_a_draft_state_refused_fails_the_task(http, run, clock):
    http.expect(
        dataset_by_id('d-1').reply_page(dataset('d-1', NAME)),
        get_draft_state('d-1').reply_error(403, {'status': '403', 'title': 'Forbidden', 'detail': 'no permission'}),
    )

    result, code, dummy = run(args(dataset_id='d-1', draft_state=True))

    assert code == 1
    assert result['msg'].startswith('Reading the draft state of dataset d-1 of project proj-1 failed with HTTP 403')
    assert result['status'] == 403
