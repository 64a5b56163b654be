# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""What llmobs_dataset_records returns about a sync: its counts, its message and its diff."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.plugins.module_utils._record_canonical import body_fields
from ansible_collections.llmobs.datadog.plugins.module_utils._text import counted, counted_large

# Changed records shown in a diff.
DIFF_RECORDS = 20


def _declared_view(declared, index, server_id=None):
    body = declared.body(declared.entries[index], server_id)
    return dict(body_fields(body), id=body.get('id'))


def records_diff(declared, plan, dataset_id, counts, limit=DIFF_RECORDS):
    """The diff of a sync: the counts, and the first ``limit`` changed records before and after.

    Inserted and updated records come in the order they were declared, then deleted ones in the
    order the API listed them. A record that is absent on one side shows as ``state: absent``.
    """
    before, after = [], []
    written = sorted([(index, None) for index in plan.inserts] +
                     [(update.index, update.server_id) for update in plan.updates])
    for index, server_id in written[:limit]:
        if server_id is None:
            body = declared.body(declared.entries[index])
            key = 'id' if declared.keyed_by == 'id' else 'input'
            before.append({key: body.get(key), 'state': 'absent'})
            after.append(_declared_view(declared, index))
        else:
            before.append(plan.before.get(server_id) or {'id': server_id})
            after.append(_declared_view(declared, index, server_id))
    for server_id in plan.deletes[:max(0, limit - len(before))]:
        before.append(plan.before.get(server_id) or {'id': server_id})
        after.append({'id': server_id, 'state': 'absent'})
    shown = len(before)
    total = plan.changes
    if not total:
        shown_text = 'no change'
    elif shown == total:
        shown_text = 'all %d changes' % total
    else:
        shown_text = 'the first %d of %d changes' % (shown, total)
    header = 'records of dataset %s (%s)' % (dataset_id, shown_text)
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


def sync_message(dataset_id, plan, state, purge, check_mode, version_created):
    """What a sync did (or in check mode would do), in a sentence or two."""
    counts = sync_counts(plan)
    if not plan.changes:
        if state == 'absent':
            text = 'Dataset %s holds none of the %s; nothing to do.' % (dataset_id, counted(plan.unchanged, 'declared record'))
        else:
            text = 'Dataset %s already holds the %s; nothing to do.' % (dataset_id, counted(plan.unchanged, 'declared record'))
    else:
        done = []
        for name in ('created', 'updated', 'deleted'):
            if counts[name] and not done:
                done.append('%s %s%s' % (counted(counts[name], 'record'), 'would be ' if check_mode else '', name))
            elif counts[name]:
                done.append('%d %s' % (counts[name], name))
        text = 'Dataset %s: %s; %d unchanged.' % (dataset_id, ', '.join(done), plan.unchanged)
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
