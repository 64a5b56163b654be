# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The rules every prune shares, as pure functions: items, rules and a fixed time in, decisions out.

The datasets' words are the default kind; the experiments' words are tested at the end. Each module's guard is
tested in its own file (test_dataset_prune.py, test_experiment_prune.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._prune import (
    DATASETS,
    EXPERIMENTS,
    NAMED_IN_MESSAGE,
    NO_RULE,
    Duration,
    Rules,
    age_text,
    check_rules,
    decide,
    matches,
    parse_duration,
    parse_time,
    partial_failure,
)

DAY = 86400
NOW = parse_time('2026-11-25T12:00:00+00:00')


def ago(seconds):
    """The ISO time ``seconds`` before NOW, as the API writes it."""
    import datetime
    moment = datetime.datetime(2026, 11, 25, 12, 0, 0, tzinfo=datetime.timezone.utc) - datetime.timedelta(seconds=seconds)
    return moment.isoformat()


def item(dataset_id, name, created_at):
    return dict(id=dataset_id, name=name, created_at=created_at)


def copies(*ages_in_days):
    """Datasets release-1, release-2, ... created that many days before NOW (ids d1, d2, ...)."""
    return [item('d%d' % number, 'release-%d' % number, ago(days * DAY)) for number, days in enumerate(ages_in_days, 1)]


def names(entries):
    return [entry['name'] for entry in entries]


def reasons(entries):
    return dict((entry['name'], entry['reason']) for entry in entries)


def params(**overrides):
    values = dict(name_pattern='release-*', keep=None, older_than=None)
    values.update(overrides)
    return values


# ---------------------------------------------------------------- durations and times


@pytest.mark.parametrize('text, seconds', [
    ('45s', 45), ('90m', 5400), ('12h', 43200), ('30d', 30 * DAY), ('8w', 56 * DAY), (' 30 d ', 30 * DAY), ('0d', 0),
])
def test_durations(text, seconds):
    assert parse_duration(text, 'older_than').seconds == seconds


@pytest.mark.parametrize('text', ['30', '30D', '1.5d', '-3d', '3 days', '1d12h', 'd', '', None, '3mo'])
def test_a_duration_that_is_not_one_names_the_option(text):
    with pytest.raises(ValidationError) as error:
        parse_duration(text, 'protect_used_within')
    assert error.value.message.startswith('protect_used_within must be a duration, a whole number and a unit')
    assert '(got %r)' % (text,) in error.value.message


@pytest.mark.parametrize('text, expected', [
    ('2026-11-25T12:00:00+00:00', NOW),
    ('2026-11-25T12:00:00Z', NOW),
    ('2026-11-25T12:00:00', NOW),                      # no offset: UTC, the API's zone
    ('2026-11-25T12:00:00.250Z', NOW + 0.25),
    ('2026-11-25T12:00:00.123456789+00:00', NOW + 0.123456),
    ('2026-11-25T14:00:00+02:00', NOW),
    ('2026-11-25T07:00:00-0500', NOW),
    ('2026-11-25 12:00:00+00', NOW),
    ('2026-11-25', NOW - 12 * 3600),
])
def test_times_the_api_may_write(text, expected):
    assert parse_time(text) == pytest.approx(expected)


@pytest.mark.parametrize('text', [None, '', 'yesterday', '2026-13-01T00:00:00Z', '2026-11-25T25:00:00Z',
                                  '2026-11-25T12:00:00+25:00', 1764072000, '25/11/2026'])
def test_unreadable_times_are_none(text):
    assert parse_time(text) is None


@pytest.mark.parametrize('seconds, text', [
    (0, '0 seconds'), (1, '1 second'), (59, '59 seconds'), (60, '1 minute'), (100 * 60, '1 hour 40 minutes'),
    (3600, '1 hour'), (2 * DAY + 3 * 3600, '2 days 3 hours'), (40 * DAY + 5 * 3600, '40 days'), (63 * DAY, '63 days'),
])
def test_ages_in_words(seconds, text):
    assert age_text(seconds) == text


# ---------------------------------------------------------------- the options


def test_check_rules_reads_every_option():
    rules = check_rules(params(keep=3, older_than='30d'))

    assert (rules.pattern, rules.keep, rules.older_than.seconds, rules.older_than.text) == ('release-*', 3, 30 * DAY, '30d')
    assert rules.kind is DATASETS


def test_keep_0_alone_is_a_rule():
    rules = check_rules(params(keep=0))
    assert rules.keep == 0 and rules.older_than is None


@pytest.mark.parametrize('overrides, message', [
    (dict(), NO_RULE),
    (dict(name_pattern='  '), 'name_pattern must not be blank'),
    (dict(name_pattern=None, keep=1), 'name_pattern must not be blank'),
    (dict(keep=-1), 'keep must be 0 or more (got -1)'),
    (dict(older_than='0d'), "older_than must be longer than 0 (got '0d'): to delete every match, set keep: 0"),
    (dict(older_than='30 days'), 'older_than must be a duration'),
], ids=['no-rule', 'blank-pattern', 'no-pattern', 'negative-keep', 'zero-age', 'bad-age'])
def test_bad_options_are_named(overrides, message):
    with pytest.raises(ValidationError) as error:
        check_rules(params(**overrides))
    assert error.value.message.startswith(message)


def test_the_missing_rule_names_both_options_and_the_way_to_delete_all():
    assert 'keep, older_than' in NO_RULE and 'set keep: 0' in NO_RULE


# ---------------------------------------------------------------- matching


def test_the_pattern_matches_whole_names_with_case():
    datasets = [item('a', 'eval-release-1', None), item('b', 'eval', None), item('c', 'Eval-release-2', None),
                item('d', 'old-eval-release-3', None), item('e', 'eval-release-', None), item('f', None, None),
                item('g', 'eval-release-10', None)]

    assert names(matches(datasets, 'eval-release-*')) == ['eval-release-1', 'eval-release-', 'eval-release-10']
    assert names(matches(datasets, 'eval-release-?')) == ['eval-release-1']
    assert names(matches(datasets, 'eval')) == ['eval']
    assert names(matches(datasets, '*release-[12]')) == ['eval-release-1', 'Eval-release-2']


def test_nothing_matches():
    decisions = decide(copies(100), Rules('other-*', keep=0), NOW)

    assert (decisions.matched, decisions.deleting, decisions.kept) == ([], [], [])
    assert decisions.diff() == dict(before=dict(datasets=[]), after=dict(datasets=[]))


# ---------------------------------------------------------------- the rules


def test_keep_keeps_the_newest_whatever_the_order_listed():
    decisions = decide(copies(5, 1, 40, 3, 100), Rules('release-*', keep=2), NOW)

    assert names(decisions.kept) == ['release-2', 'release-4']
    assert names(decisions.deleting) == ['release-1', 'release-3', 'release-5']
    assert reasons(decisions.kept)['release-2'] == 'among the newest 2 (keep: 2)'
    assert reasons(decisions.deleting)['release-5'] == 'outside the newest 2 (keep: 2)'
    assert decisions.matched == ['release-2', 'release-4', 'release-1', 'release-3', 'release-5']
    assert decisions.deleting[0] == dict(id='d1', name='release-1', created_at=ago(5 * DAY),
                                         reason='outside the newest 2 (keep: 2)')


def test_keep_beyond_the_matches_deletes_nothing():
    decisions = decide(copies(5, 1), Rules('release-*', keep=3), NOW)

    assert decisions.deleting == [] and names(decisions.kept) == ['release-2', 'release-1']


def test_keep_0_alone_deletes_every_dated_match():
    decisions = decide(copies(5, 1) + [item('u', 'release-x', None)], Rules('release-*', keep=0), NOW)

    assert names(decisions.deleting) == ['release-2', 'release-1']
    assert set(reasons(decisions.deleting).values()) == {'keep: 0 and no older_than: every match goes'}
    assert names(decisions.kept) == ['release-x']


def test_older_than_deletes_only_what_is_older():
    decisions = decide(copies(31, 29, 30, 90), Rules('release-*', older_than=Duration('30d', 30 * DAY)), NOW)

    assert names(decisions.deleting) == ['release-1', 'release-4']
    # exactly 30 days old is not older than 30d
    assert reasons(decisions.kept) == {'release-2': 'created 29 days ago, not older than 30d (older_than)',
                                       'release-3': 'created 30 days ago, not older than 30d (older_than)'}
    assert reasons(decisions.deleting)['release-4'] == 'created 90 days ago, older than 30d (older_than)'


def test_keep_and_older_than_delete_only_outside_the_newest_and_old():
    rules = Rules('release-*', keep=2, older_than=Duration('30d', 30 * DAY))
    decisions = decide(copies(100, 90, 45, 10, 5), rules, NOW)

    assert reasons(decisions.kept) == {'release-5': 'among the newest 2 (keep: 2)',
                                       'release-4': 'among the newest 2 (keep: 2)'}
    assert reasons(decisions.deleting) == {
        'release-3': 'outside the newest 2 (keep: 2) and created 45 days ago, older than 30d (older_than)',
        'release-2': 'outside the newest 2 (keep: 2) and created 90 days ago, older than 30d (older_than)',
        'release-1': 'outside the newest 2 (keep: 2) and created 100 days ago, older than 30d (older_than)'}


def test_keep_and_older_than_keep_what_is_recent_beyond_the_newest():
    rules = Rules('release-*', keep=1, older_than=Duration('30d', 30 * DAY))
    decisions = decide(copies(100, 2, 1), rules, NOW)

    assert reasons(decisions.kept) == {'release-3': 'among the newest 1 (keep: 1)',
                                       'release-2': 'created 2 days ago, not older than 30d (older_than)'}
    assert names(decisions.deleting) == ['release-1']


def test_old_datasets_among_the_newest_are_kept():
    rules = Rules('release-*', keep=3, older_than=Duration('1d', DAY))
    assert decide(copies(400, 300, 200), rules, NOW).deleting == []


def test_keep_0_with_older_than_is_older_than_alone():
    decisions = decide(copies(40, 2), Rules('release-*', keep=0, older_than=Duration('30d', 30 * DAY)), NOW)

    assert reasons(decisions.deleting) == {'release-1': 'created 40 days ago, older than 30d (older_than)'}


def test_ties_in_created_at_are_ranked_by_name_then_id():
    same = ago(10 * DAY)
    datasets = [item('z2', 'release-b', same), item('z1', 'release-b', same), item('y', 'release-a', same),
                item('x', 'release-c', ago(20 * DAY))]

    decisions = decide(datasets, Rules('release-*', keep=2), NOW)

    assert [entry['id'] for entry in decisions.kept] == ['y', 'z1']
    assert [entry['id'] for entry in decisions.deleting] == ['z2', 'x']
    # the same whatever order the list came in
    reordered = decide(list(reversed(datasets)), Rules('release-*', keep=2), NOW)
    assert [entry['id'] for entry in reordered.kept] == ['y', 'z1']


def test_times_in_other_zones_are_ranked_by_the_instant():
    datasets = [item('a', 'release-a', '2026-11-20T10:00:00+02:00'), item('b', 'release-b', '2026-11-20T09:30:00Z')]

    assert names(decide(datasets, Rules('release-*', keep=1), NOW).kept) == ['release-b']


def test_missing_or_unreadable_created_at_is_kept_and_takes_no_place_among_the_newest():
    datasets = copies(50, 40) + [item('n', 'release-none', None), item('e', 'release-empty', ''),
                                 item('g', 'release-garbled', 'last tuesday')]

    decisions = decide(datasets, Rules('release-*', keep=1), NOW)

    assert names(decisions.kept) == ['release-2', 'release-empty', 'release-garbled', 'release-none']
    assert names(decisions.deleting) == ['release-1']
    assert reasons(decisions.kept)['release-none'] == 'no created_at: its age is unknown, so it is kept'
    assert reasons(decisions.kept)['release-empty'] == 'no created_at: its age is unknown, so it is kept'
    assert reasons(decisions.kept)['release-garbled'] == ("created_at 'last tuesday' is not a time the module can "
                                                          "read: its age is unknown, so it is kept")
    assert decisions.matched[-3:] == ['release-empty', 'release-garbled', 'release-none']


def test_a_created_at_ahead_of_the_clock_is_recent():
    ahead = item('f', 'release-future', '2026-11-25T12:05:00Z')
    decisions = decide([ahead], Rules('release-*', older_than=Duration('1h', 3600)), NOW)

    assert reasons(decisions.kept) == {
        'release-future': 'created 5 minutes from now (the clocks differ), not older than 1h (older_than)'}


def test_the_diff_shows_the_matches_before_and_what_remains_after():
    decisions = decide(copies(100, 1, 50), Rules('release-*', keep=1), NOW)

    assert decisions.diff() == dict(before=dict(datasets=['release-2', 'release-3', 'release-1']),
                                    after=dict(datasets=['release-2']))


# ---------------------------------------------------------------- messages


WHERE = "in project 'demo' (id p1)"


def test_outcome_of_each_case():
    none = decide([], Rules('release-*', keep=1), NOW)
    assert none.outcome('release-*', WHERE, False) == (
        "No dataset in project 'demo' (id p1) matches name_pattern 'release-*'; nothing to do.",
        'datasets matching release-*: none')

    all_kept = decide(copies(1, 2), Rules('release-*', keep=5), NOW)
    assert all_kept.outcome('release-*', WHERE, False) == (
        "Kept the 2 datasets matching 'release-*' in project 'demo' (id p1); nothing to delete.",
        'datasets matching release-*: 2 kept, none deleted')

    some = decide(copies(1, 2, 3), Rules('release-*', keep=1), NOW)
    assert some.outcome('release-*', WHERE, False) == (
        "Deleted 2 datasets matching 'release-*' in project 'demo' (id p1): 'release-2' (id d2), 'release-3' (id d3); "
        "kept 1.", 'datasets matching release-*: 2 deleted, 1 kept')
    assert some.outcome('release-*', WHERE, True) == (
        "Would delete 2 datasets matching 'release-*' in project 'demo' (id p1): 'release-2' (id d2), 'release-3' "
        "(id d3); would keep 1 (check mode: nothing was sent).", 'datasets matching release-*: 2 would be deleted, 1 kept')


def test_a_long_list_is_cut_in_the_message():
    many = decide(copies(*range(1, NAMED_IN_MESSAGE + 4)), Rules('release-*', keep=0), NOW)

    message, dummy = many.outcome('release-*', WHERE, False)

    assert message.count("(id d") == NAMED_IN_MESSAGE and "'release-10' (id d10)" in message and message.endswith(', and 3 more; kept 0.')


def test_partial_failure_says_what_went_and_what_did_not():
    going = decide(copies(10, 20, 30), Rules('release-*', keep=0), NOW).deleting

    assert partial_failure('Deleting dataset x failed: HTTP 500. ', going[:1], going[1:]) == (
        "Deleting dataset x failed: HTTP 500. Deleted by this task before it failed: 'release-1' (id d1). Not deleted: "
        "'release-2' (id d2), 'release-3' (id d3). Run the task again to finish: the rules are applied anew to what "
        "is left.")
    assert partial_failure('Boom.', [], going).startswith('Boom. This task deleted no dataset before it failed. Not deleted: ')
    # What a call whose outcome is unknown may have deleted is not said to be left.
    assert partial_failure('Boom.', going[:1], going[2:], maybe_deleted=going[1:2]) == (
        "Boom. Deleted by this task before it failed: 'release-1' (id d1). Maybe deleted (the outcome of the request "
        "that failed is unknown): 'release-2' (id d2). Not deleted: 'release-3' (id d3). Run the task again to "
        "finish: the rules are applied anew to what is left.")


# ---------------------------------------------------------------- check mode: datasets an earlier task plans


def test_a_planned_dataset_counts_as_made_now():
    planned = dict(id=None, name='release-new', created_at=None, planned=True)
    decisions = decide(copies(10, 20) + [planned], Rules('release-*', keep=2), NOW)

    assert names(decisions.kept) == ['release-new', 'release-1']
    assert names(decisions.deleting) == ['release-2']
    assert decisions.kept[0] == dict(id=None, name='release-new', created_at=None, reason=(
        'not created yet (an earlier task of this run would create it), counted as created now: among the newest 2 '
        '(keep: 2)'))


def test_a_planned_dataset_that_the_rules_delete_is_named_as_not_created_yet():
    planned = dict(id=None, name='release-new', created_at=None, planned=True)
    decisions = decide([planned], Rules('release-*', keep=0), NOW)

    assert names(decisions.deleting) == ['release-new']
    assert decisions.outcome('release-*', WHERE, True)[0] == (
        "Would delete 1 dataset matching 'release-*' in project 'demo' (id p1): 'release-new' (not created yet); would "
        "keep 0 (check mode: nothing was sent).")


# ---------------------------------------------------------------- what a guard keeps


def test_keeping_moves_what_the_guard_names_after_the_rules_own():
    decisions = decide(copies(100, 90, 1, 50), Rules('release-*', keep=1), NOW)

    guarded = decisions.keeping(lambda entry: 'why %s' % entry['id'] if entry['id'] in ('d1', 'd4') else None)

    assert names(guarded.deleting) == ['release-2']
    assert reasons(guarded.kept) == {'release-3': 'among the newest 1 (keep: 1)', 'release-4': 'why d4',
                                     'release-1': 'why d1'}
    assert names(guarded.kept) == ['release-3', 'release-4', 'release-1']  # in the order of deleting
    assert guarded.matched == decisions.matched and guarded.kind is DATASETS
    assert names(decisions.deleting) == ['release-4', 'release-2', 'release-1']  # unchanged


# ---------------------------------------------------------------- the words of experiments


def test_the_options_of_an_experiment_prune_speak_of_experiments():
    with pytest.raises(ValidationError) as blank:
        check_rules(params(name_pattern=''), EXPERIMENTS)
    with pytest.raises(ValidationError) as negative:
        check_rules(params(keep=-1), EXPERIMENTS)
    with pytest.raises(ValidationError) as no_rule:
        check_rules(params(), EXPERIMENTS)

    assert blank.value.message == ('name_pattern must not be blank: give a shell-style pattern of whole experiment '
                                   'names, such as nightly-eval-*.')
    assert negative.value.message == ('keep must be 0 or more (got -1): it is how many of the newest matching '
                                      'experiments are never deleted.')
    assert no_rule.value.message == ('Give keep, older_than or both: with neither, every experiment matching '
                                     'name_pattern would be deleted. To delete every match, set keep: 0.')
    assert check_rules(params(keep=2), EXPERIMENTS).kind is EXPERIMENTS


def runs(*ages_in_days):
    """Experiments run-1, run-2, ... created that many days before NOW (ids e1, e2, ...), each run on d1."""
    return [dict(id='e%d' % number, name='run-%d' % number, created_at=ago(days * DAY), experiment='nightly',
                 dataset_id='d1', parent_experiment_id=None, status='completed', description='not in the result')
            for number, days in enumerate(ages_in_days, 1)]


def test_experiment_entries_carry_their_kind_s_facts():
    decisions = decide(runs(3, 1) + [dict(runs(9)[0], id='e9', name='run-9', created_at=None)],
                       Rules('run-*', keep=1, kind=EXPERIMENTS), NOW)

    assert decisions.kept[0] == dict(id='e2', name='run-2', created_at=ago(DAY), experiment='nightly', dataset_id='d1',
                                     parent_experiment_id=None, status='completed', reason='among the newest 1 (keep: 1)')
    assert decisions.kept[1]['reason'] == 'no created_at: its age is unknown, so it is kept'
    assert decisions.kept[1]['status'] == 'completed'
    assert decisions.deleting == [dict(id='e1', name='run-1', created_at=ago(3 * DAY), experiment='nightly',
                                       dataset_id='d1', parent_experiment_id=None, status='completed',
                                       reason='outside the newest 1 (keep: 1)')]


def test_experiment_messages_diff_and_failure_speak_of_experiments():
    rules = Rules('run-*', keep=1, kind=EXPERIMENTS)
    some = decide(runs(1, 2, 3), rules, NOW)

    assert some.diff() == dict(before=dict(experiments=['run-1', 'run-2', 'run-3']), after=dict(experiments=['run-1']))
    assert some.outcome('run-*', WHERE, True) == (
        "Would delete 2 experiments matching 'run-*' in project 'demo' (id p1): 'run-2' (id e2), 'run-3' (id e3); "
        "would keep 1 (check mode: nothing was sent).", 'experiments matching run-*: 2 would be deleted, 1 kept')
    assert some.outcome('run-*', WHERE, False)[1] == 'experiments matching run-*: 2 deleted, 1 kept'
    assert decide(runs(1), Rules('run-*', keep=3, kind=EXPERIMENTS), NOW).outcome('run-*', WHERE, False) == (
        "Kept the 1 experiment matching 'run-*' in project 'demo' (id p1); nothing to delete.",
        'experiments matching run-*: 1 kept, none deleted')
    assert decide([], rules, NOW).outcome('run-*', WHERE, False) == (
        "No experiment in project 'demo' (id p1) matches name_pattern 'run-*'; nothing to do.",
        'experiments matching run-*: none')
    assert partial_failure('Boom.', [], some.deleting, EXPERIMENTS).startswith(
        "Boom. This task deleted no experiment before it failed. Not deleted: 'run-2' (id e2), 'run-3' (id e3).")
