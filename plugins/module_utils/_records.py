# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The records resource: reading a dataset's records, and keeping them equal to declared records.

Reading: ``GET .../{project_id}/datasets/{dataset_id}/records``, every page, the largest page
asked for. Records are read leniently in both shapes the API answers with: the spec's flat one
and the live one with the content under ``attributes`` (API-NOTES).

Writing: ``POST .../batch_update`` only. A sync (``Records.sync``) makes one read of every page,
compares in memory (one digest per server record, never its body), plans the inserts, updates
and deletes, and packs them into requests of at most BATCH_MAX_RECORDS records and under
BATCH_MAX_BYTES of JSON. The first request that changes records asks for a new version and the
others add to it, so a run makes at most one version; a run with nothing to change sends nothing.

Failures of a write:

* 413: the batch is split in halves, which are sent in its place (nothing lost, nothing twice).
* A lost answer (5xx, timeout, dropped connection): the records are read again, for up to the
  module's ``wait_timeout`` seconds since reads may lag behind writes. If any part of the batch shows,
  the rest of the run is planned again from that read, so only what is still missing or
  different is sent. If none shows, the outcome is unknown:
  - a batch that inserts records without ids is not sent again (it would write them twice): the
    run stops, saying so; the next run reads what landed and converges;
  - any other batch is sent again (``Transport.write_once``), at most ``retries`` times in all:
    with ids the server refuses a record it holds already, and that refusal, naming ids of the
    batch, proves the first attempt landed.
* Any other 4xx is final; the message says how much was written before it. The next run
  finishes the rest, because it plans from what the server holds.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import heapq
import json

from ansible_collections.llmobs.datadog.plugins.module_utils._datasets import DATASET_HINTS, datasets_path
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import APIError, LLMObsError
from ansible_collections.llmobs.datadog.plugins.module_utils._record_files import (
    NotJSON,
    body_fields,
    canonical_json,
    differing_fields,
    digest,
    jsonl_line,
    normal_body,
    read_declared,
    tag_list,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._transport import path_segment

# Asked for per page. Datadog documents no maximum for the records list; a server that serves
# fewer per page is followed by its cursor all the same.
RECORDS_PAGE_LIMIT = 5000
# What one batch_update takes (API-NOTES): beyond either, it answers 413.
BATCH_MAX_RECORDS = 1000
BATCH_MAX_BYTES = 5 * 1024 * 1024
# How long the records are read again after a batch whose answer was lost, before it is sent again,
# unless the caller says: Datadog's own SDK notes reads lagging behind writes by up to about 6 s.
LOST_BATCH_SETTLE = 6.0
# Changed records shown in a diff.
DIFF_RECORDS = 20
# What a refused resend says when the records it inserts are there already (the first attempt landed).
ALREADY_EXISTS = 'already exist'

# A refused records write: Datadog's automations fill datasets that cannot be changed (API-NOTES).
RECORDS_WRITE_HINTS = dict(DATASET_HINTS)
RECORDS_WRITE_HINTS[403] = (
    'The dataset may be read-only (datasets filled by Datadog\'s automations are): clone it with '
    'llmobs_dataset_clone and keep the records of the copy. Otherwise check that the application key is '
    'allowed llmobs_data_write and that site or api_url points at the organisation the keys belong to.')
VERSION_HINTS = {404: 'Check project_id, dataset_id and version: the project, the dataset or that version does '
                      'not exist for these keys.'}


def records_path(project_id, dataset_id):
    return '%s/%s/records' % (datasets_path(project_id), path_segment(dataset_id))


def batch_update_path(project_id, dataset_id):
    return '%s/%s/batch_update' % (datasets_path(project_id), path_segment(dataset_id))


def _field(item, attributes, name):
    if name in attributes:
        return attributes[name]
    return item.get(name)


def _server_tags(value):
    return tag_list(tag for tag in value if isinstance(tag, str)) if isinstance(value, list) else []


def record_view(item):
    """One listed record as modules return it: ``{id, input, expected_output, metadata, tags}``.

    Reads the live shape (content under ``attributes``) and the spec's flat one alike; a
    missing ``metadata`` is ``{}``, missing ``tags`` ``[]`` (sorted: they are a set).
    """
    attributes = item.get('attributes') if isinstance(item.get('attributes'), dict) else {}
    record_id = item.get('id') if item.get('id') is not None else attributes.get('id')
    metadata = _field(item, attributes, 'metadata')
    return dict(id=record_id, input=_field(item, attributes, 'input'),
                expected_output=_field(item, attributes, 'expected_output'),
                metadata=metadata if isinstance(metadata, dict) else {},
                tags=_server_tags(_field(item, attributes, 'tags')))


def listed_record(item, by_id):
    """(view, key, digest) of one listed record, keyed and digested the way declared records are.

    The key is the record's id when the declared records carry ids, else the digest of its input.
    """
    view = record_view(item)
    try:
        value = digest(canonical_json(normal_body(view['input'], view['expected_output'], view['metadata'], view['tags'])))
        key = view['id'] if by_id else digest(canonical_json(view['input']))
    except NotJSON:  # NaN in an answer: it equals nothing declared
        value, key = b'', view['id']
    return view, key, value


# ---------------------------------------------------------------------- planning


class Plan(object):
    """What a sync has to do, from one read of the server's records.

    ``inserts``: declared positions (indexes into DeclaredRecords.entries); ``updates``:
    (index, server id, differing fields); ``deletes``: server ids. ``unchanged`` counts declared
    records already as declared (for ``absent``: declared records already absent); ``left_alone``
    the server's records that were not declared and are kept; ``duplicates`` the extra server
    copies of a declared record, deleted with the others. ``before`` keeps, for diffs, the server
    bodies of the records a diff shows: the updated records declared first, and the deleted
    records listed first (see ``records_diff``). ``server_tags`` keeps the tags of the server records
    whose tags are to change, so that an update can say which to remove and which to add.
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
        return bool(self.inserts or self.deletes or any('input' in fields or 'expected_output' in fields
                                                        for dummy, dummy2, fields in self.updates))

    def change_keys(self):
        keys = set(('i', index) for index in self.inserts)
        keys.update(('u', index) for index, dummy, dummy2 in self.updates)
        keys.update(('d', server_id) for server_id in self.deletes)
        return keys


def compare(declared, items, state, purge, keep_before=0):
    """Plan the sync of ``declared`` against the server's listed ``items`` (an iterable, read once)."""
    plan = Plan()
    count = len(declared)
    matched_id = [None] * count
    matched_fields = [None] * count
    by_id = declared.keyed_by == 'id'

    # A diff shows updates in declared order, then deletes in listed order: the bodies of the updates
    # with the smallest declared indexes are kept (a heap of at most keep_before), and of the first deletes.
    shown_updates = []
    deletes_kept = [0]

    def remember(view):
        if deletes_kept[0] < keep_before:
            deletes_kept[0] += 1
            plan.before[view['id']] = view

    def remember_update(index, view):
        if not keep_before:
            return
        heapq.heappush(shown_updates, (-index, view['id']))
        plan.before[view['id']] = view
        if len(shown_updates) > keep_before:
            plan.before.pop(heapq.heappop(shown_updates)[1], None)

    for item in items:
        view, key, value = listed_record(item, by_id)
        server_id = view['id']
        if server_id is None:
            continue  # a record the API cannot name cannot be written either
        index = declared.index_of(key) if count else None
        if index is None:
            if state == 'present' and purge:
                plan.deletes.append(server_id)
                remember(view)
            else:
                plan.left_alone += 1
            continue
        if state == 'absent':
            plan.deletes.append(server_id)
            matched_id[index] = server_id
            remember(view)
            continue
        record = declared.entries[index]
        fields = [] if value == record.digest else differing_fields(body_fields(json.loads(declared.text_of(record))), view)
        if matched_id[index] is None:
            matched_id[index], matched_fields[index] = server_id, fields
            if fields:
                remember_update(index, view)
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
            remember(view)

    for index in range(count):
        if state == 'absent':
            if matched_id[index] is None:
                plan.unchanged += 1
        elif matched_id[index] is None:
            plan.inserts.append(index)
        elif matched_fields[index]:
            plan.updates.append((index, matched_id[index], matched_fields[index]))
        else:
            plan.unchanged += 1
    return plan


# ---------------------------------------------------------------------- batches


class Batch(object):
    """One batch_update request: its changes (kind, key, item) in order, and whether it changes records."""

    def __init__(self, envelope):
        self.changes = []
        self.size = envelope
        self.versioning = False

    def __len__(self):
        return len(self.changes)

    def add(self, change, size, versioning):
        self.changes.append(change)
        self.size += size
        self.versioning = self.versioning or versioning

    def halves(self, envelope):
        middle = len(self.changes) // 2
        parts = []
        for changes in (self.changes[:middle], self.changes[middle:]):
            part = Batch(envelope)
            for change in changes:
                part.add(change, change[3], change[4])
            parts.append(part)
        return parts

    def keys(self):
        return set((kind, key) for kind, key, dummy, dummy2, dummy3 in self.changes)

    def counts(self):
        counts = {'i': 0, 'u': 0, 'd': 0}
        for change in self.changes:
            counts[change[0]] += 1
        return counts

    def attributes(self, create_new_version):
        found = {'i': [], 'u': [], 'd': []}
        for kind, dummy, item, dummy2, dummy3 in self.changes:
            found[kind].append(item)
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


def _update_item(server_id, body, fields, held_tags=()):
    item = {'id': server_id}
    for name in fields:
        if name == 'tags':
            item['tag_operations'] = tag_operations(held_tags, body.get('tags', []))
        elif name == 'metadata':
            item['metadata'] = body.get('metadata', {})
        else:
            item[name] = body.get(name)
    return item


def planned_changes(declared, plan):
    """Every change of a plan as (kind, key, item, JSON size, whether it makes a version), in sending order.

    Deletes, inserts and updates of input or expected_output come first and updates of only
    metadata or tags (which make no version) last, so that the request asking for the new
    version is one that makes it. Items are built one at a time, as batches are filled.
    """
    for server_id in plan.deletes:
        yield ('d', server_id, server_id, len(json.dumps(server_id)) + 2, True)
    for index in plan.inserts:
        item = declared.body(declared.entries[index])
        yield ('i', index, item, len(json.dumps(item)) + 2, True)
    late = []
    for index, server_id, fields in plan.updates:
        if 'input' not in fields and 'expected_output' not in fields:
            late.append((index, server_id, fields))
            continue
        item = _update_item(server_id, declared.body(declared.entries[index]), fields, plan.server_tags.get(server_id, ()))
        yield ('u', index, item, len(json.dumps(item)) + 2, True)
    for index, server_id, fields in late:
        item = _update_item(server_id, declared.body(declared.entries[index]), fields, plan.server_tags.get(server_id, ()))
        yield ('u', index, item, len(json.dumps(item)) + 2, False)


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


def batches(changes, envelope, limits=None):
    """Pack changes into batches of at most ``limits.max_records`` and under ``limits.max_bytes`` bytes
    of JSON (default: the API's limits); limits lowered while packing apply to the next batch."""
    limits = limits or BatchLimits()
    batch = Batch(envelope)
    for change in changes:
        if batch.changes and (len(batch) >= limits.max_records or batch.size + change[3] >= limits.max_bytes):
            yield batch
            batch = Batch(envelope)
        batch.add(change, change[3], change[4])
    if batch.changes:
        yield batch


def _plural(count, word):
    return '%d %s%s' % (count, word, '' if count == 1 else 's')


# ---------------------------------------------------------------------- the resource


class Records(object):
    """Requests about the records of a dataset, over one Transport."""

    kind = 'record'

    def __init__(self, transport):
        self.transport = transport

    def pages(self, project_id, dataset_id, version=None):
        """Every listed record of the dataset (of ``version``, default the current one), page by page, once each."""
        params = {}
        if version is not None:
            params['filter[version]'] = version
        operation = 'Listing the records of dataset %s of project %s%s' % (
            dataset_id, project_id, (' (version %s)' % version) if version is not None else '')
        return self.transport.pages(records_path(project_id, dataset_id), operation, params, RECORDS_PAGE_LIMIT,
                                    hints=VERSION_HINTS if version is not None else DATASET_HINTS)

    def list(self, project_id, dataset_id, version=None):
        """Every record as ``record_view`` shows it."""
        return [record_view(item) for item in self.pages(project_id, dataset_id, version)]

    def plan(self, project_id, dataset_id, declared, state, purge, keep_before=0):
        """One read of every page, compared with ``declared``: the Plan of a sync."""
        return compare(declared, self.pages(project_id, dataset_id), state, purge, keep_before)

    def sync(self, project_id, dataset_id, declared, state='present', purge=False, check_mode=False, keep_before=0,
             settle_timeout=LOST_BATCH_SETTLE):
        """Make the dataset's records equal to ``declared`` (or, ``absent``, delete them).

        Returns ``(plan, version_created)``; in check mode nothing is sent and ``version_created``
        tells whether the plan would make a version. ``settle_timeout``: how long the records are
        read again after a batch whose answer was lost, before it is sent again.
        """
        plan = self.plan(project_id, dataset_id, declared, state, purge, keep_before)
        if check_mode or not plan.changes:
            return plan, check_mode and plan.versioning
        writer = _Writer(self, project_id, dataset_id, declared, state, purge, settle_timeout)
        writer.write(plan)
        return plan, writer.version_created


class _Writer(object):
    """Sends a plan's batches, and follows a lost answer with a fresh read (see the module docstring)."""

    def __init__(self, records, project_id, dataset_id, declared, state, purge, settle_timeout):
        self.records = records
        self.settle_timeout = settle_timeout
        self.transport = records.transport
        self.project_id = project_id
        self.dataset_id = dataset_id
        self.declared = declared
        self.state = state
        self.purge = purge
        self.version_created = False
        self.sent = 0
        self.written = 0
        self.total = 0
        self.path = batch_update_path(project_id, dataset_id)
        empty = {'data': {'type': 'datasets', 'id': dataset_id, 'attributes': Batch(0).attributes(False)}}
        self.envelope = len(json.dumps(empty))

    def write(self, plan):
        self.total = plan.changes
        replans = 0
        pending = []
        limits = BatchLimits()
        queue = batches(planned_changes(self.declared, plan), self.envelope, limits)
        while True:
            batch = pending.pop() if pending else next(queue, None)
            if batch is None:
                return
            if len(batch) > 1 and not limits.fits(batch):
                pending.extend(reversed(batch.halves(self.envelope)))  # made before a 413 lowered the limits
                continue
            try:
                fresh = self._send(batch)
            except APIError as exc:
                if exc.status == 413 and len(batch) > 1:
                    first, second = batch.halves(self.envelope)
                    limits.lower_after(batch, (first, second))
                    self.transport.warn('Writing %s to dataset %s was refused as too large (HTTP 413); sending it '
                                        'in two halves, and no more than %s a request for the rest of this run.'
                                        % (_plural(len(batch), 'change'), self.dataset_id,
                                           _plural(limits.max_records, 'change')))
                    pending.extend([second, first])
                    continue
                if exc.status == 413:
                    exc.extend_message(' A single change of %d bytes was refused as too large: shrink that record.'
                                       % batch.size)
                self._progress(exc)
                raise
            except LLMObsError as exc:
                self._progress(exc)
                raise
            if fresh is not None:
                replans += 1
                if replans > self.transport.settings.retries:
                    error = LLMObsError('Writing the records of dataset %s: the records kept changing while this run '
                                        'wrote them (read again %d times); stopping.' % (self.dataset_id, replans - 1))
                    self._progress(error)
                    raise error
                pending = []
                queue = batches(planned_changes(self.declared, fresh), self.envelope, limits)

    def _progress(self, exc):
        if exc.outcome_unknown:
            exc.extend_message(' Running the task again converges: it reads what the dataset holds and writes only what '
                               'is missing or different (with purge: true it also deletes a second copy of a record).')
            exc.result_extras['changed'] = True  # it may have: a report must not say the records are not there
        if self.sent:
            exc.extend_message(' Before this failure %d of %d changes were written in %s; running the task again '
                               'finishes the rest.' % (self.written, self.total, _plural(self.sent, 'request')))
            exc.result_extras['changed'] = True  # the dataset did change, and has a new version if one was asked

    def _send(self, batch):
        """Send one batch; None when it was written, or a fresh Plan when a lookup after a lost answer was needed."""
        create = batch.versioning and not self.version_created
        counts = batch.counts()
        operation = 'Writing records to dataset %s of project %s (%d inserted, %d updated, %d deleted)' % (
            self.dataset_id, self.project_id, counts['i'], counts['u'], counts['d'])
        body = {'data': {'type': 'datasets', 'id': self.dataset_id, 'attributes': batch.attributes(create)}}
        mine = batch.keys()

        def find_result():
            fresh = self.records.plan(self.project_id, self.dataset_id, self.declared, self.state, self.purge)
            if mine <= fresh.change_keys():
                return None  # nothing of the batch shows yet
            return fresh

        inserted_ids = [item['id'] for kind, dummy, item, dummy2, dummy3 in batch.changes
                        if kind == 'i' and item.get('id') is not None]

        def landed(exc):
            # Sent again after a lost answer, the batch is refused for records it inserts that exist already.
            text = ' '.join([exc.message] + [json.dumps(entry, default=str) for entry in exc.errors or ()])
            if ALREADY_EXISTS in text.lower() and any(record_id in text for record_id in inserted_ids):
                return _LANDED
            return None

        # Records without ids have no key the server checks: sent twice, they are written twice.
        resend_unknown = not (counts['i'] and self.declared.keyed_by != 'id')
        result = self.transport.write_once('POST', self.path, operation, body, find_result, self.settle_timeout,
                                           'these records were not written', parse=lambda answer: None,
                                           hints=RECORDS_WRITE_HINTS, resend_unknown=resend_unknown,
                                           landed=landed if inserted_ids else None)
        self.sent += 1
        if create:
            self.version_created = True
        if result is None or result is _LANDED:
            self.written += len(batch)
            return None
        self.written += len(mine - result.change_keys())
        return result


# What ``landed`` returns: the batch was written by an attempt whose answer was lost.
_LANDED = object()


def read_declared_records(params):
    """The declared records of a module's ``records`` or ``src``, each small enough for one batch_update."""
    return read_declared(params.get('records'), params.get('src'), require_input=params.get('state') != 'absent',
                         max_record_bytes=BATCH_MAX_BYTES - 1024)


# ---------------------------------------------------------------------- what a module returns


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
                     [(index, server_id) for index, server_id, dummy in plan.updates])
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


def sync_message(dataset_id, plan, state, purge, check_mode, version_created):
    """What a sync did (or in check mode would do), in a sentence or two."""
    counts = sync_counts(plan)
    if not plan.changes:
        if state == 'absent':
            text = 'Dataset %s holds none of the %s; nothing to do.' % (dataset_id, _plural(plan.unchanged, 'declared record'))
        else:
            text = 'Dataset %s already holds the %s; nothing to do.' % (dataset_id, _plural(plan.unchanged, 'declared record'))
    else:
        done = []
        for name in ('created', 'updated', 'deleted'):
            if counts[name] and not done:
                done.append('%s %s%s' % (_plural(counts[name], 'record'), 'would be ' if check_mode else '', name))
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
            _plural(plan.left_alone, 'record'), 'is' if plan.left_alone == 1 else 'are',
            'it is' if plan.left_alone == 1 else 'they are')
    return text


def jsonl_lines(views):
    """Records as JSONL lines (``_record_files.jsonl_line``), sorted by id, so that a file of them is stable."""
    keyed = [(view['id'] is None, view['id'] or '', jsonl_line(view)) for view in views]
    keyed.sort()
    return [line for dummy, dummy2, line in keyed]
