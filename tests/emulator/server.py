# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""HTTP side of the emulator: the Datadog routes (as the spec names them) and the control API.

Datadog API routes live under /api/v2/llm-obs/; the emulator's own control routes live under
/_emulator/ and are never logged, rate limited or faulted.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from faults import Fault, FaultBook, FaultError, RateLimiter
from store import NotFound, Store, decode_cursor, encode_cursor

API_PREFIX = '/api/v2/llm-obs/v1'
CONTROL_PREFIX = '/_emulator'
DEFAULT_PAGE_LIMIT = 100
MAX_PAGE_LIMIT = 5000


class APIProblem(Exception):
    """An error answer in Datadog's JSON:API shape."""

    TITLES = {400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 501: 'Not Implemented'}

    def __init__(self, status, detail, pointer=None, parameter=None, header=None):
        super(APIProblem, self).__init__(detail)
        error = {'status': str(status), 'title': self.TITLES.get(status, 'Error'), 'detail': detail}
        source = dict((k, v) for k, v in (('pointer', pointer), ('parameter', parameter), ('header', header)) if v)
        if source:
            error['source'] = source
        self.status = status
        self.body = {'errors': [error]}


# ---------------------------------------------------------------------- request checks


def _object(value, pointer):
    if not isinstance(value, dict):
        raise APIProblem(400, '%s must be an object' % (pointer or 'the request body'), pointer=pointer or '/')
    return value


def _string(container, key, pointer, required=True, non_empty=False):
    if key not in container:
        if required:
            raise APIProblem(400, 'missing required attribute %r' % key, pointer=pointer)
        return None
    value = container[key]
    if not isinstance(value, str):
        raise APIProblem(400, '%s must be a string' % key, pointer=pointer)
    if non_empty and not value.strip():
        raise APIProblem(400, '%s must not be empty' % key, pointer=pointer)
    return value


def _data(body, resource_type, accepted_types=None):
    data = _object(_object(body, '').get('data'), '/data')
    kind = _string(data, 'type', '/data/type')
    if kind not in (accepted_types or (resource_type,)):
        raise APIProblem(400, 'type must be %r' % resource_type, pointer='/data/type')
    return data


def _attributes(data):
    return _object(data.get('attributes'), '/data/attributes')


def _optional_object(attributes, key):
    value = attributes.get(key)
    if key in attributes and value is not None and not isinstance(value, dict):
        raise APIProblem(400, '%s must be an object' % key, pointer='/data/attributes/%s' % key)
    return value


def _page_params(query):
    limit = query.get('page[limit]')
    if limit is None:
        limit = DEFAULT_PAGE_LIMIT
    else:
        try:
            limit = int(limit)
        except ValueError:
            raise APIProblem(400, 'page[limit] must be an integer', parameter='page[limit]')
        if limit < 1:
            raise APIProblem(400, 'page[limit] must be at least 1', parameter='page[limit]')
        limit = min(limit, MAX_PAGE_LIMIT)
    position = None
    if query.get('page[cursor]'):
        position = decode_cursor(query['page[cursor]'])
        if position is None:
            raise APIProblem(400, 'invalid page cursor', parameter='page[cursor]')
    return limit, position


def paginate(items, query, key, by_offset=False):
    """One page of ``items`` (newest first) after the cursor's position, and the next cursor.

    Cursors hold the key of the last item served, so items added meanwhile do not shift pages;
    ``by_offset`` makes them hold an offset instead, as a simpler server would, so that items
    added between two requests push others onto the next page again.
    """
    limit, position = _page_params(query)
    if by_offset:
        start = position or 0
        page = items[start:start + limit]
        return page, (encode_cursor(start + limit) if len(items) > start + limit else None)
    if position is not None:
        items = [item for item in items if key(item) < position]
    page = items[:limit]
    after = encode_cursor(key(page[-1])) if len(items) > limit else None
    return page, after


# ---------------------------------------------------------------------- JSON views


def dataset_json(dataset):
    return {'id': dataset['id'], 'type': 'datasets', 'attributes': {
        'name': dataset['name'], 'description': dataset['description'], 'metadata': dataset['metadata'],
        'current_version': dataset['current_version'], 'created_at': dataset['created_at'],
        'updated_at': dataset['updated_at']}}


def project_json(project):
    return {'id': project['id'], 'type': 'projects', 'attributes': {
        'name': project['name'], 'description': project['description'],
        'created_at': project['created_at'], 'updated_at': project['updated_at']}}


def record_json(record):
    return dict((k, record[k]) for k in (
        'id', 'dataset_id', 'input', 'expected_output', 'metadata', 'created_at', 'updated_at'))


# ---------------------------------------------------------------------- the Datadog routes


class DatadogAPI(object):
    """One method per operation of the spec; each returns (status, body) or raises APIProblem."""

    def __init__(self, store):
        self.store = store
        # page_churn > 0: that many datasets (matching the name filter when it is inexact) are
        # added after each dataset-list page that has a next one, and cursors become offsets.
        self.page_churn = 0
        self.churned = 0

    # projects

    def ListLLMObsProjects(self, query, body):  # noqa: N802 (named after the spec's operationId)
        items = self.store.list_projects(query.get('filter[name]'), query.get('filter[id]'))
        page, after = paginate(items, query, key=lambda p: p['seq'])
        return 200, {'data': [project_json(p) for p in page], 'meta': {'after': after}}

    def CreateLLMObsProject(self, query, body):  # noqa: N802
        attributes = _attributes(_data(body, 'projects'))
        name = _string(attributes, 'name', '/data/attributes/name', non_empty=True)
        description = _string(attributes, 'description', '/data/attributes/description', required=False)
        project, created = self.store.get_or_create_project(name, description or '')
        return (201 if created else 200), {'data': project_json(project)}

    # datasets

    def ListLLMObsDatasets(self, query, body, project_id):  # noqa: N802
        items = self.store.list_datasets(project_id, query.get('filter[name]'), query.get('filter[id]'))
        page, after = paginate(items, query, key=lambda d: d['seq'], by_offset=self.page_churn > 0)
        answer = {'data': [dataset_json(d) for d in page], 'meta': {'after': after}}
        if after and self.page_churn:
            # The list changes before the client asks for the next page.
            self.churned += 1
            for number in range(self.page_churn):
                self.store.add_dataset(project_id, 'churn-%d-%d %s' % (self.churned, number, query.get('filter[name]', '')),
                                       visible_now=True)
        return 200, answer

    def CreateLLMObsDataset(self, query, body, project_id):  # noqa: N802
        attributes = _attributes(_data(body, 'datasets'))
        name = _string(attributes, 'name', '/data/attributes/name', non_empty=True)
        description = _string(attributes, 'description', '/data/attributes/description', required=False)
        metadata = _optional_object(attributes, 'metadata')
        dataset_id = self.store.add_dataset(project_id, name, description or '', metadata)
        return 201, {'data': dataset_json(self.store.datasets[dataset_id])}

    def UpdateLLMObsDataset(self, query, body, project_id, dataset_id):  # noqa: N802
        attributes = _attributes(_data(body, 'datasets'))
        changes = {}
        if 'name' in attributes:
            changes['name'] = _string(attributes, 'name', '/data/attributes/name', non_empty=True)
        if 'description' in attributes:
            changes['description'] = _string(attributes, 'description', '/data/attributes/description')
        if 'metadata' in attributes:
            changes['metadata'] = _optional_object(attributes, 'metadata')
        return 200, {'data': dataset_json(self.store.update_dataset(project_id, dataset_id, changes))}

    def DeleteLLMObsDatasets(self, query, body, project_id):  # noqa: N802
        attributes = _attributes(_data(body, 'datasets'))
        ids = attributes.get('dataset_ids')
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise APIProblem(400, 'dataset_ids must be a list of strings', pointer='/data/attributes/dataset_ids')
        self.store.delete_datasets(project_id, ids)
        return 204, None

    def CloneLLMObsDataset(self, query, body, project_id, dataset_id):  # noqa: N802
        data = _data(body, 'datasets')
        source_id = _string(data, 'id', '/data/id')
        if source_id != dataset_id:
            raise APIProblem(400, 'data.id must be the id of the dataset in the path', pointer='/data/id')
        attributes = _attributes(data)
        name = _string(attributes, 'name', '/data/attributes/name', non_empty=True)
        description = _string(attributes, 'description', '/data/attributes/description', required=False)
        return 200, {'data': dataset_json(self.store.clone_dataset(project_id, dataset_id, name, description))}

    # records

    def ListLLMObsDatasetRecords(self, query, body, project_id, dataset_id):  # noqa: N802
        version = query.get('filter[version]')
        if version is not None:
            try:
                version = int(version)
            except ValueError:
                raise APIProblem(400, 'filter[version] must be an integer', parameter='filter[version]')
        items = self.store.records(project_id, dataset_id, version)
        positions = dict((id(r), n) for n, r in enumerate(reversed(items)))
        page, after = paginate(items, query, key=lambda r: positions[id(r)])
        return 200, {'data': [record_json(r) for r in page], 'meta': {'after': after}}

    def CreateLLMObsDatasetRecords(self, query, body, project_id, dataset_id):  # noqa: N802
        # The spec says type "records"; Datadog's live API wants "datasets": both are accepted.
        attributes = _attributes(_data(body, 'records', accepted_types=('records', 'datasets')))
        items = attributes.get('records')
        if not isinstance(items, list) or not items:
            raise APIProblem(400, 'records must be a non-empty list', pointer='/data/attributes/records')
        for index, item in enumerate(items):
            if not isinstance(item, dict) or 'input' not in item:
                raise APIProblem(400, 'each record needs an input', pointer='/data/attributes/records/%d/input' % index)
        if attributes.get('deduplicate', True):
            existing = set(json.dumps([r['input'], r['expected_output']], sort_keys=True)
                           for r in self.store.records(project_id, dataset_id))
            fresh = []
            for item in items:
                key = json.dumps([item.get('input'), item.get('expected_output')], sort_keys=True)
                if key not in existing:
                    existing.add(key)
                    fresh.append(item)
            items = fresh
        added = self.store.append_records(project_id, dataset_id, items) if items else []
        return 200, {'data': [{'records': [record_json(r) for r in added]}]}


# (method, path template from the spec, operationId); literal segments win over {parameters}.
ROUTES = [
    ('GET', '/projects', 'ListLLMObsProjects'),
    ('POST', '/projects', 'CreateLLMObsProject'),
    ('POST', '/{project_id}/datasets/delete', 'DeleteLLMObsDatasets'),
    ('GET', '/{project_id}/datasets', 'ListLLMObsDatasets'),
    ('POST', '/{project_id}/datasets', 'CreateLLMObsDataset'),
    ('PATCH', '/{project_id}/datasets/{dataset_id}', 'UpdateLLMObsDataset'),
    ('POST', '/{project_id}/datasets/{dataset_id}/clone', 'CloneLLMObsDataset'),
    ('GET', '/{project_id}/datasets/{dataset_id}/records', 'ListLLMObsDatasetRecords'),
    ('POST', '/{project_id}/datasets/{dataset_id}/records', 'CreateLLMObsDatasetRecords'),
]


def _compile(template):
    pattern = re.sub(r'\{(\w+)\}', r'(?P<\1>[^/]+)', template)
    return re.compile('^' + re.escape(API_PREFIX) + pattern + '$')


COMPILED_ROUTES = [(method, _compile(template), operation) for method, template, operation in ROUTES]


def match_route(method, path):
    """(operationId, path parameters) or (None, None); ('', None) when only the method is wrong."""
    path_known = False
    for route_method, pattern, operation in COMPILED_ROUTES:
        found = pattern.match(path)
        if found:
            path_known = True
            if route_method == method:
                return operation, found.groupdict()
    return ('' if path_known else None), None


# ---------------------------------------------------------------------- the emulator


class Emulator(object):
    """State, behaviours and the request log, shared by every connection."""

    def __init__(self, seeds=(), lag=0.0, inexact_name_filter=False, rate_limit=None, faults=(),
                 api_key=None, app_key=None):
        self.seeds = list(seeds)
        self.startup = dict(lag=lag, inexact_name_filter=inexact_name_filter, rate_limit=rate_limit,
                            faults=[f.to_json() for f in faults])
        self.api_key = api_key
        self.app_key = app_key
        self.log_lock = threading.Lock()
        self.reset()

    def reset(self):
        self.store = Store(lag=self.startup['lag'], inexact_name_filter=self.startup['inexact_name_filter'])
        for seed in self.seeds:
            self.store.load_seed(seed)
        self.api = DatadogAPI(self.store)
        self.faults = FaultBook()
        for fault in self.startup['faults']:
            self.faults.add(Fault.from_json(fault))
        limit = self.startup['rate_limit']
        self.rate_limiter = RateLimiter(limit['limit'], limit['period']) if limit else None
        with self.log_lock:
            self.requests = []

    def configure(self, changes):
        if 'lag' in changes:
            self.store.lag = float(changes['lag'])
        if 'inexact_name_filter' in changes:
            self.store.inexact_name_filter = bool(changes['inexact_name_filter'])
        if 'rate_limit' in changes:
            limit = changes['rate_limit']
            self.rate_limiter = RateLimiter(limit['limit'], limit['period']) if limit else None
        if 'page_churn' in changes:
            self.api.page_churn = int(changes['page_churn'])

    def config(self):
        return {'lag': self.store.lag, 'inexact_name_filter': self.store.inexact_name_filter,
                'page_churn': self.api.page_churn,
                'rate_limit': self.rate_limiter.to_json() if self.rate_limiter else None,
                'keys_checked': self.api_key is not None or self.app_key is not None}

    def log(self, entry):
        with self.log_lock:
            entry['seq'] = len(self.requests) + 1
            self.requests.append(entry)
            return entry

    def check_keys(self, headers):
        api_key, app_key = headers.get('DD-API-KEY'), headers.get('DD-APPLICATION-KEY')
        if not api_key:
            raise APIProblem(401, 'missing API key', header='DD-API-KEY')
        if not app_key:
            raise APIProblem(401, 'missing application key', header='DD-APPLICATION-KEY')
        if self.api_key is not None and api_key != self.api_key:
            raise APIProblem(403, 'invalid API key', header='DD-API-KEY')
        if self.app_key is not None and app_key != self.app_key:
            raise APIProblem(403, 'invalid application key', header='DD-APPLICATION-KEY')


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'llmobs-emulator/1.0'
    # Headers and body leave in two writes; without TCP_NODELAY the body waits for the client's
    # delayed ACK (40 ms on Linux) and every answer looks 40 ms slower than the service is.
    disable_nagle_algorithm = True
    emulator = None  # set by make_server

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass  # the request log at /_emulator/requests replaces the access log

    # -------------------------------------------------------------- plumbing

    def _read_body(self):
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length else b''

    def _send(self, status, body=None, content_type='application/json', headers=None):
        payload = body if isinstance(body, bytes) else (b'' if body is None else json.dumps(body).encode())
        self.send_response(status)
        if payload or status != 204:
            self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if payload and self.command != 'HEAD':
            self.wfile.write(payload)

    def _drop(self):
        """Close the connection without a byte of answer."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def do_GET(self):  # noqa: N802
        self._dispatch()

    def do_POST(self):  # noqa: N802
        self._dispatch()

    def do_PATCH(self):  # noqa: N802
        self._dispatch()

    def do_DELETE(self):  # noqa: N802
        self._dispatch()

    def do_PUT(self):  # noqa: N802
        self._dispatch()

    def _dispatch(self):
        parts = urlsplit(self.path)
        if parts.path == CONTROL_PREFIX or parts.path.startswith(CONTROL_PREFIX + '/'):
            self._control(parts.path[len(CONTROL_PREFIX):] or '/', parts.query)
        else:
            self._api(parts.path, parts.query)

    # -------------------------------------------------------------- Datadog API

    def _api(self, path, raw_query):
        emulator = self.emulator
        raw_body = self._read_body()
        query = dict((k, v[-1]) for k, v in parse_qs(raw_query, keep_blank_values=True).items())
        entry = {'time': time.time(), 'method': self.command, 'path': path, 'query': query,
                 'body': _loggable_body(raw_body), 'headers': _loggable_headers(self.headers)}
        operation, params = match_route(self.command, path)
        entry['operation'] = operation or None

        if emulator.rate_limiter is not None:
            allowed, limit_headers = emulator.rate_limiter.check()
            if not allowed:
                entry.update(status=429, fault=False)
                emulator.log(entry)
                return self._send(429, {'errors': ['Too many requests']}, headers=limit_headers)

        fault = emulator.faults.take(operation) if operation else None
        entry['fault'] = fault.to_json() if fault else None
        if fault is not None and fault.delay:
            time.sleep(fault.delay)

        status, body, content_type, headers = None, None, 'application/json', {}
        if fault is None or fault.acts:
            status, body = self._call(operation, params, query, raw_body)
        if fault is not None and fault.drop:
            entry['status'] = 'dropped'
            emulator.log(entry)
            return self._drop()
        if fault is not None and (fault.status is not None or fault.body != 'json'):
            status = fault.status if fault.status is not None else status
            content_type, body = fault.error_body(status)
            if status == 429 and fault.reset is not None:
                headers = {'X-RateLimit-Limit': '60', 'X-RateLimit-Period': '60', 'X-RateLimit-Remaining': '0',
                           'X-RateLimit-Reset': str(fault.reset), 'X-RateLimit-Name': RateLimiter.name}
        entry['status'] = status
        emulator.log(entry)
        self._send(status, body, content_type, headers)

    def _call(self, operation, params, query, raw_body):
        try:
            self.emulator.check_keys(self.headers)
            if operation is None:
                raise APIProblem(404, 'no such API path in the emulator: %s' % urlsplit(self.path).path)
            if operation == '':
                raise APIProblem(404, 'method %s is not allowed on this path' % self.command)
            body = None
            if self.command in ('POST', 'PATCH', 'PUT'):
                try:
                    body = json.loads(raw_body.decode('utf-8')) if raw_body else None
                except ValueError:
                    raise APIProblem(400, 'the request body is not valid JSON', pointer='/')
                if body is None:
                    raise APIProblem(400, 'a JSON request body is required', pointer='/')
            return getattr(self.emulator.api, operation)(query, body, **params)
        except APIProblem as problem:
            return problem.status, problem.body
        except NotFound as missing:
            return 404, APIProblem(404, str(missing)).body

    # -------------------------------------------------------------- control API

    def _control(self, path, raw_query):
        emulator = self.emulator
        raw_body = self._read_body()
        try:
            body = json.loads(raw_body.decode('utf-8')) if raw_body else {}
        except ValueError:
            return self._send(400, {'error': 'the request body is not valid JSON'})
        route = (self.command, path.rstrip('/') or '/')
        try:
            if route == ('GET', '/health'):
                return self._send(200, {'status': 'ok'})
            if route == ('GET', '/requests'):
                with emulator.log_lock:
                    return self._send(200, {'requests': list(emulator.requests)})
            if route == ('DELETE', '/requests'):
                with emulator.log_lock:
                    emulator.requests = []
                return self._send(204)
            if route == ('GET', '/faults'):
                return self._send(200, {'faults': emulator.faults.to_json()})
            if route == ('POST', '/faults'):
                for fault in body.get('faults', [body]) if isinstance(body, dict) else body:
                    emulator.faults.add(Fault.from_json(fault))
                return self._send(200, {'faults': emulator.faults.to_json()})
            if route == ('DELETE', '/faults'):
                emulator.faults.clear()
                return self._send(204)
            if route == ('GET', '/config'):
                return self._send(200, emulator.config())
            if route == ('PATCH', '/config'):
                emulator.configure(body)
                return self._send(200, emulator.config())
            if route == ('GET', '/state'):
                return self._send(200, emulator.store.snapshot())
            if route == ('POST', '/reset'):
                emulator.reset()
                return self._send(200, emulator.store.snapshot())
            if route == ('POST', '/seed'):
                emulator.store.load_seed(body)
                return self._send(200, emulator.store.snapshot())
            if route == ('POST', '/datasets/bulk'):
                return self._send(200, _bulk_datasets(emulator.store, body))
        except (FaultError, KeyError, TypeError, ValueError, NotFound) as problem:
            return self._send(400, {'error': str(problem)})
        return self._send(404, {'error': 'unknown control route %s %s' % route})


def _bulk_datasets(store, body):
    """Make many datasets at once (for size benchmarks): names ``<prefix><n>``, visible at once."""
    project_id = body['project_id']
    count = int(body['count'])
    prefix = body.get('name_prefix', 'bulk-')
    with store.lock:
        for number in range(count):
            store.add_dataset(project_id, '%s%d' % (prefix, number), visible_now=True)
    return {'created': count}


def _loggable_body(raw):
    if not raw:
        return None
    try:
        return json.loads(raw.decode('utf-8'))
    except ValueError:
        return raw.decode('utf-8', 'replace')


def _loggable_headers(headers):
    """The headers tests care about; the keys are never logged, only whether they were sent."""
    logged = {}
    for name in ('Content-Type', 'Accept', 'User-Agent'):
        if headers.get(name):
            logged[name] = headers.get(name)
    for name in ('DD-API-KEY', 'DD-APPLICATION-KEY'):
        logged[name] = '<redacted>' if headers.get(name) else None
    return logged


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(emulator, host='127.0.0.1', port=0, ssl_context=None):
    handler = type('BoundHandler', (Handler,), {'emulator': emulator})
    server = EmulatorServer((host, port), handler)
    if ssl_context is not None:
        server.socket = ssl_context.wrap_socket(server.socket, server_side=True)
    return server
