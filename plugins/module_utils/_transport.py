# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Transport: every request to Datadog is sent here. It knows HTTP, not projects or datasets.

It owns the session, the auth headers, timeouts, retries, cursor paging, polling and safe
writes. The retry policy (also in docs/user-guide.md):

* ``retries`` bounds the re-sends of any one request, whichever method sends it.
* 429: the request was refused, so it is sent again after ``X-RateLimit-Reset`` seconds
  (bounded by MAX_RATE_LIMIT_WAIT), whatever the method.
* Idempotent requests (reads, PATCH updates): sent again after 408, 500, 502, 503, 504, a
  timeout, a dropped connection or an unreadable 2xx, with exponential backoff.
* Writes that must not happen twice go through ``write_once``: one attempt at a time, and after
  an answer that leaves the outcome unknown it looks the result up (for the consistency window)
  before sending again. A request that never reached the server is sent again without a lookup.
* A write whose earlier attempt got no clear answer is never reported as not carried out: a
  later refusal leaves its outcome unknown. A caller can forbid sending such a write again
  (``resend_unknown``), and name refusals that prove the earlier attempt landed (``landed``).
* Every retry is reported through the ``warn`` callback; how far a long list has been read,
  through ``progress`` (a Progress, which decides what is worth showing).
* Every loop is bounded: one request by ``timeout`` from connecting to the last byte of its
  answer (a ``download`` by ``list_timeout``: its body is streamed); paging by ``list_timeout`` in all, MAX_PAGES pages, a cursor seen before, or
  MAX_EMPTY_PAGES pages in a row that bring nothing new; polling by its timeout.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import math
import queue
import socket
import threading
import time
import traceback

from ansible.module_utils.six.moves.urllib.parse import quote, urlsplit

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import (
    APIError,
    LLMObsError,
    TransportError,
    api_error,
    mask_secrets,
    redirect_error,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._progress import Progress
from ansible_collections.llmobs.datadog.plugins.module_utils._text import counted_large

REQUESTS_IMPORT_ERROR = None
try:
    import requests
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True

COLLECTION_VERSION = '1.2.0'
USER_AGENT = 'llmobs.datadog/%s (Ansible collection)' % COLLECTION_VERSION

MAX_RATE_LIMIT_WAIT = 60.0
MAX_BACKOFF = 30.0
MAX_POLL_INTERVAL = 2.0

# A list longer than this many pages is not followed to its end: no project holds that much,
# so a server that keeps handing out cursors is looping. Documented in docs/user-guide.md.
MAX_PAGES = 10000
# Pages in a row that bring nothing new (empty, or only items listed already) and still carry a
# next cursor before the list is taken to be looping.
MAX_EMPTY_PAGES = 3

# Statuses after which an idempotent request is worth sending again: the server may answer differently.
RETRIABLE_STATUSES = frozenset((408, 500, 502, 503, 504))

# requests' own timeout bounds each wait for a byte; ``timeout`` bounds the whole request, a moment
# later, so that a server that does not answer at all still gets requests' clearer message.
DEADLINE_GRACE = 0.2

# A download (an export) is read in chunks of this size and never held whole: at most
# DOWNLOAD_QUEUE chunks wait between the thread that reads the socket and the sink.
DOWNLOAD_CHUNK = 64 * 1024
DOWNLOAD_QUEUE = 4
# Media types of a 2xx that are not the file a download asked for. Others (text/csv with or without a
# charset, application/csv, text/plain, application/octet-stream, none at all) are taken as the file.
NOT_A_DOWNLOAD = frozenset(('text/html', 'application/xhtml+xml', 'application/json', 'application/vnd.api+json'))


def path_segment(value):
    """A value quoted for use as one path segment. Ids are checked before any request; this is a second defence."""
    return quote(str(value), safe='')


def backoff_delay(attempt):
    """Seconds to wait before retry number ``attempt`` (1-based): 1, 2, 4, ... up to MAX_BACKOFF."""
    return min(MAX_BACKOFF, float(2 ** (attempt - 1)))


def rate_limit_delay(headers):
    """Seconds a 429 asks to wait, from ``X-RateLimit-Reset``; None when it gives no usable number."""
    reset = headers.get('X-RateLimit-Reset') if headers is not None else None
    try:
        seconds = float(reset)
    except (TypeError, ValueError):
        return None
    if math.isnan(seconds):
        return None
    return min(MAX_RATE_LIMIT_WAIT, max(1.0, seconds))


def answer_lost(exc):
    """Whether a failed write may have been carried out: the server may have acted before the answer was lost."""
    if isinstance(exc, TransportError):
        return exc.retriable and exc.may_have_arrived
    return exc.status >= 500 or exc.status == 408


def _describe_transport_failure(exc):
    """A short reason for a requests exception, without the pool's boilerplate."""
    reason = exc
    for dummy in range(5):  # walk to the innermost cause: 'Connection refused', 'certificate verify failed'
        inner = getattr(reason, 'reason', None) or (reason.args[0] if getattr(reason, 'args', None) else None)
        if inner is None or inner is reason or isinstance(inner, str):
            break
        reason = inner
    args = getattr(reason, 'args', None) or ()
    # urllib3's ProtocolError('Connection broken: ...', cause): its first argument says it all.
    text = (args[0] if len(args) > 1 and isinstance(args[0], str) else str(reason)) or type(reason).__name__
    if '): ' in text and text.startswith('<'):
        text = text.split('): ', 1)[1]
    return text[:300]


# What resolvers say when a host name does not resolve, for exceptions that carry only text.
_UNRESOLVED_MARKERS = ('NameResolutionError', 'Failed to resolve', 'Name or service not known',
                       'nodename nor servname', 'No address associated with hostname',
                       'Temporary failure in name resolution', 'getaddrinfo failed')


def _exception_chain(exc, depth=8):
    """``exc`` and the exceptions it wraps (requests' args[0], urllib3's reason, causes and contexts)."""
    seen, pending = [], [exc]
    while pending and len(seen) < depth:
        current = pending.pop(0)
        if not isinstance(current, BaseException) or any(current is known for known in seen):
            continue
        seen.append(current)
        pending.extend([getattr(current, 'reason', None), current.__cause__, current.__context__])
        pending.extend(arg for arg in getattr(current, 'args', ()) if isinstance(arg, BaseException))
    return seen


def resolver_failure(exc):
    """The resolver's reason when a connection failed because the host name did not resolve, else None."""
    chain = _exception_chain(exc)
    for item in chain:
        if isinstance(item, socket.gaierror):
            return item.strerror or str(item)
    if any(type(item).__name__ == 'NameResolutionError' for item in chain):
        return str(chain[-1])
    text = ' '.join(str(item) for item in chain)
    return next((marker for marker in _UNRESOLVED_MARKERS if marker in text), None)


class _DeadlinePassed(Exception):
    """A request still had no complete answer when its time was up."""


def call_within(call, seconds):
    """Return ``call()``, or raise _DeadlinePassed when it has not returned within ``seconds``.

    requests' timeout bounds each wait for a byte, so a server that answers a few bytes at a time
    could hold a request for ever: the call runs in a daemon thread that is left behind when the
    time is up (it ends with the process, or when the server gives up).
    """
    outcome = []
    finished = threading.Event()

    def run():
        try:
            outcome.append((True, call()))
        except BaseException as exc:  # pylint: disable=broad-except
            outcome.append((False, exc))  # raised again in the caller's thread
        finally:
            finished.set()

    worker = threading.Thread(target=run, name='llmobs-request')
    worker.daemon = True
    worker.start()
    if not finished.wait(seconds):
        raise _DeadlinePassed()
    returned, value = outcome[0]
    if returned:
        return value
    raise value


class _Pager(object):
    """The state of one walk through a cursor-paged list, and the checks that keep it from looping.

    Items are told apart by ``key``; ``cursor`` is the one to ask for next (None: the first page).
    """

    def __init__(self, operation, key, clock, list_timeout):
        self.operation = operation
        self.key = key
        self.clock = clock
        self.list_timeout = list_timeout
        self.started = clock()
        self.cursor = None
        self.items = 0
        self.seen_keys = set()
        self.seen_cursors = set()
        self.previous_page = None
        self.stale_pages = 0  # pages in a row that brought nothing new
        self.empty_pages = 0  # pages in a row that brought nothing at all
        self.fresh = self.anonymous = 0  # of the page just read

    def check_time(self, number):
        """Fail when the list has taken longer than ``list_timeout``, before page ``number`` is asked for."""
        if self.clock() - self.started > self.list_timeout:
            raise LLMObsError('%s: the list was still going after %s (list_timeout): %d items on %d pages '
                              'were read, and the last page pointed to yet another. Stopping; if the list is really '
                              'that long, raise list_timeout.'
                              % (self.operation, _seconds_text(self.list_timeout), self.items, number - 1))

    def new_items(self, data):
        """The objects of a page not listed before (those without a key cannot be told apart: all of them)."""
        self.fresh = self.anonymous = 0
        for item in data:
            if not isinstance(item, dict):
                continue
            item_key = self.key(item)
            if item_key is not None:
                if item_key in self.seen_keys:
                    continue
                self.seen_keys.add(item_key)
            else:
                self.anonymous += 1
            self.fresh += 1
            self.items += 1
            yield item

    def at_end(self, data, after, number):
        """Whether page ``number`` (``data``, its next cursor ``after``) ends the list; raises on a loop."""
        sent, self.cursor = self.cursor, after
        if not after or (not data and after == sent):
            return True  # some servers end a list with an empty page that repeats the cursor it was asked with
        if after in self.seen_cursors:
            raise LLMObsError('%s: the API returned the same page cursor twice; stopping rather than '
                              'looping forever.' % self.operation)
        self.seen_cursors.add(after)
        # Items without a key cannot be told apart: a page equal to the one before is the same page
        # again, and its items went out twice already.
        if data and data == self.previous_page:
            raise LLMObsError('%s: page %d was the same as the page before and pointed to yet another page; the '
                              'server or a proxy seems to ignore page[cursor]. Stopping rather than looping '
                              'forever.' % (self.operation, number))
        repeated = bool(data) and not self.fresh
        # Kept only when it holds items without a key: a page of records is large.
        self.previous_page = data if self.anonymous else None
        self.stale_pages = self.stale_pages + 1 if (repeated or not data) else 0
        self.empty_pages = self.empty_pages + 1 if not data else 0
        if self.stale_pages >= MAX_EMPTY_PAGES:
            if self.empty_pages == self.stale_pages:
                raise LLMObsError('%s: %d empty pages in a row still pointed to another page; stopping rather '
                                  'than looping forever.' % (self.operation, self.empty_pages))
            raise LLMObsError('%s: %d pages in a row brought only items already listed (or nothing) and pointed '
                              'to yet another page; the server or a proxy seems to ignore page[cursor]. Stopping '
                              'rather than looping forever.' % (self.operation, self.stale_pages))
        return False


class Transport(object):
    """The session to Datadog's API: one per task, shared by every resource."""

    def __init__(self, settings, warn=None, sleep=None, clock=None, session=None, progress=None, given=()):
        self.settings = settings
        # The options the task set: a hint at the end of an error names only those.
        self.given = frozenset(given)
        self.warn = warn or (lambda message: None)
        self.progress = progress or Progress()
        self.sleep = sleep or time.sleep
        self.clock = clock or time.monotonic
        self.session = session or requests.Session()
        self.headers = {
            'DD-API-KEY': settings.api_key,
            'DD-APPLICATION-KEY': settings.app_key,
            'Accept': 'application/json',
            'User-Agent': USER_AGENT,
        }

    # ------------------------------------------------------------------ one attempt

    def _send(self, method, path, params, body, accept=None, stream=False):
        url = self.settings.base_url + path
        headers = self.headers if accept is None else dict(self.headers, Accept=accept)

        def send():
            return self.session.request(
                method, url, params=params, json=body, headers=headers,
                timeout=self.settings.timeout, verify=self.settings.verify,
                # A redirect could carry the key headers to another host: never follow one.
                allow_redirects=False, stream=stream,
            )

        try:
            return call_within(send, self.settings.timeout + DEADLINE_GRACE)
        except _DeadlinePassed:
            raise TransportError('no complete response from %s within %s (timeout): the server answered '
                                 'too slowly, or not at all.'
                                 % (self.settings.base_url, _seconds_text(self.settings.timeout)))
        except requests.exceptions.SSLError as exc:
            raise TransportError(
                'TLS verification failed for %s: %s. Point ca_path at the CA bundle that signed the '
                "server's certificate, or set validate_certs: false only for a server you trust."
                % (self.settings.base_url, self._reason(exc)), may_have_arrived=False, retriable=False)
        except requests.exceptions.ConnectTimeout:
            raise TransportError('could not connect to %s within %s (timeout).'
                                 % (self.settings.base_url, _seconds_text(self.settings.timeout)),
                                 may_have_arrived=False)
        except requests.exceptions.ReadTimeout:
            raise TransportError('no response from %s within %s (timeout).'
                                 % (self.settings.base_url, _seconds_text(self.settings.timeout)))
        except requests.exceptions.ConnectionError as exc:
            unresolved = resolver_failure(exc)
            if unresolved is not None:
                # Not retried, not even a "temporary" resolver failure: a name that did not resolve
                # now rarely does within the retry waits, and a typo would only cost the waits.
                raise TransportError('could not reach %s: the host name %r does not resolve (%s). Check site or '
                                     'api_url.' % (self.settings.base_url, urlsplit(self.settings.base_url).hostname,
                                                   mask_secrets(unresolved, self.settings.secrets)),
                                     may_have_arrived=False, retriable=False)
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
        return mask_secrets(_describe_transport_failure(exc), self.settings.secrets)

    def _attempt(self, method, path, operation, params, body, hints, expect_body=True):
        """Send the request once; return its decoded JSON body (None for 204) or raise APIError/TransportError.

        ``expect_body`` false: a 2xx with an empty body is the answer (None), as the spec says of some
        writes (restore, unlock); a body is still decoded when there is one, and ignored when unreadable.
        """
        try:
            response = self._send(method, path, params, body)
        except TransportError as exc:
            raise TransportError('%s failed: %s' % (operation, exc.message),
                                 may_have_arrived=exc.may_have_arrived, retriable=exc.retriable)
        status = response.status_code
        if 200 <= status < 300:
            if status == 204:
                return None
            if not expect_body:
                try:
                    return response.json() if response.content.strip() else None
                except ValueError:
                    return None
            if not response.content.strip():
                # Every 2xx but 204 carries a document; an empty one is a lost answer, not an empty list.
                raise TransportError('%s returned HTTP %s with an empty body.' % (operation, status))
            try:
                return response.json()
            except ValueError:
                # A 2xx we cannot read: the server may have acted, so it counts as a lost answer.
                raise TransportError('%s returned HTTP %s with a body that is not valid JSON.' % (operation, status))
        raise self._refusal(operation, response, hints)

    def _refusal(self, operation, response, hints):
        """The APIError (or redirect error) of an answer that is not a 2xx."""
        status = response.status_code
        if 300 <= status < 400:
            return redirect_error(operation, status, response.headers.get('Location'))
        retry_after = rate_limit_delay(response.headers) if status == 429 else None
        return api_error(operation, status, response.reason, response.content, response.headers.get('Content-Type'),
                         retry_after=retry_after, hints=hints, secrets=self.settings.secrets,
                         given=self.given)

    def _retry_delay(self, exc, attempt, idempotent):
        """Seconds to wait before sending again after ``exc``, or None when it must not be sent again."""
        if isinstance(exc, APIError):
            if exc.status == 429:
                return exc.retry_after if exc.retry_after is not None else backoff_delay(attempt)
            return backoff_delay(attempt) if idempotent and exc.status in RETRIABLE_STATUSES else None
        if not exc.retriable:
            return None
        return backoff_delay(attempt) if idempotent or not exc.may_have_arrived else None

    def _retry_after(self, delay, reason, attempt):
        self.warn('%s; retrying in %s (retry %d of %d).'
                  % (reason.rstrip('.'), _seconds_text(delay), attempt, self.settings.retries))
        self.sleep(delay)

    @staticmethod
    def _retry_reason(exc, operation):
        if isinstance(exc, APIError) and exc.status == 429:
            return '%s was rate limited (HTTP 429)' % operation
        return exc.message

    # ------------------------------------------------------------------ requests

    def request(self, method, path, operation, params=None, body=None, idempotent=None, hints=None, expect_body=True):
        """Send one API request and return its decoded JSON body (None for 204; see ``_attempt`` for ``expect_body``).

        ``operation`` names the request in messages ("Listing datasets of project X").
        ``idempotent`` (default: true for GET) allows sending again after a 5xx, a timeout or a
        dropped connection; a 429 and a connection never made are always retried. ``hints`` maps
        a status to what the user can check. Raises APIError or TransportError.
        """
        if idempotent is None:
            idempotent = method == 'GET'
        attempt = 0
        while True:
            try:
                return self._attempt(method, path, operation, params, body, hints, expect_body)
            except (APIError, TransportError) as exc:
                delay = self._retry_delay(exc, attempt + 1, idempotent)
                if delay is None or attempt >= self.settings.retries:
                    raise
                attempt += 1
                self._retry_after(delay, self._retry_reason(exc, operation), attempt)

    def write_once(self, method, path, operation, body, find_result, settle_timeout, undone, parse=None, hints=None,
                   resend_unknown=True, landed=None, expect_body=True):
        """Send a write that must not happen twice, and return its result (or what ``find_result`` found).

        ``parse`` turns the decoded answer into the result (a TransportError from it counts as a
        lost answer); ``find_result`` returns a result of the same form, or None.

        When the answer leaves the outcome unknown (5xx, timeout, dropped connection, unreadable
        body), ``find_result`` is polled for ``settle_timeout`` seconds, since reads lag behind
        writes: if it finds the result, that is the result, and the write is not sent again; if the
        lookup itself fails, the write's error is raised, its outcome unknown (the lookup's error in
        its message). Otherwise the write is sent again, at most ``retries`` times in all, unless
        ``resend_unknown`` is false: then it fails at once, its outcome unknown (the exception's
        ``outcome_unknown`` is true). A 429 and a connection never made are sent again at once
        after their wait. Any other 4xx is final; after an earlier attempt whose outcome was
        unknown, ``landed(exc)`` may recognise the refusal as proof that that attempt was carried
        out and return the result, and a refusal it does not recognise leaves the outcome unknown.
        ``undone`` ends the message of a final failure: what did not happen ("nothing was created").
        ``expect_body`` false: an empty 2xx is the answer, not a lost one (see ``_attempt``).
        """
        attempt = 0
        uncertain = False  # an earlier attempt may have been carried out
        while True:
            try:
                answer = self._attempt(method, path, operation, None, body, hints, expect_body)
                return parse(answer) if parse else answer
            except (APIError, TransportError) as exc:
                unknown = answer_lost(exc)
                if uncertain and not unknown and landed is not None and isinstance(exc, APIError):
                    proof = landed(exc)
                    if proof is not None:
                        self.warn('%s got no clear answer at first, and sending it again was refused in a way that '
                                  'shows the first attempt was carried out (%s); not sending it again.'
                                  % (operation, _first_sentence(exc.message)))
                        return proof
                if unknown:
                    try:
                        found = self.poll(find_result, settle_timeout)
                    except LLMObsError as lookup:
                        # The lookup's own error would hide the write, and a caller could take it as not done.
                        exc.extend_message(' It may have been carried out, and the lookup that would tell failed too '
                                           '(%s): its outcome is unknown.' % _first_sentence(lookup.message))
                        exc.outcome_unknown = True
                        raise exc from lookup
                    if found is not None:
                        self.warn('%s did not get a clear answer (%s), but a lookup shows it was done; '
                                  'not sending it again.' % (operation, _first_sentence(exc.message)))
                        return found
                    if not resend_unknown:
                        exc.extend_message(' Reads for %s did not show it, but reads can lag behind writes, so '
                                           'it may have been carried out: its outcome is unknown. It was not sent '
                                           'again, since that could do it twice.' % _seconds_text(settle_timeout))
                        exc.outcome_unknown = True
                        raise
                    uncertain = True
                    delay = backoff_delay(attempt + 1)
                else:
                    delay = self._retry_delay(exc, attempt + 1, idempotent=False)
                if delay is None:
                    if isinstance(exc, APIError) and not unknown:
                        if uncertain:
                            _outcome_unknown(exc, ' The request was refused, but')
                        else:
                            exc.extend_message(' The request was refused, so %s.' % undone)
                    raise
                if attempt >= self.settings.retries:
                    if unknown:
                        exc.extend_message(' A lookup found no trace of it, so %s.' % undone)
                    elif uncertain:
                        _outcome_unknown(exc, '')
                    else:
                        exc.extend_message(' The request was not carried out, so %s.' % undone)
                    raise
                attempt += 1
                reason = self._retry_reason(exc, operation)
                if unknown:  # not "it was not done": reads can lag behind writes
                    reason = '%s; a lookup found no sign of it (reads can lag behind writes)' % reason.rstrip('.')
                self._retry_after(delay, reason, attempt)

    def download(self, path, operation, params, sink, accept, hints=None, label=None):
        """GET a body that may be large (an export) into ``sink``, streamed, never held whole; return its size in bytes.

        ``sink`` has ``write(chunk)`` and ``restart()``, called before a retry: what the failed attempt
        wrote is dropped, so the sink ends with one whole answer or the download fails. ``accept`` is
        the media type asked for (``text/csv``); a 2xx that is a page or a JSON document (NOT_A_DOWNLOAD: a
        proxy's page, an error inside a 200) is not taken, whatever else is (servers label files loosely).
        Retried as a read. The whole download, every attempt, is bounded by ``list_timeout``; progress
        lines begin with ``label``.
        """
        deadline = self.clock() + self.settings.list_timeout
        attempt = 0
        while True:
            try:
                return self._download_once(path, operation, params, sink, accept, hints, deadline, label)
            except (APIError, TransportError) as exc:
                delay = self._retry_delay(exc, attempt + 1, idempotent=True)
                if delay is None or attempt >= self.settings.retries or self.clock() + delay > deadline:
                    raise
                attempt += 1
                sink.restart()
                self._retry_after(delay, self._retry_reason(exc, operation), attempt)

    def _download_once(self, path, operation, params, sink, accept, hints, deadline, label):
        try:
            response = self._send('GET', path, params, None, accept=accept, stream=True)
        except TransportError as exc:
            raise TransportError('%s failed: %s' % (operation, exc.message), retriable=exc.retriable)
        try:
            if not 200 <= response.status_code < 300:
                # An error's body is small; it is read within the request's own bound.
                try:
                    call_within(lambda: response.content, self.settings.timeout + DEADLINE_GRACE)
                except (_DeadlinePassed, requests.exceptions.RequestException):
                    pass
                raise self._refusal(operation, response, hints)
            media_type = (response.headers.get('Content-Type') or '').split(';')[0].strip().lower()
            if media_type in NOT_A_DOWNLOAD:
                # A page or a document where a file was asked for: a proxy's, or an error inside a 200.
                raise TransportError('%s returned HTTP %s with %s where %s was asked for: a proxy or another '
                                     'server may have answered.' % (operation, response.status_code, media_type, accept),
                                     retriable=False)
            size = self._stream_body(response, sink, operation, deadline, label)
            expected = response.headers.get('Content-Length')
            if expected and expected.isdigit() and int(expected) != size and not response.headers.get('Content-Encoding'):
                raise TransportError('%s was cut off: %d of %s bytes arrived.' % (operation, size, expected))
            return size
        finally:
            if not getattr(response, 'llmobs_abandoned', False):
                response.close()

    def _stream_body(self, response, sink, operation, deadline, label):
        """Copy the answer's body into ``sink`` chunk by chunk, within ``deadline``.

        A thread reads the socket, since one read can wait for a byte for ``timeout`` seconds and a
        server that drips bytes could hold a chunk for ever; this thread writes the sink and keeps the
        clock. At most DOWNLOAD_QUEUE chunks wait between the two.
        """
        chunks = queue.Queue(DOWNLOAD_QUEUE)
        stop = threading.Event()
        end = object()

        def read():
            try:
                for chunk in response.iter_content(DOWNLOAD_CHUNK):
                    if chunk and not _offer(chunks, chunk, stop):
                        return
                _offer(chunks, end, stop)
            except BaseException as exc:  # pylint: disable=broad-except
                _offer(chunks, exc, stop)  # raised again in the sink's thread

        worker = threading.Thread(target=read, name='llmobs-download')
        worker.daemon = True
        worker.start()
        size = 0
        tracker = object()
        try:
            while True:
                remaining = deadline - self.clock()
                try:
                    item = chunks.get(timeout=max(remaining, 0.001))
                except queue.Empty:
                    raise TransportError('%s was still going after %s (list_timeout): %s had been written.'
                                         % (operation, _seconds_text(self.settings.list_timeout),
                                            counted_large(size, 'byte')), retriable=False)
                if item is end:
                    self.progress.done(tracker, '%s: %s read in all.' % (label or operation, counted_large(size, 'byte')))
                    return size
                if isinstance(item, BaseException):
                    if isinstance(item, (OSError, ValueError)):  # requests' errors are OSErrors
                        raise TransportError('%s was cut off after %s: %s'
                                             % (operation, counted_large(size, 'byte'), self._reason(item)))
                    raise item
                sink.write(item)
                size += len(item)
                self.progress.step(tracker, '%s: %s read so far.' % (label or operation, counted_large(size, 'byte')))
        finally:
            stop.set()
            if worker.is_alive():
                _abandon(response)

    def pages(self, path, operation, params, page_limit, key=None, hints=None, noun='item', label=None,
              items_at=('data',), on_page=None, null_is_empty=False):
        """Yield every item of a cursor-paged list once, following ``meta.after`` to the end.

        ``page_limit`` is sent as ``page[limit]``; None sends none (a route whose spec takes no page size, whose
        answer is followed by its cursor all the same).

        ``items_at`` is where a page's body keeps its list of items (``data``, except in the
        experiment events: ``data.attributes.spans``); anything but a list there fails, but a null when
        ``null_is_empty`` (some servers write an empty list as null). ``on_page(document)``, when given, sees
        each page's whole body first (what a page holds beside its items).

        After each page, ``progress`` hears how many items (``noun``, singular) were read; its lines
        begin with ``label`` ("dataset eval-questions"), by default ``operation``.

        Items are told apart by ``key`` (default: their ``id``): a list that changes between
        pages can repeat an item. The end is a page without a next cursor, or an empty page whose
        next cursor is the one it was asked with. A cursor seen before, MAX_EMPTY_PAGES pages in a
        row that bring nothing new (empty, or only items listed already) but still point further,
        more than MAX_PAGES pages, or a list still going after ``list_timeout`` seconds end in an
        error rather than a loop: a server or proxy that ignores ``page[cursor]``, or keeps making
        new pages, would never finish.
        """
        pager = _Pager(operation, key or (lambda item: item.get('id')), self.clock, self.settings.list_timeout)
        for number in range(1, MAX_PAGES + 1):
            if number > 1:
                pager.check_time(number)
            page_params = dict(params)
            if page_limit is not None:  # None: a list whose route takes no page size
                page_params['page[limit]'] = page_limit
            if pager.cursor:
                page_params['page[cursor]'] = pager.cursor
            document = self.request('GET', path, operation, params=page_params, hints=hints)
            data = _walk(document, items_at)
            if data is None and null_is_empty and _given_as_null(document, items_at):
                data = []
            if not isinstance(data, list):
                raise LLMObsError('%s returned a response without a "%s" list; the API may have changed.'
                                  % (operation, '.'.join(items_at)))
            if on_page is not None:
                on_page(document)
            meta = document.get('meta')
            del document  # a page of experiment events is large: only its items are kept while they are used
            yield from pager.new_items(data)
            ended = pager.at_end(data, meta.get('after') if isinstance(meta, dict) else None, number)
            data = None  # not held while the next page is read: a page of events is large
            read = '%s: %s read' % (label or operation, counted_large(pager.items, noun))
            if ended:
                self.progress.done(pager, read + ' in all.')
                return
            self.progress.step(pager, read + ' so far.')
        raise LLMObsError('%s: the list went on past %d pages; stopping rather than looping forever. The server '
                          'or a proxy may be ignoring page[cursor].' % (operation, MAX_PAGES))

    def poll(self, find, timeout):
        """Call ``find`` until it returns something other than None or ``timeout`` seconds have passed.

        The first call is immediate; returns the last result (None when nothing appeared). The reads
        of a wait report no progress: they are the same read again, not a step forward.
        """
        progress, self.progress = self.progress, Progress()
        try:
            return self._poll(find, timeout)
        finally:
            self.progress = progress

    def _poll(self, find, timeout):
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


def _walk(document, keys):
    """``document[k1][k2]...``, or None where a step is missing or not an object."""
    for key in keys:
        if not isinstance(document, dict):
            return None
        document = document.get(key)
    return document


def _given_as_null(document, keys):
    """Whether the list at ``keys`` is there, as null (an empty list as some servers write it), not missing."""
    parent = _walk(document, keys[:-1])
    return isinstance(parent, dict) and keys[-1] in parent and parent[keys[-1]] is None


def _abandon(response):
    """Let go of a response whose body the reader thread still waits for (the deadline passed, or the sink failed).

    Closing it here would wait for that read, which returns only with a whole chunk or the end of the body: a
    server that drips bytes would hold the task for hours. The socket is shut down instead, which ends the read at
    once, and the response is closed in a thread of its own.
    """
    response.llmobs_abandoned = True
    raw = getattr(response, 'raw', None)
    connection = getattr(raw, 'connection', None) or getattr(raw, '_connection', None)
    sock = getattr(connection, 'sock', None)
    if sock is None:  # the socket under http.client's reader, where urllib3 no longer names the connection
        sock = getattr(getattr(getattr(getattr(raw, '_fp', None), 'fp', None), 'raw', None), '_sock', None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except (OSError, ValueError):
            pass
    closer = threading.Thread(target=response.close, name='llmobs-download-close')
    closer.daemon = True
    closer.start()


def _offer(chunks, item, stop):
    """Put ``item`` on the queue unless the reader of the queue has stopped; False when it has."""
    while not stop.is_set():
        try:
            chunks.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def _outcome_unknown(exc, lead):
    """End the message of a write that failed after an attempt whose answer was lost: it may have been done."""
    text = 'an earlier attempt got no clear answer and may have been carried out: its outcome is unknown.'
    exc.extend_message('%s %s' % (lead, text) if lead else ' ' + text[0].upper() + text[1:])
    exc.outcome_unknown = True


def _format_seconds(seconds):
    return ('%d' % seconds) if float(seconds).is_integer() else ('%.1f' % seconds)


def _seconds_text(seconds):
    text = _format_seconds(seconds)
    return '%s second' % text if text == '1' else '%s seconds' % text


def _first_sentence(text):
    return text.split('. ')[0].rstrip('.')
