# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""llmobs_dataset end to end inside the module: every test states the full list of HTTP calls.

The ``http`` fixture answers the calls in order and fails the test on any extra, missing or
different request; a check-mode test states only reads, so any write fails it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import requests

from ansible_collections.llmobs.datadog.plugins.modules import llmobs_dataset
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import (
    API_KEY,
    APP_KEY,
    DROPPED,
    LOST_ANSWERS,
    PROJECT,
    PROJECT_NAME,
    assert_no_secrets,
    by_project_name,
    dataset,
    dataset_facts,
    project,
    warnings_of,
    with_keys,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    create_dataset,
    dataset_by_id,
    datasets_by_name,
    delete_dataset,
    list_records,
    projects_by_name,
    records,
    update_dataset,
)

MODULE = llmobs_dataset
NAME = 'eval-questions'
DID = 'ds-1'


def args(**overrides):
    return with_keys(dict(project_id=PROJECT, name=NAME), overrides)


def lookup(cursor=None, project_id=PROJECT):
    return datasets_by_name(NAME, project_id=project_id, cursor=cursor)


def facts(**overrides):
    return dataset_facts(DID, NAME, **overrides)


def present(description='', metadata=None, name=NAME, **contents):
    state = {'state': 'present', 'name': name, 'description': description, 'metadata': metadata}
    if contents:
        state['contents'] = contents
    return state


def no_records():
    """The count before a delete, of a dataset that holds no record: one page of its records list."""
    return list_records(DID).reply_page()


# ---------------------------------------------------------------- present: create


@pytest.mark.parametrize('status', [200, 201])
def test_create_when_the_project_has_none_of_the_name(http, run, clock, status):
    created = dataset(DID, NAME, 'questions', version=0, metadata={'owner': 'ml'})
    http.expect(
        lookup().reply_page(),
        create_dataset(NAME, 'questions', {'owner': 'ml'}).reply_data(created, status=status),
        lookup().reply_page(created),
    )

    result, code, raw = run(args(description='questions', metadata={'owner': 'ml'}), diff=True)

    assert code == 0
    assert result['changed'] is True
    assert result['project_id'] == PROJECT
    assert result['dataset'] == facts(description='questions', metadata={'owner': 'ml'}, version=0)
    assert result['msg'] == "Dataset 'eval-questions' in project proj-1 created (id ds-1)."
    assert result['diff'] == {'before': {'state': 'absent'},
                              'after': present('questions', {'owner': 'ml'})}
    assert http.methods == ['GET', 'POST', 'GET']
    assert clock.sleeps == []
    assert warnings_of(result) == []
    assert_no_secrets(raw)


def test_create_sends_only_the_name_when_nothing_else_is_given(http, run, clock):
    http.expect(
        lookup().reply_page(),
        create_dataset(NAME).reply_data({'id': DID, 'type': 'datasets', 'attributes': {'name': NAME}}, status=201),
    )

    result, code, dummy = run(args(wait=False))

    assert code == 0 and result['changed'] is True
    # A lenient read: every field the answer leaves out is null, none is a failure.
    assert result['dataset'] == facts(description=None, version=None, created_at=None, updated_at=None)


def test_create_ignores_near_misses_on_every_page(http, run, clock):
    http.expect(
        lookup().reply_page(dataset('n1', NAME + ' '), dataset('n2', 'Eval-Questions'), after='c2'),
        lookup(cursor='c2').reply_page(dataset('n3', NAME + '-2'), dataset('n4', 'old ' + NAME)),
        create_dataset(NAME).reply_data(dataset(DID, NAME), status=201),
    )

    result, code, dummy = run(args(wait=False))

    assert code == 0 and result['changed'] is True and result['dataset']['id'] == DID


def test_create_ignores_unknown_fields_of_live_answers(http, run, clock):
    live = dataset(DID, NAME, author={'id': 'u-1'}, dataset_type='user', project_id=PROJECT)
    http.expect(
        lookup().reply_page(),
        create_dataset(NAME).reply_data(live, status=201),
        lookup().reply(200, json={'data': [live], 'meta': {'after': ''}}),
    )

    result, code, dummy = run(args())

    assert code == 0 and result['changed'] is True
    assert result['dataset'] == facts()


# ---------------------------------------------------------------- present: exists, update


def test_existing_dataset_with_nothing_given_is_left_alone(http, run, clock):
    http.expect(lookup().reply_page(dataset(DID, NAME, 'kept', metadata={'a': 1})))

    result, code, raw = run(args(), diff=True)

    assert code == 0 and result['changed'] is False
    assert result['dataset'] == facts(description='kept', metadata={'a': 1})
    assert result['project_id'] == PROJECT
    assert result['msg'] == "Dataset 'eval-questions' in project proj-1 already exists (id ds-1); nothing to do."
    assert result['diff'] == {'before': present('kept', {'a': 1}), 'after': present('kept', {'a': 1})}
    assert_no_secrets(raw)


def test_only_the_description_is_patched_when_only_it_differs(http, run, clock):
    http.expect(
        lookup().reply_page(dataset(DID, NAME, 'old', metadata={'a': 1})),
        update_dataset(DID, {'description': 'new'}).reply_data(dataset(DID, NAME, 'new', metadata={'a': 1})),
    )

    result, code, dummy = run(args(description='new', metadata={'a': 1.0}), diff=True)

    assert code == 0 and result['changed'] is True
    assert result['msg'] == "Dataset 'eval-questions' in project proj-1 (id ds-1): updated description."
    assert 'updated description' in result['msg']
    assert result['dataset'] == facts(description='new', metadata={'a': 1})
    assert result['diff'] == {'before': present('old', {'a': 1}), 'after': present('new', {'a': 1})}
    assert clock.sleeps == []


def test_only_the_metadata_is_patched_when_only_it_differs_and_it_is_replaced_whole(http, run, clock):
    http.expect(
        lookup().reply_page(dataset(DID, NAME, 'same', metadata={'a': 1, 'b': 2})),
        update_dataset(DID, {'metadata': {'a': 1}}).reply_data(dataset(DID, NAME, 'same', metadata={'a': 1})),
    )

    result, code, dummy = run(args(metadata={'a': 1}), diff=True)

    assert code == 0 and result['changed'] is True
    assert result['msg'] == "Dataset 'eval-questions' in project proj-1 (id ds-1): updated metadata."
    assert result['dataset']['metadata'] == {'a': 1}
    assert result['diff']['before']['metadata'] == {'a': 1, 'b': 2}
    assert result['diff']['after']['metadata'] == {'a': 1}


def test_both_fields_differing_are_patched_in_one_request(http, run, clock):
    http.expect(
        lookup().reply_page(dataset(DID, NAME, 'old', metadata={'v': 1})),
        update_dataset(DID, {'description': 'new', 'metadata': {'v': 2}}).reply_data(
            {'id': DID, 'type': 'datasets', 'attributes': {'name': NAME}}),
    )

    result, code, dummy = run(args(description='new', metadata={'v': 2}))

    assert code == 0 and result['changed'] is True
    assert result['msg'].endswith(': updated description and metadata.')
    # The answer left the fields out: the values just written are reported, not nulls.
    assert result['dataset']['description'] == 'new' and result['dataset']['metadata'] == {'v': 2}


def test_several_datasets_of_the_name_fail_listing_their_ids(http, run, clock):
    http.expect(
        lookup().reply_page(dataset('d-a', NAME), after='c2'),
        lookup(cursor='c2').reply_page(dataset('d-b', NAME)),
    )

    result, code, dummy = run(args(description='x'))

    assert code == 1
    assert result['msg'].startswith("Several datasets named 'eval-questions' exist in project proj-1 (ids: d-a, d-b)")
    assert result['project_id'] == PROJECT
    assert not result.get('changed')
    http.assert_no_write()


# ---------------------------------------------------------------- absent


def test_absent_deletes_and_waits_until_unlisted(http, run, clock):
    http.expect(
        lookup().reply_page(dataset(DID, NAME, 'doomed')),
        list_records(DID).reply_page(*records(1000), after='c2'),
        list_records(DID, cursor='c2').reply_page(*records(200, start=1000)),
        delete_dataset(DID).reply(204),
        lookup().reply_page(dataset(DID, NAME, 'doomed')),
        lookup().reply_page(dataset(DID, NAME, 'doomed')),
        lookup().reply_page(),
    )

    result, code, raw = run(args(state='absent', description='ignored', metadata={'x': 1}), diff=True)

    assert code == 0 and result['changed'] is True
    assert result['msg'] == "Dataset 'eval-questions' in project proj-1 (id ds-1) deleted with its 1,200 records."
    assert result['dataset'] == facts(description='doomed')
    assert result['contents'] == {'records': 1200}
    assert result['project_id'] == PROJECT
    assert result['diff'] == {'before': present('doomed', records=1200), 'after': {'state': 'absent'}}
    assert clock.sleeps == [0.5, 1.0]
    assert warnings_of(result) == []
    assert_no_secrets(raw)


def test_absent_with_wait_false_makes_no_poll(http, run, clock):
    http.expect(lookup().reply_page(dataset(DID, NAME)), no_records(), delete_dataset(DID).reply(204))

    result, code, dummy = run(args(state='absent', wait=False))

    assert code == 0 and result['changed'] is True
    assert result['msg'] == "Dataset 'eval-questions' in project proj-1 (id ds-1) deleted; it held no records."
    assert result['contents'] == {'records': 0}
    assert clock.sleeps == []


# ---------------------------------------------------------------- check mode


def test_check_mode_create_predicts_the_dataset(http, run, clock):
    http.expect(lookup().reply_page())

    result, code, dummy = run(args(description='d', metadata={'k': 'v'}), check_mode=True, diff=True)

    assert code == 0 and result['changed'] is True
    assert result['dataset'] == {'id': None, 'name': NAME, 'description': 'd', 'metadata': {'k': 'v'},
                                 'current_version': None, 'created_at': None, 'updated_at': None}
    assert result['project_id'] == PROJECT
    assert result['msg'] == "Dataset 'eval-questions' in project proj-1 would be created (check mode: nothing was sent)."
    assert result['diff'] == {'before': {'state': 'absent'}, 'after': present('d', {'k': 'v'})}
    assert clock.sleeps == []
    http.assert_no_write()


def test_check_mode_update_predicts_the_changes(http, run, clock):
    http.expect(lookup().reply_page(dataset(DID, NAME, 'old', metadata={'a': 1})))

    result, code, dummy = run(args(description='old', metadata={'a': 2}), check_mode=True, diff=True)

    assert code == 0 and result['changed'] is True
    assert result['dataset'] == facts(description='old', metadata={'a': 2})
    assert result['msg'] == ("Dataset 'eval-questions' in project proj-1 (id ds-1): would update metadata "
                             "(check mode: nothing was sent).")
    assert result['diff'] == {'before': present('old', {'a': 1}), 'after': present('old', {'a': 2})}
    http.assert_no_write()


def test_check_mode_delete_predicts_the_delete_with_its_record_count(http, run, clock):
    http.expect(lookup().reply_page(dataset(DID, NAME)), list_records(DID).reply_page(*records(1)))

    result, code, dummy = run(args(state='absent'), check_mode=True, diff=True)

    assert code == 0 and result['changed'] is True
    assert result['dataset'] == facts()
    assert result['contents'] == {'records': 1}
    assert result['msg'] == ("Dataset 'eval-questions' in project proj-1 (id ds-1) would be deleted with its 1 record "
                             "(check mode: nothing was sent).")
    assert result['diff'] == {'before': present(records=1), 'after': {'state': 'absent'}}
    assert clock.sleeps == []
    http.assert_no_write()


def test_check_mode_by_project_name_makes_every_read(http, run, clock):
    http.expect(
        projects_by_name(PROJECT_NAME).reply_page(project('proj-9', PROJECT_NAME)),
        lookup(project_id='proj-9').reply_page(),
    )

    result, code, dummy = run(by_project_name(args()), check_mode=True)

    assert code == 0 and result['changed'] is True
    assert result['project_id'] == 'proj-9'
    assert result['dataset']['id'] is None
    http.assert_no_write()


# ---------------------------------------------------------------- addressing the project


def test_project_name_costs_one_lookup_and_the_id_goes_in_the_paths(http, run, clock):
    created = dataset(DID, NAME)
    http.expect(
        projects_by_name(PROJECT_NAME).reply_page(project('p-x', PROJECT_NAME + '-old'), after='c2'),
        projects_by_name(PROJECT_NAME, cursor='c2').reply_page(project('proj-9', PROJECT_NAME)),
        lookup(project_id='proj-9').reply_page(),
        create_dataset(NAME, project_id='proj-9').reply_data(created, status=201),
        lookup(project_id='proj-9').reply_page(created),
    )

    result, code, dummy = run(by_project_name(args()))

    assert code == 0 and result['changed'] is True
    assert result['project_id'] == 'proj-9'
    assert result['msg'] == "Dataset 'eval-questions' in project 'project-one' (id proj-9) created (id ds-1)."


@pytest.mark.parametrize('check_mode', [False, True], ids=['apply', 'check'])
@pytest.mark.parametrize('state', ['present', 'absent'])
def test_unknown_project_name_fails_naming_it(http, run, clock, check_mode, state):
    http.expect(projects_by_name(PROJECT_NAME).reply_page(project('p-x', 'Project-One')))

    result, code, dummy = run(by_project_name(args(state=state)), check_mode=check_mode)

    assert code == 1
    assert result['msg'] == ("No project named 'project-one' was found (given as project_name; names are compared "
                             "exactly).")
    assert not result.get('changed')
    http.assert_no_write()


def test_several_projects_of_the_name_fail_listing_their_ids(http, run, clock):
    http.expect(projects_by_name(PROJECT_NAME).reply_page(project('p-a', PROJECT_NAME), project('p-b', PROJECT_NAME)))

    result, code, dummy = run(by_project_name(args()))

    assert code == 1
    assert result['msg'].startswith("Several projects named 'project-one' exist (ids: p-a, p-b)")


# ---------------------------------------------------------------- lost answers


@pytest.mark.parametrize('lost', sorted(LOST_ANSWERS))
def test_lost_create_answer_found_by_the_lookup_is_not_sent_again(http, run, clock, lost):
    http.expect(
        lookup().reply_page(),
        LOST_ANSWERS[lost](create_dataset(NAME, 'd')),
        lookup().reply_page(dataset(DID, NAME, 'd')),  # looked up before any re-send: it was made
        lookup().reply_page(dataset(DID, NAME, 'd')),  # the wait
    )

    result, code, dummy = run(args(description='d'))

    assert code == 0 and result['changed'] is True
    assert result['dataset']['id'] == DID
    assert http.count('POST') == 1
    assert any('a lookup shows it was done' in w for w in warnings_of(result))


@pytest.mark.parametrize('lost', sorted(LOST_ANSWERS))
def test_lost_create_answer_not_found_is_sent_again_after_the_lookup(http, run, clock, lost):
    http.expect(
        lookup().reply_page(),
        LOST_ANSWERS[lost](create_dataset(NAME)),
        lookup().reply_page().times(3),  # looked for wait_timeout=1 second: at 0, 0.5 and 1
        create_dataset(NAME).reply_data(dataset(DID, NAME), status=201),
    )

    result, code, dummy = run(args(wait=False, wait_timeout=1))

    assert code == 0 and result['changed'] is True
    assert http.methods == ['GET', 'POST', 'GET', 'GET', 'GET', 'POST']
    assert clock.sleeps == [0.5, 0.5, 1.0]


def test_create_answer_without_the_dataset_is_looked_up_not_sent_again(http, run, clock):
    http.expect(
        lookup().reply_page(),
        create_dataset(NAME).reply(200, json={'data': None}),
        lookup().reply_page(dataset(DID, NAME)),
    )

    result, code, dummy = run(args(wait=False))

    assert code == 0 and result['dataset']['id'] == DID
    assert http.count('POST') == 1


@pytest.mark.parametrize('lost', sorted(LOST_ANSWERS))
def test_lost_delete_answer_is_looked_up_by_id_and_not_sent_again(http, run, clock, lost):
    http.expect(
        lookup().reply_page(dataset(DID, NAME)),
        no_records(),
        LOST_ANSWERS[lost](delete_dataset(DID)),
        dataset_by_id(DID).reply_page(dataset('ds-10', 'other')),  # an inexact filter match is not it
        lookup().reply_page(),
    )

    result, code, dummy = run(args(state='absent'))

    assert code == 0 and result['changed'] is True
    assert http.count('POST') == 1
    assert any('a lookup shows it was done' in w for w in warnings_of(result))


def test_lost_delete_answer_still_listed_is_sent_again_once(http, run, clock):
    http.expect(
        lookup().reply_page(dataset(DID, NAME)),
        no_records(),
        delete_dataset(DID).raises(requests.exceptions.ConnectionError(DROPPED)),
        dataset_by_id(DID).reply_page(dataset(DID, NAME)).times(3),
        delete_dataset(DID).reply(204),
        lookup().reply_page(),
    )

    result, code, dummy = run(args(state='absent', wait_timeout=1))

    assert code == 0 and result['changed'] is True
    assert http.methods == ['GET', 'GET', 'POST', 'GET', 'GET', 'GET', 'POST', 'GET']
    assert clock.sleeps == [0.5, 0.5, 1.0]


# ---------------------------------------------------------------- errors


def test_jsonapi_error_objects_reach_msg_status_and_errors(http, run, clock):
    entries = [
        {'status': '404', 'title': 'Not Found', 'detail': 'project proj-1 not found'},
        {'title': 'Bad Request', 'source': {'parameter': 'filter[name]'}},
    ]
    http.expect(lookup().reply_error(404, *entries))

    result, code, raw = run(args())

    assert code == 1
    assert result['msg'].startswith('Listing datasets of project proj-1 failed with HTTP 404')
    assert 'Not Found: project proj-1 not found (status 404)' in result['msg']
    assert 'Bad Request (parameter filter[name])' in result['msg']
    assert result['msg'].endswith('Check project_id: the project does not exist for these keys.')  # as the task gave it
    assert result['status'] == 404
    assert result['errors'] == entries
    assert_no_secrets(raw)


def test_refused_create_says_nothing_was_created(http, run, clock):
    entry = {'status': '400', 'title': 'Bad Request', 'detail': 'metadata too large', 'source': {'pointer': '/data/attributes/metadata'}}
    http.expect(lookup().reply_page(), create_dataset(NAME, metadata={'k': 'v'}).reply_error(400, entry))

    result, code, dummy = run(args(metadata={'k': 'v'}))

    assert code == 1
    assert 'Bad Request: metadata too large (status 400, at /data/attributes/metadata)' in result['msg']
    assert 'nothing was created' in result['msg']
    assert result['status'] == 400 and result['errors'] == [entry]
    assert not result.get('changed')


def test_plain_string_errors_of_a_429_reach_msg_status_and_errors(http, run, clock):
    http.expect(
        lookup().reply_page(dataset(DID, NAME, 'old')),
        update_dataset(DID, {'description': 'new'}).reply_error(429, 'Rate limit exceeded', 'try later').times(2),
    )

    result, code, dummy = run(args(description='new', retries=1))

    assert code == 1
    assert 'HTTP 429' in result['msg'] and 'Rate limit exceeded; try later' in result['msg']
    assert result['status'] == 429
    assert result['errors'] == ['Rate limit exceeded', 'try later']


# ---------------------------------------------------------------- validation: nothing is sent


@pytest.mark.parametrize('overrides, expected', [
    ({'name': ''}, 'name must not be blank'),
    ({'name': ' \t '}, 'name must not be blank'),
    ({'name': 'trailing '}, 'name must not start or end with spaces'),
    ({'name': 'tab\there'}, 'name must not contain control characters'),
    ({'name': u'\u30c7\u30fc\u30bf'}, 'name must use printable ASCII characters only'),
    ({'description': 'nul\x00'}, 'description must not contain control characters'),
    ({'wait_timeout': 0}, 'wait_timeout must be a whole number of seconds from 1 to 3600'),
    ({'wait_timeout': -1}, 'wait_timeout must be a whole number of seconds from 1 to 3600'),
    ({'wait_timeout': 3601}, 'wait_timeout must be a whole number of seconds from 1 to 3600'),
    ({'project_id': 'a/b'}, "project_id must contain only letters, digits, '-' and '_'"),
    ({'project_id': '../other'}, "project_id must contain only letters, digits, '-' and '_'"),
    ({'project_id': ''}, 'project_id must not be blank'),
    ({'metadata': 'not-a-dict'}, 'metadata'),
])
def test_bad_values_are_refused_before_any_request(http, run, overrides, expected):
    result, code, raw = run(args(**overrides))

    assert code == 1
    assert expected in result['msg']
    assert http.seen == []
    assert_no_secrets(raw)


@pytest.mark.parametrize('overrides, expected', [
    ({'project_name': ''}, 'project_name must not be blank'),
    ({'project_name': 'x\ny'}, 'project_name must not contain control characters'),
])
def test_bad_project_names_are_refused_before_any_request(http, run, overrides, expected):
    result, code, dummy = run(by_project_name(args(**overrides)))

    assert code == 1
    assert expected in result['msg']
    assert http.seen == []


@pytest.mark.parametrize('address, message', [
    ({'project_id': PROJECT, 'project_name': PROJECT_NAME}, 'parameters are mutually exclusive: project_id|project_name'),
    ({}, 'one of the following is required: project_id, project_name'),
], ids=['both', 'neither'])
def test_exactly_one_project_address_is_required(http, run, address, message):
    result, code, dummy = run(dict(address, api_key=API_KEY, app_key=APP_KEY, name=NAME))

    assert code == 1
    assert message in result['msg']
    assert http.seen == []


def test_a_failed_wait_after_a_delete_still_reports_the_delete(http, run, clock):
    http.expect(
        datasets_by_name(NAME).reply_page(dataset(DID, NAME)),
        list_records(DID).reply_page(*records(3)),
        delete_dataset(DID).reply(204),
        datasets_by_name(NAME).reply_error(429, 'Rate limit exceeded').times(2),
    )

    result, code, dummy = run(args(state='absent', retries=1))

    assert code == 1
    assert result['changed'] is True
    assert result['dataset']['id'] == DID
    assert result['contents'] == {'records': 3}
    assert 'was deleted, but the lookup that waits for the list to show it failed' in result['msg']
    assert 'rate limited' in result['msg'] or 'HTTP 429' in result['msg']
