# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Retries bound every re-send of one request, whichever layer retries it.

A write, a read, a PATCH, a lost answer and the lookup that follows it, a rate limit: each request is sent at
most ``retries + 1`` times, with one backoff between sends, and lost answers and refused connections
share that one budget.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import requests

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import APIError, LLMObsError, TransportError
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import PROJECT, SOURCE, dataset, make_api
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    clone_dataset,
    datasets_by_name,
    projects_by_name,
    update_dataset,
)

REFUSED = ("HTTPSConnectionPool(host='api.datadoghq.com', port=443): Max retries exceeded with url: /x "
           "(Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f>: "
           "Failed to establish a new connection: [Errno 111] Connection refused'))")
DROPPED = "('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))"


def refused():
    return requests.exceptions.ConnectionError(REFUSED)


def clone(api, settle_timeout=1):
    return api.datasets.clone(PROJECT, SOURCE, 'copy-1', None, settle_timeout)


def backoffs(clock):
    """The waits between sends; the lookups' poll waits are the ones below one second."""
    return [seconds for seconds in clock.sleeps if seconds >= 1]


@pytest.mark.parametrize('retries', [1, 2, 3, 5])
def test_a_write_that_never_connects_is_sent_retries_plus_one_times(http, clock, retries):
    warnings = []
    http.expect(clone_dataset('copy-1').raises(refused()).times(retries + 1))

    with pytest.raises(TransportError) as info:
        clone(make_api(retries, warnings))

    assert http.count('POST') == retries + 1
    assert len(warnings) == retries
    assert [w.split('(retry ')[1] for w in warnings] == ['%d of %d).' % (n, retries) for n in range(1, retries + 1)]
    assert clock.sleeps == [float(2 ** n) for n in range(retries)]  # 1, 2, 4, ... and nothing else
    assert info.value.message.endswith('The request was not carried out, so nothing was created.')


def test_a_server_gone_right_after_the_lookup_costs_three_seconds_with_retries_2(http, clock):
    # Was 13 s and 3 x 3 sends: the request's own retry loop ran inside write_once's.
    http.expect(clone_dataset('copy-1').raises(refused()).times(3))

    with pytest.raises(TransportError):
        clone(make_api(2))

    assert sum(clock.sleeps) == 3.0


@pytest.mark.parametrize('lost', ['500', '503', 'dropped', 'read-timeout', 'empty-200'])
def test_a_lost_answer_is_looked_up_before_every_send_again(http, clock, lost):
    answers = {
        '500': lambda call: call.reply_error(500, {'title': 'Internal Server Error'}),
        '503': lambda call: call.reply(503, body='<html>unavailable</html>', content_type='text/html'),
        'dropped': lambda call: call.raises(requests.exceptions.ConnectionError(DROPPED)),
        'read-timeout': lambda call: call.raises(requests.exceptions.ReadTimeout('read timed out')),
        'empty-200': lambda call: call.reply(200, body=''),
    }
    warnings = []
    for dummy in range(4):
        http.expect(answers[lost](clone_dataset('copy-1')), datasets_by_name('copy-1').reply_page().times(3))

    with pytest.raises(LLMObsError) as info:
        clone(make_api(3, warnings), settle_timeout=1)

    methods = http.methods
    assert methods.count('POST') == 4
    assert all(methods[i + 1] == 'GET' for i, method in enumerate(methods) if method == 'POST')
    assert backoffs(clock) == [1.0, 2.0, 4.0]
    assert sum(clock.sleeps) == pytest.approx(7 + 4 * 1)  # the backoff, and four lookups of settle_timeout
    assert len(warnings) == 3 and all('a lookup found no sign of it' in w for w in warnings)
    assert not [w for w in warnings if '.;' in w], 'a sentence ends before its semicolon'
    assert 'A lookup found no trace of it, so nothing was created.' in info.value.message


def test_lost_answers_and_refused_connections_share_one_budget(http, clock):
    warnings = []
    http.expect(
        clone_dataset('copy-1').reply_error(502, 'bad gateway'),
        datasets_by_name('copy-1').reply_page().times(3),
        clone_dataset('copy-1').raises(refused()).times(3),
    )

    with pytest.raises(TransportError):
        clone(make_api(3, warnings), settle_timeout=1)

    assert http.count('POST') == 4
    assert backoffs(clock) == [1.0, 2.0, 4.0]
    assert len(warnings) == 3


def test_a_lost_answer_found_by_the_lookup_is_not_sent_again(http, clock):
    warnings = []
    http.expect(
        clone_dataset('copy-1').raises(requests.exceptions.ConnectionError(DROPPED)),
        datasets_by_name('copy-1').reply_page(),
        datasets_by_name('copy-1').reply_page(dataset('new-1', 'copy-1')),
    )

    assert clone(make_api(3, warnings))['id'] == 'new-1'
    assert http.count('POST') == 1 and backoffs(clock) == []
    assert len(warnings) == 1 and 'a lookup shows it was done; not sending it again' in warnings[0]


@pytest.mark.parametrize('retries', [1, 3])
def test_a_rate_limited_write_is_sent_retries_plus_one_times(http, clock, retries):
    http.expect(clone_dataset('copy-1').reply_error(429, 'slow down', headers={'X-RateLimit-Reset': '5'}).times(retries + 1))

    with pytest.raises(APIError) as info:
        clone(make_api(retries))

    assert http.count('POST') == retries + 1
    assert clock.sleeps == [5.0] * retries
    assert info.value.status == 429


@pytest.mark.parametrize('retries', [1, 2, 3])
@pytest.mark.parametrize('failure', ['503', 'refused', 'dropped', 'read-timeout', '429'])
def test_a_read_is_sent_at_most_retries_plus_one_times(http, clock, retries, failure):
    answers = {
        '503': lambda call: call.reply_error(503, 'unavailable'),
        'refused': lambda call: call.raises(refused()),
        'dropped': lambda call: call.raises(requests.exceptions.ConnectionError(DROPPED)),
        'read-timeout': lambda call: call.raises(requests.exceptions.ReadTimeout('read timed out')),
        '429': lambda call: call.reply_error(429, 'slow down'),
    }
    warnings = []
    http.expect(answers[failure](projects_by_name('p')).times(retries + 1))

    with pytest.raises(LLMObsError):
        make_api(retries, warnings).projects.find_by_name('p')

    assert http.count('GET') == retries + 1
    assert len(warnings) == retries
    assert clock.sleeps == [float(2 ** n) for n in range(retries)]


def test_a_patch_is_sent_at_most_retries_plus_one_times(http, clock):
    http.expect(update_dataset('d1', {'name': 'n'}).reply_error(500, 'boom').times(3))

    with pytest.raises(APIError):
        make_api(2).datasets.update(PROJECT, 'd1', {'name': 'n'})

    assert http.count('PATCH') == 3 and clock.sleeps == [1.0, 2.0]


def test_a_lookup_that_fails_inside_a_write_is_bounded_too(http, clock):
    # The POST's answer is lost; the lookup that would decide cannot read either: it fails after
    # its own retries, and the POST is not sent again blindly. The failure is the POST's, its outcome
    # unknown: the lookup's error alone would read as if nothing had been written.
    http.expect(
        clone_dataset('copy-1').reply_error(500, 'boom'),
        datasets_by_name('copy-1').reply_error(503, 'unavailable').times(3),
    )

    with pytest.raises(APIError) as info:
        clone(make_api(2))

    assert http.count('POST') == 1 and http.count('GET') == 3
    assert info.value.status == 500 and info.value.outcome_unknown is True
    assert info.value.message.startswith('Cloning dataset'), info.value.message
    assert 'It may have been carried out, and the lookup that would tell failed too (Listing datasets' in \
        info.value.message and 'HTTP 503' in info.value.message and 'its outcome is unknown' in info.value.message
