# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The canonical form of a record: what is compared when a declared record meets a server record.

A record's compared fields are ``input``, ``expected_output`` (missing means null), ``metadata``
(missing means ``{}``) and ``tags`` (a set). They are compared as data, through their canonical
JSON text (sorted keys, no spaces, integral floats as integers), so that key order, tag order,
``1`` against ``1.0`` and a missing field against its default do not count as differences. A
record is kept and matched by a short digest of that text.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import hashlib
import json
import math

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


def _plain_value(value, path, room=_ANY_DEPTH):
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
        plain_mapping = {}
        for key, item in value.items():
            if not isinstance(key, str):
                if isinstance(key, bool) or key is None or not isinstance(key, (int, float)):
                    raise NotJSON('the key %r is not text' % (key,), path)
                key = json.dumps(key)
            plain_mapping[str(key)] = _plain_value(item, '%s.%s' % (path, key) if path else str(key), room - 1)
        return plain_mapping
    if kind is list or kind is tuple or isinstance(value, (list, tuple)):
        if room <= 0:
            raise TooDeep('nested too deep', path)
        return [_plain_value(item, '%s[%d]' % (path, index), room - 1) for index, item in enumerate(value)]
    if isinstance(value, str):
        return str(value)  # a str subclass, such as Ansible's unsafe text
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _plain_value(float(value), path, room)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()  # an unquoted date in YAML: the text it was written as
    raise NotJSON('a %s is not a JSON value' % type(value).__name__, path)


def plain(value, levels=None):
    """``value`` as plain JSON data (integral floats as integers, YAML dates as text); raises NotJSON.

    ``levels``: how deep lists and mappings may nest (TooDeep beyond); None for no limit.
    """
    return _plain_value(value, '', _ANY_DEPTH if levels is None else levels)


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


def digest(text):
    """The short digest a record is kept and matched by: of its canonical text, or of its input's."""
    return hashlib.blake2b(text, digest_size=DIGEST_SIZE).digest()


def tag_list(tags):
    return sorted(set(tags))


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


def body_fields(body):
    """The four compared fields of a normal body, defaults filled in."""
    return dict(input=body.get('input'), expected_output=body.get('expected_output'),
                metadata=body.get('metadata') or {}, tags=tag_list(body.get('tags') or []))


def differing_fields(left, right):
    """The fields (of RECORD_VALUE_FIELDS) whose values differ, as data, between two records' fields."""
    return [name for name in RECORD_VALUE_FIELDS
            if canonical_json(left.get(name), walk=True) != canonical_json(right.get(name), walk=True)]
