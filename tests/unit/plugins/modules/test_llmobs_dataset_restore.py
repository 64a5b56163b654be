# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""llmobs_dataset_restore end to end inside the module: every test states the exact HTTP calls of a run.

The dataset ``ds-1`` of PROJECT is at version 5 and restores version 3, unless a test says otherwise. The
comparison's own cases are in module_utils/test_restore.py; here, each branch of the module.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest
import requests

from ansible_collections.llmobs.datadog.plugins.module_utils._planned import PLAN_ENV
from ansible_collections.llmobs.datadog.plugins.modules import llmobs_dataset_restore
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import (
    API_KEY,
    APP_KEY,
    BASE_URL,
    PROJECT,
    PROJECT_NAME,
    dataset,
    project,
    warnings_of,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    probe_version,
    dataset_by_id,
    datasets_by_name,
    draft_state_document,
    get_draft_state,
    list_records,
    list_versions,
    lock_draft,
    projects_by_name,
    record,
    restore_version,
    unlock_draft,
    versions,
)

MODULE = llmobs_dataset_restore

DATASET = 'ds-1'
NAME = 'eval-set'
JANE = {'id': 'u-1', 'name': 'Jane Doe', 'email': 'jane@example.com'}

# Version 3 and the current records: r1 changed since, r2 deleted since, r9 added since, r0 the same.
VERSION_3 = (record('r0', 'same', 'S'), record('r1', 'q1', 'old'), record('r2', 'q2', 'A2'))
CURRENT = (record('r9', 'q9'), record('r1', 'q1', 'new'), record('r0', 'same', 'S'))


def args(**overrides):
    """The module's options: ds-1 of PROJECT by ids, version 3; an override of None leaves the option out."""
    options = dict(api_key=API_KEY, app_key=APP_KEY, project_id=PROJECT, dataset_id=DATASET, version=3)
    options.update(overrides)
    return dict((name, value) for name, value in options.items() if value is not None)


def at_version(number, **extra):
    return dataset_by_id(DATASET).reply_page(dataset(DATASET, NAME, version=number, **extra))


def listed_versions(*numbers):
    return list_versions(DATASET).reply(json={'data': versions(DATASET, *numbers)})


def version_records(items, version=3):
    return list_records(DATASET, version=str(version)).reply_page(*items)


def current_records(items):
    return list_records(DATASET).reply_page(*items)


def nobody_editing():
    return get_draft_state(DATASET).reply(json=draft_state_document(DATASET))


def held_by_jane():
    return get_draft_state(DATASET).reply(json=draft_state_document(DATASET, JANE, '2026-12-01T10:00:00Z'))


def compared(version_items=VERSION_3, current_items=CURRENT):
    """The reads of every run that gets to compare: the dataset, its versions, version 3's records, the current ones."""
    return [at_version(5), listed_versions(5, 4, 3), version_records(version_items), current_records(current_items)]


def restored():
    return restore_version(DATASET, 3).reply(body='')


# ---------------------------------------------------------------- equal: no write


def test_records_already_equal_to_the_version_send_no_write(http, run):
    # Other ids, another order, key order and 1 against 1.0: equal as data.
    http.expect(compared([record('a', {'q': 1.0, 'k': 'x'}), record('b', 'two', 'B')],
                         [record('y', 'two', 'B'), record('z', {'k': 'x', 'q': 1})]))

    result, code, raw = run(args())

    assert code == 0, result
    assert result['changed'] is False
    assert (result['added'], result['updated'], result['removed'], result['unchanged']) == (0, 0, 0, 2)
    assert (result['restored_version'], result['version_before'], result['current_version']) == (3, 5, 5)
    assert result['dataset']['current_version'] == 5 and result['project_id'] == PROJECT
    assert result['msg'] == 'Dataset ds-1 already holds the records of version 3 (2 records); nothing to do.'
    assert result['summary'] == 'dataset eval-set: records already as in version 3'
    assert API_KEY not in raw and APP_KEY not in raw


# ---------------------------------------------------------------- differ: guard, one restore, wait


def test_records_that_differ_are_restored_once_and_waited_for(http, run, clock):
    http.expect(compared(), nobody_editing(), restored(), at_version(5), at_version(6))

    result, code, dummy = run(args())

    assert code == 0, result
    assert result['changed'] is True
    assert (result['added'], result['updated'], result['removed'], result['unchanged']) == (1, 1, 1, 1)
    assert (result['version_before'], result['current_version'], result['dataset']['current_version']) == (5, 6, 6)
    assert result['msg'] == ('Dataset ds-1: restored version 3: 1 record back, 1 changed back, 1 removed; 1 unchanged. '
                             'Its current version is now 6.')
    assert result['summary'] == 'dataset eval-set: restored version 3, records +1 ~1 -1'
    assert clock.sleeps == [0.5]  # one poll that did not see it yet
    assert warnings_of(result) == []


def test_by_name_the_lookup_gives_the_version_before(http, run):
    http.expect(
        projects_by_name(PROJECT_NAME).reply_page(project(PROJECT, PROJECT_NAME)),
        datasets_by_name(NAME).reply_page(dataset(DATASET, NAME, version=5)),
        listed_versions(5, 3), version_records(VERSION_3), current_records(CURRENT),
        nobody_editing(), restored(), at_version(6),
    )

    result, code, dummy = run(args(project_id=None, project_name=PROJECT_NAME, dataset_id=None, dataset_name=NAME))

    assert code == 0, result
    assert result['msg'].startswith("Dataset 'eval-set' (id ds-1): restored version 3")
    assert result['summary'].startswith('dataset eval-set: restored version 3')


def test_a_lost_answer_is_looked_up_and_not_sent_again(http, run):
    http.expect(compared(), nobody_editing(),
                restore_version(DATASET, 3).raises(requests.exceptions.ReadTimeout('read timed out')),
                at_version(6))   # the lookup sees the restore: no second POST, and no wait after it

    result, code, dummy = run(args())

    assert code == 0, result
    assert result['changed'] is True and result['current_version'] == 6
    assert http.count('POST') == 1
    assert any('a lookup shows it was done; not sending it again' in text for text in warnings_of(result))


def test_a_restore_that_does_not_show_within_wait_timeout_is_a_warning(http, run, clock):
    # wait_timeout 1: reads at 0, 0.5 and 1 second, none of them moved past version 5.
    http.expect(compared(), nobody_editing(), restored(), at_version(5).times(3))

    result, code, dummy = run(args(wait_timeout=1))

    assert code == 0, result
    assert result['changed'] is True and result['current_version'] == 5
    assert result['msg'].endswith('The restore was accepted, but the current version had not moved past 5 after 1 '
                                  'second.')
    assert warnings_of(result) == [
        'The restore of version 3 of dataset ds-1 was accepted, but after 1 second the dataset still reported version 5. '
        'Datadog may show it later; until then a task that reads the records may see them as they were. Raise '
        'wait_timeout to wait longer.']
    assert clock.sleeps == [0.5, 0.5]


def test_a_dataset_that_reports_no_version_is_restored_without_a_wait(http, run):
    http.expect(dataset_by_id(DATASET).reply_page(dataset(DATASET, NAME, version=None)),
                listed_versions(3), version_records(VERSION_3), current_records(CURRENT),
                nobody_editing(), restored())

    result, code, dummy = run(args())

    assert code == 0, result
    assert result['changed'] is True and result['current_version'] is None
    assert 'could not wait for the restore to show' in result['msg']
    assert 'cannot tell when the restore of version 3 shows' in warnings_of(result)[0]


def test_a_lost_answer_without_a_version_to_look_for_is_not_sent_again(http, run):
    # Nothing can show that the restore landed: sending it again could make two versions, so the outcome is unknown.
    http.expect(dataset_by_id(DATASET).reply_page(dataset(DATASET, NAME, version=None)),
                listed_versions(3), version_records(VERSION_3), current_records(CURRENT),
                nobody_editing(), restore_version(DATASET, 3).raises(requests.exceptions.ReadTimeout('read timed out')))

    result, code, dummy = run(args())

    assert code == 1 and http.count('POST') == 1
    assert 'outcome is unknown' in result['msg']


# ---------------------------------------------------------------- the version must be listed


@pytest.mark.parametrize('listed, shown', [((5, 4), '5, 4'), ((), 'none')])
def test_a_version_not_listed_fails_naming_the_versions_before_any_write(http, run, listed, shown):
    http.expect(at_version(5), listed_versions(*listed),
                probe_version(DATASET, 3).reply_error(404, {'detail': 'version not found'}))

    result, code, dummy = run(args())

    assert code == 1 and result['failed'] is True
    assert result['msg'] == ('Dataset ds-1 has no version 3: its versions are %s (Datadog keeps old versions 90 days, then they expire).'
                             % shown)
    assert [v['version'] for v in result['versions']] == list(listed) and result['restored_version'] == 3
    assert result['changed'] is False


def test_a_dataset_id_that_matches_nothing_fails_before_the_versions(http, run):
    http.expect(dataset_by_id(DATASET).reply_page())

    result, code, dummy = run(args())

    assert code == 1
    assert result['msg'] == 'No dataset with id ds-1 was found in project proj-1.'


@pytest.mark.parametrize('options, message', [
    (dict(version=-1), 'version must be a version number, 0 or more (got -1)'),
    (dict(wait_timeout=0), 'wait_timeout must be a whole number of seconds from 1 to 3600'),
])
def test_bad_options_fail_before_any_request(http, run, options, message):
    result, code, dummy = run(args(**options))
    assert code == 1 and message in result['msg']


# ---------------------------------------------------------------- check mode and diff


def test_check_mode_reads_only_and_diff_shows_the_records_by_key(http, run):
    http.expect(compared(),
                version_records(VERSION_3), current_records(CURRENT),   # the diff reads its records again
                nobody_editing())

    result, code, dummy = run(args(), check_mode=True, diff=True)

    assert code == 0, result
    http.assert_no_write()
    assert result['changed'] is True and result['current_version'] == 5
    assert result['msg'] == ('Dataset ds-1: restoring version 3: 1 record would come back, 1 would be changed back, '
                             '1 would be removed; 1 unchanged (check mode: nothing was sent).')
    assert result['summary'] == 'dataset eval-set: would restore version 3, records +1 ~1 -1'
    assert result['diff']['before'] == {'records': {'[r1] expected_output': 'new', '[r9] input': 'q9'}}
    assert result['diff']['after'] == {
        'changes': {'added': 1, 'updated': 1, 'removed': 1, 'unchanged': 1},
        'records': {'[r1] expected_output': 'old', '[r2] input': 'q2', '[r2] expected_output': 'A2'}}
    assert result['diff']['after_header'] == 'records of dataset ds-1 as in version 3 (all 3 changes)'


def test_check_mode_with_someone_editing_warns_and_reads_only(http, run):
    http.expect(compared(), held_by_jane())

    result, code, dummy = run(args(lock=True), check_mode=True)

    assert code == 0 and result['changed'] is True
    http.assert_no_write()
    assert 'is being edited in Datadog by Jane Doe' in warnings_of(result)[0]
    assert 'a real run would fail' in warnings_of(result)[0]


def test_check_mode_with_equal_records_reads_no_draft_state(http, run):
    http.expect(compared(VERSION_3, VERSION_3))

    result, code, dummy = run(args(), check_mode=True, diff=True)

    assert code == 0 and result['changed'] is False
    assert result['diff']['before'] == {'records': {}} and result['diff']['after']['records'] == {}


def test_check_mode_refuses_a_dataset_an_earlier_task_would_create(http, run, monkeypatch):
    monkeypatch.setenv(PLAN_ENV, json.dumps([dict(kind='dataset', name='planned', project_id=PROJECT, project_name=None,
                                                  source=None, api=BASE_URL)]))
    http.expect(datasets_by_name('planned').reply_page())

    result, code, dummy = run(args(dataset_id=None, dataset_name='planned'), check_mode=True)

    assert code == 1
    assert result['msg'].startswith("Dataset 'planned' (an earlier task of this run would create it) has no version 3 "
                                    "to restore: it does not exist yet")
    assert 'a dry run cannot tell which it would have' in result['msg']


# ---------------------------------------------------------------- the draft lock


def test_someone_editing_stops_the_restore_before_it_is_sent(http, run):
    http.expect(compared(), held_by_jane())

    result, code, dummy = run(args(lock=True))

    assert code == 1
    assert http.count('POST') == 0 and http.count('PATCH') == 0
    assert result['msg'].startswith('Dataset ds-1 is being edited in Datadog by Jane Doe <jane@example.com> since '
                                    '2026-12-01T10:00:00Z')
    assert result['draft_state']['user'] == JANE


def test_force_restores_while_someone_edits_with_a_warning(http, run):
    http.expect(compared(), held_by_jane(), restored(), at_version(6))

    result, code, dummy = run(args(force=True, lock=True))

    assert code == 0 and result['changed'] is True
    assert 'writing anyway (force: true), without taking the lock it holds' in warnings_of(result)[0]


def test_lock_is_held_until_the_restore_shows_then_released(http, run):
    http.expect(compared(), nobody_editing(),
                lock_draft(DATASET).reply(json=draft_state_document(DATASET, {'id': 'api-user'}, '2026-12-01T10:00:00Z')),
                restored(), at_version(6),
                unlock_draft(DATASET).reply(body=''))

    result, code, dummy = run(args(lock=True))

    assert code == 0 and result['changed'] is True and result['current_version'] == 6


def test_lock_is_released_after_a_refused_restore(http, run):
    http.expect(compared(), nobody_editing(),
                lock_draft(DATASET).reply(json=draft_state_document(DATASET, {'id': 'api-user'}, '2026-12-01T10:00:00Z')),
                restore_version(DATASET, 3).reply_error(400, {'detail': 'version 3 is being deleted'}),
                unlock_draft(DATASET).reply(body=''))

    result, code, dummy = run(args(lock=True))

    assert code == 1
    assert 'version 3 is being deleted' in result['msg'] and 'nothing was restored' in result['msg']
    assert result['status'] == 400


def test_a_failed_read_while_waiting_says_the_restore_was_made(http, run):
    http.expect(compared(), nobody_editing(), restored(),
                dataset_by_id(DATASET).reply_error(500, {'title': 'Internal Server Error'}).times(2))

    result, code, dummy = run(args(retries=1))

    assert code == 1, result
    assert result['changed'] is True and http.count('POST') == 1
    assert result['msg'].startswith('Dataset ds-1: version 3 was restored, but the lookup that waits for the list to '
                                    'show it failed: ')
