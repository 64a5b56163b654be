# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the records tests share: expected HTTP calls in order, record objects as the API lists them, a virtual clock.

``OrderedHTTP`` (fixture ``calls``) answers requests from a list of ``Expect`` in order: request N must be
call N (method, path, exact query, exact JSON body when one is given), or the test fails; at the
end every call must have been made. So each test states the exact call sequence of a run.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re

import pytest
import responses

from ansible.module_utils.six.moves.urllib.parse import parse_qsl, urlsplit

from ansible_collections.llmobs.datadog.plugins.module_utils import _transport

API_KEY = 'unit-api-key-5f3c9a1e77d2'
APP_KEY = 'unit-app-key-0b8e4d26c913'
BASE_URL = 'https://api.datadoghq.com'
PROJECT = 'proj-1'
PROJECT_NAME = 'project-one'
DATASET = 'ds-1'
DATASET_NAME = 'eval-set'
PREFIX = '/api/v2/llm-obs/v1'
RECORDS_PATH = '%s/%s/datasets/%s/records' % (PREFIX, PROJECT, DATASET)
BATCH_PATH = '%s/%s/datasets/%s/batch_update' % (PREFIX, PROJECT, DATASET)
DATASETS_PATH = '%s/%s/datasets' % (PREFIX, PROJECT)
PROJECTS_PATH = PREFIX + '/projects'
TIMESTAMP = '2026-11-25T10:00:00+00:00'
_ANY = object()


class Expect(object):
    """One expected request and its answer."""

    def __init__(self, method, path, query=None, body=_ANY, status=200, reply=None, raises=None, check=None):
        self.method = method
        self.path = path
        self.query = query if query is not None else {}
        self.body = body
        self.status = status
        self.reply = reply
        self.raises = raises
        self.check = check

    def describe(self):
        text = '%s %s' % (self.method, self.path)
        if self.query:
            text += '?' + '&'.join('%s=%s' % pair for pair in sorted(self.query.items()))
        return text


class Seen(object):
    def __init__(self, request):
        parts = urlsplit(request.url)
        self.method = request.method
        self.path = parts.path
        self.query = dict(parse_qsl(parts.query, keep_blank_values=True))
        self.headers = request.headers
        raw = request.body
        if isinstance(raw, bytes):
            raw = raw.decode('utf-8')
        self.raw = raw or ''
        self.json = json.loads(self.raw) if self.raw else None

    def describe(self):
        text = '%s %s' % (self.method, self.path)
        if self.query:
            text += '?' + '&'.join('%s=%s' % pair for pair in sorted(self.query.items()))
        return text


class OrderedHTTP(object):
    def __init__(self):
        self.expected = []
        self.seen = []
        self.failures = []
        self._mock = responses.RequestsMock(assert_all_requests_are_fired=False)

    def expect(self, *calls):
        for call in calls:
            if isinstance(call, (list, tuple)):
                self.expect(*call)
            else:
                self.expected.append(call)
        return self

    def __enter__(self):
        self._mock.__enter__()
        for method in ('GET', 'POST', 'PATCH', 'PUT', 'DELETE'):
            self._mock.add_callback(method, re.compile(r'.*'), callback=self._answer)
        return self

    def __exit__(self, *exc_info):
        return self._mock.__exit__(*exc_info)

    def _fail(self, message):
        message += '\nexpected: %s\nmade: %s' % ([c.describe() for c in self.expected], [s.describe() for s in self.seen])
        self.failures.append(message)
        raise AssertionError(message)

    def _answer(self, request):
        seen = Seen(request)
        self.seen.append(seen)
        number = len(self.seen)
        if number > len(self.expected):
            self._fail('request %d was not expected: %s' % (number, seen.describe()))
        call = self.expected[number - 1]
        if (seen.method, seen.path, seen.query) != (call.method, call.path, call.query):
            self._fail('request %d is %s, expected %s' % (number, seen.describe(), call.describe()))
        if seen.headers.get('DD-API-KEY') != API_KEY or seen.headers.get('DD-APPLICATION-KEY') != APP_KEY:
            self._fail('request %d does not carry the keys' % number)
        if call.body is not _ANY and seen.json != call.body:
            self._fail('request %d body differs:\n  expected %s\n  sent     %s'
                       % (number, json.dumps(call.body, sort_keys=True)[:2000], json.dumps(seen.json, sort_keys=True)[:2000]))
        if call.check is not None:
            call.check(seen)
        if call.raises is not None:
            raise call.raises
        body = '' if call.reply is None else json.dumps(call.reply)
        return call.status, {'Content-Type': 'application/json'}, body

    def writes(self):
        return [seen for seen in self.seen if seen.method != 'GET']

    def assert_done(self):
        assert not self.failures, self.failures[0]
        assert len(self.seen) == len(self.expected), 'expected %d requests, %d were made: %s' % (
            len(self.expected), len(self.seen), [s.describe() for s in self.seen])


class VirtualTime(object):
    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self):
        return self.now

    def time(self):
        return self.now


@pytest.fixture
def vclock(monkeypatch):
    virtual = VirtualTime()
    monkeypatch.setattr(_transport, 'time', virtual)
    return virtual


@pytest.fixture
def calls(vclock):
    with OrderedHTTP() as mock:
        yield mock
    mock.assert_done()


# ---------------------------------------------------------------------- API objects


def record(record_id, input_value, expected_output=None, metadata=None, tags=(), shape='nested', **extra):
    """One record as the records list answers: nested under ``attributes`` (live) or flat (the spec)."""
    fields = dict(dataset_id=DATASET, input=input_value, expected_output=expected_output, metadata=metadata,
                  tags=list(tags), canonical_id='canon-' + record_id, created_at=TIMESTAMP, updated_at=TIMESTAMP)
    fields.update(extra)
    if shape == 'flat':
        return dict(fields, id=record_id)
    return {'id': record_id, 'type': 'records', 'attributes': fields}


def dataset(dataset_id=DATASET, name=DATASET_NAME, version=1):
    return {'id': dataset_id, 'type': 'datasets', 'attributes': {
        'name': name, 'description': '', 'metadata': None, 'current_version': version,
        'created_at': TIMESTAMP, 'updated_at': TIMESTAMP}}


def page(items, after=None):
    return {'data': list(items), 'meta': {'after': after}}


def records_page(items, cursor=None, after=None, version=None, path=RECORDS_PATH):
    query = {'page[limit]': '5000'}
    if version is not None:
        query['filter[version]'] = str(version)
    if cursor:
        query['page[cursor]'] = cursor
    return Expect('GET', path, query=query, reply=page(items, after))


def dataset_by_id(item, dataset_id=DATASET):
    return Expect('GET', DATASETS_PATH, query={'filter[id]': dataset_id, 'page[limit]': '5000'},
                  reply=page([item] if item else []))


def dataset_by_name(items, name=DATASET_NAME):
    return Expect('GET', DATASETS_PATH, query={'filter[name]': name, 'page[limit]': '5000'}, reply=page(items))


def project_by_name(name=PROJECT_NAME, project_id=PROJECT):
    return Expect('GET', PROJECTS_PATH, query={'filter[name]': name, 'page[limit]': '5000'}, reply=page([
        {'id': project_id, 'type': 'projects', 'attributes': {'name': name}}]))


def batch_body(inserts=(), updates=(), deletes=(), create=True):
    return {'data': {'type': 'datasets', 'id': DATASET, 'attributes': {
        'create_new_version': create, 'insert_records': list(inserts), 'update_records': list(updates),
        'delete_records': list(deletes)}}}


def batch(inserts=(), updates=(), deletes=(), create=True, status=200, reply=None, raises=None):
    """One batch_update with its exact body; the answer lists nothing unless ``reply`` says otherwise."""
    if reply is None and raises is None and status == 200:
        reply = {'data': [{'records': []}]}
    return Expect('POST', BATCH_PATH, body=batch_body(inserts, updates, deletes, create), status=status, reply=reply,
                  raises=raises)


def any_batch(status=200, reply=None, raises=None, check=None):
    """A batch_update whose body the test checks afterwards (or with ``check``)."""
    if reply is None and raises is None and status == 200:
        reply = {'data': [{'records': []}]}
    return Expect('POST', BATCH_PATH, status=status, reply=reply, raises=raises, check=check)


def module_args(**overrides):
    args = dict(api_key=API_KEY, app_key=APP_KEY, project_id=PROJECT, dataset_id=DATASET)
    args.update(overrides)
    return args


def sent_batches(http):
    """The attributes of every batch_update sent, in order."""
    return [seen.json['data']['attributes'] for seen in http.seen if seen.method == 'POST' and seen.path == BATCH_PATH]


def warnings_of(result):
    texts = []
    for warning in result.get('warnings', []):
        if isinstance(warning, dict):
            warning = warning.get('event', {}).get('msg', '')
        texts.append(warning)
    return texts
