# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The module base: merged options, checks before any request, run() away from AnsibleModule, failures."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils import _module
from ansible_collections.llmobs.datadog.plugins.module_utils._connection import connection_argument_spec
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError, ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._module import API, LLMObsModule, ModuleTask
from ansible_collections.llmobs.datadog.plugins.module_utils._validation import check_name
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import (
    API_KEY,
    APP_KEY,
    PROJECT,
    dataset,
    project,
    warnings_of,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import datasets_by_name, projects_by_name


class Recorder(object):
    """A module's run(): records the task it got and answers with ``result`` or raises ``error``."""

    def __init__(self, result=None, error=None, action=None):
        self.tasks = []
        self.result = result if result is not None else dict(changed=False)
        self.error = error
        self.action = action

    def __call__(self, task):
        self.tasks.append(task)
        if self.action is not None:
            self.action(task)
        if self.error is not None:
            raise self.error
        return dict(self.result)


def toy(run, **kwargs):
    kwargs.setdefault('options', dict(name=dict(type='str', required=True), size=dict(type='int', default=3)))
    return LLMObsModule(run=run, **kwargs)


def plain_params(**overrides):
    """Options as AnsibleModule would hand them over, without AnsibleModule: defaults plus keys."""
    params = dict((name, option.get('default')) for name, option in connection_argument_spec().items())
    params.update(api_key=API_KEY, app_key=APP_KEY, name='n', size=3, project_id=PROJECT, project_name=None,
                  dataset_id=None, dataset_name=None)
    params.update(overrides)
    return params


# ---------------------------------------------------------------- module_kwargs


def test_module_kwargs_merge_the_connection_options_and_the_address_pairs():
    kwargs = toy(Recorder(), addresses=('project', 'dataset'), mutually_exclusive=[['name', 'size']],
                 required_one_of=[['name', 'size']], required_if=[['size', 5, ['name']]]).module_kwargs()

    spec = kwargs['argument_spec']
    for option, definition in connection_argument_spec().items():
        assert spec[option] == definition
    assert spec['api_key']['no_log'] is True and spec['app_key']['no_log'] is True
    assert spec['project_id'] == spec['project_name'] == spec['dataset_id'] == spec['dataset_name'] == {'type': 'str'}
    assert spec['name'] == {'type': 'str', 'required': True}
    assert kwargs['mutually_exclusive'] == [['project_id', 'project_name'], ['dataset_id', 'dataset_name'],
                                            ['name', 'size']]
    assert kwargs['required_one_of'] == [['project_id', 'project_name'], ['dataset_id', 'dataset_name'],
                                         ['name', 'size']]
    assert kwargs['required_if'] == [['size', 5, ['name']]]
    assert kwargs['supports_check_mode'] is True


def test_module_kwargs_of_a_module_that_addresses_a_project_only():
    kwargs = toy(Recorder(), addresses=('project',), supports_check_mode=False).module_kwargs()

    assert 'project_name' in kwargs['argument_spec'] and 'dataset_id' not in kwargs['argument_spec']
    assert kwargs['mutually_exclusive'] == kwargs['required_one_of'] == [['project_id', 'project_name']]
    assert kwargs['supports_check_mode'] is False


def test_an_optional_dataset_address_is_exclusive_but_not_required_and_checked():
    module = toy(Recorder(), addresses=('project',), optional_addresses=('dataset',))
    kwargs = module.module_kwargs()

    assert 'dataset_id' in kwargs['argument_spec'] and 'dataset_name' in kwargs['argument_spec']
    assert kwargs['mutually_exclusive'] == [['project_id', 'project_name'], ['dataset_id', 'dataset_name']]
    assert kwargs['required_one_of'] == [['project_id', 'project_name']]
    with pytest.raises(ValidationError) as error:
        module.check(dict(project_id='p1', dataset_id='bad id', dataset_name=None))
    assert 'dataset_id' in error.value.message


def test_module_kwargs_without_addresses_add_no_pair():
    kwargs = toy(Recorder()).module_kwargs()

    assert not set(kwargs['argument_spec']) & {'project_id', 'project_name', 'dataset_id', 'dataset_name'}
    assert kwargs['mutually_exclusive'] == kwargs['required_one_of'] == []


def test_module_options_can_document_an_address_differently():
    module = toy(Recorder(), options=dict(project_id=dict(type='str', aliases=['project'])), addresses=('project',))
    assert module.argument_spec()['project_id'] == {'type': 'str', 'aliases': ['project']}


def test_the_declarations_are_not_shared_between_modules():
    first, second = toy(Recorder(), addresses=('project',)), toy(Recorder(), addresses=('project',))
    first.module_kwargs()['mutually_exclusive'].append(['x', 'y'])
    assert second.module_kwargs()['mutually_exclusive'] == [['project_id', 'project_name']]
    assert first.module_kwargs()['mutually_exclusive'] == [['project_id', 'project_name']]


# ---------------------------------------------------------------- execute: checks first


def test_a_bad_option_is_refused_before_any_request_and_before_run(http):
    def check_options(params):
        check_name(params['name'], 'the name of the toy')

    run = Recorder()
    module = toy(run, addresses=('project',), check_options=check_options)

    with pytest.raises(ValidationError, match='^name must not start or end with spaces'):
        module.execute(plain_params(name=' n'), False, False, lambda message: None)

    assert run.tasks == [] and http.seen == []


@pytest.mark.parametrize('overrides, expected', [
    ({'project_id': '../p', 'name': ' n', 'api_key': None}, 'project_id must contain only'),
    ({'name': ' n', 'api_key': None}, 'name must not start or end with spaces'),
    ({'api_key': None}, 'Missing Datadog API key'),
    ({'project_id': None, 'project_name': ' padded'}, 'project_name must not start or end with spaces'),
    ({'site': 'example.com'}, "site 'example.com' is not a known Datadog site"),
])
def test_checks_run_in_the_order_a_user_reads_them(http, overrides, expected):
    module = toy(Recorder(), addresses=('project', 'dataset'), check_options=lambda params: check_name(params['name'], 'the name of the toy'))

    with pytest.raises(ValidationError) as info:
        module.execute(plain_params(dataset_id='d1', **overrides), False, False, lambda message: None)

    assert info.value.message.startswith(expected)
    assert http.seen == []


def test_run_gets_the_task_without_ansible_module(http, clock):
    warnings = []
    http.expect(datasets_by_name('x').reply_error(503, 'busy'), datasets_by_name('x').reply_page(dataset('d1', 'x')))

    def action(task):
        task.result = task.api.datasets.find_by_name(PROJECT, 'x')

    run = Recorder(result=dict(changed=True, value=1), action=action)
    params = plain_params()

    result = toy(run, addresses=('project',)).execute(params, True, True, warnings.append)

    assert result == dict(changed=True, value=1)
    (task,) = run.tasks
    assert isinstance(task, ModuleTask) and isinstance(task.api, API)
    assert task.params is params and task.check_mode is True and task.diff is True
    assert task.warn == warnings.append
    assert task.api.projects.transport is task.api.datasets.transport is task.api.transport
    assert task.api.transport.settings.base_url == 'https://api.datadoghq.com'
    assert task.result[0]['id'] == 'd1'
    assert len(warnings) == 1 and 'HTTP 503' in warnings[0]  # the transport warns through the task's warn


# ---------------------------------------------------------------- main: the edges


def test_main_returns_what_run_returns(http, run_module):
    run = Recorder(result=dict(changed=True, thing={'id': 'x'}))

    args = dict(api_key=API_KEY, app_key=APP_KEY, name='n', project_id=PROJECT)

    result, code, dummy = run_module(toy(run, addresses=('project',)), args, check_mode=True)

    assert code == 0 and result['changed'] is True and result['thing'] == {'id': 'x'}
    assert run.tasks[0].check_mode is True and run.tasks[0].params['size'] == 3


def test_main_turns_a_collection_error_into_a_failure_with_its_extras(http, run_module):
    run = Recorder(error=LLMObsError('It went wrong.', status=418, errors=['teapot'], changed=False))

    result, code, raw = run_module(toy(run), dict(api_key=API_KEY, app_key=APP_KEY, name='n'))

    assert code == 1
    assert result['failed'] is True and result['msg'] == 'It went wrong.'
    assert result['status'] == 418 and result['errors'] == ['teapot'] and result['changed'] is False
    assert 'exception' not in result
    assert API_KEY not in raw and APP_KEY not in raw


def test_main_reports_the_warnings_of_run(http, run_module, clock):
    def action(task):
        task.warn('Careful.')

    result, code, dummy = run_module(toy(Recorder(action=action)), dict(api_key=API_KEY, app_key=APP_KEY, name='n'))

    assert code == 0 and warnings_of(result) == ['Careful.']


def test_main_resolves_names_through_the_api(http, run_module):
    from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import resolve_project

    def action(task):
        task.project = resolve_project(task.api, task.params)

    run = Recorder(action=action)
    http.expect(projects_by_name('eval').reply_page(project('p-7', 'eval')))

    result, code, dummy = run_module(toy(run, addresses=('project',)),
                                     dict(api_key=API_KEY, app_key=APP_KEY, name='n', project_name='eval'))

    assert code == 0 and run.tasks[0].project[0] == 'p-7'


def test_main_without_requests_fails_before_any_check(http, run_module, monkeypatch):
    monkeypatch.setattr(_module, 'HAS_REQUESTS', False)
    monkeypatch.setattr(_module, 'REQUESTS_IMPORT_ERROR', 'ImportError: No module named requests')
    run = Recorder()

    result, code, dummy = run_module(toy(run), dict(name=' bad name '))

    assert code == 1 and 'Failed to import the required Python library (requests)' in result['msg']
    assert run.tasks == []


def test_main_reports_a_validation_error_as_a_failure(http, run_module):
    result, code, dummy = run_module(toy(Recorder(), addresses=('project',)),
                                     dict(api_key=API_KEY, app_key=APP_KEY, name='n', project_id='a/b'))

    assert code == 1 and result['msg'].startswith("project_id must contain only letters, digits, '-' and '_'")
