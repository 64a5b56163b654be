# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Planning a sync: which records to insert, update and delete, from one read of the server's records.

The server's records are compared in memory with the declared ones, one digest per server record
(never its body kept), so a plan of 100,000 records holds little more than their ids.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import heapq
import json
from collections import namedtuple

from ansible_collections.llmobs.datadog.plugins.module_utils._record_canonical import (
    NotJSON,
    body_fields,
    canonical_json,
    differing_fields,
    digest,
    normal_body,
)

# One declared record to change on the server: its index among the declared records, the server's id of the
# record, and the fields (of RECORD_VALUE_FIELDS) that differ.
Update = namedtuple('Update', ['index', 'server_id', 'fields'])


class SyncPlan(object):
    """What a sync has to do, from one read of the server's records.

    ``inserts``: declared positions (indexes into DeclaredRecords.entries); ``updates``: Update
    tuples; ``deletes``: server ids. ``unchanged`` counts declared records already as declared (for
    ``absent``: declared records already absent); ``left_alone`` the server's records that were not
    declared and are kept; ``duplicates`` the extra server copies of a declared record, deleted with
    the others. ``before`` keeps, for diffs, the server bodies of the records a diff shows: the
    updated records declared first, and the deleted records listed first (see
    ``_records_results.records_diff``). ``server_tags`` keeps the tags of the server records whose
    tags are to change, so that an update can say which to remove and which to add.
    """

    def __init__(self):
        self.inserts = []
        self.updates = []
        self.deletes = []
        self.unchanged = 0
        self.left_alone = 0
        self.duplicates = 0
        self.before = {}
        self.server_tags = {}

    @property
    def changes(self):
        return len(self.inserts) + len(self.updates) + len(self.deletes)

    @property
    def versioning(self):
        """Whether the plan makes a new version: an insert, a delete, or a change of input or expected_output."""
        return bool(self.inserts or self.deletes or any('input' in update.fields or 'expected_output' in update.fields
                                                        for update in self.updates))

    def change_keys(self):
        """Every change as (kind, key), the way ``_records_batches.Batch.keys`` names the changes of a batch."""
        keys = set(('i', index) for index in self.inserts)
        keys.update(('u', update.index) for update in self.updates)
        keys.update(('d', server_id) for server_id in self.deletes)
        return keys


def _key_and_digest(view, by_id):
    """A server record keyed and digested the way declared records are: by its id when the declared records
    carry ids, else by the digest of its input."""
    try:
        value = digest(canonical_json(normal_body(view['input'], view['expected_output'], view['metadata'], view['tags'])))
        key = view['id'] if by_id else digest(canonical_json(view['input']))
    except NotJSON:  # NaN in an answer: it equals nothing declared
        value, key = b'', view['id']
    return key, value


class _ShownBodies(object):
    """The server bodies a diff will show, kept while the listing is read: the updates with the smallest declared
    indexes (a heap of at most ``limit``), and the first deletes listed."""

    def __init__(self, before, limit):
        self.before = before
        self.limit = limit
        self.updates = []
        self.deletes = 0

    def deleted(self, view):
        if self.deletes < self.limit:
            self.deletes += 1
            self.before[view['id']] = view

    def updated(self, index, view):
        if not self.limit:
            return
        heapq.heappush(self.updates, (-index, view['id']))
        self.before[view['id']] = view
        if len(self.updates) > self.limit:
            self.before.pop(heapq.heappop(self.updates)[1], None)


def plan_sync(declared, views, state, purge, keep_before=0):
    """The SyncPlan that makes the server's records (``views``, as ``record_view`` shows them: an iterable,
    read once) equal to ``declared`` or, with state ``absent``, deletes the declared ones.

    ``keep_before``: how many server bodies of updates and of deletes to keep for a diff.
    """
    plan = SyncPlan()
    count = len(declared)
    matched_id = [None] * count
    matched_fields = [None] * count
    by_id = declared.keyed_by == 'id'
    shown = _ShownBodies(plan.before, keep_before)

    for view in views:
        server_id = view['id']
        if server_id is None:
            continue  # a record the API cannot name cannot be written either
        key, value = _key_and_digest(view, by_id)
        index = declared.index_of(key) if count else None
        if index is None:
            if state == 'present' and purge:
                plan.deletes.append(server_id)
                shown.deleted(view)
            else:
                plan.left_alone += 1
            continue
        if state == 'absent':
            plan.deletes.append(server_id)
            matched_id[index] = server_id
            shown.deleted(view)
            continue
        record = declared.entries[index]
        fields = [] if value == record.digest else differing_fields(body_fields(json.loads(declared.text_of(record))), view)
        if matched_id[index] is None:
            matched_id[index], matched_fields[index] = server_id, fields
            if fields:
                shown.updated(index, view)
                if 'tags' in fields:
                    plan.server_tags[server_id] = view['tags']
            continue
        # A second server record under one declared key (input-keyed records pushed twice): keep one.
        plan.duplicates += 1
        if matched_fields[index] and not fields:
            plan.deletes.append(matched_id[index])
            matched_id[index], matched_fields[index] = server_id, fields
        else:
            plan.deletes.append(server_id)
            shown.deleted(view)

    for index in range(count):
        if state == 'absent':
            if matched_id[index] is None:
                plan.unchanged += 1
        elif matched_id[index] is None:
            plan.inserts.append(index)
        elif matched_fields[index]:
            plan.updates.append(Update(index, matched_id[index], matched_fields[index]))
        else:
            plan.unchanged += 1
    return plan
