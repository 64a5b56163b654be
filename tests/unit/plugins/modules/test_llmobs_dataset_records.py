# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""llmobs_dataset_records end to end inside the module: every test states the exact HTTP calls of a run."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest
import requests

from ansible_collections.llmobs.datadog.plugins.module_utils import _record_readers
from ansible_collections.llmobs.datadog.plugins.module_utils._planned import PLAN_ENV
from ansible_collections.llmobs.datadog.plugins.modules import llmobs_dataset_records
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import API_KEY, APP_KEY, PROJECT, PROJECT_NAME, warnings_of
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    RECORDS_DATASET,
    RECORDS_DATASET_NAME,
    batch_update,
    datasets_by_name,
    draft_state_document,
    get_draft_state,
    lock_draft,
    nobody_editing,
    projects_by_name,
    record,
    records_dataset,
    records_dataset_by_id,
    records_dataset_by_name,
    records_list,
    records_module_args,
    records_page,
    records_project_by_name,
    sent_batches,
    unlock_draft,
)

ERROR_500 = {'errors': [{'status': '500', 'title': 'Internal Server Error'}]}


def run(run_module, check_mode=False, diff=False, **args):
    return run_module(llmobs_dataset_records, records_module_args(**args), check_mode=check_mode, diff=diff)


def declared(count, prefix='q'):
    return [{'id': '%s-%d' % (prefix, n), 'input': {'question': 'Question %d?' % n},
             'expected_output': {'answer': 'Answer %d' % n}} for n in range(count)]


def as_listed(records):
    """Declared records as the server lists them once written."""
    return [record(r['id'], r['input'], r.get('expected_output'), r.get('metadata'), r.get('tags', ())) for r in records]


# ---------------------------------------------------------------- first load, no change, update


def test_first_load_inserts_everything_in_one_request_and_makes_one_version(http, run_module):
    wanted = declared(3)
    http.expect(
        records_page([]),
        nobody_editing(),
        batch_update(inserts=wanted, create=True),
        records_dataset_by_id(records_dataset(version=1)),
    )

    result, code, raw = run(run_module, records=wanted)

    assert code == 0, result
    assert result['changed'] is True
    assert (result['created'], result['updated'], result['deleted'], result['unchanged']) == (3, 0, 0, 0)
    assert result['version_created'] is True
    assert result['dataset']['current_version'] == 1
    assert result['project_id'] == PROJECT
    assert 'A new dataset version was made' in result['msg']
    assert result['summary'] == 'dataset eval-set: records +3 ~0 -0, new version'
    assert API_KEY not in raw and APP_KEY not in raw


def test_rerun_with_nothing_changed_sends_no_write(http, run_module):
    wanted = [
        {'id': 'a', 'input': {'q': 'x', 'n': 1.0}, 'expected_output': None, 'tags': ['b:2', 'a:1', 'a:1']},
        {'id': 'b', 'input': 'plain text', 'metadata': {}},
    ]
    http.expect(
        # Key order, 1 against 1.0, tag order, a null metadata and a missing expected_output are no difference.
        records_page([record('a', {'n': 1, 'q': 'x'}, None, None, ['a:1', 'b:2']),
                      record('b', 'plain text', shape='flat')]),
        records_dataset_by_id(records_dataset(version=4)),
    )

    result, code, dummy = run(run_module, records=wanted)

    assert code == 0, result
    assert result['changed'] is False
    assert (result['created'], result['updated'], result['deleted'], result['unchanged']) == (0, 0, 0, 2)
    assert result['version_created'] is False
    assert 'nothing to do' in result['msg']
    assert result['summary'] == 'dataset eval-set: records unchanged (2 declared records)'


def test_update_sends_only_the_fields_that_differ_content_first(http, run_module):
    wanted = [
        {'id': 'meta-only', 'input': 'a', 'expected_output': 'A', 'metadata': {'level': 2}},
        {'id': 'answer', 'input': 'b', 'expected_output': 'new B'},
        {'id': 'tags', 'input': 'c', 'tags': ['t:1']},
        {'id': 'same', 'input': 'd'},
    ]
    http.expect(
        records_page([record('meta-only', 'a', 'A', {'level': 1}), record('answer', 'b', 'old B'),
                      record('tags', 'c', None, None, ['t:0', 'x:9']), record('same', 'd')]),
        # The change that makes the version comes first; metadata and tags (no version) after it.
        nobody_editing(),
        batch_update(updates=[{'id': 'answer', 'expected_output': 'new B'},
                              {'id': 'meta-only', 'metadata': {'level': 2}},
                              # set says it all; remove and add say the same to a server that skips an empty set
                              {'id': 'tags', 'tag_operations': {'remove': ['t:0', 'x:9'], 'add': ['t:1'], 'set': ['t:1']}}],
                     create=True),
        records_dataset_by_id(records_dataset(version=2)),
    )

    result, code, dummy = run(run_module, records=wanted)

    assert code == 0, result
    assert (result['created'], result['updated'], result['deleted'], result['unchanged']) == (0, 3, 0, 1)
    assert result['version_created'] is True


def test_clearing_every_tag_removes_them_explicitly(http, run_module):
    http.expect(
        records_page([record('r', 'c', None, None, ['t:0', 'x:9'])]),
        nobody_editing(),
        batch_update(updates=[{'id': 'r', 'tag_operations': {'remove': ['t:0', 'x:9'], 'set': []}}], create=False),
        records_dataset_by_id(records_dataset()),
    )

    result, code, dummy = run(run_module, records=[{'id': 'r', 'input': 'c'}])

    assert code == 0 and result['updated'] == 1 and result['version_created'] is False


def test_metadata_only_changes_ask_for_no_version(http, run_module):
    http.expect(
        records_page([record('a', 'x', None, {'v': 1})]),
        nobody_editing(),
        batch_update(updates=[{'id': 'a', 'metadata': {}}], create=False),
        records_dataset_by_id(records_dataset(version=1)),
    )

    result, code, dummy = run(run_module, records=[{'id': 'a', 'input': 'x'}])

    assert code == 0 and result['changed'] is True
    assert result['updated'] == 1 and result['version_created'] is False
    assert 'new dataset version' not in result['msg']
    assert result['summary'] == 'dataset eval-set: records +0 ~1 -0'


def test_records_without_ids_are_keyed_by_input(http, run_module):
    wanted = [{'input': {'q': 'kept'}, 'expected_output': 'new'}, {'input': {'q': 'added'}}]
    http.expect(
        records_page([record('srv-1', {'q': 'kept'}, 'old'), record('srv-2', {'q': 'other'})]),
        nobody_editing(),
        batch_update(inserts=[{'input': {'q': 'added'}}], updates=[{'id': 'srv-1', 'expected_output': 'new'}]),
        records_dataset_by_id(records_dataset(version=3)),
    )

    result, code, dummy = run(run_module, records=wanted)

    assert code == 0, result
    assert (result['created'], result['updated'], result['deleted'], result['unchanged']) == (1, 1, 0, 0)
    assert 'not declared' in result['msg'] and 'purge: false' in result['msg']


def test_every_page_is_read_before_anything_is_written(http, run_module):
    wanted = declared(3)
    listed = as_listed(wanted)
    http.expect(
        records_page(listed[:1], after='c2'),
        records_page(listed[1:2], cursor='c2', after='c3'),
        records_page([], cursor='c3', after='c4'),
        records_page(listed[2:], cursor='c4'),
        records_dataset_by_id(records_dataset()),
    )

    result, code, dummy = run(run_module, records=wanted)

    assert code == 0 and result['changed'] is False and result['unchanged'] == 3


def test_dataset_and_project_by_name(http, run_module):
    wanted = declared(1)
    http.expect(
        records_project_by_name(),
        records_dataset_by_name([records_dataset(), records_dataset('ds-9', RECORDS_DATASET_NAME + '-copy')]),
        records_page(as_listed(wanted)),
    )

    args = records_module_args(project_name=PROJECT_NAME, dataset_name=RECORDS_DATASET_NAME, records=wanted)
    del args['project_id'], args['dataset_id']
    result, code, dummy = run_module(llmobs_dataset_records, args)

    # Nothing written: the facts of the name lookup are the facts after the run.
    assert code == 0 and result['changed'] is False
    assert result['dataset']['id'] == RECORDS_DATASET and result['dataset']['name'] == RECORDS_DATASET_NAME


# ---------------------------------------------------------------- purge and absent


def test_purge_deletes_what_is_not_declared(http, run_module):
    wanted = declared(2)
    http.expect(
        records_page(as_listed(wanted) + [record('old-1', 'x'), record('old-2', 'y')]),
        nobody_editing(),
        batch_update(deletes=['old-1', 'old-2'], create=True),
        records_dataset_by_id(records_dataset(version=5)),
    )

    result, code, dummy = run(run_module, records=wanted, purge=True)

    assert code == 0, result
    assert (result['created'], result['updated'], result['deleted'], result['unchanged']) == (0, 0, 2, 2)
    assert result['version_created'] is True


def test_purge_with_no_records_empties_the_dataset(http, run_module):
    http.expect(
        records_page([record('a', 1), record('b', 2)]),
        nobody_editing(),
        batch_update(deletes=['a', 'b']),
        records_dataset_by_id(records_dataset(version=2)),
    )

    result, code, dummy = run(run_module, records=[], purge=True)

    assert code == 0 and result['deleted'] == 2


def test_absent_deletes_the_declared_records_by_key(http, run_module):
    http.expect(
        records_page([record('keep', 'k'), record('gone-1', 'a', 'changed since'), record('gone-2', 'b')]),
        nobody_editing(),
        batch_update(deletes=['gone-1', 'gone-2']),
        records_dataset_by_id(records_dataset(version=7)),
    )

    # With ids, records to delete need no input.
    result, code, dummy = run(run_module, records=[{'id': 'gone-1'}, {'id': 'gone-2', 'input': 'b'}, {'id': 'never'}],
                              state='absent', purge=True)

    assert code == 0, result
    assert (result['created'], result['updated'], result['deleted'], result['unchanged']) == (0, 0, 2, 1)
    assert result['version_created'] is True


def test_absent_when_already_gone_sends_nothing(http, run_module):
    http.expect(records_page([record('keep', 'k')]), records_dataset_by_id(records_dataset()))

    result, code, dummy = run(run_module, records=[{'input': 'gone'}], state='absent')

    assert code == 0 and result['changed'] is False
    assert result['deleted'] == 0 and result['unchanged'] == 1
    assert 'holds none of the 1 declared record' in result['msg']


def test_extra_server_copies_of_a_declared_record_are_deleted(http, run_module):
    # A push by another tool made two records of the same input; the exact one is kept.
    http.expect(
        records_page([record('dup-1', 'q', 'stale'), record('dup-2', 'q', 'A'), record('dup-3', 'q', 'A')]),
        nobody_editing(),
        batch_update(deletes=['dup-1', 'dup-3']),
        records_dataset_by_id(records_dataset()),
    )

    result, code, dummy = run(run_module, records=[{'input': 'q', 'expected_output': 'A'}])

    assert code == 0, result
    assert (result['deleted'], result['unchanged'], result['updated']) == (2, 1, 0)
    assert '2 extra copies' in result['msg']


# ---------------------------------------------------------------- batches


def test_inserts_are_split_at_1000_records_and_make_one_version(http, run_module):
    wanted = declared(2500)
    http.expect(
        records_page([]),
        nobody_editing(),
        batch_update(inserts=wanted[:1000], create=True),
        batch_update(inserts=wanted[1000:2000], create=False),
        batch_update(inserts=wanted[2000:], create=False),
        records_dataset_by_id(records_dataset()),
    )

    result, code, dummy = run(run_module, records=wanted)

    assert code == 0, result
    sent = sent_batches(http)
    assert [len(b['insert_records']) for b in sent] == [1000, 1000, 500]
    assert [b['create_new_version'] for b in sent] == [True, False, False]
    assert [r['id'] for b in sent for r in b['insert_records']] == [r['id'] for r in wanted]
    assert result['created'] == 2500 and result['version_created'] is True
    assert result['summary'] == 'dataset eval-set: records +2,500 ~0 -0, new version'


def test_deletes_inserts_and_updates_share_the_1000_record_limit(http, run_module):
    wanted = declared(1200)
    listed = as_listed(wanted[:400])
    listed[0]['attributes']['expected_output'] = 'stale'
    listed += [record('old-%d' % n, 'old %d' % n) for n in range(300)]
    http.expect(
        records_page(listed),
        # Deletes and inserts first, then the update; 1,000 changes a request whatever their kind.
        nobody_editing(),
        batch_update(deletes=['old-%d' % n for n in range(300)], inserts=wanted[400:1100], create=True),
        batch_update(inserts=wanted[1100:], updates=[{'id': 'q-0', 'expected_output': {'answer': 'Answer 0'}}], create=False),
        records_dataset_by_id(records_dataset()),
    )

    result, code, dummy = run(run_module, records=wanted, purge=True)

    assert code == 0, result
    sent = sent_batches(http)
    assert [(len(b['delete_records']), len(b['insert_records']), len(b['update_records'])) for b in sent] == [
        (300, 700, 0), (0, 100, 1)]
    assert [b['create_new_version'] for b in sent] == [True, False]
    assert (result['created'], result['updated'], result['deleted'], result['unchanged']) == (800, 1, 300, 399)


def test_batches_stay_under_5_mib(http, run_module):
    big = 'x' * 1000000
    wanted = [{'id': 'big-%d' % n, 'input': big + str(n)} for n in range(12)]
    http.expect(
        records_page([]),
        nobody_editing(),
        batch_update(inserts=wanted[:5], create=True),
        batch_update(inserts=wanted[5:10], create=False),
        batch_update(inserts=wanted[10:], create=False),
        records_dataset_by_id(records_dataset()),
    )

    result, code, dummy = run(run_module, records=wanted)

    assert code == 0, result
    posts = [seen for seen in http.seen if seen.method == 'POST']
    assert [len(seen.json['data']['attributes']['insert_records']) for seen in posts] == [5, 5, 2]
    assert all(len(seen.body.encode('utf-8')) < 5 * 1024 * 1024 for seen in posts)
    assert [seen.json['data']['attributes']['create_new_version'] for seen in posts] == [True, False, False]


def test_a_413_splits_the_batch_in_halves(http, run_module):
    wanted = declared(4)
    http.expect(
        records_page([]),
        nobody_editing(),
        batch_update(inserts=wanted, create=True, status=413, reply={'errors': [{'status': '413', 'title': 'Payload Too Large'}]}),
        batch_update(inserts=wanted[:2], create=True),
        batch_update(inserts=wanted[2:], create=False),
        records_dataset_by_id(records_dataset()),
    )

    result, code, dummy = run(run_module, records=wanted)

    assert code == 0, result
    assert result['created'] == 4 and result['version_created'] is True
    assert any('HTTP 413' in w and 'two halves' in w for w in warnings_of(result))


def test_after_a_413_the_rest_of_the_run_sends_no_more_than_was_accepted(http, run_module):
    # A server that takes at most 400 records a request: after the first 413, no request of the run is
    # larger than the half that was accepted, so no other batch is refused.
    wanted = declared(2000)
    too_large = {'errors': [{'status': '413', 'title': 'Payload Too Large'}]}
    http.expect(
        records_page([]),
        nobody_editing(),
        batch_update(inserts=wanted[:1000], create=True, status=413, reply=too_large),
        batch_update(inserts=wanted[:500], create=True, status=413, reply=too_large),
        batch_update(inserts=wanted[:250], create=True),
        batch_update(inserts=wanted[250:500], create=False),
        batch_update(inserts=wanted[500:750], create=False),    # the second half of the first batch, split unsent
        batch_update(inserts=wanted[750:1000], create=False),
        batch_update(inserts=wanted[1000:1250], create=False),  # then batches of 250 from the start
        batch_update(inserts=wanted[1250:1500], create=False),
        batch_update(inserts=wanted[1500:1750], create=False),
        batch_update(inserts=wanted[1750:], create=False),
        records_dataset_by_id(records_dataset()),
    )

    result, code, dummy = run(run_module, records=wanted)

    assert code == 0, result
    assert result['created'] == 2000 and result['version_created'] is True
    assert sum(1 for w in warnings_of(result) if 'HTTP 413' in w) == 2
    assert any('no more than 250 changes a request for the rest of this run' in w for w in warnings_of(result))


def test_a_413_on_one_record_fails_with_its_size(http, run_module):
    http.expect(records_page([]), nobody_editing(), batch_update(inserts=declared(1), status=413, reply={'errors': ['too large']}))

    result, code, dummy = run(run_module, records=declared(1))

    assert code == 1 and result['status'] == 413
    assert 'A single change' in result['msg'] and 'shrink that record' in result['msg']


# ---------------------------------------------------------------- lost answers


def test_lost_answer_of_a_batch_that_was_written_is_not_sent_again(http, run_module):
    wanted = declared(2)
    http.expect(
        records_page([]),
        nobody_editing(),
        batch_update(inserts=wanted, status=500, reply=ERROR_500),
        records_page(as_listed(wanted)),        # read again: it was written
        records_dataset_by_id(records_dataset()),
    )

    result, code, dummy = run(run_module, records=wanted)

    assert code == 0, result
    assert result['created'] == 2 and result['version_created'] is True
    assert any('a lookup shows it was done' in w for w in warnings_of(result))


def test_lost_answer_of_a_batch_that_was_not_written_is_sent_again_after_the_reads(http, run_module, clock):
    wanted = declared(2)
    http.expect(
        records_page([]),
        nobody_editing(),
        batch_update(inserts=wanted, raises=requests.exceptions.ConnectionError('Connection aborted: RemoteDisconnected')),
        records_page([]).times(5),               # read again until wait_timeout has passed
        batch_update(inserts=wanted, create=True),      # the same batch, still the one that makes the version
        records_dataset_by_id(records_dataset()),
    )

    result, code, dummy = run(run_module, records=wanted, wait_timeout=5)

    assert code == 0, result
    assert result['created'] == 2
    assert sum(clock.sleeps[:4]) == 5
    assert any('a lookup found no sign of it' in w for w in warnings_of(result))


def test_after_a_lost_answer_only_what_is_still_missing_is_sent(http, run_module):
    wanted = declared(2500)
    listed = as_listed(wanted)
    http.expect(
        records_page([]),
        nobody_editing(),
        batch_update(inserts=wanted[:1000], create=True),                         # the version
        batch_update(inserts=wanted[1000:2000], create=False, status=502, reply=ERROR_500),  # lost, but written
        records_page(listed[:2000]),                                       # read again: 2,000 are there
        batch_update(inserts=wanted[2000:], create=False),                        # the last 500, no second version
        records_dataset_by_id(records_dataset()),
    )

    result, code, dummy = run(run_module, records=wanted)

    assert code == 0, result
    sent = sent_batches(http)
    assert [len(b['insert_records']) for b in sent] == [1000, 1000, 500]
    assert [b['create_new_version'] for b in sent] == [True, False, False]
    assert [r['id'] for r in sent[2]['insert_records']] == [r['id'] for r in wanted[2000:]]
    assert result['created'] == 2500


def test_lost_answers_are_bounded_by_retries(http, run_module):
    wanted = declared(1)
    http.expect(
        records_page([]),
        nobody_editing(),
        batch_update(inserts=wanted, status=500, reply=ERROR_500), records_page([]).times(6),
        batch_update(inserts=wanted, status=500, reply=ERROR_500), records_page([]).times(6),
    )

    result, code, dummy = run(run_module, records=wanted, retries=1, wait_timeout=6)

    assert code == 1
    assert 'A lookup found no trace of it' in result['msg']


def test_a_lost_batch_of_records_without_ids_is_never_sent_again(http, run_module, clock):
    # Sent again while reads lag, records without ids would be written twice: the run stops instead.
    wanted = [{'input': r['input'], 'expected_output': r['expected_output']} for r in declared(2)]
    http.expect(
        records_page([]),
        nobody_editing(),
        batch_update(inserts=wanted, status=500, reply=ERROR_500),
        records_page([]).times(5),               # read again until wait_timeout has passed: nothing shows
    )

    result, code, dummy = run(run_module, records=wanted, wait_timeout=5)

    assert code == 1
    assert len(sent_batches(http)) == 1
    assert 'outcome is unknown' in result['msg'] and 'Running the task again converges' in result['msg']
    assert 'not written' not in result['msg']
    assert result['changed'] is True


def test_a_resent_batch_refused_for_its_own_ids_proves_the_first_landed(http, run_module, clock):
    wanted = declared(2)
    http.expect(
        records_page([]),
        nobody_editing(),
        batch_update(inserts=wanted, status=503, reply=ERROR_500),
        records_page([]).times(4),               # reads lag: nothing shows within wait_timeout
        batch_update(inserts=wanted, status=400, reply={'errors': [{
            'title': 'Bad Request', 'detail': 'a record with id q-0 already exists in dataset %s' % RECORDS_DATASET}]}),
        records_dataset_by_id(records_dataset()),
    )

    result, code, dummy = run(run_module, records=wanted, wait_timeout=3)

    assert code == 0, result
    assert result['changed'] is True and result['created'] == 2
    assert any('shows the first attempt was carried out' in w for w in warnings_of(result))


def test_a_resent_batch_refused_otherwise_leaves_the_outcome_unknown(http, run_module, clock):
    # The first attempt may have landed: a refusal of the second must not say the records are not there.
    wanted = declared(2)
    http.expect(
        records_page([]),
        nobody_editing(),
        batch_update(inserts=wanted, status=503, reply=ERROR_500),
        records_page([]).times(4),
        batch_update(inserts=wanted, status=400, reply={'errors': [{'title': 'Bad Request', 'detail': 'dataset is locked'}]}),
    )

    result, code, dummy = run(run_module, records=wanted, wait_timeout=3)

    assert code == 1
    assert 'not written' not in result['msg'] and 'outcome is unknown' in result['msg']
    assert result['changed'] is True


def test_an_existing_id_that_only_contains_one_of_the_batch_is_no_proof(http, run_module, clock):
    # q-10 exists, not q-1: the refusal does not show that this batch landed.
    wanted = declared(2)
    http.expect(
        records_page([]),
        nobody_editing(),
        batch_update(inserts=wanted, status=503, reply=ERROR_500),
        records_page([]).times(4),
        batch_update(inserts=wanted, status=400, reply={'errors': [{
            'title': 'Bad Request', 'detail': 'a record with id q-10 already exists in dataset q-00'}]}),
    )

    result, code, dummy = run(run_module, records=wanted, wait_timeout=3)

    assert code == 1
    assert 'outcome is unknown' in result['msg'] and result['changed'] is True


def test_a_refused_batch_says_how_much_was_written(http, run_module):
    wanted = declared(1500)
    http.expect(
        records_page([]),
        nobody_editing(),
        batch_update(inserts=wanted[:1000]),
        batch_update(inserts=wanted[1000:], create=False, status=400,
                     reply={'errors': [{'title': 'Bad Request', 'detail': 'record rejected'}]}),
    )

    result, code, dummy = run(run_module, records=wanted)

    assert code == 1 and result['status'] == 400
    assert 'record rejected' in result['msg']
    assert '1000 of 1500 changes were written in 1 request' in result['msg']
    assert 'running the task again finishes the rest' in result['msg']
    assert result['changed'] is True  # failed, and yet the dataset changed


def test_a_missing_dataset_is_a_clear_failure(http, run_module):
    http.expect(records_list().reply_error(404, {'status': '404', 'title': 'Not Found'}))

    result, code, dummy = run(run_module, records=declared(1))

    assert code == 1 and result['status'] == 404
    assert 'Check project_id and dataset_id' in result['msg']


# ---------------------------------------------------------------- check and diff mode


def test_check_mode_reads_and_reports_the_same_counts(http, run_module):
    wanted = declared(3)
    listed = as_listed(wanted[:2]) + [record('old', 'x')]
    listed[1]['attributes']['expected_output'] = 'stale'
    http.expect(records_page(listed), nobody_editing(), records_dataset_by_id(records_dataset(version=3)))

    result, code, dummy = run(run_module, check_mode=True, diff=True, records=wanted, purge=True)

    assert code == 0, result
    assert http.assert_no_write() is None
    assert result['changed'] is True
    assert (result['created'], result['updated'], result['deleted'], result['unchanged']) == (1, 1, 1, 1)
    assert result['version_created'] is True
    assert 'would be' in result['msg'] and 'check mode' in result['msg']
    assert result['summary'] == 'dataset eval-set: would change records +1 ~1 -1, new version'
    diff = result['diff']
    assert diff['after']['changes'] == dict(created=1, updated=1, deleted=1, unchanged=1)
    assert diff['before']['records'] == {
        '[q-1] expected_output': 'stale',
        '[old] input': 'x',
    }
    assert diff['after']['records'] == {
        '[q-1] expected_output': {'answer': 'Answer 1'},
        '[q-2] input': {'question': 'Question 2?'}, '[q-2] expected_output': {'answer': 'Answer 2'},
    }
    assert 'all 3 changes' in diff['before_header']


def test_diff_shows_the_first_20_changes(http, run_module):
    http.expect(records_page([]), nobody_editing(), records_dataset_by_id(records_dataset()))

    result, code, dummy = run(run_module, check_mode=True, diff=True, records=declared(50))

    assert code == 0
    assert result['diff']['before']['records'] == {}  # all created
    assert sorted(result['diff']['after']['records']) == sorted(
        '[q-%d] %s' % (n, field) for n in range(20) for field in ('input', 'expected_output'))
    assert 'the first 20 of 50 changes' in result['diff']['after_header']


def test_diff_shows_the_old_values_of_updates_when_deletes_are_listed_first(http, run_module):
    # The server lists 25 records to purge before the declared ones (newest first): the updates the diff
    # shows first still come with their old values, and the deletes fill the slots left.
    wanted = declared(30)
    stale = [dict(r, expected_output={'answer': 'Old %d' % n}) for n, r in enumerate(wanted[:3])] + wanted[3:]
    http.expect(records_page(as_listed(declared(25, prefix='gone')) + as_listed(stale)), nobody_editing(),
                records_dataset_by_id(records_dataset()))

    result, code, dummy = run(run_module, check_mode=True, diff=True, records=wanted, purge=True)

    assert code == 0, result
    before, after = result['diff']['before']['records'], result['diff']['after']['records']
    assert [before['[q-%d] expected_output' % n] for n in range(3)] == [{'answer': 'Old %d' % n} for n in range(3)]
    assert after == dict(('[q-%d] expected_output' % n, {'answer': 'Answer %d' % n}) for n in range(3))
    deleted = sorted(key for key in before if key.startswith('[gone-'))
    # every record shown comes with its body
    assert deleted == sorted('[gone-%d] %s' % (n, field) for n in range(17) for field in ('input', 'expected_output'))
    assert 'the first 20 of 28 changes' in result['diff']['after_header']


def test_check_mode_with_nothing_to_change(http, run_module):
    http.expect(records_page(as_listed(declared(2))), records_dataset_by_id(records_dataset()))

    result, code, dummy = run(run_module, check_mode=True, records=declared(2))

    assert code == 0 and result['changed'] is False and result['version_created'] is False


# ---------------------------------------------------------------- bad input: refused before any request


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(text.encode('utf-8') if isinstance(text, str) else text)
    return str(path)


@pytest.mark.parametrize('records, message', [
    ([{'id': 'a', 'input': 1}, {'id': 'b'}], 'records[1]: the input field is missing'),
    ([{'input': 1, 'tags': ['ok:1', 'broken']}], "records[0]: tags[1] 'broken' is not of the form \"key:value\""),
    ([{'input': 1, 'id': 'has space'}], "records[0]: id 'has space' may contain only letters, digits"),
    ([{'input': 1, 'id': 'x' * 129}], 'records[0]: id must be at most 128 characters'),
    ([{'input': 1, 'id': 'a'}, {'input': 2, 'id': 'a'}], "records[0] and records[1] have the same id 'a'"),
    ([{'input': {'q': 1}}, {'input': 'x'}, {'input': {'q': 1.0}}], 'records[0] and records[2] have the same input'),
    ([{'input': 1, 'id': 'a'}, {'input': 2}], 'records[1] has no id, but records[0] has one'),
    ([{'input': 1}, {'input': 2, 'id': 'b'}], 'records[0] has no id, but records[1] has one'),
    ([{'input': 1, 'metadata': 'text'}], 'records[0]: metadata must be a mapping'),
    ([{'input': 1, 'expected': 2}], "records[0]: unknown field 'expected'"),
    ([{'input': float('nan')}], 'records[0]: input holds a value that is not JSON'),
    ([{'input': 1}, 5], 'records[1]: a record must be a mapping with at least an input field (found a number)'),
    ([{'input': 1}, 'What is 2+2?'], 'records[1]: a record must be a mapping with at least an input field (found text)'),
    ([None], 'records[0]: a record must be a mapping with at least an input field (found null)'),
])
def test_bad_records_are_refused_before_any_request(http, run_module, records, message):
    result, code, dummy = run(run_module, records=records)

    assert code == 1
    assert message in result['msg'], result['msg']
    assert http.seen == []


@pytest.mark.parametrize('wait_timeout', [0, -1, 3601])
def test_a_wait_timeout_out_of_range_is_refused_before_any_request(http, run_module, wait_timeout):
    result, code, dummy = run(run_module, records=declared(1), wait_timeout=wait_timeout)

    assert code == 1
    assert 'wait_timeout must be a whole number of seconds from 1 to 3600' in result['msg'], result['msg']
    assert http.seen == []


@pytest.mark.parametrize('name, text, message', [
    ('r.jsonl', '{"input": 1}\n{"input": 2,}\n', 'r.jsonl:2: not valid JSON: '),
    ('r.jsonl', '{"input": 1}\n\n{"expected_output": 2}\n', 'r.jsonl:3: the input field is missing'),
    ('r.jsonl', '[1, 2]\n', 'r.jsonl:1: a record must be a mapping'),
    ('r.csv', 'id,expected_output\na,b\n', 'r.csv:1: the header row has no input column'),
    ('r.csv', 'input,tags\nq,"a:1,b"\n', "r.csv:2: tags[1] 'b' is not of the form"),
    ('r.json', '{"input": 1}', 'a .json records file holds an array of records, not a mapping'),
    ('r.json', '[\n{"input": 1},\n{"input": 1}\n]', 'r.json:3 have the same input'),
    ('r.yaml', 'input: 1\n', 'a YAML records file holds a list of records, not a mapping'),
    ('r.yml', '- input: 1\n  id: a\n- input: 2\n  id: b c\n', "r.yml:3: id 'b c' may contain only"),
    ('r.txt', 'input\n', "unknown file type '.txt'"),
])
def test_bad_files_are_refused_before_any_request(http, run_module, tmp_path, name, text, message):
    result, code, dummy = run(run_module, src=write(tmp_path, name, text))

    assert code == 1
    assert message in result['msg'], result['msg']
    assert http.seen == []


def test_a_missing_file_is_refused(http, run_module, tmp_path):
    result, code, dummy = run(run_module, src=str(tmp_path / 'nowhere.jsonl'))

    assert code == 1 and 'does not exist' in result['msg'] and http.seen == []


def test_an_unreadable_file_is_refused(http, run_module, tmp_path, monkeypatch):
    path = write(tmp_path, 'r.jsonl', '{"input": 1}\n')

    real_open = _record_readers.os.open

    def refuse(name, *args, **kwargs):
        if name == path:
            raise OSError(13, 'Permission denied')
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(_record_readers.os, 'open', refuse)
    result, code, dummy = run(run_module, src=path)

    assert code == 1 and http.seen == []
    assert result['msg'] == "src %r cannot be read: Permission denied." % path


def test_a_record_too_large_for_any_request_is_refused(http, run_module):
    result, code, dummy = run(run_module, records=[{'input': 'x' * (5 * 1024 * 1024)}])

    assert code == 1 and 'records[0]: the record is' in result['msg'] and http.seen == []


def test_records_and_src_are_exclusive(http, run_module, tmp_path):
    result, code, dummy = run(run_module, records=[{'input': 1}], src=write(tmp_path, 'r.jsonl', ''))

    assert code == 1 and 'mutually exclusive' in result['msg']


# ---------------------------------------------------------------- files, end to end


def test_a_jsonl_file_loads_like_the_same_list(http, run_module, tmp_path):
    wanted = declared(3)
    path = write(tmp_path, 'r.jsonl', ''.join(json.dumps(r) + '\n' for r in wanted))
    http.expect(records_page([]), nobody_editing(), batch_update(inserts=wanted), records_dataset_by_id(records_dataset()))

    result, code, dummy = run(run_module, src=path)

    assert code == 0 and result['created'] == 3


def test_a_csv_file_takes_input_and_expected_output_as_text(http, run_module, tmp_path):
    path = write(tmp_path, 'r.csv', 'id,input,expected_output,metadata,tags\n'
                                    'a,What is 2+2?,4,"{""level"": 1}","topic:math, kind:easy"\n'
                                    'b,"Two\nlines",,,\n')
    http.expect(records_page([]), nobody_editing(), batch_update(inserts=[
        {'id': 'a', 'input': 'What is 2+2?', 'expected_output': '4', 'metadata': {'level': 1},
         'tags': ['kind:easy', 'topic:math']},
        {'id': 'b', 'input': 'Two\nlines'}]), records_dataset_by_id(records_dataset()))

    result, code, dummy = run(run_module, src=path)

    assert code == 0 and result['created'] == 2, result


def test_server_answers_in_the_flat_shape_are_read_too(http, run_module):
    wanted = declared(2)
    http.expect(records_page([record(r['id'], r['input'], r['expected_output'], shape='flat') for r in wanted]),
                records_dataset_by_id(records_dataset()))

    result, code, dummy = run(run_module, records=wanted)

    assert code == 0 and result['changed'] is False


def test_undeclared_server_records_are_left_alone_in_id_mode(http, run_module):
    http.expect(records_page([record('8b1c0e4e-uuid', 'from the UI')] + as_listed(declared(1))),
                records_dataset_by_id(records_dataset()))

    result, code, dummy = run(run_module, records=declared(1))

    assert code == 0 and result['changed'] is False and '1 record not declared is left as it is' in result['msg']


# ---------------------------------------------------------------- check mode: a dataset an earlier task would create


def with_plan(monkeypatch, *entries):
    """The run's plan, as the action hands it to a module process (see plugin_utils/_check_plan.py)."""
    api = 'https://api.datadoghq.com'
    monkeypatch.setenv(PLAN_ENV, json.dumps([dict(entry, api=api) for entry in entries]))


PLANNED_PROJECT = dict(kind='project', name=PROJECT_NAME)
PLANNED_DATASET = dict(kind='dataset', name=RECORDS_DATASET_NAME, project_id=None, project_name=PROJECT_NAME, source=None)


def by_names(**args):
    args = records_module_args(**dict(dict(project_name=PROJECT_NAME, dataset_name=RECORDS_DATASET_NAME), **args))
    del args['project_id'], args['dataset_id']
    return args


def test_records_of_a_planned_dataset_would_all_be_created_and_nothing_else_is_asked(http, run_module, monkeypatch):
    with_plan(monkeypatch, PLANNED_PROJECT, PLANNED_DATASET)
    http.expect(projects_by_name(PROJECT_NAME).reply_page())

    result, code, dummy = run_module(llmobs_dataset_records, by_names(records=declared(3)), check_mode=True, diff=True)

    assert code == 0 and result['changed'] is True and result['version_created'] is True
    assert (result['created'], result['updated'], result['deleted'], result['unchanged']) == (3, 0, 0, 0)
    assert result['project_id'] is None
    assert result['dataset']['id'] is None and result['dataset']['current_version'] is None
    assert result['dataset']['name'] == RECORDS_DATASET_NAME
    assert result['msg'] == ("Dataset 'eval-set' (an earlier task of this run would create it): 3 records would be "
                             "created; 0 unchanged. (check mode: nothing was sent)")
    assert sorted(set(entry.partition(']')[0] + ']' for entry in result['diff']['after']['records'])) == [
        '[q-0]', '[q-1]', '[q-2]']
    assert result['diff']['before']['records'] == {}
    assert len(result['records_digest']) == 32 and 'ansible_facts' not in result


def test_records_of_a_planned_copy_are_compared_with_its_source(http, run_module, monkeypatch):
    with_plan(monkeypatch, dict(kind='dataset', name='frozen', project_id=PROJECT, project_name=None,
                                source=dict(project_id=PROJECT, dataset_id=RECORDS_DATASET)))
    http.expect(records_project_by_name(), datasets_by_name('frozen').reply_page(), records_page(as_listed(declared(2))))

    result, code, dummy = run_module(llmobs_dataset_records, by_names(dataset_name='frozen', records=declared(3)),
                                     check_mode=True)

    assert code == 0 and result['changed'] is True
    assert (result['created'], result['unchanged']) == (1, 2)
    assert result['project_id'] == PROJECT and result['dataset']['id'] is None


def test_records_of_a_planned_copy_of_a_past_version_are_compared_with_that_version(http, run_module, monkeypatch):
    # llmobs_dataset_clone with version plans a copy that would hold that version's records, not the current ones.
    with_plan(monkeypatch, dict(kind='dataset', name='frozen', project_id=PROJECT, project_name=None,
                                source=dict(project_id=PROJECT, dataset_id=RECORDS_DATASET, version=2)))
    http.expect(records_project_by_name(), datasets_by_name('frozen').reply_page(),
                records_page(as_listed(declared(1)), version=2))

    result, code, dummy = run_module(llmobs_dataset_records, by_names(dataset_name='frozen', records=declared(3)),
                                     check_mode=True)

    assert code == 0 and (result['created'], result['unchanged']) == (2, 1)


def test_a_real_run_does_not_use_the_plan(http, run_module, monkeypatch):
    with_plan(monkeypatch, PLANNED_PROJECT, PLANNED_DATASET)
    http.expect(projects_by_name(PROJECT_NAME).reply_page())

    result, code, dummy = run_module(llmobs_dataset_records, by_names(records=declared(1)))

    assert code == 1 and result['msg'].startswith("No project named 'project-one' was found")


def test_the_writes_of_a_dataset_given_by_name_name_it_with_its_id_beside(http, run_module):
    wanted = declared(4)
    too_large = {'errors': [{'status': '413', 'title': 'Payload Too Large'}]}
    http.expect(
        records_project_by_name(), records_dataset_by_name([records_dataset()]),
        records_page([]),
        nobody_editing(),
        batch_update(inserts=wanted, create=True, status=413, reply=too_large),
        batch_update(inserts=wanted[:2], create=True),
        batch_update(inserts=wanted[2:], create=False, status=403, reply={'errors': [{'status': '403', 'title': 'Forbidden'}]}),
    )

    result, code, dummy = run_module(llmobs_dataset_records, by_names(records=wanted))

    assert code == 1
    named = "dataset %r (id %s)" % (RECORDS_DATASET_NAME, RECORDS_DATASET)
    assert any(w.startswith('Writing 4 changes to %s was refused as too large' % named) for w in warnings_of(result))
    assert result['msg'].startswith("Writing records to %s of project %r (id %s) (2 inserted"
                                    % (named, PROJECT_NAME, PROJECT))


# ---------------------------------------------------------------- the draft lock: force and lock

JANE = {'id': 'u-1', 'name': 'Jane Doe', 'email': 'jane@example.com', 'handle': 'jane@example.com'}
SINCE = '2026-12-01T10:00:00Z'
API_USER = {'id': 'api-user', 'name': 'API key user', 'email': 'api-user@example.com'}


def jane_editing():
    return get_draft_state(RECORDS_DATASET).reply(json=draft_state_document(RECORDS_DATASET, JANE, SINCE))


@pytest.mark.parametrize('lock', [False, True], ids=['no-lock', 'lock'])
def test_a_draft_held_in_the_ui_stops_the_run_before_any_write_and_names_the_holder(http, run_module, lock):
    http.expect(records_page([]), jane_editing())

    result, code, dummy = run(run_module, records=declared(2), lock=lock)

    assert code == 1
    assert result['msg'].startswith('Dataset ds-1 is being edited in Datadog by Jane Doe <jane@example.com> since '
                                    '2026-12-01T10:00:00Z: its records were not written')
    assert 'force: true' in result['msg']
    assert result['draft_state'] == {'user': JANE, 'drafting_since': SINCE}
    assert not result.get('changed')
    http.assert_no_write()


@pytest.mark.parametrize('lock', [False, True], ids=['no-lock', 'lock'])
def test_force_writes_over_a_held_draft_with_a_warning_and_leaves_its_lock_alone(http, run_module, lock):
    wanted = declared(2)
    http.expect(
        records_page([]),
        jane_editing(),
        batch_update(inserts=wanted),   # no lock taken, none released: the lock is Jane's
        records_dataset_by_id(records_dataset(version=2)),
    )

    result, code, dummy = run(run_module, records=wanted, force=True, lock=lock)

    assert code == 0, result
    assert result['changed'] is True and result['created'] == 2
    assert result['draft_state'] == {'user': JANE, 'drafting_since': SINCE}
    assert any(w.startswith('Dataset ds-1 is being edited in Datadog by Jane Doe <jane@example.com> since '
                            '2026-12-01T10:00:00Z; writing anyway (force: true)') for w in warnings_of(result))


def test_lock_holds_the_draft_lock_around_the_writes_only(http, run_module):
    wanted = declared(1200)
    http.expect(
        records_page([]),
        nobody_editing(),
        lock_draft(RECORDS_DATASET).reply(json=draft_state_document(RECORDS_DATASET, API_USER, SINCE)),
        batch_update(inserts=wanted[:1000], create=True),
        batch_update(inserts=wanted[1000:], create=False),
        unlock_draft(RECORDS_DATASET).reply(body=''),
        records_dataset_by_id(records_dataset(version=2)),   # the facts after the run, read once it is unlocked
    )

    result, code, dummy = run(run_module, records=wanted, lock=True)

    assert code == 0, result
    assert result['changed'] is True and result['created'] == 1200 and result['version_created'] is True
    assert result['draft_state'] is None   # as read before the write: nobody held it
    assert warnings_of(result) == []


def test_lock_is_released_when_a_write_is_refused(http, run_module):
    wanted = declared(2)
    http.expect(
        records_page([]),
        nobody_editing(),
        lock_draft(RECORDS_DATASET).reply(json=draft_state_document(RECORDS_DATASET, API_USER, SINCE)),
        batch_update(inserts=wanted, status=403, reply={'errors': [{'status': '403', 'title': 'Forbidden'}]}),
        unlock_draft(RECORDS_DATASET).reply(body=''),
    )

    result, code, dummy = run(run_module, records=wanted, lock=True)

    assert code == 1
    assert result['status'] == 403 and 'Forbidden' in result['msg']


def test_lock_is_released_when_a_lost_answer_leaves_the_outcome_unknown(http, run_module, clock):
    wanted = [{'input': r['input']} for r in declared(2)]
    http.expect(
        records_page([]),
        nobody_editing(),
        lock_draft(RECORDS_DATASET).reply(json=draft_state_document(RECORDS_DATASET, API_USER, SINCE)),
        batch_update(inserts=wanted, status=500, reply=ERROR_500),
        records_page([]).times(4),   # read again until wait_timeout has passed: nothing shows
        unlock_draft(RECORDS_DATASET).reply(body=''),
    )

    result, code, dummy = run(run_module, records=wanted, lock=True, wait_timeout=3)

    assert code == 1 and 'outcome is unknown' in result['msg']


@pytest.mark.parametrize('options', [dict(lock=True), dict(force=True, lock=True), dict()], ids=['lock', 'force', 'plain'])
def test_a_run_with_nothing_to_write_reads_no_draft_state(http, run_module, options):
    wanted = declared(2)
    http.expect(records_page(as_listed(wanted)), records_dataset_by_id(records_dataset()))

    result, code, dummy = run(run_module, records=wanted, **options)

    assert code == 0 and result['changed'] is False
    assert 'draft_state' not in result


def test_check_mode_warns_of_a_held_draft_and_writes_nothing(http, run_module):
    http.expect(records_page([]), jane_editing(), records_dataset_by_id(records_dataset()))

    result, code, dummy = run(run_module, check_mode=True, records=declared(2), lock=True)

    assert code == 0, result
    assert result['changed'] is True and result['created'] == 2
    assert result['draft_state']['user'] == JANE
    assert any('is being edited in Datadog by Jane Doe' in w and 'a real run would fail' in w for w in warnings_of(result))
    http.assert_no_write()


def test_check_mode_with_lock_takes_no_lock(http, run_module):
    http.expect(records_page([]), nobody_editing(), records_dataset_by_id(records_dataset()))

    result, code, dummy = run(run_module, check_mode=True, records=declared(2), lock=True)

    assert code == 0 and result['changed'] is True and result['draft_state'] is None
    http.assert_no_write()


def test_a_planned_dataset_reads_no_draft_state(http, run_module, monkeypatch):
    with_plan(monkeypatch, PLANNED_PROJECT, PLANNED_DATASET)
    http.expect(projects_by_name(PROJECT_NAME).reply_page())

    result, code, dummy = run_module(llmobs_dataset_records, by_names(records=declared(1), lock=True), check_mode=True)

    assert code == 0 and result['changed'] is True and 'draft_state' not in result
