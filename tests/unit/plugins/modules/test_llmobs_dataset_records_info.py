# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""llmobs_dataset_records_info: the records returned or written to a JSONL file, or Datadog's CSV export streamed to a
file, with the exact HTTP calls."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os
import re

from ansible_collections.llmobs.datadog.plugins.module_utils._planned import PLAN_ENV
from ansible_collections.llmobs.datadog.plugins.modules import llmobs_dataset_records_info
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import BASE_URL, PROJECT, PROJECT_NAME, warnings_of
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    RECORDS_DATASET,
    RECORDS_DATASET_NAME,
    CutOffBody,
    datasets_by_name,
    export_dataset,
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
    assert written['checksum'] == hashlib.sha1(read(dest)).hexdigest() and written['size'] == len(read(dest))
    assert dry['checksum'] == written['checksum'] and dry['size'] == written['size']
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


# ---------------------------------------------------------------- format: csv, Datadog's export streamed to dest

CSV = (b'id,input,expected_output,metadata,tags\r\n'
       b'b-2,"{""q"":""second""}","""B""","{""m"":1}","[""a:1"",""z:1""]"\r\n'
       b'a-1,"""first""",,{},[]\r\n')


def csv_args(dest, **args):
    return dict(format='csv', dest=dest, **args)


def files_in(folder):
    return sorted(os.listdir(str(folder)))


def read(path):
    with open(path, 'rb') as handle:
        return handle.read()


def test_csv_to_a_new_file(http, run_module, tmp_path):
    dest = str(tmp_path / 'capitals.csv')
    http.expect(export_dataset(RECORDS_DATASET).reply(body=CSV, content_type='text/csv; charset=utf-8'),
                records_dataset_by_id(records_dataset(version=4)))

    result, code, dummy = run(run_module, **csv_args(dest))

    assert code == 0, result
    assert result['changed'] is True and read(dest) == CSV and files_in(tmp_path) == ['capitals.csv']
    assert result['checksum'] == hashlib.sha1(CSV).hexdigest() and result['size'] == len(CSV)
    assert result['count'] == 2 and result['version'] == 4 and result['dest'] == dest
    assert result['dataset']['id'] == RECORDS_DATASET and 'records' not in result and 'diff' not in result
    http.assert_no_write()


def test_csv_with_the_same_content_leaves_the_file_untouched(http, run_module, tmp_path):
    dest = tmp_path / 'capitals.csv'
    dest.write_bytes(CSV)
    os.utime(str(dest), (1000000000, 1000000000))
    before = os.stat(str(dest))
    http.expect(export_dataset(RECORDS_DATASET).reply(body=CSV, content_type='text/csv'),
                records_dataset_by_id(records_dataset(version=4)))

    result, code, dummy = run(run_module, diff=True, **csv_args(str(dest)))

    assert code == 0 and result['changed'] is False and 'diff' not in result
    assert result['checksum'] == hashlib.sha1(CSV).hexdigest() and result['size'] == len(CSV)
    after = os.stat(str(dest))
    assert (after.st_ino, after.st_mtime) == (before.st_ino, before.st_mtime) and files_in(tmp_path) == ['capitals.csv']


def test_csv_with_other_content_replaces_the_file_and_keeps_its_permissions(http, run_module, tmp_path):
    dest = tmp_path / 'capitals.csv'
    dest.write_bytes(CSV)
    os.chmod(str(dest), 0o640)
    newer = CSV + b'c-3,"""third""",,{},[]\r\n'
    http.expect(export_dataset(RECORDS_DATASET).reply(body=newer, content_type='text/csv'),
                records_dataset_by_id(records_dataset(version=5)))

    result, code, dummy = run(run_module, diff=True, **csv_args(str(dest)))

    assert code == 0 and result['changed'] is True and result['count'] == 3 and result['version'] == 5
    assert read(str(dest)) == newer and os.stat(str(dest)).st_mode & 0o777 == 0o640
    assert result['diff']['before'] == CSV.decode() and result['diff']['after'] == newer.decode()
    assert files_in(tmp_path) == ['capitals.csv']


def test_csv_cut_off_midway_is_downloaded_again_and_the_file_is_whole(http, run_module, tmp_path):
    dest = str(tmp_path / 'large.csv')
    # Beyond one 64 KiB chunk, so that the cut attempt has written part of the file before it fails.
    body = b'id,input,expected_output,metadata,tags\r\n' + b''.join(
        b'r%05d,"""%s""",,{},[]\r\n' % (number, b'x' * 100) for number in range(2000))
    http.expect(export_dataset(RECORDS_DATASET).reply(body=CutOffBody(body), content_type='text/csv'),
                export_dataset(RECORDS_DATASET).reply(body=body, content_type='text/csv'),
                records_dataset_by_id(records_dataset(version=4)))

    result, code, dummy = run(run_module, **csv_args(dest))

    assert code == 0, result
    assert read(dest) == body and result['count'] == 2000 and result['size'] == len(body)
    assert result['checksum'] == hashlib.sha1(body).hexdigest() and files_in(tmp_path) == ['large.csv']
    assert len(warnings_of(result)) == 1
    assert re.search(r'was cut off after [0-9,]+ bytes: .*Connection reset by peer.*retrying', warnings_of(result)[0])


def test_a_failed_export_leaves_the_old_file_and_no_temporary_file(http, run_module, tmp_path):
    dest = tmp_path / 'capitals.csv'
    dest.write_bytes(CSV)
    body = b'id,input,expected_output,metadata,tags\r\n' + b'r,"""%s""",,{},[]\r\n' % (b'x' * 70000)
    http.expect(export_dataset(RECORDS_DATASET).reply(body=CutOffBody(body), content_type='text/csv'),
                export_dataset(RECORDS_DATASET).reply(body=CutOffBody(body), content_type='text/csv'))

    cut, code, dummy = run(run_module, retries=1, **csv_args(str(dest)))

    assert code == 1 and 'was cut off after' in cut['msg'] and 'Connection reset by peer' in cut['msg']
    assert read(str(dest)) == CSV and files_in(tmp_path) == ['capitals.csv']


def test_a_version_that_does_not_exist_leaves_the_old_file(http, run_module, tmp_path):
    dest = tmp_path / 'capitals.csv'
    dest.write_bytes(CSV)
    http.expect(export_dataset(RECORDS_DATASET, 9).reply_error(404, {'status': '404', 'detail': 'no version 9'}))

    result, code, dummy = run(run_module, version=9, **csv_args(str(dest)))

    assert code == 1 and result['status'] == 404 and 'Check project_id, dataset_id and version' in result['msg']
    assert read(str(dest)) == CSV and files_in(tmp_path) == ['capitals.csv']


def test_a_header_alone_for_a_version_past_the_current_one_is_no_such_version(http, run_module, tmp_path):
    # A server that answers 200 and no rows for a version it does not have: the dataset's current version tells,
    # and the download is not kept.
    dest = str(tmp_path / 'capitals.csv')
    http.expect(export_dataset(RECORDS_DATASET, 9).reply(body=b'id,input,expected_output,metadata,tags\r\n',
                                                         content_type='text/csv'),
                records_dataset_by_id(records_dataset(version=4)))

    result, code, dummy = run(run_module, version=9, **csv_args(dest))

    assert code == 1 and result['msg'] == 'Dataset %s has no version 9: its current version is 4.' % RECORDS_DATASET
    assert files_in(tmp_path) == []


def test_csv_of_a_version(http, run_module, tmp_path):
    dest = str(tmp_path / 'v2.csv')
    http.expect(export_dataset(RECORDS_DATASET, 2).reply(body=CSV, content_type='text/csv'),
                records_dataset_by_id(records_dataset(version=4)))

    result, code, dummy = run(run_module, version=2, **csv_args(dest))

    assert code == 0 and result['changed'] is True and result['version'] == 2 and read(dest) == CSV


def test_csv_check_mode_downloads_compares_and_writes_nothing(http, run_module, tmp_path):
    dest = tmp_path / 'capitals.csv'
    one_run = [export_dataset(RECORDS_DATASET).reply(body=CSV, content_type='text/csv'),
               records_dataset_by_id(records_dataset(version=4))]
    http.expect(one_run * 3)

    new, code, dummy = run(run_module, check_mode=True, diff=True, **csv_args(str(dest)))
    assert code == 0 and new['changed'] is True and files_in(tmp_path) == []
    assert new['diff']['before'] == '' and new['diff']['after'] == CSV.decode()
    assert new['checksum'] == hashlib.sha1(CSV).hexdigest() and new['size'] == len(CSV)

    dest.write_bytes(b'id,input\r\nold,1\r\n')
    other, code, dummy = run(run_module, check_mode=True, diff=True, **csv_args(str(dest)))
    assert code == 0 and other['changed'] is True and other['diff']['before'] == 'id,input\r\nold,1\r\n'
    assert read(str(dest)) == b'id,input\r\nold,1\r\n' and files_in(tmp_path) == ['capitals.csv']

    dest.write_bytes(CSV)
    same, code, dummy = run(run_module, check_mode=True, diff=True, **csv_args(str(dest)))
    assert code == 0 and same['changed'] is False and 'diff' not in same
    http.assert_no_write()


def test_csv_diff_of_a_large_file_shows_sizes_and_checksums_not_the_content(http, run_module, tmp_path):
    dest = tmp_path / 'large.csv'
    old = b'id,input\r\n' + b'r,1\r\n' * 20000
    dest.write_bytes(old)
    body = CSV + b'x,"""%s""",,{},[]\r\n' % (b'y' * 70000)
    http.expect(export_dataset(RECORDS_DATASET).reply(body=body, content_type='text/csv'),
                records_dataset_by_id(records_dataset(version=4)))

    result, code, dummy = run(run_module, check_mode=True, diff=True, **csv_args(str(dest)))

    assert code == 0 and result['changed'] is True
    assert result['diff']['before'] == '(%d bytes, 20001 lines, sha1 %s: too large to show)\n' % (
        len(old), hashlib.sha1(old).hexdigest())
    assert result['diff']['after'] == '(%d bytes, 4 lines, sha1 %s: too large to show)\n' % (
        len(body), hashlib.sha1(body).hexdigest())
    assert read(str(dest)) == old


def test_csv_without_dest_is_refused_before_any_request(http, run_module):
    result, code, dummy = run(run_module, format='csv')

    assert code == 1 and http.seen == []
    assert result['msg'] == 'dest is required with format=csv: the export is written to a file, never returned.'


def test_an_export_refused_as_not_acceptable_says_what_may_have_changed_the_request(http, run_module, tmp_path):
    http.expect(export_dataset(RECORDS_DATASET).reply_error(
        406, {'status': '406', 'title': 'Not Acceptable', 'detail': 'an export is text/csv'}))

    result, code, dummy = run(run_module, **csv_args(str(tmp_path / 'capitals.csv')))

    assert code == 1 and result['status'] == 406 and files_in(tmp_path) == []
    assert result['msg'] == (
        'Exporting dataset %s of project %s failed with HTTP 406 Not Acceptable: Not Acceptable: an export is '
        'text/csv (status 406). The export is served only as text/csv, which was asked for (Accept: text/csv): '
        'a proxy or gateway on the way may have changed the Accept header.' % (RECORDS_DATASET, PROJECT))


def test_csv_of_a_dataset_an_earlier_task_would_create_is_a_change_with_nothing_downloaded(http, run_module, tmp_path,
                                                                                           monkeypatch):
    monkeypatch.setenv(PLAN_ENV, json.dumps([dict(kind='dataset', name='planned', project_id=PROJECT, project_name=None,
                                                  source=None, api=BASE_URL)]))
    http.expect(datasets_by_name('planned').reply_page())
    args = records_module_args(dataset_name='planned', format='csv', dest=str(tmp_path / 'planned.csv'))
    del args['dataset_id']

    result, code, dummy = run_module(llmobs_dataset_records_info, args, check_mode=True)

    assert code == 0 and result['changed'] is True and result['count'] == 0 and files_in(tmp_path) == []
    assert 'checksum' not in result and "Dataset 'planned'" in result['msg'] and 'check mode' in result['msg']
