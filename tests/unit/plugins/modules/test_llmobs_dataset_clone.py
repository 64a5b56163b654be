# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""llmobs_dataset_clone, end to end inside the module: every test states the full list of HTTP calls.

The ``http`` fixture answers the calls in order and fails the test on any extra, missing or
different request; a test that expects no request states none.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest
import requests

from ansible_collections.llmobs.datadog.plugins.module_utils import _module
from ansible_collections.llmobs.datadog.plugins.modules import llmobs_dataset_clone
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import (
    API_KEY,
    APP_KEY,
    PROJECT,
    PROJECT_NAME,
    SOURCE,
    SOURCE_NAME,
    assert_no_secrets,
    by_project_name,
    dataset,
    module_args,
    page,
    project,
    warnings_of,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    probe_version,
    MUTATION_ANSWER,
    HTTPMismatch,
    HTTPMock,
    batch_update_of,
    clone_dataset,
    dataset_by_id,
    datasets_by_name,
    list_records,
    list_versions,
    projects_by_name,
    record,
    update_dataset,
    versions,
)

MODULE = llmobs_dataset_clone
REFUSED = ("HTTPSConnectionPool(host='api.datadoghq.com', port=443): Max retries exceeded with url: /x "
           "(Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f>: "
           "Failed to establish a new connection: [Errno 111] Connection refused'))")


def lookup(name='copy-1', cursor=None, project_id=PROJECT):
    """The lookup of the new dataset's name, the idempotency key."""
    return datasets_by_name(name, project_id=project_id, cursor=cursor)


def clone(name='copy-1', description=None, source=SOURCE, project_id=PROJECT):
    return clone_dataset(name, description, source=source, project_id=project_id)


def source_read(version=1, source=SOURCE, project_id=PROJECT):
    """A read of the source by id: before a clone (by id: whether it exists; its current version), and after it
    (its current version again: source_version)."""
    return dataset_by_id(source, project_id=project_id).reply_page(dataset(source, 'source', version=version))


def by_names(**overrides):
    """Module arguments that address the project and the source dataset by name."""
    args = by_project_name(module_args(**overrides))
    del args['dataset_id']
    args.setdefault('dataset_name', SOURCE_NAME)
    return args


# ---------------------------------------------------------------- idempotency


def test_existing_name_is_skipped_with_one_read(http, run, clock):
    http.expect(lookup().reply_page(dataset('ds-9', 'copy-1', 'kept')))

    result, code, raw = run(module_args(), diff=True)

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
    assert http.methods == ['GET']
    request = http.seen[0]
    assert request.headers['DD-API-KEY'] == API_KEY
    assert request.headers['DD-APPLICATION-KEY'] == APP_KEY
    assert request.headers['Accept'] == 'application/json'
    assert request.headers['User-Agent'].startswith('llmobs.datadog/')
    assert_no_secrets(raw)


def test_existing_dataset_with_other_description_warns_and_is_left_alone(http, run, clock):
    http.expect(lookup().reply_page(dataset('ds-9', 'copy-1', 'old text')))

    result, code, dummy = run(module_args(description='new text'))

    assert code == 0 and result['changed'] is False
    assert result['dataset']['description'] == 'old text'
    assert any('another description' in w for w in warnings_of(result))
    assert http.methods == ['GET']


def test_lookup_follows_every_page_before_deciding(http, run, clock):
    http.expect(
        lookup().reply_page(dataset('ds-1', 'copy-1 (old)'), after='cursor-2'),
        lookup(cursor='cursor-2').reply_page(dataset('ds-2', 'copy-10'), after='cursor-3'),
        lookup(cursor='cursor-3').reply_page(dataset('ds-3', 'copy-1')),
    )

    result, code, dummy = run(module_args())

    assert code == 0 and result['changed'] is False
    assert result['dataset']['id'] == 'ds-3'


@pytest.mark.parametrize('last_meta', [{'meta': {'after': ''}}, {'meta': {}}, {}], ids=['empty-cursor', 'no-after', 'no-meta'])
def test_last_page_is_recognised_without_a_cursor(http, run, clock, last_meta):
    body = {'data': [dataset('ds-3', 'copy-1')]}
    body.update(last_meta)
    http.expect(lookup().reply(200, json=body))

    result, code, dummy = run(module_args())

    assert code == 0 and result['changed'] is False


def test_inexact_filter_matches_are_not_taken_for_the_name(http, run, clock):
    near_misses = [dataset('n1', 'copy-1 '), dataset('n2', 'Copy-1'), dataset('n3', 'copy-11'), dataset('n4', 'my copy-1')]
    http.expect(
        lookup().reply_page(*near_misses),
        source_read(),
        clone().reply_data(dataset('new-1', 'copy-1', version=0)),
        source_read(),
    )

    result, code, dummy = run(module_args(wait=False))

    assert code == 0 and result['changed'] is True
    assert result['dataset']['id'] == 'new-1'


def test_same_dataset_repeated_across_pages_counts_once(http, run, clock):
    # A list that changes between pages can show an item twice; it is still one dataset.
    http.expect(
        lookup().reply_page(dataset('ds-3', 'copy-1'), after='c2'),
        lookup(cursor='c2').reply_page(dataset('ds-3', 'copy-1')),
    )

    result, code, dummy = run(module_args())

    assert code == 0 and result['changed'] is False


def test_duplicate_names_fail_and_list_their_ids(http, run, clock):
    http.expect(
        lookup().reply_page(dataset('dup-a', 'copy-1'), after='c2'),
        lookup(cursor='c2').reply_page(dataset('dup-b', 'copy-1')),
    )

    result, code, dummy = run(module_args())

    assert code == 1 and result['failed'] is True
    assert 'dup-a' in result['msg'] and 'dup-b' in result['msg']
    assert 'Several datasets' in result['msg']
    assert http.methods == ['GET', 'GET']


def test_repeated_cursor_stops_with_an_error(http, run, clock):
    http.expect(
        lookup().reply_page(dataset('a', 'x'), after='same'),
        lookup(cursor='same').reply_page(dataset('b', 'y'), after='same'),
    )

    result, code, dummy = run(module_args())

    assert code == 1
    assert 'same page cursor twice' in result['msg']


# ---------------------------------------------------------------- clone


def test_clone_sends_the_body_the_spec_asks_for_and_waits_until_listed(http, run, clock):
    created = dataset('new-1', 'copy-1', 'for the experiment', version=0)
    http.expect(
        lookup().reply_page(),
        source_read(),
        clone(description='for the experiment').reply_data(created),
        source_read(),
        lookup().reply_page(created),
    )

    result, code, raw = run(module_args(description='for the experiment'), diff=True)

    assert code == 0
    assert result['changed'] is True
    assert result['msg'].startswith('Cloned dataset %s' % SOURCE)
    assert result['dataset']['id'] == 'new-1'
    assert result['dataset']['current_version'] == 0
    assert result['diff'] == {
        'before': {'state': 'absent'},
        'after': {'state': 'present', 'name': 'copy-1', 'description': 'for the experiment', 'metadata': None,
                  'source_dataset_id': SOURCE, 'source_version': 1},
    }
    post = http.seen[2]
    assert post.headers['Content-Type'] == 'application/json'
    assert post.headers['DD-API-KEY'] == API_KEY
    assert warnings_of(result) == []
    assert_no_secrets(raw)


def test_clone_without_description_leaves_it_out_of_the_body(http, run, clock):
    http.expect(lookup().reply_page(), source_read(), clone().reply_data(dataset('new-1', 'copy-1')), source_read())

    result, code, dummy = run(module_args(wait=False))

    assert code == 0 and result['changed'] is True


def test_wait_polls_until_the_clone_is_listed(http, run, clock):
    http.expect(
        lookup().reply_page(),
        source_read(),
        clone().reply_data(dataset('new-1', 'copy-1')),
        source_read(),
        lookup().reply_page(),
        lookup().reply_page(),
        lookup().reply_page(dataset('new-1', 'copy-1')),
    )

    result, code, dummy = run(module_args())

    assert code == 0 and result['changed'] is True
    assert clock.sleeps == [0.5, 1.0]


def test_wait_timeout_fails_but_reports_the_clone(http, run, clock):
    http.expect(
        lookup().reply_page(),
        source_read(),
        clone().reply_data(dataset('new-1', 'copy-1')),
        source_read(),
        lookup().reply_page().times(4),
    )

    result, code, dummy = run(module_args(wait_timeout=3))

    assert code == 1
    assert result['changed'] is True
    assert result['dataset']['id'] == 'new-1'
    assert 'still missing from the dataset list after 3 seconds' in result['msg']
    assert sum(clock.sleeps) == pytest.approx(3)


def test_vnd_api_json_responses_are_read(http, run, clock):
    http.expect(
        lookup().reply(200, json=page(), content_type='application/vnd.api+json'),
        source_read(),
        clone().reply_data(dataset('new-1', 'copy-1'), content_type='application/vnd.api+json'),
        source_read(),
    )

    result, code, dummy = run(module_args(wait=False))

    assert code == 0 and result['dataset']['id'] == 'new-1'


def test_lenient_parsing_of_missing_response_fields(http, run, clock):
    http.expect(
        lookup().reply_page(),
        source_read(),
        clone().reply_data({'id': 'new-1', 'type': 'datasets', 'attributes': {'name': 'copy-1'}}),
        source_read(),
    )

    result, code, dummy = run(module_args(wait=False))

    assert code == 0
    assert result['dataset']['description'] is None and result['dataset']['created_at'] is None


def test_unknown_response_fields_are_ignored(http, run, clock):
    live = dataset('new-1', 'copy-1', author={'id': 'u-1'}, dataset_type='user', project_id=PROJECT)
    live['relationships'] = {'project': {'data': {'id': PROJECT}}}
    http.expect(lookup().reply_page(), source_read(), clone().reply_data(live), source_read(),
                lookup().reply(200, json={'data': [live], 'meta': {'after': ''}}))

    result, code, dummy = run(module_args())

    assert code == 0 and result['changed'] is True
    assert sorted(result['dataset']) == ['created_at', 'current_version', 'description', 'id', 'metadata', 'name',
                                         'updated_at']


# ---------------------------------------------------------------- check mode


def test_check_mode_reads_everything_and_writes_nothing(http, run, clock):
    http.expect(
        lookup().reply_page(dataset('other', 'copy-10')),
        dataset_by_id(SOURCE).reply_page(dataset(SOURCE, 'source')),
    )

    result, code, dummy = run(module_args(description='d'), check_mode=True, diff=True)

    assert code == 0
    assert result['changed'] is True
    assert result['dataset'] == {'id': None, 'name': 'copy-1', 'description': 'd', 'metadata': None,
                                 'current_version': None, 'created_at': None, 'updated_at': None}
    assert result['diff']['before'] == {'state': 'absent'}
    assert result['diff']['after']['state'] == 'present'
    http.assert_no_write()


def test_check_mode_fails_when_the_source_does_not_exist(http, run, clock):
    http.expect(
        lookup().reply_page(),
        dataset_by_id(SOURCE).reply_page(dataset('src-dataset-10', 'near miss')),
    )

    result, code, dummy = run(module_args(), check_mode=True)

    assert code == 1
    assert result['changed'] is False
    assert 'Source dataset %s was not found in project %s' % (SOURCE, PROJECT) in result['msg']
    assert http.methods == ['GET', 'GET']


def test_check_mode_on_an_existing_name_reports_no_change(http, run, clock):
    http.expect(lookup().reply_page(dataset('ds-9', 'copy-1')))

    result, code, dummy = run(module_args(), check_mode=True)

    assert code == 0 and result['changed'] is False
    http.assert_no_write()


# ---------------------------------------------------------------- addressing by name


def test_names_are_resolved_with_one_lookup_each(http, run, clock):
    http.expect(
        projects_by_name(PROJECT_NAME).reply_page(project('proj-9', PROJECT_NAME)),
        datasets_by_name(SOURCE_NAME, project_id='proj-9').reply_page(dataset('src-9', SOURCE_NAME)),
        lookup(project_id='proj-9').reply_page(),
        clone(source='src-9', project_id='proj-9').reply_data(dataset('new-1', 'copy-1')),
        source_read(source='src-9', project_id='proj-9'),
    )

    result, code, dummy = run(by_names(wait=False))

    assert code == 0 and result['changed'] is True
    assert result['project_id'] == 'proj-9'
    assert result['source_dataset_id'] == 'src-9'
    assert result['msg'] == "Cloned dataset 'source-set' (id src-9) into 'copy-1' (id new-1)."


def test_name_lookups_read_every_page_and_compare_exactly(http, run, clock):
    http.expect(
        projects_by_name(PROJECT_NAME).reply_page(
            project('p-x', PROJECT_NAME + ' '), project('p-y', 'Project-One'), project('p-z', PROJECT_NAME + '-b'), after='p2'),
        projects_by_name(PROJECT_NAME, cursor='p2').reply_page(project('proj-9', PROJECT_NAME)),
        datasets_by_name(SOURCE_NAME, project_id='proj-9').reply_page(
            dataset('s-x', SOURCE_NAME + '-old'), dataset('s-y', 'Source-Set'), after='d2'),
        datasets_by_name(SOURCE_NAME, project_id='proj-9', cursor='d2').reply_page(dataset('src-9', SOURCE_NAME)),
        lookup(project_id='proj-9').reply_page(dataset('ds-9', 'copy-1')),
    )

    result, code, dummy = run(by_names())

    assert code == 0 and result['changed'] is False
    assert (result['project_id'], result['source_dataset_id'], result['dataset']['id']) == ('proj-9', 'src-9', 'ds-9')


def test_check_mode_by_names_needs_no_read_of_the_source_by_id(http, run, clock):
    # The source was found by name: it exists, so the dry run does not read it again.
    http.expect(
        projects_by_name(PROJECT_NAME).reply_page(project(PROJECT, PROJECT_NAME)),
        datasets_by_name(SOURCE_NAME).reply_page(dataset(SOURCE, SOURCE_NAME)),
        lookup().reply_page(),
    )

    result, code, dummy = run(by_names(), check_mode=True, diff=True)

    assert code == 0 and result['changed'] is True
    assert result['dataset']['id'] is None
    assert result['diff']['after']['source_dataset_id'] == SOURCE
    http.assert_no_write()


def test_project_name_with_a_dataset_id_reads_the_source_by_id_in_check_mode(http, run, clock):
    http.expect(
        projects_by_name(PROJECT_NAME).reply_page(project('proj-9', PROJECT_NAME)),
        lookup(project_id='proj-9').reply_page(),
        dataset_by_id(SOURCE, project_id='proj-9').reply_page(dataset(SOURCE, 'source')),
    )
    args = module_args(project_name=PROJECT_NAME)
    del args['project_id']

    result, code, dummy = run(args, check_mode=True)

    assert code == 0 and result['changed'] is True and result['project_id'] == 'proj-9'
    http.assert_no_write()


@pytest.mark.parametrize('check_mode', [False, True], ids=['apply', 'check'])
def test_unknown_project_name_fails_before_any_write(http, run, clock, check_mode):
    http.expect(projects_by_name(PROJECT_NAME).reply_page(project('p-x', 'project-one-old')))

    result, code, dummy = run(by_names(), check_mode=check_mode)

    assert code == 1
    assert result['msg'] == ("No project named 'project-one' was found (given as project_name; names are compared "
                             "exactly).")
    http.assert_no_write()


@pytest.mark.parametrize('check_mode', [False, True], ids=['apply', 'check'])
def test_unknown_dataset_name_fails_naming_the_project(http, run, clock, check_mode):
    http.expect(
        projects_by_name(PROJECT_NAME).reply_page(project('proj-9', PROJECT_NAME)),
        datasets_by_name(SOURCE_NAME, project_id='proj-9').reply_page(dataset('s-x', 'source-set-2')),
    )

    result, code, dummy = run(by_names(), check_mode=check_mode)

    assert code == 1
    assert result['msg'] == ("No dataset named 'source-set' was found in project 'project-one' (id proj-9) (given as "
                             "dataset_name; names are compared exactly).")
    http.assert_no_write()


def test_several_projects_of_the_name_fail_and_list_their_ids(http, run, clock):
    http.expect(
        projects_by_name(PROJECT_NAME).reply_page(project('p-a', PROJECT_NAME), after='p2'),
        projects_by_name(PROJECT_NAME, cursor='p2').reply_page(project('p-b', PROJECT_NAME)),
    )

    result, code, dummy = run(by_names(), check_mode=True)

    assert code == 1
    assert result['msg'].startswith("Several projects named 'project-one' exist (ids: p-a, p-b)")
    http.assert_no_write()


def test_several_source_datasets_of_the_name_fail_and_list_their_ids(http, run, clock):
    http.expect(
        projects_by_name(PROJECT_NAME).reply_page(project(PROJECT, PROJECT_NAME)),
        datasets_by_name(SOURCE_NAME).reply_page(dataset('s-a', SOURCE_NAME), dataset('s-b', SOURCE_NAME)),
    )

    result, code, dummy = run(by_names())

    assert code == 1
    assert result['msg'].startswith("Several datasets named 'source-set' exist in project 'project-one' (id %s) (ids: s-a, s-b)"
                                    % PROJECT)
    http.assert_no_write()


@pytest.mark.parametrize('overrides, expected', [
    ({'project_name': ''}, 'project_name must not be blank'),
    ({'project_name': ' project-one'}, 'project_name must not start or end with spaces'),
    ({'project_name': 'line\nbreak'}, 'project_name must not contain control characters'),
    ({'dataset_name': '  '}, 'dataset_name must not be blank'),
    ({'dataset_name': u'caf\u00e9'}, 'dataset_name must use printable ASCII characters only'),
    ({'dataset_name': 'd' * 256}, 'dataset_name must be at most 255 characters long'),
])
def test_bad_names_are_refused_before_any_request(http, run, overrides, expected):
    result, code, dummy = run(by_names(**overrides))

    assert code == 1
    assert expected in result['msg']
    assert http.seen == []


# ---------------------------------------------------------------- errors


def test_jsonapi_error_objects_are_all_in_the_message(http, run, clock):
    errors = [
        {'status': '404', 'title': 'Not Found', 'detail': 'dataset src-dataset-1 not found', 'source': {'pointer': '/data/id'}},
        {'title': 'Bad Request', 'source': {'parameter': 'filter[id]'}},
        {'detail': 'header problem', 'source': {'header': 'DD-APPLICATION-KEY'}},
    ]
    http.expect(lookup().reply_page(), source_read(), clone().reply_error(404, *errors))

    result, code, raw = run(module_args(wait=False))

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


def test_plain_string_errors_of_a_429_are_joined(http, run, clock):
    http.expect(lookup().reply_error(429, 'Rate limit exceeded', 'try later').times(2))

    result, code, dummy = run(module_args(retries=1))

    assert code == 1
    assert len(http.seen) == 2
    assert 'HTTP 429' in result['msg'] and 'Rate limit exceeded; try later' in result['msg']
    assert result['errors'] == ['Rate limit exceeded', 'try later']
    assert result['status'] == 429


@pytest.mark.parametrize('status, body, content_type, expected, tries', [
    (502, '<html><body><h1>502 Bad Gateway</h1></body></html>', 'text/html', 'not JSON (text/html): 502 Bad Gateway', 2),
    (500, '', 'application/json', 'the response body was empty', 2),
    (400, '{"errors": [', 'application/json', 'not JSON (application/json)', 1),
    (403, '{"message": "nope"}', 'application/json', 'no error list in the response', 1),
])
def test_unreadable_error_bodies_get_a_clear_message(http, run, clock, status, body, content_type, expected, tries):
    http.expect(lookup().reply(status, body=body, content_type=content_type).times(tries))

    result, code, dummy = run(module_args(retries=1))

    assert code == 1
    assert len(http.seen) == tries
    assert 'HTTP %d' % status in result['msg']
    assert expected in result['msg']
    assert result['status'] == status
    assert result['errors'] == []
    assert 'exception' not in result


def test_401_names_the_key_options(http, run, clock):
    http.expect(lookup().reply_error(401, {'title': 'Unauthorized'}))

    result, code, dummy = run(module_args())

    assert code == 1
    assert 'HTTP 401' in result['msg'] and 'api_key and app_key' in result['msg']
    assert len(http.seen) == 1  # a 4xx is not retried


@pytest.mark.parametrize('header, expected, unexpected', [
    ('DD-API-KEY', 'Check api_key (DD_API_KEY): Datadog refused it', 'llmobs_data_read'),
    ('DD-APPLICATION-KEY', 'allowed llmobs_data_read and llmobs_data_write', 'Check api_key'),
    (None, 'Check that api_key and app_key belong to the organisation', 'Check api_key ('),
])
def test_403_hint_fits_the_header_the_error_names(http, run, clock, header, expected, unexpected):
    entry = {'status': '403', 'title': 'Forbidden', 'detail': 'refused'}
    if header:
        entry['source'] = {'header': header}
    http.expect(lookup().reply_error(403, entry))

    result, code, dummy = run(module_args())

    assert code == 1
    assert expected in result['msg']
    assert unexpected not in result['msg']


def test_redirects_are_not_followed(http, run, clock):
    http.expect(lookup().reply(302, headers={'Location': 'https://elsewhere.example/steal'}))

    result, code, dummy = run(module_args())

    assert code == 1
    assert 'redirect to https://elsewhere.example/steal' in result['msg']
    assert len(http.seen) == 1


def test_connection_refused_is_a_clear_failure(http, run, clock):
    http.expect(lookup().raises(requests.exceptions.ConnectionError('Failed to establish a new connection: refused')).times(2))

    result, code, dummy = run(module_args(retries=1))

    assert code == 1
    assert result['msg'].startswith('Listing datasets of project %s failed: could not reach https://api.datadoghq.com' % PROJECT)
    assert 'exception' not in result


def test_tls_failure_points_at_ca_path(http, run, clock):
    http.expect(lookup().raises(requests.exceptions.SSLError('certificate verify failed: self-signed certificate')))

    result, code, dummy = run(module_args())

    assert code == 1
    assert 'TLS verification failed' in result['msg'] and 'ca_path' in result['msg']
    assert len(http.seen) == 1  # a certificate does not fix itself: no retry


def test_missing_requests_library_fails_cleanly(http, run, monkeypatch):
    monkeypatch.setattr(_module, 'HAS_REQUESTS', False)
    monkeypatch.setattr(_module, 'REQUESTS_IMPORT_ERROR', 'ImportError: No module named requests')

    result, code, dummy = run(module_args())

    assert code == 1
    assert 'requests' in result['msg'] and 'Failed to import' in result['msg']
    assert http.seen == []


# ---------------------------------------------------------------- retries


def test_429_waits_for_the_rate_limit_reset_then_succeeds(http, run, clock):
    limited = {'X-RateLimit-Limit': '60', 'X-RateLimit-Period': '60', 'X-RateLimit-Remaining': '0',
               'X-RateLimit-Reset': '7', 'X-RateLimit-Name': 'llmobs_datasets'}
    http.expect(
        lookup().reply_error(429, 'Too many requests', headers=limited),
        lookup().reply_page(dataset('ds-9', 'copy-1')),
    )

    result, code, dummy = run(module_args())

    assert code == 0 and result['changed'] is False
    assert clock.sleeps == [7.0]
    assert len(warnings_of(result)) == 1
    assert 'rate limited (HTTP 429); retrying in 7 seconds (retry 1 of 3)' in warnings_of(result)[0]


def test_429_on_the_clone_is_sent_again_because_nothing_was_written(http, run, clock):
    http.expect(
        lookup().reply_page(),
        source_read(),
        clone().reply_error(429, 'Too many requests', headers={'X-RateLimit-Reset': '2'}),
        clone().reply_data(dataset('new-1', 'copy-1')),
        source_read(),
    )

    result, code, dummy = run(module_args(wait=False))

    assert code == 0 and result['changed'] is True
    assert clock.sleeps == [2.0]


def test_rate_limit_wait_is_bounded(http, run, clock):
    http.expect(
        lookup().reply_error(429, 'slow down', headers={'X-RateLimit-Reset': '3600'}),
        lookup().reply_page(dataset('ds-9', 'copy-1')),
    )

    result, code, dummy = run(module_args())

    assert code == 0
    assert clock.sleeps == [60.0]


def test_5xx_on_a_read_is_retried_with_backoff(http, run, clock):
    http.expect(
        lookup().reply_error(503, {'title': 'Service Unavailable'}),
        lookup().reply(500, body=''),
        lookup().reply_page(dataset('ds-9', 'copy-1')),
    )

    result, code, dummy = run(module_args())

    assert code == 0 and result['changed'] is False
    assert clock.sleeps == [1.0, 2.0]
    assert len(warnings_of(result)) == 2
    assert 'HTTP 503' in warnings_of(result)[0]


def test_empty_200_on_a_read_is_retried(http, run, clock):
    http.expect(lookup().reply(200, body=''), lookup().reply_page(dataset('ds-9', 'copy-1')))

    result, code, dummy = run(module_args())

    assert code == 0 and result['changed'] is False
    assert 'empty body' in warnings_of(result)[0]


def test_concurrent_duplicate_seen_while_waiting_is_reported(http, run, clock):
    http.expect(
        lookup().reply_page(),
        source_read(),
        clone().reply_data(dataset('new-1', 'copy-1')),
        source_read(),
        lookup().reply_page(dataset('new-2', 'copy-1'), dataset('new-1', 'copy-1')),
    )

    result, code, dummy = run(module_args())

    assert code == 0 and result['changed'] is True
    assert result['dataset']['id'] == 'new-1'
    assert 'Another dataset named' in warnings_of(result)[0] and 'new-2' in warnings_of(result)[0]


def test_read_retries_are_bounded(http, run, clock):
    http.expect(lookup().reply(502, body='<html>Bad Gateway</html>', content_type='text/html').times(3))

    result, code, dummy = run(module_args(retries=2))

    assert code == 1
    assert 'HTTP 502' in result['msg']
    assert len(http.seen) == 3


def test_read_timeout_is_retried(http, run, clock):
    http.expect(
        lookup().raises(requests.exceptions.ReadTimeout('read timed out')),
        lookup().reply_page(dataset('ds-9', 'copy-1')),
    )

    result, code, dummy = run(module_args(timeout=2.5))

    assert code == 0
    assert 'no response from https://api.datadoghq.com within 2.5 seconds' in warnings_of(result)[0]


def test_5xx_on_the_clone_after_which_the_dataset_exists_is_not_sent_again(http, run, clock):
    http.expect(
        lookup().reply_page(),
        source_read(),
        clone().reply_error(500, {'title': 'Internal Server Error'}),
        lookup().reply_page(dataset('new-1', 'copy-1')),
        source_read(),
        lookup().reply_page(dataset('new-1', 'copy-1')),
    )

    result, code, dummy = run(module_args())

    assert code == 0
    assert result['changed'] is True
    assert result['dataset']['id'] == 'new-1'
    assert any('a lookup shows it was done' in w for w in warnings_of(result))


def test_5xx_on_the_clone_waits_for_the_lagging_list_before_deciding(http, run, clock):
    http.expect(
        lookup().reply_page(),
        source_read(),
        clone().reply(502, body='<html>Bad Gateway</html>', content_type='text/html'),
        lookup().reply_page(),
        lookup().reply_page(dataset('new-1', 'copy-1')),
        source_read(),
    )

    result, code, dummy = run(module_args(wait=False))

    assert code == 0 and result['dataset']['id'] == 'new-1'
    assert http.count('POST') == 1


def test_timeout_on_the_clone_then_absent_is_sent_again_once(http, run, clock):
    http.expect(
        lookup().reply_page(),
        source_read(),
        clone().raises(requests.exceptions.ReadTimeout('read timed out')),
        lookup().reply_page().times(4),  # polled for wait_timeout=2 seconds: at 0, 0.5, 1.5 and 2
        clone().reply_data(dataset('new-1', 'copy-1')),
        source_read(),
    )

    result, code, dummy = run(module_args(wait=False, wait_timeout=2))

    assert code == 0 and result['changed'] is True
    assert http.methods == ['GET', 'GET', 'POST', 'GET', 'GET', 'GET', 'GET', 'POST', 'GET']
    assert any('a lookup found no sign of it' in w for w in warnings_of(result))


def test_clone_failing_every_time_gives_up_without_duplicates(http, run, clock):
    http.expect(lookup().reply_page(), source_read())
    for dummy in range(2):
        http.expect(
            clone().reply_error(500, {'title': 'Internal Server Error'}),
            lookup().reply_page().times(3),  # polled for wait_timeout=1 second: at 0, 0.5 and 1
        )

    result, code, dummy = run(module_args(retries=1, wait_timeout=1))

    assert code == 1
    assert 'HTTP 500' in result['msg'] and 'nothing was created' in result['msg']
    assert http.count('POST') == 2


def test_clone_4xx_is_final(http, run, clock):
    http.expect(
        lookup().reply_page(),
        source_read(),
        clone().reply_error(400, {'title': 'Bad Request', 'detail': 'name too long',
                                  'source': {'pointer': '/data/attributes/name'}}),
    )

    result, code, dummy = run(module_args())

    assert code == 1
    assert 'Bad Request: name too long (at /data/attributes/name)' in result['msg']
    assert len(http.seen) == 3


def test_unreadable_2xx_answer_to_the_clone_is_looked_up_not_resent(http, run, clock):
    http.expect(
        lookup().reply_page(),
        source_read(),
        clone().reply(200, body='{"data": {', content_type='application/json'),
        lookup().reply_page(dataset('new-1', 'copy-1')),
        source_read(),
    )

    result, code, dummy = run(module_args(wait=False))

    assert code == 0 and result['dataset']['id'] == 'new-1'
    assert http.methods == ['GET', 'GET', 'POST', 'GET', 'GET']


# ------------------------------------------- issue 8, defect 1: retries bound every re-send


@pytest.mark.parametrize('retries, backoffs', [(2, [1.0, 2.0]), (3, [1.0, 2.0, 4.0])])
def test_clone_that_never_connects_is_sent_retries_plus_one_times(http, run, clock, retries, backoffs):
    # The connection is never made, so nothing can have been written: sent again with no lookup,
    # and `retries` bounds the sends (it was 16 attempts and 15 warnings for retries: 3).
    http.expect(
        lookup().reply_page(),
        source_read(),
        clone().raises(requests.exceptions.ConnectionError(REFUSED)).times(retries + 1),
    )

    result, code, dummy = run(module_args(retries=retries, wait=False))

    assert code == 1 and not result.get('changed')
    assert http.count('POST') == retries + 1
    assert len(warnings_of(result)) == retries
    assert all('Connection refused' in w and 'retry %d of %d' % (n + 1, retries) in w
               for n, w in enumerate(warnings_of(result)))
    assert clock.sleeps == backoffs
    assert 'could not reach https://api.datadoghq.com' in result['msg']
    assert 'The request was not carried out, so nothing was created.' in result['msg']


LOST_ANSWERS = {
    'http-500': lambda call: call.reply_error(500, {'title': 'Internal Server Error'}),
    'dropped-connection': lambda call: call.raises(requests.exceptions.ConnectionError(
        "('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))")),
}


@pytest.mark.parametrize('lost', sorted(LOST_ANSWERS))
def test_clone_with_lost_answers_looks_up_before_every_send_again(http, run, clock, lost):
    # The server may have cloned: each send again comes only after a lookup that finds nothing,
    # and the POST is sent retries + 1 times in all, with backoff 1 + 2 + 4 seconds.
    http.expect(lookup().reply_page(), source_read())
    for dummy in range(4):
        http.expect(LOST_ANSWERS[lost](clone()), lookup().reply_page().times(3))  # polled at 0, 0.5 and 1 s

    result, code, dummy = run(module_args(retries=3, wait=False, wait_timeout=1))

    assert code == 1
    assert http.count('POST') == 4
    methods = http.methods
    assert all(methods[i - 1] == 'GET' for i, m in enumerate(methods) if m == 'POST')
    assert [s for s in clock.sleeps if s >= 1] == [1.0, 2.0, 4.0]
    assert sum(clock.sleeps) == pytest.approx(1 + 2 + 4 + 4 * 1)  # backoff, and four lookups of wait_timeout
    assert len(warnings_of(result)) == 3
    assert 'A lookup found no trace of it, so nothing was created.' in result['msg']


# ---------------------------------------------------------------- connection options


def test_site_sets_the_base_url(http, run, clock):
    http.expect(lookup().base('https://api.datadoghq.eu').reply_page(dataset('d', 'copy-1')))

    result, code, dummy = run(module_args(site='datadoghq.eu'))

    assert code == 0


def test_site_and_keys_from_the_environment(http, run, clock, monkeypatch):
    monkeypatch.setenv('DD_API_KEY', 'env-api-key-1234')
    monkeypatch.setenv('DD_APPLICATION_KEY', 'env-app-key-5678')
    monkeypatch.setenv('DD_SITE', 'us5.datadoghq.com')
    http.expect(lookup().base('https://api.us5.datadoghq.com')
                .header('DD-API-KEY', 'env-api-key-1234').header('DD-APPLICATION-KEY', 'env-app-key-5678')
                .reply_page(dataset('d', 'copy-1')))

    result, code, raw = run(dict(project_id=PROJECT, dataset_id=SOURCE, name='copy-1'))

    assert code == 0
    assert http.seen[0].headers['DD-API-KEY'] == 'env-api-key-1234'
    assert http.seen[0].headers['DD-APPLICATION-KEY'] == 'env-app-key-5678'
    assert 'env-api-key-1234' not in raw and 'env-app-key-5678' not in raw


def test_dd_app_key_wins_over_dd_application_key(http, run, clock, monkeypatch):
    monkeypatch.setenv('DD_API_KEY', 'env-api-key-1234')
    monkeypatch.setenv('DD_APP_KEY', 'first-choice-app-key')
    monkeypatch.setenv('DD_APPLICATION_KEY', 'second-choice-app-key')
    http.expect(lookup().header('DD-API-KEY', 'env-api-key-1234').header('DD-APPLICATION-KEY', 'first-choice-app-key')
                .reply_page(dataset('d', 'copy-1')))

    result, code, dummy = run(dict(project_id=PROJECT, dataset_id=SOURCE, name='copy-1'))

    assert code == 0
    assert http.seen[0].headers['DD-APPLICATION-KEY'] == 'first-choice-app-key'


def test_api_url_overrides_site_and_keeps_its_path(http, run, clock):
    http.expect(lookup().base('http://127.0.0.1:8126/proxy').reply_page(dataset('d', 'copy-1')))

    result, code, dummy = run(module_args(api_url='http://127.0.0.1:8126/proxy/', site='datadoghq.eu'))

    assert code == 0


# ---------------------------------------------------------------- validation: nothing is sent


def _no_request_sent(http):
    assert http.seen == []


@pytest.mark.parametrize('option, env', [('api_key', 'DD_API_KEY'), ('app_key', 'DD_APP_KEY or DD_APPLICATION_KEY')])
def test_missing_keys_name_the_option_and_environment(http, run, option, env):
    args = module_args()
    del args[option]

    result, code, dummy = run(args)

    assert code == 1
    assert 'set the %s option or the %s environment variable' % (option, env) in result['msg']
    _no_request_sent(http)


@pytest.mark.parametrize('option', ['project_id', 'dataset_id'])
@pytest.mark.parametrize('value', ['../other', 'a/b', 'a?b=1', 'a#frag', 'a%2Fb', 'a b', 'a\nb', '..', '.', 'a.b',
                                   'a\\b', 'ü-id', 'a\tb', '%00', 'abc\n', 'abc\r\n'])
def test_path_changing_ids_are_refused(http, run, option, value):
    result, code, dummy = run(module_args(**{option: value}))

    assert code == 1
    assert result['msg'].startswith("%s must contain only letters, digits, '-' and '_'" % option)
    _no_request_sent(http)


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
    ({'site': 'example.com'}, "site 'example.com' is not a known Datadog site"),
    ({'site': 'datadoghq.com.evil.io'}, 'is not a known Datadog site'),
    ({'site': 'app.datadoghq.eu'}, "site 'app.datadoghq.eu' is the address of the Datadog web app; the API site is 'datadoghq.eu'"),
    ({'site': 'us55.datadoghq.com'}, "(did you mean 'us5.datadoghq.com'?)"),
    ({'site': 'data dog.com'}, 'is not a valid host name'),
    ({'site': 'datadoghq'}, 'is not a valid host name'),
    ({'api_url': ''}, 'api_url must not be blank'),
    ({'api_url': '127.0.0.1:8126'}, 'api_url must be an absolute http:// or https:// URL'),
    ({'api_url': 'ftp://example.com'}, 'api_url must be an absolute http:// or https:// URL'),
    ({'api_url': 'https://'}, 'api_url must be an absolute http:// or https:// URL'),
    ({'api_url': 'https://user:secret@proxy.example'}, 'api_url must not contain credentials'),
    ({'api_url': 'https://proxy.example?x=1'}, 'api_url must not contain a query string or fragment'),
    ({'api_url': 'https://proxy.example:99999'}, 'api_url has an invalid port'),
    ({'api_url': 'http://[::1'}, 'api_url is not a valid URL (Invalid IPv6 URL'),
    ({'api_url': 'http://[zz]:8126'}, 'api_url is not a valid URL'),
    ({'api_url': 'https://proxy .example'}, 'api_url must not contain spaces'),
    ({'ca_path': '/nonexistent/ca.pem'}, "ca_path '/nonexistent/ca.pem' does not exist"),
])
def test_every_bad_value_names_its_option_before_any_request(http, run, overrides, expected):
    result, code, raw = run(module_args(**overrides))

    assert code == 1
    assert expected in result['msg']
    _no_request_sent(http)
    assert 'secret' not in result['msg']
    assert_no_secrets(raw)


@pytest.mark.parametrize('overrides, option', [
    ({'timeout': 'soon'}, 'timeout'),
    ({'retries': 'many'}, 'retries'),
    ({'wait': 'maybe'}, 'wait'),
    ({'validate_certs': 'perhaps'}, 'validate_certs'),
    ({'wait_timeout': 'long'}, 'wait_timeout'),
])
def test_wrong_types_name_the_option(http, run, overrides, option):
    result, code, dummy = run(module_args(**overrides))

    assert code == 1
    assert option in result['msg']
    _no_request_sent(http)


def test_required_options_are_reported(http, run):
    result, code, dummy = run({'api_key': API_KEY, 'app_key': APP_KEY})

    assert code == 1
    assert 'missing required arguments: name' in result['msg']
    _no_request_sent(http)


@pytest.mark.parametrize('args, message', [
    ({'name': 'c', 'dataset_id': 'd'}, 'one of the following is required: project_id, project_name'),
    ({'name': 'c', 'project_id': 'p'}, 'one of the following is required: dataset_id, dataset_name'),
    ({'name': 'c', 'dataset_name': 'd'}, 'one of the following is required: project_id, project_name'),
    ({'name': 'c', 'project_name': 'p'}, 'one of the following is required: dataset_id, dataset_name'),
    ({'name': 'c', 'project_id': 'p', 'project_name': 'q', 'dataset_id': 'd'},
     'parameters are mutually exclusive: project_id|project_name'),
    ({'name': 'c', 'project_id': 'p', 'dataset_id': 'd', 'dataset_name': 'e'},
     'parameters are mutually exclusive: dataset_id|dataset_name'),
    ({'name': 'c', 'project_name': 'p', 'dataset_id': 'd', 'dataset_name': 'e'},
     'parameters are mutually exclusive: dataset_id|dataset_name'),
])
def test_exactly_one_address_of_each_kind_is_required(http, run, args, message):
    result, code, dummy = run(dict(args, api_key=API_KEY, app_key=APP_KEY))

    assert code == 1
    assert message in result['msg']
    _no_request_sent(http)


def test_no_proxy_credentials_or_keys_reach_a_failure_result(http, run, clock):
    # Error bodies that echo a key back must not carry it to the output either.
    http.expect(lookup().reply_error(403, {'detail': 'key %s is not allowed' % APP_KEY}))

    result, code, raw = run(module_args())

    assert code == 1
    assert_no_secrets(raw)


def test_unused_responses_fail_the_test(run):
    # Guard for the fixture above: a request the test did not state fails it, whatever the module does.
    with HTTPMock() as mock:
        with pytest.raises(HTTPMismatch, match='HTTP call 1 was not expected'):
            run(module_args())
    assert len(mock.seen) == 1


# ---------------------------------------------------------------- metadata


def test_metadata_is_set_by_a_patch_right_after_the_clone(http, run, clock):
    meta = {'purpose': 'pinned', 'run': 7}
    http.expect(
        lookup().reply_page(),
        source_read(),
        clone().reply_data(dataset('new-1', 'copy-1', version=0)),
        source_read(),
        update_dataset('new-1', {'metadata': meta}).reply_data(dataset('new-1', 'copy-1', version=0, metadata=meta)),
        lookup().reply_page(dataset('new-1', 'copy-1', version=0, metadata=meta)),
    )

    result, code, dummy = run(module_args(metadata=meta), diff=True)

    assert code == 0 and result['changed'] is True
    assert result['dataset']['metadata'] == meta
    assert result['diff']['after']['metadata'] == meta
    assert result['source_version'] == 1
    assert result['msg'] == "Cloned dataset %s into 'copy-1' (id new-1)." % SOURCE
    assert 'version_sync' not in result


def test_metadata_that_cannot_be_set_leaves_the_copy_and_says_what_to_do(http, run, clock):
    http.expect(
        lookup().reply_page(),
        source_read(),
        clone().reply_data(dataset('new-1', 'copy-1', version=0)),
        source_read(),
        update_dataset('new-1', {'metadata': {'a': 1}}).reply_error(400, {'title': 'Bad Request', 'detail': 'no'}),
    )

    result, code, dummy = run(module_args(metadata={'a': 1}))

    assert code == 1
    assert result['changed'] is True and result['dataset']['id'] == 'new-1' and result['status'] == 400
    assert result['msg'].startswith("Cloned dataset %s into 'copy-1' (id new-1), but setting its metadata failed: "
                                    "Updating dataset new-1 of project %s failed with HTTP 400" % (SOURCE, PROJECT))
    assert result['msg'].endswith("Running this task again will not fix it: the name exists now, so the task leaves the "
                                  "dataset as it is. Set the metadata with llmobs.datadog.llmobs_dataset, or delete "
                                  "dataset 'copy-1' (id new-1) and run this task again.")


def test_existing_name_with_other_metadata_warns_and_is_left_alone(http, run, clock):
    http.expect(lookup().reply_page(dataset('ds-9', 'copy-1', metadata={'a': 1})))

    result, code, dummy = run(module_args(metadata={'a': 2}, version=0))

    assert code == 0 and result['changed'] is False
    assert result['dataset']['metadata'] == {'a': 1}
    assert result['source_version'] is None and 'version_sync' not in result
    assert warnings_of(result) == ["Dataset 'copy-1' already exists with another metadata; this module does not update it."]
    assert result['summary'] == 'clone copy-1: already exists with another metadata, not updated'


def test_check_mode_predicts_the_metadata(http, run, clock):
    http.expect(lookup().reply_page(), source_read(version=4))

    result, code, dummy = run(module_args(metadata={'a': 1}), check_mode=True, diff=True)

    assert code == 0 and result['changed'] is True
    assert result['dataset']['metadata'] == {'a': 1}
    assert result['diff']['after'] == {'state': 'present', 'name': 'copy-1', 'description': None, 'metadata': {'a': 1},
                                       'source_dataset_id': SOURCE, 'source_version': 4}
    assert result['source_version'] == 4
    http.assert_no_write()


# ---------------------------------------------------------------- source_version


def test_source_version_is_the_version_read_before_and_after_the_clone(http, run, clock):
    http.expect(lookup().reply_page(), source_read(version=5), clone().reply_data(dataset('new-1', 'copy-1')),
                source_read(version=5))

    result, code, dummy = run(module_args(wait=False))

    assert code == 0 and result['source_version'] == 5 and warnings_of(result) == []


@pytest.mark.parametrize('after, reason', [
    (source_read(version=6), 'its current version moved from 5 to 6 meanwhile'),
    (dataset_by_id(SOURCE).reply_page(), 'it was no longer listed'),
], ids=['moved', 'gone'])
def test_source_version_is_null_when_the_source_changed_during_the_clone(http, run, clock, after, reason):
    http.expect(lookup().reply_page(), source_read(version=5), clone().reply_data(dataset('new-1', 'copy-1')), after)

    result, code, dummy = run(module_args(wait=False))

    assert code == 0 and result['changed'] is True
    assert result['source_version'] is None
    assert warnings_of(result) == ['Which version of dataset %s the copy was made from is not known, so source_version '
                                   'is null: %s' % (SOURCE, reason)]


def test_a_failed_read_after_the_clone_only_loses_source_version(http, run, clock):
    http.expect(lookup().reply_page(), source_read(version=5), clone().reply_data(dataset('new-1', 'copy-1')),
                dataset_by_id(SOURCE).reply_error(403, {'title': 'Forbidden'}))

    result, code, dummy = run(module_args(wait=False))

    assert code == 0 and result['changed'] is True and result['dataset']['id'] == 'new-1'
    assert result['source_version'] is None
    assert 'reading it again failed: Listing datasets of project %s failed with HTTP 403' % PROJECT in warnings_of(result)[0]


def test_source_found_by_name_gives_its_version_without_a_read_before(http, run, clock):
    http.expect(
        projects_by_name(PROJECT_NAME).reply_page(project(PROJECT, PROJECT_NAME)),
        datasets_by_name(SOURCE_NAME).reply_page(dataset(SOURCE, SOURCE_NAME, version=3)),
        lookup().reply_page(),
        clone().reply_data(dataset('new-1', 'copy-1')),
        source_read(version=3),
    )

    result, code, dummy = run(by_names(wait=False))

    assert code == 0 and result['source_version'] == 3


def test_a_missing_source_fails_before_the_clone_is_sent(http, run, clock):
    http.expect(lookup().reply_page(), dataset_by_id(SOURCE).reply_page())

    result, code, dummy = run(module_args())

    assert code == 1 and result['changed'] is False
    assert result['msg'] == ('Source dataset %s was not found in project %s: there is nothing to clone. Check project_id '
                             'and dataset_id.' % (SOURCE, PROJECT))
    http.assert_no_write()


# ---------------------------------------------------------------- version


def version_list(*numbers):
    return list_versions(SOURCE).reply(200, json={'data': versions(SOURCE, *numbers)})


def source_records(*items, **kwargs):
    """One page of the source's records: of ``version``, or the current ones."""
    version = kwargs.get('version')
    return list_records(SOURCE, version=None if version is None else str(version)).reply_page(*items)


def copy_records(*items):
    return list_records('new-1').reply_page(*items)


V1 = [record('s1', 'q1', 'A'), record('s2', 'q2', 'B'), record('s3', 'q3', 'C', tags=['k:v'])]
CURRENT = [record('s1', 'q1', 'A'), record('s2', 'q2', 'B2'), record('s4', 'q4', 'D')]
# The clone's copies of CURRENT: the same data under new ids.
COPIED = [record('c1', 'q1', 'A'), record('c2', 'q2', 'B2'), record('c4', 'q4', 'D')]
TO_V1 = dict(inserts=[{'input': 'q3', 'expected_output': 'C', 'tags': ['k:v']}],
             updates=[{'id': 'c2', 'expected_output': 'B'}], deletes=['c4'])


def test_a_past_version_is_cloned_then_made_equal_to_it_as_data(http, run, clock):
    http.expect(
        lookup().reply_page(),
        source_read(version=3),
        version_list(3, 2, 1, 0),
        source_records(*V1, version=1),
        source_records(*CURRENT),
        clone().reply_data(dataset('new-1', 'copy-1', version=0)),
        copy_records(*COPIED),  # the copy shows what the clone copied: now it may be written
        copy_records(*COPIED),  # the sync's own read
        batch_update_of('new-1', create=True, **TO_V1).reply(json=MUTATION_ANSWER),
        dataset_by_id('new-1').reply_page(dataset('new-1', 'copy-1', version=1)),
        lookup().reply_page(dataset('new-1', 'copy-1', version=1)),
    )

    result, code, raw = run(module_args(version=1), diff=True)

    assert code == 0 and result['changed'] is True
    assert result['source_version'] == 1
    assert result['version_sync'] == dict(records=3, created=1, updated=1, deleted=1, unchanged=1)
    assert result['dataset']['current_version'] == 1
    assert result['msg'] == ("Cloned version 1 of dataset %s into 'copy-1' (id new-1). The clone copied the source's "
                             "current records; then 1 record was created, 1 updated and 1 deleted so that it holds "
                             "version 1's 3 records." % SOURCE)
    assert result['summary'] == 'clone copy-1: created from version 1'
    create, records = result['diff']
    assert create['after']['source_version'] == 1
    assert records['before']['records'] == {'[q2] expected_output': 'B2', '[q2] id': 'c2', '[c4] input': 'q4',
                                            '[c4] expected_output': 'D'}
    assert records['after']['records'] == {'[q2] expected_output': 'B', '[q2] id': 'c2', '[q3] input': 'q3',
                                           '[q3] expected_output': 'C', '[q3] tags': ['k:v']}
    writes = [seen for seen in http.seen if seen.method != 'GET']
    assert [seen.path.rsplit('/', 2)[-2:] for seen in writes] == [[SOURCE, 'clone'], ['new-1', 'batch_update']]
    assert_no_secrets(raw)


def test_the_current_version_is_cloned_and_compared_and_nothing_is_written(http, run, clock):
    listed = [record('s1', 'q1', 'A', metadata={'m': 1}), record('s2', 'q2', None)]
    http.expect(
        lookup().reply_page(),
        source_read(version=2),
        version_list(2, 1, 0),
        source_records(*listed, version=2),  # the current version: its records are read once
        clone().reply_data(dataset('new-1', 'copy-1', version=0)),
        copy_records(record('c2', 'q2', None), record('c1', 'q1', 'A', metadata={'m': 1.0})),
        lookup().reply_page(dataset('new-1', 'copy-1', version=0)),
    )

    result, code, dummy = run(module_args(version=2), diff=True)

    assert code == 0 and result['changed'] is True
    assert result['version_sync'] == dict(records=2, created=0, updated=0, deleted=0, unchanged=2)
    assert result['dataset']['current_version'] == 0
    assert result['msg'].endswith("Its records equal version 2's 2 records as cloned: nothing more was written.")
    assert isinstance(result['diff'], dict)  # no records diff: nothing changes


def test_the_current_version_need_not_be_listed_among_the_versions(http, run, clock):
    http.expect(lookup().reply_page(), source_read(version=2), version_list(1, 0), source_records(version=2),
                clone().reply_data(dataset('new-1', 'copy-1', version=0)), copy_records())

    result, code, dummy = run(module_args(version=2, wait=False))

    assert code == 0 and result['source_version'] == 2 and result['version_sync']['records'] == 0


def test_an_older_version_with_the_same_records_writes_nothing(http, run, clock):
    http.expect(lookup().reply_page(), source_read(version=4), version_list(4, 3), source_records(*COPIED, version=3),
                source_records(*CURRENT), clone().reply_data(dataset('new-1', 'copy-1', version=0)), copy_records(*COPIED))

    result, code, dummy = run(module_args(version=3, wait=False))

    assert code == 0 and result['version_sync'] == dict(records=3, created=0, updated=0, deleted=0, unchanged=3)


@pytest.mark.parametrize('check_mode', [False, True], ids=['apply', 'check'])
def test_an_unknown_or_expired_version_fails_before_anything_is_created(http, run, clock, check_mode):
    http.expect(lookup().reply_page(), source_read(version=4), version_list(4, 3, 2),
                probe_version(SOURCE, 1).reply_error(404, {'detail': 'version not found'}))

    result, code, dummy = run(module_args(version=1), check_mode=check_mode)

    assert code == 1 and result['changed'] is False
    assert result['msg'] == ('Dataset %s has no version 1: its versions are 4, 3, 2 (Datadog keeps old versions 90 days, then they expire). '
                             'Nothing was cloned.' % SOURCE)
    assert result['project_id'] == PROJECT and result['source_dataset_id'] == SOURCE
    http.assert_no_write()


def test_check_mode_predicts_the_write_after_the_clone_and_plans_the_copy_of_the_version(http, run, clock):
    http.expect(lookup().reply_page(), source_read(version=3), version_list(3, 2, 1, 0), source_records(*V1, version=1),
                source_records(*CURRENT))

    result, code, dummy = run(module_args(version=1), check_mode=True, diff=True)

    assert code == 0 and result['changed'] is True
    assert result['version_sync'] == dict(records=3, created=1, updated=1, deleted=1, unchanged=1)
    assert result['msg'] == ("Would clone version 1 of dataset %s into 'copy-1' (check mode: nothing was sent). The clone "
                             "would copy the source's current records; then 1 record would be created, 1 updated and 1 "
                             "deleted so that it holds version 1's 3 records." % SOURCE)
    assert result['summary'] == 'clone copy-1: would be created from version 1'
    assert result['diff'][1]['before_header'] == ("records of the copy 'copy-1' (the source's current records, then "
                                                  "version 1's) (all 3 changes)")
    planned = result['ansible_facts']['llmobs_planned']['entries']
    assert planned[0]['source'] == dict(project_id=PROJECT, dataset_id=SOURCE, version=1)
    http.assert_no_write()


def test_check_mode_of_the_current_version_reads_it_once(http, run, clock):
    http.expect(lookup().reply_page(), source_read(version=1), version_list(1, 0), source_records(*V1, version=1))

    result, code, dummy = run(module_args(version=1), check_mode=True)

    assert code == 0 and result['version_sync'] == dict(records=3, created=0, updated=0, deleted=0, unchanged=3)
    assert result['msg'].endswith("The source's current records equal version 1's 3 records: nothing would be written "
                                  "after the clone.")


def test_a_version_of_a_dataset_planned_by_an_earlier_task_cannot_be_told(http, run, clock, monkeypatch):
    monkeypatch.setenv('LLMOBS_CHECK_PLAN', json.dumps([dict(
        kind='dataset', name=SOURCE_NAME, project_id=PROJECT, project_name=None, source=None,
        api='https://api.datadoghq.com')]))
    http.expect(
        projects_by_name(PROJECT_NAME).reply_page(project(PROJECT, PROJECT_NAME)),
        datasets_by_name(SOURCE_NAME).reply_page(),
        lookup().reply_page(),
    )

    result, code, dummy = run(by_names(version=0), check_mode=True)

    assert code == 1 and result['changed'] is False
    assert result['msg'] == ("Dataset 'source-set' (an earlier task of this run would create it) has no version 0 to "
                             "clone yet: a dry run cannot tell which versions it will have.")


@pytest.mark.parametrize('check_mode', [False, True], ids=['apply', 'check'])
def test_a_version_with_two_records_of_one_input_that_differs_fails_before_the_clone(http, run, clock, check_mode):
    twins = [record('s1', 'q1', 'A'), record('s2', 'q1', 'B')]
    http.expect(lookup().reply_page(), source_read(version=2), version_list(2, 1), source_records(*twins, version=1),
                source_records(*CURRENT))

    result, code, dummy = run(module_args(version=1), check_mode=check_mode)

    assert code == 1 and result['changed'] is False
    assert result['msg'] == ("Version 1 of dataset %s cannot be cloned: the clone copies the current records, which "
                             "differ from version 1's, and then makes them equal, but its records s1 and s2 have the "
                             "same input, and the copy is matched with them by input. Nothing was cloned." % SOURCE)
    http.assert_no_write()


def test_a_version_with_a_record_the_api_would_refuse_fails_before_the_clone(http, run, clock):
    http.expect(lookup().reply_page(), source_read(version=2), version_list(2, 1),
                source_records(record('s1', None, 'A'), version=1), source_records(*CURRENT))

    result, code, dummy = run(module_args(version=1))

    assert code == 1
    assert ('but its record s1 cannot be written again (input is null; every record needs an input (Datadog requires '
            'one))' in result['msg'])
    http.assert_no_write()


def test_a_version_with_two_records_of_one_input_equal_to_the_current_records_is_cloned(http, run, clock):
    twins = [record('s1', 'q1', 'A'), record('s2', 'q1', 'A')]
    http.expect(lookup().reply_page(), source_read(version=1), version_list(1, 0), source_records(*twins, version=1),
                clone().reply_data(dataset('new-1', 'copy-1', version=0)),
                copy_records(record('c1', 'q1', 'A'), record('c2', 'q1', 'A')))

    result, code, dummy = run(module_args(version=1, wait=False))

    assert code == 0 and result['version_sync']['records'] == 2


def test_the_copy_records_are_read_again_until_they_show_what_was_cloned(http, run, clock):
    http.expect(
        lookup().reply_page(), source_read(version=3), version_list(3, 1), source_records(*V1, version=1),
        source_records(*CURRENT), clone().reply_data(dataset('new-1', 'copy-1', version=0)),
        list_records('new-1').reply_error(404, {'title': 'Not Found'}),
        copy_records(*COPIED[:1]),
        copy_records(*COPIED),
        copy_records(*COPIED),
        batch_update_of('new-1', create=True, **TO_V1).reply(json=MUTATION_ANSWER),
        dataset_by_id('new-1').reply_page(dataset('new-1', 'copy-1', version=1)),
    )

    result, code, dummy = run(module_args(version=1, wait=False))

    assert code == 0 and result['version_sync']['created'] == 1
    assert clock.sleeps == [0.5, 1.0]


def test_copy_records_that_never_show_what_was_cloned_fail_without_a_write(http, run, clock):
    http.expect(
        lookup().reply_page(), source_read(version=3), version_list(3, 1), source_records(*V1, version=1),
        source_records(*CURRENT), clone().reply_data(dataset('new-1', 'copy-1', version=0)),
        copy_records(*COPIED[:2]).times(3),  # polled for wait_timeout=1 second: at 0, 0.5 and 1
    )

    result, code, dummy = run(module_args(version=1, wait_timeout=1))

    assert code == 1 and result['changed'] is True and result['dataset']['id'] == 'new-1'
    assert result['source_version'] == 1
    assert result['msg'] == (
        "Cloned dataset %s into 'copy-1' (id new-1), but after 1 second its records still did not show the 3 records "
        "the source held, so it was not made equal to version 1: nothing was written to it. Running this task again "
        "will not fix it: the name exists now, so the task leaves the dataset as it is. Delete dataset 'copy-1' (id "
        "new-1) and run this task again, or make its records those of version 1 with "
        "llmobs.datadog.llmobs_dataset_records (purge: true)." % SOURCE)


def test_a_failed_records_write_says_the_copy_exists_and_what_to_do(http, run, clock):
    http.expect(
        lookup().reply_page(), source_read(version=3), version_list(3, 1), source_records(*V1, version=1),
        source_records(*CURRENT), clone().reply_data(dataset('new-1', 'copy-1', version=0)),
        copy_records(*COPIED), copy_records(*COPIED),
        batch_update_of('new-1', create=True, **TO_V1).reply_error(403, {'title': 'Forbidden'}),
    )

    result, code, dummy = run(module_args(version=1))

    assert code == 1 and result['changed'] is True and result['status'] == 403
    assert result['dataset']['id'] == 'new-1'
    msg = result['msg']
    assert msg.startswith("Cloned dataset %s into 'copy-1' (id new-1), but making its records those of version 1 "
                          "failed: Writing records to dataset new-1 of project %s (1 inserted, 1 updated, 1 deleted) "
                          "failed with HTTP 403" % (SOURCE, PROJECT))
    assert ("The copy holds the source's current records, with any change written before the failure. Running this "
            "task again will not fix it: the name exists now, so the task leaves the dataset as it is. Delete dataset "
            "'copy-1' (id new-1) and run this task again" in msg)
    assert 'finishes the rest' not in msg and 'converges' not in msg


def test_records_that_differ_after_the_clone_from_an_uncopyable_version_are_not_written(http, run, clock):
    # Before the clone the current records equalled version 1's; the clone copied one more (the source changed).
    twins = [record('s1', 'q1', 'A'), record('s2', 'q1', 'A')]
    http.expect(lookup().reply_page(), source_read(version=1), version_list(1), source_records(*twins, version=1),
                clone().reply_data(dataset('new-1', 'copy-1', version=0)),
                copy_records(record('c1', 'q1', 'A'), record('c2', 'q1', 'A'), record('c3', 'q9', 'Z')))

    result, code, dummy = run(module_args(version=1))

    assert code == 1 and result['changed'] is True
    assert ("but its records differ from version 1's, and its records s1 and s2 have the same input, and the copy is "
            "matched with them by input, so nothing was written to it." in result['msg'])


def test_version_and_metadata_write_the_records_then_the_metadata(http, run, clock):
    meta = {'frozen': True}
    http.expect(
        lookup().reply_page(), source_read(version=3), version_list(3, 1), source_records(*V1, version=1),
        source_records(*CURRENT), clone().reply_data(dataset('new-1', 'copy-1', version=0)),
        copy_records(*COPIED), copy_records(*COPIED),
        batch_update_of('new-1', create=True, **TO_V1).reply(json=MUTATION_ANSWER),
        update_dataset('new-1', {'metadata': meta}).reply_data(dataset('new-1', 'copy-1', version=1, metadata=meta)),
    )

    result, code, dummy = run(module_args(version=1, metadata=meta, wait=False))

    assert code == 0 and result['dataset']['metadata'] == meta and result['dataset']['current_version'] == 1


def test_metadata_failing_after_the_version_says_the_records_were_made(http, run, clock):
    http.expect(
        lookup().reply_page(), source_read(version=1), version_list(1), source_records(*V1, version=1),
        clone().reply_data(dataset('new-1', 'copy-1', version=0)), copy_records(*COPIED[:1] + V1[1:]),
        update_dataset('new-1', {'metadata': {'a': 1}}).reply_error(400, {'title': 'Bad Request'}),
    )

    result, code, dummy = run(module_args(version=1, metadata={'a': 1}))

    assert code == 1
    assert result['msg'].startswith("Cloned dataset %s into 'copy-1' (id new-1) and made its records those of version 1, "
                                    "but setting its metadata failed:" % SOURCE)


def test_a_copy_not_listed_after_its_write_has_no_known_current_version(http, run, clock):
    http.expect(
        lookup().reply_page(), source_read(version=3), version_list(3, 1), source_records(*V1, version=1),
        source_records(*CURRENT), clone().reply_data(dataset('new-1', 'copy-1', version=0)),
        copy_records(*COPIED), copy_records(*COPIED),
        batch_update_of('new-1', create=True, **TO_V1).reply(json=MUTATION_ANSWER),
        dataset_by_id('new-1').reply_page().times(3),  # polled for wait_timeout=1 second: at 0, 0.5 and 1
    )

    result, code, dummy = run(module_args(version=1, wait=False, wait_timeout=1))

    assert code == 0 and result['dataset']['id'] == 'new-1' and result['dataset']['current_version'] is None
    assert warnings_of(result) == ["The copy holds version 1's records, but its new current version is not known, so "
                                   "dataset.current_version is null: it was still missing from the dataset list after "
                                   "1 second"]


def test_a_negative_version_is_refused_before_any_request(http, run):
    result, code, dummy = run(module_args(version=-1))

    assert code == 1
    assert result['msg'] == 'version must be a dataset version number, 0 or more (got -1).'
    assert http.seen == []
