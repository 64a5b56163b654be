# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The guard of llmobs_dataset_prune (protect_used_within) as pure functions; the shared rules are in test_prune.py."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._dataset_prune import check_options, guarded, recent_use
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._prune import Duration, Rules, decide, parse_time

DAY = 86400
NOW = parse_time('2026-11-25T12:00:00+00:00')


def ago(seconds):
    """The ISO time ``seconds`` before NOW, as the API writes it."""
    moment = datetime.datetime(2026, 11, 25, 12, 0, 0, tzinfo=datetime.timezone.utc) - datetime.timedelta(seconds=seconds)
    return moment.isoformat()


def copies(*ages_in_days):
    """Datasets release-1, release-2, ... created that many days before NOW (ids d1, d2, ...)."""
    return [dict(id='d%d' % number, name='release-%d' % number, created_at=ago(days * DAY))
            for number, days in enumerate(ages_in_days, 1)]


def names(entries):
    return [entry['name'] for entry in entries]


def reasons(entries):
    return dict((entry['name'], entry['reason']) for entry in entries)


def params(**overrides):
    values = dict(name_pattern='release-*', keep=None, older_than=None, protect_used_within='30d')
    values.update(overrides)
    return values


# ---------------------------------------------------------------- the option


def test_check_options_reads_the_rules_then_the_window():
    rules, window = check_options(params(keep=3, older_than='30d', protect_used_within='14d'))

    assert (rules.pattern, rules.keep, rules.older_than.seconds, window.seconds) == ('release-*', 3, 30 * DAY, 14 * DAY)
    assert (rules.older_than.text, window.text) == ('30d', '14d')


@pytest.mark.parametrize('off', ['0', '0d', ' 0 ', '0s'])
def test_protect_used_within_0_turns_the_guard_off(off):
    assert check_options(params(keep=1, protect_used_within=off))[1] is None


@pytest.mark.parametrize('overrides, message', [
    (dict(keep=1, protect_used_within='forever'), 'protect_used_within must be a duration'),
    (dict(keep=1, protect_used_within=None), 'protect_used_within must be a duration'),
    # the shared rules are checked first
    (dict(protect_used_within='forever'), 'Give keep, older_than or both'),
], ids=['bad-guard', 'null-guard', 'rules-first'])
def test_bad_options_are_named(overrides, message):
    with pytest.raises(ValidationError) as error:
        check_options(params(**overrides))
    assert error.value.message.startswith(message)


# ---------------------------------------------------------------- the guard


def experiment(experiment_id, created_at, name='nightly', dataset_id='d1'):
    return dict(id=experiment_id, name=name, dataset_id=dataset_id, created_at=created_at)


GUARD = Duration('30d', 30 * DAY)


def test_a_recent_experiment_keeps_a_dataset_naming_the_newest():
    uses = [experiment('e1', ago(20 * DAY)), experiment('e2', ago(3 * DAY), name='smoke'), experiment('e0', ago(60 * DAY))]

    assert recent_use('d1', uses, GUARD, NOW) == ("used by experiment 'smoke' (id e2) created 3 days ago, within 30d "
                                                  "(protect_used_within)")


def test_only_old_experiments_do_not_keep_it():
    assert recent_use('d1', [experiment('e1', ago(31 * DAY)), experiment('e2', ago(400 * DAY))], GUARD, NOW) is None
    assert recent_use('d1', [], GUARD, NOW) is None


def test_an_experiment_exactly_at_the_window_keeps_it():
    assert recent_use('d1', [experiment('e1', ago(30 * DAY))], GUARD, NOW) is not None


def test_an_experiment_of_unreadable_time_keeps_it():
    reason = recent_use('d1', [experiment('e1', 'soon', name=None), experiment('e0', ago(90 * DAY))], GUARD, NOW)

    assert reason == "used by experiment e1, whose created_at 'soon' cannot be read: it may be recent (protect_used_within)"


def test_experiments_of_another_dataset_are_left_out_and_those_naming_none_count():
    assert recent_use('d1', [experiment('e1', ago(DAY), dataset_id='d9')], GUARD, NOW) is None
    assert recent_use('d1', [experiment('e1', ago(DAY), dataset_id=None)], GUARD, NOW) is not None


def test_guarded_moves_the_used_datasets_to_kept():
    decisions = decide(copies(100, 90, 1), Rules('release-*', keep=1), NOW)
    assert names(decisions.deleting) == ['release-2', 'release-1']

    kept_by_use = guarded(decisions, {'d1': [experiment('e1', ago(2 * DAY))],
                                      'd2': [experiment('e2', ago(80 * DAY), dataset_id='d2')]}, GUARD, NOW)

    assert names(kept_by_use.deleting) == ['release-2']
    assert names(kept_by_use.kept) == ['release-3', 'release-1']
    assert reasons(kept_by_use.kept)['release-1'].startswith("used by experiment 'nightly' (id e1) created 2 days ago")
    assert kept_by_use.diff()['after'] == dict(datasets=['release-3', 'release-1'])
    assert names(decisions.deleting) == ['release-2', 'release-1']  # the decisions before the guard are unchanged
