# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Declared dataset records: reading them from a list or a file, checking them, and their canonical form.

A record is ``input`` (required, any JSON value), ``expected_output`` (any JSON value; missing
means null), ``metadata`` (an object; missing means ``{}``), ``tags`` (``key:value`` strings, a
set) and an optional ``id``. Records are compared as data, through the canonical form below, so
that key order, tag order, ``1`` against ``1.0`` and a missing field against its default do not
count as differences.

Every problem is a ValidationError that names the record (``records[3]``, from 0, or
``path:12``, the file line from 1) and the field, raised before any request is sent.

Hostile files are bounded: ``src`` must be a regular file of at most MAX_SRC_BYTES, a record's
values may nest at most MAX_NESTING levels (checked without recursion, so that the controller,
whose stack is already deep, reads a file exactly as a module process does), and YAML aliases
may expand a record to at most MAX_YAML_NODES values. A file that declares no records is an
error: emptying a dataset is said with ``records: []``.

Memory: a declared record is kept as its key, a digest and the canonical JSON text of its fields
(also what an insert sends), so a run holds about the size of its records' JSON, not Python
objects of them; records of a JSONL file keep only the offset of their line, read again when
they are sent.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import csv
import datetime
import errno
import hashlib
import io
import json
import math
import os
import re
import stat
import tempfile

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError, ValidationError

YAML_IMPORT_ERROR = None
try:
    import yaml
except ImportError as exc:  # PyYAML comes with ansible-core; a module host may lack it
    HAS_YAML = False
    YAML_IMPORT_ERROR = str(exc)
else:
    HAS_YAML = True

RECORD_FIELDS = ('id', 'input', 'expected_output', 'metadata', 'tags')
RECORD_ID_PATTERN = re.compile(r'^[A-Za-z0-9._-]{1,128}\Z')
RECORD_ID_MAX_LENGTH = 128
FILE_FORMATS = {'.jsonl': 'jsonl', '.json': 'json', '.yaml': 'yaml', '.yml': 'yaml', '.csv': 'csv'}
CSV_COLUMNS = ('id', 'input', 'expected_output', 'metadata', 'tags')
CSV_FIELD_LIMIT = 64 * 1024 * 1024
BOM = u'\ufeff'

# The largest records file (src) that is read. Checked on the opened file's size and again while reading, since
# a file can grow: a device or a growing file never fills the run's memory.
MAX_SRC_BYTES = 1024 ** 3
# How deep lists and mappings may nest in a record's field. Far below Python's recursion limit, so that reading
# a record never meets it, neither in a module process nor in the controller, whose stack is already deep.
MAX_NESTING = 100
# How many values (each scalar, list and mapping counts one) one record of a YAML file may expand to through
# aliases; the whole file may expand to this many, or YAML_EXPANSION times the values it writes out if more.
MAX_YAML_NODES = 1000 * 1000
YAML_EXPANSION = 10

DIGEST_SIZE = 16
RECORD_VALUE_FIELDS = ('input', 'expected_output', 'metadata', 'tags')


class NotJSON(ValueError):
    """A value that has no JSON form (NaN, a set, an object): ``path`` says where inside the field."""

    def __init__(self, message, path=''):
        super(NotJSON, self).__init__(message)
        self.path = path


class TooDeep(NotJSON):
    """A value whose lists and mappings nest deeper than the walk was allowed to go."""


# No limit on nesting but Python's own: for values that come from the server.
_ANY_DEPTH = 1 << 30


def _fix(value, path, room=_ANY_DEPTH):
    # room: how many more levels of lists and mappings may open, so that the walk stops before Python's limit.
    if value is None or value is True or value is False:
        return value
    kind = type(value)
    if kind is str or kind is int:
        return value
    if kind is float:
        if math.isnan(value) or math.isinf(value):
            raise NotJSON('%r is not a JSON number' % value, path)
        if value.is_integer():
            # A server that holds numbers as doubles answers 1 for 1.0, and 10000000000000000 for 1e16: the
            # same numbers. Every integral float is an integer exactly, whatever its size.
            return int(value)
        return value
    if kind is dict or isinstance(value, dict):
        if room <= 0:
            raise TooDeep('nested too deep', path)
        fixed = {}
        for key, item in value.items():
            if not isinstance(key, str):
                if isinstance(key, bool) or key is None or not isinstance(key, (int, float)):
                    raise NotJSON('the key %r is not text' % (key,), path)
                key = json.dumps(key)
            fixed[str(key)] = _fix(item, '%s.%s' % (path, key) if path else str(key), room - 1)
        return fixed
    if kind is list or kind is tuple or isinstance(value, (list, tuple)):
        if room <= 0:
            raise TooDeep('nested too deep', path)
        return [_fix(item, '%s[%d]' % (path, index), room - 1) for index, item in enumerate(value)]
    if isinstance(value, str):
        return str(value)  # a str subclass, such as Ansible's unsafe text
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _fix(float(value), path, room)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()  # an unquoted date in YAML: the text it was written as
    raise NotJSON('a %s is not a JSON value' % type(value).__name__, path)


def plain(value, levels=None):
    """``value`` as plain JSON data (integral floats as integers, YAML dates as text); raises NotJSON.

    ``levels``: how deep lists and mappings may nest (TooDeep beyond); None for no limit.
    """
    return _fix(value, '', _ANY_DEPTH if levels is None else levels)


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(',', ':'), ensure_ascii=False)


def canonical(value):
    """The canonical JSON text of plain data, as bytes: sorted keys, no spaces, UTF-8."""
    return _CANONICAL.encode(value).encode('utf-8', 'surrogatepass')


def canonical_json(value, walk=False, levels=None):
    """The canonical text of a JSON value, with integral floats written as integers.

    ``walk`` first makes any Python value plain (``plain``, with ``levels``; raises NotJSON): needed
    for values from YAML or task options. A value decoded from JSON text is already plain but for its
    floats, and a float that ``plain`` would change prints as ``<digits>.0`` or with an exponent
    (``1e+16``), so such a value is walked only when its text holds ``.0`` or ``e+`` somewhere.
    """
    if walk:
        return canonical(plain(value, levels))
    text = canonical(value)
    if b'.0' in text or b'e+' in text:
        text = canonical(plain(value))
    return text


def normal_body(input_value, expected_output, metadata, tags):
    """A record's fields in the form they are compared in: defaults left out, tags a sorted set."""
    body = {'input': input_value}
    if expected_output is not None:
        body['expected_output'] = expected_output
    if metadata:
        body['metadata'] = metadata
    if tags:
        body['tags'] = tag_list(tags)
    return body


def digest(text):
    return hashlib.blake2b(text, digest_size=DIGEST_SIZE).digest()


def body_fields(body):
    """The four compared fields of a normal body, defaults filled in."""
    return dict(input=body.get('input'), expected_output=body.get('expected_output'),
                metadata=body.get('metadata') or {}, tags=tag_list(body.get('tags') or []))


def differing_fields(left, right):
    """The fields (of RECORD_VALUE_FIELDS) whose values differ, as data, between two records' fields."""
    return [name for name in RECORD_VALUE_FIELDS
            if canonical_json(left.get(name), walk=True) != canonical_json(right.get(name), walk=True)]


def tag_list(tags):
    return sorted(set(tags))


class DeclaredRecord(object):
    """One declared record: where it was declared, its key, the digest and canonical text of its fields.

    ``text`` is the canonical JSON of ``normal_body`` (without the id): what is compared, and
    what an insert sends; for a JSONL file, the offset of the record's line instead (read again
    only when the record is sent or shown: ``DeclaredRecords.text_of``).
    """

    __slots__ = ('position', 'key', 'digest', 'text')

    def __init__(self, position, key, digest_value, text):
        self.position = position
        self.key = key
        self.digest = digest_value
        self.text = text


class DeclaredRecords(object):
    """The declared records, in order, each under a unique key.

    ``keyed_by`` is ``'id'`` when the records carry ids, ``'input'`` when they do not (and None
    when there are none). ``index_of(key)`` finds a record by its key.
    """

    def __init__(self, source, line_numbers, require_input=True, decoded_json=False, option=None):
        self.source = source
        self.option = option or source  # the option that gave the records: records or src
        self.line_numbers = line_numbers
        self.require_input = require_input
        # Records decoded from JSON text need no walk to be plain (see canonical_json).
        self.decoded_json = decoded_json
        self.max_record_bytes = None
        self._reread = None
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

        ``offset``: where the record's line starts in the file, for records read again from it
        rather than kept (see ``text_of``).
        """
        where = self.label(position)
        if not isinstance(fields, dict):
            raise ValidationError('%s: a record must be a mapping with at least an input field (found %s).'
                                  % (where, _kind(fields)))
        unknown = sorted(str(name) for name in fields if name not in RECORD_FIELDS)
        if unknown:
            raise ValidationError('%s: unknown field %s; a record has only %s.'
                                  % (where, ', '.join(repr(name) for name in unknown), ', '.join(RECORD_FIELDS)))
        record_id = _check_id(fields.get('id'), where)
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
            raise ValidationError('%s: metadata must be a mapping (found %s).' % (where, _kind(metadata)))
        tags = _check_tags(fields.get('tags'), where)
        walk = not self.decoded_json
        if walk:  # decoded JSON holds no value without a JSON form (NaN is refused as it is read)
            for name in ('input', 'expected_output', 'metadata'):
                _field_text(fields.get(name), where, name, walk)
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

    def text_of(self, record):
        """The canonical text of a record's fields: kept, or read again from its line in the file.

        A line read again must be the one compared: if the file changed meanwhile, that is an error.
        """
        if not isinstance(record.text, int):
            return record.text
        if self._reread is None:
            # Kept open for the run: records are read again one by one.
            self._reread = open_src(self.source, self.option)
        self._reread.seek(record.text)
        line = self._reread.readline(MAX_SRC_BYTES + 1).decode('utf-8', 'replace').lstrip(BOM)
        try:
            fields = json.loads(line, parse_constant=_refuse_constant)
            text = canonical_json(normal_body(fields.get('input'), fields.get('expected_output'), fields.get('metadata'),
                                              fields.get('tags') or []))
        except (ValueError, AttributeError, TypeError):
            text = b''
        if digest(text) != record.digest:
            raise LLMObsError('%s changed while the task ran: line %d is no longer the record that was compared. '
                              'Run the task again.' % (self.source, record.position))
        return text

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


def _kind(value):
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


def _field_text(value, where, field, walk):
    try:
        return canonical_json(value, walk, MAX_NESTING)
    except (TooDeep, RecursionError):  # RecursionError: a caller's stack deep enough to meet Python's limit first
        raise ValidationError(_too_deep(where, field))
    except NotJSON as exc:
        inside = (' at %s' % exc.path) if exc.path else ''
        raise ValidationError('%s: %s holds a value that is not JSON%s: %s.' % (where, field, inside, exc))


def _check_id(value, where):
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # id: 42 in YAML is a number; its text is a valid id
    if not isinstance(value, str):
        raise ValidationError('%s: id must be text (found %s).' % (where, _kind(value)))
    if not RECORD_ID_PATTERN.match(value):
        if not value:
            raise ValidationError('%s: id must not be empty.' % where)
        if len(value) > RECORD_ID_MAX_LENGTH:
            raise ValidationError('%s: id must be at most %d characters long (got %d).'
                                  % (where, RECORD_ID_MAX_LENGTH, len(value)))
        raise ValidationError("%s: id %r may contain only letters, digits, '.', '_' and '-'." % (where, value))
    return str(value)


def _check_tags(value, where):
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise ValidationError('%s: tags must be a list of "key:value" strings (found %s).' % (where, _kind(value)))
    tags = []
    for index, tag in enumerate(value):
        if not isinstance(tag, str):
            raise ValidationError('%s: tags[%d] must be a "key:value" string (found %s).' % (where, index, _kind(tag)))
        if ':' not in tag or not tag.split(':', 1)[0].strip():
            raise ValidationError('%s: tags[%d] %r is not of the form "key:value".' % (where, index, tag))
        tags.append(str(tag))
    return tags


# ---------------------------------------------------------------------- sources


def from_list(records, option='records', require_input=True, max_record_bytes=None):
    """Declared records from a list (the ``records`` option); positions are indexes from 0."""
    declared = DeclaredRecords(option, line_numbers=False, require_input=require_input)
    declared.max_record_bytes = max_record_bytes
    for index, fields in enumerate(records):
        declared.add(index, fields)
    return declared


def file_format(path):
    """The format of a records file from its extension, or a ValidationError that lists the known ones."""
    extension = os.path.splitext(path)[1].lower()
    if extension not in FILE_FORMATS:
        raise ValidationError('src %r: unknown file type %r; records files are %s.'
                              % (path, extension or '(no extension)', ', '.join(sorted(FILE_FORMATS))))
    return FILE_FORMATS[extension]


def from_file(path, option='src', require_input=True, max_record_bytes=None):
    """Declared records from a ``.jsonl``, ``.json``, ``.yaml``/``.yml`` or ``.csv`` file; positions are lines from 1."""
    kind = file_format(path)
    declared = DeclaredRecords(path, line_numbers=True, require_input=require_input, decoded_json=kind != 'yaml',
                               option=option)
    declared.max_record_bytes = max_record_bytes
    try:
        with open_src(path, option) as handle:
            if kind == 'jsonl':
                _read_jsonl(handle, declared)  # line by line: a large file is never held whole
            else:
                data = handle.read(MAX_SRC_BYTES + 1)  # one byte more tells a file that grew past the bound
                if len(data) > MAX_SRC_BYTES:
                    raise _too_large(option, path)
                try:
                    text = data.decode('utf-8')
                except UnicodeDecodeError as exc:
                    raise ValidationError('%s %r is not UTF-8 text (%s).' % (option, path, exc.reason))
                del data
                READERS[kind](text[1:] if text.startswith(BOM) else text, declared)
    except (IOError, OSError) as exc:
        raise ValidationError('%s %r cannot be read: %s.' % (option, path, exc.strerror or exc))
    if not declared.entries:
        # With purge, no records would delete every record of the dataset: that must be said, not implied by a file.
        raise ValidationError('%s %r declares no records. To empty a dataset on purpose, give records: [] with '
                              'purge: true.' % (option, path))
    return declared


def _file_type(mode):
    """What a file that is not a regular file is, for messages; None for a regular file."""
    for test, name in ((stat.S_ISDIR, 'a directory'), (stat.S_ISFIFO, 'a FIFO (named pipe)'),
                       (stat.S_ISCHR, 'a character device'), (stat.S_ISBLK, 'a block device'),
                       (stat.S_ISSOCK, 'a socket')):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else 'a special file'


def _size_text(size):
    for unit, name in ((1024 ** 3, 'GiB'), (1024 ** 2, 'MiB'), (1024, 'KiB')):
        if size >= unit and size % unit == 0:
            return '%d %s' % (size // unit, name)
    return '%d bytes' % size


def _too_large(option, path):
    return ValidationError('%s %r is larger than %s, the most a records file may hold.'
                           % (option, path, _size_text(MAX_SRC_BYTES)))


def open_src(path, option='src'):
    """A records file opened for reading (binary), once it is known to be a regular file of at most MAX_SRC_BYTES.

    Symlinks are followed. A FIFO would block the open and a device would never end, so the path is opened
    without blocking and what was opened is checked: a file swapped after the first look is caught too.
    """
    def unreadable(exc):
        if exc.errno == errno.ENOENT:
            return ValidationError('%s %r does not exist on the host that runs the module.' % (option, path))
        return ValidationError('%s %r cannot be read: %s.' % (option, path, exc.strerror or exc))

    try:
        # A socket cannot be opened at all: look first, so that the message says what the path is.
        kind = _file_type(os.stat(path).st_mode)
    except OSError as exc:
        raise unreadable(exc)
    if kind is not None:
        raise ValidationError('%s %r is %s, not a regular file.' % (option, path, kind))
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise unreadable(exc)
    try:
        info = os.fstat(descriptor)
        kind = _file_type(info.st_mode)
        if kind is not None:
            raise ValidationError('%s %r is %s, not a regular file.' % (option, path, kind))
        if info.st_size > MAX_SRC_BYTES:
            raise _too_large(option, path)
        return os.fdopen(descriptor, 'rb')
    except BaseException:
        os.close(descriptor)
        raise


def _read_jsonl(handle, declared):
    """One record a line. Only each line's offset is kept: a record is read again when it is sent."""
    decoder = json.JSONDecoder(parse_constant=_refuse_constant)
    offset = number = 0
    # Lines end at b'\n' only: JSON text may hold other Unicode line separators inside strings.
    while True:
        # Never more than MAX_SRC_BYTES + 1 bytes in all, even from a file that grows or one endless line.
        raw = handle.readline(MAX_SRC_BYTES + 1 - offset)
        if not raw:
            return
        number += 1
        start, offset = offset, offset + len(raw)
        if offset > MAX_SRC_BYTES:
            raise _too_large(declared.option, declared.source)
        try:
            line = raw.decode('utf-8')
        except UnicodeDecodeError as exc:
            raise ValidationError('%s: not UTF-8 text (%s).' % (declared.label(number), exc.reason))
        if number == 1 and line.startswith(BOM):
            line = line[1:]
        if not line.strip():
            continue
        try:
            fields = decoder.decode(line)
        except RecursionError:  # the decoder recurses once a level: text far deeper than MAX_NESTING
            raise ValidationError(_too_deep(declared.label(number), _deep_json_field(line, 0)))
        except ValueError as exc:
            column = min(exc.pos, len(line.rstrip('\r\n'))) + 1 if isinstance(exc, json.JSONDecodeError) else None
            raise ValidationError('%s: not valid JSON: %s.' % (declared.label(number), _json_reason(exc, column)))
        if line.count('[') + line.count('{') > MAX_NESTING:  # otherwise it cannot nest deeper: no walk
            _check_nesting(fields, declared.label(number))
        declared.add(number, fields, offset=start)


def _read_json(document, declared):
    decoder = json.JSONDecoder(parse_constant=_refuse_constant)
    position = _skip_space(document, 0)
    if position == len(document):
        return  # no records: refused by from_file
    if document[position] != '[':
        try:
            value = decoder.raw_decode(document, position)[0]
        except RecursionError:
            raise ValidationError(_too_deep('%s:%d' % (declared.source, document.count('\n', 0, position) + 1), None))
        except ValueError as exc:
            raise ValidationError(_json_error(declared.source, document.count('\n', 0, position) + 1, exc))
        raise ValidationError('%s: a .json records file holds an array of records, not %s.'
                              % (declared.source, _kind(value)))
    line, counted = 1, 0
    position = _skip_space(document, position + 1)
    if position < len(document) and document[position] == ']':
        _expect_end(document, position + 1, declared.source)
        return
    while True:
        line += document.count('\n', counted, position)
        counted = position
        try:
            fields, end = decoder.raw_decode(document, position)
        except RecursionError:  # the decoder recurses once a level: text far deeper than MAX_NESTING
            raise ValidationError(_too_deep(declared.label(line), _deep_json_field(document, position)))
        except ValueError as exc:
            raise ValidationError(_json_error(declared.source, line, exc))
        if document.count('[', position, end) + document.count('{', position, end) > MAX_NESTING:
            _check_nesting(fields, declared.label(line))
        declared.add(line, fields)
        position = _skip_space(document, end)
        if position < len(document) and document[position] == ',':
            position = _skip_space(document, position + 1)
            continue
        if position < len(document) and document[position] == ']':
            _expect_end(document, position + 1, declared.source)
            return
        line += document.count('\n', counted, position)
        counted = position
        raise ValidationError("%s:%d: not valid JSON: expected ',' or ']' after the record that starts on line %d."
                              % (declared.source, line, declared.entries[-1].position))


def _json_error(source, line, exc):
    """A decoder's error in a .json file, at the file's line and column (or at ``line``, the record's, without)."""
    if isinstance(exc, json.JSONDecodeError):
        line = exc.lineno  # the decoder counted in the whole document: the file's line
    return '%s:%d: not valid JSON: %s.' % (source, line, _json_reason(exc))


def _expect_end(document, position, source):
    position = _skip_space(document, position)
    if position != len(document):
        raise ValidationError('%s:%d: not valid JSON: extra data after the array of records.'
                              % (source, document.count('\n', 0, position) + 1))


def _skip_space(document, position):
    while position < len(document) and document[position] in ' \t\r\n':
        position += 1
    return position


def _refuse_constant(name):
    raise ValueError('%s is not a JSON number' % name)


def _json_reason(exc, column=None):
    """The decoder's message with one position, a column: ``column``, or the decoder's own."""
    if isinstance(exc, json.JSONDecodeError):
        message = exc.msg[:-3] if exc.msg.endswith(' at') else exc.msg  # 'Invalid control character at'
        return '%s at column %d' % (message, exc.colno if column is None else column)
    return str(exc)


# ---------------------------------------------------------------------- nesting

def _too_deep(where, field):
    return '%s: %s nests lists and mappings more than %d levels deep, more than a record may hold.' % (
        where, field if field is not None else 'the record', MAX_NESTING)


def _deeper_than(value, levels):
    """Whether lists and mappings nest more than ``levels`` deep in ``value``: a walk without recursion."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, (list, tuple)):
            continue
        depth += 1
        if depth > levels:
            return True
        stack.extend((child, depth) for child in item)
    return False


def _check_nesting(fields, where):
    """Refuse a decoded record with a field nested more than MAX_NESTING levels, naming the first such field."""
    if not isinstance(fields, dict):
        if _deeper_than(fields, MAX_NESTING + 1):  # the record itself is one level
            raise ValidationError(_too_deep(where, None))
        return
    for name, value in fields.items():
        if _deeper_than(value, MAX_NESTING):
            raise ValidationError(_too_deep(where, name))


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _deep_json_field(text, start):
    """The field of the JSON record at ``start`` that nests too deep, found in its text (None: the record).

    For text too deep for the decoder to read: brackets outside strings are counted; a string at the record's
    own level just before a value opens is that value's key.
    """
    depth, key, is_object = 0, None, False
    for match in _JSON_TOKEN.finditer(text, start):
        token = match.group()
        if token[0] == '"':
            key = token if depth == 1 else key
        elif token in '[{':
            depth += 1
            if depth == 1:
                is_object = token == '{'
            elif depth > MAX_NESTING + 1:
                if not is_object or key is None:
                    return None
                try:
                    return json.loads(key)
                except ValueError:
                    return key[1:-1]
        else:
            depth -= 1
            if depth <= 0:
                return None
    return None


# ---------------------------------------------------------------------- YAML

_YAML_MERGE = 'tag:yaml.org,2002:merge'
_YAML_SIZE_CAP = 1 << 62  # sizes are counted up to here: a chain of aliases may expand beyond any number


def _read_yaml(text, declared):
    if not HAS_YAML:
        raise ValidationError('%s: reading a YAML records file needs the PyYAML library on the host that runs the '
                              'module (%s); use a .json, .jsonl or .csv file instead.' % (declared.source, YAML_IMPORT_ERROR))
    loader = yaml.SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:  # the composer recurses once a level: text far deeper than MAX_NESTING
            line, field = _deep_yaml_place(text)
            raise ValidationError(_too_deep(declared.label(line), field))
        except yaml.YAMLError as exc:
            raise ValidationError('%s: not valid YAML: %s.' % (declared.source, _yaml_reason(exc)))
        if node is None:
            return  # no records: refused by from_file
        if not isinstance(node, yaml.SequenceNode):
            raise ValidationError('%s: a YAML records file holds a list of records, not %s.'
                                  % (declared.source, 'a mapping' if isinstance(node, yaml.MappingNode) else 'a single value'))
        _check_yaml_graph(node, declared)  # before any Python value is made
        for item in node.value:
            where = declared.label(item.start_mark.line + 1)
            try:
                fields = loader.construct_object(item, deep=True)
            except RecursionError:  # not with MAX_NESTING levels, whatever the caller's stack: a last defence
                raise ValidationError(_too_deep(where, None))
            except yaml.YAMLError as exc:
                raise ValidationError('%s: not valid YAML: %s.' % (where, _yaml_reason(exc)))
            declared.add(item.start_mark.line + 1, fields)
    finally:
        loader.dispose()


def _yaml_children(node):
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    return ()


def _yaml_measure(node, sizes):
    """The expanded size and the depth of a node whose children are measured; a merge key (<<) lifts its mapping."""
    size, depth = 1, 0
    for child in _yaml_children(node):
        size += sizes[id(child)][0]
    if isinstance(node, yaml.SequenceNode):
        depth = max([sizes[id(child)][1] for child in node.value] + [0]) + 1
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            depth = max(depth, sizes[id(key)][1])
            if key.tag == _YAML_MERGE:
                # The merged mappings' pairs become this mapping's own: their values sit at this level.
                parts = value.value if isinstance(value, yaml.SequenceNode) else [value]
                depth = max([depth] + [sizes[id(part)][1] - 1 for part in parts])
            else:
                depth = max(depth, sizes[id(value)][1])
        depth += 1
    return min(size, _YAML_SIZE_CAP), depth


def _check_yaml_graph(root, declared):
    """Refuse a record that YAML aliases expand past MAX_YAML_NODES, one nested deeper than MAX_NESTING or one
    that contains itself, before anything is built from it; and a file that aliases expand too much in all.

    Aliases are shared node objects: each node is measured once, by identity, so the walk is linear in the
    nodes the file writes out, whatever they expand to, and it recurses not at all.
    """
    sizes = {}  # id(node): (expanded size, depth); None while the node's children are being measured
    checked = []
    for item in root.value:
        where = declared.label(item.start_mark.line + 1)
        stack = [item]
        while stack:
            node = stack[-1]
            if id(node) not in sizes:
                sizes[id(node)] = None
                for child in _yaml_children(node):
                    if id(child) not in sizes:
                        stack.append(child)
                    elif sizes[id(child)] is None:  # a node being measured is one this node is inside of
                        raise ValidationError('%s: the record contains itself through a YAML alias; a record must '
                                              'be a finite value.' % where)
                continue
            stack.pop()
            if sizes[id(node)] is None:
                sizes[id(node)] = _yaml_measure(node, sizes)
        size, depth = sizes[id(item)]
        if size > MAX_YAML_NODES:
            raise ValidationError('%s: the record expands to more than %d values through YAML aliases, more than a '
                                  'record may hold.' % (where, MAX_YAML_NODES))
        if depth > MAX_NESTING + 1:  # the record itself is one level
            field = None
            if isinstance(item, yaml.MappingNode):
                field = next((key.value for key, value in item.value
                              if isinstance(key, yaml.ScalarNode) and key.tag != _YAML_MERGE
                              and sizes[id(value)][1] > MAX_NESTING), None)
            raise ValidationError(_too_deep(where, field))
        checked.append((where, size))
    limit = max(MAX_YAML_NODES, YAML_EXPANSION * len(sizes))
    total = 0
    for where, size in checked:
        total += size
        if total > limit:
            raise ValidationError('%s: with this record, the file expands to more than %d values through YAML '
                                  'aliases (%d times the %d it writes out), more than a records file may hold.'
                                  % (where, limit, YAML_EXPANSION, len(sizes)))


def _deep_yaml_place(text):
    """The line and field of the first record nested deeper than MAX_NESTING, from the YAML events.

    For text too deep to compose: the parser does not recurse. Field None: the record itself, or not found.
    """
    frames = []  # one a collection open: [is a mapping, the next node is a key]
    line, field = 1, None
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                frames.pop()
                continue
            if not isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                continue
            if len(frames) == 1:  # a record of the top list
                line, field = event.start_mark.line + 1, None
            elif frames and frames[-1][0]:
                if len(frames) == 2 and frames[-1][1]:  # a key of the record
                    field = event.value if isinstance(event, yaml.ScalarEvent) else None
                frames[-1][1] = not frames[-1][1]
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                frames.append([isinstance(event, yaml.MappingStartEvent), True])
                if len(frames) > MAX_NESTING + 2:  # the top list and the record are two levels
                    return line, field
    except yaml.YAMLError:
        pass
    return line, field


def _yaml_reason(exc):
    mark = getattr(exc, 'problem_mark', None)
    problem = getattr(exc, 'problem', None) or str(exc)
    if mark is not None:
        return '%s (line %d, column %d)' % (problem, mark.line + 1, mark.column + 1)
    return problem


# ---------------------------------------------------------------------- CSV

def _count(number, noun):
    return '%d %s%s' % (number, noun, '' if number == 1 else 's')


def _read_csv(text, declared):
    csv.field_size_limit(CSV_FIELD_LIMIT)  # the default, 128 KiB a cell, is less than a record may hold
    reader = csv.reader(io.StringIO(text, newline=''), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ValidationError('%s:1: not valid CSV: %s.' % (declared.source, exc))
    if header is None:
        return  # no records: refused by from_file
    if not any(cell.strip() for cell in header):
        raise ValidationError('%s:1: the header row is blank; a CSV records file starts with a header row that has an '
                              'input column.' % declared.source)
    columns = [cell.strip() for cell in header]
    unknown = [name for name in columns if name not in CSV_COLUMNS]
    if unknown:
        raise ValidationError('%s:1: unknown column %s; the columns of a records file are %s.'
                              % (declared.source, ', '.join(repr(name) for name in unknown), ', '.join(CSV_COLUMNS)))
    if 'input' not in columns:
        raise ValidationError('%s:1: the header row has no input column; every record needs an input.' % declared.source)
    repeated = sorted(set(name for name in columns if columns.count(name) > 1))
    if repeated:
        raise ValidationError('%s:1: the column %s appears more than once.' % (declared.source, repr(repeated[0])))
    last_line = reader.line_num
    while True:
        line = last_line + 1
        try:
            row = next(reader, None)
        except csv.Error as exc:
            raise ValidationError('%s:%d: not valid CSV: %s.' % (declared.source, line, exc))
        if row is None:
            return
        last_line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):  # a cell too few would silently drop a field
            raise ValidationError('%s: %s, but the header row names %s.'
                                  % (declared.label(line), _count(len(row), 'cell'), _count(len(columns), 'column')))
        declared.add(line, _csv_record(dict(zip(columns, row)), declared.label(line)))


def _csv_record(cells, where):
    if cells.get('input') is None or cells['input'] == '':
        raise ValidationError('%s: the input cell is empty; every record needs an input.' % where)
    fields = {'input': cells['input']}
    if cells.get('expected_output'):
        fields['expected_output'] = cells['expected_output']
    if cells.get('id', '').strip():
        fields['id'] = cells['id'].strip()
    if cells.get('metadata', '').strip():
        cell = cells['metadata']
        try:
            fields['metadata'] = json.loads(cell, parse_constant=_refuse_constant)
        except RecursionError:
            raise ValidationError(_too_deep(where, 'metadata'))
        except ValueError as exc:
            # A position inside the cell: the file's own line and column would be elsewhere.
            if isinstance(exc, json.JSONDecodeError):
                reason = '%s at character %d of the metadata cell' % (
                    exc.msg[:-3] if exc.msg.endswith(' at') else exc.msg, exc.pos + 1)
            else:
                reason = str(exc)
            raise ValidationError('%s: metadata must be the JSON text of an object: %s.' % (where, reason))
        if not isinstance(fields['metadata'], dict):
            raise ValidationError('%s: metadata must be the JSON text of an object (found %s).'
                                  % (where, _kind(fields['metadata'])))
        if cell.count('[') + cell.count('{') > MAX_NESTING and _deeper_than(fields['metadata'], MAX_NESTING):
            raise ValidationError(_too_deep(where, 'metadata'))
    if cells.get('tags', '').strip():
        fields['tags'] = [tag.strip() for tag in cells['tags'].split(',') if tag.strip()]
    return fields


READERS = {'jsonl': _read_jsonl, 'json': _read_json, 'yaml': _read_yaml, 'csv': _read_csv}


def read_declared(records=None, src=None, require_input=True, max_record_bytes=None):
    """The declared records of ``records`` (a list) or ``src`` (a file path); raises ValidationError.

    ``require_input`` false (records to delete): a record with an ``id`` needs no ``input``.
    ``max_record_bytes``: the largest record, as JSON, that can be sent.
    """
    if src is not None:
        if not src.strip():
            raise ValidationError('src must not be blank: give the path of a records file.')
        return from_file(src, require_input=require_input, max_record_bytes=max_record_bytes)
    if records is None:
        raise ValidationError('Give the records, either as records (a list) or as src (a file).')
    return from_list(records, require_input=require_input, max_record_bytes=max_record_bytes)


# ---------------------------------------------------------------------- writing a records file

# A diff shows a file's content up to this size; beyond it, only its size and line count.
DIFF_MAX_BYTES = 64 * 1024


def jsonl_line(view):
    """One record as a JSONL line: ``id``, ``input``, ``expected_output``, ``metadata``, ``tags`` in that order,
    keys inside values sorted, so that the same records always make the same bytes."""
    return '{%s}\n' % ', '.join('"%s": %s' % (name, json.dumps(view.get(name), sort_keys=True, ensure_ascii=False))
                                for name in ('id', 'input', 'expected_output', 'metadata', 'tags'))


def _file_digest(path):
    hasher = hashlib.sha256()
    size = 0
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b''):
            hasher.update(block)
            size += len(block)
    return hasher.digest(), size


def _content_diff(path, before_exists, before_size, content_size, lines):
    diff = dict(before_header=path, after_header=path)
    if before_exists and before_size > DIFF_MAX_BYTES or content_size > DIFF_MAX_BYTES:
        diff['before'] = ('(%d bytes: too large to show)\n' % before_size) if before_exists else ''
        diff['after'] = '(%d bytes, %d lines: too large to show)\n' % (content_size, len(lines))
        return diff
    before = ''
    if before_exists:
        with open(path, 'rb') as handle:
            before = handle.read().decode('utf-8', 'replace')
    diff['before'] = before
    diff['after'] = ''.join(lines)
    return diff


def check_destination(path, option='dest'):
    """Refuse a file path that cannot be written (blank, a directory, in a missing or read-only directory), before
    any request is sent; returns its directory."""
    if not path or not path.strip():
        raise ValidationError('%s must not be blank: give the path of the file to write.' % option)
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise ValidationError('%s %r is a directory; give the path of a file.' % (option, path))
    if not os.path.isdir(directory):
        raise ValidationError('%s %r: the directory %s does not exist.' % (option, path, directory))
    # The file is written as a new file in its directory, then renamed: the directory must be writable.
    # (As root, access says yes even where writing fails: write_lines says it in the same words then.)
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ValidationError(_unwritable(path, directory, option, 'permission denied'))
    return directory


def _unwritable(path, directory, option, reason):
    return '%s %r cannot be written: %s in %s.' % (option, path, reason, directory)


def _reason(exc):
    """An OSError's reason as words of a sentence: 'permission denied'."""
    reason = exc.strerror or str(exc)
    return reason[:1].lower() + reason[1:]


def write_lines(path, lines, check_mode=False, diff=False, option='dest'):
    """Make the file at ``path`` hold exactly ``lines`` (text, each ending in a newline).

    Returns ``(changed, diff or None)``. The file is written only when its content differs, through
    a temporary file in the same directory renamed over it, so that a reader never sees half a
    file; an existing file keeps its permissions. Check mode compares and writes nothing.
    """
    directory = check_destination(path, option)
    encoded = [line.encode('utf-8', 'surrogatepass') for line in lines]
    hasher = hashlib.sha256()
    for data in encoded:
        hasher.update(data)
    content_size = sum(len(data) for data in encoded)
    exists = os.path.exists(path)
    try:
        before_digest, before_size = _file_digest(path) if exists else (None, 0)
    except (IOError, OSError) as exc:
        raise ValidationError('%s %r cannot be read: %s.' % (option, path, exc.strerror or exc))
    changed = not exists or before_digest != hasher.digest() or before_size != content_size
    shown = _content_diff(path, exists, before_size, content_size, lines) if diff and changed else None
    if not changed or check_mode:
        return changed, shown
    mode = (os.stat(path).st_mode & 0o7777) if exists else None
    try:
        handle, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.tmp', dir=directory)
    except (IOError, OSError) as exc:
        raise LLMObsError(_unwritable(path, directory, option, _reason(exc)))
    replaced = False
    try:
        with os.fdopen(handle, 'wb') as stream:
            for data in encoded:
                stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temporary, mode)
        os.replace(temporary, path)
        replaced = True
    except (IOError, OSError) as exc:
        raise LLMObsError('%s %r could not be written: %s.' % (option, path, exc.strerror or exc))
    finally:
        if not replaced and os.path.exists(temporary):  # also when the run is interrupted
            os.unlink(temporary)
    return changed, shown
