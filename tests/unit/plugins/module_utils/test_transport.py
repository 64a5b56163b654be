# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The transport on its own: delays, polling, paging bounds, transport failures and key masking."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import socket
import threading
import time

import pytest
import requests

from ansible_collections.llmobs.datadog.plugins.module_utils._connection import ConnectionSettings
from ansible_collections.llmobs.datadog.plugins.module_utils._datasets import Datasets
from ansible_collections.llmobs.datadog.plugins.module_utils._transport import (
    COLLECTION_VERSION,
    USER_AGENT,
    Transport,
    backoff_delay,
    path_segment,
    rate_limit_delay,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import APIError, LLMObsError, TransportError
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import API_KEY, APP_KEY, BASE_URL, PROJECT, make_transport
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import Call, list_datasets


def make_datasets(retries=3, warnings=None):
    return Datasets(make_transport(retries, warnings))


@pytest.mark.parametrize('attempt, expected', [(1, 1.0), (2, 2.0), (3, 4.0), (6, 30.0), (20, 30.0)])
def test_backoff_doubles_up_to_a_ceiling(attempt, expected):
    assert backoff_delay(attempt) == expected


@pytest.mark.parametrize('headers, expected', [
    ({'X-RateLimit-Reset': '12'}, 12.0),
    ({'X-RateLimit-Reset': '0'}, 1.0),
    ({'X-RateLimit-Reset': '-4'}, 1.0),
    ({'X-RateLimit-Reset': '100000'}, 60.0),
    ({'X-RateLimit-Reset': 'soon'}, None),
    ({'X-RateLimit-Reset': 'nan'}, None),
    ({}, None),
])
def test_rate_limit_delay_follows_the_reset_header_within_bounds(headers, expected):
    assert rate_limit_delay(headers) == expected


def test_poll_returns_as_soon_as_something_is_found(clock):
    transport = make_transport()
    answers = iter([None, None, 'found'])
    assert transport.poll(lambda: next(answers), timeout=10) == 'found'
    assert clock.sleeps == [0.5, 1.0]


def test_poll_gives_up_at_the_timeout(clock):
    transport = make_transport()
    assert transport.poll(lambda: None, timeout=5) is None
    assert sum(clock.sleeps) == pytest.approx(5)
    assert max(clock.sleeps) <= 2.0


def test_connection_refused_means_the_server_never_saw_the_request(http, clock):
    http.expect(list_datasets(name='x').raises(requests.exceptions.ConnectionError(
        "HTTPSConnectionPool(host='x', port=443): Max retries exceeded (Caused by NewConnectionError('refused'))")))
    datasets = make_datasets(retries=0)
    with pytest.raises(TransportError) as info:
        datasets.list(PROJECT, name='x')
    assert info.value.may_have_arrived is False


def test_dropped_connection_may_have_reached_the_server(http, clock):
    http.expect(list_datasets(name='x').raises(requests.exceptions.ConnectionError('Connection aborted: RemoteDisconnected')))
    datasets = make_datasets(retries=0)
    with pytest.raises(TransportError) as info:
        datasets.list(PROJECT, name='x')
    assert info.value.may_have_arrived is True


def test_keys_quoted_by_an_exception_are_masked(http, clock):
    http.expect(list_datasets().raises(requests.exceptions.InvalidHeader('bad header value %s' % APP_KEY)))
    datasets = make_datasets(retries=0)
    with pytest.raises(TransportError) as info:
        datasets.list(PROJECT)
    assert APP_KEY not in info.value.message and '********' in info.value.message


def test_each_retry_is_reported(http, clock):
    warnings = []
    http.expect(list_datasets().reply(504, body=''), list_datasets().reply_page())
    make_datasets(warnings=warnings).list(PROJECT)
    assert warnings == ['Listing datasets of project proj-1 failed with HTTP 504 Gateway Timeout: the response body '
                        'was empty; retrying in 1 second (retry 1 of 3).']


def test_data_that_is_not_a_list_is_an_error(http, clock):
    http.expect(list_datasets().reply(200, json={'data': {'id': 'x'}}))
    with pytest.raises(LLMObsError, match='without a "data" list'):
        make_datasets().list(PROJECT)


def test_collection_version_matches_galaxy_yml():
    import os
    galaxy = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'galaxy.yml')
    with open(galaxy) as handle:
        versions = [line.split(':', 1)[1].strip() for line in handle if line.startswith('version:')]
    assert versions == [COLLECTION_VERSION]


def test_every_request_carries_the_keys_and_identifies_the_collection(http):
    http.expect(Call('GET', '/api/v2/x').header('Accept', 'application/json').header('User-Agent', USER_AGENT)
                .reply(200, json={'ok': True}))

    assert make_transport().request('GET', '/api/v2/x', 'Reading x') == {'ok': True}


def test_a_204_is_none(http):
    http.expect(Call('POST', '/api/v2/x').expect_json({'a': 1}).reply(204))

    assert make_transport().request('POST', '/api/v2/x', 'Writing x', body={'a': 1}) is None


def test_a_write_is_not_sent_again_after_a_5xx_by_request(http):
    # request() sends writes once unless told they are idempotent; write_once is the way to retry them.
    http.expect(Call('POST', '/api/v2/x').expect_json({}).reply_error(500, 'boom'))

    with pytest.raises(APIError):
        make_transport().request('POST', '/api/v2/x', 'Writing x', body={})


def test_an_unreadable_2xx_to_a_read_is_retried(http, clock):
    http.expect(Call('GET', '/api/v2/x').reply(200, body='<html>', content_type='text/html'),
                Call('GET', '/api/v2/x').reply(200, json={'ok': 1}))
    warnings = []

    assert make_transport(warnings=warnings).request('GET', '/api/v2/x', 'Reading x') == {'ok': 1}
    assert warnings == ['Reading x returned HTTP 200 with a body that is not valid JSON; retrying in 1 second '
                        '(retry 1 of 3).']


def test_a_redirect_is_never_followed(http):
    http.expect(Call('GET', '/api/v2/x').reply(301, headers={'Location': 'https://elsewhere.example/'}))

    with pytest.raises(APIError, match='a redirect to https://elsewhere.example/, which is not followed'):
        make_transport().request('GET', '/api/v2/x', 'Reading x')


def test_pages_tell_items_apart_by_the_key_given(http):
    http.expect(
        Call('GET', '/api/v2/x').query({'page[limit]': 2}).reply_page({'n': 1}, {'n': 2}, after='c1'),
        Call('GET', '/api/v2/x').query({'page[limit]': 2, 'page[cursor]': 'c1'}).reply_page({'n': 2}, {'n': 3}),
    )

    items = list(make_transport().pages('/api/v2/x', 'Listing x', {}, 2, key=lambda item: item['n']))

    assert items == [{'n': 1}, {'n': 2}, {'n': 3}]


def test_pages_skip_entries_that_are_not_objects(http):
    http.expect(Call('GET', '/api/v2/x').query({'page[limit]': 10}).reply_page('odd', None, {'id': 'a'}))

    assert list(make_transport().pages('/api/v2/x', 'Listing x', {}, 10)) == [{'id': 'a'}]


def test_pages_keep_the_caller_params_untouched(http):
    params = {'filter[name]': 'n'}
    http.expect(Call('GET', '/api/v2/x').query({'filter[name]': 'n', 'page[limit]': 10}).reply_page(after='c'),
                Call('GET', '/api/v2/x').query({'filter[name]': 'n', 'page[limit]': 10, 'page[cursor]': 'c'}).reply_page())

    assert list(make_transport().pages('/api/v2/x', 'Listing x', params, 10)) == []
    assert params == {'filter[name]': 'n'}


@pytest.mark.parametrize('value, expected', [('abc', 'abc'), ('a/b', 'a%2Fb'), ('..', '..'), ('a b?', 'a%20b%3F')])
def test_path_segments_are_quoted(value, expected):
    assert path_segment(value) == expected


def test_poll_never_sleeps_past_its_timeout(clock):
    assert make_transport().poll(lambda: None, timeout=2.2) is None
    assert clock.sleeps == [0.5, 1.0, pytest.approx(0.7)]


# ---------------------------------------------------------------- every loop is bounded


class DrippingServer(object):
    """A server on 127.0.0.1 that sends a whole, valid answer a few bytes at a time, each pause shorter than
    the client's timeout, so that only a bound on the whole request stops the client."""

    ANSWER = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok": true}'

    def __init__(self, pause=0.05, chunk=2):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(4)
        self.listener.settimeout(10)
        self.pause, self.chunk = pause, chunk
        self.url = 'http://127.0.0.1:%d' % self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self.serve)
        self.thread.daemon = True
        self.thread.start()

    def serve(self):
        try:
            connection, dummy = self.listener.accept()
        except (OSError, socket.timeout):
            return
        with connection:
            connection.recv(65536)
            for start in range(0, len(self.ANSWER), self.chunk):
                time.sleep(self.pause)
                try:
                    connection.sendall(self.ANSWER[start:start + self.chunk])
                except OSError:
                    return  # the client hung up

    def close(self):
        self.listener.close()


def test_a_server_that_drips_its_answer_fails_the_request_at_its_timeout():
    server = DrippingServer()  # the answer takes about 2 seconds in all, each pause 0.05 s
    try:
        transport = Transport(ConnectionSettings(server.url, API_KEY, APP_KEY, True, 0.5, 1))
        with pytest.raises(TransportError) as info:
            transport.request('GET', '/api/v2/x', 'Reading x', idempotent=False)
    finally:
        server.close()
    assert 'no complete response from %s within 0.5 seconds (timeout)' % server.url in info.value.message
    assert info.value.may_have_arrived is True


def test_a_list_that_never_ends_stops_at_list_timeout_saying_what_was_read(http):
    ticks = iter(range(0, 100000, 4))  # every look at the clock: 4 seconds later
    transport = Transport(ConnectionSettings(BASE_URL, API_KEY, APP_KEY, True, 5.0, 3, list_timeout=10),
                          clock=lambda: next(ticks))
    http.expect(Call('GET', '/api/v2/x').query({'page[limit]': 2}).reply_page({'id': 'a'}, {'id': 'b'}, after='c1'),
                Call('GET', '/api/v2/x').query({'page[limit]': 2, 'page[cursor]': 'c1'})
                .reply_page({'id': 'c'}, {'id': 'd'}, after='c2'),
                Call('GET', '/api/v2/x').query({'page[limit]': 2, 'page[cursor]': 'c2'})
                .reply_page({'id': 'e'}, {'id': 'f'}, after='c3'))

    with pytest.raises(LLMObsError) as info:
        list(transport.pages('/api/v2/x', 'Listing x', {}, 2))

    assert info.value.message == ('Listing x: the list was still going after 10 seconds (list_timeout): 6 items on 3 '
                                  'pages were read, and the last page pointed to yet another. Stopping; if the list '
                                  'is really that long, raise list_timeout.')


# ---------------------------------------------------------------- writes whose outcome is unknown


def test_a_write_that_must_not_be_sent_twice_stops_when_its_outcome_is_unknown(http, clock):
    http.expect(Call('POST', '/api/v2/x').expect_json({}).reply_error(500, 'boom'))

    with pytest.raises(APIError) as info:
        make_transport().write_once('POST', '/api/v2/x', 'Writing x', {}, lambda: None, 2, 'nothing was written',
                                    resend_unknown=False)

    assert info.value.outcome_unknown is True
    assert 'its outcome is unknown. It was not sent again' in info.value.message
    assert 'nothing was written' not in info.value.message


def test_a_refusal_after_a_lost_answer_never_says_the_write_was_not_done(http, clock):
    http.expect(Call('POST', '/api/v2/x').expect_json({}).reply_error(500, 'boom'),
                Call('POST', '/api/v2/x').expect_json({}).reply_error(409, 'exists'))

    with pytest.raises(APIError) as info:
        make_transport().write_once('POST', '/api/v2/x', 'Writing x', {}, lambda: None, 0, 'nothing was written')

    assert info.value.outcome_unknown is True
    assert 'nothing was written' not in info.value.message and 'outcome is unknown' in info.value.message


def test_a_refusal_that_proves_the_lost_attempt_landed_is_its_result(http, clock):
    warnings = []
    http.expect(Call('POST', '/api/v2/x').expect_json({}).reply_error(502, 'boom'),
                Call('POST', '/api/v2/x').expect_json({}).reply_error(400, 'id e1 already exists'))

    found = make_transport(warnings=warnings).write_once(
        'POST', '/api/v2/x', 'Writing x', {}, lambda: None, 0, 'nothing was written',
        landed=lambda exc: 'landed' if 'already exists' in exc.message else None)

    assert found == 'landed'
    assert 'shows the first attempt was carried out' in warnings[-1]


def test_a_first_refusal_is_no_proof_of_anything(http, clock):
    http.expect(Call('POST', '/api/v2/x').expect_json({}).reply_error(400, 'id e1 already exists'))

    with pytest.raises(APIError) as info:
        make_transport().write_once('POST', '/api/v2/x', 'Writing x', {}, lambda: None, 0, 'nothing was written',
                                    landed=lambda exc: 'landed')

    assert info.value.outcome_unknown is False and 'The request was refused, so nothing was written.' in info.value.message


def _real_transport(base_url, warnings, retries=3):
    return Transport(ConnectionSettings(base_url, API_KEY, APP_KEY, True, 5.0, retries), warn=warnings.append,
                     sleep=lambda seconds: warnings.append('slept %s' % seconds))


def test_a_host_that_does_not_resolve_fails_at_once_naming_it():
    # .invalid is reserved: it never resolves, so no request can leave the machine.
    warnings = []
    with pytest.raises(TransportError) as info:
        _real_transport('https://api.us55.invalid', warnings).request('GET', '/api/v2/x', 'Listing projects')
    assert info.value.message.startswith("Listing projects failed: could not reach https://api.us55.invalid: the host "
                                         "name 'api.us55.invalid' does not resolve (")
    assert info.value.message.endswith('). Check site or api_url.')
    assert warnings == []  # no retry, no wait
    assert info.value.may_have_arrived is False and info.value.retriable is False


@pytest.mark.parametrize('code, text', [
    (socket.EAI_NONAME, 'Name or service not known'),
    (socket.EAI_AGAIN, 'Temporary failure in name resolution'),
])
def test_a_resolver_error_is_never_retried(monkeypatch, code, text):
    lookups = []

    def failing_lookup(host, *args, **kwargs):
        lookups.append(host)
        raise socket.gaierror(code, text)

    monkeypatch.setattr(socket, 'getaddrinfo', failing_lookup)
    warnings = []
    with pytest.raises(TransportError) as info:
        _real_transport('https://proxy.example.com:8443/datadog', warnings).request('GET', '/api/v2/x', 'Reading x')
    assert lookups == ['proxy.example.com']
    assert warnings == []
    assert ("could not reach https://proxy.example.com:8443/datadog: the host name 'proxy.example.com' does not "
            "resolve (%s)." % text) in info.value.message


def test_a_write_to_a_host_that_does_not_resolve_is_not_carried_out(http, clock):
    # urllib3 1.x says it only in text: the marker is enough.
    http.expect(Call('POST', '/api/v2/x').expect_json({}).raises(requests.exceptions.ConnectionError(
        "HTTPSConnectionPool(host='api.datadoghq.com', port=443): Max retries exceeded (Caused by NewConnectionError("
        "'<urllib3.connection.HTTPSConnection object at 0x7f>: Failed to establish a new connection: [Errno 8] "
        "nodename nor servname provided, or not known'))")))
    warnings = []
    with pytest.raises(TransportError) as info:
        make_transport(3, warnings).write_once('POST', '/api/v2/x', 'Creating x', {}, lambda: None, 5, 'nothing was created')
    assert http.count('POST') == 1 and clock.sleeps == [] and warnings == []
    assert "the host name 'api.datadoghq.com' does not resolve (nodename nor servname)" in info.value.message


def test_a_refused_connection_is_still_retried(http, clock):
    http.expect(list_datasets().raises(requests.exceptions.ConnectionError(
        "HTTPSConnectionPool(host='x', port=443): Max retries exceeded (Caused by NewConnectionError("
        "'Failed to establish a new connection: [Errno 111] Connection refused'))")), list_datasets().reply_page())
    assert make_datasets().list(PROJECT) == []
    assert clock.sleeps == [1.0]
