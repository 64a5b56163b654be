# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
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
import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from ansible_collections.llmobs.datadog.tests.support.demo import (
    DEMO_BASELINE_EXPERIMENT, DEMO_CANDIDATE_EXPERIMENT, DEMO_DATASET, DEMO_PROJECT, REPO_ROOT)
from ansible_collections.llmobs.datadog.tests.support.playbook import child_environment

SPEC_HOST = 'https://api.datadoghq.com'
DATASETS = '/%s/datasets' % DEMO_PROJECT
RECORDS = DATASETS + '/%s/records' % DEMO_DATASET
BATCH = DATASETS + '/%s/batch_update' % DEMO_DATASET


@pytest.fixture(scope='module')
def openapi(spec_path):
    with open(spec_path) as handle:
        spec = yaml.load(handle, Loader=getattr(yaml, 'CSafeLoader', yaml.SafeLoader))
    # Relaxed on purpose (Datadog's SDK sends a string input every day): the spec's AnyValue (record input and expected_output) lists
    # string, number, object, array and boolean in a oneOf but also says "type: object", so a strict
    # validator refuses the string inputs that Datadog's SDK sends every day. Here it is any JSON
    # value, as in the emulator; every other schema is checked as published.
    spec['components']['schemas']['AnyValue'] = {'description': 'Any JSON value (relaxed: live records hold strings too)',
                                                 'nullable': True}
    # Relaxed on purpose: the spec shows only a held draft lock (user and drafting_since required,
    # not nullable) and no answer for a dataset nobody edits; the emulator answers both null then.
    attributes = spec['components']['schemas']['LLMObsDatasetDraftStateDataAttributes']['properties']
    attributes['drafting_since']['nullable'] = True
    attributes['user'] = dict(spec['components']['schemas']['LLMObsDatasetDraftStateUser'], nullable=True)
    return OpenAPI.from_dict(spec)


def as_openapi_request(method, path, query, body, headers):
    return MockRequest(SPEC_HOST, method.lower(), path, args=query or {}, headers=headers,
                       data=json.dumps(body).encode() if body is not None else None)


def as_spec_records(content):
    """A live (nested) records list in the spec's flat shape: each record's attributes lifted up
    beside its id. The live shape itself is not in the spec (live answers nest it under attributes); its content is."""
    body = json.loads(content)
    body['data'] = [dict(item['attributes'], id=item['id']) for item in body['data']]
    return json.dumps(body).encode()


def check_exchange(openapi, response, request_is_valid=True, as_status=None):
    """Validate one real exchange with the emulator: the response always, the request when valid.

    A records list in the live nested shape is validated through as_spec_records. ``as_status``:
    validate the answer as if it had that status (a status the spec does not list, such as the
    export's 406, checked against the error answer it has for another).
    """
    prepared = response.request
    path, dummy, raw_query = prepared.path_url.partition('?')
    request = MockRequest(SPEC_HOST, prepared.method.lower(), path, args=dict(parse_qsl(raw_query)),
                          headers=dict(prepared.headers), data=prepared.body if prepared.body else None)
    if request_is_valid:
        openapi.validate_request(request)
    content_type = response.headers.get('Content-Type', 'application/json').split(';')[0]
    content = response.content
    if (prepared.method == 'GET' and path.endswith('/records') and response.status_code == 200
            and any('attributes' in item for item in response.json()['data'])):
        content = as_spec_records(content)
    if content_type == 'text/csv':
        # openapi-core has no reader for text/csv: the CSV text itself is the spec's string.
        content = response.content.decode('utf-8')
    openapi.validate_response(request, MockResponse(content, as_status or response.status_code, dict(response.headers),
                                                    content_type))


def test_every_operation_and_status_validates(emulator, openapi):
    datasets = DATASETS
    clone_body = {'data': {'type': 'datasets', 'id': DEMO_DATASET, 'attributes': {'name': 'conformance-copy'}}}
    exchanges = [
        (emulator.api('GET', '/projects'), True),
        (emulator.api('GET', '/projects', params={'filter[name]': 'demo-project', 'page[limit]': 1}), True),
        (emulator.api('POST', '/projects', json={'data': {'type': 'projects', 'attributes': {'name': 'p2'}}}), True),
        (emulator.api('POST', '/projects', json={'data': {'type': 'projects', 'attributes': {'name': 'p2'}}}), True),
        (emulator.api('PATCH', '/projects/%s' % DEMO_PROJECT, json={'data': {'type': 'projects', 'attributes': {
            'description': 'changed'}}}), True),
        (emulator.api('GET', datasets), True),
        (emulator.api('GET', datasets, params={'page[limit]': 1}), True),
        (emulator.api('GET', datasets, params={'filter[id]': DEMO_DATASET}), True),
        (emulator.api('POST', datasets, json={'data': {'type': 'datasets', 'attributes': {
            'name': 'created', 'description': 'd', 'metadata': {'team': 'x'}}}}), True),
        (emulator.api('POST', datasets + '/%s/clone' % DEMO_DATASET, json=clone_body), True),
        (emulator.api('GET', RECORDS), True),
        (emulator.api('GET', RECORDS, params={'page[limit]': 2}), True),
        (emulator.api('POST', RECORDS, json={'data': {'type': 'records', 'attributes': {
            'records': [{'input': {'q': 'new'}, 'expected_output': {'a': 1}}]}}}), True),
        (emulator.api('GET', RECORDS, params={'filter[version]': 0}), True),
        (emulator.api('GET', datasets + '/%s/versions' % DEMO_DATASET), True),
        (emulator.api('PATCH', datasets + '/%s' % DEMO_DATASET, json={'data': {'type': 'datasets', 'attributes': {
            'description': 'updated'}}}), True),
        # errors: 400, 401, 403-less (any key accepted here), 404, 413
        (emulator.api('POST', datasets + '/%s/clone' % DEMO_DATASET, json={'data': {'type': 'datasets'}}), False),
        (emulator.api('POST', datasets + '/%s/clone' % DEMO_DATASET, json={'data': {
            'type': 'datasets', 'id': DEMO_DATASET, 'attributes': {}}}), False),
        (emulator.api('GET', datasets, params={'page[limit]': 'many'}), False),
        (emulator.api('GET', datasets, headers={'DD-API-KEY': ''}), False),
        (emulator.api('GET', '/no-such-project/datasets'), True),
        (emulator.api('PATCH', '/projects/no-such-project', json={'data': {'type': 'projects', 'attributes': {
            'name': 'x'}}}), True),
        (emulator.api('PATCH', '/projects/%s' % DEMO_PROJECT, json={'data': {'type': 'projects', 'attributes': {
            'name': ''}}}), True),
        (emulator.api('POST', datasets + '/no-such-dataset/clone', json={'data': {
            'type': 'datasets', 'id': 'no-such-dataset', 'attributes': {'name': 'x'}}}), True),
        (emulator.api('GET', RECORDS, params={'filter[version]': 99}), True),
        (emulator.api('POST', BATCH, json={'data': {'type': 'datasets', 'id': DEMO_DATASET, 'attributes': {
            'delete_records': ['r%d' % n for n in range(1001)]}}}), True),
        (emulator.api('POST', datasets + '/delete', json={'data': {'type': 'datasets', 'attributes': {
            'dataset_ids': [DEMO_DATASET]}}}), True),
        (emulator.api('POST', '/projects/delete', json={'data': {'type': 'projects', 'attributes': {
            'project_ids': ['no-such-project']}}}), True),
        (emulator.api('POST', '/projects/delete', json={'data': {'type': 'projects', 'attributes': {}}}), False),
    ]
    statuses = sorted(set(response.status_code for response, dummy in exchanges))
    assert statuses == [200, 201, 204, 400, 401, 404, 413]
    for response, request_is_valid in exchanges:
        check_exchange(openapi, response, request_is_valid)


def test_record_writes_validate(emulator, openapi):
    """batch_update, record updates and deletes, versions, both list shapes: requests and answers."""
    emulator.api('POST', BATCH, json={'data': {'type': 'datasets', 'id': DEMO_DATASET, 'attributes': {
        'insert_records': [{'id': 'q-1', 'input': 'a plain string', 'expected_output': 4,
                            'metadata': {'source': 'conformance'}, 'tags': ['team:eval']}]}}})
    exchanges = [
        (emulator.api('POST', BATCH, json={'data': {'type': 'datasets', 'id': DEMO_DATASET, 'attributes': {
            'insert_records': [{'input': ['a', 1, True], 'expected_output': None, 'tags': ['topic:lists'],
                                'tag_operations': {'add': ['kind:array']}},
                               {'id': 'q-2', 'input': {'question': 'nested'}, 'metadata': {}}],
            'update_records': [{'id': 'q-1', 'expected_output': 5, 'tag_operations': {'remove': ['team:eval']}}],
            'delete_records': [], 'create_new_version': True, 'tags': ['batch:1']}}}), True),
        (emulator.api('POST', BATCH, json={'data': {'type': 'datasets', 'id': DEMO_DATASET, 'attributes': {
            'update_records': [{'id': 'q-2', 'metadata': {'only': 'metadata'}}], 'create_new_version': False}}}), True),
        (emulator.api('PATCH', RECORDS, json={'data': {'type': 'records', 'attributes': {
            'records': [{'id': 'q-2', 'input': {'question': 'nested, changed'}}]}}}), True),
        (emulator.api('POST', RECORDS + '/delete', json={'data': {'type': 'records', 'attributes': {
            'record_ids': ['q-2']}}}), True),
        # What the live API wants: type "datasets" on record writes (not in the spec: request unchecked).
        (emulator.api('POST', RECORDS, json={'data': {'type': 'datasets', 'attributes': {
            'records': [{'input': 'live type'}]}}}), False),
        (emulator.api('POST', RECORDS + '/delete', json={'data': {'type': 'datasets', 'attributes': {
            'record_ids': ['q-1']}}}), False),
        (emulator.api('GET', RECORDS, params={'page[limit]': 3}), True),
        (emulator.api('GET', RECORDS, params={'filter[version]': 1}), True),
        (emulator.api('GET', DATASETS + '/%s/versions' % DEMO_DATASET), True),
        # errors
        (emulator.api('POST', BATCH, json={'data': {'type': 'datasets', 'id': DEMO_DATASET, 'attributes': {
            'update_records': [{'id': 'no-such-record', 'input': 1}]}}}), True),
        (emulator.api('POST', BATCH, json={'data': {'type': 'datasets', 'id': DEMO_DATASET, 'attributes': {
            'insert_records': [{'expected_output': 1}]}}}), False),
        (emulator.api('POST', BATCH, json={'data': {'type': 'datasets', 'id': DEMO_DATASET, 'attributes': {
            'insert_records': [{'input': 'x' * 1024, 'metadata': {'pad': 'y' * 1024}}] * 900,
            'update_records': [{'id': 'q-1', 'metadata': {'pad': 'z' * (4 * 1024 * 1024)}}]}}}), True),
        (emulator.api('PATCH', RECORDS, json={'data': {'type': 'records', 'attributes': {
            'records': [{'input': 'no id'}]}}}), False),
    ]
    assert [response.status_code for response, dummy in exchanges] == [
        200, 200, 200, 204, 200, 204, 200, 200, 200, 404, 400, 413, 400]
    for response, request_is_valid in exchanges:
        check_exchange(openapi, response, request_is_valid)
    emulator.configure(records_shape='flat')
    for params in ({}, {'filter[version]': 0}):
        flat = emulator.api('GET', RECORDS, params=params)
        assert 'input' in flat.json()['data'][0]
        check_exchange(openapi, flat)


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


@pytest.mark.parametrize('operation, path', [
    ('ListLLMObsProjects', '/projects'), ('ListLLMObsDatasets', DATASETS), ('ListLLMObsDatasetRecords', RECORDS),
    ('ListLLMObsExperiments', '/experiments?filter[dataset_id]=%s' % DEMO_DATASET)])
def test_pages_of_an_endless_list_validate(emulator, openapi, operation, path):
    emulator.add_fault(operation=operation, endless=True)
    first = emulator.api('GET', path, params={'page[limit]': 3})
    check_exchange(openapi, first)
    second = emulator.api('GET', path, params={'page[limit]': 3, 'page[cursor]': first.json()['meta']['after']})
    check_exchange(openapi, second)


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
                              cwd=REPO_ROOT, stdout=subprocess.DEVNULL, env=child_environment())
    log = emulator.requests_log()
    assert [entry['operation'] for entry in log] == [
        'ListLLMObsDatasets', 'ListLLMObsDatasets',                        # check mode: name, source
        'ListLLMObsDatasets', 'ListLLMObsDatasets',                        # apply: name, source (its version),
        'CloneLLMObsDataset', 'ListLLMObsDatasets', 'ListLLMObsDatasets',  # clone, source again, wait
        'ListLLMObsDatasets',                                              # re-run: name only
    ]
    for entry in log:
        headers = {'DD-API-KEY': 'x', 'DD-APPLICATION-KEY': 'y', 'Content-Type': 'application/json'}
        openapi.validate_request(as_openapi_request(entry['method'], entry['path'], entry['query'], entry['body'], headers))
        assert entry['status'] == 200


def client_configuration(url, *operations):
    """A datadog-api-client configuration for the emulator with these preview operations enabled."""
    from datadog_api_client import Configuration  # pylint: disable=import-outside-toplevel
    configuration = Configuration(host=url)
    configuration.api_key['apiKeyAuth'] = 'client-api-key'
    configuration.api_key['appKeyAuth'] = 'client-app-key'
    for operation in operations:
        configuration.unstable_operations[operation] = True
    return configuration


@pytest.mark.filterwarnings('ignore:Using unstable operation')
def test_datadog_api_client_lists_creates_and_clones_through_the_emulator(emulator):
    from datadog_api_client import ApiClient
    from datadog_api_client.v2.api.agent_observability_api import AgentObservabilityApi
    from datadog_api_client.v2.model.llm_obs_dataset_clone_data_attributes_request import (
        LLMObsDatasetCloneDataAttributesRequest)
    from datadog_api_client.v2.model.llm_obs_dataset_clone_data_request import LLMObsDatasetCloneDataRequest
    from datadog_api_client.v2.model.llm_obs_dataset_clone_request import LLMObsDatasetCloneRequest
    from datadog_api_client.v2.model.llm_obs_dataset_data_attributes_request import LLMObsDatasetDataAttributesRequest
    from datadog_api_client.v2.model.llm_obs_dataset_data_request import LLMObsDatasetDataRequest
    from datadog_api_client.v2.model.llm_obs_dataset_request import LLMObsDatasetRequest
    from datadog_api_client.v2.model.llm_obs_dataset_type import LLMObsDatasetType

    # The generated client reads records only in the spec's flat shape, not the live nested one.
    emulator.configure(records_shape='flat')
    configuration = client_configuration(emulator.url, 'list_llm_obs_datasets', 'create_llm_obs_dataset',
                                         'clone_llm_obs_dataset', 'list_llm_obs_projects', 'list_llm_obs_dataset_records')
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
        assert sorted(json.dumps(as_plain(r.input), sort_keys=True) for r in clone_records.data) == sorted(
            json.dumps(as_plain(r.input), sort_keys=True) for r in source_records.data)
        assert len(clone_records.data) == 5


def as_plain(value):
    return value.to_dict() if hasattr(value, 'to_dict') else value


@pytest.mark.filterwarnings('ignore:Using unstable operation')
def test_datadog_api_client_drives_projects_datasets_records_and_versions(emulator):
    """Every route added for projects, datasets and records, called by Datadog's own client."""
    from datadog_api_client import ApiClient
    from datadog_api_client.v2.api.agent_observability_api import AgentObservabilityApi
    from datadog_api_client.v2 import models as model

    emulator.configure(records_shape='flat')
    configuration = client_configuration(
        emulator.url, 'create_llm_obs_project', 'update_llm_obs_project', 'delete_llm_obs_projects', 'list_llm_obs_projects',
        'create_llm_obs_dataset', 'update_llm_obs_dataset', 'delete_llm_obs_datasets', 'list_llm_obs_datasets',
        'batch_update_llm_obs_dataset', 'update_llm_obs_dataset_records', 'delete_llm_obs_dataset_records',
        'list_llm_obs_dataset_records', 'list_llm_obs_dataset_versions')
    datasets_type, records_type, projects_type = model.LLMObsDatasetType.DATASETS, model.LLMObsRecordType.RECORDS, \
        model.LLMObsProjectType.PROJECTS
    with ApiClient(configuration) as client:
        api = AgentObservabilityApi(client)
        project = api.create_llm_obs_project(body=model.LLMObsProjectRequest(data=model.LLMObsProjectDataRequest(
            type=projects_type, attributes=model.LLMObsProjectDataAttributesRequest(name='client-project')))).data
        renamed = api.update_llm_obs_project(project_id=project.id, body=model.LLMObsProjectUpdateRequest(
            data=model.LLMObsProjectUpdateDataRequest(type=projects_type, attributes=model.LLMObsProjectUpdateDataAttributesRequest(
                name='client-project-2', description='renamed by the client'))))
        assert (renamed.data.attributes.name, renamed.data.attributes.description) == (
            'client-project-2', 'renamed by the client')

        dataset = api.create_llm_obs_dataset(project_id=project.id, body=model.LLMObsDatasetRequest(
            data=model.LLMObsDatasetDataRequest(type=datasets_type, attributes=model.LLMObsDatasetDataAttributesRequest(
                name='client-records')))).data
        updated = api.update_llm_obs_dataset(project_id=project.id, dataset_id=dataset.id, body=model.LLMObsDatasetUpdateRequest(
            data=model.LLMObsDatasetUpdateDataRequest(type=datasets_type, attributes=model.LLMObsDatasetUpdateDataAttributesRequest(
                description='described', metadata={'team': 'eval'}))))
        assert updated.data.attributes.metadata == {'team': 'eval'}

        inserted = api.batch_update_llm_obs_dataset(project_id=project.id, dataset_id=dataset.id, body=model.LLMObsDatasetBatchUpdateRequest(
            data=model.LLMObsDatasetBatchUpdateDataRequest(id=dataset.id, type=datasets_type, attributes=(
                model.LLMObsDatasetBatchUpdateDataAttributesRequest(insert_records=[
                    model.LLMObsDatasetBatchUpdateInsertRecord(id='q%d' % n, input={'question': 'q%d' % n},
                                                               expected_output={'answer': n}, tags=['set:client'])
                    for n in range(3)])))))
        assert sorted(r.id for r in inserted.data[0].records) == ['q0', 'q1', 'q2']

        changed = api.batch_update_llm_obs_dataset(project_id=project.id, dataset_id=dataset.id, body=model.LLMObsDatasetBatchUpdateRequest(
            data=model.LLMObsDatasetBatchUpdateDataRequest(id=dataset.id, type=datasets_type, attributes=(
                model.LLMObsDatasetBatchUpdateDataAttributesRequest(
                    update_records=[model.LLMObsDatasetBatchUpdateUpdateRecord(id='q0', expected_output={'answer': 'zero'})],
                    delete_records=['q1'], create_new_version=True)))))
        assert [r.id for r in changed.data[0].records] == ['q0']

        patched = api.update_llm_obs_dataset_records(project_id=project.id, dataset_id=dataset.id, body=model.LLMObsDatasetRecordsUpdateRequest(
            data=model.LLMObsDatasetRecordsUpdateDataRequest(type=records_type, attributes=(
                model.LLMObsDatasetRecordsUpdateDataAttributesRequest(records=[
                    model.LLMObsDatasetRecordUpdateItem(id='q2', metadata={'checked': True})])))))
        assert patched.data[0].records[0].metadata == {'checked': True}

        api.delete_llm_obs_dataset_records(project_id=project.id, dataset_id=dataset.id, body=model.LLMObsDeleteDatasetRecordsRequest(
            data=model.LLMObsDeleteDatasetRecordsDataRequest(type=records_type, attributes=(
                model.LLMObsDeleteDatasetRecordsDataAttributesRequest(record_ids=['q2'])))))

        versions = api.list_llm_obs_dataset_versions(project_id=project.id, dataset_id=dataset.id)
        assert [v.attributes.version_number for v in versions.data] == [0, 1, 2, 3]
        current = api.list_llm_obs_dataset_records(project_id=project.id, dataset_id=dataset.id)
        assert [(r.id, as_plain(r.expected_output)) for r in current.data] == [('q0', {'answer': 'zero'})]
        first = api.list_llm_obs_dataset_records(project_id=project.id, dataset_id=dataset.id, filter_version=1)
        assert sorted(r.id for r in first.data) == ['q0', 'q1', 'q2']

        api.delete_llm_obs_datasets(project_id=project.id, body=model.LLMObsDeleteDatasetsRequest(
            data=model.LLMObsDeleteDatasetsDataRequest(type=datasets_type, attributes=(
                model.LLMObsDeleteDatasetsDataAttributesRequest(dataset_ids=[dataset.id])))))
        assert api.list_llm_obs_datasets(project_id=project.id).data == []
        api.delete_llm_obs_projects(body=model.LLMObsDeleteProjectsRequest(data=model.LLMObsDeleteProjectsDataRequest(
            type=projects_type, attributes=model.LLMObsDeleteProjectsDataAttributesRequest(project_ids=[project.id]))))
        assert [p.id for p in api.list_llm_obs_projects().data] == [DEMO_PROJECT]


def test_version_export_draft_lock_and_experiment_routes_validate(emulator, openapi):
    """Restore, export, the draft lock, versions with last_used and the experiments list: requests and answers."""
    dataset = DATASETS + '/%s' % DEMO_DATASET
    emulator.api('POST', BATCH, json={'data': {'type': 'datasets', 'id': DEMO_DATASET, 'attributes': {
        'insert_records': [{'input': 'plain, "quoted"', 'expected_output': None, 'metadata': {'a': 1}, 'tags': ['k:v']}]}}})
    emulator.control('POST', '/experiments', json={'experiments': [
        {'project_id': DEMO_PROJECT, 'dataset_id': DEMO_DATASET, 'name': 'conformance run', 'dataset_version': 1,
         'created_at': '2024-01-15T10:30:00Z', 'metadata': {'commit': 'abc'}, 'aggregate_data': {'accuracy': 0.9},
         'config': {'model': 'x'}},
        {'project_id': DEMO_PROJECT, 'dataset_id': DEMO_DATASET, 'name': 'second run', 'status': 'failed',
         'dataset_version': 0}]})
    restore = {'data': {'type': 'datasets', 'id': DEMO_DATASET, 'attributes': {'dataset_version': 0}}}
    exchanges = [
        (emulator.api('GET', dataset + '/versions'), True),
        (emulator.api('GET', dataset + '/export'), True),
        (emulator.api('GET', dataset + '/export', params={'format': 'csv', 'version': 0}), True),
        (emulator.api('GET', dataset + '/draft_state'), True),                  # nobody: both null (relaxed)
        (emulator.api('PATCH', dataset + '/draft_state/lock'), True),
        (emulator.api('GET', dataset + '/draft_state'), True),
        (emulator.api('PATCH', dataset + '/draft_state/unlock'), True),
        (emulator.api('POST', dataset + '/restore', json=restore), True),
        (emulator.api('GET', '/experiments', params={'filter[project_id]': DEMO_PROJECT}), True),
        (emulator.api('GET', '/experiments', params={'filter[dataset_id]': DEMO_DATASET, 'page[limit]': 1}), True),
        (emulator.api('GET', '/experiments', params={'filter[dataset_id]': DEMO_DATASET, 'include[user_data]': 'true',
                                                     'include[dataset_names]': 'true', 'filter[is_deleted]': 'false'}), True),
        # errors
        (emulator.api('POST', dataset + '/restore', json={'data': {'type': 'datasets', 'id': DEMO_DATASET,
                                                                   'attributes': {}}}), False),
        (emulator.api('POST', dataset + '/restore', json=dict(restore, data=dict(
            restore['data'], attributes={'dataset_version': 99}))), True),
        (emulator.api('GET', dataset + '/export', params={'format': 'xml'}), False),
        (emulator.api('GET', dataset + '/export', params={'version': 99}), True),
        (emulator.api('GET', DATASETS + '/no-such-dataset/draft_state'), True),
        (emulator.api('GET', '/experiments'), True),
    ]
    emulator.control('POST', '/datasets/%s/draft_state' % DEMO_DATASET, json={'user': {
        'id': '00000000-0000-0000-0000-000000000010', 'email': 'jane.doe@example.com', 'name': 'Jane Doe'}})
    exchanges += [(emulator.api('PATCH', dataset + '/draft_state/lock'), True),
                  (emulator.api('PATCH', dataset + '/draft_state/unlock'), True),
                  (emulator.api('GET', dataset + '/draft_state'), True)]
    assert [response.status_code for response, dummy in exchanges] == [
        200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 400, 404, 400, 404, 404, 400, 400, 400, 200]
    assert exchanges[0][0].json()['data'][1]['attributes']['last_used'] == '2024-01-15T10:30:00.000+00:00'
    assert exchanges[1][0].headers['Content-Type'] == 'text/csv; charset=utf-8'
    for response, request_is_valid in exchanges:
        check_exchange(openapi, response, request_is_valid)
    # 406 is not among the export's answers in the spec: its body has the shape of the others' errors.
    refused = emulator.api('GET', dataset + '/export', headers={'Accept': 'application/json'})
    assert refused.status_code == 406
    check_exchange(openapi, refused, as_status=400)


@pytest.mark.filterwarnings('ignore:Using unstable operation')
def test_datadog_api_client_restores_exports_locks_and_lists_experiments(emulator):
    """The routes added for versions, export, the draft lock and experiments, called by Datadog's own client."""
    from datadog_api_client import ApiClient
    from datadog_api_client.v2.api.agent_observability_api import AgentObservabilityApi
    from datadog_api_client.v2 import models as model

    configuration = client_configuration(
        emulator.url, 'list_llm_obs_dataset_versions', 'restore_llm_obs_dataset_version', 'export_llm_obs_dataset',
        'get_llm_obs_dataset_draft_state', 'lock_llm_obs_dataset_draft_state', 'unlock_llm_obs_dataset_draft_state',
        'list_llm_obs_experiments')
    emulator.api('POST', BATCH, json={'data': {'type': 'datasets', 'id': DEMO_DATASET, 'attributes': {
        'insert_records': [{'id': 'extra', 'input': 'one more'}]}}})
    emulator.control('POST', '/experiments', json={'experiments': [
        {'project_id': DEMO_PROJECT, 'dataset_id': DEMO_DATASET, 'name': 'client run', 'dataset_version': 0,
         'created_at': '2024-01-15T10:30:00Z'}]})
    with ApiClient(configuration) as client:
        api = AgentObservabilityApi(client)
        versions = api.list_llm_obs_dataset_versions(project_id=DEMO_PROJECT, dataset_id=DEMO_DATASET)
        assert [(v.attributes.version_number, v.attributes.last_used is not None) for v in versions.data] == [
            (0, True), (1, False)]

        exported = api.export_llm_obs_dataset(project_id=DEMO_PROJECT, dataset_id=DEMO_DATASET)
        assert exported.startswith('id,input,expected_output,metadata,tags\r\nextra,"""one more""",')
        older = api.export_llm_obs_dataset(project_id=DEMO_PROJECT, dataset_id=DEMO_DATASET,
                                           format=model.LLMObsDatasetExportFormat.CSV, version=0)
        assert older.count('\r\n') == 6 and 'extra' not in older

        api.restore_llm_obs_dataset_version(project_id=DEMO_PROJECT, dataset_id=DEMO_DATASET, body=(
            model.LLMObsDatasetRestoreVersionRequest(data=model.LLMObsDatasetRestoreVersionDataRequest(
                id=DEMO_DATASET, type=model.LLMObsDatasetType.DATASETS,
                attributes=model.LLMObsDatasetRestoreVersionDataAttributesRequest(dataset_version=0)))))
        assert [v.attributes.version_number for v in api.list_llm_obs_dataset_versions(
            project_id=DEMO_PROJECT, dataset_id=DEMO_DATASET).data] == [0, 1, 2]

        locked = api.lock_llm_obs_dataset_draft_state(project_id=DEMO_PROJECT, dataset_id=DEMO_DATASET)
        assert locked.data.attributes.user.id == 'emulator-api-user'
        state = api.get_llm_obs_dataset_draft_state(project_id=DEMO_PROJECT, dataset_id=DEMO_DATASET)
        assert state.data.attributes.drafting_since == locked.data.attributes.drafting_since
        api.unlock_llm_obs_dataset_draft_state(project_id=DEMO_PROJECT, dataset_id=DEMO_DATASET)

        runs = api.list_llm_obs_experiments(filter_dataset_id=DEMO_DATASET)
        assert [(e.attributes.name, e.attributes.dataset_version, str(e.attributes.status)) for e in runs.data] == [
            ('capitals-candidate', 0, 'completed'), ('capitals-baseline', 0, 'completed'),   # the demo seed's, newer
            ('client run', 0, 'completed')]


def test_experiment_writes_and_events_validate(emulator, openapi):
    """Create, update (with the spec's answer body), delete, events posted both ways and read on v1, v2
    and v3: requests and answers. The live PATCH's empty 200 is not in the spec: it is checked apart."""
    emulator.configure(experiment_patch_body=True)
    created = emulator.api('POST', '/experiments', json={'data': {'type': 'experiments', 'attributes': {
        'project_id': DEMO_PROJECT, 'dataset_id': DEMO_DATASET, 'name': 'conformance experiment', 'dataset_version': 0,
        'description': 'd', 'metadata': {'tags': ['a:b']}, 'config': {'model': 'x'}, 'ensure_unique': True,
        'run_count': 2}}})
    experiment_id = created.json()['data']['id']
    path = '/experiments/%s' % experiment_id
    span = {'trace_id': 't-1', 'span_id': 's-1', 'project_id': DEMO_PROJECT, 'dataset_id': DEMO_DATASET, 'name': 'task',
            'start_ns': 1705314600000000000, 'duration': 1500000000, 'status': 'error', 'tags': ['k:v'],
            'meta': {'input': {'q': 1}, 'output': 'a string output', 'expected_output': {'a': 1},
                     'error': {'message': 'boom', 'type': 'ValueError', 'stack': 'trace'}}}
    metrics = [
        {'span_id': 's-1', 'metric_type': 'score', 'label': 'correctness', 'timestamp_ms': 1705314600000,
         'score_value': 0.5, 'assessment': 'fail', 'reasoning': 'half', 'tags': ['k:v'], 'metadata': {'m': 1}},
        {'span_id': 's-1', 'metric_type': 'boolean', 'label': 'exact', 'timestamp_ms': 1705314600000, 'boolean_value': True},
        {'span_id': 's-1', 'metric_type': 'categorical', 'label': 'tone', 'timestamp_ms': 1705314600000,
         'categorical_value': 'neutral'},
        {'span_id': 's-1', 'metric_type': 'json', 'label': 'details', 'timestamp_ms': 1705314600000,
         'json_value': {'tokens': 3}, 'error': {'message': 'partly failed'}}]
    summary = {'span_id': '', 'metric_type': 'score', 'label': 'accuracy', 'timestamp_ms': 1705314600000,
               'score_value': 0.5, 'metric_source': 'summary', 'eval_source_type': 'custom', 'experiment_id': experiment_id}
    exchanges = [
        (created, True),
        (emulator.api('POST', '/experiments', json={'data': {'type': 'experiments', 'attributes': {
            'project_id': DEMO_PROJECT, 'dataset_id': DEMO_DATASET, 'name': 'conformance experiment'}}}), True),
        (emulator.api('PATCH', path, json={'data': {'type': 'experiments', 'attributes': {
            'status': 'completed', 'error': 'none', 'metadata': {'b': 2}, 'name': 'renamed', 'description': '',
            'dataset_id': DEMO_DATASET}}}), True),
        (emulator.api('POST', path + '/events', json={'data': {'type': 'events', 'attributes': {
            'spans': [span], 'metrics': metrics}}}), True),
        # What ddtrace sends: type "experiments", with scope and tags (not in the spec: request unchecked).
        (emulator.api('POST', path + '/events', json={'data': {'type': 'experiments', 'attributes': {
            'scope': 'experiments', 'metrics': [summary], 'tags': ['ddtrace.version:4']}}}), False),
        (emulator.api('GET', '/api/v2/llm-obs/v3' + path + '/events'), True),
        (emulator.api('GET', '/api/v2/llm-obs/v3/experiments/%s/events' % DEMO_BASELINE_EXPERIMENT,
                      params={'page[limit]': 2}), True),
        (emulator.api('GET', '/api/v2/llm-obs/v2/experiments/%s/events' % DEMO_BASELINE_EXPERIMENT), True),
        (emulator.api('GET', '/experiments/%s/events' % DEMO_BASELINE_EXPERIMENT), True),
        (emulator.api('GET', '/experiments', params={'filter[project_id]': DEMO_PROJECT, 'filter[id]': experiment_id}),
         True),
        (emulator.api('POST', '/experiments/delete', json={'data': {'type': 'experiments', 'attributes': {
            'experiment_ids': [experiment_id, 'no-such-experiment']}}}), True),
        (emulator.api('GET', '/experiments', params={'filter[project_id]': DEMO_PROJECT, 'filter[is_deleted]': 'true'}),
         True),
        # errors
        (emulator.api('POST', '/experiments', json={'data': {'type': 'experiments', 'attributes': {
            'project_id': DEMO_PROJECT, 'dataset_id': DEMO_DATASET}}}), False),
        (emulator.api('PATCH', path, json={'data': {'type': 'experiments', 'attributes': {'status': 'done'}}}), False),
        (emulator.api('PATCH', path, json={'data': {'type': 'experiments', 'attributes': {'status': 'failed'}}}), True),
        (emulator.api('POST', '/experiments/%s/events' % DEMO_BASELINE_EXPERIMENT, json={'data': {
            'type': 'events', 'attributes': {'metrics': [dict(metrics[0], score_value='high')]}}}), False),
        (emulator.api('POST', path + '/events', json={'data': {'type': 'events', 'attributes': {'spans': [span]}}}), True),
        (emulator.api('GET', '/api/v2/llm-obs/v3' + path + '/events'), True),
        (emulator.api('GET', '/api/v2/llm-obs/v3/experiments/%s/events' % DEMO_BASELINE_EXPERIMENT,
                      params={'page[limit]': 0}), False),
        (emulator.api('GET', '/api/v2/llm-obs/v2' + path + '/events'), True),
        (emulator.api('GET', path + '/events'), True),
        (emulator.api('POST', '/experiments/delete', json={'data': {'type': 'experiments', 'attributes': {}}}), False),
    ]
    assert [response.status_code for response, dummy in exchanges] == [
        200, 200, 200, 202, 202, 200, 200, 200, 200, 200, 204, 200, 400, 400, 404, 400, 404, 404, 400, 404, 404, 400]
    for response, request_is_valid in exchanges:
        check_exchange(openapi, response, request_is_valid)
    events = exchanges[5][0].json()['data']['attributes']
    assert [m['label'] for m in events['spans'][0]['eval_metrics']] == ['correctness', 'exact', 'tone', 'details']
    assert [m['label'] for m in events['summary_metrics']] == ['accuracy']
    assert exchanges[2][0].json()['data']['attributes']['name'] == 'renamed'
    # A create for a project that does not exist: 404, which the spec does not list; its body is its 400's.
    missing = emulator.api('POST', '/experiments', json={'data': {'type': 'experiments', 'attributes': {
        'project_id': 'no-such-project', 'dataset_id': DEMO_DATASET, 'name': 'x'}}})
    assert missing.status_code == 404
    check_exchange(openapi, missing, as_status=400)
    # The live update: 200 with no body at all.
    emulator.configure(experiment_patch_body=False)
    live = emulator.api('PATCH', '/experiments/%s' % DEMO_CANDIDATE_EXPERIMENT, json={'data': {
        'type': 'experiments', 'attributes': {'description': 'live'}}})
    assert live.status_code == 200 and live.content == b'' and 'Content-Type' not in live.headers


def test_pages_of_an_endless_events_list_validate(emulator, openapi):
    emulator.add_fault(operation='ListLLMObsExperimentEvents', endless=True)
    path = '/api/v2/llm-obs/v3/experiments/%s/events' % DEMO_BASELINE_EXPERIMENT
    first = emulator.api('GET', path, params={'page[limit]': 3})
    check_exchange(openapi, first)
    second = emulator.api('GET', path, params={'page[limit]': 3, 'page[cursor]': first.json()['meta']['after']})
    check_exchange(openapi, second)
    assert len(second.json()['data']['attributes']['spans']) == 3 and second.json()['meta']['after']


def test_generated_events_validate(emulator, openapi):
    made = emulator.control('POST', '/experiments', json={'experiments': [{
        'project_id': DEMO_PROJECT, 'dataset_id': DEMO_DATASET, 'name': 'generated', 'summary_metrics': [
            {'label': 'mean', 'metric_type': 'score', 'score_value': 0.5}],
        'generate': {'records': 7, 'errors': 2, 'span_bytes': 2000, 'seed': 3, 'metrics': [
            {'label': 'score', 'type': 'score'}, {'label': 'flag', 'type': 'boolean'},
            {'label': 'kind', 'type': 'categorical'}, {'label': 'blob', 'type': 'json'}]}}]})['experiments'][0]
    response = emulator.api('GET', '/api/v2/llm-obs/v3/experiments/%s/events' % made['id'], params={'page[limit]': 4})
    check_exchange(openapi, response)
    assert len(response.json()['data']['attributes']['spans']) == 4


@pytest.mark.filterwarnings('ignore:Using unstable operation')
def test_datadog_api_client_drives_experiments(emulator):
    """Create, events, their list, update and delete of experiments, by Datadog's own client."""
    from datadog_api_client import ApiClient
    from datadog_api_client.v2.api.agent_observability_api import AgentObservabilityApi
    from datadog_api_client.v2 import models as model

    emulator.configure(experiment_patch_body=True)
    configuration = client_configuration(
        emulator.url, 'create_llm_obs_experiment', 'update_llm_obs_experiment', 'delete_llm_obs_experiments',
        'create_llm_obs_experiment_events', 'list_llm_obs_experiment_events', 'list_llm_obs_experiments')
    kind = model.LLMObsExperimentType.EXPERIMENTS
    with ApiClient(configuration) as client:
        api = AgentObservabilityApi(client)
        made = api.create_llm_obs_experiment(body=model.LLMObsExperimentRequest(data=model.LLMObsExperimentDataRequest(
            type=kind, attributes=model.LLMObsExperimentDataAttributesRequest(
                project_id=DEMO_PROJECT, dataset_id=DEMO_DATASET, name='client experiment', config={'k': 1})))).data
        assert (made.attributes.name, str(made.attributes.status)) == ('client experiment', 'running')
        api.create_llm_obs_experiment_events(experiment_id=made.id, body=model.LLMObsExperimentEventsRequest(
            data=model.LLMObsExperimentEventsDataRequest(type=model.LLMObsEventType.EVENTS, attributes=(
                model.LLMObsExperimentEventsDataAttributesRequest(
                    spans=[model.LLMObsExperimentSpan(
                        trace_id='t', span_id='s', project_id=DEMO_PROJECT, dataset_id=DEMO_DATASET, name='task',
                        start_ns=1705314600000000000, duration=1000, status=model.LLMObsExperimentSpanStatus.OK)],
                    metrics=[model.LLMObsExperimentMetric(
                        span_id='s', label='correctness', metric_type=model.LLMObsMetricScoreType.SCORE,
                        timestamp_ms=1705314600000, score_value=0.75)])))))
        events = api.list_llm_obs_experiment_events(experiment_id=made.id, page_limit=10)
        spans = events.data.attributes.spans
        assert [(s.span_id, [m.score_value for m in s.eval_metrics]) for s in spans] == [('s', [0.75])]
        updated = api.update_llm_obs_experiment(experiment_id=made.id, body=model.LLMObsExperimentUpdateRequest(
            data=model.LLMObsExperimentUpdateDataRequest(type=kind, attributes=(
                model.LLMObsExperimentUpdateDataAttributesRequest(status=model.LLMObsExperimentStatus.COMPLETED)))))
        assert str(updated.data.attributes.status) == 'completed'
        api.delete_llm_obs_experiments(body=model.LLMObsDeleteExperimentsRequest(data=model.LLMObsDeleteExperimentsDataRequest(
            type=kind, attributes=model.LLMObsDeleteExperimentsDataAttributesRequest(experiment_ids=[made.id]))))
        assert [e.id for e in api.list_llm_obs_experiments(filter_project_id=DEMO_PROJECT, filter_is_deleted=True).data] == [
            made.id]


EVALUATORS = '/api/unstable/llm-obs/config/evaluators/custom'


def evaluator_body(name, **target):
    target = dict({'application_name': 'conformance-app', 'enabled': True}, **target)
    return {'data': {'type': 'evaluator_config', 'id': name, 'attributes': {
        'eval_name': name, 'category': 'Custom',
        'target': dict(target, eval_scope='trace', filter='@ml_app:x', root_spans_only=False,
                       experiment_project_ids=[DEMO_PROJECT]),
        'llm_provider': {'integration_provider': 'amazon-bedrock', 'integration_account_id': 'acct', 'model_name': 'claude',
                         'bedrock': {'inference_profile': 'arn:profile', 'region': 'us-east-1'}},
        'llm_judge_config': {
            'inference_params': {'temperature': 1, 'max_tokens': 512, 'top_p': 1, 'top_k': 40, 'frequency_penalty': 0,
                                 'presence_penalty': 0},
            'assessment_criteria': {'min_threshold': 0.5, 'max_threshold': 1, 'pass_values': ['yes'], 'pass_when': None},
            'parsing_type': 'json', 'output_schema': {'type': 'object'}, 'target_query': '@output', 'context_query': None,
            'user_specified_json_post_processing_function': 'lambda x: x',
            'last_used_library_prompt_template_name': 'library-1', 'modified_library_prompt_template': True,
            'prompt_template': [{'role': 'system', 'content': 'judge'}, {'role': 'user', 'contents': [
                {'type': 'text', 'value': {'text': '{{span_output}}'}},
                {'type': 'tool_call', 'value': {'tool_call': {'id': 'c1', 'name': 'f', 'arguments': '{}', 'type': 'function'}}},
                {'type': 'tool_call_result', 'value': {'tool_call_result': {'tool_id': 'c1', 'name': 'f', 'result': 'ok',
                                                                            'type': 'function'}}}]}]}}}}


def test_evaluator_routes_validate(emulator, openapi):
    """Every custom evaluator route, its answers and its errors, against the spec."""
    exchanges = [
        (emulator.api('GET', EVALUATORS), True),
        (emulator.api('GET', EVALUATORS + '/helpfulness-judge'), True),
        (emulator.api('PUT', EVALUATORS + '/conformance-judge',
                      json=evaluator_body('conformance-judge', sampling_percentage=100)), True),
        (emulator.api('GET', EVALUATORS + '/conformance-judge'), True),
        (emulator.api('PUT', EVALUATORS + '/conformance-judge', json={'data': {'type': 'evaluator_config', 'attributes': {
            'target': {'application_name': 'conformance-app', 'enabled': False}}}}), True),
        (emulator.api('GET', EVALUATORS), True),
        (emulator.api('DELETE', EVALUATORS + '/conformance-judge'), True),
        # errors
        (emulator.api('GET', EVALUATORS + '/conformance-judge'), True),
        (emulator.api('DELETE', EVALUATORS + '/conformance-judge'), True),
        (emulator.api('PUT', EVALUATORS + '/x', json=evaluator_body('x', sampling_percentage=0)), True),
        (emulator.api('PUT', EVALUATORS + '/x', json=evaluator_body('y')), True),
        (emulator.api('PUT', EVALUATORS + '/x', json={'data': {'type': 'evaluator_config', 'attributes': {}}}), False),
        (emulator.api('GET', EVALUATORS, headers={'DD-APPLICATION-KEY': ''}), False),
    ]
    assert [response.status_code for response, dummy in exchanges] == [
        200, 200, 200, 200, 200, 200, 204, 404, 404, 400, 400, 400, 401]
    for response, request_is_valid in exchanges:
        check_exchange(openapi, response, request_is_valid)
    assert exchanges[2][0].content == b'' and 'Content-Type' not in exchanges[2][0].headers
    # The object as an answer to a PUT (a setting): the spec's GET body.
    emulator.configure(evaluator_put_body=True)
    answered = emulator.api('PUT', EVALUATORS + '/conformance-judge', json=evaluator_body('conformance-judge'))
    openapi.validate_response(
        as_openapi_request('GET', EVALUATORS + '/conformance-judge', None, None, {}),
        MockResponse(answered.content, 200, dict(answered.headers), 'application/json'))


def test_evaluator_null_fields_validate_once_the_spec_reads_its_nullable_ref(emulator, openapi, spec_path):
    """With ``evaluator_null_fields``, unset nullable fields come back null. The spec marks eval_scope nullable
    beside its $ref, which OpenAPI 3.0 ignores: read as nullable here (relaxed), every other field as published."""
    emulator.configure(evaluator_null_fields=True)
    answer = emulator.api('GET', EVALUATORS + '/helpfulness-judge')
    target = answer.json()['data']['attributes']['target']
    assert target['filter'] is None and target['eval_scope'] == 'span'
    check_exchange(openapi, answer)
    emulator.api('PUT', EVALUATORS + '/bare', json={'data': {'type': 'evaluator_config', 'attributes': {
        'target': {'application_name': 'a', 'enabled': True}, 'llm_judge_config': {'inference_params': {}}}}})
    bare = emulator.api('GET', EVALUATORS + '/bare')
    assert bare.json()['data']['attributes']['target']['eval_scope'] is None
    with open(spec_path) as handle:
        spec = yaml.load(handle, Loader=getattr(yaml, 'CSafeLoader', yaml.SafeLoader))
    scope = spec['components']['schemas']['LLMObsCustomEvalConfigEvalScope']
    spec['components']['schemas']['LLMObsCustomEvalConfigTarget']['properties']['eval_scope'] = dict(
        scope, nullable=True, enum=scope['enum'] + [None])
    check_exchange(OpenAPI.from_dict(spec), bare)


def test_prompt_routes_validate(emulator, openapi):
    """Every prompt route, its answers and its errors, against the spec."""
    prompt = '/prompts/conformance-prompt'
    version = {'data': {'type': 'prompt-template-versions', 'attributes': {
        'template': [{'role': 'system', 'content': 'Be brief.'}, {'type': 'placeholder', 'name': 'history'},
                     {'role': 'user', 'content': '{{question}}'}],
        'config': {'model': 'm', 'temperature': 0.4}, 'description': 'second', 'labels': ['development']}}}
    composed = {'data': {'type': 'prompt-template-versions', 'attributes': {'template': {'messages': [
        {'include': {'prompt_id': 'support-answer', 'version': 2, 'items': [1, 0]}}, {'role': 'user', 'content': 'Answer.'}]}}}}
    exchanges = [
        (emulator.api('GET', '/prompts'), True),
        (emulator.api('GET', '/prompts', params={'filter[prompt_id]': 'support-answer'}), True),
        (emulator.api('POST', '/prompts', json={'data': {'type': 'prompt-templates', 'attributes': {
            'prompt_id': 'conformance-prompt', 'template': 'Hello {{name}}', 'title': 'T', 'description': 'D',
            'labels': ['production']}}}), True),
        (emulator.api('POST', prompt + '/versions', json=version), True),
        (emulator.api('POST', prompt + '/versions', json=composed), True),
        (emulator.api('POST', '/prompts', json={'data': {'type': 'prompt-templates', 'attributes': {
            'prompt_id': 'text-composed', 'template': '{{>conformance-prompt version=1}} Thanks.', 'config': {'k': 1}}}}),
         True),
        (emulator.api('GET', prompt), True),
        (emulator.api('GET', prompt, params={'label': 'production'}), True),
        (emulator.api('GET', '/prompts/support-answer'), True),
        (emulator.api('GET', prompt + '/versions'), True),
        (emulator.api('GET', prompt + '/versions/1'), True),
        (emulator.api('GET', prompt + '/versions/3'), True),
        (emulator.api('GET', '/prompts/text-composed/versions/1'), True),
        (emulator.api('PATCH', prompt, json={'data': {'type': 'prompt-templates', 'attributes': {'title': 'T2'}}}), True),
        (emulator.api('PATCH', prompt + '/versions/2', json={'data': {'type': 'prompt-template-versions', 'attributes': {
            'labels': ['production', 'development'], 'description': 'now both', 'env_ids': []}}}), True),
        (emulator.api('DELETE', '/prompts/text-composed'), True),
        (emulator.api('GET', '/prompts/text-composed/versions'), True),
        # errors
        (emulator.api('POST', '/prompts', json={'data': {'type': 'prompt-templates', 'attributes': {
            'prompt_id': 'conformance-prompt', 'template': 'again'}}}), True),
        (emulator.api('POST', '/prompts', json={'data': {'type': 'prompt-templates', 'attributes': {
            'prompt_id': 'blank', 'template': '   '}}}), False),
        (emulator.api('GET', prompt, params={'label': 'staging'}), True),
        (emulator.api('GET', '/prompts/text-composed'), True),
        (emulator.api('DELETE', '/prompts/text-composed'), True),
        (emulator.api('GET', prompt + '/versions/9'), True),
        (emulator.api('PATCH', prompt, json={'data': {'type': 'prompt-templates', 'attributes': {}}}), False),
        (emulator.api('PATCH', prompt + '/versions/1', json={'data': {'type': 'prompt-template-versions', 'attributes': {
            'labels': ['staging']}}}), False),
        (emulator.api('POST', '/prompts/no-such-prompt/versions', json=version), True),
    ]
    assert [response.status_code for response, dummy in exchanges] == [
        200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200,
        409, 400, 404, 404, 404, 404, 400, 400, 404]
    for response, request_is_valid in exchanges:
        check_exchange(openapi, response, request_is_valid)
    answers = [response.json() for response, dummy in exchanges]
    assert answers[11]['data']['attributes']['template'] == [
        {'role': 'user', 'content': '{{question}}'},
        {'role': 'system', 'content': 'You are a concise support assistant for {{company}}. Cite the help-center article.'},
        {'role': 'user', 'content': 'Answer.'}]
    assert answers[12]['data']['attributes']['template'] == 'Hello {{name}} Thanks.'
    # An organisation without configuration authoring: config is a 403, even empty.
    emulator.configure(prompt_config_authoring=False)
    forbidden = emulator.api('POST', prompt + '/versions', json={'data': {'type': 'prompt-template-versions', 'attributes': {
        'template': 'x', 'config': {}}}})
    assert forbidden.status_code == 403
    check_exchange(openapi, forbidden)


@pytest.mark.parametrize('operation, path', [('ListLLMObsCustomEvalConfigs', EVALUATORS), ('ListLLMObsPrompts', '/prompts')])
def test_pages_of_endless_evaluator_and_prompt_lists_validate(emulator, openapi, operation, path):
    emulator.add_fault(operation=operation, endless=True)
    first = emulator.api('GET', path, params={'page[limit]': 3})
    check_exchange(openapi, first, request_is_valid=False)    # the spec's lists take no page parameters
    second = emulator.api('GET', path, params={'page[cursor]': first.json()['meta']['after']})
    check_exchange(openapi, second, request_is_valid=False)
    assert len(first.json()['data']) == 3 and len(second.json()['data']) == 100


@pytest.mark.filterwarnings('ignore:Using unstable operation')
def test_datadog_api_client_drives_evaluators_and_prompts(emulator):
    """Every evaluator and prompt route, called by Datadog's own client."""
    from datadog_api_client import ApiClient
    from datadog_api_client.v2.api.agent_observability_api import AgentObservabilityApi
    from datadog_api_client.v2 import models as model

    configuration = client_configuration(
        emulator.url, 'list_llm_obs_custom_eval_configs', 'get_llm_obs_custom_eval_config', 'update_llm_obs_custom_eval_config',
        'delete_llm_obs_custom_eval_config', 'list_llm_obs_prompts', 'create_llm_obs_prompt', 'get_llm_obs_prompt',
        'update_llm_obs_prompt', 'delete_llm_obs_prompt', 'list_llm_obs_prompt_versions', 'create_llm_obs_prompt_version',
        'get_llm_obs_prompt_version', 'update_llm_obs_prompt_version')
    with ApiClient(configuration) as client:
        api = AgentObservabilityApi(client)
        assert [e.id for e in api.list_llm_obs_custom_eval_configs().data] == ['helpfulness-judge']
        judge = api.get_llm_obs_custom_eval_config(eval_name='helpfulness-judge').data.attributes
        assert judge.target.sampling_percentage == 50 and str(judge.llm_provider.integration_provider) == 'openai'
        api.update_llm_obs_custom_eval_config(eval_name='client-judge', body=model.LLMObsCustomEvalConfigUpdateRequest(
            data=model.LLMObsCustomEvalConfigUpdateData(
                id='client-judge', type=model.LLMObsCustomEvalConfigType.EVALUATOR_CONFIG,
                attributes=model.LLMObsCustomEvalConfigUpdateAttributes(
                    category='Custom', target=model.LLMObsCustomEvalConfigTarget(
                        application_name='client-app', enabled=True, sampling_percentage=25.0),
                    llm_judge_config=model.LLMObsCustomEvalConfigLLMJudgeConfig(
                        inference_params=model.LLMObsCustomEvalConfigInferenceParams(temperature=0.0),
                        parsing_type=model.LLMObsCustomEvalConfigParsingType.KEYWORD_SEARCH)))))
        made = api.get_llm_obs_custom_eval_config(eval_name='client-judge').data.attributes
        assert (made.target.application_name, made.target.sampling_percentage) == ('client-app', 25.0)
        api.delete_llm_obs_custom_eval_config(eval_name='client-judge')
        assert [e.id for e in api.list_llm_obs_custom_eval_configs().data] == ['helpfulness-judge']

        kind, version_kind = model.LLMObsPromptType.PROMPT_TEMPLATES, model.LLMObsPromptVersionType.PROMPT_TEMPLATE_VERSIONS
        created = api.create_llm_obs_prompt(body=model.LLMObsCreatePromptRequest(data=model.LLMObsCreatePromptData(
            type=kind, attributes=model.LLMObsCreatePromptDataAttributes(
                prompt_id='client-prompt', template='Hi {{name}}', title='Client prompt')))).data
        assert created.attributes.num_versions == 1
        assert [p.attributes.prompt_id for p in api.list_llm_obs_prompts(filter_prompt_id='client-prompt').data] == [
            'client-prompt']
        second = api.create_llm_obs_prompt_version(prompt_id='client-prompt', body=model.LLMObsCreatePromptVersionRequest(
            data=model.LLMObsCreatePromptVersionData(type=version_kind, attributes=model.LLMObsCreatePromptVersionDataAttributes(
                template='Hello {{name}}', description='friendlier')))).data
        assert second.attributes.version == 2
        api.update_llm_obs_prompt_version(prompt_id='client-prompt', version=2, body=model.LLMObsUpdatePromptVersionRequest(
            data=model.LLMObsUpdatePromptVersionData(type=version_kind, attributes=model.LLMObsUpdatePromptVersionDataAttributes(
                labels=[model.LLMObsPromptVersionLabel.PRODUCTION]))))
        latest = api.get_llm_obs_prompt(prompt_id='client-prompt').data.attributes
        assert (latest.version, latest.template, latest.labels) == ('2', 'Hello {{name}}', ['production'])
        versions = api.list_llm_obs_prompt_versions(prompt_id='client-prompt').data
        assert [(v.attributes.version, v.attributes.labels) for v in versions] == [(2, ['production']), (1, [])]
        assert api.get_llm_obs_prompt_version(prompt_id='client-prompt', version=1).data.attributes.template == 'Hi {{name}}'
        renamed = api.update_llm_obs_prompt(prompt_id='client-prompt', body=model.LLMObsUpdatePromptRequest(
            data=model.LLMObsUpdatePromptData(type=kind, attributes=model.LLMObsUpdatePromptDataAttributes(
                description='described'))))
        assert renamed.data.attributes.description == 'described'
        chat = api.get_llm_obs_prompt(prompt_id='support-answer').data.attributes
        assert [m.role for m in chat.chat_template] == ['system', 'user']
        assert api.delete_llm_obs_prompt(prompt_id='client-prompt').data.attributes.prompt_id == 'client-prompt'
        assert api.list_llm_obs_prompt_versions(prompt_id='client-prompt').data == []
