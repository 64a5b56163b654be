# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The one HTTP client of the collection: every request to Datadog is built and sent here.

It owns the session, the auth headers, timeouts, retries, paging and the error path. The
retry policy (also in docs/user-guide.md):

* 429: the request was refused, so it is sent again after ``X-RateLimit-Reset`` seconds
  (bounded by MAX_RATE_LIMIT_WAIT), whatever the method.
* 5xx, timeouts and dropped connections: reads are sent again with exponential backoff.
* Writes that must not happen twice go through ``write_once``: after an answer that leaves the
  outcome unknown it looks the result up, for the consistency window, before sending again.
* Every retry is reported through the ``warn`` callback; ``retries`` bounds them per request.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import math
import time
import traceback

from ansible.module_utils.six.moves.urllib.parse import quote

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import (
    APIError,
    LLMObsError,
    TransportError,
    api_error,
)

REQUESTS_IMPORT_ERROR = None
try:
    import requests
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True

COLLECTION_VERSION = '1.0.0'
USER_AGENT = 'llmobs.datadog/%s (Ansible collection)' % COLLECTION_VERSION

API_PREFIX = '/api/v2/llm-obs/v1'

# Datasets asked for per page: the most Datadog's LLM Observability lists serve in one page
# (larger values are clamped). Lookups filter by name, so a lookup costs one request per 5,000
# datasets whose names contain the filter text, whatever the size of the project.
DATASET_PAGE_LIMIT = 5000

MAX_RATE_LIMIT_WAIT = 60.0
MAX_BACKOFF = 30.0
MAX_POLL_INTERVAL = 2.0

# Statuses after which a read is worth sending again: the server may answer differently.
RETRIABLE_STATUSES = frozenset((408, 500, 502, 503, 504))


def _path_segment(value):
    # Ids are checked as plain tokens before any request; quoting is a second line of defence.
    return quote(str(value), safe='')


def backoff_delay(attempt):
    """Seconds to wait before retry number ``attempt`` (1-based): 1, 2, 4, ... up to MAX_BACKOFF."""
    return min(MAX_BACKOFF, float(2 ** (attempt - 1)))


def rate_limit_delay(headers, attempt):
    """Seconds to wait after a 429: ``X-RateLimit-Reset`` when usable, else the backoff."""
    reset = headers.get('X-RateLimit-Reset') if headers is not None else None
    try:
        seconds = float(reset)
    except (TypeError, ValueError):
        return backoff_delay(attempt)
    if math.isnan(seconds):
        return backoff_delay(attempt)
    return min(MAX_RATE_LIMIT_WAIT, max(1.0, seconds))


def _describe_transport_failure(exc):
    """A short reason for a requests exception, without the pool's boilerplate."""
    reason = exc
    for dummy in range(5):  # walk to the innermost cause: 'Connection refused', 'certificate verify failed'
        inner = getattr(reason, 'reason', None) or (reason.args[0] if getattr(reason, 'args', None) else None)
        if inner is None or inner is reason or isinstance(inner, str):
            break
        reason = inner
    text = str(reason) or type(reason).__name__
    if '): ' in text and text.startswith('<'):
        text = text.split('): ', 1)[1]
    return text[:300]


def dataset_facts(item):
    """The facts of one dataset as modules return them, from a JSON:API dataset object."""
    attributes = item.get('attributes') if isinstance(item.get('attributes'), dict) else {}
    return dict(
        id=item.get('id'),
        name=attributes.get('name'),
        description=attributes.get('description'),
        metadata=attributes.get('metadata'),
        current_version=attributes.get('current_version'),
        created_at=attributes.get('created_at'),
        updated_at=attributes.get('updated_at'),
    )


def dataset_name(item):
    attributes = item.get('attributes')
    return attributes.get('name') if isinstance(attributes, dict) else None


class LLMObsClient(object):
    """Datadog LLM Observability API client shared by the collection's modules."""

    def __init__(self, settings, warn=None, sleep=None, clock=None, session=None):
        self.settings = settings
        self.warn = warn or (lambda message: None)
        self.sleep = sleep or time.sleep
        self.clock = clock or time.monotonic
        self.session = session or requests.Session()
        self.headers = {
            'DD-API-KEY': settings.api_key,
            'DD-APPLICATION-KEY': settings.app_key,
            'Accept': 'application/json',
            'User-Agent': USER_AGENT,
        }

    # ------------------------------------------------------------------ transport

    def _send(self, method, path, params, body):
        url = self.settings.base_url + path
        try:
            return self.session.request(
                method, url, params=params, json=body, headers=self.headers,
                timeout=self.settings.timeout, verify=self.settings.verify,
                # A redirect could carry the key headers to another host: never follow one.
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as exc:
            raise TransportError(
                'TLS verification failed for %s: %s. Point ca_path at the CA bundle that signed the '
                "server's certificate, or set validate_certs: false only for a server you trust."
                % (self.settings.base_url, self._reason(exc)), may_have_arrived=False, retriable=False)
        except requests.exceptions.ConnectTimeout:
            raise TransportError('could not connect to %s within %s seconds (timeout).'
                                 % (self.settings.base_url, _format_seconds(self.settings.timeout)),
                                 may_have_arrived=False)
        except requests.exceptions.ReadTimeout:
            raise TransportError('no response from %s within %s seconds (timeout).'
                                 % (self.settings.base_url, _format_seconds(self.settings.timeout)))
        except requests.exceptions.ConnectionError as exc:
            reason = self._reason(exc)
            never_connected = any(marker in repr(exc) for marker in (
                'NewConnectionError', 'NameResolutionError', 'Failed to establish a new connection'))
            raise TransportError('could not reach %s: %s' % (self.settings.base_url, reason),
                                 may_have_arrived=not never_connected)
        except requests.exceptions.RequestException as exc:
            raise TransportError('request to %s failed: %s'
                                 % (self.settings.base_url, self._reason(exc)))

    def _reason(self, exc):
        """Why a request failed, with the keys masked: some exceptions quote header values."""
        reason = _describe_transport_failure(exc)
        for secret in (self.settings.api_key, self.settings.app_key):
            if secret:
                reason = reason.replace(secret, '********')
        return reason

    def _decode(self, response, operation):
        if response.status_code == 204:
            return None
        if not response.content.strip():
            # Every 2xx but 204 carries a document; an empty one is a lost answer, not an empty list.
            raise TransportError('%s returned HTTP %s with an empty body.' % (operation, response.status_code))
        try:
            return response.json()
        except ValueError:
            # A 2xx we cannot read: the server may have acted, so callers treat it like a lost answer.
            raise TransportError('%s returned HTTP %s with a body that is not valid JSON.'
                                 % (operation, response.status_code))

    def request(self, method, path, operation, params=None, body=None, retry_failures=None):
        """Send one API request and return its decoded JSON body (None when empty).

        ``operation`` names the request in messages ("Listing datasets of project X").
        ``retry_failures`` (default: true for GET) allows sending again after a 5xx, a timeout or
        a dropped connection; a 429 is always retried. Raises APIError or TransportError.
        """
        if retry_failures is None:
            retry_failures = method == 'GET'
        attempt = 0
        while True:
            try:
                response = self._send(method, path, params, body)
            except TransportError as exc:
                may_retry = retry_failures or not exc.may_have_arrived
                if exc.retriable and may_retry and attempt < self.settings.retries:
                    attempt += 1
                    self._retry_after(backoff_delay(attempt), '%s: %s' % (operation, exc.message), attempt)
                    continue
                raise TransportError('%s failed: %s' % (operation, exc.message),
                                     may_have_arrived=exc.may_have_arrived, retriable=exc.retriable)

            status = response.status_code
            if 200 <= status < 300:
                try:
                    return self._decode(response, operation)
                except TransportError as exc:
                    if retry_failures and attempt < self.settings.retries:
                        attempt += 1
                        self._retry_after(backoff_delay(attempt), exc.message, attempt)
                        continue
                    raise

            if 300 <= status < 400:
                raise APIError(operation, status, [], '%s failed: the API answered HTTP %s, a redirect to %s, '
                               'which is not followed so that the keys stay with the configured host; '
                               'set api_url to the final address.'
                               % (operation, status, response.headers.get('Location', 'an unknown location')))

            error = api_error(operation, status, response.reason, response.content,
                              response.headers.get('Content-Type'), dict(response.headers))
            if attempt < self.settings.retries:
                if status == 429:
                    attempt += 1
                    self._retry_after(rate_limit_delay(response.headers, attempt),
                                      '%s was rate limited (HTTP 429)' % operation, attempt)
                    continue
                if retry_failures and status in RETRIABLE_STATUSES:
                    attempt += 1
                    self._retry_after(backoff_delay(attempt), error.message, attempt)
                    continue
            raise error

    def _retry_after(self, delay, reason, attempt):
        self.warn('%s; retrying in %s (retry %d of %d).'
                  % (reason.rstrip('.'), _seconds_text(delay), attempt, self.settings.retries))
        self.sleep(delay)

    # ------------------------------------------------------------------ helpers

    def pages(self, path, operation, params, page_limit):
        """Yield every item of a cursor-paged list, following ``meta.after`` to the end."""
        cursor = None
        seen_cursors = set()
        while True:
            page_params = dict(params)
            page_params['page[limit]'] = page_limit
            if cursor:
                page_params['page[cursor]'] = cursor
            document = self.request('GET', path, operation, params=page_params)
            data = document.get('data') if isinstance(document, dict) else None
            if not isinstance(data, list):
                raise LLMObsError('%s returned a response without a "data" list; the API may have changed.'
                                  % operation)
            for item in data:
                if isinstance(item, dict):
                    yield item
            meta = document.get('meta')
            cursor = meta.get('after') if isinstance(meta, dict) else None
            if not cursor:
                return
            if cursor in seen_cursors:
                raise LLMObsError('%s: the API returned the same page cursor twice; stopping rather than '
                                  'looping forever.' % operation)
            seen_cursors.add(cursor)

    def poll(self, find, timeout):
        """Call ``find`` until it returns something or ``timeout`` seconds have passed.

        The first call is immediate; returns the last result (None when nothing appeared).
        """
        deadline = self.clock() + timeout
        interval = 0.5
        while True:
            found = find()
            if found is not None:
                return found
            remaining = deadline - self.clock()
            if remaining <= 0:
                return None
            self.sleep(min(interval, remaining))
            interval = min(MAX_POLL_INTERVAL, interval * 2)

    def write_once(self, operation, send, find_result, settle_timeout):
        """Send a write that must not happen twice, and return its result.

        When the answer leaves the outcome unknown (5xx, timeout, dropped connection, unreadable
        body), ``find_result`` is polled for ``settle_timeout`` seconds, since reads lag behind
        writes. If it finds the result, that is the result; only if it does not is the write sent
        again (within ``retries``). A 4xx other than 429 is final and raised at once.
        """
        attempt = 0
        while True:
            try:
                return send()
            except (APIError, TransportError) as exc:
                if isinstance(exc, APIError) and exc.status not in RETRIABLE_STATUSES and exc.status < 500:
                    raise
                if isinstance(exc, TransportError) and not exc.retriable:
                    raise
                may_have_arrived = getattr(exc, 'may_have_arrived', True)
                if may_have_arrived:
                    found = self.poll(find_result, settle_timeout)
                    if found is not None:
                        self.warn('%s did not get a clear answer (%s), but a lookup shows it was done; '
                                  'not sending it again.' % (operation, _first_sentence(exc.message)))
                        return found
                if attempt >= self.settings.retries:
                    suffix = (' A lookup found no trace of it, so nothing was created.' if may_have_arrived
                              else ' The request never reached the server, so nothing was created.')
                    exc.extend_message(suffix)
                    raise
                attempt += 1
                self._retry_after(backoff_delay(attempt), '%s; a lookup shows it was not done' % exc.message
                                  if may_have_arrived else exc.message, attempt)

    # ------------------------------------------------------------------ datasets

    def datasets_path(self, project_id):
        return '%s/%s/datasets' % (API_PREFIX, _path_segment(project_id))

    def list_datasets(self, project_id, name=None, dataset_id=None):
        """Every dataset of the project that the API's filters return, once each."""
        params = {}
        if name is not None:
            params['filter[name]'] = name
        if dataset_id is not None:
            params['filter[id]'] = dataset_id
        operation = 'Listing datasets of project %s' % project_id
        seen = set()
        datasets = []
        # Ids are deduplicated: a list that changes between pages can repeat an item.
        for item in self.pages(self.datasets_path(project_id), operation, params, DATASET_PAGE_LIMIT):
            key = item.get('id')
            if key in seen:
                continue
            seen.add(key)
            datasets.append(item)
        return datasets

    def find_datasets_by_name(self, project_id, name):
        """Datasets whose name is exactly ``name``: the API's name filter is not exact."""
        return [item for item in self.list_datasets(project_id, name=name) if dataset_name(item) == name]

    def find_dataset(self, project_id, dataset_id):
        """The dataset with this id, or None. There is no single-dataset GET: the list is filtered."""
        for item in self.list_datasets(project_id, dataset_id=dataset_id):
            if item.get('id') == dataset_id:
                return item
        return None

    def clone_dataset(self, project_id, dataset_id, name, description=None):
        """Send the clone request once (no retry after a 5xx: see write_once) and return the new dataset."""
        attributes = {'name': name}
        if description is not None:
            attributes['description'] = description
        body = {'data': {'type': 'datasets', 'id': dataset_id, 'attributes': attributes}}
        operation = 'Cloning dataset %s of project %s into %r' % (dataset_id, project_id, name)
        path = '%s/%s/clone' % (self.datasets_path(project_id), _path_segment(dataset_id))
        document = self.request('POST', path, operation, body=body, retry_failures=False)
        data = document.get('data') if isinstance(document, dict) else None
        if not isinstance(data, dict) or not data.get('id'):
            raise TransportError('%s returned a response without the new dataset.' % operation)
        return data


def _format_seconds(seconds):
    return ('%d' % seconds) if float(seconds).is_integer() else ('%.1f' % seconds)


def _seconds_text(seconds):
    text = _format_seconds(seconds)
    return '%s second' % text if text == '1' else '%s seconds' % text


def _first_sentence(text):
    return text.split('. ')[0].rstrip('.')
