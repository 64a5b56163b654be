# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""llmobs_experiment_prune end to end inside the module: every test states the full list of HTTP calls.

The time of day is fixed (``NOW``); the rules are tested in module_utils/test_prune.py and the guard (runs in
progress, the parent chain) in module_utils/test_experiment_prune.py; here each branch of the module: what is
read, what is deleted, in which requests, and what the result says.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._planned import PLAN_ENV
from ansible_collections.llmobs.datadog.plugins.modules import llmobs_experiment_prune
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
    datasets_by_name,
    delete_experiments,
    experiment,
    experiment_by_id,
    list_experiments,
    projects_by_name,
)

MODULE = llmobs_experiment_prune
PATTERN = 'nightly-*'
NOW_TEXT = datetime.datetime(2026, 11, 25, 12, 0, 0, tzinfo=datetime.timezone.utc)


class FixedTime(object):
    """Stands in for the time module inside the module: the time of day is NOW."""

    @staticmethod
    def time():
        return (NOW_TEXT - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)).total_seconds()


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch):
    monkeypatch.setattr(llmobs_experiment_prune, 'time', FixedTime)


def ago(days):
    return (NOW_TEXT - datetime.timedelta(days=days)).isoformat()


def nightly(number, days, parent=None, status='completed', dataset_id='d1', **extra):
    """Experiment nightly-<number> (id e<number>) of logical experiment nightly-eval, created ``days`` before NOW."""
    return experiment('e%d' % number, 'nightly-%d' % number, dataset_id, created_at=ago(days), experiment='nightly-eval',
                      parent_experiment_id=None if parent is None else 'e%d' % parent, status=status, **extra)


# The project: three nightly runs (1 the newest), and a smoke run of another name made against nightly-3.
RUNS = [nightly(1, 1), nightly(2, 40), experiment('s1', 'smoke-1', 'd1', created_at=ago(2), experiment='smoke',
                                                  parent_experiment_id='e3', status='completed'), nightly(3, 90)]


def args(**overrides):
    return with_keys(dict(project_id=PROJECT, name_pattern=PATTERN, keep=1), overrides)


def listed(*items, **kwargs):
    """The one read of the prune: every experiment of the project."""
    return list_experiments(project_id=PROJECT, **kwargs).reply_page(*items)


def entry(number, days, reason, parent=None, status='completed'):
    return dict(id='e%d' % number, name='nightly-%d' % number, created_at=ago(days), experiment='nightly-eval',
                dataset_id='d1', parent_experiment_id=None if parent is None else 'e%d' % parent, status=status,
                reason=reason)


NEWEST = entry(1, 1, 'among the newest 1 (keep: 1)')
OUTSIDE = 'outside the newest 1 (keep: 1)'
BASELINE = entry(3, 90, "parent of kept experiment 'smoke-1' (id s1), which the prune does not match")


# ---------------------------------------------------------------- nothing to do


def test_a_pattern_that_matches_nothing_is_not_an_error(http, run):
    http.expect(listed(*RUNS))

    result, code, raw = run(args(name_pattern='weekly-*'), diff=True)

    assert code == 0 and result['changed'] is False
    assert (result['deleted'], result['kept'], result['project_id']) == ([], [], PROJECT)
    assert result['msg'] == "No experiment in project proj-1 matches name_pattern 'weekly-*'; nothing to do."
    assert result['summary'] == 'experiments matching weekly-*: none'
    assert result['diff'] == {'before': {'experiments': []}, 'after': {'experiments': []}}
    assert_no_secrets(raw)


def test_nothing_to_delete(http, run):
    http.expect(listed(*RUNS))

    result, code, dummy = run(args(keep=5))

    assert code == 0 and result['changed'] is False and result['deleted'] == []
    assert [item['name'] for item in result['kept']] == ['nightly-1', 'nightly-2', 'nightly-3']
    assert result['msg'] == "Kept the 3 experiments matching 'nightly-*' in project proj-1; nothing to delete."
    assert result['summary'] == 'experiments matching nightly-*: 3 kept, none deleted'


def test_a_missing_project_fails_before_anything_else(http, run):
    http.expect(projects_by_name('nowhere').reply_page())

    result, code, dummy = run(by_project_name(args(), 'nowhere'))

    assert code == 1
    assert result['msg'] == "No project named 'nowhere' was found (given as project_name; names are compared exactly)."


# ---------------------------------------------------------------- check mode and apply


def test_check_mode_lists_what_would_go_and_why_each_stays(http, run):
    http.expect(listed(*RUNS))

    result, code, dummy = run(args(), check_mode=True, diff=True)

    http.assert_no_write()
    assert code == 0 and result['changed'] is True
    assert result['deleted'] == [entry(2, 40, OUTSIDE)]
    assert result['kept'] == [NEWEST, BASELINE]
    assert result['diff'] == {'before': {'experiments': ['nightly-1', 'nightly-2', 'nightly-3']},
                              'after': {'experiments': ['nightly-1', 'nightly-3']}}
    assert result['msg'] == ("Would delete 1 experiment matching 'nightly-*' in project proj-1: 'nightly-2' (id e2); "
                             "would keep 2 (check mode: nothing was sent).")
    assert result['summary'] == 'experiments matching nightly-*: 1 would be deleted, 2 kept'


def test_apply_deletes_in_one_request_then_waits_until_the_list_shows_them_gone(http, run, clock):
    runs = [nightly(1, 1), nightly(2, 40), nightly(3, 90), nightly(4, 100)]
    http.expect(
        listed(*runs),
        delete_experiments('e2', 'e3', 'e4').reply(204),
        listed(runs[0], runs[3]),  # e4 still listed: reads lag behind writes
        listed(runs[0]),
    )

    result, code, raw = run(args(), diff=True)

    assert code == 0 and result['changed'] is True
    assert result['deleted'] == [entry(2, 40, OUTSIDE), entry(3, 90, OUTSIDE), entry(4, 100, OUTSIDE)]
    assert result['kept'] == [NEWEST]
    assert result['diff']['after'] == {'experiments': ['nightly-1']}
    assert result['msg'] == ("Deleted 3 experiments matching 'nightly-*' in project proj-1: 'nightly-2' (id e2), "
                             "'nightly-3' (id e3), 'nightly-4' (id e4); kept 1.")
    assert result['summary'] == 'experiments matching nightly-*: 3 deleted, 1 kept'
    assert clock.sleeps == [0.5]
    assert warnings_of(result) == []
    assert_no_secrets(raw)


def test_a_rerun_right_after_deletes_nothing(http, run):
    http.expect(listed(*RUNS[:1] + RUNS[2:]))

    result, code, dummy = run(args())

    assert code == 0 and result['changed'] is False and result['kept'] == [NEWEST, BASELINE]


def test_many_are_deleted_in_batches(http, run, monkeypatch):
    monkeypatch.setattr(llmobs_experiment_prune, 'DELETE_BATCH', 2)
    runs = [nightly(number, number) for number in range(1, 7)]
    http.expect(listed(*runs), delete_experiments('e2', 'e3').reply(204), delete_experiments('e4', 'e5').reply(204),
                delete_experiments('e6').reply(204))

    result, code, dummy = run(args(wait=False))

    assert code == 0 and [item['id'] for item in result['deleted']] == ['e2', 'e3', 'e4', 'e5', 'e6']


def test_a_list_that_still_shows_them_after_wait_timeout_is_a_warning(http, run):
    http.expect(listed(*RUNS), delete_experiments('e2').reply(204), listed(*RUNS).times(3))  # at 0, 0.5 and 1 second

    result, code, dummy = run(args(wait_timeout=1))

    assert code == 0 and result['changed'] is True
    assert warnings_of(result) == ['Deleted 1 experiment, but the list still showed some after 1 second; a run '
                                   'started right away may still find them. Raise wait_timeout to wait longer.']


def test_a_failing_wait_still_says_what_was_deleted(http, run):
    http.expect(listed(*RUNS), delete_experiments('e2').reply(204),
                list_experiments(project_id=PROJECT).reply_error(403, {'title': 'Forbidden'}))

    result, code, dummy = run(args())

    assert code == 1 and result['changed'] is True and result['deleted'] == [entry(2, 40, OUTSIDE)]
    assert result['msg'].startswith("Deleted 1 experiment matching 'nightly-*' in project proj-1: 'nightly-2' (id e2); "
                                    "kept 2, but the lookup that waits for the list to show it failed: Listing "
                                    "experiments of project proj-1 failed")


# ---------------------------------------------------------------- the guard through the module


def test_a_running_experiment_and_the_chain_it_was_run_against_stay(http, run):
    http.expect(listed(nightly(1, 1), nightly(2, 300, parent=3, status='running'), nightly(3, 301, parent=4),
                       nightly(4, 302), nightly(5, 303, parent=4)))

    result, code, dummy = run(args(older_than='30d'), check_mode=True)

    assert code == 0 and [item['id'] for item in result['deleted']] == ['e5']
    assert result['kept'] == [NEWEST, entry(2, 300, 'running: a prune never deletes a run in progress', parent=3,
                                            status='running'),
                              entry(3, 301, "parent of kept experiment 'nightly-2' (id e2)", parent=4),
                              entry(4, 302, "parent of kept experiment 'nightly-3' (id e3)")]


def test_an_experiment_without_id_or_of_another_project_is_never_a_match(http, run):
    stray = experiment('x1', 'nightly-9', 'd1', created_at=ago(300), project_id='proj-2', experiment='nightly-eval')
    anonymous = {'type': 'experiments', 'attributes': {'name': 'nightly-8', 'created_at': ago(300)}}
    http.expect(listed(nightly(1, 1), stray, anonymous, nightly(2, 40)))

    result, code, dummy = run(args(keep=0), check_mode=True)

    assert [item['id'] for item in result['deleted']] == ['e1', 'e2']
    assert result['kept'] == []


# ---------------------------------------------------------------- the filters


def test_a_dataset_by_name_and_a_logical_name_narrow_the_matches_not_the_guard(http, run):
    other_dataset = nightly(4, 50, dataset_id='d2', parent=3)   # keeps nightly-3, though it is on another dataset
    other_logical = experiment('e5', 'nightly-5', 'd1', created_at=ago(60), experiment='nightly-other')
    http.expect(datasets_by_name('capitals').reply_page(dataset('d1', 'capitals')),
                listed(nightly(1, 1), nightly(2, 40), nightly(3, 90), other_dataset, other_logical))

    result, code, dummy = run(args(dataset_name='capitals', experiment='nightly-eval'), check_mode=True)

    assert code == 0
    assert result['deleted'] == [entry(2, 40, OUTSIDE)]
    assert result['kept'] == [NEWEST, entry(3, 90, "parent of kept experiment 'nightly-4' (id e4), which the prune "
                                                   "does not match")]
    assert result['msg'] == ("Would delete 1 experiment matching 'nightly-*' in project proj-1 on dataset 'capitals' "
                             "(id d1) with logical name 'nightly-eval': 'nightly-2' (id e2); would keep 2 (check mode: "
                             "nothing was sent).")


def test_a_dataset_by_id_is_not_looked_up(http, run):
    http.expect(listed(nightly(1, 1), nightly(2, 40, dataset_id='d2')))

    result, code, dummy = run(args(dataset_id='d2', keep=0), check_mode=True)

    assert [item['id'] for item in result['deleted']] == ['e2']
    assert result['msg'].startswith("Would delete 1 experiment matching 'nightly-*' in project proj-1 on dataset d2:")


def test_entries_that_leave_out_the_filtered_field_are_matched_by_the_list_the_server_filters(http, run):
    bare = [dict(item, attributes=dict(item['attributes'], dataset_id=None, experiment=None))
            for item in (nightly(1, 1), nightly(2, 40), nightly(4, 50))]
    http.expect(listed(*bare),
                list_experiments(project_id=PROJECT, dataset_id='d2').reply_page(bare[1]))

    result, code, dummy = run(args(dataset_id='d2', keep=0), check_mode=True)

    assert [item['id'] for item in result['deleted']] == ['e2']    # e4 may be of another dataset: not touched


def test_an_unknown_dataset_name_is_an_error(http, run):
    http.expect(projects_by_name(PROJECT_NAME).reply_page(project(PROJECT, PROJECT_NAME)),
                datasets_by_name('nowhere').reply_page())

    result, code, dummy = run(by_project_name(args(dataset_name='nowhere')))

    assert code == 1
    assert result['msg'].startswith("No dataset named 'nowhere' was found in project 'project-one' (id proj-1)")


# ---------------------------------------------------------------- failures midway


def test_a_delete_that_fails_midway_says_what_went_and_what_did_not(http, run, monkeypatch):
    monkeypatch.setattr(llmobs_experiment_prune, 'DELETE_BATCH', 2)
    runs = [nightly(number, number) for number in range(1, 6)]
    http.expect(listed(*runs), delete_experiments('e2', 'e3').reply(204),
                delete_experiments('e4', 'e5').reply_error(400, {'title': 'Bad Request', 'detail': 'no such thing'}))

    result, code, raw = run(args())

    assert code == 1 and result['changed'] is True
    assert [item['id'] for item in result['deleted']] == ['e2', 'e3']
    assert [item['id'] for item in result['not_deleted']] == ['e4', 'e5']
    assert result['kept'] == [dict(NEWEST, created_at=ago(1))]
    assert 'summary' not in result and result['status'] == 400
    assert result['msg'].startswith('Deleting 2 experiments of project proj-1 failed with HTTP 400')
    assert 'no such thing' in result['msg']
    assert result['msg'].endswith(
        "Deleted by this task before it failed: 'nightly-2' (id e2), 'nightly-3' (id e3). Not deleted: 'nightly-4' "
        "(id e4), 'nightly-5' (id e5). Run the task again to finish: the rules are applied anew to what is left.")
    assert_no_secrets(raw)


def test_a_first_delete_that_fails_changed_nothing(http, run):
    http.expect(listed(*RUNS), delete_experiments('e2').reply_error(403, {'title': 'Forbidden'}))

    result, code, dummy = run(args())

    assert code == 1 and result['changed'] is False and result['deleted'] == []
    assert [item['id'] for item in result['not_deleted']] == ['e2']
    assert result['msg'].startswith("Deleting experiment 'nightly-2' (id e2) of project proj-1 failed")
    assert 'This task deleted no experiment before it failed.' in result['msg']


@pytest.mark.parametrize('lost', sorted(LOST_ANSWERS))
def test_a_lost_delete_answer_of_one_is_looked_up_not_sent_again(http, run, lost):
    http.expect(
        listed(*RUNS),
        LOST_ANSWERS[lost](delete_experiments('e2')),
        experiment_by_id('e2').reply_page(),  # gone: it was deleted
        listed(RUNS[0], RUNS[2], RUNS[3]),
    )

    result, code, dummy = run(args())

    assert code == 0 and [item['id'] for item in result['deleted']] == ['e2']
    assert http.count('POST') == 1
    assert any('a lookup shows it was done' in text for text in warnings_of(result))


def test_a_lost_delete_answer_of_several_is_looked_up_in_the_project(http, run):
    runs = [nightly(1, 1), nightly(2, 40), nightly(3, 90)]
    http.expect(
        listed(*runs),
        LOST_ANSWERS['http-500'](delete_experiments('e2', 'e3')),
        listed(*runs[:2]),   # e3 gone, e2 not yet: not done as far as can be told
        listed(*runs[:1]),   # both gone: done
        listed(*runs[:1]),   # the wait
    )

    result, code, dummy = run(args())

    assert code == 0 and [item['id'] for item in result['deleted']] == ['e2', 'e3']
    assert http.count('POST') == 1


def test_a_lost_delete_answer_whose_lookup_fails_is_maybe_deleted_not_left(http, run, monkeypatch):
    monkeypatch.setattr(llmobs_experiment_prune, 'DELETE_BATCH', 2)
    runs = [nightly(number, number) for number in range(1, 6)]
    http.expect(
        listed(*runs),
        delete_experiments('e2', 'e3').reply(204),
        LOST_ANSWERS['http-500'](delete_experiments('e4', 'e5')),
        list_experiments(project_id=PROJECT).reply_error(503, {'title': 'Service Unavailable'}).times(4),
    )

    result, code, dummy = run(args())

    assert code == 1 and result['changed'] is True and result['status'] == 500
    assert [item['id'] for item in result['deleted']] == ['e2', 'e3']
    assert [item['id'] for item in result['maybe_deleted']] == ['e4', 'e5']
    assert result['not_deleted'] == []
    assert 'its outcome is unknown' in result['msg'] and 'Not deleted' not in result['msg']
    assert result['msg'].endswith(
        "Deleted by this task before it failed: 'nightly-2' (id e2), 'nightly-3' (id e3). Maybe deleted (the outcome "
        "of the request that failed is unknown): 'nightly-4' (id e4), 'nightly-5' (id e5). Run the task again to "
        "finish: the rules are applied anew to what is left.")


# ---------------------------------------------------------------- options, before any request


@pytest.mark.parametrize('overrides, message', [
    (dict(keep=None), 'Give keep, older_than or both: with neither, every experiment matching name_pattern would be '
                      'deleted. To delete every match, set keep: 0.'),
    (dict(keep=-2), 'keep must be 0 or more (got -2): it is how many of the newest matching experiments'),
    (dict(older_than='30 days'), 'older_than must be a duration, a whole number and a unit'),
    (dict(older_than='0m'), "older_than must be longer than 0 (got '0m')"),
    (dict(name_pattern=' '), 'name_pattern must not be blank: give a shell-style pattern of whole experiment names'),
    (dict(experiment=' '), 'experiment must not be blank'),
    (dict(wait_timeout=0), 'wait_timeout must be a whole number of seconds from 1 to 3600'),
    (dict(project_id='a/b'), 'project_id must contain only letters'),
    (dict(dataset_id='a/b'), 'dataset_id must contain only letters'),
], ids=['no-rule', 'keep', 'older-than', 'zero-age', 'pattern', 'experiment', 'wait-timeout', 'project-id',
        'dataset-id'])
def test_bad_options_fail_before_any_request(http, run, overrides, message):
    result, code, raw = run(args(**overrides))

    assert code == 1
    assert result['msg'].startswith(message)
    assert http.seen == []
    assert_no_secrets(raw)


def test_an_unknown_option_is_refused(http, run):
    result, code, dummy = run(args(protect_used_within='30d'))

    assert code == 1 and 'protect_used_within' in result['msg'] and http.seen == []


# ---------------------------------------------------------------- check mode: a project an earlier task plans


def test_in_a_planned_project_there_is_nothing_to_prune(http, run, monkeypatch):
    monkeypatch.setenv(PLAN_ENV, json.dumps([dict(kind='project', name=PROJECT_NAME, api=BASE_URL)]))
    http.expect(projects_by_name(PROJECT_NAME).reply_page())

    result, code, dummy = run(by_project_name(args()), check_mode=True)

    assert code == 0 and result['changed'] is False and result['project_id'] is None
    assert result['msg'] == ("No experiment in project 'project-one' (an earlier task of this run would create it) "
                             "matches name_pattern 'nightly-*'; nothing to do.")
