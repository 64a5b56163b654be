# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Packing a sync's changes into batch_update requests within the API's limits.

Datadog's batch_update takes at most BATCH_MAX_RECORDS records and about BATCH_MAX_BYTES of JSON a
request, and answers 413 beyond either. Changes are built one at a time while batches are filled,
so a run never holds every request body at once.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
from collections import namedtuple

BATCH_MAX_RECORDS = 1000
BATCH_MAX_BYTES = 5 * 1024 * 1024

# One change of a batch: ``kind`` 'i' (insert), 'u' (update) or 'd' (delete); ``key`` the declared index
# (insert, update) or the server id (delete); ``item`` what the request carries for it; ``size`` its JSON
# size in the request; ``versioning`` whether it makes a new dataset version.
Change = namedtuple('Change', ['kind', 'key', 'item', 'size', 'versioning'])


class Batch(object):
    """One batch_update request: its changes in order, its size in bytes of JSON, and whether it changes records.

    ``envelope_bytes``: the size of the request around its changes (the body with empty lists).
    """

    def __init__(self, envelope_bytes):
        self.envelope_bytes = envelope_bytes
        self.changes = []
        self.size = envelope_bytes
        self.versioning = False

    def __len__(self):
        return len(self.changes)

    def add(self, change):
        self.changes.append(change)
        self.size += change.size
        self.versioning = self.versioning or change.versioning

    def halves(self):
        """Two batches of this one's changes, the first half and the rest, to send in its place."""
        middle = len(self.changes) // 2
        parts = []
        for changes in (self.changes[:middle], self.changes[middle:]):
            part = Batch(self.envelope_bytes)
            for change in changes:
                part.add(change)
            parts.append(part)
        return parts

    def keys(self):
        return set((change.kind, change.key) for change in self.changes)

    def counts(self):
        counts = {'i': 0, 'u': 0, 'd': 0}
        for change in self.changes:
            counts[change.kind] += 1
        return counts

    def attributes(self, create_new_version):
        found = {'i': [], 'u': [], 'd': []}
        for change in self.changes:
            found[change.kind].append(change.item)
        return {'create_new_version': create_new_version, 'insert_records': found['i'],
                'update_records': found['u'], 'delete_records': found['d']}


def tag_operations(held, declared):
    """The tag operations that turn ``held`` into ``declared``.

    ``set`` alone says it (the spec applies remove, then add, then set, which overrides both), but a
    server that takes an empty ``set`` for no ``set`` at all would then keep every tag: ``remove``
    and ``add`` say the same thing in that reading.
    """
    operations = {}
    removed = sorted(set(held) - set(declared))
    added = sorted(set(declared) - set(held))
    if removed:
        operations['remove'] = removed
    if added:
        operations['add'] = added
    operations['set'] = list(declared)
    return operations


def _update_item(update, body, held_tags=()):
    item = {'id': update.server_id}
    for name in update.fields:
        if name == 'tags':
            item['tag_operations'] = tag_operations(held_tags, body.get('tags', []))
        elif name == 'metadata':
            item['metadata'] = body.get('metadata', {})
        else:
            item[name] = body.get(name)
    return item


def _change(kind, key, item, versioning):
    return Change(kind, key, item, len(json.dumps(item)) + 2, versioning)  # 2: the comma and space between items


def planned_changes(declared, plan):
    """Every change of a SyncPlan as a Change, in sending order.

    Deletes, inserts and updates of input or expected_output come first and updates of only
    metadata or tags (which make no version) last, so that the request asking for the new
    version is one that makes it. Items are built one at a time, as batches are filled.
    """
    for server_id in plan.deletes:
        yield _change('d', server_id, server_id, True)
    for index in plan.inserts:
        yield _change('i', index, declared.body(declared.entries[index]), True)
    late = []
    for update in plan.updates:
        if 'input' not in update.fields and 'expected_output' not in update.fields:
            late.append(update)
            continue
        item = _update_item(update, declared.body(declared.entries[update.index]), plan.server_tags.get(update.server_id, ()))
        yield _change('u', update.index, item, True)
    for update in late:
        item = _update_item(update, declared.body(declared.entries[update.index]), plan.server_tags.get(update.server_id, ()))
        yield _change('u', update.index, item, False)


class BatchLimits(object):
    """What one batch_update may carry: the API's limits, lowered for the rest of a run by a 413.

    A server that refuses less than the documented limits would otherwise refuse every full batch
    of the run and have each split again.
    """

    def __init__(self, max_records=BATCH_MAX_RECORDS, max_bytes=BATCH_MAX_BYTES):
        self.max_records = max_records
        self.max_bytes = max_bytes

    def fits(self, batch):
        return len(batch) <= self.max_records and batch.size < self.max_bytes

    def lower_after(self, refused, parts):
        """After a 413 of ``refused``: no more changes than the largest of ``parts`` (its halves), and
        fewer bytes than it had. Which of the two the server minded is not known; halving the count
        halves the bytes of like records too."""
        self.max_records = min(self.max_records, max(len(part) for part in parts))
        self.max_bytes = min(self.max_bytes, refused.size)


def pack_batches(changes, envelope_bytes, limits=None):
    """Pack changes into batches of at most ``limits.max_records`` and under ``limits.max_bytes`` bytes
    of JSON (default: the API's limits); limits lowered while packing apply to the next batch."""
    limits = limits or BatchLimits()
    batch = Batch(envelope_bytes)
    for change in changes:
        if batch.changes and (len(batch) >= limits.max_records or batch.size + change.size >= limits.max_bytes):
            yield batch
            batch = Batch(envelope_bytes)
        batch.add(change)
    if batch.changes:
        yield batch
