# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator's state: projects, datasets, their records with versions, and how lists see them.

Everything here is plain Python under one lock; server.py turns HTTP into calls on Store.

Records are kept so that a real server's costs hold at 100,000 records: the records of the
current version sit in a dict by id plus an append-only list of creation numbers, so a page costs
O(page) and a write O(records written); only reading an older version walks the whole history
(once per version, then cached: older versions never change).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import bisect
import copy
import datetime
import itertools
import json
import random
import re
import threading
import time
import uuid

from .events import (ExperimentEvents, InvalidEvent, SpanGenerator, check_generate, check_metric, check_span,
                     fill_span, statistics)
from .registry import Evaluator, InvalidConfig, Prompt, PromptVersion, check_template

RECORD_ID_PATTERN = re.compile(r'^[A-Za-z0-9_.-]{1,128}$')
RECORD_FIELDS = ('id', 'input', 'expected_output', 'metadata', 'tags', 'tag_operations')
# Who the emulator says made a dataset (live lists carry an ``author``).
AUTHOR_ID = '5d2bd7a0-3c1e-4f6b-9a8d-e1a7c0de0001'


def format_time(moment):
    """An aware datetime as the emulator writes every time: UTC, milliseconds, ``+00:00``."""
    return moment.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + '+00:00'


def utc_now():
    return format_time(datetime.datetime.now(datetime.timezone.utc))


ISO_TIME = re.compile(r'^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,6}))?(Z|[+-]\d{2}:?\d{2})?$')


def parse_time(text, name='time'):
    """An ISO 8601 date and time (``Z``, an offset, or none for UTC; a date alone is midnight UTC) as an
    aware datetime; ValueError naming ``name`` otherwise."""
    found = ISO_TIME.match(text + ('T00:00' if isinstance(text, str) and len(text) == 10 else '')) \
        if isinstance(text, str) else None
    if found is None:
        raise ValueError('%s must be an ISO 8601 date and time such as 2024-01-15T10:30:00Z, not %r' % (name, text))
    day, clock, fraction, zone = found.groups()
    zone = '+00:00' if zone in (None, 'Z') else (zone if ':' in zone else zone[:3] + ':' + zone[3:])
    try:
        return datetime.datetime.fromisoformat('%sT%s%s%s' % (
            day, clock if clock.count(':') == 2 else clock + ':00', '.' + fraction.ljust(6, '0') if fraction else '', zone))
    except ValueError as problem:
        raise ValueError('%s: %s is not a valid date and time (%s)' % (name, text, problem))


def new_id():
    return str(uuid.uuid4())


def fast_id():
    """A random version-4 UUID string, several times cheaper than str(uuid.uuid4()) (bulk loads make 100,000s)."""
    text = '%032x' % random.getrandbits(128)
    return '%s-%s-4%s-%x%s-%s' % (text[:8], text[8:12], text[13:16], 8 + int(text[16], 16) % 4, text[17:20], text[20:])


class NotFound(Exception):
    """The project, dataset, record or version does not exist (or the version has expired)."""


class Conflict(Exception):
    """The thing to create exists already (a prompt_id taken by a live prompt)."""


class LockHeld(Exception):
    """Another user holds the draft lock of a dataset; the message says who and since when."""


class InvalidRecord(ValueError):
    """A record (or a batch of them) that cannot be stored; ``field`` is a JSON pointer below the record."""

    def __init__(self, message, field=''):
        super(InvalidRecord, self).__init__(message)
        self.field = field


# ---------------------------------------------------------------------- record fields


def check_tags(value, field):
    if not isinstance(value, list):
        raise InvalidRecord('%s must be a list of "key:value" strings' % field.rsplit('/', 1)[-1], field)
    for index, tag in enumerate(value):
        if not isinstance(tag, str) or ':' not in tag or not tag.split(':', 1)[0]:
            raise InvalidRecord('tag %r is not of the form "key:value"' % (tag,), '%s/%d' % (field, index))
    return list(value)


def check_record(item, for_update=False):
    """The fields of one record as sent (insert, append, update or seed), checked.

    Returns a dict with only the fields given. ``input`` is required unless ``for_update``, where
    ``id`` is. ``input`` and ``expected_output`` may be any JSON value (the spec's
    AnyValue says object, the API takes strings too); ``metadata`` an object or null.
    """
    if not isinstance(item, dict):
        raise InvalidRecord('a record must be an object')
    unknown = sorted(set(item) - set(RECORD_FIELDS))
    if unknown:
        raise InvalidRecord('unknown record field(s): %s' % ', '.join(unknown), '/' + unknown[0])
    if for_update and 'id' not in item:
        raise InvalidRecord('each record to update needs its id', '/id')
    if not for_update and 'input' not in item:
        raise InvalidRecord('each record needs an input', '/input')
    if 'id' in item and (not isinstance(item['id'], str) or not RECORD_ID_PATTERN.match(item['id'])):
        raise InvalidRecord('a record id is 1 to 128 characters from A-Z a-z 0-9 _ . -, not %r' % (item['id'],), '/id')
    if item.get('metadata') is not None and not isinstance(item['metadata'], dict):
        raise InvalidRecord('metadata must be an object', '/metadata')
    fields = dict(item)
    if 'tags' in item:
        fields['tags'] = check_tags(item['tags'], '/tags')
    if 'tag_operations' in item:
        operations = item['tag_operations']
        if not isinstance(operations, dict) or set(operations) - {'add', 'remove', 'set'}:
            raise InvalidRecord('tag_operations takes add, remove and set, each a list of tags', '/tag_operations')
        fields['tag_operations'] = dict((name, check_tags(tags, '/tag_operations/' + name))
                                        for name, tags in operations.items())
    return fields


def apply_tag_operations(tags, operations):
    """Remove, then add, then set (which overrides both), as the spec orders them."""
    result = [t for t in tags if t not in set(operations.get('remove') or [])]
    for tag in operations.get('add') or []:
        if tag not in result:
            result.append(tag)
    if 'set' in operations:
        result = list(operations['set'])
    return result


# ---------------------------------------------------------------------- records and versions


class Row(object):
    """A record's content during versions ``start`` up to (not including) ``end``; ``end`` None: still current.

    ``fragments`` caches the row's JSON as lists serve it, per shape; whatever changes the row clears it.
    """

    __slots__ = ('start', 'end', 'input', 'expected_output', 'metadata', 'tags', 'updated_at', 'fragments')

    def __init__(self, start, input_value, expected_output, metadata, tags, updated_at):
        self.start = start
        self.end = None
        self.input = input_value
        self.expected_output = expected_output
        self.metadata = metadata
        self.tags = tags
        self.updated_at = updated_at
        self.fragments = None

    def copy(self, start, updated_at):
        return Row(start, self.input, self.expected_output, self.metadata, list(self.tags), updated_at)

    def valid_at(self, version):
        return self.start <= version and (self.end is None or version < self.end)


class Record(object):
    """One record over its life: its ids, its creation, and its content per version."""

    __slots__ = ('id', 'canonical_id', 'user_id', 'seq', 'created_at', 'rows', 'visible_at')

    def __init__(self, record_id, user_id, seq, created_at, row, visible_at=0.0):
        self.id = record_id
        self.canonical_id = fast_id()
        self.user_id = user_id
        self.seq = seq
        self.created_at = created_at
        self.rows = [row]
        self.visible_at = visible_at  # the store's clock: lists show the record from then on (records lag)

    @property
    def row(self):
        return self.rows[-1]


def _content_key(input_value, expected_output):
    return json.dumps([input_value, expected_output], sort_keys=True)


def page_of(order, lookup, position, limit):
    """Up to ``limit`` items, newest first, from an ascending list of creation numbers.

    ``lookup(seq)`` gives the item of a number or None (deleted); ``position`` is the number of
    the last item already served (None: from the newest). Returns (items, next position or None).
    Costs O(limit + deleted numbers skipped).
    """
    index = len(order) if position is None else bisect.bisect_left(order, position)
    items = []
    while index > 0:
        index -= 1
        item = lookup(order[index])
        if item is None:
            continue
        if len(items) == limit:
            return items, items[-1][0]
        items.append((order[index], item))
    return items, None


class RecordTable(object):
    """The records of one dataset (see the module's docstring for the costs)."""

    def __init__(self, dataset_id):
        self.dataset_id = dataset_id
        self.live = {}            # record id -> Record, the current version's records
        self.by_seq = {}          # creation number -> Record, the same records
        self.order = []           # creation numbers, ascending, with holes where records were deleted
        self.history = []         # every Record ever made, for older versions
        self.version_cache = {}   # version -> (ascending numbers, {number: (Record, Row)})
        self.content_index = None  # content key -> count, built when an append asks to deduplicate
        self.lingering = {}       # creation number -> (Record, Row, listed until): deleted, still listed (records lag)
        self.hidden = 0           # how many current records were written with a records lag (none: skip the count)

    def __len__(self):
        return len(self.live)

    # reads

    def page(self, version, current_version, position, limit, now=None):
        """(list of (Record, Row), next position) for a version, newest first.

        ``now`` (the store's clock) applies the records lag to the current version: records
        written later than it are not listed yet, and deleted ones still listed are.
        """
        if version == current_version:
            if now is None or not (self.hidden or self.lingering):
                def lookup(seq):
                    record = self.by_seq.get(seq)
                    return (record, record.row) if record is not None else None
            else:
                self._forget_lingering(now)

                def lookup(seq):
                    record = self.by_seq.get(seq)
                    if record is not None:
                        return (record, record.row) if record.visible_at <= now else None
                    gone = self.lingering.get(seq)
                    return gone[:2] if gone is not None else None
            found, after = page_of(self.order, lookup, position, limit)
            return [pair for dummy, pair in found], after
        numbers, pairs = self._version_view(version)
        found, after = page_of(numbers, pairs.get, position, limit)
        return [pair for dummy, pair in found], after

    def _version_view(self, version):
        view = self.version_cache.get(version)
        if view is None:
            pairs = {}
            for record in self.history:
                for row in record.rows:
                    if row.valid_at(version):
                        pairs[record.seq] = (record, row)
                        break
            view = self.version_cache[version] = (sorted(pairs), pairs)
        return view

    def current(self):
        """Every current record, newest first (for clones and the state view)."""
        return [self.by_seq[seq] for seq in reversed(self.order) if seq in self.by_seq]

    def listed_count(self, now):
        """How many records the current version's list shows at ``now`` (records lag included)."""
        self._forget_lingering(now)
        if not self.hidden:
            return len(self.live) + len(self.lingering)
        shown = sum(1 for record in self.live.values() if record.visible_at <= now)
        if shown == len(self.live):
            self.hidden = 0
        return shown + len(self.lingering)

    def _forget_lingering(self, now):
        for seq in [seq for seq, gone in self.lingering.items() if gone[2] <= now]:
            del self.lingering[seq]

    def count_at(self, version, current_version):
        if version == current_version:
            return len(self.live)
        return len(self._version_view(version)[0])

    # writes: the caller checks everything first (see Store.batch_update), then applies

    def insert(self, fields, version, seq, now, visible_at=0.0):
        user_id = fields.get('id')
        tags = list(fields.get('tags') or [])
        if fields.get('tag_operations'):
            tags = apply_tag_operations(tags, fields['tag_operations'])
        row = Row(version, fields.get('input'), fields.get('expected_output'), fields.get('metadata'), tags, now)
        record = Record(user_id or fast_id(), user_id, seq, now, row, visible_at)
        if visible_at:
            self.hidden += 1
        self.live[record.id] = record
        self.by_seq[seq] = record
        self.order.append(seq)
        self.history.append(record)
        self._index(row)
        return record

    def changes_content(self, fields):
        row = self.live[fields['id']].row
        return any(name in fields and fields[name] != getattr(row, name) for name in ('input', 'expected_output'))

    def update(self, fields, version, now):
        """Apply an update; input or expected_output changes open a new row for ``version``,
        metadata and tags change in place (they make no version)."""
        record = self.live[fields['id']]
        row = record.row
        if self.changes_content(fields):
            self._unindex(row)
            if row.start != version:
                row.end = version
                row = row.copy(version, now)
                record.rows.append(row)
            for name in ('input', 'expected_output'):
                if name in fields:
                    setattr(row, name, fields[name])
            self._index(row)
        if 'metadata' in fields:
            row.metadata = fields['metadata']
        if 'tags' in fields:
            row.tags = list(fields['tags'])
        if fields.get('tag_operations'):
            row.tags = apply_tag_operations(row.tags, fields['tag_operations'])
        row.updated_at = now
        row.fragments = None
        return record

    def delete(self, record_id, version, now=None, records_lag=0.0):
        """Delete a record; with a ``records_lag``, lists still show it that long after ``now`` (the
        store's clock), if they showed it already."""
        record = self.live.pop(record_id, None)
        if record is None:
            return None
        del self.by_seq[record.seq]
        row = record.row
        self._unindex(row)
        if row.start == version:
            record.rows.pop()     # made in this same version: it never existed in any other
        else:
            row.end = version
        if records_lag > 0 and record.visible_at <= now:
            self.lingering[record.seq] = (record, row, now + records_lag)
        if len(self.order) > 1024 and len(self.by_seq) + len(self.lingering) < len(self.order) // 2:
            self.order = [seq for seq in self.order if seq in self.by_seq or seq in self.lingering]
        return record

    def restore(self, version, new_version, now, clock=None, records_lag=0.0):
        """Make the current records, in ``new_version`` (just opened), those of the older ``version``:
        records made since go, records deleted since come back (same ids, same place in the list),
        changed ones get that version's input, expected_output, metadata and tags again.

        With a ``records_lag``, records that come back are listed that long after ``clock`` and the
        ones that go stay listed that long, as for other writes."""
        numbers, pairs = self._version_view(version)
        for record in list(self.live.values()):
            if record.seq not in pairs:
                self.delete(record.id, new_version, clock, records_lag)
        for seq in numbers:
            record, old = pairs[seq]
            if self.live.get(record.id) is record:
                row = record.row
                if row is old:
                    continue
                if (row.input, row.expected_output) != (old.input, old.expected_output):
                    self._unindex(row)
                    row.end = new_version
                    record.rows.append(old.copy(new_version, now))
                    self._index(record.row)
                else:
                    row.metadata, row.tags, row.updated_at, row.fragments = old.metadata, list(old.tags), now, None
                continue
            record.rows.append(old.copy(new_version, now))
            self.live[record.id] = record
            self.by_seq[seq] = record
            index = bisect.bisect_left(self.order, seq)
            if index == len(self.order) or self.order[index] != seq:
                self.order.insert(index, seq)
            if self.lingering.pop(seq, None) is None and records_lag > 0:
                record.visible_at = clock + records_lag     # listed again only after the lag
                self.hidden += 1
            self._index(record.row)

    def snapshot(self, version, current_version, now=None):
        """(id, input, expected_output, metadata, tags) of every record of a version as its list
        shows them, newest first: what an export writes, taken under the store's lock."""
        pairs, dummy = self.page(version, current_version, None, len(self.history) + 1, now)
        return [(record.id, row.input, row.expected_output, row.metadata, list(row.tags)) for record, row in pairs]

    def has_content(self, input_value, expected_output):
        if self.content_index is None:
            self.content_index = {}
            for record in self.live.values():
                self._index(record.row)
        return self.content_index.get(_content_key(input_value, expected_output), 0) > 0

    def _index(self, row):
        if self.content_index is not None:
            key = _content_key(row.input, row.expected_output)
            self.content_index[key] = self.content_index.get(key, 0) + 1

    def _unindex(self, row):
        if self.content_index is not None:
            key = _content_key(row.input, row.expected_output)
            if self.content_index.get(key, 0) > 1:
                self.content_index[key] -= 1
            else:
                self.content_index.pop(key, None)


# ---------------------------------------------------------------------- projects and datasets


class Project(object):
    def __init__(self, project_id, name, description, seq, visible_at):
        self.id = project_id
        self.name = name
        self.description = description
        self.created_at = self.updated_at = utc_now()
        self.seq = seq
        self.visible_at = visible_at
        self.listed_until = None  # set when deleted: lists show it until then


class Dataset(object):
    def __init__(self, dataset_id, project_id, name, description, metadata, seq, visible_at, made_at=0.0):
        self.id = dataset_id
        self.project_id = project_id
        self.name = name
        self.description = description
        self.metadata = metadata
        self.current_version = 0
        self.created_at = self.updated_at = utc_now()
        self.seq = seq
        self.visible_at = visible_at
        self.listed_until = None
        self.records = RecordTable(dataset_id)
        # version -> (the store's clock, ISO time) when it was made: version_ttl counts from then
        self.version_made = {0: (made_at, self.created_at)}
        self.expired_versions = set()   # expired on request (POST /_emulator/datasets/{id}/expire)
        self.draft_user = None          # who holds the draft lock (a user object); None: nobody
        self.drafting_since = None


class Experiment(object):
    """An experiment run: what the experiments list shows of it, and its events (spans and metrics)."""

    def __init__(self, experiment_id, project_id, dataset_id, dataset_version, fields, seq):
        self.id = experiment_id
        self.project_id = project_id
        self.dataset_id = dataset_id
        self.dataset_version = dataset_version
        self.name = fields['name']
        self.created = fields.get('created') or datetime.datetime.now(datetime.timezone.utc)
        self.created_at = format_time(self.created)
        self.updated_at = format_time(fields['updated']) if fields.get('updated') else self.created_at
        self.status = fields.get('status', 'completed')
        self.experiment = fields.get('experiment', self.name)
        self.description = fields.get('description', '')
        self.metadata = fields.get('metadata')
        self.config = fields.get('config')
        self.aggregate_data = fields.get('aggregate_data')
        self.parent_experiment_id = fields.get('parent_experiment_id')
        self.error = fields.get('error')
        self.run_count = fields.get('run_count', 1)
        self.deleted_at = format_time(fields['deleted']) if fields.get('deleted') else None
        self.seq = seq
        self.events = ExperimentEvents()
        # (how the list showed it before an update or a delete, the store's clock until when): the lag of lists
        self.stale = None

    @property
    def start_ns(self):
        """When the run started, in nanoseconds since the epoch: where its spans start."""
        return int(self.created.timestamp()) * 1000000000 + self.created.microsecond * 1000

    def touch(self):
        self.updated_at = utc_now()

    def listed_as(self, now):
        """What the experiments list shows of it at ``now``: itself, or how it was before a write still lagging."""
        if self.stale is not None and self.stale[1] > now:
            return self.stale[0]
        return self

    def lag_behind(self, now, lag):
        """Before a write: keep showing how it is now in lists for ``lag`` seconds (from the oldest write still
        lagging, so that the list catches up ``lag`` seconds after the last write)."""
        if lag > 0:
            shown = self.listed_as(now)
            self.stale = (copy.copy(shown) if shown is self else shown, now + lag)

    def to_json(self):
        """The experiment as the control API and the state view show it: its fields, whether it is
        deleted, and how many spans, summary metrics and metrics waiting for their span it has."""
        view = dict((name, getattr(self, name)) for name in EXPERIMENT_VIEW)
        view['deleted'] = self.deleted_at is not None
        view.update(self.events.counts())
        return view


EXPERIMENT_STATUSES = ('running', 'completed', 'failed', 'interrupted')
EXPERIMENT_FIELDS = ('id', 'name', 'dataset_version', 'created_at', 'updated_at', 'deleted_at', 'status', 'experiment',
                     'description', 'metadata', 'config', 'aggregate_data', 'parent_experiment_id', 'error', 'run_count',
                     'spans', 'generate', 'summary_metrics')
EXPERIMENT_VIEW = ('id', 'project_id', 'dataset_id', 'dataset_version', 'name', 'experiment', 'created_at', 'updated_at',
                   'status', 'description', 'metadata', 'config', 'aggregate_data', 'parent_experiment_id', 'error',
                   'run_count', 'deleted_at')
# What the control route PATCH /_emulator/experiments/{id} changes (not its place, nor its events).
EXPERIMENT_CHANGES = ('name', 'created_at', 'updated_at', 'deleted_at', 'status', 'experiment', 'description', 'metadata',
                      'config', 'aggregate_data', 'parent_experiment_id', 'error', 'run_count', 'summary_metrics')
MAX_RUN_COUNT = 2147483647


def _event_problem(where, key, index, problem):
    """A ValueError saying where in an experiment a span or metric is wrong: ``<where>.spans[3].meta.error``."""
    field = problem.field.strip('/').split('/') if problem.field else []
    path = ''.join('[%s]' % part if part.isdigit() else '.' + part for part in field)
    return ValueError('%s.%s[%d]%s: %s' % (where, key, index, path, problem))


def check_experiment(item, where, references, partial=False):
    """The fields of one experiment given to the control API or a seed, checked, with ``created``,
    ``updated`` and ``deleted`` (datetimes, or None) for the times, ``spans`` as (span, metrics)
    pairs and ``summary_metrics`` checked; ValueError saying ``<where>.<field>: ...`` otherwise.
    ``references``: the keys that say where it belongs (``project_id``/``dataset_id``, or ``dataset``).
    ``partial``: the changes of PATCH /_emulator/experiments/{id}: nothing required, fewer keys.
    """
    if not isinstance(item, dict):
        raise ValueError('%s: must be a JSON object' % where)
    known = EXPERIMENT_CHANGES if partial else tuple(references) + EXPERIMENT_FIELDS
    unknown = sorted(set(item) - set(known))
    if unknown:
        raise ValueError('%s: unknown key(s) %s (known: %s)' % (where, ', '.join(unknown), ', '.join(known)))
    for key in tuple(references) + ('name', 'id', 'experiment', 'parent_experiment_id'):
        if key not in item:
            if not partial and (key in references or key == 'name'):
                raise ValueError('%s.%s: missing' % (where, key))
            continue
        if item[key] is None and key == 'parent_experiment_id':
            continue
        if not isinstance(item[key], str) or not item[key].strip():
            raise ValueError('%s.%s: must be a non-empty string' % (where, key))
    fields = dict(item)
    if 'dataset_version' in item:
        version = item['dataset_version']
        if isinstance(version, bool) or not isinstance(version, int) or version < 0:
            raise ValueError('%s.dataset_version: must be a whole number of 0 or more' % where)
    for key, name in (('created_at', 'created'), ('updated_at', 'updated'), ('deleted_at', 'deleted')):
        if item.get(key) is not None or (key == 'created_at' and key in item):
            fields[name] = parse_time(item[key], '%s.%s' % (where, key))
        elif key in item:
            fields[name] = None
    if 'status' in item and item['status'] not in EXPERIMENT_STATUSES:
        raise ValueError('%s.status: must be one of %s' % (where, ', '.join(EXPERIMENT_STATUSES)))
    for key in ('description', 'error'):
        if item.get(key) is not None and not isinstance(item[key], str):
            raise ValueError('%s.%s: must be a string or null' % (where, key))
    if 'run_count' in item:
        count = item['run_count']
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_RUN_COUNT:
            raise ValueError('%s.run_count: must be a whole number from 1 to %d' % (where, MAX_RUN_COUNT))
    for key in ('metadata', 'config', 'aggregate_data'):
        if item.get(key) is not None and not isinstance(item[key], dict):
            raise ValueError('%s.%s: must be a JSON object or null' % (where, key))
    if 'spans' in item:
        if not isinstance(item['spans'], list):
            raise ValueError('%s.spans: must be a list' % where)
        spans = []
        for index, span in enumerate(item['spans']):
            try:
                spans.append(check_span(span, strict=False))
            except InvalidEvent as problem:
                raise _event_problem(where, 'spans', index, problem)
        fields['spans'] = spans
    if 'generate' in item:
        check_generate(item['generate'], '%s.generate' % where)
    if 'summary_metrics' in item:
        if not isinstance(item['summary_metrics'], list):
            raise ValueError('%s.summary_metrics: must be a list' % where)
        metrics = []
        for index, metric in enumerate(item['summary_metrics']):
            try:
                metrics.append(dict(check_metric(metric, strict=False), metric_source='summary'))
            except InvalidEvent as problem:
                raise _event_problem(where, 'summary_metrics', index, problem)
        fields['summary_metrics'] = metrics
    return fields


# Who the API keys belong to: the user who takes and releases draft locks through the API.
API_USER = {'id': 'emulator-api-user', 'email': 'api-user@example.com', 'handle': 'api-user@example.com', 'icon': '',
            'name': 'API key user'}


def describe_user(user):
    details = [user[key] for key in ('email', 'handle') if user.get(key)][:1] + ['user id %s' % user['id']]
    return '%s (%s)' % (user.get('name') or user.get('handle') or user['id'], ', '.join(details))


class Store(object):
    """Projects and datasets, newest first, with the read lag of Datadog's lists.

    ``lag`` seconds: a project or dataset created (or cloned) now appears in its list only after
    that long, and one deleted now stays in its list that long, while the write itself answers
    at once and later writes see the change at once; an experiment updated or deleted now shows as it
    was in its list for that long. ``records_lag`` seconds: the same for the
    records of a dataset's current version, which writes (batch_update, appends, record deletes)
    change at once while its records list shows a record inserted now only after that long and
    one deleted now for that long more. ``inexact_name_filter``: ``filter[name]``
    matches any name that contains the text, case-insensitively, as a search box would.
    ``version_ttl`` seconds (None: never): a version that is not the current one expires that long
    after it was made, as Datadog's old versions expire; it is then gone from every read.
    """

    def __init__(self, lag=0.0, inexact_name_filter=False, clock=time.monotonic, records_lag=0.0):
        self.lock = threading.RLock()
        self.clock = clock
        self.lag = lag
        self.records_lag = records_lag
        self.inexact_name_filter = inexact_name_filter
        self.projects = {}
        self.datasets = {}
        self.gone_projects = {}   # deleted, still listed for a while
        self.gone_datasets = {}
        self.version_ttl = None
        self.experiments = {}      # id -> Experiment
        self.evaluators = {}       # eval_name -> Evaluator
        self.prompts = {}          # prompt_id -> Prompt (live ones; deleted ones move to deleted_prompts)
        self.deleted_prompts = []
        # name or prompt_id -> (a copy as reads showed it before the writes still lagging, or None, the clock until when)
        self.evaluator_shadows = {}
        self.prompt_shadows = {}
        # A label given to a version leaves the version that had it (False: it stays there too).
        self.prompt_labels_move = True
        self._sequence = itertools.count(1)

    def next_seq(self):
        return next(self._sequence)

    # ------------------------------------------------------------------ seeds

    def load_seed(self, seed):
        """Add the projects, datasets and records of a seed document checked by seeds.check_seed."""
        with self.lock:
            for project in seed.get('projects', []):
                project_id = project.get('id')
                if project_id not in self.projects:
                    project_id = self.add_project(project['name'], project.get('description', ''), project_id,
                                                  visible_now=True)
                seeded = {}   # name and id -> dataset id, for the project's experiments
                for dataset in project.get('datasets', []):
                    dataset_id = self.add_dataset(project_id, dataset['name'], dataset.get('description', ''),
                                                  dataset.get('metadata'), dataset.get('id'), visible_now=True)
                    if dataset.get('records'):
                        self.insert_records(project_id, dataset_id, [check_record(r) for r in dataset['records']],
                                            new_version=False, visible_now=True)
                    if dataset.get('created_at'):
                        created_at = format_time(parse_time(dataset['created_at']))
                        self.datasets[dataset_id].created_at = self.datasets[dataset_id].updated_at = created_at
                    seeded[dataset['name']] = seeded[dataset_id] = dataset_id
                self.add_experiments([(project_id, seeded[item['dataset']], check_experiment(item, 'experiment', ('dataset',)))
                                      for item in project.get('experiments', [])])
            self.add_evaluators(seed.get('evaluators', []))
            self.add_prompts(seed.get('prompts', []))

    # ------------------------------------------------------------------ lists

    def _name_matches(self, name, wanted):
        if self.inexact_name_filter:
            return wanted.lower() in name.lower()
        return name == wanted

    def _listed(self, live, gone, now, keep=lambda item: True):
        for key in [k for k, item in gone.items() if item.listed_until <= now]:
            del gone[key]
        items = [item for item in list(live.values()) + list(gone.values()) if item.visible_at <= now and keep(item)]
        return sorted(items, key=lambda item: -item.seq)

    # ------------------------------------------------------------------ projects

    def add_project(self, name, description='', project_id=None, visible_now=False):
        with self.lock:
            project_id = project_id or new_id()
            self.gone_projects.pop(project_id, None)
            self.projects[project_id] = Project(project_id, name, description, self.next_seq(),
                                                self.clock() + (0 if visible_now else self.lag))
            return project_id

    def get_or_create_project(self, name, description=''):
        """Datadog returns the existing project when the name is taken (listed yet or not)."""
        with self.lock:
            for project in self.projects.values():
                if project.name == name:
                    return project, False
            return self.projects[self.add_project(name, description)], True

    def project(self, project_id):
        project = self.projects.get(project_id)
        if project is None:
            raise NotFound('project %s not found' % project_id)
        return project

    def list_projects(self, name=None, project_id=None):
        with self.lock:
            return self._listed(self.projects, self.gone_projects, self.clock(), lambda p: (
                (name is None or self._name_matches(p.name, name)) and (project_id is None or p.id == project_id)))

    def update_project(self, project_id, changes):
        with self.lock:
            project = self.project(project_id)
            for key in ('name', 'description'):
                if key in changes:
                    setattr(project, key, changes[key])
            project.updated_at = utc_now()
            return project

    def delete_projects(self, project_ids):
        """Delete projects and their datasets; unknown ids are ignored. Lists show them for ``lag`` more seconds."""
        with self.lock:
            now = self.clock()
            for project_id in project_ids:
                project = self.projects.pop(project_id, None)
                if project is None:
                    continue
                for dataset_id in [d.id for d in self.datasets.values() if d.project_id == project_id]:
                    del self.datasets[dataset_id]
                for dataset_id in [d.id for d in self.gone_datasets.values() if d.project_id == project_id]:
                    del self.gone_datasets[dataset_id]
                if self.lag > 0 and project.visible_at <= now:
                    project.listed_until = now + self.lag
                    self.gone_projects[project_id] = project
                for experiment_id in [e.id for e in self.experiments.values() if e.project_id == project_id]:
                    del self.experiments[experiment_id]

    # ------------------------------------------------------------------ datasets

    def add_dataset(self, project_id, name, description='', metadata=None, dataset_id=None, visible_now=False):
        with self.lock:
            self.project(project_id)
            dataset_id = dataset_id or new_id()
            self.gone_datasets.pop(dataset_id, None)
            self.datasets[dataset_id] = Dataset(dataset_id, project_id, name, description, metadata, self.next_seq(),
                                                self.clock() + (0 if visible_now else self.lag), self.clock())
            return dataset_id

    def dataset(self, project_id, dataset_id):
        """A dataset for writes and direct reads: visible at once, as the write paths are."""
        self.project(project_id)
        dataset = self.datasets.get(dataset_id)
        if dataset is None or dataset.project_id != project_id:
            raise NotFound('dataset %s not found in project %s' % (dataset_id, project_id))
        return dataset

    def list_datasets(self, project_id, name=None, dataset_id=None):
        """What a dataset list shows now: listed datasets (and recently deleted ones), filtered, newest first."""
        with self.lock:
            self.project(project_id)
            return self._listed(self.datasets, self.gone_datasets, self.clock(), lambda d: (
                d.project_id == project_id and (name is None or self._name_matches(d.name, name))
                and (dataset_id is None or d.id == dataset_id)))

    def update_dataset(self, project_id, dataset_id, changes):
        with self.lock:
            dataset = self.dataset(project_id, dataset_id)
            for key in ('name', 'description', 'metadata'):
                if key in changes:
                    setattr(dataset, key, changes[key])
            dataset.updated_at = utc_now()
            return dataset

    def delete_datasets(self, project_id, dataset_ids):
        """Delete datasets; unknown ids are ignored. Lists show them for ``lag`` more seconds."""
        with self.lock:
            self.project(project_id)
            now = self.clock()
            for dataset_id in dataset_ids:
                dataset = self.datasets.get(dataset_id)
                if dataset is None or dataset.project_id != project_id:
                    continue
                del self.datasets[dataset_id]
                if self.lag > 0 and dataset.visible_at <= now:
                    dataset.listed_until = now + self.lag
                    self.gone_datasets[dataset_id] = dataset

    def clone_dataset(self, project_id, source_id, name, description=None):
        """A new dataset holding copies of the source's current records, at version 0.

        Records get new server ids; ids given by users are kept (they name the record, and are
        unique within a dataset only).
        """
        with self.lock:
            source = self.dataset(project_id, source_id)
            clone = self.datasets[self.add_dataset(project_id, name, description if description is not None else '')]
            now = utc_now()
            for record in reversed(source.records.current()):
                row = record.row
                clone.records.insert({'id': record.user_id, 'input': row.input, 'expected_output': row.expected_output,
                                      'metadata': row.metadata, 'tags': list(row.tags)}, 0, self.next_seq(), now)
            return clone

    # ------------------------------------------------------------------ records

    def records_page(self, project_id, dataset_id, version, position, limit):
        """((dataset, [(Record, Row)...]), next position) of one page of a version's records."""
        with self.lock:
            dataset = self.dataset(project_id, dataset_id)
            version = self.check_version(dataset, version)
            pairs, after = dataset.records.page(version, dataset.current_version, position, limit, self.clock())
            return dataset, pairs, after

    def versions(self, project_id, dataset_id):
        """(dataset, the versions that have not expired, oldest first)."""
        with self.lock:
            dataset = self.dataset(project_id, dataset_id)
            return dataset, self.live_versions(dataset)

    def insert_records(self, project_id, dataset_id, items, new_version=True, deduplicate=False, visible_now=False):
        """Append checked records (appends and seeds); a non-empty append makes a new version
        when ``new_version``. Returns the Records made."""
        return self.batch_update(project_id, dataset_id, inserts=items, new_version=new_version,
                                 deduplicate=deduplicate, visible_now=visible_now)[0]

    def batch_update(self, project_id, dataset_id, inserts=(), updates=(), deletes=(), new_version=True,
                     deduplicate=False, tags=None, names=('/insert_records', '/update_records'), visible_now=False):
        """Insert, update and delete records of one dataset at once, all or nothing.

        Every part is checked before anything changes (unknown record ids to update are NotFound,
        ids taken are InvalidRecord). Inserting, deleting or changing an input or expected_output
        starts a new version when ``new_version``; otherwise, and for metadata or tags alone, the
        changes go into the current version. Returns (records inserted and updated, version made or None).
        ``names``: where inserts and updates sit in the request, for the ``field`` of InvalidRecord.
        With a ``records_lag`` (and not ``visible_now``), lists show the inserted records only that
        long from now, and the deleted ones that long more; updates show at once.
        """
        with self.lock:
            dataset = self.dataset(project_id, dataset_id)
            table = dataset.records
            deleting = [record_id for record_id in deletes if record_id in table.live]
            doomed = set(deleting)
            taken = set()
            for index, fields in enumerate(updates):
                if fields['id'] not in table.live or fields['id'] in doomed:
                    raise NotFound('record %s not found in dataset %s' % (fields['id'], dataset_id))
                if fields['id'] in taken:
                    raise InvalidRecord('record %s is updated twice in one request' % fields['id'],
                                        '%s/%d/id' % (names[1], index))
                taken.add(fields['id'])
            seen = set()
            for index, fields in enumerate(inserts):
                user_id = fields.get('id')
                if user_id is not None and ((user_id in table.live and user_id not in doomed) or user_id in seen):
                    raise InvalidRecord('a record with id %s already exists in dataset %s' % (user_id, dataset_id),
                                        '%s/%d/id' % (names[0], index))
                seen.add(user_id)
            if deduplicate:
                fresh, contents = [], set()
                for fields in inserts:
                    key = _content_key(fields.get('input'), fields.get('expected_output'))
                    if key not in contents and not table.has_content(fields.get('input'), fields.get('expected_output')):
                        contents.add(key)
                        fresh.append(fields)
                inserts = fresh
            versioning = bool(inserts or deleting or any(table.changes_content(fields) for fields in updates))
            made = None
            if versioning and new_version:
                made = self._new_version(dataset)
            version = dataset.current_version
            now = utc_now()
            lag = 0.0 if visible_now else self.records_lag
            clock = self.clock() if lag > 0 else None
            for record_id in deleting:
                table.delete(record_id, version, clock, lag)
            touched = []
            for fields in updates:
                record = table.update(fields, version, now)
                if tags:
                    record.row.tags = apply_tag_operations(record.row.tags, {'add': tags})
                    record.row.fragments = None
                touched.append(record)
            for fields in inserts:
                record = table.insert(fields, version, self.next_seq(), now, clock + lag if lag > 0 else 0.0)
                if tags:
                    record.row.tags = apply_tag_operations(record.row.tags, {'add': tags})
                    record.row.fragments = None
                touched.append(record)
            if inserts or updates or deleting:
                dataset.updated_at = now
            return touched, made

    def bulk_records(self, project_id, dataset_id, count, size_bytes=0, id_prefix=None, new_version=False):
        """Add ``count`` generated records quickly (benchmarks): inputs of about ``size_bytes`` bytes,
        with ids ``<id_prefix><n>`` when a prefix is given. Returns how many the dataset holds."""
        with self.lock:
            dataset = self.dataset(project_id, dataset_id)
            if new_version and count:
                self._new_version(dataset)
            version = dataset.current_version
            now = utc_now()
            start = len(dataset.records.history)
            padding = 'x' * max(0, int(size_bytes) - 120)
            for number in range(start, start + count):
                dataset.records.insert({
                    'id': '%s%d' % (id_prefix, number) if id_prefix is not None else None,
                    'input': {'question': 'Generated question %d' % number, 'context': padding},
                    'expected_output': {'answer': 'Generated answer %d' % number},
                    'metadata': {'n': number}, 'tags': ['source:bulk']}, version, self.next_seq(), now)
            dataset.updated_at = now
            return len(dataset.records)

    # ------------------------------------------------------------------ versions

    def _new_version(self, dataset):
        dataset.current_version += 1
        dataset.version_made[dataset.current_version] = (self.clock(), utc_now())
        return dataset.current_version

    def version_expired(self, dataset, version):
        """Whether a version has expired: on request, or ``version_ttl`` after it was made. The
        current version never expires."""
        if version == dataset.current_version:
            return False
        if version in dataset.expired_versions:
            return True
        made = dataset.version_made.get(version)
        return self.version_ttl is not None and made is not None and self.clock() - made[0] >= self.version_ttl

    def live_versions(self, dataset):
        return [version for version in range(dataset.current_version + 1) if not self.version_expired(dataset, version)]

    def check_version(self, dataset, version):
        """``version`` (None: the current one) if it can be read; NotFound when it never existed or has expired."""
        if version is None:
            return dataset.current_version
        if not 0 <= version <= dataset.current_version:
            raise NotFound('version %s of dataset %s not found (current version: %d)'
                           % (version, dataset.id, dataset.current_version))
        if self.version_expired(dataset, version):
            raise NotFound('version %d of dataset %s has expired' % (version, dataset.id))
        return version

    def restore_version(self, project_id, dataset_id, version):
        """A new version whose records are those of ``version`` (see RecordTable.restore); made even when
        nothing differs. Returns the new version's number."""
        with self.lock:
            dataset = self.dataset(project_id, dataset_id)
            self.check_version(dataset, version)
            made = self._new_version(dataset)
            now = utc_now()
            lag = self.records_lag
            dataset.records.restore(version, made, now, self.clock() if lag > 0 else None, lag)
            dataset.updated_at = now
            return made

    def export_rows(self, project_id, dataset_id, version=None):
        """(dataset, version, [(id, input, expected_output, metadata, tags)...]) of a version's records,
        newest first, as the records list shows them now (records lag included)."""
        with self.lock:
            dataset = self.dataset(project_id, dataset_id)
            version = self.check_version(dataset, version)
            return dataset, version, dataset.records.snapshot(version, dataset.current_version, self.clock())

    def expire_versions(self, dataset_id, versions):
        """Expire these versions of a dataset now (all checked first); the current one cannot expire."""
        with self.lock:
            dataset = self.find_dataset(dataset_id)
            if not isinstance(versions, list) or not versions:
                raise ValueError('versions must be a non-empty list of version numbers')
            for version in versions:
                if isinstance(version, bool) or not isinstance(version, int) or not 0 <= version <= dataset.current_version:
                    raise ValueError('dataset %s has versions 0 to %d, not %r'
                                     % (dataset_id, dataset.current_version, version))
                if version == dataset.current_version:
                    raise ValueError('version %d is the current version of dataset %s: it never expires'
                                     % (version, dataset_id))
            dataset.expired_versions.update(versions)
            return dataset

    # ------------------------------------------------------------------ the draft lock

    def find_dataset(self, dataset_id):
        """A dataset by its id alone (control routes)."""
        dataset = self.datasets.get(dataset_id)
        if dataset is None:
            raise NotFound('dataset %s not found' % dataset_id)
        return dataset

    def draft_state(self, project_id, dataset_id):
        with self.lock:
            dataset = self.dataset(project_id, dataset_id)
            return dataset.id, dataset.draft_user, dataset.drafting_since

    def lock_draft(self, project_id, dataset_id, user=None):
        """The caller (``API_USER``) takes the lock, or keeps it; LockHeld when another user holds it."""
        user = user or API_USER
        with self.lock:
            dataset = self.dataset(project_id, dataset_id)
            self._check_holder(dataset, user)
            if dataset.draft_user is None:
                dataset.draft_user, dataset.drafting_since = dict(user), utc_now()
            return dataset.id, dataset.draft_user, dataset.drafting_since

    def unlock_draft(self, project_id, dataset_id, user=None):
        """The caller releases its lock (nothing to do when nobody holds it); LockHeld when another user holds it."""
        with self.lock:
            dataset = self.dataset(project_id, dataset_id)
            self._check_holder(dataset, user or API_USER)
            dataset.draft_user = dataset.drafting_since = None

    @staticmethod
    def _check_holder(dataset, user):
        holder = dataset.draft_user
        if holder is not None and holder['id'] != user['id']:
            raise LockHeld('dataset %s is locked for editing by %s since %s' % (
                dataset.id, describe_user(holder), dataset.drafting_since))

    def hold_draft(self, dataset_id, user, since=None):
        """Control route: ``user`` holds the lock since ``since`` (a datetime; None: now); ``user`` None releases it."""
        with self.lock:
            dataset = self.find_dataset(dataset_id)
            if user is None:
                dataset.draft_user = dataset.drafting_since = None
            else:
                dataset.draft_user = dict(user)
                dataset.drafting_since = format_time(since) if since is not None else utc_now()
            return dataset

    def set_dataset_times(self, dataset_id, created_at=None, updated_at=None):
        """Control route: backdate (or move) a dataset's ``created_at`` and ``updated_at`` (datetimes)."""
        with self.lock:
            dataset = self.find_dataset(dataset_id)
            if created_at is not None:
                dataset.created_at = format_time(created_at)
                if updated_at is None and parse_time(dataset.updated_at) < created_at:
                    dataset.updated_at = dataset.created_at   # never updated before it was made
            if updated_at is not None:
                dataset.updated_at = format_time(updated_at)
            return dataset

    # ------------------------------------------------------------------ experiments

    def add_experiments(self, items):
        """Store experiments given as (project_id, dataset_id, fields checked by check_experiment); all
        are checked against the store first (ValueError naming the item). Returns the Experiments."""
        with self.lock:
            planned, ids = [], set()
            for index, (project_id, dataset_id, fields) in enumerate(items):
                where = 'experiments[%d]' % index
                if project_id not in self.projects:
                    raise ValueError('%s.project_id: no project %s' % (where, project_id))
                dataset = self.datasets.get(dataset_id)
                if dataset is None or dataset.project_id != project_id:
                    raise ValueError('%s.dataset_id: no dataset %s in project %s' % (where, dataset_id, project_id))
                version = fields.get('dataset_version', dataset.current_version)
                if version > dataset.current_version:
                    raise ValueError('%s.dataset_version: dataset %s has versions 0 to %d, not %d'
                                     % (where, dataset_id, dataset.current_version, version))
                experiment_id = fields.get('id') or new_id()
                if experiment_id in self.experiments or experiment_id in ids:
                    raise ValueError('%s.id: experiment %s already exists' % (where, experiment_id))
                record_ids = None
                if 'generate' in fields or 'spans' in fields:
                    record_ids = self._record_ids(dataset, version)
                if 'generate' in fields:
                    count = fields['generate'].get('records', len(record_ids))
                    if fields['generate'].get('errors', 0) > count:
                        raise ValueError('%s.generate.errors: at most records (%d) spans can fail' % (where, count))
                ids.add(experiment_id)
                planned.append((experiment_id, project_id, dataset_id, version, fields, record_ids))
            made = []
            for experiment_id, project_id, dataset_id, version, fields, record_ids in planned:
                experiment = Experiment(experiment_id, project_id, dataset_id, version, fields, self.next_seq())
                events = experiment.events
                if 'generate' in fields:
                    events.generator = SpanGenerator(experiment_id, fields['generate'], record_ids, experiment.start_ns)
                for span, metrics in fields.get('spans', []):
                    # A span that names no record evaluated the record of its place in the run.
                    number = len(events)
                    span.setdefault('dataset_record_id', record_ids[number] if number < len(record_ids) else None)
                    events.add_span(fill_span(span, number, experiment_id, experiment.start_ns), metrics)
                for metric in fields.get('summary_metrics', []):
                    events.add_metric(metric)
                self.experiments[experiment_id] = experiment
                made.append(experiment)
            return made

    def _record_ids(self, dataset, version):
        """The ids of a dataset's records at ``version``, oldest first (whatever the records lag)."""
        pairs, dummy = dataset.records.page(version, dataset.current_version, None, len(dataset.records.history) + 1)
        return [record.id for record, dummy in reversed(pairs)]

    def create_experiment(self, project_id, dataset_id, fields, ensure_unique=True):
        """An experiment made through the API, ``running`` until its runner says otherwise.

        The project and dataset must exist (NotFound), ``dataset_version`` (default: the current
        one) too. With ``ensure_unique``, a name already used by an experiment of the project
        (deleted ones aside) becomes ``<name>-<n>``, the first such name free; ``experiment``
        keeps the name asked for.
        """
        with self.lock:
            dataset = self.dataset(project_id, dataset_id)
            version = self.check_version(dataset, fields.get('dataset_version'))
            name = fields['name']
            if ensure_unique:
                taken = set(e.name for e in self.experiments.values()
                            if e.project_id == project_id and e.deleted_at is None)
                number = 0
                while name in taken:
                    number += 1
                    name = '%s-%d' % (fields['name'], number)
            fields = dict(fields, name=name, experiment=fields['name'], status='running')
            experiment = Experiment(new_id(), project_id, dataset_id, version, fields, self.next_seq())
            self.experiments[experiment.id] = experiment
            return experiment

    def experiment(self, experiment_id, deleted=False):
        """An experiment by id; NotFound when there is none, or it is deleted (unless ``deleted``)."""
        experiment = self.experiments.get(experiment_id)
        if experiment is None or (experiment.deleted_at is not None and not deleted):
            raise NotFound('experiment %s not found' % experiment_id)
        return experiment

    def update_experiment(self, experiment_id, changes):
        """Apply the API's changes (name, description, metadata replaced, status, error, dataset_id);
        a dataset must be one of the experiment's project (NotFound). ``updated_at`` moves."""
        with self.lock:
            experiment = self.experiment(experiment_id)
            if 'dataset_id' in changes:
                self.dataset(experiment.project_id, changes['dataset_id'])
            experiment.lag_behind(self.clock(), self.lag)
            for key, value in changes.items():
                setattr(experiment, key, value)
            experiment.touch()
            return experiment

    def delete_experiments(self, experiment_ids):
        """Soft delete: the experiments leave the list and get ``deleted_at``; unknown ids and
        experiments already deleted are left as they are."""
        with self.lock:
            now = utc_now()
            for experiment_id in experiment_ids:
                experiment = self.experiments.get(experiment_id)
                if experiment is not None and experiment.deleted_at is None:
                    experiment.lag_behind(self.clock(), self.lag)
                    experiment.deleted_at = now

    def post_events(self, experiment_id, spans, metrics):
        """Store spans (pairs of span and metrics from check_span) and metrics (from check_metric),
        all checked, of a live experiment (NotFound otherwise)."""
        with self.lock:
            events = self.experiment(experiment_id).events
            for span, held in spans:
                events.add_span(span, held)
            for metric in metrics:
                events.add_metric(metric)

    def events_page(self, experiment_id, start, limit):
        """(span texts from ``start``, at most ``limit``; the summary metrics; the position after, or
        None at the end) of a live experiment's events."""
        with self.lock:
            events = self.experiment(experiment_id).events
            total = len(events)
            end = min(total, start + limit)
            split = min(max(start, events.generated), end)     # where the stored spans of the page start
            stored = events.page(split, end - split)
            generator, summary = events.generator, events.summary_metrics()
        # Generated spans never change: made outside the lock, a page of 5,000 does not hold up other requests.
        texts = [generator.text(index) for index in range(start, split)] + stored
        return texts, summary, (end if end < total else None)

    def change_experiment(self, experiment_id, fields):
        """Control route: set fields checked by check_experiment(partial=True), deleted or not."""
        with self.lock:
            experiment = self.experiment(experiment_id, deleted=True)
            experiment.stale = None  # a test's change shows at once, whatever the lag
            for key, value in fields.items():
                if key in ('created_at', 'updated_at', 'deleted_at'):
                    continue
                if key == 'created':
                    experiment.created, experiment.created_at = value, format_time(value)
                elif key in ('updated', 'deleted'):
                    setattr(experiment, key + '_at', format_time(value) if value is not None else None)
                elif key == 'summary_metrics':
                    experiment.events.summary = {}
                    for metric in value:
                        experiment.events.add_metric(metric)
                else:
                    setattr(experiment, key, value)
            if 'updated' not in fields:
                experiment.touch()
            return experiment

    def experiment_view(self, experiment_id):
        """Control route: an experiment as the state view shows it, with statistics of its events."""
        with self.lock:
            experiment = self.experiment(experiment_id, deleted=True)
            view = experiment.to_json()
            events = experiment.events
            view['statistics'] = statistics(events.every_span(), events.summary_metrics())
            return view

    def list_experiments(self, keep=lambda experiment: True):
        """The experiments ``keep`` accepts, as lists show them now (``lag`` included), newest first (by created_at,
        then by when they were stored)."""
        with self.lock:
            now = self.clock()
            shown = (e.listed_as(now) for e in self.experiments.values())
            return sorted((e for e in shown if keep(e)), key=lambda e: (e.created, e.seq), reverse=True)

    def last_used(self, dataset_id):
        """version -> created_at (ISO) of the newest experiment run on that version of the dataset."""
        with self.lock:
            newest = {}
            for experiment in self.experiments.values():
                if experiment.dataset_id == dataset_id:
                    known = newest.get(experiment.dataset_version)
                    if known is None or experiment.created > known.created:
                        newest[experiment.dataset_version] = experiment
            return dict((version, experiment.created_at) for version, experiment in newest.items())

    # ------------------------------------------------------------------ lag of evaluators and prompts

    def _hold(self, shadows, key, shown):
        """Before a write: with ``lag``, reads keep showing ``shown`` (a copy; None: absent) for ``lag`` seconds
        from now (from the oldest write still lagging, so that reads catch up ``lag`` after the last write)."""
        if self.lag <= 0:
            return
        now = self.clock()
        held = shadows.get(key)
        if held is not None and held[1] > now:
            shadows[key] = (held[0], now + self.lag)
        else:
            shadows[key] = (copy.deepcopy(shown), now + self.lag)

    def _shown(self, shadows, key, current):
        """What reads show of ``key`` now: the copy held while a write lags, else ``current``."""
        held = shadows.get(key)
        if held is not None:
            if held[1] > self.clock():
                return held[0]
            del shadows[key]
        return current

    def _settled(self, shadows, key):
        held = shadows.get(key)
        return held is None or held[1] <= self.clock()

    # ------------------------------------------------------------------ custom evaluators

    def evaluator(self, name):
        """An evaluator as reads show it (``lag`` included); NotFound when there is none."""
        with self.lock:
            shown = self._shown(self.evaluator_shadows, name, self.evaluators.get(name))
            if shown is None:
                raise NotFound('custom evaluator configuration %s not found' % name)
            return shown

    def list_evaluators(self):
        """Every evaluator as reads show it now (``lag`` included), by name."""
        with self.lock:
            names = sorted(set(self.evaluators) | set(self.evaluator_shadows))
            shown = [self._shown(self.evaluator_shadows, name, self.evaluators.get(name)) for name in names]
            return [evaluator for evaluator in shown if evaluator is not None]

    def put_evaluator(self, name, config):
        """Create or replace the whole configuration; created_at and created_by stay on a replace. Returns (Evaluator, created)."""
        with self.lock:
            existing = self.evaluators.get(name)
            self._hold(self.evaluator_shadows, name, existing)
            now = utc_now()
            if existing is None:
                self.evaluators[name] = Evaluator(name, config, now, self.next_seq())
                return self.evaluators[name], True
            existing.config = config
            existing.updated_at = now
            return existing, False

    def delete_evaluator(self, name):
        with self.lock:
            existing = self.evaluators.get(name)
            if existing is None:
                raise NotFound('custom evaluator configuration %s not found' % name)
            self._hold(self.evaluator_shadows, name, existing)
            del self.evaluators[name]

    def add_evaluators(self, items):
        """Seed and control route: items checked by seeds.check_evaluator_item, stored (or replaced) and shown at once."""
        with self.lock:
            made = []
            for item in items:
                name = item['eval_name']
                config = dict((key, copy.deepcopy(item[key])) for key in ('category', 'target', 'llm_provider', 'llm_judge_config')
                              if key in item)
                evaluator = Evaluator(name, config, item.get('created_at') or utc_now(), self.next_seq())
                if item.get('updated_at'):
                    evaluator.updated_at = item['updated_at']
                self.evaluators[name] = evaluator
                self.evaluator_shadows.pop(name, None)
                made.append(evaluator)
            return made

    def evaluators_view(self):
        with self.lock:
            return [dict(evaluator.to_json()['attributes'], listed=self._settled(self.evaluator_shadows, name))
                    for name, evaluator in sorted(self.evaluators.items())]

    # ------------------------------------------------------------------ prompts

    def _resolve_include(self, prompt_id, number, pointer):
        prompt = self.prompts.get(prompt_id)
        version = prompt.version(number) if prompt is not None else None
        if version is None:
            raise InvalidConfig('include: prompt %s has no version %d%s' % (
                prompt_id, number, '' if prompt is not None else ' (no such prompt)'), pointer)
        return version

    def prompt(self, prompt_id):
        """A live prompt, for writes and direct reads (shown at once); NotFound when there is none."""
        prompt = self.prompts.get(prompt_id)
        if prompt is None:
            raise NotFound('prompt %s not found' % prompt_id)
        return prompt

    def shown_prompt(self, prompt_id):
        """A prompt as lists show it now (``lag`` included), or None."""
        with self.lock:
            return self._shown(self.prompt_shadows, prompt_id, self.prompts.get(prompt_id))

    def list_prompts(self, wanted=None, prefix=False):
        """The prompts lists show now, newest first; ``wanted``: that prompt_id only (``prefix``: every
        prompt_id that starts with it, as a sloppy filter would)."""
        with self.lock:
            keys = set(self.prompts) | set(self.prompt_shadows)
            if wanted is not None:
                keys = set(key for key in keys if (key.startswith(wanted) if prefix else key == wanted))
            shown = [self._shown(self.prompt_shadows, key, self.prompts.get(key)) for key in keys]
            return sorted((prompt for prompt in shown if prompt is not None), key=lambda prompt: -prompt.seq)

    def _add_prompt_version(self, prompt, fields, pointer='/template'):
        template, authoring = check_template(fields['template'], pointer, self._resolve_include)
        if 'config' in fields:
            config = copy.deepcopy(fields['config'])
        else:
            config = copy.deepcopy(prompt.latest.config) if prompt.versions else {}   # carried forward
        version = PromptVersion(prompt, len(prompt.versions) + 1, template, authoring, config, fields.get('description'),
                                [], fields.get('created_at') or utc_now(), fields.get('user_version'), fields.get('env_ids'))
        prompt.versions.append(version)
        if fields.get('labels'):
            self._label(prompt, version, fields['labels'])
        return version

    def _label(self, prompt, version, labels):
        version.labels = list(labels)
        if self.prompt_labels_move:
            for other in prompt.versions:
                if other is not version:
                    other.labels = [label for label in other.labels if label not in labels]

    def create_prompt(self, fields):
        """A new prompt with its first version (fields: prompt_id, template, title, description, config, labels, ...);
        Conflict when a live prompt has that prompt_id. Nothing is stored when the template is refused."""
        with self.lock:
            prompt_id = fields['prompt_id']
            if prompt_id in self.prompts:
                raise Conflict('prompt %s already exists' % prompt_id)
            prompt = Prompt(prompt_id, fields.get('title'), fields.get('description'), fields.get('created_at') or utc_now(),
                            self.next_seq())
            self._add_prompt_version(prompt, fields)
            self._hold(self.prompt_shadows, prompt_id, None)
            self.prompts[prompt_id] = prompt
            return prompt

    def update_prompt(self, prompt_id, changes):
        with self.lock:
            prompt = self.prompt(prompt_id)
            self._hold(self.prompt_shadows, prompt_id, prompt)
            for key, value in changes.items():
                setattr(prompt, key, value)
            return prompt

    def delete_prompt(self, prompt_id):
        """Soft delete: gone from every read (lists too, after ``lag``); the prompt_id can be created again."""
        with self.lock:
            prompt = self.prompt(prompt_id)
            self._hold(self.prompt_shadows, prompt_id, prompt)
            prompt.deleted_at = utc_now()
            del self.prompts[prompt_id]
            self.deleted_prompts.append(prompt)
            return prompt

    def create_prompt_version(self, prompt_id, fields):
        """A new version (config carried forward when left out); returns (Prompt, PromptVersion)."""
        with self.lock:
            prompt = self.prompt(prompt_id)
            shown = copy.deepcopy(prompt) if self.lag > 0 else None
            version = self._add_prompt_version(prompt, fields)
            if self.lag > 0:
                self._hold(self.prompt_shadows, prompt_id, shown)
            return prompt, version

    def prompt_version(self, prompt_id, number):
        with self.lock:
            prompt = self.prompt(prompt_id)
            version = prompt.version(number)
            if version is None:
                raise NotFound('prompt %s has no version %d (versions: 1 to %d)' % (prompt_id, number, len(prompt.versions)))
            return prompt, version

    def update_prompt_version(self, prompt_id, number, changes):
        """Change a version's description, env_ids or labels (replaced; with ``prompt_labels_move`` they leave other versions)."""
        with self.lock:
            prompt, version = self.prompt_version(prompt_id, number)
            self._hold(self.prompt_shadows, prompt_id, prompt)
            if 'labels' in changes:
                self._label(prompt, version, changes['labels'])
            for key in ('description', 'env_ids'):
                if key in changes:
                    setattr(version, key, changes[key])
            return prompt, version

    def add_prompts(self, items):
        """Seed and control route: prompts checked by seeds.check_prompt_item, each with its versions, shown at
        once; a live prompt of the same prompt_id is replaced. All or nothing: a template refused leaves the prompts as
        they were (ValueError naming the place)."""
        with self.lock:
            saved = dict(self.prompts)
            try:
                made = []
                for index, item in enumerate(items):
                    self.prompts.pop(item['prompt_id'], None)
                    prompt = Prompt(item['prompt_id'], item.get('title'), item.get('description'),
                                    item.get('created_at') or utc_now(), self.next_seq())
                    self.prompts[prompt.prompt_id] = prompt     # its versions may include its earlier ones
                    for number, fields in enumerate(item['versions']):
                        self._add_prompt_version(prompt, fields, 'prompts[%d].versions[%d].template' % (index, number))
                    self.prompt_shadows.pop(prompt.prompt_id, None)
                    made.append(prompt)
                return made
            except InvalidConfig as problem:
                self.prompts = saved
                raise ValueError('%s: %s' % (dotted(problem.field), problem))

    def prompts_view(self, prompt_id=None):
        with self.lock:
            prompts = [p for p in list(self.prompts.values()) + self.deleted_prompts
                       if prompt_id is None or p.prompt_id == prompt_id]
            views = []
            for prompt in sorted(prompts, key=lambda p: -p.seq):
                view = prompt.state_json()
                view['listed'] = (prompt.deleted_at is None) and self._settled(self.prompt_shadows, prompt.prompt_id)
                views.append(view)
            return views

    # ------------------------------------------------------------------ views

    def snapshot(self, with_records=True):
        """Everything, including what lists do not show yet: for tests and the control API."""
        with self.lock:
            now = self.clock()
            return {
                'projects': [dict(id=p.id, name=p.name, description=p.description, created_at=p.created_at,
                                  updated_at=p.updated_at, listed=p.visible_at <= now)
                             for p in sorted(self.projects.values(), key=lambda p: -p.seq)],
                'datasets': [self._dataset_view(d, now, with_records)
                             for d in sorted(self.datasets.values(), key=lambda d: -d.seq)],
                'experiments': [e.to_json() for e in
                                sorted(self.experiments.values(), key=lambda e: (e.created, e.seq), reverse=True)],
                'evaluators': self.evaluators_view(),
                'prompts': self.prompts_view(),
            }

    def dataset_view(self, dataset_id, with_records=False):
        """One dataset as the state view shows it."""
        with self.lock:
            return self._dataset_view(self.find_dataset(dataset_id), self.clock(), with_records)

    def _dataset_view(self, d, now, with_records):
        view = dict(id=d.id, project_id=d.project_id, name=d.name, description=d.description, metadata=d.metadata,
                    current_version=d.current_version, created_at=d.created_at, updated_at=d.updated_at,
                    listed=d.visible_at <= now, record_count=len(d.records),
                    listed_record_count=d.records.listed_count(now),
                    draft_state={'user': d.draft_user, 'drafting_since': d.drafting_since},
                    versions=self.live_versions(d),
                    expired_versions=[v for v in range(d.current_version) if self.version_expired(d, v)])
        if with_records:
            view['records'] = [dict(id=r.id, input=r.row.input, expected_output=r.row.expected_output,
                                    metadata=r.row.metadata, tags=r.row.tags) for r in d.records.current()]
        return view


def dotted(pointer):
    """``prompts[0].versions[1].template/messages/2/role`` as ``prompts[0].versions[1].template.messages[2].role``."""
    head, dummy, rest = pointer.partition('/')
    parts = [part for part in rest.split('/') if part] if rest else []
    return head + ''.join('[%s]' % part if part.isdigit() else '.' + part for part in parts)


def encode_cursor(position):
    return base64.urlsafe_b64encode(json.dumps({'after': position}).encode()).decode().rstrip('=')


def decode_cursor(cursor):
    """The position of a cursor, or None when it is not one of ours."""
    try:
        padded = cursor + '=' * (-len(cursor) % 4)
        return int(json.loads(base64.urlsafe_b64decode(padded.encode()).decode())['after'])
    except (ValueError, KeyError, TypeError):
        return None
