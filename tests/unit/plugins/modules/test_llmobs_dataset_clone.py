# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""llmobs_dataset_clone, end to end inside the module: every test lists the exact HTTP calls."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import requests
import responses

from ansible_collections.llmobs.datadog.plugins.module_utils import _module
from ansible_collections.llmobs.datadog.plugins.modules import llmobs_dataset_clone
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import (
    API_KEY,
    APP_KEY,
    CLONE_URL,
    DATASETS_URL,
    PROJECT,
    SOURCE,
    by_id_call,
    calls_of,
    clone_call,
    dataset,
    lookup_call,
    module_args,
    page,
    warnings_of,
)


def run(run_module, args, **kwargs):
    return run_module(llmobs_dataset_clone, args, **kwargs)


def assert_no_secrets(raw_output):
    assert API_KEY not in raw_output
    assert APP_KEY not in raw_output


# ---------------------------------------------------------------- idempotency


def test_existing_name_is_skipped_with_one_read(api, run_module, clock):
    api.get(DATASETS_URL, json=page(dataset('ds-9', 'copy-1', 'kept')))

    result, code, raw = run(run_module, module_args(), diff=True)

    assert code == 0
    assert result['changed'] is False
    assert 'already exists' in result['msg']
    assert result['dataset'] == {
        'id': 'ds-9', 'name': 'copy-1', 'description': 'kept', 'metadata': None, 'current_version': 1,
        'created_at': '2026-11-25T10:00:00+00:00', 'updated_at': '2026-11-25T10:00:00+00:00',
    }
    assert result['project_id'] == PROJECT
    assert result['source_dataset_id'] == SOURCE
    assert result['diff']['before'] == result['diff']['after']
    assert calls_of(api) == [lookup_call()]
    request = api.calls[0].request
    assert request.headers['DD-API-KEY'] == API_KEY
    assert request.headers['DD-APPLICATION-KEY'] == APP_KEY
    assert request.headers['Accept'] == 'application/json'
    assert request.headers['User-Agent'].startswith('llmobs.datadog/')
    assert_no_secrets(raw)


def test_existing_dataset_with_other_description_warns_and_is_left_alone(api, run_module, clock):
    api.get(DATASETS_URL, json=page(dataset('ds-9', 'copy-1', 'old text')))

    result, code, dummy = run(run_module, module_args(description='new text'))

    assert code == 0 and result['changed'] is False
    assert result['dataset']['description'] == 'old text'
    assert any('another description' in w for w in warnings_of(result))
    assert calls_of(api) == [lookup_call()]


def test_lookup_follows_every_page_before_deciding(api, run_module, clock):
    api.get(DATASETS_URL, json=page(dataset('ds-1', 'copy-1 (old)'), after='cursor-2'))
    api.get(DATASETS_URL, json=page(dataset('ds-2', 'copy-10'), after='cursor-3'))
    api.get(DATASETS_URL, json=page(dataset('ds-3', 'copy-1')))

    result, code, dummy = run(run_module, module_args())

    assert code == 0 and result['changed'] is False
    assert result['dataset']['id'] == 'ds-3'
    assert calls_of(api) == [lookup_call(), lookup_call(cursor='cursor-2'), lookup_call(cursor='cursor-3')]


@pytest.mark.parametrize('last_meta', [{'meta': {'after': ''}}, {'meta': {}}, {}], ids=['empty-cursor', 'no-after', 'no-meta'])
def test_last_page_is_recognised_without_a_cursor(api, run_module, clock, last_meta):
    body = {'data': [dataset('ds-3', 'copy-1')]}
    body.update(last_meta)
    api.get(DATASETS_URL, json=body)

    result, code, dummy = run(run_module, module_args())

    assert code == 0 and result['changed'] is False
    assert calls_of(api) == [lookup_call()]


def test_inexact_filter_matches_are_not_taken_for_the_name(api, run_module, clock):
    near_misses = [dataset('n1', 'copy-1 '), dataset('n2', 'Copy-1'), dataset('n3', 'copy-11'), dataset('n4', 'my copy-1')]
    api.get(DATASETS_URL, json=page(*near_misses))
    api.post(CLONE_URL, json={'data': dataset('new-1', 'copy-1', version=0)})

    result, code, dummy = run(run_module, module_args(wait=False))

    assert code == 0 and result['changed'] is True
    assert result['dataset']['id'] == 'new-1'
    assert calls_of(api) == [lookup_call(), clone_call()]


def test_same_dataset_repeated_across_pages_counts_once(api, run_module, clock):
    # A list that changes between pages can show an item twice; it is still one dataset.
    api.get(DATASETS_URL, json=page(dataset('ds-3', 'copy-1'), after='c2'))
    api.get(DATASETS_URL, json=page(dataset('ds-3', 'copy-1')))

    result, code, dummy = run(run_module, module_args())

    assert code == 0 and result['changed'] is False


def test_duplicate_names_fail_and_list_their_ids(api, run_module, clock):
    api.get(DATASETS_URL, json=page(dataset('dup-a', 'copy-1'), after='c2'))
    api.get(DATASETS_URL, json=page(dataset('dup-b', 'copy-1')))

    result, code, dummy = run(run_module, module_args())

    assert code == 1 and result['failed'] is True
    assert 'dup-a' in result['msg'] and 'dup-b' in result['msg']
    assert 'Several datasets' in result['msg']
    assert [c[0] for c in calls_of(api)] == ['GET', 'GET']


def test_repeated_cursor_stops_with_an_error(api, run_module, clock):
    api.get(DATASETS_URL, json=page(dataset('a', 'x'), after='same'))
    api.get(DATASETS_URL, json=page(dataset('b', 'y'), after='same'))

    result, code, dummy = run(run_module, module_args())

    assert code == 1
    assert 'same page cursor twice' in result['msg']


# ---------------------------------------------------------------- clone


def test_clone_sends_the_body_the_spec_asks_for_and_waits_until_listed(api, run_module, clock):
    created = dataset('new-1', 'copy-1', 'for the experiment', version=0)
    api.get(DATASETS_URL, json=page())
    api.post(CLONE_URL, json={'data': created})
    api.get(DATASETS_URL, json=page(created))

    result, code, raw = run(run_module, module_args(description='for the experiment'), diff=True)

    assert code == 0
    assert result['changed'] is True
    assert result['msg'].startswith('Cloned dataset %s' % SOURCE)
    assert result['dataset']['id'] == 'new-1'
    assert result['dataset']['current_version'] == 0
    assert result['diff'] == {
        'before': {'state': 'absent'},
        'after': {'state': 'present', 'name': 'copy-1', 'description': 'for the experiment', 'source_dataset_id': SOURCE},
    }
    assert calls_of(api) == [lookup_call(), clone_call(description='for the experiment'), lookup_call()]
    post = api.calls[1].request
    assert post.headers['Content-Type'] == 'application/json'
    assert post.headers['DD-API-KEY'] == API_KEY
    assert warnings_of(result) == []
    assert_no_secrets(raw)


def test_clone_without_description_leaves_it_out_of_the_body(api, run_module, clock):
    api.get(DATASETS_URL, json=page())
    api.post(CLONE_URL, json={'data': dataset('new-1', 'copy-1')})

    result, code, dummy = run(run_module, module_args(wait=False))

    assert code == 0 and result['changed'] is True
    assert calls_of(api) == [lookup_call(), clone_call()]


def test_wait_polls_until_the_clone_is_listed(api, run_module, clock):
    api.get(DATASETS_URL, json=page())
    api.post(CLONE_URL, json={'data': dataset('new-1', 'copy-1')})
    api.get(DATASETS_URL, json=page())
    api.get(DATASETS_URL, json=page())
    api.get(DATASETS_URL, json=page(dataset('new-1', 'copy-1')))

    result, code, dummy = run(run_module, module_args())

    assert code == 0 and result['changed'] is True
    assert calls_of(api) == [lookup_call(), clone_call()] + [lookup_call()] * 3
    assert clock.sleeps == [0.5, 1.0]


def test_wait_timeout_fails_but_reports_the_clone(api, run_module, clock):
    api.get(DATASETS_URL, json=page())
    api.post(CLONE_URL, json={'data': dataset('new-1', 'copy-1')})
    for dummy in range(4):
        api.get(DATASETS_URL, json=page())

    result, code, dummy = run(run_module, module_args(wait_timeout=3))

    assert code == 1
    assert result['changed'] is True
    assert result['dataset']['id'] == 'new-1'
    assert 'still missing from the dataset list after 3 seconds' in result['msg']
    assert sum(clock.sleeps) == pytest.approx(3)


def test_vnd_api_json_responses_are_read(api, run_module, clock):
    api.get(DATASETS_URL, json=page(), content_type='application/vnd.api+json')
    api.post(CLONE_URL, json={'data': dataset('new-1', 'copy-1')}, content_type='application/vnd.api+json')

    result, code, dummy = run(run_module, module_args(wait=False))

    assert code == 0 and result['dataset']['id'] == 'new-1'


def test_lenient_parsing_of_missing_response_fields(api, run_module, clock):
    api.get(DATASETS_URL, json=page())
    api.post(CLONE_URL, json={'data': {'id': 'new-1', 'type': 'datasets', 'attributes': {'name': 'copy-1'}}})

    result, code, dummy = run(run_module, module_args(wait=False))

    assert code == 0
    assert result['dataset']['description'] is None and result['dataset']['created_at'] is None


# ---------------------------------------------------------------- check mode


def test_check_mode_reads_everything_and_writes_nothing(api, run_module, clock):
    api.get(DATASETS_URL, json=page(dataset('other', 'copy-10')))
    api.get(DATASETS_URL, json=page(dataset(SOURCE, 'source')))

    result, code, dummy = run(run_module, module_args(description='d'), check_mode=True, diff=True)

    assert code == 0
    assert result['changed'] is True
    assert result['dataset'] == {'id': None, 'name': 'copy-1', 'description': 'd', 'metadata': None,
                                 'current_version': None, 'created_at': None, 'updated_at': None}
    assert result['diff']['before'] == {'state': 'absent'}
    assert result['diff']['after']['state'] == 'present'
    assert calls_of(api) == [lookup_call(), by_id_call(SOURCE)]


def test_check_mode_fails_when_the_source_does_not_exist(api, run_module, clock):
    api.get(DATASETS_URL, json=page())
    api.get(DATASETS_URL, json=page(dataset('src-dataset-10', 'near miss')))

    result, code, dummy = run(run_module, module_args(), check_mode=True)

    assert code == 1
    assert result['changed'] is False
    assert 'Source dataset %s was not found in project %s' % (SOURCE, PROJECT) in result['msg']
    assert [c[0] for c in calls_of(api)] == ['GET', 'GET']


def test_check_mode_on_an_existing_name_reports_no_change(api, run_module, clock):
    api.get(DATASETS_URL, json=page(dataset('ds-9', 'copy-1')))

    result, code, dummy = run(run_module, module_args(), check_mode=True)

    assert code == 0 and result['changed'] is False
    assert calls_of(api) == [lookup_call()]


# ---------------------------------------------------------------- errors


def test_jsonapi_error_objects_are_all_in_the_message(api, run_module, clock):
    errors = [
        {'status': '404', 'title': 'Not Found', 'detail': 'dataset src-dataset-1 not found', 'source': {'pointer': '/data/id'}},
        {'title': 'Bad Request', 'source': {'parameter': 'filter[id]'}},
        {'detail': 'header problem', 'source': {'header': 'DD-APPLICATION-KEY'}},
    ]
    api.get(DATASETS_URL, json=page())
    api.post(CLONE_URL, status=404, json={'errors': errors})

    result, code, raw = run(run_module, module_args(wait=False))

    assert code == 1
    msg = result['msg']
    assert msg.startswith("Cloning dataset %s of project %s into 'copy-1' failed with HTTP 404 Not Found" % (SOURCE, PROJECT))
    assert 'Not Found: dataset src-dataset-1 not found (status 404, at /data/id)' in msg
    assert 'Bad Request (parameter filter[id])' in msg
    assert 'header problem (header DD-APPLICATION-KEY)' in msg
    assert 'Check project_id and dataset_id' in msg
    assert result['status'] == 404
    assert result['errors'] == errors
    assert 'exception' not in result
    assert_no_secrets(raw)


def test_plain_string_errors_of_a_429_are_joined(api, run_module, clock):
    for dummy in range(2):
        api.get(DATASETS_URL, status=429, json={'errors': ['Rate limit exceeded', 'try later']})

    result, code, dummy = run(run_module, module_args(retries=1))

    assert code == 1
    assert len(api.calls) == 2
    assert 'HTTP 429' in result['msg'] and 'Rate limit exceeded; try later' in result['msg']
    assert result['errors'] == ['Rate limit exceeded', 'try later']
    assert result['status'] == 429


@pytest.mark.parametrize('status, body, content_type, expected, tries', [
    (502, '<html><body><h1>502 Bad Gateway</h1></body></html>', 'text/html', 'not JSON (text/html): 502 Bad Gateway', 2),
    (500, '', 'application/json', 'the response body was empty', 2),
    (400, '{"errors": [', 'application/json', 'not JSON (application/json)', 1),
    (403, '{"message": "nope"}', 'application/json', 'no error list in the response', 1),
])
def test_unreadable_error_bodies_get_a_clear_message(api, run_module, clock, status, body, content_type, expected, tries):
    for dummy in range(tries):
        api.get(DATASETS_URL, status=status, body=body, content_type=content_type)

    result, code, dummy = run(run_module, module_args(retries=1))

    assert code == 1
    assert len(api.calls) == tries
    assert 'HTTP %d' % status in result['msg']
    assert expected in result['msg']
    assert result['status'] == status
    assert result['errors'] == []
    assert 'exception' not in result


def test_401_names_the_key_options(api, run_module, clock):
    api.get(DATASETS_URL, status=401, json={'errors': [{'title': 'Unauthorized'}]})

    result, code, dummy = run(run_module, module_args())

    assert code == 1
    assert 'HTTP 401' in result['msg'] and 'api_key and app_key' in result['msg']
    assert len(api.calls) == 1  # a 4xx is not retried


def test_redirects_are_not_followed(api, run_module, clock):
    api.get(DATASETS_URL, status=302, headers={'Location': 'https://elsewhere.example/steal'})

    result, code, dummy = run(run_module, module_args())

    assert code == 1
    assert 'redirect to https://elsewhere.example/steal' in result['msg']
    assert len(api.calls) == 1


def test_connection_refused_is_a_clear_failure(api, run_module, clock):
    for dummy in range(2):
        api.get(DATASETS_URL, body=requests.exceptions.ConnectionError('Failed to establish a new connection: refused'))

    result, code, dummy = run(run_module, module_args(retries=1))

    assert code == 1
    assert result['msg'].startswith('Listing datasets of project %s failed: could not reach https://api.datadoghq.com' % PROJECT)
    assert 'exception' not in result


def test_tls_failure_points_at_ca_path(api, run_module, clock):
    api.get(DATASETS_URL, body=requests.exceptions.SSLError('certificate verify failed: self-signed certificate'))

    result, code, dummy = run(run_module, module_args())

    assert code == 1
    assert 'TLS verification failed' in result['msg'] and 'ca_path' in result['msg']
    assert len(api.calls) == 1  # a certificate does not fix itself: no retry


def test_missing_requests_library_fails_cleanly(run_module, monkeypatch):
    monkeypatch.setattr(_module, 'HAS_REQUESTS', False)
    monkeypatch.setattr(_module, 'REQUESTS_IMPORT_ERROR', 'ImportError: No module named requests')

    result, code, dummy = run(run_module, module_args())

    assert code == 1
    assert 'requests' in result['msg'] and 'Failed to import' in result['msg']


# ---------------------------------------------------------------- retries


def test_429_waits_for_the_rate_limit_reset_then_succeeds(api, run_module, clock):
    limited = {'X-RateLimit-Limit': '60', 'X-RateLimit-Period': '60', 'X-RateLimit-Remaining': '0',
               'X-RateLimit-Reset': '7', 'X-RateLimit-Name': 'llmobs_datasets'}
    api.get(DATASETS_URL, status=429, json={'errors': ['Too many requests']}, headers=limited)
    api.get(DATASETS_URL, json=page(dataset('ds-9', 'copy-1')))

    result, code, dummy = run(run_module, module_args())

    assert code == 0 and result['changed'] is False
    assert clock.sleeps == [7.0]
    assert calls_of(api) == [lookup_call(), lookup_call()]
    assert len(warnings_of(result)) == 1
    assert 'rate limited (HTTP 429); retrying in 7 seconds (retry 1 of 3)' in warnings_of(result)[0]


def test_429_on_the_clone_is_sent_again_because_nothing_was_written(api, run_module, clock):
    api.get(DATASETS_URL, json=page())
    api.post(CLONE_URL, status=429, json={'errors': ['Too many requests']}, headers={'X-RateLimit-Reset': '2'})
    api.post(CLONE_URL, json={'data': dataset('new-1', 'copy-1')})

    result, code, dummy = run(run_module, module_args(wait=False))

    assert code == 0 and result['changed'] is True
    assert calls_of(api) == [lookup_call(), clone_call(), clone_call()]
    assert clock.sleeps == [2.0]


def test_rate_limit_wait_is_bounded(api, run_module, clock):
    api.get(DATASETS_URL, status=429, json={'errors': ['slow down']}, headers={'X-RateLimit-Reset': '3600'})
    api.get(DATASETS_URL, json=page(dataset('ds-9', 'copy-1')))

    result, code, dummy = run(run_module, module_args())

    assert code == 0
    assert clock.sleeps == [60.0]


def test_5xx_on_a_read_is_retried_with_backoff(api, run_module, clock):
    api.get(DATASETS_URL, status=503, json={'errors': [{'title': 'Service Unavailable'}]})
    api.get(DATASETS_URL, status=500, body='')
    api.get(DATASETS_URL, json=page(dataset('ds-9', 'copy-1')))

    result, code, dummy = run(run_module, module_args())

    assert code == 0 and result['changed'] is False
    assert clock.sleeps == [1.0, 2.0]
    assert len(warnings_of(result)) == 2
    assert 'HTTP 503' in warnings_of(result)[0]


def test_empty_200_on_a_read_is_retried(api, run_module, clock):
    api.get(DATASETS_URL, status=200, body='')
    api.get(DATASETS_URL, json=page(dataset('ds-9', 'copy-1')))

    result, code, dummy = run(run_module, module_args())

    assert code == 0 and result['changed'] is False
    assert 'empty body' in warnings_of(result)[0]


def test_concurrent_duplicate_seen_while_waiting_is_reported(api, run_module, clock):
    api.get(DATASETS_URL, json=page())
    api.post(CLONE_URL, json={'data': dataset('new-1', 'copy-1')})
    api.get(DATASETS_URL, json=page(dataset('new-2', 'copy-1'), dataset('new-1', 'copy-1')))

    result, code, dummy = run(run_module, module_args())

    assert code == 0 and result['changed'] is True
    assert result['dataset']['id'] == 'new-1'
    assert 'Another dataset named' in warnings_of(result)[0] and 'new-2' in warnings_of(result)[0]


def test_read_retries_are_bounded(api, run_module, clock):
    for dummy in range(3):
        api.get(DATASETS_URL, status=502, body='<html>Bad Gateway</html>', content_type='text/html')

    result, code, dummy = run(run_module, module_args(retries=2))

    assert code == 1
    assert 'HTTP 502' in result['msg']
    assert len(api.calls) == 3


def test_read_timeout_is_retried(api, run_module, clock):
    api.get(DATASETS_URL, body=requests.exceptions.ReadTimeout('read timed out'))
    api.get(DATASETS_URL, json=page(dataset('ds-9', 'copy-1')))

    result, code, dummy = run(run_module, module_args(timeout=2.5))

    assert code == 0
    assert 'no response from https://api.datadoghq.com within 2.5 seconds' in warnings_of(result)[0]


def test_5xx_on_the_clone_after_which_the_dataset_exists_is_not_sent_again(api, run_module, clock):
    api.get(DATASETS_URL, json=page())
    api.post(CLONE_URL, status=500, json={'errors': [{'title': 'Internal Server Error'}]})
    api.get(DATASETS_URL, json=page(dataset('new-1', 'copy-1')))
    api.get(DATASETS_URL, json=page(dataset('new-1', 'copy-1')))

    result, code, dummy = run(run_module, module_args())

    assert code == 0
    assert result['changed'] is True
    assert result['dataset']['id'] == 'new-1'
    assert calls_of(api) == [lookup_call(), clone_call(), lookup_call(), lookup_call()]
    assert any('a lookup shows it was done' in w for w in warnings_of(result))


def test_5xx_on_the_clone_waits_for_the_lagging_list_before_deciding(api, run_module, clock):
    api.get(DATASETS_URL, json=page())
    api.post(CLONE_URL, status=502, body='<html>Bad Gateway</html>', content_type='text/html')
    api.get(DATASETS_URL, json=page())
    api.get(DATASETS_URL, json=page(dataset('new-1', 'copy-1')))

    result, code, dummy = run(run_module, module_args(wait=False))

    assert code == 0 and result['dataset']['id'] == 'new-1'
    assert calls_of(api) == [lookup_call(), clone_call(), lookup_call(), lookup_call()]
    assert [c[0] for c in calls_of(api)].count('POST') == 1


def test_timeout_on_the_clone_then_absent_is_sent_again_once(api, run_module, clock):
    api.get(DATASETS_URL, json=page())
    api.post(CLONE_URL, body=requests.exceptions.ReadTimeout('read timed out'))
    for dummy in range(4):  # polled for wait_timeout=2 seconds: at 0, 0.5, 1.5 and 2
        api.get(DATASETS_URL, json=page())
    api.post(CLONE_URL, json={'data': dataset('new-1', 'copy-1')})

    result, code, dummy = run(run_module, module_args(wait=False, wait_timeout=2))

    assert code == 0 and result['changed'] is True
    assert [c[0] for c in calls_of(api)] == ['GET', 'POST', 'GET', 'GET', 'GET', 'GET', 'POST']
    assert calls_of(api)[-1] == clone_call()
    assert any('a lookup shows it was not done' in w for w in warnings_of(result))


def test_clone_failing_every_time_gives_up_without_duplicates(api, run_module, clock):
    api.get(DATASETS_URL, json=page())
    for dummy in range(2):
        api.post(CLONE_URL, status=500, json={'errors': [{'title': 'Internal Server Error'}]})
        for dummy in range(3):  # polled for wait_timeout=1 second: at 0, 0.5 and 1
            api.get(DATASETS_URL, json=page())

    result, code, dummy = run(run_module, module_args(retries=1, wait_timeout=1))

    assert code == 1
    assert 'HTTP 500' in result['msg'] and 'nothing was created' in result['msg']
    assert [c[0] for c in calls_of(api)].count('POST') == 2


def test_clone_4xx_is_final(api, run_module, clock):
    api.get(DATASETS_URL, json=page())
    api.post(CLONE_URL, status=400, json={'errors': [{'title': 'Bad Request', 'detail': 'name too long',
                                                      'source': {'pointer': '/data/attributes/name'}}]})

    result, code, dummy = run(run_module, module_args())

    assert code == 1
    assert 'Bad Request: name too long (at /data/attributes/name)' in result['msg']
    assert len(api.calls) == 2


def test_unreadable_2xx_answer_to_the_clone_is_looked_up_not_resent(api, run_module, clock):
    api.get(DATASETS_URL, json=page())
    api.post(CLONE_URL, body='{"data": {', content_type='application/json')
    api.get(DATASETS_URL, json=page(dataset('new-1', 'copy-1')))

    result, code, dummy = run(run_module, module_args(wait=False))

    assert code == 0 and result['dataset']['id'] == 'new-1'
    assert [c[0] for c in calls_of(api)] == ['GET', 'POST', 'GET']


# ---------------------------------------------------------------- connection options


def test_site_sets_the_base_url(api, run_module, clock):
    api.get('https://api.datadoghq.eu/api/v2/llm-obs/v1/%s/datasets' % PROJECT, json=page(dataset('d', 'copy-1')))

    result, code, dummy = run(run_module, module_args(site='datadoghq.eu'))

    assert code == 0


def test_site_and_keys_from_the_environment(api, run_module, clock, monkeypatch):
    monkeypatch.setenv('DD_API_KEY', 'env-api-key-1234')
    monkeypatch.setenv('DD_APPLICATION_KEY', 'env-app-key-5678')
    monkeypatch.setenv('DD_SITE', 'us5.datadoghq.com')
    api.get('https://api.us5.datadoghq.com/api/v2/llm-obs/v1/%s/datasets' % PROJECT, json=page(dataset('d', 'copy-1')))

    result, code, raw = run(run_module, dict(project_id=PROJECT, dataset_id=SOURCE, name='copy-1'))

    assert code == 0
    assert api.calls[0].request.headers['DD-API-KEY'] == 'env-api-key-1234'
    assert api.calls[0].request.headers['DD-APPLICATION-KEY'] == 'env-app-key-5678'
    assert 'env-api-key-1234' not in raw and 'env-app-key-5678' not in raw


def test_dd_app_key_wins_over_dd_application_key(api, run_module, clock, monkeypatch):
    monkeypatch.setenv('DD_API_KEY', 'env-api-key-1234')
    monkeypatch.setenv('DD_APP_KEY', 'first-choice-app-key')
    monkeypatch.setenv('DD_APPLICATION_KEY', 'second-choice-app-key')
    api.get(DATASETS_URL, json=page(dataset('d', 'copy-1')))

    result, code, dummy = run(run_module, dict(project_id=PROJECT, dataset_id=SOURCE, name='copy-1'))

    assert code == 0
    assert api.calls[0].request.headers['DD-APPLICATION-KEY'] == 'first-choice-app-key'


def test_api_url_overrides_site_and_keeps_its_path(api, run_module, clock):
    api.get('http://127.0.0.1:8126/proxy/api/v2/llm-obs/v1/%s/datasets' % PROJECT, json=page(dataset('d', 'copy-1')))

    result, code, dummy = run(run_module, module_args(api_url='http://127.0.0.1:8126/proxy/', site='datadoghq.eu'))

    assert code == 0


# ---------------------------------------------------------------- validation: nothing is sent


def _no_request_sent(api):
    assert len(api.calls) == 0


@pytest.mark.parametrize('option, env', [('api_key', 'DD_API_KEY'), ('app_key', 'DD_APP_KEY or DD_APPLICATION_KEY')])
def test_missing_keys_name_the_option_and_environment(api, run_module, option, env):
    args = module_args()
    del args[option]

    result, code, dummy = run(run_module, args)

    assert code == 1
    assert 'set the %s option or the %s environment variable' % (option, env) in result['msg']
    _no_request_sent(api)


@pytest.mark.parametrize('option', ['project_id', 'dataset_id'])
@pytest.mark.parametrize('value', ['../other', 'a/b', 'a?b=1', 'a#frag', 'a%2Fb', 'a b', 'a\nb', '..', '.', 'a.b',
                                   'a\\b', 'ü-id', 'a\tb', '%00', 'abc\n', 'abc\r\n'])
def test_path_changing_ids_are_refused(api, run_module, option, value):
    result, code, dummy = run(run_module, module_args(**{option: value}))

    assert code == 1
    assert result['msg'].startswith("%s must contain only letters, digits, '-' and '_'" % option)
    _no_request_sent(api)


@pytest.mark.parametrize('overrides, expected', [
    ({'project_id': ''}, 'project_id must not be blank'),
    ({'project_id': '   '}, 'project_id must not be blank'),
    ({'dataset_id': ''}, 'dataset_id must not be blank'),
    ({'dataset_id': 'x' * 129}, 'dataset_id must be at most 128 characters'),
    ({'name': ''}, 'name must not be blank'),
    ({'name': ' \t '}, 'name must not be blank'),
    ({'name': ' padded'}, 'name must not start or end with spaces'),
    ({'name': 'line\nbreak'}, 'name must not contain control characters'),
    ({'name': 'n' * 256}, 'name must be at most 255 characters long'),
    ({'description': 'bell\x07'}, 'description must not contain control characters'),
    ({'wait_timeout': 0}, 'wait_timeout must be a whole number of seconds from 1 to 3600'),
    ({'wait_timeout': -5}, 'wait_timeout must be a whole number of seconds from 1 to 3600'),
    ({'wait_timeout': 3601}, 'wait_timeout must be a whole number of seconds from 1 to 3600'),
    ({'retries': 0}, 'retries must be at least 1'),
    ({'retries': 21}, 'retries must be at most 20'),
    ({'name': u'caf\u00e9-eval'}, 'name must use printable ASCII characters only'),
    ({'name': u'\u30c7\u30fc\u30bf'}, 'name must use printable ASCII characters only'),
    ({'timeout': 0}, 'timeout must be a number of seconds greater than 0'),
    ({'timeout': -1.5}, 'timeout must be a number of seconds greater than 0'),
    ({'retries': -1}, 'retries must be at least 1'),
    ({'api_key': '   '}, 'Missing Datadog API key'),
    ({'app_key': 'two words'}, 'app_key must be a Datadog key'),
    ({'api_key': 'key\n'}, 'api_key must be a Datadog key'),
    ({'app_key': 'key\r\nX-Injected: 1'}, 'app_key must be a Datadog key'),
    ({'site': ''}, 'site must not be blank'),
    ({'site': 'https://datadoghq.com'}, 'site must be a bare Datadog site'),
    ({'site': 'datadoghq.com/api'}, 'site must be a bare Datadog site'),
    ({'site': 'api.datadoghq.eu'}, "use 'datadoghq.eu' instead"),
    ({'site': 'example.com'}, "site 'example.com' is not a Datadog site"),
    ({'site': 'datadoghq.com.evil.io'}, 'is not a Datadog site'),
    ({'site': 'data dog.com'}, 'is not a valid host name'),
    ({'site': 'datadoghq'}, 'is not a valid host name'),
    ({'api_url': ''}, 'api_url must not be blank'),
    ({'api_url': '127.0.0.1:8126'}, 'api_url must be an absolute http:// or https:// URL'),
    ({'api_url': 'ftp://example.com'}, 'api_url must be an absolute http:// or https:// URL'),
    ({'api_url': 'https://'}, 'api_url must be an absolute http:// or https:// URL'),
    ({'api_url': 'https://user:secret@proxy.example'}, 'api_url must not contain credentials'),
    ({'api_url': 'https://proxy.example?x=1'}, 'api_url must not contain a query string or fragment'),
    ({'api_url': 'https://proxy.example:99999'}, 'api_url has an invalid port'),
    ({'api_url': 'https://proxy .example'}, 'api_url must not contain spaces'),
    ({'ca_path': '/nonexistent/ca.pem'}, "ca_path '/nonexistent/ca.pem' does not exist"),
])
def test_every_bad_value_names_its_option_before_any_request(api, run_module, overrides, expected):
    result, code, raw = run(run_module, module_args(**overrides))

    assert code == 1
    assert expected in result['msg']
    _no_request_sent(api)
    assert 'secret' not in result['msg']
    assert_no_secrets(raw)


@pytest.mark.parametrize('overrides, option', [
    ({'timeout': 'soon'}, 'timeout'),
    ({'retries': 'many'}, 'retries'),
    ({'wait': 'maybe'}, 'wait'),
    ({'validate_certs': 'perhaps'}, 'validate_certs'),
    ({'wait_timeout': 'long'}, 'wait_timeout'),
])
def test_wrong_types_name_the_option(api, run_module, overrides, option):
    result, code, dummy = run(run_module, module_args(**overrides))

    assert code == 1
    assert option in result['msg']
    _no_request_sent(api)


def test_required_options_are_reported(api, run_module):
    result, code, dummy = run(run_module, {'api_key': API_KEY, 'app_key': APP_KEY})

    assert code == 1
    assert 'missing required arguments: name' in result['msg']
    _no_request_sent(api)


@pytest.mark.parametrize('args, message', [
    ({'name': 'c', 'dataset_id': 'd'}, 'one of the following is required: project_id, project_name'),
    ({'name': 'c', 'project_id': 'p'}, 'one of the following is required: dataset_id, dataset_name'),
    ({'name': 'c', 'project_id': 'p', 'project_name': 'q', 'dataset_id': 'd'},
     'parameters are mutually exclusive: project_id|project_name'),
    ({'name': 'c', 'project_id': 'p', 'dataset_id': 'd', 'dataset_name': 'e'},
     'parameters are mutually exclusive: dataset_id|dataset_name'),
])
def test_exactly_one_address_of_each_kind_is_required(api, run_module, args, message):
    result, code, dummy = run(run_module, dict(args, api_key=API_KEY, app_key=APP_KEY))

    assert code == 1
    assert message in result['msg']
    _no_request_sent(api)


def test_no_proxy_credentials_or_keys_reach_a_failure_result(api, run_module, clock):
    # Error bodies that echo a key back must not carry it to the output either.
    api.get(DATASETS_URL, status=403, json={'errors': [{'detail': 'key %s is not allowed' % APP_KEY}]})

    result, code, raw = run(run_module, module_args())

    assert code == 1
    assert_no_secrets(raw)


def test_unused_responses_fail_the_test():
    # Guard for the fixtures above: the mock refuses requests it was not told about.
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(DATASETS_URL, timeout=1)
        assert len(mock.calls) == 1
