# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Properties that must hold for every input, checked with generated data (hypothesis)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import ValidationError, parse_error_body
from ansible_collections.llmobs.datadog.plugins.module_utils._jsonapi import API_PREFIX
from ansible_collections.llmobs.datadog.plugins.module_utils._transport import path_segment as _path_segment
from ansible_collections.llmobs.datadog.plugins.module_utils._validation import check_id, check_name

PLAIN_ID = re.compile(r'[A-Za-z0-9_-]+')

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(body=st.binary(max_size=2048), content_type=st.one_of(st.none(), st.text(max_size=40)))
@example(body=b'[' * 5000, content_type='application/json')
@example(body=b'{"errors": [null, 1, [], {}]}', content_type=None)
def test_any_bytes_become_a_message_without_raising(body, content_type):
    summary, errors = parse_error_body(body, content_type)
    assert isinstance(summary, str) and summary.strip()
    assert isinstance(errors, list)


@settings(max_examples=300, deadline=None)
@given(document=json_values)
def test_any_json_document_becomes_a_message(document):
    summary, errors = parse_error_body(json.dumps(document).encode(), 'application/json')
    assert isinstance(summary, str) and summary.strip()
    assert isinstance(errors, list)


@settings(max_examples=300, deadline=None)
@given(errors=st.lists(st.one_of(
    st.text(min_size=1),
    st.fixed_dictionaries({}, optional={
        'status': st.text(max_size=4), 'title': st.text(max_size=20), 'detail': st.text(max_size=40),
        'source': st.fixed_dictionaries({}, optional={'pointer': st.text(max_size=20), 'parameter': st.text(max_size=10),
                                                      'header': st.text(max_size=10)})})), min_size=1, max_size=5))
def test_every_error_entry_reaches_the_message(errors):
    summary, parsed = parse_error_body(json.dumps({'errors': errors}).encode())
    assert parsed == errors
    for entry in errors:
        for text in ([entry] if isinstance(entry, str) else [entry.get('title'), entry.get('detail')]):
            if text:
                assert text in summary


@settings(max_examples=1000, deadline=None)
@given(value=st.text(max_size=64))
@example(value='../x')
@example(value='a/../b')
@example(value='%2F')
@example(value='ok\n')
@example(value='.')
def test_no_id_that_changes_the_request_path_passes(value):
    try:
        checked = check_id(value, 'dataset_id')
    except ValidationError as error:
        assert 'dataset_id' in error.message
        return
    # What passes is a plain token: quoting leaves it alone and it stays one path segment.
    assert PLAIN_ID.fullmatch(checked)
    assert _path_segment(checked) == checked
    path = '%s/%s/datasets/%s/clone' % (API_PREFIX, 'project', _path_segment(checked))
    assert path.split('/')[-2] == checked and len(path.split('/')) == 9
    assert not set(checked) & set('/?#%. \\')


@settings(max_examples=500, deadline=None)
@given(value=st.text(max_size=300))
def test_accepted_names_are_exact_printable_ascii(value):
    try:
        check_name(value, 'the name of the dataset')
    except ValidationError as error:
        assert error.message.startswith('name ')
        return
    assert value == value.strip() and value
    assert all(0x20 <= ord(c) <= 0x7e for c in value)
    assert len(value) <= 255
