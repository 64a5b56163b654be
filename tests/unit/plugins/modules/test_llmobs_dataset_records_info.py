# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""llmobs_dataset_records_info: the records returned or written to a JSONL file, with the exact HTTP calls."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

from ansible_collections.llmobs.datadog.plugins.modules import llmobs_dataset_records_info
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import PROJECT, PROJECT_NAME
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    RECORDS_DATASET,
    RECORDS_DATASET_NAME,
    record,
    records_dataset,
    records_dataset_by_id,
    records_dataset_by_name,
    records_list,
    records_module_args,
    records_page,
    records_project_by_name,
)

LISTED = [record('b-2', {'q': 'second'}, 'B', {'m': 1}, ['z:1', 'a:1']), record('a-1', 'first', shape='flat')]


def run(run_module, check_mode=False, diff=False, **args):
    return run_module(llmobs_dataset_records_info, records_module_args(**args), check_mode=check_mode, diff=diff)


def test_records_of_the_current_version(http, run_module):
    http.expect(records_page(LISTED[:1], after='c2'), records_page(LISTED[1:], cursor='c2'), records_dataset_by_id(records_dataset(version=4)))

    result, code, dummy = run(run_module)

    assert code == 0, result
    assert result['changed'] is False
    assert result['records'] == [
        {'id': 'b-2', 'input': {'q': 'second'}, 'expected_output': 'B', 'metadata': {'m': 1}, 'tags': ['a:1', 'z:1']},
        {'id': 'a-1', 'input': 'first', 'expected_output': None, 'metadata': {}, 'tags': []},
    ]
    assert result['count'] == 2 and result['version'] == 4
    assert result['dataset']['id'] == RECORDS_DATASET and result['project_id'] == PROJECT
    http.assert_no_write()


def test_records_of_a_version_by_names(http, run_module):
    http.expect(records_project_by_name(), records_dataset_by_name([records_dataset(version=5)]), records_page(LISTED, version=2))

    args = records_module_args(project_name=PROJECT_NAME, dataset_name=RECORDS_DATASET_NAME, version=2)
    del args['project_id'], args['dataset_id']
    result, code, dummy = run_module(llmobs_dataset_records_info, args)

    assert code == 0, result
    assert result['version'] == 2 and result['count'] == 2 and result['dataset']['current_version'] == 5


def test_empty_dataset(http, run_module):
    http.expect(records_page([]), records_dataset_by_id(records_dataset(version=0)))

    result, code, dummy = run(run_module)

    assert code == 0 and result['records'] == [] and result['count'] == 0


def test_a_version_that_does_not_exist(http, run_module):
    http.expect(records_list(version=9).reply_error(404, {'status': '404', 'title': 'Not Found', 'detail': 'no version 9'}))

    result, code, dummy = run(run_module, version=9)

    assert code == 1 and result['status'] == 404
    assert 'no version 9' in result['msg'] and 'Check project_id, dataset_id and version' in result['msg']


def test_a_version_past_the_current_one_answered_with_no_records_fails(http, run_module, tmp_path):
    # A server that answers 200 and an empty list for a version it does not have: the dataset's own
    # current version tells, and nothing is written to dest.
    dest = str(tmp_path / 'records.jsonl')
    http.expect(records_page([], version=9), records_dataset_by_id(records_dataset(version=4)))

    result, code, dummy = run(run_module, version=9, dest=dest)

    assert code == 1
    assert result['msg'] == 'Dataset %s has no version 9: its current version is 4.' % RECORDS_DATASET
    assert not os.path.exists(dest)


def test_a_version_that_does_not_exist_names_the_dataset_as_given(http, run_module):
    http.expect(records_project_by_name(), records_dataset_by_name([records_dataset(version=4)]), records_page([], version=9))

    args = records_module_args(project_name=PROJECT_NAME, dataset_name=RECORDS_DATASET_NAME, version=9)
    del args['project_id'], args['dataset_id']
    result, code, dummy = run_module(llmobs_dataset_records_info, args)

    assert code == 1
    expected = "Dataset %r (id %s) has no version 9: its current version is 4." % (RECORDS_DATASET_NAME, RECORDS_DATASET)
    assert result['msg'] == expected


def test_a_version_past_the_current_one_that_lists_records_is_trusted(http, run_module):
    # The dataset list can lag behind a version just made: records listed for it are taken as they are.
    http.expect(records_page(LISTED, version=5), records_dataset_by_id(records_dataset(version=4)))

    result, code, dummy = run(run_module, version=5)

    assert code == 0 and result['count'] == 2 and result['version'] == 5


def test_a_negative_version_is_refused_before_any_request(http, run_module):
    result, code, dummy = run(run_module, version=-1)

    assert code == 1 and 'version must be a dataset version number' in result['msg'] and http.seen == []


def test_dest_gets_stable_jsonl_and_changes_only_when_the_content_differs(http, run_module, tmp_path):
    dest = str(tmp_path / 'records.jsonl')
    http.expect(
        records_page(LISTED), records_dataset_by_id(records_dataset()),                  # check mode: would write
        records_page(LISTED), records_dataset_by_id(records_dataset()),                  # writes
        records_page(list(reversed(LISTED))), records_dataset_by_id(records_dataset()),  # another order: same file
        records_page(LISTED[:1]), records_dataset_by_id(records_dataset()),              # one record fewer
    )

    dry, code, dummy = run(run_module, check_mode=True, diff=True, dest=dest)
    assert code == 0 and dry['changed'] is True and not os.path.exists(dest)
    assert dry['diff']['before'] == '' and dry['diff']['after'].count('\n') == 2

    written, code, dummy = run(run_module, dest=dest)
    assert code == 0 and written['changed'] is True and written['count'] == 2 and 'records' not in written
    with open(dest) as handle:
        lines = handle.read().splitlines()
    assert [json.loads(line) for line in lines] == [
        {'id': 'a-1', 'input': 'first', 'expected_output': None, 'metadata': {}, 'tags': []},
        {'id': 'b-2', 'input': {'q': 'second'}, 'expected_output': 'B', 'metadata': {'m': 1}, 'tags': ['a:1', 'z:1']},
    ]

    again, code, dummy = run(run_module, diff=True, dest=dest)
    assert code == 0 and again['changed'] is False and 'diff' not in again

    fewer, code, dummy = run(run_module, diff=True, dest=dest)
    assert code == 0 and fewer['changed'] is True
    assert fewer['diff']['before'].count('\n') == 2 and fewer['diff']['after'].count('\n') == 1


def test_dest_in_a_missing_directory_is_refused_before_any_request(http, run_module, tmp_path):
    result, code, dummy = run(run_module, dest=str(tmp_path / 'missing' / 'records.jsonl'))

    assert code == 1 and 'does not exist' in result['msg'] and http.seen == []
