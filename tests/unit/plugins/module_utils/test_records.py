# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The records resource without a module: reading both shapes, planning, packing batches, messages and diffs."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import difflib
import json

from ansible_collections.llmobs.datadog.plugins.module_utils._jsonl_output import jsonl_lines
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import dataset_as_given
from ansible_collections.llmobs.datadog.plugins.module_utils._record_readers import from_list
from ansible_collections.llmobs.datadog.plugins.module_utils._records import record_view
from ansible_collections.llmobs.datadog.plugins.module_utils._records_batches import (
    BATCH_MAX_BYTES,
    Change,
    pack_batches,
    planned_changes,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._records_plan import plan_sync
from ansible_collections.llmobs.datadog.plugins.module_utils._records_results import records_diff, sync_counts, sync_message
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import PROJECT, make_api
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    RECORDS_DATASET,
    batch_update,
    record,
    records_page,
)


def views(items):
    """Records as the API lists them, as the planner reads them."""
    return [record_view(item) for item in items]


# ---------------------------------------------------------------- reading


def test_record_view_reads_the_live_nested_shape():
    item = record('r1', {'q': 1}, 'A', {'m': 1}, ['b:2', 'a:1'])
    assert record_view(item) == {'id': 'r1', 'input': {'q': 1}, 'expected_output': 'A', 'metadata': {'m': 1},
                                 'tags': ['a:1', 'b:2']}


def test_record_view_reads_the_flat_shape_and_fills_defaults():
    assert record_view({'id': 'r2', 'input': 'x'}) == {'id': 'r2', 'input': 'x', 'expected_output': None,
                                                       'metadata': {}, 'tags': []}
    assert record_view({'id': 'r3', 'attributes': {'input': 'y', 'metadata': None, 'tags': None}})['metadata'] == {}


def test_record_view_ignores_what_it_does_not_know():
    item = record('r1', 'x', tags=['a:1', 7], author={'id': 'u'}, version=4)
    assert record_view(item)['tags'] == ['a:1']


def test_records_list_every_page(http):
    http.expect(records_page([record('a', 1)], after='c2'), records_page([record('b', 2)], cursor='c2'))
    assert [view['id'] for view in make_api().records.list(PROJECT, RECORDS_DATASET)] == ['a', 'b']


def test_records_list_of_a_version(http):
    http.expect(records_page([record('a', 1)], version=3))
    assert len(make_api().records.list(PROJECT, RECORDS_DATASET, version=3)) == 1


# ---------------------------------------------------------------- planning


def test_plan_by_id():
    declared = from_list([{'id': 'same', 'input': 1}, {'id': 'changed', 'input': 2, 'expected_output': 'new'},
                          {'id': 'new', 'input': 3}])
    listed = [record('same', 1), record('changed', 2, 'old'), record('other', 9)]
    plan = plan_sync(declared, views(listed), 'present', purge=False)
    assert plan.inserts == [2]
    assert plan.updates == [(1, 'changed', ['expected_output'])]
    assert plan.deletes == [] and plan.unchanged == 1 and plan.left_alone == 1
    assert plan.versioning is True


def test_plan_by_input_with_purge():
    declared = from_list([{'input': {'q': 1}, 'metadata': {'m': 2}}])
    listed = [record('srv-1', {'q': 1}, metadata={'m': 1}), record('srv-2', {'q': 2})]
    plan = plan_sync(declared, views(listed), 'present', purge=True)
    assert plan.updates == [(0, 'srv-1', ['metadata'])] and plan.deletes == ['srv-2']
    assert plan.versioning is True   # the delete makes it


def test_plan_of_metadata_only_makes_no_version():
    declared = from_list([{'id': 'a', 'input': 1, 'tags': ['t:1']}])
    plan = plan_sync(declared, views([record('a', 1)]), 'present', purge=False)
    assert plan.updates == [(0, 'a', ['tags'])] and plan.versioning is False


def test_plan_absent():
    declared = from_list([{'id': 'a'}, {'id': 'b'}], require_input=False)
    plan = plan_sync(declared, views([record('a', 1), record('c', 3)]), 'absent', purge=True)
    assert plan.deletes == ['a'] and plan.unchanged == 1 and plan.left_alone == 1 and plan.inserts == []


def test_plan_keeps_one_copy_of_a_duplicated_record():
    declared = from_list([{'input': 'q', 'expected_output': 'A'}])
    plan = plan_sync(declared, views([record('d1', 'q', 'A'), record('d2', 'q', 'B'), record('d3', 'q', 'A')]), 'present', False)
    assert plan.deletes == ['d2', 'd3'] and plan.duplicates == 2 and plan.unchanged == 1 and plan.updates == []


def test_plan_prefers_the_exact_copy_even_when_listed_second():
    declared = from_list([{'input': 'q', 'expected_output': 'A'}])
    plan = plan_sync(declared, views([record('d1', 'q', 'B'), record('d2', 'q', 'A')]), 'present', False)
    assert plan.deletes == ['d1'] and plan.updates == [] and plan.unchanged == 1


def test_plan_keeps_bodies_only_for_diffs():
    declared = from_list([{'id': 'a', 'input': 2}])
    listed = [record('a', 1)] + [record('x%d' % n, n) for n in range(30)]
    assert plan_sync(declared, views(listed), 'present', True).before == {}
    kept = plan_sync(declared, views(listed), 'present', True, keep_before=5).before
    # At most keep_before updates (the first declared) and keep_before deletes (the first listed).
    assert list(kept) == ['a', 'x0', 'x1', 'x2', 'x3', 'x4']
    updates = from_list([{'id': 'u%d' % n, 'input': n} for n in range(8)])
    kept = plan_sync(updates, views([record('u%d' % n, -n - 1) for n in reversed(range(8))]), 'present', False, keep_before=3).before
    assert sorted(kept) == ['u0', 'u1', 'u2']


def test_plan_reads_the_listing_once():
    consumed = []

    def listing():
        for item in [record('a', 1)]:
            consumed.append(item['id'])
            yield item

    plan_sync(from_list([{'id': 'a', 'input': 1}]), (record_view(item) for item in listing()), 'present', False)
    assert consumed == ['a']


# ---------------------------------------------------------------- batches


def _changes(count, size=10):
    return [Change('i', n, {'input': 'x' * size}, size + 20, True) for n in range(count)]


def test_batches_of_at_most_1000():
    assert [len(b) for b in pack_batches(_changes(2001), 200)] == [1000, 1000, 1]


def test_batches_under_5_mib():
    changes = _changes(11, size=1024 * 1024 - 20)
    packed = list(pack_batches(changes, 200))
    assert [len(b) for b in packed] == [4, 4, 3]
    assert all(b.size < BATCH_MAX_BYTES for b in packed)


def test_halves_of_a_batch_keep_every_change_once():
    batch_ = next(pack_batches(_changes(5), 200))
    first, second = batch_.halves()
    assert [c.key for c in first.changes] + [c.key for c in second.changes] == [0, 1, 2, 3, 4]


def test_changes_make_the_version_first():
    declared = from_list([{'id': 'meta', 'input': 1, 'metadata': {'a': 1}}, {'id': 'content', 'input': 2},
                          {'id': 'new', 'input': 3}])
    plan = plan_sync(declared, views([record('meta', 1), record('content', 'old'), record('gone', 0)]), 'present', True)
    order = [(change.kind, change.versioning) for change in planned_changes(declared, plan)]
    assert order == [('d', True), ('i', True), ('u', True), ('u', False)]


def test_sizes_are_the_json_sent():
    declared = from_list([{'id': 'a', 'input': u'caf\u00e9 \u2603', 'tags': ['t:1']}])
    plan = plan_sync(declared, views([]), 'present', False)
    (change,) = list(planned_changes(declared, plan))
    assert change.size == len(json.dumps(change.item)) + 2


# ---------------------------------------------------------------- a sync over HTTP


def test_sync_in_check_mode_sends_nothing(http):
    http.expect(records_page([record('a', 1)]))
    declared = from_list([{'id': 'a', 'input': 2}])
    plan, version_created = make_api().records.sync(PROJECT, RECORDS_DATASET, declared, check_mode=True)
    assert plan.updates == [(0, 'a', ['input'])] and version_created is True
    http.assert_no_write()


def test_sync_writes_and_reports_the_version(http):
    http.expect(records_page([]), batch_update(inserts=[{'id': 'a', 'input': 2}]))
    plan, version_created = make_api().records.sync(PROJECT, RECORDS_DATASET, from_list([{'id': 'a', 'input': 2}]))
    assert plan.inserts == [0] and version_created is True


# ---------------------------------------------------------------- messages and diffs


def test_messages():
    declared = from_list([{'id': 'a', 'input': 1}, {'id': 'b', 'input': 2}])
    plan = plan_sync(declared, views([record('a', 0), record('z', 9)]), 'present', False)
    assert sync_message('dataset ds-1', plan, 'present', False, False, True) == (
        'Dataset ds-1: 1 record created, 1 updated; 0 unchanged. A new dataset version was made. '
        '1 record not declared is left as it is (purge: false).')
    assert sync_message('dataset ds-1', plan, 'present', False, True, True).startswith(
        'Dataset ds-1: 1 record would be created, 1 updated; 0 unchanged. (check mode: nothing was sent)')
    same = plan_sync(declared, views([record('a', 1), record('b', 2)]), 'present', False)
    assert sync_message('dataset ds-1', same, 'present', False, False, False) == (
        'Dataset ds-1 already holds the 2 declared records; nothing to do.')
    assert sync_counts(same) == dict(created=0, updated=0, deleted=0, unchanged=2)


def test_messages_name_the_dataset_as_the_task_gave_it():
    declared = from_list([{'id': 'a', 'input': 1}])
    plan = plan_sync(declared, views([]), 'present', False)
    by_name = dataset_as_given({'dataset_name': 'support-questions', 'dataset_id': None}, 'ds-1')
    assert sync_message(by_name, plan, 'present', False, False, True).startswith(
        "Dataset 'support-questions' (id ds-1): 1 record created; 0 unchanged.")
    by_id = dataset_as_given({'dataset_name': None, 'dataset_id': 'ds-1'}, 'ds-1')
    assert sync_message(by_id, plan, 'present', False, False, True).startswith('Dataset ds-1: 1 record created')


def rendered(diff):
    """The diff as Ansible's callbacks print it with --diff (CallbackBase._get_diff: sorted JSON, indent 4, a unified
    diff with 3 lines of context, DIFF_CONTEXT). CallbackBase itself is not made here: it sets up the process's display."""
    def text(side):
        return json.dumps(side, sort_keys=True, indent=4, separators=(',', ': ')) + '\n'
    return ''.join(difflib.unified_diff(text(diff['before']).splitlines(True), text(diff['after']).splitlines(True),
                                        fromfile='before: ' + diff['before_header'], tofile='after: ' + diff['after_header'],
                                        n=3))


def changed_lines(text):
    """The added and removed lines of a rendered diff, without the commas that only say a line is not the last."""
    return [line.rstrip(',') for line in text.splitlines() if line[:1] in '+-' and not line.startswith(('---', '+++'))]


def test_a_diff_pairs_records_by_id_and_shows_only_what_changes():
    declared = from_list([
        {'id': 'q-0100', 'input': 'same', 'expected_output': 'kept'},
        {'id': 'q-0200', 'input': 'refund?', 'expected_output': '60 days', 'metadata': {'level': 1.0}},
        {'id': 'q-0302', 'input': {'question': 'cancel?'}, 'tags': ['topic:billing']},
    ])
    server = views([record('q-0100', 'same', 'kept'), record('q-0200', 'refund?', '30 days', {'level': 1}),
                    record('q-0150', 'gone', 'bye')])
    plan = plan_sync(declared, server, 'present', True, keep_before=20)
    diff = records_diff(declared, plan, "dataset 'support-questions' (id ds-1)", sync_counts(plan))

    assert diff['before']['records'] == {
        '[q-0150] input': 'gone', '[q-0150] expected_output': 'bye',
        '[q-0200] expected_output': '30 days',
    }
    assert diff['after']['records'] == {
        '[q-0200] expected_output': '60 days',
        '[q-0302] input': {'question': 'cancel?'}, '[q-0302] tags': ['topic:billing'],
    }
    assert diff['before_header'] == "records of dataset 'support-questions' (id ds-1) (all 3 changes)"
    lines = changed_lines(rendered(diff))
    # The updated record pairs with itself: its one changed field, nothing else of it.
    assert '-        "[q-0200] expected_output": "30 days"' in lines
    assert '+        "[q-0200] expected_output": "60 days"' in lines
    assert not any('refund?' in line or 'level' in line for line in lines)
    # The created record only after, the deleted one only before; no line speaks of two records.
    assert [line for line in lines if 'q-0302' in line] == ['+        "[q-0302] input": {', '+        "[q-0302] tags": [']
    assert [line for line in lines if 'q-0150' in line] == ['-        "[q-0150] expected_output": "bye"',
                                                            '-        "[q-0150] input": "gone"']
    assert not any('"id"' in line or 'null' in line or 'q-0100' in line for line in lines)


def test_a_diff_of_records_without_ids_keys_them_by_input_and_shows_no_null_id():
    declared = from_list([{'input': 'kept', 'expected_output': 'new answer'}, {'input': 'new'}])
    plan = plan_sync(declared, views([record('srv-1', 'kept', 'old answer'), record('srv-2', 'old')]), 'present', True,
                     keep_before=20)
    diff = records_diff(declared, plan, 'dataset ds-1', sync_counts(plan))

    assert diff['after']['records'] == {
        '[kept] expected_output': 'new answer', '[kept] id': 'srv-1',
        '[new] input': 'new',
    }
    assert diff['before']['records'] == {
        '[kept] expected_output': 'old answer', '[kept] id': 'srv-1',
        '[srv-2] input': 'old',
    }
    text = rendered(diff)
    assert 'null' not in text
    lines = changed_lines(text)
    assert '-        "[kept] expected_output": "old answer"' in lines and '+        "[kept] expected_output": "new answer"' in lines
    assert '\n         "[kept] id": "srv-1",' in '\n' + text  # unchanged: context, not a change


def test_a_long_input_is_cut_in_its_key_and_told_apart_by_its_digest():
    first, second = {'question': 'x' * 100 + '1'}, {'question': 'x' * 100 + '2'}
    declared = from_list([{'input': first}, {'input': second}])
    plan = plan_sync(declared, views([]), 'present', False)
    keys = sorted(records_diff(declared, plan, 'dataset ds-1', sync_counts(plan))['after']['records'])
    assert len(keys) == 2 and keys[0] != keys[1]
    assert all(key.startswith('[{"question":"xxx') and key.endswith('] input') and len(key) < 110 for key in keys)


def test_a_diff_shows_the_first_changes_and_says_how_many_in_all():
    declared = from_list([{'id': 'r%02d' % n, 'input': n} for n in range(30)])
    plan = plan_sync(declared, views([record('old-%d' % n, n) for n in range(5)]), 'present', True, keep_before=20)
    diff = records_diff(declared, plan, 'dataset ds-1', sync_counts(plan), limit=20)
    assert sorted(diff['after']['records']) == ['[r%02d] input' % n for n in range(20)]
    assert diff['before']['records'] == {}
    assert diff['after_header'] == 'records of dataset ds-1 (the first 20 of 35 changes)'
    assert diff['after']['changes'] == dict(created=30, updated=0, deleted=5, unchanged=0)


def test_a_diff_of_deletes_only_shows_them_before():
    declared = from_list([{'id': 'a'}], require_input=False)
    plan = plan_sync(declared, views([record('a', 1, tags=['k:v'])]), 'absent', False, keep_before=20)
    diff = records_diff(declared, plan, 'dataset ds-1', sync_counts(plan))
    assert diff['before']['records'] == {'[a] input': 1, '[a] tags': ['k:v']}
    assert diff['after']['records'] == {}


def test_jsonl_lines_are_sorted_by_id():
    views = [record_view(record('b', 2)), record_view(record('a', 1))]
    assert [json.loads(line)['id'] for line in jsonl_lines(views)] == ['a', 'b']
