# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Where declared records come from: the ``records`` option (a list) or a records file given as ``src``.

A file is ``.jsonl`` (one record a line), ``.json`` (an array of records), ``.yaml``/``.yml`` (a list
of records, read by ``_record_yaml``) or ``.csv`` (a header row naming the columns). Positions are
indexes from 0 in a list and lines from 1 in a file.

Hostile files are bounded: ``src`` must be a regular file of at most MAX_SRC_BYTES, and a record's
values may nest at most MAX_NESTING levels (checked without recursion, so that the controller,
whose stack is already deep, reads a file exactly as a module process does). A file that declares
no records is an error: emptying a dataset is said with ``records: []``.

Memory: records of a JSONL file keep only the offset of their line, read again when they are sent
(``JsonlRecords``), so a large file is never held whole.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import csv
import io
import json
import os
import re

from ansible_collections.llmobs.datadog.plugins.module_utils._controller_files import FileOrigin, open_regular
from ansible_collections.llmobs.datadog.plugins.module_utils._declared_records import (
    MAX_NESTING,
    RECORD_FIELDS,
    DeclaredRecords,
    kind_of,
    too_deep_message,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError, ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._record_canonical import canonical_json, digest, normal_body
from ansible_collections.llmobs.datadog.plugins.module_utils._record_yaml import read_yaml
from ansible_collections.llmobs.datadog.plugins.module_utils._text import counted

FILE_FORMATS = {'.jsonl': 'jsonl', '.json': 'json', '.yaml': 'yaml', '.yml': 'yaml', '.csv': 'csv'}
CSV_FIELD_LIMIT = 64 * 1024 * 1024
BOM = u'\ufeff'

# The largest records file (src) that is read. Checked on the opened file's size and again while reading, since
# a file can grow: a device or a growing file never fills the run's memory.
MAX_SRC_BYTES = 1024 ** 3


def read_declared(records=None, src=None, require_input=True, max_record_bytes=None, origin=None):
    """The declared records of ``records`` (a list) or ``src`` (a file path); raises ValidationError.

    ``require_input`` false (records to delete): a record with an ``id`` needs no ``input``.
    ``max_record_bytes``: the largest record, as JSON, that can be sent. ``origin``: how messages name
    the file (a ``_controller_files.FileOrigin``; default: ``src`` as it is).
    """
    if src is not None:
        if not src.strip():
            raise ValidationError('src must not be blank: give the path of a records file.')
        return from_file(src, require_input=require_input, max_record_bytes=max_record_bytes, origin=origin)
    if records is None:
        raise ValidationError('Give the records, either as records (a list) or as src (a file).')
    return from_list(records, require_input=require_input, max_record_bytes=max_record_bytes)


def from_list(records, require_input=True, max_record_bytes=None):
    """Declared records from a list (the ``records`` option); positions are indexes from 0."""
    declared = DeclaredRecords('records', line_numbers=False, require_input=require_input,
                               max_record_bytes=max_record_bytes)
    for index, fields in enumerate(records):
        declared.add(index, fields)
    return declared


def file_format(path, named=None):
    """The format of a records file from its extension, or a ValidationError that lists the known ones."""
    extension = os.path.splitext(path)[1].lower()
    if extension not in FILE_FORMATS:
        raise ValidationError('%s: unknown file type %r; records files are %s.'
                              % (named or 'src %r' % (path,), extension or '(no extension)',
                                 ', '.join(sorted(FILE_FORMATS))))
    return FILE_FORMATS[extension]


def from_file(path, require_input=True, max_record_bytes=None, origin=None):
    """Declared records from a ``.jsonl``, ``.json``, ``.yaml``/``.yml`` or ``.csv`` file; positions are lines from 1.

    ``path`` is read; messages name the file as ``origin`` says (default: ``path`` itself).
    """
    src = SrcFile(path, origin)
    kind = file_format(src.origin.given, src.named)
    if kind == 'jsonl':
        declared = JsonlRecords(src, require_input=require_input, max_record_bytes=max_record_bytes)
    else:
        declared = DeclaredRecords(src.label, line_numbers=True, require_input=require_input,
                                   decoded_json=kind != 'yaml', max_record_bytes=max_record_bytes)
    try:
        with open_src(src) as handle:
            if kind == 'jsonl':
                _read_jsonl(handle, declared, src)  # line by line: a large file is never held whole
            else:
                data = handle.read(MAX_SRC_BYTES + 1)  # one byte more tells a file that grew past the bound
                if len(data) > MAX_SRC_BYTES:
                    raise _too_large(src)
                try:
                    text = data.decode('utf-8')
                except UnicodeDecodeError as exc:
                    raise ValidationError('%s is not UTF-8 text (%s).' % (src.named, exc.reason))
                del data
                READERS[kind](text[1:] if text.startswith(BOM) else text, declared)
    except (IOError, OSError) as exc:
        raise ValidationError('%s cannot be read: %s.' % (src.named, exc.strerror or exc))
    if not declared.entries:
        # With purge, no records would delete every record of the dataset: that must be said, not implied by a file.
        raise ValidationError('%s declares no records. To empty a dataset on purpose, give records: [] with '
                              'purge: true.' % (src.named,))
    return declared


class SrcFile(object):
    """A records file: ``path``, where it is read, and how messages name it (``named``, and ``label`` before a line)."""

    def __init__(self, path, origin=None):
        self.path = path
        self.origin = origin if origin is not None else FileOrigin('src', path)
        self.named = self.origin.named
        self.label = self.origin.label


class JsonlRecords(DeclaredRecords):
    """The records of a JSONL file: each keeps the offset of its line, read again when it is sent or shown."""

    def __init__(self, src, require_input=True, max_record_bytes=None):
        super(JsonlRecords, self).__init__(src.label, line_numbers=True, require_input=require_input, decoded_json=True,
                                           max_record_bytes=max_record_bytes)
        self.src = src
        self._reread = None

    def text_of(self, record):
        """The canonical text of a record's fields, read again from its line in the file.

        A line read again must be the one compared: if the file changed meanwhile, that is an error.
        """
        if self._reread is None:
            # Kept open for the run: records are read again one by one.
            self._reread = open_src(self.src)
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


def _size_text(size):
    for unit, name in ((1024 ** 3, 'GiB'), (1024 ** 2, 'MiB'), (1024, 'KiB')):
        if size >= unit and size % unit == 0:
            return '%d %s' % (size // unit, name)
    return '%d bytes' % size


def _too_large(src):
    return ValidationError('%s is larger than %s, the most a records file may hold.' % (src.named, _size_text(MAX_SRC_BYTES)))


def open_src(src):
    """A records file opened for reading (binary), once it is known to be a regular file of at most MAX_SRC_BYTES."""
    return open_regular(src.path, src.named, MAX_SRC_BYTES, lambda: _too_large(src))


# ---------------------------------------------------------------------- JSONL and JSON

def _read_jsonl(handle, declared, src):
    """One record a line, into JsonlRecords: only each line's offset is kept, read again when the record is sent."""
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
            raise _too_large(src)
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
            raise ValidationError(too_deep_message(declared.label(number), _deep_json_field(line, 0)))
        except ValueError as exc:
            column = min(exc.pos, len(line.rstrip('\r\n'))) + 1 if isinstance(exc, json.JSONDecodeError) else None
            raise ValidationError('%s: not valid JSON: %s.' % (declared.label(number), _json_reason(exc, column)))
        if line.count('[') + line.count('{') > MAX_NESTING:  # otherwise it cannot nest deeper: no walk
            _check_nesting(fields, declared.label(number))
        declared.add(number, fields, offset=start)


def _read_json(document, declared):
    """An array of records, each counted from the line where it starts."""
    decoder = json.JSONDecoder(parse_constant=_refuse_constant)
    position = _skip_space(document, 0)
    if position == len(document):
        return  # no records: refused by from_file
    if document[position] != '[':
        try:
            value = decoder.raw_decode(document, position)[0]
        except RecursionError:
            raise ValidationError(too_deep_message('%s:%d' % (declared.source, document.count('\n', 0, position) + 1), None))
        except ValueError as exc:
            raise ValidationError(_json_error(declared.source, document.count('\n', 0, position) + 1, exc))
        raise ValidationError('%s: a .json records file holds an array of records, not %s.'
                              % (declared.source, kind_of(value)))
    line, line_counted_to = 1, 0
    position = _skip_space(document, position + 1)
    if position < len(document) and document[position] == ']':
        _expect_end(document, position + 1, declared.source)
        return
    while True:
        line += document.count('\n', line_counted_to, position)
        line_counted_to = position
        try:
            fields, end = decoder.raw_decode(document, position)
        except RecursionError:  # the decoder recurses once a level: text far deeper than MAX_NESTING
            raise ValidationError(too_deep_message(declared.label(line), _deep_json_field(document, position)))
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
        line += document.count('\n', line_counted_to, position)
        line_counted_to = position
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
            raise ValidationError(too_deep_message(where, None))
        return
    for name, value in fields.items():
        if _deeper_than(value, MAX_NESTING):
            raise ValidationError(too_deep_message(where, name))


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


# ---------------------------------------------------------------------- CSV


def _read_csv(text, declared):
    """A header row naming the columns (of RECORD_FIELDS), then one record a row; blank rows are skipped."""
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
    unknown = [name for name in columns if name not in RECORD_FIELDS]
    if unknown:
        raise ValidationError('%s:1: unknown column %s; the columns of a records file are %s.'
                              % (declared.source, ', '.join(repr(name) for name in unknown), ', '.join(RECORD_FIELDS)))
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
                                  % (declared.label(line), counted(len(row), 'cell'), counted(len(columns), 'column')))
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
            raise ValidationError(too_deep_message(where, 'metadata'))
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
                                  % (where, kind_of(fields['metadata'])))
        if cell.count('[') + cell.count('{') > MAX_NESTING and _deeper_than(fields['metadata'], MAX_NESTING):
            raise ValidationError(too_deep_message(where, 'metadata'))
    if cells.get('tags', '').strip():
        fields['tags'] = [tag.strip() for tag in cells['tags'].split(',') if tag.strip()]
    return fields


READERS = {'jsonl': _read_jsonl, 'json': _read_json, 'yaml': read_yaml, 'csv': _read_csv}
