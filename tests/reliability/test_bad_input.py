# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Bad input, through a real playbook: every case fails with a message naming the option, and
the emulator's request log shows that not one request was sent."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.tests.support.demo import DEMO_DATASET as SOURCE, DEMO_PROJECT as PROJECT
from ansible_collections.llmobs.datadog.tests.support.playbook import run_tasks

NO_URL = object()  # the case leaves api_url out (site cases): a dead proxy then catches any request

# (case, option the message must name, overrides of the valid arguments)
CASES = [
    ('timeout is not a number', 'timeout', {'timeout': 'soon'}),
    ('retries is not a number', 'retries', {'retries': 'many'}),
    ('wait is not a boolean', 'wait', {'wait': 'maybe'}),
    ('validate_certs is not a boolean', 'validate_certs', {'validate_certs': 'perhaps'}),
    ('wait_timeout is not a number', 'wait_timeout', {'wait_timeout': 'long'}),
    ('timeout is a list', 'timeout', {'timeout': [1, 2]}),
    ('project_id is empty', 'project_id', {'project_id': ''}),
    ('dataset_id is whitespace', 'dataset_id', {'dataset_id': '   '}),
    ('name is empty', 'name', {'name': ''}),
    ('name is whitespace', 'name', {'name': ' \t '}),
    ('name has a leading space', 'name', {'name': ' padded'}),
    ('name has a line break', 'name', {'name': 'two\nlines'}),
    ('name is not ASCII (accents)', 'name', {'name': u'donn\u00e9es-2026'}),
    ('name is not ASCII (CJK)', 'name', {'name': u'\u30c7\u30fc\u30bf'}),
    ('name is 256 characters', 'name', {'name': 'n' * 256}),
    ('project_id climbs the path', 'project_id', {'project_id': '../projects'}),
    ('dataset_id has a slash', 'dataset_id', {'dataset_id': 'a/b'}),
    ('dataset_id has a query', 'dataset_id', {'dataset_id': 'a?filter=1'}),
    ('project_id has a fragment', 'project_id', {'project_id': 'a#b'}),
    ('dataset_id is percent-encoded', 'dataset_id', {'dataset_id': '%2e%2e'}),
    ('project_id has a space', 'project_id', {'project_id': 'a b'}),
    ('dataset_id has a line break', 'dataset_id', {'dataset_id': 'abc\n'}),
    ('dataset_id is ..', 'dataset_id', {'dataset_id': '..'}),
    ('dataset_id is not ASCII', 'dataset_id', {'dataset_id': u'd\u00e9j\u00e0'}),
    ('dataset_id is 129 characters', 'dataset_id', {'dataset_id': 'd' * 129}),
    ('site is unknown', 'site', {'site': 'example.com', 'api_url': NO_URL}),
    ('site is a URL', 'site', {'site': 'https://datadoghq.com', 'api_url': NO_URL}),
    ('site is the API host', 'site', {'site': 'api.datadoghq.eu', 'api_url': NO_URL}),
    ('site has no domain', 'site', {'site': 'datadoghq', 'api_url': NO_URL}),
    ('site has a space', 'site', {'site': 'data dog.com', 'api_url': NO_URL}),
    ('api_url has no scheme', 'api_url', {'api_url': '127.0.0.1:8126'}),
    ('api_url has credentials', 'api_url', {'api_url': 'https://user:pass@proxy.example'}),
    ('api_url is ftp', 'api_url', {'api_url': 'ftp://proxy.example'}),
    ('api_url has a query', 'api_url', {'api_url': 'http://127.0.0.1:8126?x=1'}),
    ('api_url is empty', 'api_url', {'api_url': ''}),
    ('timeout is 0', 'timeout', {'timeout': 0}),
    ('timeout is negative', 'timeout', {'timeout': -1}),
    ('retries is 0', 'retries', {'retries': 0}),
    ('retries is negative', 'retries', {'retries': -2}),
    ('wait_timeout is 0', 'wait_timeout', {'wait_timeout': 0}),
    ('wait_timeout is negative', 'wait_timeout', {'wait_timeout': -10}),
    ('ca_path does not exist', 'ca_path', {'ca_path': '/nonexistent/ca-bundle.pem'}),
    ('description has a control character', 'description', {'description': 'bell\x07'}),
    ('api_key has a line break', 'api_key', {'api_key': 'ReliabilityApiKey7f3e9c21d4b8\n'}),
    ('app_key is blank', 'app_key', {'app_key': '  '}),
]

MISSING_KEYS = [
    ('api_key is missing (no option, no DD_API_KEY)', 'api_key', 'DD_API_KEY', {'app_key': 'present-app-key-1234'}),
    ('app_key is missing (no option, no DD_APP_KEY)', 'app_key', 'DD_APP_KEY', {'api_key': 'present-api-key-1234'}),
]


def test_at_least_thirty_cases():
    assert len(CASES) + len(MISSING_KEYS) >= 30


@pytest.mark.parametrize('key_source', ['params', 'env'])
def test_bad_input_fails_before_any_request(fresh_emulator, record, key_source):
    emulator = fresh_emulator
    tasks = []
    for dummy, dummy_option, overrides in CASES:
        args = dict(api_url=emulator.url, project_id=PROJECT, dataset_id=SOURCE, name='bad-input-copy')
        args.update(overrides)
        if args.get('api_url') is NO_URL:
            del args['api_url']
        tasks.append(args)
    # Any request that slipped through would go to this dead proxy, never to the internet.
    run = run_tasks(tasks, key_source=key_source,
                    extra_env={'HTTPS_PROXY': 'http://127.0.0.1:9', 'HTTP_PROXY': 'http://127.0.0.1:9', 'NO_PROXY': ''})

    assert emulator.requests_log() == []
    assert run.leaks() == []
    assert run.tracebacks() == []
    for (case, option, dummy), result in zip(CASES, run.results):
        assert result.get('failed') is True, case
        assert option in result['msg'], '%s: %s' % (case, result['msg'])
        assert 'Proxy' not in result['msg'] and 'could not reach' not in result['msg'], case
        if key_source == 'params':
            record('bad_input', {'case': case, 'option': option, 'message': result['msg']})


def test_missing_keys_name_the_option_and_its_variable(fresh_emulator, record):
    emulator = fresh_emulator
    tasks = []
    for dummy, dummy_option, dummy_env, args in MISSING_KEYS:
        task = dict(api_url=emulator.url, project_id=PROJECT, dataset_id=SOURCE, name='bad-input-copy')
        task.update(args)
        tasks.append(task)
    run = run_tasks(tasks, key_source='none')

    assert emulator.requests_log() == []
    for (case, option, variable, dummy), result in zip(MISSING_KEYS, run.results):
        assert result.get('failed') is True
        assert 'set the %s option or the %s' % (option, variable) in result['msg']
        record('bad_input', {'case': case, 'option': option, 'message': result['msg']})


# The family: (module, case, option the message must name, the task's arguments besides api_url)
FAMILY_CASES = [
    ('llmobs_project', 'project name is blank', 'name', {'name': ' '}),
    ('llmobs_project', 'project name is not ASCII', 'name', {'name': u'proj\u00e9t'}),
    ('llmobs_project', 'state is unknown', 'state', {'name': 'p', 'state': 'gone'}),
    ('llmobs_project', 'description has a control character', 'description', {'name': 'p', 'description': 'a\x00b'}),
    ('llmobs_project', 'wait_timeout is 0', 'wait_timeout', {'name': 'p', 'wait_timeout': 0}),
    ('llmobs_project', 'name is missing', 'name', {}),
    ('llmobs_dataset', 'no project given', 'project_id, project_name', {'name': 'd'}),
    ('llmobs_dataset', 'both project options', 'project_id|project_name',
     {'name': 'd', 'project_id': PROJECT, 'project_name': 'demo-project'}),
    ('llmobs_dataset', 'project_id has a slash', 'project_id', {'name': 'd', 'project_id': 'a/b'}),
    ('llmobs_dataset', 'project_name has a line break', 'project_name', {'name': 'd', 'project_name': 'a\nb'}),
    ('llmobs_dataset', 'metadata is not a dictionary', 'metadata', {'name': 'd', 'project_id': PROJECT, 'metadata': 'x'}),
    ('llmobs_dataset', 'dataset name is 256 characters', 'name', {'name': 'n' * 256, 'project_id': PROJECT}),
    ('llmobs_project_info', 'name and project_id together', 'name|project_id', {'name': 'p', 'project_id': PROJECT}),
    ('llmobs_project_info', 'project_id climbs the path', 'project_id', {'project_id': '../x'}),
    ('llmobs_dataset_info', 'dataset_id has a query', 'dataset_id', {'project_id': PROJECT, 'dataset_id': 'a?b=1'}),
    ('llmobs_dataset_info', 'project_name is blank', 'project_name', {'project_name': ''}),
    ('llmobs_dataset_clone', 'dataset_name and dataset_id together', 'dataset_id|dataset_name',
     {'project_id': PROJECT, 'dataset_id': SOURCE, 'dataset_name': 'capitals', 'name': 'c'}),
    ('llmobs_dataset_clone', 'dataset_name is not ASCII', 'dataset_name',
     {'project_id': PROJECT, 'dataset_name': u'donn\u00e9es', 'name': 'c'}),
]


@pytest.mark.parametrize('module', sorted(set(case[0] for case in FAMILY_CASES)))
def test_every_module_refuses_bad_input_before_any_request(fresh_emulator, record, module):
    emulator = fresh_emulator
    cases = [case for case in FAMILY_CASES if case[0] == module]
    run = run_tasks([dict(args, api_url=emulator.url) for dummy, dummy, dummy, args in cases],
                    module='llmobs.datadog.' + module,
                    extra_env={'HTTPS_PROXY': 'http://127.0.0.1:9', 'HTTP_PROXY': 'http://127.0.0.1:9', 'NO_PROXY': ''})

    assert emulator.requests_log() == []
    assert run.leaks() == []
    assert run.tracebacks() == []
    for (dummy, case, option, dummy), result in zip(cases, run.results):
        assert result.get('failed') is True, case
        assert option in result['msg'], '%s: %s' % (case, result['msg'])
        record('bad_input', {'case': '%s: %s' % (module, case), 'option': option, 'message': result['msg']})
