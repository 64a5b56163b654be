# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The draft guard around a records write: refuse while someone edits, lock and always release."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._draft_lock import DraftGuardOnWrite, draft_guard
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError
from ansible_collections.llmobs.datadog.plugins.module_utils._module import ModuleTask
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import PROJECT, make_api
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    draft_state_document,
    get_draft_state,
    lock_draft,
    unlock_draft,
)

JANE = {'id': 'u-1', 'name': 'Jane Doe', 'email': 'jane@example.com'}
HELD = draft_state_document('ds-1', JANE, '2026-12-01T10:00:00Z')
LABEL = "dataset 'eval-set' (id ds-1)"


def task(force=False, lock=False, check_mode=False):
    warnings = []
    return ModuleTask(dict(force=force, lock=lock), check_mode, False, warnings.append, make_api()), warnings


def test_nobody_editing_reads_the_state_and_writes(http):
    http.expect(get_draft_state('ds-1').reply(json=draft_state_document('ds-1')))
    the_task, warnings = task()
    with draft_guard(the_task, PROJECT, 'ds-1', LABEL) as state:
        assert state is None
    assert warnings == []


def test_someone_editing_stops_the_write_and_says_who(http):
    http.expect(get_draft_state('ds-1').reply(json=HELD))
    the_task, dummy = task(lock=True)
    entered = []
    with pytest.raises(LLMObsError) as raised:
        with draft_guard(the_task, PROJECT, 'ds-1', LABEL):
            entered.append(True)
    assert not entered
    assert raised.value.message.startswith("Dataset 'eval-set' (id ds-1) is being edited in Datadog by Jane Doe "
                                           "<jane@example.com> since 2026-12-01T10:00:00Z")
    assert 'force: true' in raised.value.message
    assert raised.value.result_extras['draft_state']['user'] == JANE


def test_force_writes_with_a_warning_and_never_takes_nor_releases_anothers_lock(http):
    http.expect(get_draft_state('ds-1').reply(json=HELD))
    the_task, warnings = task(force=True, lock=True)
    with draft_guard(the_task, PROJECT, 'ds-1', LABEL) as state:
        assert state['user'] == JANE
    assert 'writing anyway (force: true), without taking the lock it holds' in warnings[0]


def test_check_mode_warns_and_never_locks(http):
    http.expect(get_draft_state('ds-1').reply(json=HELD))
    the_task, warnings = task(lock=True, check_mode=True)
    with draft_guard(the_task, PROJECT, 'ds-1', LABEL):
        pass
    assert 'a real run would fail' in warnings[0]
    http.assert_no_write()


def test_check_mode_with_nobody_editing_does_not_lock(http):
    http.expect(get_draft_state('ds-1').reply(json=draft_state_document('ds-1')))
    with draft_guard(task(lock=True, check_mode=True)[0], PROJECT, 'ds-1', LABEL):
        pass


def test_lock_is_held_for_the_write_and_released(http):
    http.expect(
        get_draft_state('ds-1').reply(json=draft_state_document('ds-1')),
        lock_draft('ds-1').reply(json=draft_state_document('ds-1', JANE, 'now')),
        unlock_draft('ds-1').reply(body=''),
    )
    order = []
    with draft_guard(task(lock=True)[0], PROJECT, 'ds-1', LABEL):
        order.append(len(http.seen))
    assert order == [2] and len(http.seen) == 3


@pytest.mark.parametrize('failure', [LLMObsError('the write failed'), KeyboardInterrupt()])
def test_the_lock_is_released_when_the_write_fails_or_is_interrupted(http, failure):
    http.expect(
        get_draft_state('ds-1').reply(json=draft_state_document('ds-1')),
        lock_draft('ds-1').reply(json=draft_state_document('ds-1', JANE, 'now')),
        unlock_draft('ds-1').reply(body=''),
    )
    with pytest.raises(type(failure)):
        with draft_guard(task(lock=True)[0], PROJECT, 'ds-1', LABEL):
            raise failure
    http.assert_done()


def test_a_release_that_fails_is_a_warning_not_a_lost_result(http):
    http.expect(
        get_draft_state('ds-1').reply(json=draft_state_document('ds-1')),
        lock_draft('ds-1').reply(json=draft_state_document('ds-1', JANE, 'now')),
        unlock_draft('ds-1').reply_error(403, {'detail': 'forbidden'}),
    )
    the_task, warnings = task(lock=True)
    with draft_guard(the_task, PROJECT, 'ds-1', LABEL):
        pass
    assert warnings[0].startswith("Dataset 'eval-set' (id ds-1) stays locked for editing: releasing the lock failed")


def test_the_guard_on_write_reads_nothing_until_it_is_entered_then_keeps_what_it_read(http):
    guard = DraftGuardOnWrite(task(force=True)[0], PROJECT, 'ds-1', LABEL)
    assert (guard.read, guard.state) == (False, None)   # no write: no request, nothing to report

    http.expect(get_draft_state('ds-1').reply(json=HELD))
    with guard() as state:
        assert state['user'] == JANE
    assert guard.read is True and guard.state == state


def test_a_lock_whose_answer_was_lost_is_released_all_the_same(http):
    # The server may have taken the lock before the answer was lost: left held, it would stop the next run.
    http.expect(
        get_draft_state('ds-1').reply(json=draft_state_document('ds-1')),
        lock_draft('ds-1').reply_error(502, {'detail': 'bad gateway'}).times(4),
        unlock_draft('ds-1').reply(body=''),
    )
    with pytest.raises(LLMObsError, match='HTTP 502'):
        with draft_guard(task(lock=True)[0], PROJECT, 'ds-1', LABEL):
            raise AssertionError('no write without the lock')
    http.assert_done()


def test_a_lock_refused_is_someone_elses_and_never_released(http):
    http.expect(
        get_draft_state('ds-1').reply(json=draft_state_document('ds-1')),
        lock_draft('ds-1').reply_error(400, {'detail': 'the dataset is being edited by Jane Doe'}),
    )
    with pytest.raises(LLMObsError, match='being edited by Jane Doe'):
        with draft_guard(task(lock=True)[0], PROJECT, 'ds-1', LABEL):
            raise AssertionError('no write without the lock')
    http.assert_done()


def test_a_draft_state_that_cannot_be_read_stops_the_write_and_names_force(http):
    http.expect(get_draft_state('ds-1').reply_error(403, {'detail': 'forbidden'}))
    with pytest.raises(LLMObsError) as raised:
        with draft_guard(task()[0], PROJECT, 'ds-1', LABEL):
            raise AssertionError('not entered')
    assert 'forbidden' in raised.value.message and 'force: true writes without it' in raised.value.message


def test_force_writes_when_the_draft_state_cannot_be_read_and_takes_no_lock(http):
    http.expect(get_draft_state('ds-1').reply_error(403, {'detail': 'forbidden'}))
    the_task, warnings = task(force=True, lock=True)
    with draft_guard(the_task, PROJECT, 'ds-1', LABEL) as state:
        assert state is None
    assert 'reading its draft state failed' in warnings[0] and 'without the lock' in warnings[0]
