# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every answer the emulator gives validates against Datadog's published OpenAPI spec, and
Datadog's own Python client works through it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys
from urllib.parse import parse_qsl

import pytest
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from ansible_collections.llmobs.datadog.tests.emulator.tests.harness import (
    DEMO_DATASET,
    DEMO_PROJECT,
    REPO_ROOT,
)

SPEC_HOST = 'https://api.datadoghq.com'


@pytest.fixture(scope='module')
def openapi(spec_path):
    return OpenAPI.from_file_path(spec_path)


def as_openapi_request(method, path, query, body, headers):
    return MockRequest(SPEC_HOST, method.lower(), path, args=query or {}, headers=headers,
                       data=json.dumps(body).encode() if body is not None else None)


def check_exchange(openapi, response, request_is_valid=True):
    """Validate one real exchange with the emulator: the response always, the request when valid."""
    prepared = response.request
    path, dummy, raw_query = prepared.path_url.partition('?')
    request = MockRequest(SPEC_HOST, prepared.method.lower(), path, args=dict(parse_qsl(raw_query)),
                          headers=dict(prepared.headers), data=prepared.body if prepared.body else None)
    if request_is_valid:
        openapi.validate_request(request)
    content_type = response.headers.get('Content-Type', 'application/json').split(';')[0]
    openapi.validate_response(request, MockResponse(response.content, response.status_code,
                                                    dict(response.headers), content_type))


def test_every_operation_and_status_validates(emulator, openapi):
    datasets = '/%s/datasets' % DEMO_PROJECT
    clone_body = {'data': {'type': 'datasets', 'id': DEMO_DATASET, 'attributes': {'name': 'conformance-copy'}}}
    exchanges = [
        (emulator.api('GET', '/projects'), True),
        (emulator.api('GET', '/projects', params={'filter[name]': 'demo-project', 'page[limit]': 1}), True),
        (emulator.api('POST', '/projects', json={'data': {'type': 'projects', 'attributes': {'name': 'p2'}}}), True),
        (emulator.api('POST', '/projects', json={'data': {'type': 'projects', 'attributes': {'name': 'p2'}}}), True),
        (emulator.api('GET', datasets), True),
        (emulator.api('GET', datasets, params={'page[limit]': 1}), True),
        (emulator.api('GET', datasets, params={'filter[id]': DEMO_DATASET}), True),
        (emulator.api('POST', datasets, json={'data': {'type': 'datasets', 'attributes': {
            'name': 'created', 'description': 'd', 'metadata': {'team': 'x'}}}}), True),
        (emulator.api('POST', datasets + '/%s/clone' % DEMO_DATASET, json=clone_body), True),
        (emulator.api('GET', datasets + '/%s/records' % DEMO_DATASET), True),
        (emulator.api('GET', datasets + '/%s/records' % DEMO_DATASET, params={'page[limit]': 2}), True),
        (emulator.api('POST', datasets + '/%s/records' % DEMO_DATASET, json={'data': {'type': 'records', 'attributes': {
            'records': [{'input': {'q': 'new'}, 'expected_output': {'a': 1}}]}}}), True),
        (emulator.api('GET', datasets + '/%s/records' % DEMO_DATASET, params={'filter[version]': 0}), True),
        (emulator.api('PATCH', datasets + '/%s' % DEMO_DATASET, json={'data': {'type': 'datasets', 'attributes': {
            'description': 'updated'}}}), True),
        # errors: 400, 401, 403-less (any key accepted here), 404
        (emulator.api('POST', datasets + '/%s/clone' % DEMO_DATASET, json={'data': {'type': 'datasets'}}), False),
        (emulator.api('POST', datasets + '/%s/clone' % DEMO_DATASET, json={'data': {
            'type': 'datasets', 'id': DEMO_DATASET, 'attributes': {}}}), False),
        (emulator.api('GET', datasets, params={'page[limit]': 'many'}), False),
        (emulator.api('GET', datasets, headers={'DD-API-KEY': ''}), False),
        (emulator.api('GET', '/no-such-project/datasets'), True),
        (emulator.api('POST', datasets + '/no-such-dataset/clone', json={'data': {
            'type': 'datasets', 'id': 'no-such-dataset', 'attributes': {'name': 'x'}}}), True),
        (emulator.api('POST', datasets + '/delete', json={'data': {'type': 'datasets', 'attributes': {
            'dataset_ids': [DEMO_DATASET]}}}), True),
    ]
    statuses = sorted(set(response.status_code for response, dummy in exchanges))
    assert statuses == [200, 201, 204, 400, 401, 404]
    for response, request_is_valid in exchanges:
        check_exchange(openapi, response, request_is_valid)


def test_forbidden_and_rate_limited_answers_validate(start_emulator, openapi):
    emulator = start_emulator('--api-key', 'right', '--app-key', 'right', '--rate-limit', '2/60')
    forbidden = emulator.api('GET', '/projects', headers={'DD-API-KEY': 'wrong', 'DD-APPLICATION-KEY': 'right'})
    assert forbidden.status_code == 403
    check_exchange(openapi, forbidden)
    emulator.api('GET', '/projects', headers={'DD-API-KEY': 'right', 'DD-APPLICATION-KEY': 'right'})
    limited = emulator.api('GET', '/projects', headers={'DD-API-KEY': 'right', 'DD-APPLICATION-KEY': 'right'})
    assert limited.status_code == 429
    assert limited.json() == {'errors': ['Too many requests']}
    check_exchange(openapi, limited)


def test_paging_walks_every_dataset_once(emulator, openapi):
    emulator.control('POST', '/datasets/bulk', json={'project_id': DEMO_PROJECT, 'count': 25, 'name_prefix': 'page-'})
    seen, cursor = [], None
    while True:
        params = {'page[limit]': 10}
        if cursor:
            params['page[cursor]'] = cursor
        response = emulator.api('GET', '/%s/datasets' % DEMO_PROJECT, params=params)
        check_exchange(openapi, response)
        body = response.json()
        seen.extend(item['id'] for item in body['data'])
        cursor = body['meta']['after']
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 27


def test_requests_the_collection_sends_validate_against_the_spec(emulator, openapi, tmp_path):
    playbook = tmp_path / 'clone.yml'
    playbook.write_text(u'''
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/llmobs.datadog.llmobs:
      api_url: %s
      api_key: conformance-api-key
      app_key: conformance-app-key
  tasks:
    - llmobs.datadog.llmobs_dataset_clone:
        project_id: %s
        dataset_id: %s
        name: conformance-module-copy
        description: made by the module
''' % (emulator.url, DEMO_PROJECT, DEMO_DATASET))
    for extra in (['--check'], [], []):
        subprocess.check_call([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), str(playbook)] + extra,
                              cwd=REPO_ROOT, stdout=subprocess.DEVNULL)
    log = emulator.requests_log()
    assert [entry['operation'] for entry in log] == [
        'ListLLMObsDatasets', 'ListLLMObsDatasets',                        # check mode: name, source
        'ListLLMObsDatasets', 'CloneLLMObsDataset', 'ListLLMObsDatasets',  # apply: name, clone, wait
        'ListLLMObsDatasets',                                              # re-run: name only
    ]
    for entry in log:
        headers = {'DD-API-KEY': 'x', 'DD-APPLICATION-KEY': 'y', 'Content-Type': 'application/json'}
        openapi.validate_request(as_openapi_request(entry['method'], entry['path'], entry['query'], entry['body'], headers))
        assert entry['status'] == 200


@pytest.mark.filterwarnings('ignore:Using unstable operation')
def test_datadog_api_client_lists_creates_and_clones_through_the_emulator(emulator):
    from datadog_api_client import ApiClient, Configuration
    from datadog_api_client.v2.api.agent_observability_api import AgentObservabilityApi
    from datadog_api_client.v2.model.llm_obs_dataset_clone_data_attributes_request import (
        LLMObsDatasetCloneDataAttributesRequest)
    from datadog_api_client.v2.model.llm_obs_dataset_clone_data_request import LLMObsDatasetCloneDataRequest
    from datadog_api_client.v2.model.llm_obs_dataset_clone_request import LLMObsDatasetCloneRequest
    from datadog_api_client.v2.model.llm_obs_dataset_data_attributes_request import LLMObsDatasetDataAttributesRequest
    from datadog_api_client.v2.model.llm_obs_dataset_data_request import LLMObsDatasetDataRequest
    from datadog_api_client.v2.model.llm_obs_dataset_request import LLMObsDatasetRequest
    from datadog_api_client.v2.model.llm_obs_dataset_type import LLMObsDatasetType

    configuration = Configuration(host=emulator.url)
    configuration.api_key['apiKeyAuth'] = 'client-api-key'
    configuration.api_key['appKeyAuth'] = 'client-app-key'
    for operation in ('list_llm_obs_datasets', 'create_llm_obs_dataset', 'clone_llm_obs_dataset',
                      'list_llm_obs_projects', 'list_llm_obs_dataset_records'):
        configuration.unstable_operations[operation] = True

    with ApiClient(configuration) as client:
        api = AgentObservabilityApi(client)
        projects = api.list_llm_obs_projects(filter_name='demo-project')
        assert [p.id for p in projects.data] == [DEMO_PROJECT]

        listed = api.list_llm_obs_datasets(project_id=DEMO_PROJECT, filter_name='capitals')
        assert [d.attributes.name for d in listed.data] == ['capitals']

        created = api.create_llm_obs_dataset(project_id=DEMO_PROJECT, body=LLMObsDatasetRequest(
            data=LLMObsDatasetDataRequest(type=LLMObsDatasetType.DATASETS,
                                          attributes=LLMObsDatasetDataAttributesRequest(name='from-client'))))
        assert created.data.attributes.name == 'from-client'

        cloned = api.clone_llm_obs_dataset(project_id=DEMO_PROJECT, dataset_id=DEMO_DATASET, body=LLMObsDatasetCloneRequest(
            data=LLMObsDatasetCloneDataRequest(
                id=DEMO_DATASET, type=LLMObsDatasetType.DATASETS,
                attributes=LLMObsDatasetCloneDataAttributesRequest(name='client-clone', description='via client'))))
        assert cloned.data.attributes.name == 'client-clone'
        assert cloned.data.attributes.description == 'via client'

        source_records = api.list_llm_obs_dataset_records(project_id=DEMO_PROJECT, dataset_id=DEMO_DATASET)
        clone_records = api.list_llm_obs_dataset_records(project_id=DEMO_PROJECT, dataset_id=cloned.data.id)
        assert sorted(json.dumps(r.input.to_dict() if hasattr(r.input, 'to_dict') else r.input, sort_keys=True)
                      for r in clone_records.data) == sorted(
            json.dumps(r.input.to_dict() if hasattr(r.input, 'to_dict') else r.input, sort_keys=True)
            for r in source_records.data)
        assert len(clone_records.data) == 5
