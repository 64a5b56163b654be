# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The hint that ends the message of a failed call fits the key the error names and the resource called.

A 403 names the key its header names (or both keys when it names neither); a 404 hint comes from the
resource (project or dataset), never from the shared transport, and never replaces a key hint.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import APIError
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import resolve_dataset, resolve_project
from ansible_collections.llmobs.datadog.plugins.module_utils._module import API
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import PROJECT, SOURCE, make_api, make_transport
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import dataset as dataset_item, project as project_item
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    Call,
    clone_dataset,
    create_project,
    datasets_by_name,
    delete_dataset,
    projects_by_name,
    update_dataset,
    update_project,
)


def clone(api):
    return api.datasets.clone(PROJECT, SOURCE, 'copy-1', None, 1)


def forbidden(header=None):
    entry = {'status': '403', 'title': 'Forbidden', 'detail': 'Forbidden request'}
    if header is not None:
        entry['source'] = {'header': header}
    return entry


def failure(action):
    with pytest.raises(APIError) as info:
        action(make_api(1))
    return info.value.message


@pytest.mark.parametrize('header', ['DD-API-KEY', 'dd-api-key'])
def test_403_on_the_api_key_gives_the_api_key_hint(http, header):
    http.expect(projects_by_name('p').reply_error(403, forbidden(header)))

    message = failure(lambda api: api.projects.find_by_name('p'))

    assert message.endswith("Check api_key (DD_API_KEY): Datadog refused it; it must be an API key of the organisation "
                            "that site or api_url points at.")
    assert 'llmobs_data_read' not in message and 'application key' not in message


def test_403_on_the_application_key_gives_the_scopes_hint(http):
    http.expect(datasets_by_name('x').reply_error(403, forbidden('DD-APPLICATION-KEY')))

    message = failure(lambda api: api.datasets.find_by_name(PROJECT, 'x'))

    assert message.endswith('Check that the application key is allowed llmobs_data_read and llmobs_data_write, and '
                            'that site or api_url points at the organisation the keys belong to.')
    assert 'Check api_key' not in message


@pytest.mark.parametrize('entries', [
    [forbidden()],
    [forbidden('DD-API-KEY'), forbidden('DD-APPLICATION-KEY')],
    ['Forbidden'],
], ids=['no-header', 'both-headers', 'plain-string'])
def test_403_naming_no_single_key_gives_a_neutral_hint_naming_both(http, entries):
    http.expect(clone_dataset('copy-1').reply_error(403, *entries))

    message = failure(clone)

    assert message.endswith('Check that api_key and app_key belong to the organisation that site or api_url points '
                            'at, and that the application key is allowed llmobs_data_read and llmobs_data_write.')


def test_a_resource_404_hint_does_not_replace_the_key_hints(http):
    http.expect(clone_dataset('copy-1').reply_error(403, forbidden('DD-API-KEY')))

    message = failure(clone)

    assert 'Check api_key (DD_API_KEY)' in message and 'dataset_id' not in message


PROJECT_HINT = 'Check project_id: the project does not exist for these keys.'
DATASET_HINT = 'Check project_id and dataset_id: the project or dataset does not exist for these keys.'
ROUTE_HINT = 'Check that site or api_url points at the Datadog API: the route of this request was not found there.'


@pytest.mark.parametrize('call, action, hint', [
    (projects_by_name('p'), lambda api: api.projects.find_by_name('p'), PROJECT_HINT),
    (update_project('p1', {'description': 'd'}), lambda api: api.projects.update('p1', {'description': 'd'}),
     PROJECT_HINT),
    (create_project('p'), lambda api: api.projects.create('p', None, 1), PROJECT_HINT),
    (datasets_by_name('x'), lambda api: api.datasets.find_by_name(PROJECT, 'x'), PROJECT_HINT),
    (delete_dataset('d1'), lambda api: api.datasets.delete(PROJECT, 'd1', 1), PROJECT_HINT),
    (clone_dataset('copy-1'), clone, DATASET_HINT),
    (update_dataset('d1', {'name': 'n'}), lambda api: api.datasets.update(PROJECT, 'd1', {'name': 'n'}), DATASET_HINT),
], ids=['project-lookup', 'project-update', 'project-create', 'dataset-lookup', 'dataset-delete', 'clone',
        'dataset-update'])
def test_404_hints_come_from_the_resource(http, call, action, hint):
    http.expect(call.reply_error(404, {'status': '404', 'title': 'Not Found'}))

    with pytest.raises(APIError) as info:
        action(API(make_transport(1, given=['project_id', 'dataset_id', 'name'])))
    message = info.value.message

    assert message.endswith(' ' + hint)
    if call.method == 'GET' or call.method == 'PATCH':
        assert message.endswith('Not Found (status 404). ' + hint)
    else:
        # A refused create, clone or delete says what did not happen, before what to check.
        assert re.search(r'Not Found \(status 404\)\. The request was refused, so nothing was (created|deleted)\. ',
                         message)
    if hint == PROJECT_HINT:
        assert 'dataset_id' not in message


def test_shared_code_gives_no_404_hint_of_its_own(http):
    http.expect(Call('GET', '/api/v2/llm-obs/v1/anything').reply_error(404, 'not found'))

    with pytest.raises(APIError) as info:
        make_api().transport.request('GET', '/api/v2/llm-obs/v1/anything', 'Reading anything')

    assert info.value.message == 'Reading anything failed with HTTP 404 Not Found: not found.'


@pytest.mark.parametrize('given, hint', [
    ([], ROUTE_HINT),
    (['name'], ROUTE_HINT),
    (['project_name'], 'Check project_name: the project does not exist for these keys.'),
    (['project_id'], 'Check project_id: the project does not exist for these keys.'),
])
def test_a_404_hint_names_only_the_options_the_task_set(http, given, hint):
    # llmobs_project_info without any name, against an api_url whose path is wrong, names no option it was not given.
    http.expect(Call('GET', '/api/v2/llm-obs/v1/projects').query({'page[limit]': 5000}).reply_error(404, 'not found'))

    with pytest.raises(APIError) as info:
        API(make_transport(1, given=given)).projects.list()

    assert info.value.message == 'Listing projects failed with HTTP 404 Not Found: not found. ' + hint


@pytest.mark.parametrize('given, hint', [
    (['project_name', 'dataset_name'],
     'Check project_name and dataset_name: the project or dataset does not exist for these keys.'),
    (['project_id', 'dataset_name'], 'Check project_id and dataset_name: the project or dataset does not exist for these keys.'),
    ([], ROUTE_HINT),
])
def test_a_dataset_404_names_the_options_as_the_task_gave_them(http, given, hint):
    http.expect(update_dataset('d1', {'name': 'n'}).reply_error(404, 'not found'))

    with pytest.raises(APIError) as info:
        API(make_transport(1, given=given)).datasets.update(PROJECT, 'd1', {'name': 'n'})

    assert info.value.message.endswith('not found. ' + hint)


def test_a_request_names_what_the_task_looked_up_by_name(http):
    # project_name and dataset_name given: the failed request names both by name with the id beside, and so does the hint.
    http.expect(projects_by_name('support-bot').reply_page(project_item('p-7', 'support-bot')),
                datasets_by_name('eval', project_id='p-7').reply_page(dataset_item('d-3', 'eval')),
                Call('GET', '/api/v2/llm-obs/v1/p-7/datasets/d-3/records').query({'page[limit]': 5000}).reply_error(404, 'gone'))
    api = API(make_transport(1, given=['project_name', 'dataset_name']))

    project_id, dummy = resolve_project(api, {'project_name': 'support-bot'})
    dataset_id, dummy = resolve_dataset(api, project_id, {'dataset_name': 'eval', 'project_name': 'support-bot'})
    with pytest.raises(APIError) as info:
        api.records.list(project_id, dataset_id)

    assert info.value.message == ("Listing the records of dataset 'eval' (id d-3) of project 'support-bot' (id p-7) "
                                  "failed with HTTP 404 Not Found: gone. Check project_name and dataset_name: the project "
                                  "or dataset does not exist for these keys.")
