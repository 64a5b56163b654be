# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""llmobs_dataset_prune end to end inside the module: every test states the full list of HTTP calls.

The time of day is fixed (``NOW``); the rules themselves are tested in module_utils/test_prune.py, here each
branch of the module: what is read, what is deleted, in which order, and what the result says.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._planned import PLAN_ENV
from ansible_collections.llmobs.datadog.plugins.modules import llmobs_dataset_prune
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import (
    BASE_URL,
    LOST_ANSWERS,
    PROJECT,
    PROJECT_NAME,
    assert_no_secrets,
    by_project_name,
    dataset,
    project,
    warnings_of,
    with_keys,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    dataset_by_id,
    delete_dataset,
    experiment,
    list_datasets,
    list_experiments,
    projects_by_name,
)

MODULE = llmobs_dataset_prune
PATTERN = 'eval-release-*'
DAY = 86400
NOW_TEXT = datetime.datetime(2026, 11, 25, 12, 0, 0, tzinfo=datetime.timezone.utc)


class FixedTime(object):
    """Stands in for the time module inside the module: the time of day is NOW."""

    @staticmethod
    def time():
        return (NOW_TEXT - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)).total_seconds()


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch):
    monkeypatch.setattr(llmobs_dataset_prune, 'time', FixedTime)


def ago(days):
    return (NOW_TEXT - datetime.timedelta(days=days)).isoformat()


def copy(number, days):
    """Dataset eval-release-<number> (id d<number>), created ``days`` before NOW."""
    return dataset('d%d' % number, 'eval-release-%d' % number, created_at=ago(days))


# The project: three copies (1 the newest), the source they were cloned from, and another name.
COPIES = [copy(2, 40), copy(1, 1), dataset('src', 'eval-release', created_at=ago(400)), copy(3, 90),
          dataset('o1', 'other-eval-release-9', created_at=ago(400))]


def args(**overrides):
    return with_keys(dict(project_id=PROJECT, name_pattern=PATTERN, keep=1), overrides)


def listed(*items):
    return list_datasets().reply_page(*items)


def no_experiments(dataset_id):
    return list_experiments(dataset_id=dataset_id).reply_page()


def entry(number, days, reason):
    return dict(id='d%d' % number, name='eval-release-%d' % number, created_at=ago(days), reason=reason)


NEWEST = entry(1, 1, 'among the newest 1 (keep: 1)')


# ---------------------------------------------------------------- nothing to do


def test_a_pattern_that_matches_nothing_is_not_an_error(http, run):
    http.expect(listed(*COPIES))

    result, code, raw = run(args(name_pattern='nightly-*'), diff=True)

    assert code == 0 and result['changed'] is False
    assert (result['deleted'], result['kept'], result['project_id']) == ([], [], PROJECT)
    assert result['msg'] == "No dataset in project proj-1 matches name_pattern 'nightly-*'; nothing to do."
    assert result['summary'] == 'datasets matching nightly-*: none'
    assert result['diff'] == {'before': {'datasets': []}, 'after': {'datasets': []}}
    assert_no_secrets(raw)


def test_nothing_to_delete_reads_no_experiment(http, run):
    http.expect(listed(*COPIES))

    result, code, dummy = run(args(keep=5))

    assert code == 0 and result['changed'] is False
    assert [item['name'] for item in result['kept']] == ['eval-release-1', 'eval-release-2', 'eval-release-3']
    assert result['deleted'] == []
    assert result['msg'] == "Kept the 3 datasets matching 'eval-release-*' in project proj-1; nothing to delete."
    assert result['summary'] == 'datasets matching eval-release-*: 3 kept, none deleted'


def test_the_project_by_name(http, run):
    http.expect(projects_by_name(PROJECT_NAME).reply_page(project(PROJECT, PROJECT_NAME)), listed())

    result, code, dummy = run(by_project_name(args()))

    assert code == 0 and result['changed'] is False and result['project_id'] == PROJECT
    assert result['msg'] == "No dataset in project 'project-one' (id proj-1) matches name_pattern 'eval-release-*'; nothing to do."


def test_a_missing_project_fails_before_anything_else(http, run):
    http.expect(projects_by_name('nowhere').reply_page())

    result, code, dummy = run(by_project_name(args(), 'nowhere'))

    assert code == 1
    assert result['msg'] == "No project named 'nowhere' was found (given as project_name; names are compared exactly)."


# ---------------------------------------------------------------- check mode and apply


def test_check_mode_reads_the_experiments_of_what_would_go_and_sends_no_delete(http, run):
    http.expect(listed(*COPIES), no_experiments('d2'), no_experiments('d3'))

    result, code, dummy = run(args(), check_mode=True, diff=True)

    http.assert_no_write()
    assert code == 0 and result['changed'] is True
    assert result['deleted'] == [entry(2, 40, 'outside the newest 1 (keep: 1)'), entry(3, 90, 'outside the newest 1 (keep: 1)')]
    assert result['kept'] == [NEWEST]
    assert result['diff'] == {'before': {'datasets': ['eval-release-1', 'eval-release-2', 'eval-release-3']},
                              'after': {'datasets': ['eval-release-1']}}
    assert result['msg'] == ("Would delete 2 datasets matching 'eval-release-*' in project proj-1: 'eval-release-2' "
                             "(id d2), 'eval-release-3' (id d3); would keep 1 (check mode: nothing was sent).")
    assert result['summary'] == 'datasets matching eval-release-*: 2 would be deleted, 1 kept'


def test_apply_deletes_one_at_a_time_then_waits_until_the_list_shows_them_gone(http, run, clock):
    http.expect(
        listed(*COPIES), no_experiments('d2'), no_experiments('d3'),
        delete_dataset('d2').reply(204),
        delete_dataset('d3').reply(200, json={}),  # ddtrace's route answers 200
        listed(COPIES[1], COPIES[2], COPIES[3]),   # d3 still listed: reads lag behind writes
        listed(COPIES[1], COPIES[2]),
    )

    result, code, raw = run(args(), diff=True)

    assert code == 0 and result['changed'] is True
    assert [item['id'] for item in result['deleted']] == ['d2', 'd3']
    assert result['kept'] == [NEWEST]
    assert result['diff']['after'] == {'datasets': ['eval-release-1']}
    assert result['msg'] == ("Deleted 2 datasets matching 'eval-release-*' in project proj-1: 'eval-release-2' "
                             "(id d2), 'eval-release-3' (id d3); kept 1.")
    assert result['summary'] == 'datasets matching eval-release-*: 2 deleted, 1 kept'
    assert clock.sleeps == [0.5]
    assert warnings_of(result) == []
    assert_no_secrets(raw)


def test_a_rerun_right_after_deletes_nothing(http, run):
    http.expect(listed(COPIES[1], COPIES[2], COPIES[4]))

    result, code, dummy = run(args())

    assert code == 0 and result['changed'] is False and result['kept'] == [NEWEST]


def test_without_wait_nothing_is_read_after_the_deletes(http, run):
    http.expect(listed(*COPIES), no_experiments('d2'), no_experiments('d3'),
                delete_dataset('d2').reply(204), delete_dataset('d3').reply(204))

    result, code, dummy = run(args(wait=False))

    assert code == 0 and result['changed'] is True and len(result['deleted']) == 2


def test_a_list_that_still_shows_them_after_wait_timeout_is_a_warning(http, run):
    http.expect(listed(*COPIES), no_experiments('d2'), no_experiments('d3'),
                delete_dataset('d2').reply(204), delete_dataset('d3').reply(204),
                listed(*COPIES).times(3))  # at 0, 0.5 and 1 second

    result, code, dummy = run(args(wait_timeout=1))

    assert code == 0 and result['changed'] is True
    assert warnings_of(result) == ['Deleted 2 datasets, but the list still showed some after 1 second; a run started '
                                   'right away may still find them. Raise wait_timeout to wait longer.']


def test_a_failing_wait_still_says_what_was_deleted(http, run):
    http.expect(listed(*COPIES), delete_dataset('d2').reply(204), delete_dataset('d3').reply(204),
                list_datasets().reply_error(403, {'title': 'Forbidden'}))

    result, code, dummy = run(args(protect_used_within='0'))

    assert code == 1 and result['changed'] is True
    assert [item['id'] for item in result['deleted']] == ['d2', 'd3']
    assert result['msg'].startswith("Deleted 2 datasets matching 'eval-release-*' in project proj-1: 'eval-release-2' "
                                    "(id d2), 'eval-release-3' (id d3); kept 1, but the lookup that waits for the list "
                                    "to show it failed: Listing datasets of project proj-1 failed")


def test_older_than_and_keep_together(http, run):
    http.expect(listed(*COPIES), no_experiments('d3'))

    result, code, dummy = run(args(keep=1, older_than='60d', wait=False), check_mode=True)

    assert code == 0
    assert result['deleted'] == [entry(3, 90, 'outside the newest 1 (keep: 1) and created 90 days ago, older than 60d '
                                              '(older_than)')]
    assert result['kept'] == [NEWEST, entry(2, 40, 'created 40 days ago, not older than 60d (older_than)')]


def test_a_dataset_without_created_at_is_kept(http, run):
    undated = dataset('d9', 'eval-release-9', created_at=None)
    http.expect(listed(undated, copy(1, 1)))

    result, code, dummy = run(args(keep=0, protect_used_within='0'), check_mode=True)

    assert code == 0 and [item['id'] for item in result['deleted']] == ['d1']
    assert result['kept'] == [dict(id='d9', name='eval-release-9', created_at=None,
                                   reason='no created_at: its age is unknown, so it is kept')]


# ---------------------------------------------------------------- the guard


def test_a_recent_experiment_keeps_the_dataset_it_used(http, run):
    http.expect(
        listed(*COPIES),
        list_experiments(dataset_id='d2').reply_page(experiment('e1', 'baseline', 'd2', ago(3)),
                                                     experiment('e0', 'older', 'd2', ago(50))),
        list_experiments(dataset_id='d3').reply_page(experiment('e2', 'ancient', 'd3', ago(60))),
        delete_dataset('d3').reply(204),
    )

    result, code, dummy = run(args(wait=False))

    assert code == 0 and result['changed'] is True
    assert [item['id'] for item in result['deleted']] == ['d3']
    assert result['kept'] == [NEWEST, entry(2, 40, "used by experiment 'baseline' (id e1) created 3 days ago, within 30d "
                                                   "(protect_used_within)")]
    assert result['summary'] == 'datasets matching eval-release-*: 1 deleted, 2 kept'


def test_the_guard_reads_every_page_of_experiments(http, run):
    http.expect(
        listed(copy(1, 1), copy(2, 40)),
        list_experiments(dataset_id='d2').reply_page(experiment('e1', 'old', 'd2', ago(45)), after='c2'),
        list_experiments(dataset_id='d2', cursor='c2').reply_page(experiment('e2', 'recent', 'd2', ago(10))),
    )

    result, code, dummy = run(args(protect_used_within='2w'), check_mode=True)

    assert code == 0 and result['changed'] is False and result['deleted'] == []
    assert result['kept'][1]['reason'] == ("used by experiment 'recent' (id e2) created 10 days ago, within 2w "
                                           "(protect_used_within)")


def test_the_guard_turned_off_with_0_reads_no_experiment(http, run):
    http.expect(listed(*COPIES), delete_dataset('d2').reply(204), delete_dataset('d3').reply(204))

    result, code, dummy = run(args(protect_used_within='0', wait=False))

    assert code == 0 and [item['id'] for item in result['deleted']] == ['d2', 'd3']


def test_a_failing_experiments_read_deletes_nothing(http, run):
    http.expect(listed(*COPIES), no_experiments('d2'),
                list_experiments(dataset_id='d3').reply_error(403, {'title': 'Forbidden'}))

    result, code, dummy = run(args())

    assert code == 1 and result['status'] == 403
    assert result['msg'].startswith("Listing experiments of dataset 'eval-release-3' (id d3) failed")
    assert 'could not tell which of the datasets recent experiments use, so nothing was deleted.' in result['msg']
    assert not result.get('changed')


# ---------------------------------------------------------------- failures midway


def test_a_delete_that_fails_midway_says_what_went_and_what_did_not(http, run):
    http.expect(
        listed(copy(1, 1), copy(2, 40), copy(3, 90), copy(4, 100)),
        no_experiments('d2'), no_experiments('d3'), no_experiments('d4'),
        delete_dataset('d2').reply(204),
        delete_dataset('d3').reply_error(400, {'title': 'Bad Request', 'detail': 'dataset is read-only'}),
    )

    result, code, raw = run(args())

    assert code == 1
    assert result['changed'] is True
    assert [item['id'] for item in result['deleted']] == ['d2']
    assert [item['id'] for item in result['not_deleted']] == ['d3', 'd4']
    assert result['kept'] == [NEWEST]
    assert 'summary' not in result
    assert result['status'] == 400
    assert result['msg'].startswith("Deleting dataset 'eval-release-3' (id d3) of project proj-1 failed")
    assert 'dataset is read-only' in result['msg']
    assert result['msg'].endswith(
        "Deleted by this task before it failed: 'eval-release-2' (id d2). Not deleted: 'eval-release-3' (id d3), 'eval-release-4' "
        "(id d4). Run the task again to finish: the rules are applied anew to what is left.")
    assert_no_secrets(raw)


def test_a_first_delete_that_fails_changed_nothing(http, run):
    http.expect(listed(*COPIES), delete_dataset('d2').reply_error(404, {'title': 'Not Found'}))

    result, code, dummy = run(args(protect_used_within='0'))

    assert code == 1 and result['changed'] is False and result['deleted'] == []
    assert [item['id'] for item in result['not_deleted']] == ['d2', 'd3']
    assert 'This task deleted no dataset before it failed.' in result['msg']


@pytest.mark.parametrize('lost', sorted(LOST_ANSWERS))
def test_a_lost_delete_answer_is_looked_up_not_sent_again(http, run, lost):
    http.expect(
        listed(copy(1, 1), copy(2, 40)),
        LOST_ANSWERS[lost](delete_dataset('d2')),
        dataset_by_id('d2').reply_page(),  # gone: it was deleted
        listed(copy(1, 1)),
    )

    result, code, dummy = run(args(protect_used_within='0'))

    assert code == 0 and [item['id'] for item in result['deleted']] == ['d2']
    assert http.count('POST') == 1
    assert any('a lookup shows it was done' in text for text in warnings_of(result))


# ---------------------------------------------------------------- options, before any request


@pytest.mark.parametrize('overrides, message', [
    (dict(keep=None), 'Give keep, older_than or both: with neither, every dataset matching name_pattern would be '
                      'deleted. To delete every match, set keep: 0.'),
    (dict(keep=-2), 'keep must be 0 or more (got -2)'),
    (dict(older_than='30 days'), 'older_than must be a duration, a whole number and a unit'),
    (dict(older_than='0m'), "older_than must be longer than 0 (got '0m')"),
    (dict(protect_used_within='1mo'), 'protect_used_within must be a duration'),
    (dict(name_pattern=' '), 'name_pattern must not be blank'),
    (dict(wait_timeout=0), 'wait_timeout must be a whole number of seconds from 1 to 3600'),
    (dict(project_id='a/b'), 'project_id must contain only letters'),
], ids=['no-rule', 'keep', 'older-than', 'zero-age', 'guard', 'pattern', 'wait-timeout', 'project-id'])
def test_bad_options_fail_before_any_request(http, run, overrides, message):
    result, code, raw = run(args(**overrides))

    assert code == 1
    assert result['msg'].startswith(message)
    assert http.seen == []
    assert_no_secrets(raw)


# ---------------------------------------------------------------- check mode: what earlier tasks of the dry run plan


def with_plan(monkeypatch, *entries):
    monkeypatch.setenv(PLAN_ENV, json.dumps([dict(entry, api=BASE_URL) for entry in entries]))


def planned_copy(name, project_id=PROJECT, project_name=None):
    return dict(kind='dataset', name=name, project_id=project_id, project_name=project_name,
                source=dict(project_id=PROJECT, dataset_id='src'))


def test_a_copy_an_earlier_task_would_make_takes_the_newest_place(http, run, monkeypatch):
    with_plan(monkeypatch, planned_copy('eval-release-4'), planned_copy('other-name'),
              dict(planned_copy('eval-release-5'), project_id='proj-9'))
    http.expect(listed(*COPIES), no_experiments('d1'), no_experiments('d2'), no_experiments('d3'))

    result, code, dummy = run(args(), check_mode=True)

    http.assert_no_write()
    assert code == 0 and result['changed'] is True
    assert [item['name'] for item in result['kept']] == ['eval-release-4']
    assert result['kept'][0]['id'] is None and result['kept'][0]['created_at'] is None
    assert [item['id'] for item in result['deleted']] == ['d1', 'd2', 'd3']
    assert 'ansible_facts' not in result  # the plan is unchanged


def test_a_planned_copy_that_would_go_leaves_the_plan(http, run, monkeypatch):
    with_plan(monkeypatch, planned_copy('eval-release-4'), planned_copy('other-name'))
    http.expect(listed())

    result, code, dummy = run(args(keep=0), check_mode=True)

    assert code == 0 and result['changed'] is True
    assert result['deleted'] == [dict(id=None, name='eval-release-4', created_at=None, reason=(
        'not created yet (an earlier task of this run would create it), counted as created now: keep: 0 and no '
        'older_than: every match goes'))]
    assert [entry['name'] for entry in result['ansible_facts']['llmobs_planned']['entries']] == ['other-name']


def test_in_a_planned_project_only_its_planned_copies_count(http, run, monkeypatch):
    with_plan(monkeypatch, dict(kind='project', name=PROJECT_NAME),
              planned_copy('eval-release-1', None, PROJECT_NAME), planned_copy('eval-release-2'))
    http.expect(projects_by_name(PROJECT_NAME).reply_page())

    result, code, dummy = run(by_project_name(args()), check_mode=True)

    assert code == 0 and result['changed'] is False and result['project_id'] is None
    assert [item['name'] for item in result['kept']] == ['eval-release-1']
    assert result['msg'] == ("Kept the 1 dataset matching 'eval-release-*' in project 'project-one' (an earlier task "
                             "of this run would create it); nothing to delete.")


def test_outside_check_mode_the_plan_is_not_read(http, run, monkeypatch):
    with_plan(monkeypatch, planned_copy('eval-release-4'))
    http.expect(listed(copy(1, 1)))

    result, code, dummy = run(args())

    assert code == 0 and result['changed'] is False and [item['id'] for item in result['kept']] == ['d1']
