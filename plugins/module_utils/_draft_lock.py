# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The draft lock around a records write: someone editing the dataset in Datadog's UI is not written over.

Every module that writes records declares DRAFT_LOCK_OPTIONS (documented by the doc fragment
``llmobs.datadog.draft_lock``) and wraps its writes, once it knows it has some to send, in
``draft_guard`` (or hands a ``DraftGuardOnWrite`` to the code that finds out whether there are
any): it reads the draft state and refuses while anyone holds the dataset, unless
``force``; with ``lock`` it holds the lock for the write and releases it whatever happens (an error,
or Ctrl-C: ``finally`` runs for KeyboardInterrupt too). A lock held by someone else is never
released by the collection.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from contextlib import contextmanager

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import APIError, LLMObsError
from ansible_collections.llmobs.datadog.plugins.module_utils._text import capitalized
from ansible_collections.llmobs.datadog.plugins.module_utils._versions import holder_text

DRAFT_LOCK_OPTIONS = dict(
    force=dict(type='bool', default=False),
    lock=dict(type='bool', default=False),
)


def held_message(label, state):
    return ('%s is being edited in Datadog by %s: its records were not written, so that the edit in progress is '
            'not overwritten (nor this write lost when it is saved). Wait until the draft is saved or discarded, '
            'or set force: true to write anyway (also when the holder is this API key, left locked by an '
            'interrupted run).' % (capitalized(label), holder_text(state)))


@contextmanager
def draft_guard(task, project_id, dataset_id, label):
    """Enter before the first records write of ``label``'s dataset (never in a run with nothing to write).

    Yields the draft state read (None: nobody held it). In check mode a draft in progress is a warning:
    the real run would fail unless ``force``, and nothing is locked.
    """
    versions = task.api.versions
    state, known = _read_state(task, versions, project_id, dataset_id, label)
    if state is not None:
        if task.check_mode and not task.params['force']:
            task.warn(held_message(label, state).replace('its records were not written', 'a real run would fail'))
        elif not task.params['force']:
            raise LLMObsError(held_message(label, state), draft_state=state)
        else:
            task.warn('%s is being edited in Datadog by %s; writing anyway (force: true)%s.'
                      % (capitalized(label), holder_text(state),
                         ', without taking the lock it holds' if task.params['lock'] else ''))
    held = False  # from the lock request on, the lock may be ours: released whatever happens next
    try:
        if task.params['lock'] and known and state is None and not task.check_mode:
            held = True
            try:
                versions.lock(project_id, dataset_id)
            except APIError as exc:
                # Refused (someone took it meanwhile): not ours, never released. Lost or failed: it may be ours.
                held = not (400 <= exc.status < 500 and exc.status not in (408, 429))
                raise
        yield state
    finally:
        if held:
            _release(task, versions, project_id, dataset_id, label)


def _read_state(task, versions, project_id, dataset_id, label):
    """``(the draft state, whether it is known)``; with ``force``, a read that fails is a warning and the state is
    unknown (nothing is locked then), since force writes whoever holds it."""
    try:
        return versions.draft_state(project_id, dataset_id), True
    except LLMObsError as exc:
        if not task.params['force']:
            exc.extend_message(' The draft state is read before any records write, so that an edit in progress in '
                               "Datadog's UI is not overwritten; force: true writes without it.")
            raise
        task.warn('%s: reading its draft state failed (%s); writing anyway (force: true)%s.'
                  % (capitalized(label), exc.message, ', without the lock' if task.params['lock'] else ''))
        return None, False


class DraftGuardOnWrite(object):
    """``draft_guard`` for a write that may not happen, handed to the code that plans it (``Records.sync``): called
    (``with guard():``) only once there is something to write. ``read`` then says that the draft state was read
    (the result reports it), ``state`` what it was."""

    def __init__(self, task, project_id, dataset_id, label):
        self.task = task
        self.project_id = project_id
        self.dataset_id = dataset_id
        self.label = label
        self.read = False
        self.state = None

    @contextmanager
    def __call__(self):
        with draft_guard(self.task, self.project_id, self.dataset_id, self.label) as state:
            self.read, self.state = True, state
            yield state


def _release(task, versions, project_id, dataset_id, label):
    """Release the lock taken; a failure to release is a warning, so that it never hides the write's own outcome."""
    try:
        versions.unlock(project_id, dataset_id)
    except LLMObsError as exc:
        task.warn('%s stays locked for editing: releasing the lock failed (%s). Release it in Datadog, or the next '
                  'write needs force: true.' % (capitalized(label), exc.message))
