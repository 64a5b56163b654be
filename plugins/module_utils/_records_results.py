# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""What llmobs_dataset_records returns about a sync: its counts, its message and its diff."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import binascii
import json

from ansible_collections.llmobs.datadog.plugins.module_utils._record_canonical import (
    NotJSON,
    body_fields,
    canonical_json,
    digest,
    plain,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._text import capitalized, counted, counted_large

# Changed records shown in a diff.
DIFF_RECORDS = 20
# How much of an input names a record without an id in a diff; a longer one is cut and its digest added.
DIFF_INPUT_KEY_CHARS = 80


def _input_key(input_value):
    """How a diff names a record without an id: by its input, as the sync matches it (text as it is)."""
    text = input_value if isinstance(input_value, str) else canonical_json(input_value, walk=True).decode('utf-8')
    if len(text) <= DIFF_INPUT_KEY_CHARS:
        return text
    return '%s... #%s' % (text[:DIFF_INPUT_KEY_CHARS], binascii.hexlify(digest(canonical_json(input_value, walk=True)))[:8].decode('ascii'))


def _plain(fields):
    try:
        return plain(fields)  # 1.0 shows as 1, as it compares
    except NotJSON:
        return fields  # a value the server sent that has no JSON form (NaN): shown as it came


def _set_fields(body):
    """The fields of a created or deleted record that say something: input, and the others unless at their default."""
    fields = body_fields(body)
    return _plain(dict((name, value) for name, value in fields.items() if name == 'input' or value not in (None, {}, [])))


def _entries(key, fields):
    """One diff entry per field, named '[key] field': a line of the rendered diff belongs to one record only, so
    that a unified diff can never pair a field of one record with a field of another."""
    return dict(('[%s] %s' % (key, name), value) for name, value in fields.items())


def records_diff(declared, plan, dataset, counts, limit=DIFF_RECORDS):
    """The diff of a sync: the counts, and the first ``limit`` changed records, before and after, by key.

    Each field of a shown record is one entry, ``'[key] field'``, on the side where it is: a created
    record shows only after (its fields that are set), a deleted one only before, and an updated
    one its changed fields on both sides. The key is the declared id or, for records without ids,
    their input (what the sync matches them by; the server's id is then an entry too); a deleted
    record is keyed by the server's id. Inserted and updated records are the first declared, then
    the deleted ones in the order the API listed them. ``dataset`` names the dataset
    (``_lookup.dataset_as_given``).
    """
    before, after = {}, {}
    by_id = declared.keyed_by == 'id'
    changed = dict((update.index, update) for update in plan.updates)
    written = sorted(list(plan.inserts) + list(changed))[:limit]
    for index in written:
        body = json.loads(declared.text_of(declared.entries[index]))
        key = declared.entries[index].key if by_id else _input_key(body.get('input'))
        update = changed.get(index)
        if update is None:
            after.update(_entries(key, _set_fields(body)))
            continue
        old, new = body_fields(plan.before.get(update.server_id) or {}), body_fields(body)
        shown_before = _plain(dict((name, old[name]) for name in update.fields))
        shown_after = _plain(dict((name, new[name]) for name in update.fields))
        if not by_id:
            shown_before['id'] = shown_after['id'] = update.server_id
        before.update(_entries(key, shown_before))
        after.update(_entries(key, shown_after))
    deleted = plan.deletes[:max(0, limit - len(written))]
    for server_id in deleted:
        before.update(_entries(server_id, _set_fields(plan.before.get(server_id) or {})))
    shown = len(written) + len(deleted)
    total = plan.changes
    if not total:
        shown_text = 'no change'
    elif shown == total:
        shown_text = 'all %d changes' % total
    else:
        shown_text = 'the first %d of %d changes' % (shown, total)
    header = 'records of %s (%s)' % (dataset, shown_text)
    return dict(before={'records': before}, after={'changes': counts, 'records': after},
                before_header=header, after_header=header)


def sync_counts(plan):
    return dict(created=len(plan.inserts), updated=len(plan.updates), deleted=len(plan.deletes), unchanged=plan.unchanged)


def sync_summary(label, plan, check_mode, version_created):
    """One line for a pull request comment: 'dataset eval: records +5 ~3 -2, new version' (created, updated, deleted)."""
    if not plan.changes:
        return '%s: records unchanged (%s)' % (label, counted_large(plan.unchanged, 'declared record'))
    counts = sync_counts(plan)
    changes = '+{0:,} ~{1:,} -{2:,}'.format(counts['created'], counts['updated'], counts['deleted'])
    text = '%s: %s %s' % (label, 'would change records' if check_mode else 'records', changes)
    return text + (', new version' if version_created else '')


def sync_message(dataset, plan, state, purge, check_mode, version_created):
    """What a sync did (or in check mode would do), in a sentence or two; ``dataset`` names the dataset
    (``_lookup.dataset_as_given``)."""
    title = capitalized(dataset)
    counts = sync_counts(plan)
    if not plan.changes:
        if state == 'absent':
            text = '%s holds none of the %s; nothing to do.' % (title, counted(plan.unchanged, 'declared record'))
        else:
            text = '%s already holds the %s; nothing to do.' % (title, counted(plan.unchanged, 'declared record'))
    else:
        done = []
        for name in ('created', 'updated', 'deleted'):
            if counts[name] and not done:
                done.append('%s %s%s' % (counted(counts[name], 'record'), 'would be ' if check_mode else '', name))
            elif counts[name]:
                done.append('%d %s' % (counts[name], name))
        text = '%s: %s; %d unchanged.' % (title, ', '.join(done), plan.unchanged)
        if plan.duplicates:
            text += ' The deleted include %d extra %s of declared records.' % (
                plan.duplicates, 'copy' if plan.duplicates == 1 else 'copies')
        if check_mode:
            text += ' (check mode: nothing was sent)'
        elif version_created:
            text += ' A new dataset version was made.'
    if plan.left_alone and state == 'present' and not purge:
        text += ' %s not declared %s left as %s (purge: false).' % (
            counted(plan.left_alone, 'record'), 'is' if plan.left_alone == 1 else 'are',
            'it is' if plan.left_alone == 1 else 'they are')
    return text
