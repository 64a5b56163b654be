# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Comparing a dataset's current records with one version's, the diff of a restore, and its words.

The records resource is a stand-in that serves two lists (the version's and the current one) and counts the
records each read took, so that a test sees what was read, and how far.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._restore import (
    SAME_ID_SCAN,
    RecordsComparison,
    compare_with_version,
    restore_diff,
    restore_message,
    restore_summary,
)

VERSION = 3
LABEL = "dataset 'eval' (id ds-1)"


def view(record_id, input_value, expected_output=None, metadata=None, tags=()):
    """A record as ``_records.record_view`` shows it."""
    return dict(id=record_id, input=input_value, expected_output=expected_output, metadata=metadata or {},
                tags=sorted(tags))


class TwoLists(object):
    """Stands in for the records resource: version ``VERSION``'s records and the current ones."""

    def __init__(self, version_records, current_records):
        self.lists = {VERSION: version_records, None: current_records}
        self.reads = []   # (version, how many records the read took)

    def views(self, project_id, dataset_id, version=None, label=None):
        assert (project_id, dataset_id) == ('p-1', 'ds-1')
        self.reads.append([version, 0])
        read = self.reads[-1]
        for item in self.lists[version]:
            read[1] += 1
            yield item


def compare(version_records, current_records):
    records = TwoLists(version_records, current_records)
    return compare_with_version(records, 'p-1', 'ds-1', VERSION), records


def counts(comparison):
    counted = comparison.counts()
    return counted['added'], counted['updated'], counted['removed'], counted['unchanged']


# ---------------------------------------------------------------- equal as data


def test_records_equal_as_data_are_equal_whatever_their_ids_and_order():
    comparison, records = compare(
        [view('a', {'q': 'x', 'n': 1.0}, 'X', {'k': 1}, ['b:2', 'a:1']), view('b', 'plain', None, None)],
        # Another order, other ids, key order, 1 against 1.0, tag order, metadata {} against missing.
        [view('z', 'plain'), view('y', {'n': 1, 'q': 'x'}, 'X', {'k': 1.0}, ['a:1', 'b:2'])])
    assert comparison.equal and counts(comparison) == (0, 0, 0, 2)
    assert records.reads == [[VERSION, 2], [None, 2]]  # each list read once, the version first


def test_ids_that_swapped_contents_are_no_change():
    comparison, dummy = compare([view('a', 'one'), view('b', 'two')], [view('a', 'two'), view('b', 'one')])
    assert comparison.equal


def test_both_lists_empty_are_equal():
    comparison, dummy = compare([], [])
    assert comparison.equal and counts(comparison) == (0, 0, 0, 0)


# ---------------------------------------------------------------- differences, as multisets


def test_a_second_copy_counts():
    comparison, dummy = compare([view('a', 'same'), view('b', 'same')], [view('a', 'same')])
    assert not comparison.equal and counts(comparison) == (1, 0, 0, 1)
    assert [entry.id for entry in comparison.added] == ['b']
    comparison, dummy = compare([view('a', 'same')], [view('a', 'same'), view('c', 'same')])
    assert counts(comparison) == (0, 0, 1, 1) and [entry.id for entry in comparison.removed] == ['c']


def test_records_that_differ_pair_by_id_then_by_input_and_the_rest_come_back_or_go():
    comparison, dummy = compare(
        [view('kept', 'k'), view('r1', 'q1', 'old answer'), view('v-2', 'q2', 'A2'), view('gone', 'q3')],
        [view('kept', 'k'), view('r1', 'q1', 'new answer'), view('c-2', 'q2', 'other'), view('new', 'q4')])
    assert counts(comparison) == (1, 2, 1, 1)
    assert [(now.id, then.id) for now, then in comparison.updated] == [('r1', 'r1'), ('c-2', 'v-2')]
    assert [entry.id for entry in comparison.added] == ['gone']
    assert [entry.id for entry in comparison.removed] == ['new']


def test_an_id_paired_once_leaves_the_other_current_record_to_its_input():
    # Version N lists id 'a' once; the current list has a changed 'a' and a record with another id and a's input.
    comparison, dummy = compare([view('a', 'q', 'A')], [view('a', 'q', 'B'), view('b', 'q', 'C')])
    assert [(now.id, then.id) for now, then in comparison.updated] == [('a', 'a')]
    assert [entry.id for entry in comparison.removed] == ['b']


def test_copies_match_the_one_with_the_same_id_first():
    # Two equal records in the version; the current 'b' keeps its twin, so the changed 'a' pairs with the version's 'a'.
    comparison, dummy = compare([view('a', 'q'), view('b', 'q')], [view('b', 'q'), view('a', 'q', 'changed')])
    assert counts(comparison) == (0, 1, 0, 1)
    assert [(now.id, then.id) for now, then in comparison.updated] == [('a', 'a')]


def test_many_copies_cost_a_bounded_scan_each():
    many = SAME_ID_SCAN * 4
    comparison, dummy = compare([view('v%d' % n, 'q') for n in range(many)],
                                [view('c%d' % n, 'q') for n in range(many - 1)])
    assert counts(comparison) == (1, 0, 0, many - 1)


def test_records_without_ids_pair_by_input():
    comparison, dummy = compare([view(None, 'q', 'A')], [view(None, 'q', 'B')])
    assert counts(comparison) == (0, 1, 0, 0)


# ---------------------------------------------------------------- the diff


def test_the_diff_keys_each_record_and_reads_again_only_what_it_shows():
    version_records = [view('r1', 'q1', 'old'), view('v-2', 'q2', 'A2'), view('gone', 'q3', metadata={'m': 1}),
                       view('same', 's')]
    current_records = [view('same', 's'), view('r1', 'q1', 'new'), view('c-2', 'q2', 'A2', tags=['t:1']),
                       view('new', 'q4')]
    records = TwoLists(version_records, current_records)
    comparison = compare_with_version(records, 'p-1', 'ds-1', VERSION)

    diff = restore_diff(records, 'p-1', 'ds-1', VERSION, comparison, LABEL, 7)

    assert diff['before'] == {'records': {
        '[r1] expected_output': 'new',
        '[q2] tags': ['t:1'], '[q2] id': 'c-2',
        '[new] input': 'q4'}}
    assert diff['after'] == {'changes': {'added': 1, 'updated': 2, 'removed': 1, 'unchanged': 1}, 'records': {
        '[r1] expected_output': 'old',
        '[q2] tags': [], '[q2] id': 'v-2',
        '[gone] input': 'q3', '[gone] metadata': {'m': 1}}}
    assert diff['before_header'] == "records of dataset 'eval' (id ds-1), current version 7 (all 4 changes)"
    assert diff['after_header'] == "records of dataset 'eval' (id ds-1) as in version 3 (all 4 changes)"
    # The version's list again up to its third record (the last one shown), the current list again to its fourth.
    assert records.reads[2:] == [[VERSION, 3], [None, 4]]


def test_a_large_diff_shows_the_first_changes_and_says_how_many_there_are():
    records = TwoLists([view('v%d' % n, 'q%d' % n) for n in range(30)], [])
    comparison = compare_with_version(records, 'p-1', 'ds-1', VERSION)

    diff = restore_diff(records, 'p-1', 'ds-1', VERSION, comparison, LABEL, 4, limit=5)

    assert sorted(diff['after']['records']) == ['[v%d] input' % n for n in range(5)]
    assert diff['before']['records'] == {}
    assert diff['after_header'].endswith('(the first 5 of 30 changes)')
    assert records.reads[2:] == [[VERSION, 5]]  # the current list is not read again: none of it is shown


def test_an_equal_diff_reads_nothing_again():
    records = TwoLists([view('a', 'q')], [view('a', 'q')])
    comparison = compare_with_version(records, 'p-1', 'ds-1', VERSION)
    diff = restore_diff(records, 'p-1', 'ds-1', VERSION, comparison, LABEL, 4)
    assert diff['before'] == {'records': {}} and diff['after']['records'] == {}
    assert diff['before_header'].endswith('(no change)') and len(records.reads) == 2


# ---------------------------------------------------------------- words


def made(added=0, updated=0, removed=0, unchanged=0):
    comparison = RecordsComparison()
    comparison.added, comparison.removed = [None] * added, [None] * removed
    comparison.updated, comparison.unchanged = [None] * updated, unchanged
    return comparison


@pytest.mark.parametrize('comparison, check_mode, expected', [
    (made(unchanged=5), False, "Dataset 'eval' (id ds-1) already holds the records of version 3 (5 records); nothing "
                               "to do."),
    (made(2, 1, 1, 4), True, "Dataset 'eval' (id ds-1): restoring version 3: 2 records would come back, 1 would be "
                             "changed back, 1 would be removed; 4 unchanged (check mode: nothing was sent)."),
    (made(2, 1, 1, 4), False, "Dataset 'eval' (id ds-1): restored version 3: 2 records back, 1 changed back, 1 removed; "
                              "4 unchanged. Its current version is now 8."),
    (made(removed=1), False, "Dataset 'eval' (id ds-1): restored version 3: 1 record removed; 0 unchanged. Its current "
                             "version is now 8."),
])
def test_messages(comparison, check_mode, expected):
    assert restore_message(LABEL, VERSION, comparison, check_mode, 7, None if check_mode else 8, 30) == expected


def test_a_restore_that_did_not_show_says_so():
    assert restore_message(LABEL, VERSION, made(1), False, 7, None, 30).endswith(
        'The restore was accepted, but the current version had not moved past 7 after 30 seconds.')
    assert restore_message(LABEL, VERSION, made(1), False, None, None, 30).endswith(
        'The dataset reports no current version, so the module could not wait for the restore to show.')


def test_summaries():
    assert restore_summary('dataset eval', 3, made(unchanged=2), False) == 'dataset eval: records already as in version 3'
    assert restore_summary('dataset eval', 3, made(2, 1, 1), True) == 'dataset eval: would restore version 3, records +2 ~1 -1'
    assert restore_summary('dataset eval', 3, made(2000), False) == 'dataset eval: restored version 3, records +2,000 ~0 -0'
