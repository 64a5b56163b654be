# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The harness itself: every extra, missing or different call fails, with a readable message."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import requests

from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import API_KEY, APP_KEY, BASE_URL, PROJECT, dataset, project
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    Call,
    HTTPMismatch,
    HTTPMock,
    clone_dataset,
    create_dataset,
    create_project,
    dataset_by_id,
    datasets_by_name,
    delete_dataset,
    delete_project,
    project_by_id,
    projects_by_name,
    update_dataset,
    update_project,
)

KEYS = {'DD-API-KEY': API_KEY, 'DD-APPLICATION-KEY': APP_KEY}
LIST_URL = BASE_URL + '/api/v2/llm-obs/v1/%s/datasets' % PROJECT


def get(url, params=None, headers=None):
    return requests.get(url, params=params, headers=KEYS if headers is None else headers, timeout=1)


def post(url, body):
    return requests.post(url, json=body, headers=KEYS, timeout=1)


def test_a_call_answers_and_is_checked(http):
    http.expect(datasets_by_name('copy-1').reply_page(dataset('d1', 'copy-1'), after='c2'))

    answer = get(LIST_URL, {'filter[name]': 'copy-1', 'page[limit]': 5000})

    assert answer.status_code == 200
    assert answer.headers['Content-Type'] == 'application/json'
    assert answer.json()['data'][0]['id'] == 'd1' and answer.json()['meta'] == {'after': 'c2'}
    assert http.methods == ['GET']
    assert http.seen[0].query == {'filter[name]': 'copy-1', 'page[limit]': '5000'}
    http.assert_no_write()
    http.assert_done()


def test_a_call_can_raise():
    with HTTPMock() as mock:
        mock.expect(Call('GET', '/x').raises(requests.exceptions.ConnectionError('refused')))
        with pytest.raises(requests.exceptions.ConnectionError):
            get(BASE_URL + '/x')
        mock.assert_done()


def test_error_replies_keep_status_reason_and_headers():
    with HTTPMock() as mock:
        mock.expect(Call('GET', '/x').reply_error(429, 'slow down', headers={'X-RateLimit-Reset': '3'}))
        answer = get(BASE_URL + '/x')
    assert (answer.status_code, answer.reason) == (429, 'Too Many Requests')
    assert answer.headers['X-RateLimit-Reset'] == '3'
    assert answer.json() == {'errors': ['slow down']}


def test_raw_bodies_and_content_types():
    with HTTPMock() as mock:
        mock.expect(Call('GET', '/x').reply(502, body='<html>Bad</html>', content_type='text/html'),
                    Call('GET', '/x').reply(200, body=''))
        first, second = get(BASE_URL + '/x'), get(BASE_URL + '/x')
    assert first.text == '<html>Bad</html>' and first.headers['Content-Type'] == 'text/html'
    assert second.content == b''


def failure_of(expected, send):
    """The message of the mismatch that ``send`` causes against ``expected``."""
    with HTTPMock() as mock:
        mock.expect(*expected)
        with pytest.raises(HTTPMismatch) as info:
            send()
            mock.assert_done()
    return str(info.value)


def test_an_extra_call_fails():
    message = failure_of([], lambda: get(LIST_URL))
    assert 'HTTP call 1 was not expected: 0 call(s) were expected' in message
    assert 'GET %s' % LIST_URL in message


def test_a_missing_call_fails():
    message = failure_of([dataset_by_id('d1').reply_page(), clone_dataset('c').reply_data(dataset('n', 'c'))],
                         lambda: get(LIST_URL, {'filter[id]': 'd1', 'page[limit]': '5000'}))
    assert '1 expected HTTP call(s) were not made, the first: POST' in message
    assert '[made] GET' in message and '[NOT MADE] POST' in message


@pytest.mark.parametrize('params, difference', [
    ({'filter[name]': 'copy-1'}, 'query: missing page[limit]'),
    ({'filter[name]': 'copy-1', 'page[limit]': '5000', 'page[cursor]': 'c'}, 'query: unexpected page[cursor]=c'),
    ({'filter[name]': 'copy-2', 'page[limit]': '5000'}, "filter[name]: expected 'copy-1', got 'copy-2'"),
])
def test_a_different_query_fails(params, difference):
    message = failure_of([datasets_by_name('copy-1').reply_page()], lambda: get(LIST_URL, params))
    assert 'HTTP call 1 is not the expected one.' in message
    assert difference in message


def test_a_repeated_query_parameter_never_matches_a_single_value():
    message = failure_of([datasets_by_name('copy-1').reply_page()],
                         lambda: get(LIST_URL + '?filter[name]=copy-1&filter[name]=copy-1&page[limit]=5000'))
    assert "filter[name]: expected 'copy-1', got ['copy-1', 'copy-1']" in message


def test_a_different_method_or_url_fails():
    message = failure_of([clone_dataset('copy-1').reply_data(dataset('n', 'copy-1'))],
                         lambda: get(LIST_URL, {'filter[name]': 'copy-1', 'page[limit]': '5000'}))
    assert 'method: expected POST, got GET' in message
    assert 'url: expected %s/src-dataset-1/clone, got %s' % (LIST_URL, LIST_URL) in message
    assert 'body: expected JSON' in message


def test_another_host_fails_unless_stated():
    other = 'https://api.datadoghq.eu/api/v2/llm-obs/v1/projects'
    message = failure_of([projects_by_name('p').reply_page()], lambda: get(other, {'filter[name]': 'p', 'page[limit]': '5000'}))
    assert 'url: expected %s/api/v2/llm-obs/v1/projects, got %s' % (BASE_URL, other) in message
    with HTTPMock() as mock:
        mock.expect(projects_by_name('p').base('https://api.datadoghq.eu').reply_page())
        get(other, {'filter[name]': 'p', 'page[limit]': '5000'})
        mock.assert_done()


def test_a_different_json_body_fails():
    message = failure_of([create_dataset('copy-1', description='d').reply_data(dataset('n', 'copy-1'), status=201)],
                         lambda: post(LIST_URL, {'data': {'type': 'datasets', 'attributes': {'name': 'copy-1'}}}))
    assert 'json body: expected {"data": {"attributes": {"description": "d", "name": "copy-1"}' in message


def test_an_unexpected_body_fails():
    message = failure_of([Call('POST', '/x').reply(204)], lambda: post(BASE_URL + '/x', {'a': 1}))
    assert 'body: expected none, got {"a": 1}' in message


@pytest.mark.parametrize('headers, difference', [
    ({'DD-API-KEY': API_KEY}, "header DD-APPLICATION-KEY: expected '%s', got None" % APP_KEY),
    ({'DD-API-KEY': 'other', 'DD-APPLICATION-KEY': APP_KEY}, "header DD-API-KEY: expected '%s', got 'other'" % API_KEY),
])
def test_the_key_headers_are_checked_on_every_call(headers, difference):
    message = failure_of([Call('GET', '/x').reply(200, json={})], lambda: get(BASE_URL + '/x', headers=headers))
    assert difference in message


def test_headers_stated_by_a_call():
    call = Call('GET', '/x').header('X-Datadog-Managed-By', 'iac').header('Authorization', None).reply(200, json={})
    message = failure_of([call], lambda: get(BASE_URL + '/x', headers=dict(KEYS, Authorization='Basic x')))
    assert "header X-Datadog-Managed-By: expected 'iac', got None" in message
    assert "header Authorization: expected none, got 'Basic x'" in message


def test_assert_no_write_fails_on_any_write():
    with HTTPMock() as mock:
        mock.expect(Call('GET', '/x').reply(200, json={}), Call('POST', '/y').expect_json({}).reply(204))
        get(BASE_URL + '/x')
        mock.assert_no_write()
        post(BASE_URL + '/y', {})
        with pytest.raises(HTTPMismatch, match='Expected no write, but 1 write'):
            mock.assert_no_write()
        assert mock.count('POST') == 1 and mock.count('GET', '/x') == 1


def test_a_swallowed_mismatch_still_fails_at_the_end():
    with HTTPMock() as mock:
        try:
            get(BASE_URL + '/x')
        except HTTPMismatch:
            pass
        with pytest.raises(HTTPMismatch, match='may have swallowed'):
            mock.assert_done()


def test_a_call_without_an_answer_is_refused():
    with pytest.raises(AssertionError, match='no answer given'):
        HTTPMock().expect(Call('GET', '/x'))


def test_times_repeats_a_call():
    with HTTPMock() as mock:
        mock.expect(Call('GET', '/x').reply(200, json={}).times(3))
        for dummy in range(3):
            get(BASE_URL + '/x')
        mock.assert_done()


@pytest.mark.parametrize('call, method, path, body', [
    (projects_by_name('p'), 'GET', '/api/v2/llm-obs/v1/projects', None),
    (project_by_id('p1'), 'GET', '/api/v2/llm-obs/v1/projects', None),
    (create_project('p', 'd'), 'POST', '/api/v2/llm-obs/v1/projects',
     {'data': {'type': 'projects', 'attributes': {'name': 'p', 'description': 'd'}}}),
    (update_project('p1', {'description': 'd'}), 'PATCH', '/api/v2/llm-obs/v1/projects/p1',
     {'data': {'type': 'projects', 'attributes': {'description': 'd'}}}),
    (delete_project('p1'), 'POST', '/api/v2/llm-obs/v1/projects/delete',
     {'data': {'type': 'projects', 'attributes': {'project_ids': ['p1']}}}),
    (datasets_by_name('n'), 'GET', '/api/v2/llm-obs/v1/proj-1/datasets', None),
    (dataset_by_id('d1', project_id='p2'), 'GET', '/api/v2/llm-obs/v1/p2/datasets', None),
    (create_dataset('n', metadata={'k': 1}), 'POST', '/api/v2/llm-obs/v1/proj-1/datasets',
     {'data': {'type': 'datasets', 'attributes': {'name': 'n', 'metadata': {'k': 1}}}}),
    (update_dataset('d1', {'name': 'm'}), 'PATCH', '/api/v2/llm-obs/v1/proj-1/datasets/d1',
     {'data': {'type': 'datasets', 'attributes': {'name': 'm'}}}),
    (delete_dataset('d1'), 'POST', '/api/v2/llm-obs/v1/proj-1/datasets/delete',
     {'data': {'type': 'datasets', 'attributes': {'dataset_ids': ['d1']}}}),
    (clone_dataset('n', 'd', source='s1'), 'POST', '/api/v2/llm-obs/v1/proj-1/datasets/s1/clone',
     {'data': {'type': 'datasets', 'id': 's1', 'attributes': {'name': 'n', 'description': 'd'}}}),
])
def test_resource_call_builders(call, method, path, body):
    assert (call.method, call.path) == (method, path)
    assert (call.expected_body if body is not None else None) == body
    if method == 'GET':
        assert call.expected_query['page[limit]'] == '5000'


def test_json_objects_take_extra_attributes():
    assert project('p1', 'p', author={'id': 'u'})['attributes']['author'] == {'id': 'u'}
    assert dataset('d1', 'd', dataset_type='user')['attributes']['dataset_type'] == 'user'
