# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Declared records: what a record may hold, the checks of each one, and the set of them a task declares.

A record is ``input`` (required, any JSON value), ``expected_output`` (any JSON value), ``metadata``
(an object), ``tags`` (``key:value`` strings, a set) and an optional ``id``. Every problem is a
ValidationError that names the record (``records[3]``, from 0, or ``path:12``, the file line from 1)
and the field, raised before any request is sent. Where records come from: ``_record_readers``.

Memory: a declared record is kept as its key, a digest and the canonical JSON text of its fields
(also what an insert sends), so a run holds about the size of its records' JSON, not Python
objects of them.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import re

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._record_canonical import (
    NotJSON,
    TooDeep,
    canonical_json,
    digest,
    normal_body,
)

RECORD_FIELDS = ('id', 'input', 'expected_output', 'metadata', 'tags')
RECORD_ID_PATTERN = re.compile(r'^[A-Za-z0-9._-]{1,128}\Z')
RECORD_ID_MAX_LENGTH = 128

# How deep lists and mappings may nest in a record's field. Far below Python's recursion limit, so that reading
# a record never meets it, neither in a module process nor in the controller, whose stack is already deep.
MAX_NESTING = 100


def kind_of(value):
    """How messages name what was found instead of what was expected: 'a list', 'null'."""
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'a boolean'
    if isinstance(value, (int, float)):
        return 'a number'
    if isinstance(value, str):
        return 'text'
    if isinstance(value, (list, tuple)):
        return 'a list'
    if isinstance(value, dict):
        return 'a mapping'
    return 'a %s' % type(value).__name__


def too_deep_message(where, field):
    """The message of a record (``field`` None) or a field nested more than MAX_NESTING levels deep."""
    return '%s: %s nests lists and mappings more than %d levels deep, more than a record may hold.' % (
        where, field if field is not None else 'the record', MAX_NESTING)


class DeclaredRecord(object):
    """One declared record: where it was declared, its key, the digest and canonical text of its fields.

    ``text`` is the canonical JSON of ``normal_body`` (without the id): what is compared, and what
    an insert sends; records read again from their file keep the offset of their line instead
    (see ``_record_readers.JsonlRecords``).
    """

    __slots__ = ('position', 'key', 'digest', 'text')

    def __init__(self, position, key, digest_value, text):
        self.position = position
        self.key = key
        self.digest = digest_value
        self.text = text


class DeclaredRecords(object):
    """The declared records, in order, each under a unique key.

    ``source`` names them in messages (``records``, or the file's path, with ``line_numbers``).
    ``keyed_by`` is ``'id'`` when the records carry ids, ``'input'`` when they do not (and None
    when there are none). ``index_of(key)`` finds a record by its key. ``require_input`` false
    (records to delete): a record with an ``id`` needs no ``input``. ``max_record_bytes``: the
    largest record, as JSON, that can be sent.
    """

    def __init__(self, source, line_numbers, require_input=True, decoded_json=False, max_record_bytes=None):
        self.source = source
        self.line_numbers = line_numbers
        self.require_input = require_input
        # Records decoded from JSON text need no walk to be plain (see canonical_json).
        self.decoded_json = decoded_json
        self.max_record_bytes = max_record_bytes
        self.entries = []
        self.keyed_by = None
        self._index = {}
        self._first_with_id = None
        self._first_without_id = None

    def __len__(self):
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries)

    def label(self, position):
        """How messages name a record: ``records[3]`` or ``path:12``."""
        if self.line_numbers:
            return '%s:%d' % (self.source, position)
        return '%s[%d]' % (self.source, position)

    def index_of(self, key):
        """The index in ``entries`` of the record declared under ``key``, or None."""
        return self._index.get(key)

    def add(self, position, fields, offset=None):
        """Check one record's fields (a dict as read) and keep it; raises ValidationError.

        ``offset``: where the record's line starts in the file, kept instead of its text by records
        read again from their file.
        """
        where = self.label(position)
        if not isinstance(fields, dict):
            raise ValidationError('%s: a record must be a mapping with at least an input field (found %s).'
                                  % (where, kind_of(fields)))
        unknown = sorted(str(name) for name in fields if name not in RECORD_FIELDS)
        if unknown:
            raise ValidationError('%s: unknown field %s; a record has only %s.'
                                  % (where, ', '.join(repr(name) for name in unknown), ', '.join(RECORD_FIELDS)))
        record_id = _checked_id(fields.get('id'), where)
        if 'input' not in fields and (self.require_input or record_id is None):
            raise ValidationError('%s: the input field is missing; every record needs an input%s.'
                                  % (where, '' if self.require_input else ' or an id'))
        if 'input' in fields and fields['input'] is None and (self.require_input or record_id is None):
            # Datadog requires an input; a null one would be sent, or compared, as if it were one.
            if self.require_input:
                raise ValidationError('%s: input is null; every record needs an input (Datadog requires one).' % where)
            raise ValidationError('%s: input is null; a record without an id needs an input.' % where)
        metadata = fields.get('metadata')
        if metadata is not None and not isinstance(metadata, dict):
            raise ValidationError('%s: metadata must be a mapping (found %s).' % (where, kind_of(metadata)))
        tags = _checked_tags(fields.get('tags'), where)
        walk = not self.decoded_json
        if walk:  # decoded JSON holds no value without a JSON form (NaN is refused as it is read)
            for name in ('input', 'expected_output', 'metadata'):
                _check_field_value(fields.get(name), where, name)
        try:
            text = canonical_json(normal_body(fields.get('input'), fields.get('expected_output'), metadata, tags), walk)
            key = record_id if record_id is not None else digest(canonical_json(fields.get('input'), walk))
        except NotJSON as exc:  # checked field by field above; a second defence
            raise ValidationError('%s: a value is not JSON: %s.' % (where, exc))
        if self.max_record_bytes and len(text) * 6 > self.max_record_bytes:
            # As sent, a record is at most 6 times its canonical text (every character escaped as \\uXXXX).
            size = len(json.dumps(dict(json.loads(text), id=record_id) if record_id else json.loads(text)))
            if size > self.max_record_bytes:
                raise ValidationError('%s: the record is %d bytes of JSON, more than one request can carry (%d bytes); '
                                      'it cannot be written.' % (where, size, self.max_record_bytes))
        self._keep(DeclaredRecord(position, key, digest(text), text if offset is None else offset), record_id is not None)

    def records_digest(self):
        """A short, stable hash of the declared records as data: the same whatever the file format, the order of
        the records or of the keys in them, and the same in check mode as for real (see RETURN ``records_digest``)."""
        pairs = sorted((record.key if isinstance(record.key, bytes) else record.key.encode('utf-8'), record.digest)
                       for record in self.entries)
        total = hashlib.sha256(('keyed by %s\n' % self.keyed_by).encode('utf-8'))
        for key, value in pairs:
            total.update(b'%d:%s%s' % (len(key), key, value))
        return total.hexdigest()[:32]

    def text_of(self, record):
        """The canonical text of a record's fields."""
        return record.text

    def body(self, record, record_id=None):
        """What an insert sends for ``record``: ``input`` and the fields that are set, and its ``id``."""
        body = json.loads(self.text_of(record))
        if self.keyed_by == 'id':
            body['id'] = record.key
        elif record_id is not None:
            body['id'] = record_id
        return body

    def _keep(self, record, has_id):
        if has_id:
            if self._first_with_id is None:
                self._first_with_id = record.position
        elif self._first_without_id is None:
            self._first_without_id = record.position
        if self._first_with_id is not None and self._first_without_id is not None:
            raise ValidationError(
                '%s has no id, but %s has one: either every record carries an id or none does.'
                % (self.label(self._first_without_id), self.label(self._first_with_id)))
        self.keyed_by = 'id' if has_id else 'input'
        earlier = self._index.get(record.key)
        if earlier is not None:
            if has_id:
                what = 'the same id %r' % record.key
            else:
                what = 'the same input'
            raise ValidationError('%s and %s have %s: each record must be declared once.'
                                  % (self.label(self.entries[earlier].position), self.label(record.position), what))
        self._index[record.key] = len(self.entries)
        self.entries.append(record)


def _check_field_value(value, where, field):
    """Refuse a field that holds a value with no JSON form, or lists and mappings nested too deep."""
    try:
        canonical_json(value, True, MAX_NESTING)
    except (TooDeep, RecursionError):  # RecursionError: a caller's stack deep enough to meet Python's limit first
        raise ValidationError(too_deep_message(where, field))
    except NotJSON as exc:
        inside = (' at %s' % exc.path) if exc.path else ''
        raise ValidationError('%s: %s holds a value that is not JSON%s: %s.' % (where, field, inside, exc))


def _checked_id(value, where):
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # id: 42 in YAML is a number; its text is a valid id
    if not isinstance(value, str):
        raise ValidationError('%s: id must be text (found %s).' % (where, kind_of(value)))
    if not RECORD_ID_PATTERN.match(value):
        if not value:
            raise ValidationError('%s: id must not be empty.' % where)
        if len(value) > RECORD_ID_MAX_LENGTH:
            raise ValidationError('%s: id must be at most %d characters long (got %d).'
                                  % (where, RECORD_ID_MAX_LENGTH, len(value)))
        raise ValidationError("%s: id %r may contain only letters, digits, '.', '_' and '-'." % (where, value))
    return str(value)


def _checked_tags(value, where):
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise ValidationError('%s: tags must be a list of "key:value" strings (found %s).' % (where, kind_of(value)))
    tags = []
    for index, tag in enumerate(value):
        if not isinstance(tag, str):
            raise ValidationError('%s: tags[%d] must be a "key:value" string (found %s).' % (where, index, kind_of(tag)))
        if ':' not in tag or not tag.split(':', 1)[0].strip():
            raise ValidationError('%s: tags[%d] %r is not of the form "key:value".' % (where, index, tag))
        tags.append(str(tag))
    return tags
