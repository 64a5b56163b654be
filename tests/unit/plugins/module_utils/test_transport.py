# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The transport on its own: delays, polling, paging bounds, transport failures and key masking."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import requests

from ansible_collections.llmobs.datadog.plugins.module_utils._datasets import Datasets
from ansible_collections.llmobs.datadog.plugins.module_utils._transport import (
    COLLECTION_VERSION,
    Transport,
    backoff_delay,
    rate_limit_delay,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._connection import ConnectionSettings
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import TransportError
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import API_KEY, APP_KEY, DATASETS_URL, PROJECT, page


def make_transport(clock, retries=3, warnings=None):
    settings = ConnectionSettings('https://api.datadoghq.com', API_KEY, APP_KEY, True, 5.0, retries)
    return Transport(settings, warn=(warnings.append if warnings is not None else None))


def make_datasets(clock, retries=3, warnings=None):
    return Datasets(make_transport(clock, retries, warnings))


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
    transport = make_transport(clock)
    answers = iter([None, None, 'found'])
    assert transport.poll(lambda: next(answers), timeout=10) == 'found'
    assert clock.sleeps == [0.5, 1.0]


def test_poll_gives_up_at_the_timeout(clock):
    transport = make_transport(clock)
    assert transport.poll(lambda: None, timeout=5) is None
    assert sum(clock.sleeps) == pytest.approx(5)
    assert max(clock.sleeps) <= 2.0


def test_connection_refused_means_the_server_never_saw_the_request(api, clock):
    api.get(DATASETS_URL, body=requests.exceptions.ConnectionError(
        "HTTPSConnectionPool(host='x', port=443): Max retries exceeded (Caused by NewConnectionError('refused'))"))
    datasets = make_datasets(clock, retries=0)
    with pytest.raises(TransportError) as info:
        datasets.list(PROJECT, name='x')
    assert info.value.may_have_arrived is False


def test_dropped_connection_may_have_reached_the_server(api, clock):
    api.get(DATASETS_URL, body=requests.exceptions.ConnectionError('Connection aborted: RemoteDisconnected'))
    datasets = make_datasets(clock, retries=0)
    with pytest.raises(TransportError) as info:
        datasets.list(PROJECT, name='x')
    assert info.value.may_have_arrived is True


def test_keys_quoted_by_an_exception_are_masked(api, clock):
    api.get(DATASETS_URL, body=requests.exceptions.InvalidHeader('bad header value %s' % APP_KEY))
    datasets = make_datasets(clock, retries=0)
    with pytest.raises(TransportError) as info:
        datasets.list(PROJECT)
    assert APP_KEY not in info.value.message and '********' in info.value.message


def test_each_retry_is_reported(api, clock):
    warnings = []
    api.get(DATASETS_URL, status=504, body='')
    api.get(DATASETS_URL, json=page())
    make_datasets(clock, warnings=warnings).list(PROJECT)
    assert warnings == ['Listing datasets of project proj-1 failed with HTTP 504 Gateway Timeout: the response body '
                        'was empty; retrying in 1 second (retry 1 of 3).']


def test_data_that_is_not_a_list_is_an_error(api, clock):
    api.get(DATASETS_URL, json={'data': {'id': 'x'}})
    with pytest.raises(Exception, match='without a "data" list'):
        make_datasets(clock).list(PROJECT)


def test_collection_version_matches_galaxy_yml():
    import os
    galaxy = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'galaxy.yml')
    with open(galaxy) as handle:
        versions = [line.split(':', 1)[1].strip() for line in handle if line.startswith('version:')]
    assert versions == [COLLECTION_VERSION]
