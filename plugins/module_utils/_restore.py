# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Restoring a dataset version: whether the current records already equal version N's, what a restore would
change, the restore itself and its wait, and what llmobs_dataset_restore says about it.

Records are compared as data, by the records module's rules (``_record_canonical``: input, expected_output,
metadata and tags; record ids and server fields do not count), and as multisets: two copies of a record are
two records. Records equal as data are unchanged whatever their ids. Of the others, a current record and a
record of version N are paired (one record that a restore changes back) by id where both have the same id,
else by input; the rest come back (version N's) or go (current ones).

Memory: version N's records are kept as digests (16 bytes of each record's canonical form and of its input,
with its id and its place in the list), the current records are streamed past them, and only the records
that differ are kept, as digests too. A diff reads again only the records it shows, and stops once it has
them.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
from collections import namedtuple
from itertools import islice

from ansible_collections.llmobs.datadog.plugins.module_utils._datasets import dataset_facts
from ansible_collections.llmobs.datadog.plugins.module_utils._draft_lock import draft_guard
from ansible_collections.llmobs.datadog.plugins.module_utils._jsonapi import attributes_of
from ansible_collections.llmobs.datadog.plugins.module_utils._planned import PLANNED_NOTE
from ansible_collections.llmobs.datadog.plugins.module_utils._record_canonical import (
    NotJSON,
    body_fields,
    canonical_json,
    differing_fields,
    digest,
    normal_body,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._records_results import (
    DIFF_RECORDS,
    _entries as diff_entries,
    _input_key as diff_input_key,
    _plain as shown_plain,
    _set_fields as set_fields,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._state import read_after_write
from ansible_collections.llmobs.datadog.plugins.module_utils._text import capitalized, counted

# One record of a list, as the comparison keeps it: its place in the list, its id, and the digests of its
# input and of its canonical form (``content``).
Entry = namedtuple('Entry', ['position', 'id', 'input_key', 'content'])

# Copies of one record: how many are looked at for the one with the same id, so that a dataset of many identical
# records costs no more than a scan of a few each.
SAME_ID_SCAN = 64


def fingerprint(view):
    """``(content digest, input digest)`` of a record as ``_records.record_view`` shows it."""
    try:
        content = canonical_json(normal_body(view['input'], view['expected_output'], view['metadata'], view['tags']))
        return digest(content), digest(canonical_json(view['input']))
    except NotJSON:  # a value with no JSON form (NaN in an answer): compared by its text, equal only to itself
        fields = json.dumps(body_fields(view), sort_keys=True, default=repr)
        return digest(fields.encode('utf-8')), digest(json.dumps(view['input'], default=repr).encode('utf-8'))


def _entry(position, view):
    content, input_key = fingerprint(view)
    return Entry(position, view.get('id'), input_key, content)


class RecordsComparison(object):
    """The current records against version N's.

    ``unchanged`` counts the records equal as data on both sides; ``updated`` holds pairs ``(current Entry,
    version Entry)`` of one record that a restore changes back, in the order of the current list; ``added``
    the records of version N that come back, in the order of its list; ``removed`` the current records
    that go.
    """

    def __init__(self):
        self.unchanged = 0
        self.updated = []
        self.added = []
        self.removed = []

    @property
    def equal(self):
        return not (self.updated or self.added or self.removed)

    def counts(self):
        return dict(added=len(self.added), updated=len(self.updated), removed=len(self.removed),
                    unchanged=self.unchanged)


def _keep(entries, entry):
    """Keep ``entry`` under its content: the entry itself, or a list of the copies."""
    held = entries.get(entry.content)
    if held is None:
        entries[entry.content] = entry
    elif isinstance(held, list):
        held.append(entry)
    else:
        entries[entry.content] = [held, entry]


def _take(entries, entry):
    """Take one kept record equal to ``entry`` (the one with its id among the first copies, if any): True if any."""
    held = entries.get(entry.content)
    if held is None:
        return False
    if not isinstance(held, list):
        del entries[entry.content]
        return True
    index = next((index for index, copy in enumerate(islice(held, SAME_ID_SCAN)) if copy.id == entry.id),
                 len(held) - 1)
    held.pop(index)
    if len(held) == 1:
        entries[entry.content] = held[0]
    return True


def _left(entries):
    """Every entry still kept, in the order of its list."""
    left = []
    for held in entries.values():
        if isinstance(held, list):
            left.extend(held)
        else:
            left.append(held)
    return sorted(left, key=lambda entry: entry.position)


def _pair(comparison, current_left, version_left):
    """Pair the records that differ: by id where both sides have the same id, else by input."""
    by_id = {}
    for entry in version_left:
        if entry.id is not None:
            by_id.setdefault(entry.id, entry)
    paired, unpaired = set(), []
    for entry in current_left:
        match = by_id.get(entry.id) if entry.id is not None else None
        if match is not None and match.position not in paired:
            paired.add(match.position)
            comparison.updated.append((entry, match))
        else:
            unpaired.append(entry)
    by_input = {}
    for entry in reversed(version_left):  # reversed: each list is taken from its end, in list order
        if entry.position not in paired:
            by_input.setdefault(entry.input_key, []).append(entry)
    for entry in unpaired:
        candidates = by_input.get(entry.input_key)
        if candidates:
            match = candidates.pop()
            paired.add(match.position)
            comparison.updated.append((entry, match))
        else:
            comparison.removed.append(entry)
    comparison.updated.sort(key=lambda pair: pair[0].position)
    comparison.added = [entry for entry in version_left if entry.position not in paired]


def compare_with_version(records, project_id, dataset_id, version, label=None):
    """Read version ``version``'s records, then the current ones (each list once, page by page), and compare them:
    a RecordsComparison. ``records``: the records resource; ``label`` names the dataset in progress lines."""
    kept = {}
    for position, view in enumerate(records.views(project_id, dataset_id, version, label)):
        _keep(kept, _entry(position, view))
    comparison = RecordsComparison()
    current_left = []
    for position, view in enumerate(records.views(project_id, dataset_id, label=label)):
        entry = _entry(position, view)
        if _take(kept, entry):
            comparison.unchanged += 1
        else:
            current_left.append(entry)
    _pair(comparison, current_left, _left(kept))
    return comparison


# ---------------------------------------------------------------- the diff


def _shown(comparison, limit):
    """The changes a diff shows, at most ``limit``: ``(current Entry or None, version Entry or None)``, the records
    changed back first, then those that come back, then those that go."""
    changes = list(comparison.updated[:limit])
    changes.extend((None, entry) for entry in comparison.added[:max(0, limit - len(changes))])
    changes.extend((entry, None) for entry in comparison.removed[:max(0, limit - len(changes))])
    return changes


def _bodies(read, wanted):
    """The first record read with each content digest of ``wanted``; stops reading once it has them all."""
    found = {}
    if not wanted:
        return found
    for view in read():
        content = fingerprint(view)[0]
        if content in wanted and content not in found:
            found[content] = view
            if len(found) == len(wanted):
                break
    return found


def _key(entry, body):
    """How a diff names a record that is on one side only: its id, or (a record without one) its input."""
    return entry.id if entry.id is not None else diff_input_key(body.get('input'))


def restore_diff(records, project_id, dataset_id, version, comparison, dataset, version_before, limit=DIFF_RECORDS,
                 label=None):
    """The diff of a restore, as llmobs_dataset_records makes its own: the counts, and the first ``limit`` records that
    change, one entry per field named ``'[key] field'``. A record changed back shows its differing fields on both
    sides, keyed by its id, or by its input when it was paired by input (its ids then an entry too); a record that
    comes back shows after only, one that goes before only. The records shown are read again (version ``version``'s,
    then the current ones, each only if needed). ``dataset`` names the dataset (``_lookup.dataset_label``)."""
    shown = _shown(comparison, limit)
    then_bodies = _bodies(lambda: records.views(project_id, dataset_id, version, label),
                          set(then.content for dummy, then in shown if then is not None))
    now_bodies = _bodies(lambda: records.views(project_id, dataset_id, label=label),
                         set(now.content for now, dummy in shown if now is not None))
    before, after = {}, {}
    for now, then in shown:
        old = body_fields(now_bodies.get(now.content) or {}) if now is not None else None
        new = body_fields(then_bodies.get(then.content) or {}) if then is not None else None
        if old is None:
            after.update(diff_entries(_key(then, new), set_fields(new)))
        elif new is None:
            before.update(diff_entries(_key(now, old), set_fields(old)))
        else:
            fields = differing_fields(old, new)
            shown_before = shown_plain(dict((name, old[name]) for name in fields))
            shown_after = shown_plain(dict((name, new[name]) for name in fields))
            key = now.id
            if now.id is None or now.id != then.id:
                key = diff_input_key(new.get('input'))
                shown_before['id'], shown_after['id'] = now.id, then.id
            before.update(diff_entries(key, shown_before))
            after.update(diff_entries(key, shown_after))
    total = len(comparison.updated) + len(comparison.added) + len(comparison.removed)
    if not total:
        shown_text = 'no change'
    elif len(shown) == total:
        shown_text = 'all %d changes' % total
    else:
        shown_text = 'the first %d of %d changes' % (len(shown), total)
    return dict(before={'records': before}, after={'changes': comparison.counts(), 'records': after},
                before_header='records of %s, current version %s (%s)' % (dataset, version_before, shown_text),
                after_header='records of %s as in version %d (%s)' % (dataset, version, shown_text))


# ---------------------------------------------------------------- the version, the restore and its wait


def planned_refusal(dataset, version):
    """Check mode, a dataset an earlier task would create: its versions do not exist yet, and their numbers are the
    server's to give, so a dry run cannot say whether version ``version`` would exist nor what restoring it would do."""
    return ('%s has no version %d to restore: it does not exist yet (%s), and Datadog numbers a dataset\'s versions as '
            'they are made, so a dry run cannot tell which it would have. Create the dataset first, or skip this task '
            'in check mode (when: not ansible_check_mode).' % (capitalized(dataset), version, PLANNED_NOTE))


def current_version_of(item):
    """The current version of a dataset's JSON:API object, or None (no object, or no whole number in it)."""
    version = attributes_of(item).get('current_version') if isinstance(item, dict) else None
    return version if isinstance(version, int) and not isinstance(version, bool) else None


def restore_and_wait(api, project_id, dataset_id, number, version_before, timeout, done, result):
    """Send the restore of version ``number`` once, then wait up to ``timeout`` seconds until the dataset's current
    version moves past ``version_before``. Returns ``(the dataset as last read, or None; whether it moved)``.

    A restore whose answer was lost is looked for the same way (the dataset's version moved) before it is sent
    again. Without a version before (an answer that gives none), nothing can tell that the restore shows: it is not
    waited for, and a lost answer is not sent again but reported as an outcome unknown (a re-run compares). ``done``
    and ``result`` say what was written if the wait's read fails (``_state.read_after_write``).
    """
    last = [None]

    def moved():
        item = api.datasets.get(project_id, dataset_id)
        last[0] = item or last[0]
        return item if _moved_past(item, version_before) else None

    if version_before is None:  # nothing to look for after a lost answer: never sent again (its outcome unknown)
        api.versions.restore(project_id, dataset_id, number, lambda: None, 0, resend_unknown=False)
        return None, False
    answer = api.versions.restore(project_id, dataset_id, number, moved, timeout)
    if _moved_past(answer, version_before):
        return answer, True  # the answer was lost, and the lookup found the restore done
    item = read_after_write(done, result, api.transport.poll, moved, timeout)
    return (item or last[0]), item is not None


def guarded_restore(task, project_id, dataset_id, number, dataset, result):
    """Restore version ``number`` inside the draft guard (refused while someone edits the dataset in Datadog unless
    ``force``; with ``lock``, the lock held until the restore shows), then wait; in check mode only the guard's read.

    ``result`` holds ``version_before``; its ``dataset`` and ``current_version`` become those the wait read last.
    Returns the current version that shows the restore, or None (check mode, or it did not show: a warning).
    """
    before, timeout = result['version_before'], task.params['wait_timeout']
    with draft_guard(task, project_id, dataset_id, dataset):
        if task.check_mode:
            return None
        item, shown = restore_and_wait(task.api, project_id, dataset_id, number, before, timeout,
                                       '%s: version %d was restored' % (capitalized(dataset), number), result)
    if item is not None:
        result.update(dataset=dataset_facts(item), current_version=current_version_of(item))
    if not shown:
        task.warn(not_shown_warning(dataset, number, before, timeout))
        return None
    return result['current_version']


def _moved_past(item, version_before):
    version = current_version_of(item)
    return version is not None and version > version_before


# ---------------------------------------------------------------- what the module says


def _changes_text(counts, check_mode):
    parts = []
    if counts['added']:
        parts.append('%s %s' % (counted(counts['added'], 'record'), 'would come back' if check_mode else 'back'))
    if counts['updated']:
        parts.append('%s %s' % (counted(counts['updated'], 'record') if not parts else counts['updated'],
                                'would be changed back' if check_mode else 'changed back'))
    if counts['removed']:
        parts.append('%s %s' % (counted(counts['removed'], 'record') if not parts else counts['removed'],
                                'would be removed' if check_mode else 'removed'))
    return '%s; %d unchanged' % (', '.join(parts), counts['unchanged'])


def restore_message(dataset, number, comparison, check_mode, version_before=None, version_after=None, timeout=None):
    """What the restore did (in check mode, would do), in a sentence or two; ``dataset`` names the dataset.

    After a restore, ``version_after`` is the current version that showed it (None: it did not show within
    ``timeout`` seconds, or without ``version_before`` could not be told)."""
    title, counts = capitalized(dataset), comparison.counts()
    if comparison.equal:
        return '%s already holds the records of version %d (%s); nothing to do.' % (
            title, number, counted(counts['unchanged'], 'record'))
    if check_mode:
        return '%s: restoring version %d: %s (check mode: nothing was sent).' % (
            title, number, _changes_text(counts, True))
    text = '%s: restored version %d: %s.' % (title, number, _changes_text(counts, False))
    if version_after is not None:
        return text + ' Its current version is now %d.' % version_after
    if version_before is None:
        return text + ' The dataset reports no current version, so the module could not wait for the restore to show.'
    return text + (' The restore was accepted, but the current version had not moved past %d after %s.'
                   % (version_before, counted(timeout, 'second')))


def not_shown_warning(dataset, number, version_before, timeout):
    """The warning of a restore accepted that did not show within the wait."""
    if version_before is None:
        return ('%s reports no current version, so the module cannot tell when the restore of version %d shows; a '
                'task right after this one may still read the records before it.' % (capitalized(dataset), number))
    return ('The restore of version %d of %s was accepted, but after %s the dataset still reported version %d. '
            'Datadog may show it later; until then a task that reads the records may see them as they were. Raise '
            'wait_timeout to wait longer.' % (number, dataset, counted(timeout, 'second'), version_before))


def restore_summary(label, number, comparison, check_mode):
    """One line for a pull request comment: 'dataset eval: restored version 3, records +2 ~1 -1'."""
    if comparison.equal:
        return '%s: records already as in version %d' % (label, number)
    counts = comparison.counts()
    return '{0}: {1} version {2}, records +{3:,} ~{4:,} -{5:,}'.format(
        label, 'would restore' if check_mode else 'restored', number, counts['added'], counts['updated'],
        counts['removed'])
