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

Memory: a declared record is kept as its key, a digest and the canonical JSON text of its fields
(also what an insert sends), so a run holds about the size of its records' JSON, not Python
objects of them; records of a JSONL file keep only the offset of their line, read again when
they are sent.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import csv
import datetime
import hashlib
import io
import json
import math
import os
import re
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

DIGEST_SIZE = 16
RECORD_VALUE_FIELDS = ('input', 'expected_output', 'metadata', 'tags')


class NotJSON(ValueError):
    """A value that has no JSON form (NaN, a set, an object): ``path`` says where inside the field."""

    def __init__(self, message, path=''):
        super(NotJSON, self).__init__(message)
        self.path = path


def _fix(value, path):
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
        fixed = {}
        for key, item in value.items():
            if not isinstance(key, str):
                if isinstance(key, bool) or key is None or not isinstance(key, (int, float)):
                    raise NotJSON('the key %r is not text' % (key,), path)
                key = json.dumps(key)
            fixed[str(key)] = _fix(item, '%s.%s' % (path, key) if path else str(key))
        return fixed
    if kind is list or kind is tuple or isinstance(value, (list, tuple)):
        return [_fix(item, '%s[%d]' % (path, index)) for index, item in enumerate(value)]
    if isinstance(value, str):
        return str(value)  # a str subclass, such as Ansible's unsafe text
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _fix(float(value), path)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()  # an unquoted date in YAML: the text it was written as
    raise NotJSON('a %s is not a JSON value' % type(value).__name__, path)


def plain(value):
    """``value`` as plain JSON data (integral floats as integers, YAML dates as text); raises NotJSON."""
    return _fix(value, '')


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(',', ':'), ensure_ascii=False)


def canonical(value):
    """The canonical JSON text of plain data, as bytes: sorted keys, no spaces, UTF-8."""
    return _CANONICAL.encode(value).encode('utf-8', 'surrogatepass')


def canonical_json(value, walk=False):
    """The canonical text of a JSON value, with integral floats written as integers.

    ``walk`` first makes any Python value plain (``plain``; raises NotJSON): needed for values
    from YAML or task options. A value decoded from JSON text is already plain but for its
    floats, and a float that ``plain`` would change prints as ``<digits>.0`` or with an exponent
    (``1e+16``), so such a value is walked only when its text holds ``.0`` or ``e+`` somewhere.
    """
    if walk:
        return canonical(plain(value))
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

    def __init__(self, source, line_numbers, require_input=True, decoded_json=False):
        self.source = source
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
            self._reread = open(self.source, 'rb')  # pylint: disable=consider-using-with
        self._reread.seek(record.text)
        line = self._reread.readline().decode('utf-8', 'replace').lstrip(BOM)
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
        return canonical_json(value, walk)
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
    if not os.path.exists(path):
        raise ValidationError('%s %r does not exist on the host that runs the module.' % (option, path))
    if os.path.isdir(path):
        raise ValidationError('%s %r is a directory, not a records file.' % (option, path))
    declared = DeclaredRecords(path, line_numbers=True, require_input=require_input, decoded_json=kind != 'yaml')
    declared.max_record_bytes = max_record_bytes
    try:
        with open(path, 'rb') as handle:
            if kind == 'jsonl':
                _read_jsonl(handle, declared)  # line by line: a large file is never held whole
            else:
                try:
                    text = handle.read().decode('utf-8')
                except UnicodeDecodeError as exc:
                    raise ValidationError('%s %r is not UTF-8 text (%s).' % (option, path, exc.reason))
                READERS[kind](text[1:] if text.startswith(BOM) else text, declared)
    except (IOError, OSError) as exc:
        raise ValidationError('%s %r cannot be read: %s.' % (option, path, exc.strerror or exc))
    return declared


def _read_jsonl(handle, declared):
    """One record a line. Only each line's offset is kept: a record is read again when it is sent."""
    decoder = json.JSONDecoder(parse_constant=_refuse_constant)
    offset = 0
    # Lines end at b'\n' only: JSON text may hold other Unicode line separators inside strings.
    for number, raw in enumerate(handle, 1):
        start, offset = offset, offset + len(raw)
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
        except ValueError as exc:
            raise ValidationError('%s: not a valid JSON line: %s.' % (declared.label(number), _json_reason(exc)))
        declared.add(number, fields, offset=start)


def _read_json(document, declared):
    decoder = json.JSONDecoder(parse_constant=_refuse_constant)
    position = _skip_space(document, 0)
    if position == len(document):
        raise ValidationError('%s: the file is empty; a .json records file holds an array of records ([] for none).'
                              % declared.source)
    if document[position] != '[':
        try:
            value = decoder.raw_decode(document, position)[0]
        except ValueError as exc:
            raise ValidationError('%s: not valid JSON: %s.' % (declared.source, _json_reason(exc)))
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
        except ValueError as exc:
            raise ValidationError('%s: not valid JSON: %s.' % (declared.source, _json_reason(exc)))
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


def _json_reason(exc):
    if isinstance(exc, json.JSONDecodeError):
        return '%s (line %d, column %d)' % (exc.msg, exc.lineno, exc.colno)
    return str(exc)


def _read_yaml(text, declared):
    if not HAS_YAML:
        raise ValidationError('%s: reading a YAML records file needs the PyYAML library on the host that runs the '
                              'module (%s); use a .json, .jsonl or .csv file instead.' % (declared.source, YAML_IMPORT_ERROR))
    loader = yaml.SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            raise ValidationError('%s: not valid YAML: %s.' % (declared.source, _yaml_reason(exc)))
        if node is None:
            raise ValidationError('%s: the file holds no YAML document; a YAML records file holds a list of records '
                                  '([] for none).' % declared.source)
        if not isinstance(node, yaml.SequenceNode):
            raise ValidationError('%s: a YAML records file holds a list of records, not %s.'
                                  % (declared.source, 'a mapping' if isinstance(node, yaml.MappingNode) else 'a single value'))
        for item in node.value:
            try:
                fields = loader.construct_object(item, deep=True)
            except yaml.YAMLError as exc:
                raise ValidationError('%s: not valid YAML: %s.' % (declared.label(item.start_mark.line + 1), _yaml_reason(exc)))
            declared.add(item.start_mark.line + 1, fields)
    finally:
        loader.dispose()


def _yaml_reason(exc):
    mark = getattr(exc, 'problem_mark', None)
    problem = getattr(exc, 'problem', None) or str(exc)
    if mark is not None:
        return '%s (line %d, column %d)' % (problem, mark.line + 1, mark.column + 1)
    return problem


def _read_csv(text, declared):
    csv.field_size_limit(CSV_FIELD_LIMIT)  # the default, 128 KiB a cell, is less than a record may hold
    reader = csv.reader(io.StringIO(text, newline=''), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ValidationError('%s:1: not valid CSV: %s.' % (declared.source, exc))
    if header is None or not any(cell.strip() for cell in header):
        raise ValidationError('%s: the file is empty; a CSV records file starts with a header row that has an input '
                              'column.' % declared.source)
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
        if len(row) > len(columns):
            raise ValidationError('%s: %d cells, but the header row names %d columns.'
                                  % (declared.label(line), len(row), len(columns)))
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
        try:
            fields['metadata'] = json.loads(cells['metadata'], parse_constant=_refuse_constant)
        except ValueError as exc:
            raise ValidationError('%s: metadata must be the JSON text of an object: %s.' % (where, _json_reason(exc)))
        if not isinstance(fields['metadata'], dict):
            raise ValidationError('%s: metadata must be the JSON text of an object (found %s).'
                                  % (where, _kind(fields['metadata'])))
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
    """Refuse a file path that cannot be written (blank, a directory, in a missing directory); returns its directory."""
    if not path or not path.strip():
        raise ValidationError('%s must not be blank: give the path of the file to write.' % option)
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise ValidationError('%s %r is a directory; give the path of a file.' % (option, path))
    if not os.path.isdir(directory):
        raise ValidationError('%s %r: the directory %s does not exist.' % (option, path, directory))
    return directory


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
    handle, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.tmp', dir=directory)
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
    except (IOError, OSError) as exc:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise LLMObsError('%s %r could not be written: %s.' % (option, path, exc.strerror or exc))
    return changed, shown
