# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""llmobs_project end to end inside the module: every test states the full list of HTTP calls.

The ``http`` fixture answers the calls in order and fails the test on any extra, missing or
different request; a check-mode test states only reads, so any write fails it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.plugins.modules import llmobs_project
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import (
    API_KEY,
    APP_KEY,
    LOST_ANSWERS,
    assert_no_secrets,
    dataset,
    project,
    project_facts,
    warnings_of,
    with_keys,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    create_project,
    delete_project,
    list_datasets,
    list_records,
    project_by_id,
    projects_by_name,
    records,
    update_project,
)

MODULE = llmobs_project
NAME = 'support-bot'
PID = 'p-1'


def args(**overrides):
    return with_keys(dict(name=NAME), overrides)


def lookup(cursor=None):
    return projects_by_name(NAME, cursor=cursor)


def no_datasets():
    """The count before a delete, of a project that holds no dataset: one page of its dataset list."""
    return list_datasets(PID).reply_page()


EMPTY = {'datasets': 0, 'records': 0}


def facts(**overrides):
    return project_facts(PID, NAME, **overrides)


# ---------------------------------------------------------------- present: create


@pytest.mark.parametrize('status', [200, 201])
def test_create_when_no_project_has_the_name(http, run, clock, status):
    created = project(PID, NAME, 'the bot')
    http.expect(
        lookup().reply_page(),
        create_project(NAME, 'the bot').reply_data(created, status=status),
        lookup().reply_page(created),
    )

    result, code, raw = run(args(description='the bot'))

    assert code == 0
    assert result['changed'] is True
    assert result['project'] == facts(description='the bot')
    assert result['msg'] == "Project 'support-bot' created (id p-1)."
    assert 'created' in result['msg']
    assert http.methods == ['GET', 'POST', 'GET']
    assert clock.sleeps == []
    assert warnings_of(result) == []
    assert_no_secrets(raw)


def test_create_without_description_does_not_send_one(http, run, clock):
    created = {'id': PID, 'type': 'projects', 'attributes': {'name': NAME}}
    http.expect(
        lookup().reply_page(),
        create_project(NAME).reply_data(created, status=201),
    )

    result, code, dummy = run(args(wait=False))

    assert code == 0 and result['changed'] is True
    assert result['project'] == facts(description=None, created_at=None, updated_at=None)


def test_create_ignores_near_misses_of_the_name_on_every_page(http, run, clock):
    http.expect(
        lookup().reply_page(project('n1', NAME + ' '), project('n2', 'Support-Bot'), after='c2'),
        lookup(cursor='c2').reply_page(project('n3', NAME + '-old'), project('n4', 'my ' + NAME)),
        create_project(NAME).reply_data(project(PID, NAME), status=201),
    )

    result, code, dummy = run(args(wait=False))

    assert code == 0 and result['changed'] is True
    assert result['project']['id'] == PID


def test_create_reads_live_answers_leniently(http, run, clock):
    live = project(PID, NAME, author={'id': 'u-1'}, org_id=42)
    live['relationships'] = {'owner': {'data': {'id': 'u-1'}}}
    http.expect(
        lookup().reply_page(),
        create_project(NAME).reply_data(live),
        lookup().reply(200, json={'data': [live], 'meta': {'after': ''}}),
    )

    result, code, dummy = run(args())

    assert code == 0 and result['changed'] is True
    assert result['project'] == facts()


# ---------------------------------------------------------------- present: exists, update


def test_existing_project_without_description_option_is_left_alone(http, run, clock):
    http.expect(lookup().reply_page(project(PID, NAME, 'kept')))

    result, code, raw = run(args(), diff=True)

    assert code == 0
    assert result['changed'] is False
    assert result['project'] == facts(description='kept')
    assert result['msg'] == "Project 'support-bot' already exists (id p-1); nothing to do."
    assert result['diff'] == {'before': {'state': 'present', 'name': NAME, 'description': 'kept'},
                              'after': {'state': 'present', 'name': NAME, 'description': 'kept'}}
    assert_no_secrets(raw)


def test_other_description_is_patched_alone(http, run, clock):
    http.expect(
        lookup().reply_page(project(PID, NAME, 'old')),
        update_project(PID, {'description': 'new'}).reply_data(project(PID, NAME, 'new', updated_at='2026-11-25T11:00:00+00:00')),
    )

    result, code, raw = run(args(description='new'), diff=True)

    assert code == 0 and result['changed'] is True
    assert result['msg'] == "Project 'support-bot' (id p-1): updated description."
    assert result['project'] == facts(description='new', updated_at='2026-11-25T11:00:00+00:00')
    assert result['diff'] == {'before': {'state': 'present', 'name': NAME, 'description': 'old'},
                              'after': {'state': 'present', 'name': NAME, 'description': 'new'}}
    assert clock.sleeps == []  # an update is not waited for
    assert_no_secrets(raw)


def test_several_projects_of_the_name_fail_listing_their_ids(http, run, clock):
    http.expect(
        lookup().reply_page(project('p-a', NAME), after='c2'),
        lookup(cursor='c2').reply_page(project('p-b', NAME)),
    )

    result, code, dummy = run(args(description='x'))

    assert code == 1
    assert result['msg'].startswith("Several projects named 'support-bot' exist (ids: p-a, p-b)")
    assert not result.get('changed')
    http.assert_no_write()


# ---------------------------------------------------------------- absent


def test_absent_deletes_and_waits_until_unlisted(http, run, clock):
    http.expect(
        lookup().reply_page(project(PID, NAME, 'doomed')),
        no_datasets(),
        delete_project(PID).reply(204),
        lookup().reply_page(project(PID, NAME, 'doomed')),
        lookup().reply_page(),
    )

    result, code, raw = run(args(state='absent', description='ignored'), diff=True)

    assert code == 0 and result['changed'] is True
    assert result['msg'] == "Project 'support-bot' (id p-1) deleted; it held no datasets."
    assert result['project'] == facts(description='doomed')
    assert result['contents'] == EMPTY
    assert result['diff'] == {'before': {'state': 'present', 'name': NAME, 'description': 'doomed', 'contents': EMPTY},
                              'after': {'state': 'absent'}}
    assert clock.sleeps == [0.5]
    assert warnings_of(result) == []
    assert_no_secrets(raw)


# ---------------------------------------------------------------- absent: what goes with the project


def holding_two_datasets():
    """A project with two datasets (over two pages of its dataset list), of 2 records (two pages) and 1."""
    return [
        list_datasets(PID).reply_page(dataset('d-1', 'eval'), after='dc2'),
        list_datasets(PID, cursor='dc2').reply_page(dataset('d-2', 'eval-copy')),
        list_records('d-1', PID).reply_page(*records(1), after='rc2'),
        list_records('d-1', PID, cursor='rc2').reply_page(*records(1, start=1)),
        list_records('d-2', PID).reply_page(*records(1, start=2)),
    ]


HELD = {'datasets': 2, 'records': 3}
REFUSED = ("Project 'support-bot' (id p-1) still holds 2 datasets with 3 records in all; deleting it deletes them too. "
           "Set force: true to delete it with them, or delete the datasets first.")


@pytest.mark.parametrize('check_mode', [False, True])
def test_absent_with_datasets_fails_without_force_naming_the_counts_and_writes_nothing(http, run, clock,
                                                                                       check_mode):
    http.expect(lookup().reply_page(project(PID, NAME, 'kept')), holding_two_datasets())

    result, code, raw = run(args(state='absent'), check_mode=check_mode, diff=True)

    assert code == 1 and result['failed'] is True
    assert result['msg'] == REFUSED
    assert result['changed'] is False
    assert result['contents'] == HELD
    assert result['project'] == facts(description='kept')
    assert 'diff' not in result
    http.assert_no_write()
    assert_no_secrets(raw)


def test_absent_with_force_deletes_the_project_with_its_datasets_and_reports_them(http, run, clock):
    http.expect(
        lookup().reply_page(project(PID, NAME, 'doomed')),
        holding_two_datasets(),
        delete_project(PID).reply(204),
        lookup().reply_page(),
    )

    result, code, raw = run(args(state='absent', force=True), diff=True)

    assert code == 0 and result['changed'] is True
    assert result['msg'] == "Project 'support-bot' (id p-1) deleted with its 2 datasets and 3 records."
    assert result['contents'] == HELD
    assert result['diff'] == {'before': {'state': 'present', 'name': NAME, 'description': 'doomed', 'contents': HELD},
                              'after': {'state': 'absent'}}
    assert warnings_of(result) == []
    assert_no_secrets(raw)


def test_check_mode_with_force_counts_what_would_go_and_writes_nothing(http, run, clock):
    http.expect(
        lookup().reply_page(project(PID, NAME)),
        list_datasets(PID).reply_page(dataset('d-1', 'eval')),
        list_records('d-1', PID).reply_page(*records(1200)),
    )

    result, code, dummy = run(args(state='absent', force=True), check_mode=True, diff=True)

    assert code == 0 and result['changed'] is True
    assert result['msg'] == ("Project 'support-bot' (id p-1) would be deleted with its 1 dataset and 1,200 records "
                             "(check mode: nothing was sent).")
    assert result['contents'] == {'datasets': 1, 'records': 1200}
    assert result['diff']['before']['contents'] == {'datasets': 1, 'records': 1200}
    http.assert_no_write()


def test_one_empty_dataset_is_enough_to_refuse(http, run, clock):
    http.expect(
        lookup().reply_page(project(PID, NAME)),
        list_datasets(PID).reply_page(dataset('d-1', 'eval')),
        list_records('d-1', PID).reply_page(),
    )

    result, code, dummy = run(args(state='absent'))

    assert code == 1
    assert result['msg'] == ("Project 'support-bot' (id p-1) still holds 1 dataset with 0 records; deleting it deletes "
                             "them too. Set force: true to delete it with them, or delete the dataset first.")
    assert result['contents'] == {'datasets': 1, 'records': 0}
    http.assert_no_write()


def test_an_empty_project_is_deleted_without_force_and_force_changes_nothing_for_it(http, run, clock):
    http.expect(lookup().reply_page(project(PID, NAME)), no_datasets(), delete_project(PID).reply(204))

    result, code, dummy = run(args(state='absent', wait=False, force=True))

    assert code == 0 and result['changed'] is True
    assert result['msg'] == "Project 'support-bot' (id p-1) deleted; it held no datasets."
    assert result['contents'] == EMPTY


def test_a_failed_count_fails_before_any_write(http, run, clock):
    http.expect(
        lookup().reply_page(project(PID, NAME)),
        list_datasets(PID).reply_page(dataset('d-1', 'eval')),
        list_records('d-1', PID).reply_error(403, {'status': '403', 'title': 'Forbidden'}),
    )

    result, code, dummy = run(args(state='absent', force=True))

    assert code == 1 and result['status'] == 403
    assert result['msg'].startswith("Listing the records of dataset d-1 of project 'support-bot' (id p-1) failed with HTTP 403")
    assert not result.get('changed')
    http.assert_no_write()


# ---------------------------------------------------------------- check mode


def test_check_mode_create_predicts_the_project(http, run, clock):
    http.expect(lookup().reply_page(project('n1', NAME + '-old')))

    result, code, dummy = run(args(description='d'), check_mode=True, diff=True)

    assert code == 0 and result['changed'] is True
    assert result['project'] == {'id': None, 'name': NAME, 'description': 'd', 'created_at': None, 'updated_at': None}
    assert result['msg'] == "Project 'support-bot' would be created (check mode: nothing was sent)."
    assert result['diff'] == {'before': {'state': 'absent'},
                              'after': {'state': 'present', 'name': NAME, 'description': 'd'}}
    assert clock.sleeps == []
    http.assert_no_write()


def test_check_mode_update_predicts_the_new_description(http, run, clock):
    http.expect(lookup().reply_page(project(PID, NAME, 'old')))

    result, code, dummy = run(args(description='new'), check_mode=True, diff=True)

    assert code == 0 and result['changed'] is True
    assert result['project'] == facts(description='new')
    assert result['msg'] == "Project 'support-bot' (id p-1): would update description (check mode: nothing was sent)."
    assert result['diff']['before']['description'] == 'old' and result['diff']['after']['description'] == 'new'
    http.assert_no_write()


def test_check_mode_delete_predicts_the_delete(http, run, clock):
    http.expect(lookup().reply_page(project(PID, NAME, 'x')), no_datasets())

    result, code, dummy = run(args(state='absent'), check_mode=True, diff=True)

    assert code == 0 and result['changed'] is True
    assert result['project'] == facts(description='x')
    assert result['contents'] == EMPTY
    assert result['msg'] == ("Project 'support-bot' (id p-1) would be deleted; it holds no datasets "
                             "(check mode: nothing was sent).")
    assert result['diff']['before']['contents'] == EMPTY
    assert result['diff']['after'] == {'state': 'absent'}
    assert clock.sleeps == []
    http.assert_no_write()


# ---------------------------------------------------------------- lost answers


@pytest.mark.parametrize('lost', sorted(LOST_ANSWERS))
def test_lost_create_answer_found_by_the_lookup_is_not_sent_again(http, run, clock, lost):
    http.expect(
        lookup().reply_page(),
        LOST_ANSWERS[lost](create_project(NAME)),
        lookup().reply_page(project(PID, NAME)),  # the lookup before any re-send finds it
        lookup().reply_page(project(PID, NAME)),  # the wait
    )

    result, code, dummy = run(args())

    assert code == 0 and result['changed'] is True
    assert result['project']['id'] == PID
    assert http.count('POST') == 1
    assert any('a lookup shows it was done' in w for w in warnings_of(result))


@pytest.mark.parametrize('lost', sorted(LOST_ANSWERS))
def test_lost_create_answer_not_found_is_sent_again_after_the_lookup(http, run, clock, lost):
    http.expect(
        lookup().reply_page(),
        LOST_ANSWERS[lost](create_project(NAME)),
        lookup().reply_page().times(3),  # looked for wait_timeout=1 second: at 0, 0.5 and 1
        create_project(NAME).reply_data(project(PID, NAME), status=201),
    )

    result, code, dummy = run(args(wait=False, wait_timeout=1))

    assert code == 0 and result['changed'] is True
    assert http.methods == ['GET', 'POST', 'GET', 'GET', 'GET', 'POST']
    assert clock.sleeps == [0.5, 0.5, 1.0]
    assert any('a lookup found no sign of it' in w for w in warnings_of(result))


@pytest.mark.parametrize('lost', sorted(LOST_ANSWERS))
def test_lost_delete_answer_is_looked_up_by_id_and_not_sent_again(http, run, clock, lost):
    http.expect(
        lookup().reply_page(project(PID, NAME)),
        no_datasets(),
        LOST_ANSWERS[lost](delete_project(PID)),
        project_by_id(PID).reply_page(),
        lookup().reply_page(),
    )

    result, code, dummy = run(args(state='absent'))

    assert code == 0 and result['changed'] is True
    assert http.count('POST') == 1
    assert any('a lookup shows it was done' in w for w in warnings_of(result))


def test_lost_delete_answer_still_listed_is_sent_again(http, run, clock):
    http.expect(
        lookup().reply_page(project(PID, NAME)),
        no_datasets(),
        delete_project(PID).reply_error(500, {'title': 'Internal Server Error'}),
        project_by_id(PID).reply_page(project(PID, NAME)).times(3),
        delete_project(PID).reply(204),
    )

    result, code, dummy = run(args(state='absent', wait=False, wait_timeout=1))

    assert code == 0 and result['changed'] is True
    assert http.methods == ['GET', 'GET', 'POST', 'GET', 'GET', 'GET', 'POST']


# ---------------------------------------------------------------- errors


def test_jsonapi_error_objects_of_a_refused_create_reach_the_result(http, run, clock):
    entries = [{'status': '400', 'title': 'Bad Request', 'detail': 'name too long',
                'source': {'pointer': '/data/attributes/name'}}]
    http.expect(lookup().reply_page(), create_project(NAME).reply_error(400, *entries))

    result, code, raw = run(args())

    assert code == 1
    assert result['msg'].startswith("Creating project 'support-bot' failed with HTTP 400")
    assert 'Bad Request: name too long (status 400, at /data/attributes/name)' in result['msg']
    assert 'nothing was created' in result['msg']
    assert result['status'] == 400
    assert result['errors'] == entries
    assert not result.get('changed')
    assert_no_secrets(raw)


def test_plain_string_errors_of_a_429_reach_the_result(http, run, clock):
    http.expect(lookup().reply_error(429, 'Rate limit exceeded', 'try later').times(2))

    result, code, dummy = run(args(retries=1))

    assert code == 1
    assert 'HTTP 429' in result['msg'] and 'Rate limit exceeded; try later' in result['msg']
    assert result['status'] == 429
    assert result['errors'] == ['Rate limit exceeded', 'try later']


def test_plain_string_429_on_the_delete_is_sent_again_without_lookup(http, run, clock):
    http.expect(
        lookup().reply_page(project(PID, NAME)),
        no_datasets(),
        delete_project(PID).reply_error(429, 'Too many requests', headers={'X-RateLimit-Reset': '2'}),
        delete_project(PID).reply(204),
    )

    result, code, dummy = run(args(state='absent', wait=False))

    assert code == 0 and result['changed'] is True
    assert clock.sleeps == [2.0]


def test_error_bodies_that_echo_a_key_do_not_leak_it(http, run, clock):
    http.expect(lookup().reply_error(403, {'detail': 'key %s is not allowed' % APP_KEY}))

    result, code, raw = run(args())

    assert code == 1 and result['status'] == 403
    assert_no_secrets(raw)


# ---------------------------------------------------------------- validation: nothing is sent


@pytest.mark.parametrize('overrides, expected', [
    ({'name': ''}, 'name must not be blank'),
    ({'name': '  '}, 'name must not be blank'),
    ({'name': ' padded'}, 'name must not start or end with spaces'),
    ({'name': 'line\nbreak'}, 'name must not contain control characters'),
    ({'name': u'caf\u00e9'}, 'name must use printable ASCII characters only'),
    ({'name': 'n' * 256}, 'name must be at most 255 characters long'),
    ({'description': 'bell\x07'}, 'description must not contain control characters'),
    ({'wait_timeout': 0}, 'wait_timeout must be a whole number of seconds from 1 to 3600'),
    ({'wait_timeout': 3601}, 'wait_timeout must be a whole number of seconds from 1 to 3600'),
    ({'state': 'gone'}, 'value of state must be one of: present, absent'),
    ({'retries': 0}, 'retries must be at least 1'),
])
def test_bad_values_are_refused_before_any_request(http, run, overrides, expected):
    result, code, raw = run(args(**overrides))

    assert code == 1
    assert expected in result['msg']
    assert http.seen == []
    assert_no_secrets(raw)


def test_name_is_required(http, run):
    result, code, dummy = run(dict(api_key=API_KEY, app_key=APP_KEY))

    assert code == 1
    assert 'missing required arguments: name' in result['msg']
    assert http.seen == []


def test_a_failed_wait_after_a_create_still_reports_the_create(http, run, clock):
    http.expect(
        projects_by_name(NAME).reply_page(),
        create_project(NAME).reply_data(project(PID, NAME), status=201),
        projects_by_name(NAME).reply_error(403, {'status': '403', 'title': 'Forbidden'}),
    )

    result, code, dummy = run(args())

    assert code == 1
    assert result['changed'] is True
    assert result['project']['id'] == PID
    assert result['status'] == 403
    assert result['msg'].startswith("Project 'support-bot' was created (id p-1), but the lookup that waits for the "
                                    "list to show it failed: Listing projects failed with HTTP 403")
