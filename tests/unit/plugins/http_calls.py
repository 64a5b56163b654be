# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Expected HTTP calls: one list that both answers and checks every request a test makes.

Each ``Call`` is one expected request and its answer. The ``http`` fixture (tests/unit/plugins/conftest.py)
serves them in order through ``responses``: request N must match call N exactly (method, URL, query
as an exact dict, the headers that matter, the JSON body or its absence), or the test fails at
once with the expected and the actual call side by side. A request beyond the list fails the same
way, and at the end of the test every call of the list must have been made. So a test that states
its calls compares the full call list; a check-mode test states only reads, and any write fails it.

Example::

    from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import dataset, module_args
    from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import clone_dataset, datasets_by_name

    def test_clone(http, run_module):
        http.expect(
            datasets_by_name('copy-1').reply_page(),                          # nothing of that name
            clone_dataset('copy-1').reply_data(dataset('new-1', 'copy-1')),   # POST .../clone, body checked
        )
        result, code, raw = run_module(llmobs_dataset_clone, module_args(wait=False))
        assert code == 0 and result['dataset']['id'] == 'new-1'
        # at teardown the fixture fails the test if a call was not made

``Call(method, path)`` builder (every method returns the call, so they chain):
    ``.query({...})``           the exact query, values as strings (default: no query at all)
    ``.expect_json(body)``      the exact JSON body (default: no body at all)
    ``.header(name, value)``    a header that must be sent with this value (``None``: must be absent).
                                ``DD-API-KEY`` and ``DD-APPLICATION-KEY`` are checked on every call
                                against ``http.default_headers`` unless a call says otherwise
    ``.base(url)``              another base URL than ``http.base_url`` (another site, an api_url)
    ``.reply(status=200, json=..., body=..., headers=..., content_type=...)``  the answer
    ``.reply_page(*items, after=None)``   200 with a list page (``after``: the next cursor)
    ``.reply_data(item, status=200)``     ``status`` with ``{'data': item}``
    ``.reply_error(status, *entries, headers=None)``  ``status`` with ``{'errors': [...]}``
    ``.raises(exception)``      no answer: the request raises (``requests.exceptions.ConnectionError(...)``)
    ``.times(n)``               a list of ``n`` of this call, for retries and polls

Calls by resource (each returns a ``Call`` still to be answered; ``project_id`` defaults to
helpers.PROJECT, ``source`` to helpers.SOURCE, ``cursor`` adds ``page[cursor]``):
    projects:  ``list_projects(name=None, project_id=None, cursor=None)``, ``projects_by_name(name)``,
               ``project_by_id(project_id)``, ``create_project(name, description=None)``,
               ``update_project(project_id, attributes)``, ``delete_project(project_id)``
    datasets:  ``list_datasets(project_id=PROJECT, name=None, dataset_id=None, cursor=None)``,
               ``datasets_by_name(name)``, ``dataset_by_id(dataset_id)``,
               ``create_dataset(name, description=None, metadata=None)``,
               ``update_dataset(dataset_id, attributes)``, ``delete_dataset(dataset_id)``,
               ``clone_dataset(name, description=None, source=SOURCE)``
    records:   ``list_records(dataset_id, project_id=PROJECT, cursor=None, version=None)`` (one page of the
               records list), with ``records(count, start=0)``: that many record objects to answer it with;
               ``batch_update_of(dataset_id, inserts=(), updates=(), deletes=(), create=True)`` (any dataset's)
    versions:  ``list_versions(dataset_id)`` with ``versions(dataset_id, 3, 2, ...)``, ``probe_version(dataset_id, n)``,
               ``restore_version(dataset_id, version)``, ``export_dataset(dataset_id, version=None)``
    drafts:    ``get_draft_state(dataset_id)``, ``lock_draft(dataset_id)``, ``unlock_draft(dataset_id)``,
               answered with ``draft_state_document(dataset_id, user=None, since=None)``
    experiments: see the block "experiments" below (list, lookups, update, delete, v3 events)
    the records modules' dataset (RECORDS_DATASET): see the block at the end of this file

The ``http`` fixture (an ``HTTPMock``):
    ``http.expect(*calls)``     append calls (or lists of calls) to the expected list
    ``http.seen``               the requests made so far, as ``SeenCall`` (method, url, path, query, headers, json)
    ``http.methods``            their methods, e.g. ``['GET', 'POST']``
    ``http.count(method, path=None)``  how many requests had this method (and path)
    ``http.assert_no_write()``  every request made was a GET (what check mode and ``_info`` modules promise)
    ``http.assert_done()``      every expected call was made, and nothing else (also run at teardown)
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import io
import json
import re

import responses

from ansible.module_utils.six.moves.urllib.parse import parse_qsl, quote, urlsplit

from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import (
    API_KEY,
    APP_KEY,
    BASE_URL,
    PROJECT,
    PROJECT_NAME,
    SOURCE,
    TIMESTAMP,
    dataset,
    page,
    project,
)

API_PREFIX = '/api/v2/llm-obs/v1'
PROJECTS_PATH = API_PREFIX + '/projects'
PAGE_LIMIT = '5000'

METHODS = ('GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'HEAD', 'OPTIONS')
_NO_BODY = object()
_SHOWN_CHARS = 400


class HTTPMismatch(AssertionError):
    """A request that is not the expected one, or more or fewer requests than expected."""


def _segment(value):
    return quote(str(value), safe='')


def _short(text):
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + '...'


def _show_json(value):
    return _short(json.dumps(value, sort_keys=True))


def _show_query(query):
    return '&'.join('%s=%s' % (key, query[key]) for key in sorted(query))


class Call(object):
    """One expected request and its answer; see the module docstring."""

    def __init__(self, method, path):
        assert method == method.upper(), 'HTTP methods are upper case: %r' % method
        assert path.startswith('/'), 'a path starts with /: %r (use .base() for another host)' % path
        self.method = method
        self.path = path
        self.base_url = None
        self.expected_query = {}
        self.expected_body = _NO_BODY
        self.expected_headers = {}
        self.status = None
        self.response_body = b''
        self.response_headers = {}
        self.exception = None

    # ------------------------------------------------------------------ what is expected

    def query(self, query):
        """The exact query of the request; values are compared as strings."""
        self.expected_query = dict((key, str(value)) for key, value in query.items())
        return self

    def expect_json(self, body):
        """The exact JSON body of the request (key order does not matter, types do)."""
        self.expected_body = copy.deepcopy(body)
        return self

    def header(self, name, value):
        """A header the request must carry with this value; ``None`` means it must not be sent."""
        self.expected_headers[name] = value
        return self

    def base(self, url):
        """Send to another base URL (scheme, host and any path prefix) than the fixture's."""
        self.base_url = url.rstrip('/')
        return self

    # ------------------------------------------------------------------ the answer

    def reply(self, status=200, json=_NO_BODY, body=None, headers=None, content_type=None):
        """Answer with ``status`` and a JSON document (``json``) or raw ``body`` (str or bytes)."""
        assert self.exception is None, 'a call either replies or raises'
        self.status = status
        self.response_headers = dict(headers or {})
        if json is not _NO_BODY:
            assert body is None, 'give json or body, not both'
            self.response_body = _json_bytes(json)
            self.response_headers.setdefault('Content-Type', content_type or 'application/json')
        else:
            if isinstance(body, str):
                body = body.encode('utf-8')
            self.response_body = body or b''
            if content_type:
                self.response_headers.setdefault('Content-Type', content_type)
        return self

    def reply_page(self, *items, **kwargs):
        """Answer 200 with a list page of ``items``; ``after`` is the next cursor (see helpers.page)."""
        return self.reply(200, json=page(*items, **kwargs))

    def reply_data(self, item, status=200, **kwargs):
        """Answer ``status`` with ``{'data': item}``."""
        return self.reply(status, json={'data': item}, **kwargs)

    def reply_error(self, status, *entries, **kwargs):
        """Answer ``status`` with ``{'errors': [entries]}`` (objects or plain strings)."""
        return self.reply(status, json={'errors': list(entries)}, **kwargs)

    def raises(self, exception):
        """No answer: sending the request raises ``exception`` (a requests exception)."""
        assert self.status is None, 'a call either replies or raises'
        self.exception = exception
        return self

    def times(self, count):
        """This call ``count`` times, as a list (calls are answered the same way each time)."""
        return [self] * count

    # ------------------------------------------------------------------ checking

    def url(self, default_base):
        return (self.base_url if self.base_url is not None else default_base) + self.path

    def headers_to_check(self, default_headers):
        headers = dict(default_headers)
        headers.update(self.expected_headers)
        return headers

    def differences(self, seen, default_base, default_headers):
        """What differs between this expected call and the request ``seen``: a list of lines."""
        lines = []
        if seen.method != self.method:
            lines.append('method: expected %s, got %s' % (self.method, seen.method))
        if seen.url != self.url(default_base):
            lines.append('url: expected %s, got %s' % (self.url(default_base), seen.url))
        if seen.query != self.expected_query:
            missing = sorted(set(self.expected_query) - set(seen.query))
            extra = sorted(set(seen.query) - set(self.expected_query))
            changed = sorted(k for k in set(seen.query) & set(self.expected_query)
                             if seen.query[k] != self.expected_query[k])
            parts = []
            if missing:
                parts.append('missing %s' % ', '.join(missing))
            if extra:
                parts.append('unexpected %s' % ', '.join('%s=%s' % (k, seen.query[k]) for k in extra))
            for key in changed:
                parts.append('%s: expected %r, got %r' % (key, self.expected_query[key], seen.query[key]))
            lines.append('query: %s' % '; '.join(parts))
        for name, value in sorted(self.headers_to_check(default_headers).items()):
            actual = seen.headers.get(name)
            if value is None and actual is not None:
                lines.append('header %s: expected none, got %r' % (name, actual))
            elif value is not None and actual != value:
                lines.append('header %s: expected %r, got %r' % (name, value, actual))
        if self.expected_body is _NO_BODY:
            if seen.body:
                lines.append('body: expected none, got %s' % _short(seen.body))
        elif seen.json is _NO_BODY:
            lines.append('body: expected JSON %s, got %s' % (
                _show_json(self.expected_body), _short(seen.body) if seen.body else 'none'))
        else:
            if seen.json != self.expected_body:
                lines.append('json body: expected %s, got %s' % (_show_json(self.expected_body), _show_json(seen.json)))
            content_type = seen.headers.get('Content-Type', '')
            if not content_type.startswith('application/json'):
                lines.append('header Content-Type: expected application/json, got %r' % content_type)
        return lines

    def describe(self, default_base=BASE_URL):
        text = '%s %s' % (self.method, self.url(default_base))
        if self.expected_query:
            text += '?' + _show_query(self.expected_query)
        if self.expected_body is not _NO_BODY:
            text += ' json=' + _show_json(self.expected_body)
        if self.expected_headers:
            text += ' headers=%r' % (self.expected_headers,)
        if self.exception is not None:
            text += '  -> raises %s' % type(self.exception).__name__
        elif self.status is not None:
            text += '  -> %s' % self.status
        return text

    def __repr__(self):
        return 'Call(%s)' % self.describe()


def _json_bytes(value):
    return json.dumps(value).encode('utf-8')


class SeenCall(object):
    """A request the code under test made."""

    def __init__(self, request):
        parts = urlsplit(request.url)
        self.method = request.method
        self.url = '%s://%s%s' % (parts.scheme, parts.netloc, parts.path)
        self.path = parts.path
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        self.query = dict(pairs)
        if len(self.query) != len(pairs):
            # A repeated parameter is kept as a list, so that it can never equal a plain expected value.
            self.query = dict((key, [v for k, v in pairs if k == key] if [k for k, dummy in pairs].count(key) > 1
                               else value) for key, value in pairs)
        self.headers = request.headers
        body = request.body
        if isinstance(body, bytes):
            body = body.decode('utf-8', errors='replace')
        self.body = body or ''
        self.json = _NO_BODY
        if self.body:
            try:
                self.json = json.loads(self.body)
            except ValueError:
                pass

    def describe(self):
        text = '%s %s' % (self.method, self.url)
        if self.query:
            text += '?' + _show_query(self.query)
        if self.json is not _NO_BODY:
            text += ' json=' + _show_json(self.json)
        elif self.body:
            text += ' body=' + _short(self.body)
        return text

    def __repr__(self):
        return 'SeenCall(%s)' % self.describe()


class HTTPMock(object):
    """Serves the expected calls in order through ``responses`` and checks every request."""

    def __init__(self, base_url=BASE_URL, default_headers=None):
        self.base_url = base_url
        self.default_headers = dict(default_headers if default_headers is not None
                                    else {'DD-API-KEY': API_KEY, 'DD-APPLICATION-KEY': APP_KEY})
        self.expected = []
        self.seen = []
        self.failures = []
        self._mock = responses.RequestsMock(assert_all_requests_are_fired=False)

    def __enter__(self):
        self._mock.__enter__()
        for method in METHODS:
            self._mock.add_callback(method, re.compile(r'.*'), callback=self._answer, content_type=None)
        return self

    def __exit__(self, *exc_info):
        return self._mock.__exit__(*exc_info)

    # ------------------------------------------------------------------ stating calls

    def expect(self, *calls):
        """Append calls (or lists of calls) to the expected list."""
        for item in calls:
            for call in (item if isinstance(item, (list, tuple)) else [item]):
                assert isinstance(call, Call), 'expected a Call, got %r' % (call,)
                assert call.status is not None or call.exception is not None, \
                    'no answer given for %r: add .reply(...), .reply_page(...) or .raises(...)' % call
                self.expected.append(call)
        return self

    # ------------------------------------------------------------------ serving

    def _answer(self, request):
        seen = SeenCall(request)
        self.seen.append(seen)
        number = len(self.seen)
        if number > len(self.expected):
            self._fail('HTTP call %d was not expected: %d call(s) were expected and all were made.\n'
                       '  actual:   %s' % (number, len(self.expected), seen.describe()))
        call = self.expected[number - 1]
        differences = call.differences(seen, self.base_url, self.default_headers)
        if differences:
            self._fail('HTTP call %d is not the expected one.\n  expected: %s\n  actual:   %s\n  differences:\n%s'
                       % (number, call.describe(self.base_url), seen.describe(),
                          '\n'.join('    - ' + line for line in differences)))
        if call.exception is not None:
            raise call.exception
        return (call.status, dict(call.response_headers), call.response_body)

    def _fail(self, message):
        message = message + '\n' + self.transcript()
        self.failures.append(message)
        raise HTTPMismatch(message)

    def transcript(self):
        """Every expected call beside what was made, one line each."""
        lines = ['Expected calls:']
        for index, call in enumerate(self.expected):
            if index < len(self.seen):
                mark = 'made' if not call.differences(self.seen[index], self.base_url, self.default_headers) else 'DIFFERS'
            else:
                mark = 'NOT MADE'
            lines.append('  %2d. [%s] %s' % (index + 1, mark, call.describe(self.base_url)))
        if not self.expected:
            lines.append('  (none)')
        lines.append('Calls made:')
        for index, seen in enumerate(self.seen):
            lines.append('  %2d. %s' % (index + 1, seen.describe()))
        if not self.seen:
            lines.append('  (none)')
        return '\n'.join(lines)

    # ------------------------------------------------------------------ assertions

    @property
    def methods(self):
        return [seen.method for seen in self.seen]

    def count(self, method, path=None):
        return len([seen for seen in self.seen if seen.method == method and (path is None or seen.path == path)])

    def assert_no_write(self):
        """Every request made so far was a GET: nothing can have been written."""
        writes = [seen for seen in self.seen if seen.method != 'GET']
        if writes:
            raise HTTPMismatch('Expected no write, but %d write(s) were sent:\n%s\n%s' % (
                len(writes), '\n'.join('  ' + seen.describe() for seen in writes), self.transcript()))

    def assert_done(self):
        """Every expected call was made and nothing else was, and no mismatch went unnoticed."""
        if self.failures:
            raise HTTPMismatch('A request did not match (the code under test may have swallowed the failure):\n'
                               + self.failures[0])
        if len(self.seen) < len(self.expected):
            missing = self.expected[len(self.seen):]
            raise HTTPMismatch('%d expected HTTP call(s) were not made, the first: %s\n%s' % (
                len(missing), missing[0].describe(self.base_url), self.transcript()))


# ---------------------------------------------------------------------- projects


def list_projects(name=None, project_id=None, cursor=None, limit=PAGE_LIMIT):
    """GET the project list with the filters given (as Projects.list sends it)."""
    query = {}
    if name is not None:
        query['filter[name]'] = name
    if project_id is not None:
        query['filter[id]'] = project_id
    query['page[limit]'] = limit
    if cursor:
        query['page[cursor]'] = cursor
    return Call('GET', PROJECTS_PATH).query(query)


def projects_by_name(name, cursor=None):
    """The name lookup of a project: ``filter[name]``, one call per page."""
    return list_projects(name=name, cursor=cursor)


def project_by_id(project_id, cursor=None):
    """Reading one project: the list filtered by ``filter[id]`` (there is no single-project GET)."""
    return list_projects(project_id=project_id, cursor=cursor)


def create_project(name, description=None):
    attributes = {'name': name}
    if description is not None:
        attributes['description'] = description
    return Call('POST', PROJECTS_PATH).expect_json({'data': {'type': 'projects', 'attributes': attributes}})


def update_project(project_id, attributes):
    return Call('PATCH', '%s/%s' % (PROJECTS_PATH, _segment(project_id))).expect_json(
        {'data': {'type': 'projects', 'attributes': attributes}})


def delete_project(project_id):
    return Call('POST', PROJECTS_PATH + '/delete').expect_json(
        {'data': {'type': 'projects', 'attributes': {'project_ids': [project_id]}}})


# ---------------------------------------------------------------------- datasets


def datasets_path(project_id=PROJECT):
    return '%s/%s/datasets' % (API_PREFIX, _segment(project_id))


def list_datasets(project_id=PROJECT, name=None, dataset_id=None, cursor=None, limit=PAGE_LIMIT):
    """GET the dataset list of a project with the filters given (as Datasets.list sends it)."""
    query = {}
    if name is not None:
        query['filter[name]'] = name
    if dataset_id is not None:
        query['filter[id]'] = dataset_id
    query['page[limit]'] = limit
    if cursor:
        query['page[cursor]'] = cursor
    return Call('GET', datasets_path(project_id)).query(query)


def datasets_by_name(name, project_id=PROJECT, cursor=None):
    """The name lookup of a dataset in a project: ``filter[name]``, one call per page."""
    return list_datasets(project_id, name=name, cursor=cursor)


def dataset_by_id(dataset_id, project_id=PROJECT, cursor=None):
    """Reading one dataset: the list filtered by ``filter[id]`` (there is no single-dataset GET)."""
    return list_datasets(project_id, dataset_id=dataset_id, cursor=cursor)


def create_dataset(name, description=None, metadata=None, project_id=PROJECT):
    attributes = {'name': name}
    if description is not None:
        attributes['description'] = description
    if metadata is not None:
        attributes['metadata'] = metadata
    return Call('POST', datasets_path(project_id)).expect_json({'data': {'type': 'datasets', 'attributes': attributes}})


def update_dataset(dataset_id, attributes, project_id=PROJECT):
    return Call('PATCH', '%s/%s' % (datasets_path(project_id), _segment(dataset_id))).expect_json(
        {'data': {'type': 'datasets', 'attributes': attributes}})


def delete_dataset(dataset_id, project_id=PROJECT):
    return Call('POST', datasets_path(project_id) + '/delete').expect_json(
        {'data': {'type': 'datasets', 'attributes': {'dataset_ids': [dataset_id]}}})


def clone_dataset(name, description=None, source=SOURCE, project_id=PROJECT):
    """The clone POST: ``data.id`` is the source id, the same as the path's."""
    attributes = {'name': name}
    if description is not None:
        attributes['description'] = description
    return Call('POST', '%s/%s/clone' % (datasets_path(project_id), _segment(source))).expect_json(
        {'data': {'type': 'datasets', 'id': source, 'attributes': attributes}})


# ---------------------------------------------------------------------- records


def records_path(dataset_id, project_id=PROJECT):
    return '%s/%s/records' % (datasets_path(project_id), _segment(dataset_id))


def list_records(dataset_id, project_id=PROJECT, cursor=None, version=None, limit=PAGE_LIMIT):
    """GET one page of a dataset's records list (as Records.pages sends it), e.g. to count them."""
    query = {'page[limit]': limit}
    if version is not None:
        query['filter[version]'] = version
    if cursor:
        query['page[cursor]'] = cursor
    return Call('GET', records_path(dataset_id, project_id)).query(query)


def records(count, start=0):
    """``count`` records as the records list answers (ids ``r<start>`` on), to answer ``list_records`` with."""
    return [{'id': 'r%d' % number, 'type': 'records', 'attributes': {'input': 'question %d' % number}}
            for number in range(start, start + count)]


# ---------------------------------------------------------------------- versions, export, draft state


def dataset_path(dataset_id, project_id=PROJECT):
    return '%s/%s' % (datasets_path(project_id), _segment(dataset_id))


def list_versions(dataset_id, project_id=PROJECT):
    """GET the dataset's versions (not paged)."""
    return Call('GET', dataset_path(dataset_id, project_id) + '/versions')


def versions(dataset_id, *numbers, **attributes):
    """Version objects as the versions list answers, one per number (``last_used`` etc. from ``attributes``)."""
    return [{'id': '%s-v%d' % (dataset_id, number), 'type': 'dataset_version',
             'attributes': dict({'dataset_id': dataset_id, 'version_number': number, 'last_used': None}, **attributes)}
            for number in numbers]


def probe_version(dataset_id, version, project_id=PROJECT):
    """GET one record of ``version``: how a version the versions list leaves out is tested (404: not there)."""
    return Call('GET', dataset_path(dataset_id, project_id) + '/records').query(
        {'filter[version]': str(version), 'page[limit]': '1'})


def restore_version(dataset_id, version, project_id=PROJECT):
    """POST the restore of ``version`` (answered 200 with an empty body by the spec: ``.reply(body='')``)."""
    return Call('POST', dataset_path(dataset_id, project_id) + '/restore').expect_json(
        {'data': {'id': dataset_id, 'type': 'datasets', 'attributes': {'dataset_version': version}}})


def export_dataset(dataset_id, version=None, project_id=PROJECT):
    """GET the CSV export of the dataset (of ``version``), asking for text/csv."""
    query = {'format': 'csv'}
    if version is not None:
        query['version'] = str(version)
    return Call('GET', dataset_path(dataset_id, project_id) + '/export').query(query).header('Accept', 'text/csv')


def get_draft_state(dataset_id, project_id=PROJECT):
    """GET who edits the dataset in the UI (answer with ``draft_state_document``)."""
    return Call('GET', dataset_path(dataset_id, project_id) + '/draft_state')


def lock_draft(dataset_id, project_id=PROJECT):
    """PATCH the draft lock, no body (answer with ``draft_state_document``)."""
    return Call('PATCH', dataset_path(dataset_id, project_id) + '/draft_state/lock')


def unlock_draft(dataset_id, project_id=PROJECT):
    """PATCH the draft unlock, no body (answered 200 with an empty body: ``.reply(body='')``)."""
    return Call('PATCH', dataset_path(dataset_id, project_id) + '/draft_state/unlock')


def draft_state_document(dataset_id, user=None, since=None):
    """The draft state answer: ``user`` a dict (``{'name': ..., 'email': ...}``) or None for nobody."""
    return {'data': {'id': dataset_id, 'type': 'draft_state_data',
                     'attributes': {'drafting_since': since, 'user': user}}}


# ---------------------------------------------------------------------- the records modules' dataset
# llmobs_dataset_records and llmobs_dataset_records_info tests work on one dataset, RECORDS_DATASET of PROJECT:
#     ``records_page(items, cursor=None, after=None, version=None)``  one page of its records list, answered
#     ``records_list(version=None)``   the first request of its records list, still to be answered
#     ``batch_update(inserts=(), updates=(), deletes=(), create=True, status=200, reply=None, raises=None)``
#                                      a batch_update with its exact body (answered 200 unless told otherwise)
#     ``records_dataset_by_id(item)``, ``records_dataset_by_name(items)``, ``records_project_by_name()``
#                                      the lookups of the dataset and its project, answered
#     ``sent_batches(http)``           the attributes of every batch_update sent, in order
# Objects: ``record(record_id, input, expected_output=None, metadata=None, tags=(), shape='nested')``,
# ``records_dataset(dataset_id=RECORDS_DATASET, name=RECORDS_DATASET_NAME, version=1)``; module arguments: ``records_module_args(**overrides)``.

RECORDS_DATASET = 'ds-1'
RECORDS_DATASET_NAME = 'eval-set'
BATCH_UPDATE_PATH = '%s/%s/batch_update' % (datasets_path(), RECORDS_DATASET)
MUTATION_ANSWER = {'data': [{'records': []}]}


def record(record_id, input_value, expected_output=None, metadata=None, tags=(), shape='nested', **extra):
    """One record as the records list answers: nested under ``attributes`` (live) or flat (the spec)."""
    fields = dict(dataset_id=RECORDS_DATASET, input=input_value, expected_output=expected_output, metadata=metadata,
                  tags=list(tags), canonical_id='canon-' + record_id, created_at=TIMESTAMP, updated_at=TIMESTAMP)
    fields.update(extra)
    if shape == 'flat':
        return dict(fields, id=record_id)
    return {'id': record_id, 'type': 'records', 'attributes': fields}


def records_dataset(dataset_id=RECORDS_DATASET, name=RECORDS_DATASET_NAME, version=1):
    return dataset(dataset_id, name, version=version)


def records_list(version=None, cursor=None):
    """The request of one page of RECORDS_DATASET's records list, still to be answered."""
    return list_records(RECORDS_DATASET, cursor=cursor, version=None if version is None else str(version))


def records_page(items, cursor=None, after=None, version=None):
    return records_list(version, cursor).reply_page(*items, after=after)


def records_dataset_by_id(item):
    return dataset_by_id(RECORDS_DATASET).reply_page(*([item] if item else []))


def records_dataset_by_name(items):
    return datasets_by_name(RECORDS_DATASET_NAME).reply_page(*items)


def records_project_by_name():
    return projects_by_name(PROJECT_NAME).reply_page(project(PROJECT, PROJECT_NAME))


def batch_body(inserts=(), updates=(), deletes=(), create=True):
    return {'data': {'type': 'datasets', 'id': RECORDS_DATASET, 'attributes': {
        'create_new_version': create, 'insert_records': list(inserts), 'update_records': list(updates),
        'delete_records': list(deletes)}}}


def batch_update(inserts=(), updates=(), deletes=(), create=True, status=200, reply=None, raises=None):
    """One batch_update with its exact body; answered 200 with an empty mutation list unless told otherwise."""
    call = Call('POST', BATCH_UPDATE_PATH).expect_json(batch_body(inserts, updates, deletes, create))
    if raises is not None:
        return call.raises(raises)
    return call.reply(status, json=reply if reply is not None else MUTATION_ANSWER)


def sent_batches(http):
    """The attributes of every batch_update sent, in order."""
    return [seen.json['data']['attributes'] for seen in http.seen if seen.method == 'POST' and seen.path == BATCH_UPDATE_PATH]


def records_module_args(**overrides):
    """Arguments of llmobs_dataset_records and llmobs_dataset_records_info, addressing RECORDS_DATASET by id."""
    args = dict(api_key=API_KEY, app_key=APP_KEY, project_id=PROJECT, dataset_id=RECORDS_DATASET)
    args.update(overrides)
    return args


def batch_update_of(dataset_id, inserts=(), updates=(), deletes=(), create=True, project_id=PROJECT):
    """A batch_update of any dataset (``batch_update`` is RECORDS_DATASET's), with its exact body, still to be
    answered (``.reply(json=MUTATION_ANSWER)``)."""
    body = {'data': {'type': 'datasets', 'id': dataset_id, 'attributes': {
        'create_new_version': create, 'insert_records': list(inserts), 'update_records': list(updates),
        'delete_records': list(deletes)}}}
    return Call('POST', '%s/batch_update' % dataset_path(dataset_id, project_id)).expect_json(body)


def nobody_editing(dataset_id=RECORDS_DATASET, project_id=PROJECT):
    """The draft state read before a records write, answered: nobody edits the dataset in the UI."""
    return get_draft_state(dataset_id, project_id).reply(json=draft_state_document(dataset_id))


# ---------------------------------------------------------------------- experiments
#     ``list_experiments(dataset_id=None, project_id=None, cursor=None, name=None, experiment=None, metadata=None,
#                        parent_experiment_id=None, experiment_id=None, deleted=False)``  one page of the
#                                      experiments list, filtered (``metadata`` a dict, sent as compact sorted JSON)
#     ``experiments_by_name(name)``, ``experiment_by_id(experiment_id)``  the lookups of one project's experiment
#     ``experiment(experiment_id, name, dataset_id, created_at=TIMESTAMP, project_id=PROJECT, **extra)``  one
#                                      experiment as the list answers
#     ``update_experiment(experiment_id, attributes)``  the PATCH (answer it ``.reply(200, body='')``, as live)
#     ``delete_experiments(*experiment_ids)``  the POST .../experiments/delete (answer it ``.reply(204)``)
#     ``list_experiment_events(experiment_id, cursor=None)``  one page of the v3 events, answered with
#     ``events_page(spans, summary_metrics=(), after=None)``; spans made with ``span(...)`` and ``eval_metric(...)``


EXPERIMENTS_PATH = API_PREFIX + '/experiments'
EVENTS_PREFIX = '/api/v2/llm-obs/v3/experiments'
EVENT_PAGE_LIMIT = 500


def list_experiments(dataset_id=None, project_id=None, cursor=None, limit=PAGE_LIMIT, name=None, experiment=None,
                     metadata=None, parent_experiment_id=None, experiment_id=None, deleted=False):
    """GET one page of the experiments list with the filters given (as Experiments.list sends it)."""
    query = {}
    for key, value in (('dataset_id', dataset_id), ('project_id', project_id), ('name', name),
                       ('experiment', experiment), ('parent_experiment_id', parent_experiment_id),
                       ('id', experiment_id)):
        if value is not None:
            query['filter[%s]' % key] = value
    if metadata is not None:
        query['filter[metadata]'] = json.dumps(metadata, sort_keys=True, separators=(',', ':'))
    if deleted:
        query['filter[is_deleted]'] = 'true'
    query['page[limit]'] = limit
    if cursor:
        query['page[cursor]'] = cursor
    return Call('GET', EXPERIMENTS_PATH).query(query)


def experiments_by_name(name, project_id=PROJECT, cursor=None):
    """The lookup of a project's experiment by its run name (``Experiments.find_by_name``)."""
    return list_experiments(project_id=project_id, name=name, cursor=cursor)


def experiment_by_id(experiment_id, project_id=PROJECT, cursor=None):
    """The lookup of a project's experiment by id (``Experiments.get``)."""
    return list_experiments(project_id=project_id, experiment_id=experiment_id, cursor=cursor)


def experiment(experiment_id, name, dataset_id, created_at=TIMESTAMP, project_id=PROJECT, **extra):
    """One experiment as the list answers (the spec's example, with ``extra`` attributes added)."""
    attributes = {'name': name, 'project_id': project_id, 'dataset_id': dataset_id, 'description': '', 'metadata': None,
                  'config': None, 'created_at': created_at, 'updated_at': created_at}
    attributes.update(extra)
    return {'id': experiment_id, 'type': 'experiments', 'attributes': attributes}


def update_experiment(experiment_id, attributes):
    """PATCH one experiment with these attributes (UpdateLLMObsExperiment)."""
    return Call('PATCH', '%s/%s' % (EXPERIMENTS_PATH, _segment(experiment_id))).expect_json(
        {'data': {'type': 'experiments', 'attributes': attributes}})


def delete_experiments(*experiment_ids):
    """POST .../experiments/delete with these ids, in this order (DeleteLLMObsExperiments)."""
    return Call('POST', EXPERIMENTS_PATH + '/delete').expect_json(
        {'data': {'type': 'experiments', 'attributes': {'experiment_ids': list(experiment_ids)}}})


def list_experiment_events(experiment_id, cursor=None, limit=EVENT_PAGE_LIMIT):
    """GET one page of an experiment's events, at v3 (ListLLMObsExperimentEvents)."""
    query = {'page[limit]': limit}
    if cursor:
        query['page[cursor]'] = cursor
    return Call('GET', '%s/%s/events' % (EVENTS_PREFIX, _segment(experiment_id))).query(query)


def eval_metric(label, metric_type, value, **extra):
    """One evaluation of a span as the events answer it: ``value`` goes into the field of its type."""
    metric = {'label': label, 'metric_type': metric_type, 'metric_source': 'custom'}
    if metric_type in ('score', 'boolean', 'categorical', 'json'):
        metric['%s_value' % metric_type] = value
    metric.update(extra)
    return metric


def span(span_id, *metrics, **extra):
    """One span of an experiment's events with its evaluations (``status`` ok unless given)."""
    item = {'id': span_id, 'span_id': span_id, 'trace_id': 't-' + span_id, 'dataset_record_id': 'r-' + span_id,
            'name': 'task', 'status': 'ok', 'eval_metrics': list(metrics),
            'meta': {'input': {'q': span_id}, 'output': 'answer ' + span_id}}
    item.update(extra)
    return item


def events_page(spans, summary_metrics=(), after=None):
    """The body of one page of v3 events (LLMObsExperimentEventsV2Response)."""
    return {'data': {'id': 'events', 'type': 'experiment_events',
                     'attributes': {'spans': list(spans), 'summary_metrics': list(summary_metrics)}},
            'meta': {'after': after}}


class CutOffBody(io.BufferedReader):
    """A response body that gives ``data`` and then loses the connection, as a download cut off midway: pass it
    as ``.reply(body=CutOffBody(data), content_type='text/csv')``. urllib3 hands data on in whole chunks of the
    size asked (the transport's DOWNLOAD_CHUNK, 64 KiB), so only the first whole chunks of ``data`` arrive."""

    def __init__(self, data):
        super(CutOffBody, self).__init__(io.BytesIO(b''))
        self.data = data

    def read(self, size=-1):
        if self.data:
            data, self.data = self.data, b''
            return data
        raise ConnectionResetError(104, 'Connection reset by peer')

    read1 = read


# ---------------------------------------------------------------- custom evaluators
#     ``list_evaluators(cursor=None)``  GET the evaluators list (no page size: the spec gives the list no paging)
#     ``get_evaluator(name)``           GET one (answer 404 when missing)
#     ``put_evaluator(name, config)``   PUT the whole configuration (``eval_name`` added; answer ``.reply(200, body='')``)
#     ``delete_evaluator(name)``        DELETE one (answer ``.reply(204)``)
#     ``evaluator(name, **config)``     one evaluator as the API answers it, with the server's fields

EVALUATORS_PATH = '/api/unstable/llm-obs/config/evaluators/custom'


def list_evaluators(cursor=None):
    """GET the custom evaluators (ListLLMObsCustomEvalConfigs)."""
    return Call('GET', EVALUATORS_PATH).query({'page[cursor]': cursor} if cursor else {})


def get_evaluator(name):
    """GET one custom evaluator by name (GetLLMObsCustomEvalConfig)."""
    return Call('GET', '%s/%s' % (EVALUATORS_PATH, _segment(name)))


def put_evaluator(name, config):
    """PUT one custom evaluator's whole configuration (UpdateLLMObsCustomEvalConfig)."""
    attributes = dict(copy.deepcopy(config), eval_name=name)
    return Call('PUT', '%s/%s' % (EVALUATORS_PATH, _segment(name))).expect_json(
        {'data': {'type': 'evaluator_config', 'id': name, 'attributes': attributes}})


def delete_evaluator(name):
    """DELETE one custom evaluator (DeleteLLMObsCustomEvalConfig)."""
    return Call('DELETE', '%s/%s' % (EVALUATORS_PATH, _segment(name)))


def evaluator(name, created_at=TIMESTAMP, updated_at=TIMESTAMP, **config):
    """One custom evaluator as the API answers it: ``config`` and the server's fields."""
    attributes = dict(eval_name=name, created_at=created_at, updated_at=updated_at,
                      created_by={'email': 'owner@example.com'}, last_updated_by={'email': 'owner@example.com'})
    attributes.update(copy.deepcopy(config))
    return {'id': name, 'type': 'evaluator_config', 'attributes': attributes}


# ---------------------------------------------------------------------- prompts
#
#     ``list_prompts(prompt_id=None, cursor=None)``  one page of the registry (no page[limit]: the route takes none)
#     ``prompt_item(prompt_id, uuid=None, title=None, description=None, num_versions=1, **extra)``  one prompt as
#                                      the list, the create and the PATCH answer it
#     ``list_prompt_versions(prompt_id, cursor=None)``  the versions list, answered with
#     ``prompt_versions_page(*entries)``  where each entry is ``(number, [labels])`` or a version item
#     ``get_prompt_version(prompt_id, number)``  one version, answered with
#     ``prompt_version(prompt_id, number, template, config=None, labels=(), description=None, authoring=None)``
#     ``get_prompt(prompt_id)``  one prompt by its prompt_id, answered with ``prompt_sdk(prompt_id, version, template)``
#     ``create_prompt(prompt_id, template, title=None, description=None, config=None)``
#     ``create_prompt_version(prompt_id, template, config=None, description=None)``
#     ``update_prompt(prompt_id, attributes)``, ``label_prompt_version(prompt_id, number, labels)``,
#     ``delete_prompt(prompt_id)`` (answer it with ``prompt_deleted(prompt_id)``)

PROMPTS_PATH = API_PREFIX + '/prompts'


def _prompt_path(prompt_id):
    return '%s/%s' % (PROMPTS_PATH, _segment(prompt_id))


def prompt_uuid(prompt_id):
    """The API's id of a prompt in these tests: made from its prompt_id, so that tests need not carry it."""
    return 'uuid-' + prompt_id


def list_prompts(prompt_id=None, cursor=None):
    """GET one page of the prompt registry (ListLLMObsPrompts), filtered by prompt_id when given."""
    query = {}
    if prompt_id is not None:
        query['filter[prompt_id]'] = prompt_id
    if cursor:
        query['page[cursor]'] = cursor
    return Call('GET', PROMPTS_PATH).query(query)


def prompt_item(prompt_id, uuid=None, title=None, description=None, num_versions=1, **extra):
    """One prompt as the list answers it (LLMObsPromptData)."""
    attributes = {'prompt_id': prompt_id, 'title': title, 'description': description, 'num_versions': num_versions,
                  'created_at': TIMESTAMP, 'last_version_created_at': TIMESTAMP, 'source': 'registry',
                  'in_registry': True, 'created_from': 'sdk-registry'}
    attributes.update(extra)
    return {'id': uuid or prompt_uuid(prompt_id), 'type': 'prompt-templates', 'attributes': attributes}


def list_prompt_versions(prompt_id, cursor=None):
    """GET the versions of a prompt (ListLLMObsPromptVersions), newest first, without templates."""
    return Call('GET', _prompt_path(prompt_id) + '/versions').query({'page[cursor]': cursor} if cursor else {})


def prompt_version_item(prompt_id, number, labels=(), description=None):
    """One version as the versions list answers it."""
    return {'id': 'v%s-%s' % (number, prompt_id), 'type': 'prompt-template-versions',
            'attributes': {'prompt_id': prompt_id, 'prompt_uuid': prompt_uuid(prompt_id), 'version': number,
                           'labels': list(labels), 'description': description, 'created_at': TIMESTAMP}}


def prompt_versions_page(prompt_id, *entries):
    """The body of the versions list: each entry ``(number, [labels])``, or a number alone (no labels)."""
    items = []
    for entry in entries:
        number, labels = entry if isinstance(entry, tuple) else (entry, ())
        items.append(prompt_version_item(prompt_id, number, labels))
    return page(*items)


def get_prompt_version(prompt_id, number):
    """GET one version of a prompt with its template (GetLLMObsPromptVersion)."""
    return Call('GET', '%s/versions/%s' % (_prompt_path(prompt_id), number))


def prompt_version(prompt_id, number, template, config=None, labels=(), description=None, authoring=None):
    """One version as GetLLMObsPromptVersion answers it (``config`` None: left out, as for an empty config)."""
    item = prompt_version_item(prompt_id, number, labels, description)
    item['attributes']['template'] = template
    if config is not None:
        item['attributes']['config'] = config
    if authoring is not None:
        item['attributes']['authoring_template'] = authoring
    return item


def get_prompt(prompt_id):
    """GET a prompt by its prompt_id (GetLLMObsPrompt): its latest version, flattened for SDKs."""
    return Call('GET', _prompt_path(prompt_id))


def prompt_sdk(prompt_id, version, template):
    """A prompt as GetLLMObsPrompt answers it: ``version`` as text, ``template`` or ``chat_template``."""
    attributes = {'prompt_id': prompt_id, 'version': str(version), 'prompt_version_uuid': 'v%s-%s' % (version, prompt_id),
                  'chat_template' if isinstance(template, list) else 'template': template}
    return {'id': prompt_uuid(prompt_id), 'type': 'prompt-templates', 'attributes': attributes}


def create_prompt(prompt_id, template, title=None, description=None, config=None):
    """POST a new prompt with its first version (CreateLLMObsPrompt)."""
    attributes = {'prompt_id': prompt_id, 'template': template}
    for key, value in (('title', title), ('description', description), ('config', config)):
        if value is not None:
            attributes[key] = value
    return Call('POST', PROMPTS_PATH).expect_json({'data': {'type': 'prompt-templates', 'attributes': attributes}})


def create_prompt_version(prompt_id, template, config=None, description=None):
    """POST a new version of a prompt (CreateLLMObsPromptVersion)."""
    attributes = {'template': template}
    for key, value in (('config', config), ('description', description)):
        if value is not None:
            attributes[key] = value
    return Call('POST', _prompt_path(prompt_id) + '/versions').expect_json(
        {'data': {'type': 'prompt-template-versions', 'attributes': attributes}})


def update_prompt(prompt_id, attributes):
    """PATCH a prompt's title and description (UpdateLLMObsPrompt)."""
    return Call('PATCH', _prompt_path(prompt_id)).expect_json(
        {'data': {'type': 'prompt-templates', 'attributes': attributes}})


def label_prompt_version(prompt_id, number, labels):
    """PATCH one version's labels, the whole list (UpdateLLMObsPromptVersion)."""
    return Call('PATCH', '%s/versions/%s' % (_prompt_path(prompt_id), number)).expect_json(
        {'data': {'type': 'prompt-template-versions', 'attributes': {'labels': list(labels)}}})


def delete_prompt(prompt_id):
    """DELETE a prompt (soft: DeleteLLMObsPrompt)."""
    return Call('DELETE', _prompt_path(prompt_id))


def prompt_deleted(prompt_id):
    """The body of a delete's answer."""
    return {'data': {'id': prompt_uuid(prompt_id), 'type': 'prompt-templates',
                     'attributes': {'prompt_id': prompt_id, 'deleted_at': TIMESTAMP}}}
