# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A hostile server on demand: answers sent a few bytes at a time, lists that never end, error
pages that echo the API key, and records reads that lag behind writes."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import socket
import time

import pytest
import requests

from ansible_collections.llmobs.datadog.tests.support.demo import DEMO_DATASET, DEMO_PROJECT
from ansible_collections.llmobs.datadog.tests.support.emulator import API_PREFIX, HEADERS, wait_for

DATASETS = '/%s/datasets' % DEMO_PROJECT
RECORDS = DATASETS + '/%s/records' % DEMO_DATASET
BATCH = DATASETS + '/%s/batch_update' % DEMO_DATASET
LISTS = [('ListLLMObsProjects', '/projects'), ('ListLLMObsDatasets', DATASETS), ('ListLLMObsDatasetRecords', RECORDS),
         ('ListLLMObsExperiments', '/experiments?filter[dataset_id]=%s' % DEMO_DATASET)]
# What a client does to show an excerpt of an HTML body: tags to spaces, whitespace folded.
TAG, WHITESPACE = re.compile(r'<[^>]*>'), re.compile(r'\s+')


def batch(inserts=(), deletes=()):
    return {'data': {'type': 'datasets', 'id': DEMO_DATASET,
                     'attributes': {'insert_records': list(inserts), 'delete_records': list(deletes)}}}


def listed_ids(emulator):
    return [item['id'] for item in emulator.api('GET', RECORDS, params={'page[limit]': 5000}).json()['data']]


def raw_request(emulator, path):
    """A socket that has sent ``GET path`` with the keys; the caller reads the answer."""
    host, port = emulator.url.split('//')[1].split(':')
    connection = socket.create_connection((host, int(port)), timeout=5)
    headers = ''.join('%s: %s\r\n' % item for item in HEADERS.items())
    connection.sendall(('GET %s%s HTTP/1.1\r\nHost: %s\r\n%s\r\n' % (API_PREFIX, path, host, headers)).encode())
    return connection


# ---------------------------------------------------------------------- slow drip


def test_drip_sends_the_whole_answer_a_few_bytes_at_a_time(emulator):
    emulator.add_fault(operation='ListLLMObsProjects', drip=[16, 0.05])
    connection = raw_request(emulator, '/projects?filter[name]=demo-project')
    chunks, gaps, last = [], [], time.monotonic()
    started = last
    with connection:
        while True:
            chunk = connection.recv(65536)
            now = time.monotonic()
            if not chunk:
                break
            chunks.append(chunk)
            gaps.append(now - last)
            last = now
    answer = b''.join(chunks)
    assert answer.startswith(b'HTTP/1.1 200 OK\r\n')      # the status line drips too
    assert max(len(chunk) for chunk in chunks) <= 16
    assert len(chunks) > 20 and max(gaps) < 0.5         # no read waits long...
    assert time.monotonic() - started > 1.0             # ...but the whole answer takes far longer
    assert answer.rstrip().endswith(b'}') and b'demo-project' in answer
    assert emulator.requests_log()[-1]['dripped'] == {'sent': len(answer), 'of': len(answer)}


def test_drip_trips_no_read_timeout_yet_outlasts_it(emulator):
    emulator.add_fault(operation='ListLLMObsProjects', drip=[16, 0.05])
    started = time.monotonic()
    response = emulator.api('GET', '/projects', params={'filter[name]': 'demo-project'}, timeout=0.3)
    assert response.status_code == 200 and response.json()['data'][0]['attributes']['name'] == 'demo-project'
    assert time.monotonic() - started > 3 * 0.3


def test_drip_stops_when_the_client_hangs_up(emulator):
    emulator.add_fault(operation='ListLLMObsDatasetRecords', drip=[1, 0.02], times=None)
    connection = raw_request(emulator, RECORDS)
    assert connection.recv(4)  # the answer has started
    connection.close()
    entry = {}

    def stopped():
        entry.update(emulator.requests_log()[-1])
        return 'sent' in entry['dripped']
    assert wait_for(stopped, timeout=5)
    assert entry['dripped']['sent'] < entry['dripped']['of'] // 2
    # The emulator is not held up: the same dripped list still answers, and other requests at once.
    assert emulator.api('GET', '/projects').status_code == 200


def test_drip_of_an_error_and_with_commit(emulator):
    emulator.add_fault(operation='BatchUpdateLLMObsDataset', drip=[64, 0.01], status=500, commit=True)
    response = emulator.api('POST', BATCH, json=batch([{'id': 'dripped', 'input': 'x'}]))
    assert response.status_code == 500 and response.json()['errors'][0]['title'] == 'Injected fault'
    assert 'dripped' in listed_ids(emulator)


# ---------------------------------------------------------------------- endless lists


@pytest.mark.parametrize('operation, path', LISTS, ids=[item[0] for item in LISTS])
def test_endless_list_brings_new_items_and_a_new_cursor_on_every_page(emulator, operation, path):
    emulator.add_fault(operation=operation, endless=True)
    seen, cursors, cursor = set(), set(), None
    for dummy in range(30):
        params = {'page[limit]': 5000}
        if cursor:
            params['page[cursor]'] = cursor
        answer = emulator.api('GET', path, params=params)
        assert answer.status_code == 200
        page = answer.json()
        ids = [item['id'] for item in page['data']]
        assert len(ids) == 100 and not seen & set(ids)
        seen.update(ids)
        cursor = page['meta']['after']
        assert cursor and cursor not in cursors
        cursors.add(cursor)
    # One fault, one endless list: a list started afresh is the real one again.
    real = emulator.api('GET', path).json()
    assert not [item for item in real['data'] if str(item.get('attributes', {}).get('name', '')).startswith('endless-')]
    assert all(entry['fault'] and entry['fault']['endless'] for entry in emulator.requests_log()[:30])


def test_endless_pages_follow_the_page_limit_and_the_records_shape(emulator):
    emulator.configure(records_shape='flat')
    emulator.add_fault(operation='ListLLMObsDatasetRecords', endless=True)
    page = emulator.api('GET', RECORDS, params={'page[limit]': 3}).json()
    assert len(page['data']) == 3 and 'input' in page['data'][0]
    # A second endless list never repeats the first one's ids.
    emulator.add_fault(operation='ListLLMObsDatasetRecords', endless=True)
    again = emulator.api('GET', RECORDS, params={'page[limit]': 3}).json()
    assert not set(r['id'] for r in page['data']) & set(r['id'] for r in again['data'])


def test_endless_list_still_checks_keys_and_paths(emulator):
    emulator.add_fault(operation='ListLLMObsDatasetRecords', endless=True, times=None)
    assert emulator.api('GET', DATASETS + '/nope/records').status_code == 404
    assert emulator.api('GET', RECORDS, headers={'DD-API-KEY': ''}).status_code == 401


# ---------------------------------------------------------------------- the key echoed


def excerpt_text(html):
    return WHITESPACE.sub(' ', TAG.sub(' ', html)).strip()


def test_echo_key_page_puts_the_key_across_the_excerpt_boundary(emulator):
    key = 'EchoedApiKey-0123456789abcdefghij'
    emulator.add_fault(operation='ListLLMObsDatasets', status=403, body='echo_key')
    response = emulator.api('GET', DATASETS, headers={'DD-API-KEY': key})
    assert response.status_code == 403 and response.headers['Content-Type'].startswith('text/html')
    text = excerpt_text(response.text)
    assert text.index(key) == 190
    assert text[:200].endswith(key[:10]) and key not in text[:200]


@pytest.mark.parametrize('key_at', [0, 2, 57, 199, 250])
def test_echo_key_position_is_configurable(emulator, key_at):
    emulator.add_fault(operation='ListLLMObsProjects', status=403, body='echo_key', key_at=key_at)
    response = emulator.api('GET', '/projects')
    assert excerpt_text(response.text).index(HEADERS['DD-API-KEY']) == key_at


# ---------------------------------------------------------------------- records lag


def test_records_written_show_in_lists_only_after_the_records_lag(start_emulator):
    emulator = start_emulator('--records-lag', '1.5')
    assert emulator.control('GET', '/config')['records_lag'] == 1.5
    before = listed_ids(emulator)
    assert len(before) == 5  # seeded records are listed at once
    started = time.monotonic()
    assert emulator.api('POST', BATCH, json=batch([{'id': 'late-1', 'input': 'a'}])).status_code == 200
    assert 'late-1' not in listed_ids(emulator)
    dataset = [d for d in emulator.state()['datasets'] if d['id'] == DEMO_DATASET][0]
    assert (dataset['record_count'], dataset['listed_record_count']) == (6, 5)
    # Writes see it at once: the same id again is refused.
    again = emulator.api('POST', BATCH, json=batch([{'id': 'late-1', 'input': 'a'}]))
    assert again.status_code == 400 and 'already exists' in again.text
    assert wait_for(lambda: 'late-1' in listed_ids(emulator), timeout=5)
    assert time.monotonic() - started >= 1.4
    # A delete: gone for writes at once, still listed for the lag.
    assert emulator.api('POST', BATCH, json=batch(deletes=['late-1'])).status_code == 200
    assert 'late-1' in listed_ids(emulator)
    assert wait_for(lambda: 'late-1' not in listed_ids(emulator), timeout=5)


def test_records_lag_at_run_time_with_a_lost_batch_answer(emulator):
    emulator.configure(records_lag=30)
    emulator.add_fault(operation='BatchUpdateLLMObsDataset', commit=True, drop=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        emulator.api('POST', BATCH, json=batch([{'input': 'keyed by input'}]))
    # Written, answer lost, and not listed: a client that looks it up sees nothing.
    dataset = [d for d in emulator.state()['datasets'] if d['id'] == DEMO_DATASET][0]
    assert [r['input'] for r in dataset['records']].count('keyed by input') == 1
    assert len(listed_ids(emulator)) == 5
    emulator.configure(records_lag=0)
    assert len(listed_ids(emulator)) == 5  # a record keeps the lag it was written under
    emulator.control('POST', '/reset')
    assert emulator.control('GET', '/config')['records_lag'] == 0 and len(listed_ids(emulator)) == 5


@pytest.mark.parametrize('fault, words', [
    ({'drip': [0, 1]}, 'bytes per write'),
    ({'drip': [10]}, 'drip is [bytes, seconds]'),
    ({'drip': [10, 0]}, 'the pause'),
    ({'drip': [10, 1], 'drop': True}, 'choose one'),
    ({'operation': 'CloneLLMObsDataset', 'endless': True}, 'endless goes with'),
    ({'operation': 'ListLLMObsDatasets', 'endless': True, 'status': 500}, 'endless goes with'),
    ({'operation': 'ListLLMObsDatasets', 'endless': 'yes'}, 'endless must be true or false'),
    ({'status': 403, 'body': 'echo_key', 'key_at': 1}, 'key_at'),
    ({'status': 403, 'body': 'echo_key', 'key_at': -5}, 'key_at'),
])
def test_bad_hostile_faults_are_refused(emulator, fault, words):
    response = requests.post(emulator.url + '/_emulator/faults', json=fault, timeout=5)
    assert response.status_code == 400 and words in response.json()['error'], response.text


def test_bad_records_lag_is_refused(emulator):
    response = requests.patch(emulator.url + '/_emulator/config', json={'records_lag': -1}, timeout=5)
    assert response.status_code == 400 and 'records_lag' in response.json()['error']
