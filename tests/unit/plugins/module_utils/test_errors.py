# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The error-body parser: every shape Datadog (or a proxy in front of it) can answer with."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import (
    APIError,
    api_error,
    describe_error_entry,
    parse_error_body,
)


def test_jsonapi_objects_keep_every_field_that_helps():
    body = json.dumps({'errors': [
        {'status': '400', 'title': 'Bad Request', 'detail': 'name is required', 'source': {'pointer': '/data/attributes/name'}},
        {'status': '400', 'title': 'Bad Request', 'detail': 'unknown filter', 'source': {'parameter': 'filter[x]'}},
    ]}).encode()

    summary, errors = parse_error_body(body, 'application/vnd.api+json')

    assert summary == ('Bad Request: name is required (status 400, at /data/attributes/name); '
                       'Bad Request: unknown filter (status 400, parameter filter[x])')
    assert len(errors) == 2


def test_plain_string_errors_are_joined():
    summary, errors = parse_error_body(b'{"errors": ["Too many requests", "Retry later"]}')
    assert summary == 'Too many requests; Retry later'
    assert errors == ['Too many requests', 'Retry later']


@pytest.mark.parametrize('entry, expected', [
    ({'title': 'Forbidden', 'detail': 'Forbidden'}, 'Forbidden'),
    ({'detail': 'only detail'}, 'only detail'),
    ({'source': {'header': 'DD-API-KEY'}}, 'header DD-API-KEY'),
    ({'meta': {'x': 1}}, '{"meta": {"x": 1}}'),
    (42, '42'),
    (None, 'null'),
    ({'title': 'T', 'source': 'not a dict'}, 'T'),
])
def test_odd_entries_still_read_as_text(entry, expected):
    assert describe_error_entry(entry) == expected


@pytest.mark.parametrize('body, content_type, expected', [
    (b'', None, 'the response body was empty'),
    (None, None, 'the response body was empty'),
    (b'   \n', 'application/json', 'the response body was empty'),
    (b'<html><head><title>502</title></head><body>Bad Gateway</body></html>', 'text/html; charset=utf-8',
     'the response was not JSON (text/html): 502 Bad Gateway'),
    (b'\xff\xfe\x00garbage', None, 'the response was not JSON (unknown content type)'),
    (b'{"errors": []}', 'application/json', 'no error list in the response'),
    (b'{"errors": "one string"}', 'application/json', 'one string'),
    (b'[1, 2]', 'application/json', 'no error list in the response: [1, 2]'),
    (b'"just text"', 'application/json', 'no error list in the response'),
])
def test_bodies_without_a_usable_error_list(body, content_type, expected):
    summary, dummy = parse_error_body(body, content_type)
    assert expected in summary


def test_long_html_is_cut_short():
    summary, dummy = parse_error_body(b'<p>' + b'x' * 5000 + b'</p>', 'text/html')
    assert len(summary) < 300 and summary.endswith('...')


def test_deeply_nested_json_does_not_raise():
    summary, errors = parse_error_body(b'[' * 100000 + b']' * 100000)
    assert summary and errors == []


def test_api_error_message_names_operation_status_and_hint():
    error = api_error('Listing datasets of project p', 403, 'Forbidden',
                      b'{"errors": [{"title": "Forbidden", "detail": "missing llmobs_data_read"}]}')

    assert isinstance(error, APIError)
    # The answer names no key header, so the hint speaks of both keys and guesses nothing.
    assert error.message == ('Listing datasets of project p failed with HTTP 403 Forbidden: Forbidden: missing '
                             'llmobs_data_read. Check that api_key and app_key belong to the organisation that site or '
                             'api_url points at, and that the application key is allowed llmobs_data_read and '
                             'llmobs_data_write.')
    assert error.result_extras == {'status': 403, 'errors': [{'title': 'Forbidden', 'detail': 'missing llmobs_data_read'}]}


@pytest.mark.parametrize('status, header, expected, unexpected', [
    (403, 'DD-API-KEY', 'Check api_key (DD_API_KEY)', 'llmobs_data_read'),
    (403, 'dd-application-key', 'allowed llmobs_data_read and llmobs_data_write', 'Check api_key'),
    (401, 'DD-API-KEY', 'Check api_key (DD_API_KEY)', 'app_key'),
    (401, 'DD-APPLICATION-KEY', 'Check app_key (DD_APP_KEY)', 'api_key'),
])
def test_key_hints_fit_the_header_the_error_names(status, header, expected, unexpected):
    body = json.dumps({'errors': [{'status': str(status), 'title': 'Forbidden', 'detail': 'invalid key',
                                   'source': {'header': header}}]}).encode()
    message = api_error('Listing projects', status, None, body).message
    assert expected in message
    assert unexpected not in message.split('invalid key')[1]


def test_a_resource_hint_replaces_the_generic_one():
    message = api_error('Updating project p', 404, 'Not Found', b'{"errors": ["not found"]}',
                        hints={404: 'Check project_id or project_name.'}).message
    assert message.endswith('not found. Check project_id or project_name.')
    assert 'dataset' not in api_error('Listing projects', 404, 'Not Found', b'').message


SECRET = 'c0ffee4d1e5e1a5b0a7f00dcafe12345'


@pytest.mark.parametrize('offset', [190, 193, 196, 199])
def test_a_key_that_the_excerpt_cuts_is_masked_in_part_too(offset):
    # A proxy's error page that echoes the key: whole, it is masked before the cut; the piece a cut
    # leaves at the excerpt's end is masked as well when only part of it is in the body.
    page = '<html><body><p>%s</p></body></html>'
    for body in (page % ('x' * offset + ' ' + SECRET + ' and more text after it'),
                 page % ('x' * offset + ' ' + SECRET[:12])):
        summary, dummy = parse_error_body(body.encode(), 'text/html', secrets=(SECRET,))
        for size in range(4, len(SECRET) + 1):
            assert SECRET[:size] not in summary, (offset, summary)


def test_keys_in_an_error_list_are_masked():
    message = api_error('Listing projects', 403, 'Forbidden',
                        json.dumps({'errors': [{'title': 'Forbidden', 'detail': 'bad key %s' % SECRET}]}).encode(),
                        secrets=(SECRET,)).message
    assert SECRET not in message and '********' in message


def test_pieces_shorter_than_four_characters_are_left_alone():
    summary, dummy = parse_error_body(('<p>%s c0f tail</p>' % ('x' * 196)).encode(), 'text/html', secrets=(SECRET,))
    assert summary.endswith(' c0f...')
