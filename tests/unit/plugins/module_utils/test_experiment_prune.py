# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The guard of llmobs_experiment_prune as pure functions: runs in progress and the parent chain of kept experiments.

The shared rules (matching, ranking, keep, older_than, messages) are tested in test_prune.py.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

from ansible_collections.llmobs.datadog.plugins.module_utils._experiment_prune import (
    RUNNING_REASON,
    guarded,
    in_scope,
    parent_reasons,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._prune import EXPERIMENTS, Rules, decide, parse_time

DAY = 86400
NOW = parse_time('2026-11-25T12:00:00+00:00')


def ago(days):
    moment = datetime.datetime(2026, 11, 25, 12, 0, 0, tzinfo=datetime.timezone.utc) - datetime.timedelta(days=days)
    return moment.isoformat()


def run(number, days, parent=None, status='completed', name=None, **extra):
    """Experiment run-<number> (id e<number>), created ``days`` before NOW, run against ``parent`` (a number)."""
    item = dict(id='e%d' % number, name=name or 'run-%d' % number, created_at=ago(days), experiment='nightly',
                dataset_id='d1', project_id='p1', parent_experiment_id=None if parent is None else 'e%d' % parent,
                status=status)
    item.update(extra)
    return item


def ids(entries):
    return [entry['id'] for entry in entries]


def reasons(entries):
    return dict((entry['id'], entry['reason']) for entry in entries)


def prune(listed, keep=1, pattern='run-*', candidates=None):
    """The decisions of ``keep`` over the matches of ``candidates`` (those in scope: all listed unless given),
    guarded with every experiment ``listed``."""
    decisions = decide(listed if candidates is None else candidates, Rules(pattern, keep=keep, kind=EXPERIMENTS), NOW)
    return guarded(decisions, listed)


# ---------------------------------------------------------------- the parent chain


def test_the_parent_of_a_kept_experiment_and_its_parent_up_the_chain_are_kept():
    # e5 (kept: the newest) was run against e3, which was run against e1; e2 and e4 depend on nothing kept.
    listed = [run(5, 1, parent=3), run(4, 2), run(3, 3, parent=1), run(2, 4, parent=4), run(1, 5)]

    decisions = prune(listed)

    assert ids(decisions.kept) == ['e5', 'e3', 'e1']
    assert reasons(decisions.kept) == {'e5': 'among the newest 1 (keep: 1)',
                                       'e3': "parent of kept experiment 'run-5' (id e5)",
                                       'e1': "parent of kept experiment 'run-3' (id e3)"}
    # e2 names e4 as parent, but e2 goes too: a deleted experiment protects nothing
    assert ids(decisions.deleting) == ['e4', 'e2']
    assert decisions.diff()['after'] == dict(experiments=['run-5', 'run-3', 'run-1'])


def test_a_cycle_of_parents_ends_and_keeps_each_once():
    # e3 (kept) -> e2 -> e1 -> e2 ...: a loop in the data must not hang the walk
    listed = [run(3, 1, parent=2), run(2, 2, parent=1), run(1, 3, parent=2)]

    decisions = prune(listed)

    assert decisions.deleting == []
    assert reasons(decisions.kept) == {'e3': 'among the newest 1 (keep: 1)',
                                       'e2': "parent of kept experiment 'run-3' (id e3)",
                                       'e1': "parent of kept experiment 'run-2' (id e2)"}


def test_a_cycle_that_no_kept_experiment_reaches_is_deleted():
    listed = [run(3, 1), run(2, 2, parent=1), run(1, 3, parent=2), run(4, 4, parent=4)]  # e4 names itself

    assert ids(prune(listed).deleting) == ['e2', 'e1', 'e4']


def test_a_long_chain_is_walked_to_its_end():
    listed = [run(number, number, parent=number + 1) for number in range(1, 301)]  # e300 names e301, not listed

    decisions = prune(listed)

    assert decisions.deleting == [] and len(decisions.kept) == 300
    assert reasons(decisions.kept)['e300'] == "parent of kept experiment 'run-299' (id e299)"


def test_parents_that_are_not_listed_end_the_chain():
    listed = [run(2, 1, parent=9), run(1, 2, parent=None)]  # e9: another project's, or deleted already

    decisions = prune(listed)

    assert ids(decisions.kept) == ['e2'] and ids(decisions.deleting) == ['e1']


def test_experiments_outside_the_prune_keep_their_parents():
    other_name = run(7, 1, parent=2, name='smoke-7')     # another name: never deleted, so its baseline stays
    other_scope = run(8, 1, parent=1, dataset_id='d2')  # matches, but the task's filters leave it out
    listed = [other_name, other_scope, run(4, 1), run(3, 2), run(2, 3), run(1, 4), run(0, 5)]

    decisions = prune(listed, candidates=listed[2:])

    assert ids(decisions.kept) == ['e4', 'e2', 'e1']
    assert reasons(decisions.kept)['e2'] == "parent of kept experiment 'smoke-7' (id e7), which the prune does not match"
    assert reasons(decisions.kept)['e1'] == "parent of kept experiment 'run-8' (id e8), which the prune does not match"
    assert ids(decisions.deleting) == ['e3', 'e0']
    assert parent_reasons(listed, {'e3', 'e0'}, set()) == {}  # nothing names them


def test_the_first_kept_child_in_list_order_is_named():
    listed = [run(3, 1, parent=1), run(2, 2, parent=1), run(1, 3)]

    decisions = prune(listed, keep=2)

    assert reasons(decisions.kept)['e1'] == "parent of kept experiment 'run-3' (id e3)"


def test_an_experiment_without_a_name_is_named_by_id():
    listed = [dict(run(2, 1, parent=1), name=None), run(1, 2)]

    assert parent_reasons(listed, {'e1'}, {'e1'}) == {'e1': 'parent of kept experiment e2, which the prune does not match'}


# ---------------------------------------------------------------- runs in progress


def test_a_running_experiment_is_kept_whatever_its_age_and_keeps_its_parent():
    listed = [run(3, 1), run(2, 400, parent=1, status='running'), run(1, 500)]

    decisions = prune(listed, keep=0)

    assert ids(decisions.deleting) == ['e3']
    assert reasons(decisions.kept) == {'e2': RUNNING_REASON, 'e1': "parent of kept experiment 'run-2' (id e2)"}
    assert RUNNING_REASON == 'running: a prune never deletes a run in progress'


def test_failed_and_interrupted_runs_follow_the_rules():
    listed = [run(3, 1), run(2, 2, status='failed', error='boom'), run(1, 3, status='interrupted')]

    assert ids(prune(listed).deleting) == ['e2', 'e1']


def test_a_run_kept_by_the_rules_keeps_the_rules_reason():
    listed = [run(1, 1, status='running')]

    assert reasons(prune(listed).kept) == {'e1': 'among the newest 1 (keep: 1)'}


# ---------------------------------------------------------------- scope


def test_in_scope_by_project_dataset_and_logical_name():
    item = run(1, 1)

    assert in_scope(item, 'p1') and in_scope(item, 'p1', 'd1', 'nightly')
    assert not in_scope(item, 'p2')                    # a server that ignored the project filter
    assert in_scope(dict(item, project_id=None), 'p1')
    assert not in_scope(item, 'p1', dataset_id='d2')
    assert not in_scope(item, 'p1', logical_name='Nightly')
    assert not in_scope(dict(item, experiment=None), 'p1', logical_name='nightly')


def test_a_run_whose_status_is_not_given_is_kept_as_maybe_in_progress():
    from ansible_collections.llmobs.datadog.plugins.module_utils._experiment_prune import UNKNOWN_STATUS_REASON
    decisions = prune([run(1, 40, status=None), run(2, 50)], keep=0)

    assert [item['id'] for item in decisions.deleting] == ['e2']
    assert [(item['id'], item['reason']) for item in decisions.kept] == [('e1', UNKNOWN_STATUS_REASON)]


def test_an_entry_without_the_filtered_field_is_in_scope_only_when_the_filtered_list_holds_it():
    from ansible_collections.llmobs.datadog.plugins.module_utils._experiment_prune import in_scope, lacks_scope_fields
    bare = dict(run(1, 40), dataset_id=None, experiment=None)

    assert lacks_scope_fields(bare, dataset_id='d1') and lacks_scope_fields(bare, logical_name='qa')
    assert not lacks_scope_fields(bare)
    assert in_scope(bare, 'p1', dataset_id='d1', vouched={bare['id']})
    assert not in_scope(bare, 'p1', dataset_id='d1', vouched=set())
    assert not in_scope(dict(bare, dataset_id='d2'), 'p1', dataset_id='d1', vouched={bare['id']})
