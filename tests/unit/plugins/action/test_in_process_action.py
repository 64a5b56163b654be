# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The action plugins of the collection: which path a task takes, and what the in-process path returns.

The decision table has one test per condition that sends a task to the module path. The
equivalence tests run the same cases through both paths: the module's ``main()`` as in its own
process, its output read by the controller's own reader, against the action's in-process run; the
two results must be equal, ``invocation`` and warnings included.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast
import contextlib
import importlib
import io
import logging
import os
import sys
import warnings

import pytest

from ansible_collections.llmobs.datadog.plugins.modules import (
    llmobs_dataset,
    llmobs_dataset_clone,
    llmobs_dataset_info,
    llmobs_dataset_prune,
    llmobs_dataset_records,
    llmobs_dataset_records_info,
    llmobs_dataset_restore,
    llmobs_dataset_version_info,
    llmobs_evaluator,
    llmobs_evaluator_info,
    llmobs_experiment_info,
    llmobs_project,
    llmobs_project_info,
    llmobs_experiment,
    llmobs_experiment_prune,
    llmobs_prompt,
    llmobs_prompt_info,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import (
    API_KEY,
    APP_KEY,
    PROJECT,
    SOURCE,
    dataset,
    module_args,
    project,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    clone_dataset,
    create_project,
    dataset_by_id,
    datasets_by_name,
    experiment,
    list_datasets,
    list_experiments,
    list_projects,
    projects_by_name,
    update_dataset,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins import http_calls as records
from ansible_collections.llmobs.datadog.plugins.plugin_utils._check_plan import stamp
from ansible_collections.llmobs.datadog.tests.unit.plugins.plugin_utils.in_process_support import (
    IN_PROCESS_ACTION,
    make_action,
    module_stdout,
    normalized,
    trusted,
)

MODULES = dict(
    llmobs_dataset=llmobs_dataset,
    llmobs_dataset_clone=llmobs_dataset_clone,
    llmobs_dataset_info=llmobs_dataset_info,
    llmobs_dataset_prune=llmobs_dataset_prune,
    llmobs_dataset_records=llmobs_dataset_records,
    llmobs_dataset_records_info=llmobs_dataset_records_info,
    llmobs_dataset_restore=llmobs_dataset_restore,
    llmobs_dataset_version_info=llmobs_dataset_version_info,
    llmobs_project=llmobs_project,
    llmobs_project_info=llmobs_project_info,
    llmobs_experiment=llmobs_experiment,
    llmobs_experiment_prune=llmobs_experiment_prune,
    llmobs_experiment_info=llmobs_experiment_info,
    llmobs_evaluator=llmobs_evaluator,
    llmobs_evaluator_info=llmobs_evaluator_info,
    llmobs_prompt=llmobs_prompt,
    llmobs_prompt_info=llmobs_prompt_info,
)
MASK = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


@pytest.fixture
def action_plugin():
    return importlib.import_module(IN_PROCESS_ACTION)


@pytest.fixture(autouse=True)
def no_opt_out(monkeypatch):
    monkeypatch.delenv('LLMOBS_IN_PROCESS', raising=False)


class ModulePath(object):
    """Stands in for ActionBase._execute_module: records that the module path was taken."""

    def __init__(self, result=None):
        self.calls = []
        self.result = result or {'changed': False, 'msg': 'from the module path'}

    def __call__(self, *args, **kwargs):
        self.calls.append(kwargs)
        return dict(self.result)


def clone_action(**kwargs):
    args = kwargs.pop('args', None) or module_args()
    return make_action('llmobs_dataset_clone', args, **kwargs)


# ---------------------------------------------------------------------------------- the decision table


def test_a_local_task_runs_in_the_controller():
    assert clone_action().module_path_reason(clone_action().task_vars) is None


@pytest.mark.parametrize('value', ['0', 'false', 'no', 'off', 'False'])
def test_environment_opt_out(monkeypatch, value):
    monkeypatch.setenv('LLMOBS_IN_PROCESS', value)
    action = clone_action()
    assert action.module_path_reason(action.task_vars) == 'LLMOBS_IN_PROCESS=%s' % value


@pytest.mark.parametrize('value', ['1', 'true', 'yes', 'on', ''])
def test_environment_opt_in_values_keep_the_in_process_path(monkeypatch, value):
    monkeypatch.setenv('LLMOBS_IN_PROCESS', value)
    action = clone_action()
    assert action.module_path_reason(action.task_vars) is None


def test_an_unreadable_opt_out_is_an_error_not_a_guess(monkeypatch, action_plugin):
    monkeypatch.setenv('LLMOBS_IN_PROCESS', 'flase')
    action = clone_action()
    with pytest.raises(action_plugin.AnsibleActionFail, match='LLMOBS_IN_PROCESS must be true or false'):
        action.module_path_reason(action.task_vars)


@pytest.mark.parametrize('value', [False, 'false', 'no', '{{ 1 == 2 }}'])
def test_variable_opt_out(value):
    action = clone_action(task_vars=dict(llmobs_in_process=trusted(value)))
    assert action.module_path_reason(action.task_vars) == 'llmobs_in_process is false'


def test_variable_opt_in_keeps_the_in_process_path():
    action = clone_action(task_vars=dict(llmobs_in_process=True))
    assert action.module_path_reason(action.task_vars) is None


def test_the_delegated_host_s_variable_counts_when_delegated():
    delegated = dict(llmobs_in_process=False, ansible_python_interpreter=sys.executable)
    action = clone_action(delegate_to='localhost', task_vars=dict(ansible_delegated_vars=dict(localhost=delegated)))
    assert action.module_path_reason(action.task_vars) == 'llmobs_in_process is false'


def test_missing_core_interfaces(monkeypatch, action_plugin):
    monkeypatch.setattr(action_plugin.CORE, 'missing', 'ansible-core no longer exposes X')
    action = clone_action()
    assert action.module_path_reason(action.task_vars) == 'ansible-core no longer exposes X'


def test_macos_controller(monkeypatch, action_plugin):
    monkeypatch.setattr(action_plugin.sys, 'platform', 'darwin')
    action = clone_action()
    assert 'macOS' in action.module_path_reason(action.task_vars)
    assert '76631' in action.module_path_reason(action.task_vars)


def test_controller_without_requests(monkeypatch, action_plugin):
    monkeypatch.setattr(action_plugin, 'HAS_REQUESTS', False)
    action = clone_action()
    assert action.module_path_reason(action.task_vars) == 'the controller has no requests library'


def test_a_non_local_connection():
    action = clone_action(connection='ssh')
    assert action.module_path_reason(action.task_vars) == 'the connection is not the builtin local one'


def test_a_connection_derived_from_local_is_not_local(action_plugin):
    from ansible.playbook.play_context import PlayContext

    class Elsewhere(action_plugin.LocalConnection):
        transport = 'elsewhere'

    action = clone_action(connection=Elsewhere(PlayContext(), '/dev/null'))
    assert action.module_path_reason(action.task_vars) == 'the connection is not the builtin local one'


def test_become():
    action = clone_action(become=True)
    assert action.module_path_reason(action.task_vars) == 'the task uses become'


def test_async():
    action = clone_action(async_val=30)
    assert action.module_path_reason(action.task_vars) == 'the task is async'


def test_a_module_without_check_mode_in_check_mode(monkeypatch):
    action = clone_action(check_mode=True)
    monkeypatch.setattr(action.module_file.MODULE, 'supports_check_mode', False)
    assert action.module_path_reason(action.task_vars) == 'the module does not support check mode'


def test_a_module_the_in_process_path_cannot_promise(monkeypatch, action_plugin):
    action = clone_action()
    monkeypatch.setitem(action_plugin.DECLARATION_REASONS, 'llmobs_dataset_clone', 'option x has aliases')
    assert action.module_path_reason(action.task_vars) == 'option x has aliases'


PENDING = 'the module path would discover the Python interpreter of this host first'
OTHER_PYTHON = '/opt/other/bin/python3'
NOT_OURS = "the host's Python (%s) is not the controller's (%s)" % (OTHER_PYTHON, sys.executable)
SIBLING = os.path.join(os.path.dirname(sys.executable), 'python3')


@pytest.mark.parametrize('variables, reason', [
    (dict(ansible_python_interpreter=None), PENDING),
    (dict(ansible_python_interpreter='auto'), PENDING),
    (dict(ansible_python_interpreter='auto_silent'), PENDING),
    (dict(ansible_python_interpreter='auto', ansible_facts=dict(discovered_interpreter_python=sys.executable)), None),
    (dict(ansible_python_interpreter='auto', ansible_facts=dict(discovered_interpreter_python=OTHER_PYTHON)), NOT_OURS),
    (dict(ansible_python_interpreter='{{ ansible_playbook_python }}'), None),
    (dict(ansible_python_interpreter=OTHER_PYTHON), NOT_OURS),
    (dict(ansible_python_interpreter=sys.executable), None),
])
def test_the_module_path_must_run_the_controller_s_own_python(variables, reason):
    variables = dict(variables, ansible_python_interpreter=trusted(variables['ansible_python_interpreter']))
    action = clone_action(task_vars=variables)
    if variables['ansible_python_interpreter'] is None:
        del action.task_vars['ansible_python_interpreter']
    assert action.module_path_reason(action.task_vars) == reason


@pytest.mark.skipif(not os.path.exists(SIBLING) or os.path.realpath(SIBLING) != os.path.realpath(sys.executable),
                    reason='no other name of this Python beside it')
def test_another_name_of_the_controller_s_python_is_the_same_python():
    action = clone_action(task_vars=dict(ansible_python_interpreter=SIBLING))
    assert action.module_path_reason(action.task_vars) is None


def test_interpreter_of_the_delegated_host_counts_when_delegated():
    action = clone_action(delegate_to='localhost',
                          task_vars=dict(ansible_delegated_vars=dict(localhost=dict(ansible_python_interpreter='auto'))))
    assert action.module_path_reason(action.task_vars) == PENDING


@pytest.mark.parametrize('environment', [{'NOT A NAME': 'x'}, {'DD_SITE': 'a\x00b'}])
def test_an_environment_only_a_shell_can_pass(environment):
    action = clone_action(environment=[environment])
    prepared, reason = action._prepare()
    assert prepared is None and reason == 'the task environment has a name or value only a shell can pass'


def test_arguments_the_module_path_must_encode_or_refuse():
    action = clone_action(args=module_args(description=object()))
    prepared, reason = action._prepare()
    assert prepared is None and 'module arguments' in reason


# ---------------------------------------------------------------------------------- the two paths


def test_the_module_path_is_the_normal_action(monkeypatch):
    action = clone_action(connection='ssh', async_val=0)
    module_path = ModulePath({'changed': True, 'msg': 'ran as a module'})
    monkeypatch.setattr(action, '_execute_module', module_path)
    result = action.run(task_vars=action.task_vars)
    assert result == {'changed': True, 'msg': 'ran as a module'}
    assert module_path.calls == [dict(task_vars=action.task_vars, wrap_async=0)]


def test_async_keeps_the_normal_action_s_async_handling(monkeypatch):
    action = clone_action(async_val=30)
    module_path = ModulePath()
    monkeypatch.setattr(action, '_execute_module', module_path)
    action.run(task_vars=action.task_vars)
    assert module_path.calls[0]['wrap_async']  # the local connection has no native async


def test_the_in_process_path_never_executes_the_module(http, monkeypatch):
    http.expect(datasets_by_name('copy-1').reply_page(dataset('ds-9', 'copy-1')))
    action = clone_action()
    monkeypatch.setattr(action, '_execute_module', ModulePath())
    result = action.run(task_vars=action.task_vars)
    assert action._execute_module.calls == []
    assert result['changed'] is False and result['dataset']['id'] == 'ds-9'
    assert result['invocation']['module_args']['api_key'] == MASK
    assert result['_ansible_parsed'] is True


def test_the_decision_is_shown_at_vvv(http, monkeypatch, action_plugin):
    shown = []
    monkeypatch.setattr(action_plugin.display, 'vvv', lambda msg, host=None: shown.append(msg))
    http.expect(datasets_by_name('copy-1').reply_page(dataset('ds-9', 'copy-1')))
    action = clone_action()
    action.run(task_vars=action.task_vars)
    other = clone_action(become=True)
    monkeypatch.setattr(other, '_execute_module', ModulePath())
    other.run(task_vars=other.task_vars)
    assert shown == ['llmobs.datadog.llmobs_dataset_clone runs in the controller (llmobs.datadog in-process path)',
                     'llmobs.datadog.llmobs_dataset_clone runs as a module: the task uses become']


# ---------------------------------------------------------------------------------- environment


def test_the_task_environment_is_applied_while_the_module_runs_and_restored(http, monkeypatch):
    monkeypatch.setenv('DD_SITE', 'datadoghq.com')
    http.expect(datasets_by_name('copy-1').reply_page(dataset('ds-9', 'copy-1')))
    args = module_args()
    del args['api_key'], args['app_key']
    action = clone_action(args=args, environment=[{'DD_API_KEY': API_KEY}, {'DD_APP_KEY': APP_KEY, 'DD_SITE': 'datadoghq.com'}])
    result = action.run(task_vars=action.task_vars)
    assert result['changed'] is False and 'failed' not in result
    assert result['invocation']['module_args']['api_key'] == MASK
    assert 'DD_API_KEY' not in os.environ and 'DD_APP_KEY' not in os.environ
    assert os.environ['DD_SITE'] == 'datadoghq.com'


def test_each_loop_item_gets_its_own_environment(monkeypatch):
    seen = []
    action = clone_action(environment=[{'LLMOBS_UNIT_ITEM': trusted('{{ item }}')}], task_vars=dict(item='one'))
    monkeypatch.setattr(action.module_file.MODULE, 'run', lambda task: seen.append(os.environ.get('LLMOBS_UNIT_ITEM')) or {})
    action.run(task_vars=action.task_vars)
    second = clone_action(environment=[{'LLMOBS_UNIT_ITEM': trusted('{{ item }}')}], task_vars=dict(item=2))
    second.run(task_vars=second.task_vars)
    assert seen == ['one', '2'] and 'LLMOBS_UNIT_ITEM' not in os.environ


def test_the_environment_is_restored_when_the_module_code_crashes(monkeypatch):
    monkeypatch.setenv('LLMOBS_UNIT_KEPT', 'before')

    def crash(task):
        raise KeyError('boom')

    action = clone_action(environment=[{'LLMOBS_UNIT_KEPT': 'during'}])
    monkeypatch.setattr(action.module_file.MODULE, 'run', crash)
    result = action.run(task_vars=action.task_vars)
    assert os.environ['LLMOBS_UNIT_KEPT'] == 'before'
    assert result['failed'] is True


def test_a_crash_in_the_module_code_is_reported_as_the_module_path_reports_it(monkeypatch):
    def crash(task):
        raise KeyError('boom')

    action = clone_action()
    monkeypatch.setattr(action.module_file.MODULE, 'run', crash)
    result = action.run(task_vars=action.task_vars)

    core = action_core(action)
    try:  # ansible-core 2.19: the module wrapper catches the exception and prints a failure
        from ansible.module_utils._internal._ansiballz import _loader
    except ImportError:  # before: the process dies with the traceback on stderr
        stdout, stderr = '', 'Traceback (most recent call last):\n  ...\nKeyError: \'boom\'\n'
    else:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed), pytest.raises(SystemExit):
            try:
                raise KeyError('boom')
            except KeyError as exc:
                _loader._handle_exception(exc, 'legacy')
        stdout, stderr = printed.getvalue(), ''
    module_result = action._finish(core.parse_output(action, stdout, stderr, 1))
    assert result['failed'] is True and module_result['failed'] is True
    if 'module_stderr' in module_result:  # 2.17, 2.18: a crashed module's traceback
        assert 'KeyError' in result['module_stderr'] and result['module_stdout'] == ''
        assert result['msg'] == module_result['msg']
    else:
        assert normalized(result) == normalized(module_result)
        assert 'boom' in result['exception'].event.msg and 'module_stderr' not in result  # "Module failed: 'boom'"


def test_the_module_runs_in_the_playbook_directory_as_on_the_local_connection(monkeypatch, tmp_path):
    # The local connection runs a module in the loader's base directory (the playbook's): relative
    # paths and $PWD mean the same on both paths. The worker's own directory is restored afterwards.
    seen = []
    action = clone_action()
    action._loader.set_basedir(str(tmp_path))
    monkeypatch.setattr(action.module_file.MODULE, 'run',
                        lambda task: seen.append((os.getcwd(), os.environ.get('PWD'))) or dict(changed=False))
    before = os.getcwd()
    result = action.run(task_vars=action.task_vars)
    assert result['changed'] is False
    assert seen == [(str(tmp_path), str(tmp_path))]
    assert os.getcwd() == before


def test_a_playbook_directory_that_cannot_be_entered_takes_the_module_path(tmp_path):
    action = clone_action()
    action._loader.set_basedir(str(tmp_path / 'gone'))
    prepared, reason = action._prepare()
    assert prepared is None and reason.startswith('the playbook directory %s' % (tmp_path / 'gone'))


def test_python_warnings_stay_out_of_the_terminal_as_on_a_module_s_stderr(monkeypatch, capfd):
    def noisy(task):
        warnings.warn('Unverified HTTPS request is being made', UserWarning)
        logging.getLogger('urllib3.connectionpool').warning('Connection pool is full, discarding connection')
        return dict(changed=False)

    action = clone_action()
    monkeypatch.setattr(action.module_file.MODULE, 'run', noisy)
    handlers = list(logging.getLogger().handlers)
    result = action.run(task_vars=action.task_vars)
    assert result['changed'] is False and 'warnings' not in result
    err = capfd.readouterr().err
    assert 'Unverified' not in err and 'pool is full' not in err
    assert logging.getLogger().handlers == handlers


def test_environment_fallbacks_see_the_task_environment_not_the_worker_s(http):
    args = module_args()
    del args['api_key']
    action = clone_action(args=args)
    result = action.run(task_vars=action.task_vars)
    assert result['failed'] is True
    assert result['msg'] == 'Missing Datadog API key: set the api_key option or the DD_API_KEY environment variable.'
    http.assert_done()


def test_path_options_expand_variables_of_the_task_environment():
    action = clone_action(args=module_args(ca_path='$LLMOBS_UNIT_CA/bundle.pem'),
                          environment=[{'LLMOBS_UNIT_CA': '/nonexistent-ca-dir'}])
    result = action.run(task_vars=action.task_vars)
    assert result['msg'].startswith("ca_path '/nonexistent-ca-dir/bundle.pem' does not exist")


# ---------------------------------------------------------------------------------- secrets


def test_keys_are_masked_wherever_they_appear(http):
    described = 'built with %s inside' % API_KEY
    http.expect(datasets_by_name('copy-1').reply_page(dataset('ds-9', 'copy-1', described)))
    action = clone_action(args=module_args(description=described))
    result = action.run(task_vars=action.task_vars)
    text = repr(result)
    assert API_KEY not in text and APP_KEY not in text
    assert result['invocation']['module_args']['description'] == 'built with ******** inside'
    assert result['dataset']['description'] == 'built with ******** inside'
    assert result['invocation']['module_args']['app_key'] == MASK
    assert result['changed'] is False  # booleans are kept, as AnsibleModule keeps them


def test_a_value_equal_to_a_key_is_replaced_whole(http):
    http.expect(datasets_by_name(API_KEY).reply_page())
    http.expect(dataset_by_id(SOURCE).reply_page(dataset(SOURCE, 'source-set')))
    action = clone_action(args=module_args(name=API_KEY), check_mode=True)
    result = action.run(task_vars=action.task_vars)
    assert result['invocation']['module_args']['name'] == MASK
    assert result['dataset']['name'] == MASK
    assert API_KEY not in repr(result)


def test_keys_never_reach_the_display(http, monkeypatch, action_plugin):
    printed = []
    for level in ('v', 'vv', 'vvv', 'vvvv', 'vvvvv', 'display', 'warning', 'debug'):
        monkeypatch.setattr(action_plugin.display, level, lambda msg, *a, **k: printed.append(str(msg)))
    monkeypatch.setattr(action_plugin.display, 'verbosity', 4)
    http.expect(datasets_by_name('copy-1').reply_page(dataset('ds-9', 'copy-1')))
    args = module_args()
    del args['api_key']
    action = clone_action(args=args, environment=[{'DD_API_KEY': API_KEY}])
    action.run(task_vars=action.task_vars)
    assert printed and not any(API_KEY in line or APP_KEY in line for line in printed)


# ---------------------------------------------------------------------------------- both paths, the same result


def without(args, *names):
    return dict((key, value) for key, value in args.items() if key not in names)


NO_KEYS = without(module_args(), 'api_key', 'app_key')

CASES = [
    # validation, identical messages: required, unsupported, types, choices, exclusivity, the module's own checks
    ('llmobs_dataset_clone', without(module_args(), 'name'), (), False, False, {}),
    ('llmobs_dataset_clone', module_args(name=None), (), False, False, {}),
    ('llmobs_dataset_clone', module_args(bogus=1), (), False, False, {}),
    ('llmobs_dataset_clone', module_args(wait='maybe'), (), False, False, {}),
    ('llmobs_dataset_clone', module_args(timeout='soon'), (), False, False, {}),
    ('llmobs_dataset_clone', module_args(timeout=0), (), False, False, {}),
    ('llmobs_dataset_clone', module_args(project_name='p'), (), False, False, {}),
    ('llmobs_dataset_clone', without(module_args(), 'dataset_id'), (), False, False, {}),
    ('llmobs_dataset_clone', module_args(site='https://datadoghq.eu'), (), False, False, {}),
    ('llmobs_dataset_clone', module_args(name=' padded '), (), False, False, {}),
    ('llmobs_dataset_clone', NO_KEYS, (), False, False, {}),
    ('llmobs_project', dict(api_key=API_KEY, app_key=APP_KEY, name='p', state='gone'), (), False, False, {}),
    ('llmobs_project_info', dict(api_key=API_KEY, app_key=APP_KEY, name='p', project_id='x'), (), False, False, {}),
    # keys from the environment (fallbacks), then from the arguments
    ('llmobs_dataset_clone', NO_KEYS, lambda: [datasets_by_name('copy-1').reply_page(dataset('ds-9', 'copy-1'))],
     False, False, {'DD_API_KEY': API_KEY, 'DD_APPLICATION_KEY': APP_KEY}),
    # skip path with a warning, a key inside another value
    ('llmobs_dataset_clone', module_args(description='x %s y' % APP_KEY),
     lambda: [datasets_by_name('copy-1').reply_page(dataset('ds-9', 'copy-1', 'kept'))], False, True, {}),
    # clone, and a dry run with diff
    ('llmobs_dataset_clone', module_args(wait=False),
     lambda: [datasets_by_name('copy-1').reply_page(), dataset_by_id(SOURCE).reply_page(dataset(SOURCE, 'source-set')),
              clone_dataset('copy-1').reply_data(dataset('new-1', 'copy-1')),
              dataset_by_id(SOURCE).reply_page(dataset(SOURCE, 'source-set'))],
     False, False, {}),
    ('llmobs_dataset_clone', module_args(),
     lambda: [datasets_by_name('copy-1').reply_page(), dataset_by_id(SOURCE).reply_page(dataset(SOURCE, 'source-set'))],
     True, True, {}),
    # a past version cloned, with diff: the result's diff is a list (the dataset, then its records)
    ('llmobs_dataset_clone', module_args(wait=False, version=1),
     lambda: [datasets_by_name('copy-1').reply_page(),
              dataset_by_id(SOURCE).reply_page(dataset(SOURCE, 'source-set', version=2)),
              records.list_versions(SOURCE).reply(200, json={'data': records.versions(SOURCE, 2, 1)}),
              records.list_records(SOURCE, version='1').reply_page(records.record('s1', 'q1', 'A')),
              records.list_records(SOURCE).reply_page(records.record('s2', 'q2', 'B')),
              clone_dataset('copy-1').reply_data(dataset('new-1', 'copy-1', version=0)),
              records.list_records('new-1').reply_page(records.record('c2', 'q2', 'B')).times(2),
              records.batch_update_of('new-1', inserts=[{'input': 'q1', 'expected_output': 'A'}], deletes=['c2'])
              .reply(json=records.MUTATION_ANSWER),
              dataset_by_id('new-1').reply_page(dataset('new-1', 'copy-1', version=1))],
     False, True, {}),
    # an API failure: status and errors in the result
    ('llmobs_dataset_clone', module_args(wait=False),
     lambda: [datasets_by_name('copy-1').reply_page(), dataset_by_id(SOURCE).reply_page(dataset(SOURCE, 'source-set')),
              clone_dataset('copy-1').reply_error(404, {'status': '404', 'title': 'Not Found', 'detail': 'no dataset'})],
     False, False, {}),
    ('llmobs_project', dict(api_key=API_KEY, app_key=APP_KEY, name='p', description='d', wait=False),
     lambda: [projects_by_name('p').reply_page(), create_project('p', 'd').reply_data(project('p-1', 'p', 'd'))],
     False, True, {}),
    ('llmobs_project', dict(api_key=API_KEY, app_key=APP_KEY, name='p', description='d'),
     lambda: [projects_by_name('p').reply_page(project('p-1', 'p', 'd'))], True, True, {}),
    ('llmobs_project_info', dict(api_key=API_KEY, app_key=APP_KEY),
     lambda: [list_projects().reply_page(project('p-1', 'p'), project('p-2', 'q'))], False, False, {}),
    ('llmobs_dataset', dict(api_key=API_KEY, app_key=APP_KEY, project_id=PROJECT, name='d', description='new'),
     lambda: [datasets_by_name('d').reply_page(dataset('d-1', 'd', 'old')),
              update_dataset('d-1', {'description': 'new'}).reply_data(dataset('d-1', 'd', 'new'))],
     False, True, {}),
    ('llmobs_dataset_info', dict(api_key=API_KEY, app_key=APP_KEY, project_id=PROJECT),
     lambda: [list_datasets().reply_page(dataset('d-1', 'd'))], False, False, {}),
    # a dry run of a prune with diff: the guard reads the experiments of the copy that would go
    ('llmobs_dataset_prune', dict(api_key=API_KEY, app_key=APP_KEY, project_id=PROJECT, name_pattern='d-*', keep=1),
     lambda: [list_datasets().reply_page(dataset('d-1', 'd-1', created_at='2026-01-01T00:00:00Z'),
                                         dataset('d-2', 'd-2', created_at='2026-02-01T00:00:00Z')),
              list_experiments(dataset_id='d-1').reply_page()], True, True, {}),
    ('llmobs_dataset_records', records.records_module_args(records=[{'id': 'a', 'input': {'q': 'x'}}, {'id': 'b', 'input': 'y'}]),
     lambda: [records.records_page([records.record('a', {'q': 'x'}), records.record('b', 'y', shape='flat')]),
              records.records_dataset_by_id(records.records_dataset(version=4))], False, True, {}),
    ('llmobs_dataset_records', records.records_module_args(records=[{'input': 1}], src='/nowhere.jsonl'), (), False, False, {}),
    ('llmobs_dataset_records_info', records.records_module_args(dest='DEST'),
     lambda: [records.records_page([records.record('a', 'x')]), records.records_dataset_by_id(records.records_dataset())], False, True, {}),
    ('llmobs_dataset_records_info', records.records_module_args(),
     lambda: [records.records_page([records.record('a', 'x')]), records.records_dataset_by_id(records.records_dataset())], False, False, {}),
    # a restore's dry run with diff: every read, the records shown read again, the draft state
    ('llmobs_dataset_restore', records.records_module_args(version=1),
     lambda: [records.records_dataset_by_id(records.records_dataset(version=2)),
              records.list_versions(records.RECORDS_DATASET).reply(json={'data': records.versions(records.RECORDS_DATASET, 2, 1)}),
              records.records_page([records.record('a', 'x')], version=1), records.records_page([records.record('a', 'y')]),
              records.records_page([records.record('a', 'x')], version=1), records.records_page([records.record('a', 'y')]),
              records.get_draft_state(records.RECORDS_DATASET).reply(json=records.draft_state_document(records.RECORDS_DATASET))],
     True, True, {}),
    # an experiment prune's dry run with diff: the older run stays as the parent of the newest
    ('llmobs_experiment_prune', dict(api_key=API_KEY, app_key=APP_KEY, project_id=PROJECT, name_pattern='run-*', keep=1),
     lambda: [list_experiments(project_id=PROJECT).reply_page(
         experiment('e-3', 'run-3', 'd-1', '2026-03-01T00:00:00Z', parent_experiment_id='e-1'),
         experiment('e-2', 'run-2', 'd-1', '2026-02-01T00:00:00Z'),
         experiment('e-1', 'run-1', 'd-1', '2026-01-01T00:00:00Z'))], True, True, {}),
    # an evaluator's dry run with diff: one field declared, the rest kept
    ('llmobs_evaluator', dict(api_key=API_KEY, app_key=APP_KEY, name='judge', target={'sampling_percentage': 100}),
     lambda: [records.get_evaluator('judge').reply_data(records.evaluator(
         'judge', target={'application_name': 'bot', 'enabled': True, 'sampling_percentage': 50.0}))], True, True, {}),
    ('llmobs_evaluator_info', dict(api_key=API_KEY, app_key=APP_KEY),
     lambda: [records.list_evaluators().reply_page(records.evaluator('judge', category='Custom'))], False, False, {}),
]


@pytest.mark.parametrize('module_name, args, calls, check_mode, diff, env', CASES,
                         ids=['%s-%d' % (case[0], number) for number, case in enumerate(CASES)])
def test_both_paths_return_the_same_result(http, run_module, monkeypatch, tmp_path, module_name, args, calls, check_mode,
                                           diff, env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    dest = str(tmp_path / 'records.jsonl')
    args = dict((key, dest if value == 'DEST' else value) for key, value in args.items())
    fqcn = 'llmobs.datadog.%s' % module_name
    action = make_action(module_name, dict(args), check_mode=check_mode, diff=diff)

    http.expect(*(calls() if calls else ()))
    raw, code = module_stdout(run_module, MODULES[module_name], dict(args, _ansible_module_name=fqcn),
                              check_mode=check_mode, diff=diff)
    http.assert_done()
    # The action stamps a dry run's plan on both paths (see _check_plan).
    module_result = stamp(action._finish(action_core(action).parse_output(action, raw, '', code)), ('localhost', None))
    if os.path.exists(dest):  # the in-process run writes it again, from scratch
        os.remove(dest)

    http.expect(*(calls() if calls else ()))
    in_process_result = action.run(task_vars=action.task_vars)

    assert 'invocation' in module_result and '_ansible_parsed' in module_result
    assert normalized(in_process_result) == normalized(module_result)
    if args.get('dest'):
        assert in_process_result['state'] == 'file' and in_process_result['dest'] == dest  # file facts on both
    assert API_KEY not in repr(in_process_result) and APP_KEY not in repr(in_process_result)


def test_a_key_inside_a_warning_is_masked_on_both_paths(run_module, monkeypatch):
    def warns(task):
        task.warn('Retrying after an answer that quoted %s.' % API_KEY)
        return dict(changed=False)

    action = clone_action()
    monkeypatch.setattr(action.module_file.MODULE, 'run', warns)
    raw, code = module_stdout(run_module, llmobs_dataset_clone,
                              dict(module_args(), _ansible_module_name='llmobs.datadog.llmobs_dataset_clone'))
    module_result = action._finish(action_core(action).parse_output(action, raw, '', code))
    in_process_result = action.run(task_vars=action.task_vars)

    assert normalized(module_result)['warnings'] == ['Retrying after an answer that quoted ********.']
    assert normalized(in_process_result) == normalized(module_result)


def action_core(action):
    return sys.modules[type(action).__module__].CORE


# ---------------------------------------------------------------------------------- progress


def test_progress_of_a_long_read_is_shown_through_display_on_stderr(http, monkeypatch, action_plugin):
    shown = []
    monkeypatch.setattr(action_plugin.display, 'display', lambda msg, **kwargs: shown.append((msg, kwargs)))
    monkeypatch.setenv('LLMOBS_PROGRESS_SECONDS', '0')
    http.expect(records.records_page([records.record('a', 'x')], after='c1'),
                records.records_page([records.record('b', 'y')], cursor='c1'),
                records.records_dataset_by_id(records.records_dataset()))
    action = make_action('llmobs_dataset_records_info', records.records_module_args())

    result = action.run(task_vars=action.task_vars)

    assert result['count'] == 2
    assert shown == [('dataset ds-1: 1 record read so far.', {'stderr': True}),
                     ('dataset ds-1: 2 records read in all.', {'stderr': True}),
                     # the read of the dataset's facts, a list of datasets filtered by id
                     ('Listing datasets of project proj-1: 1 dataset read in all.', {'stderr': True})]


def test_by_default_a_short_task_shows_no_progress(http, monkeypatch, action_plugin):
    shown = []
    monkeypatch.setattr(action_plugin.display, 'display', lambda msg, **kwargs: shown.append(msg))
    monkeypatch.delenv('LLMOBS_PROGRESS_SECONDS', raising=False)
    http.expect(records.records_page([records.record('a', 'x')], after='c1'),
                records.records_page([records.record('b', 'y')], cursor='c1'),
                records.records_dataset_by_id(records.records_dataset()))
    action = make_action('llmobs_dataset_records_info', records.records_module_args())

    assert action.run(task_vars=action.task_vars)['count'] == 2
    assert shown == []


@pytest.mark.parametrize('value, timing', [('', {}), (' 2.5 ', dict(quiet=2.5, every=2.5)), ('0', dict(quiet=0, every=0))])
def test_the_progress_timing_setting(monkeypatch, action_plugin, value, timing):
    monkeypatch.setenv('LLMOBS_PROGRESS_SECONDS', value)
    assert action_plugin.progress_timing() == timing


@pytest.mark.parametrize('value', ['soon', '-1', 'nan', 'inf'])
def test_an_unreadable_progress_timing_is_an_error(monkeypatch, action_plugin, value):
    monkeypatch.setenv('LLMOBS_PROGRESS_SECONDS', value)
    with pytest.raises(action_plugin.AnsibleActionFail, match='LLMOBS_PROGRESS_SECONDS must be a number of seconds'):
        action_plugin.progress_timing()


# ---------------------------------------------------------------------------------- one action for every module


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
MODULE_NAMES = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, 'plugins', 'modules'))
                      if name.endswith('.py') and not name.startswith('_'))


def test_every_module_s_action_is_the_one_in_process_action(action_plugin):
    """A file per module names the action (docs/execution.md says why not a redirect), each the same text."""
    actions = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, 'plugins', 'action')) if name.endswith('.py'))
    assert actions == MODULE_NAMES == sorted(MODULES)
    texts = set()
    for name in actions:
        with open(os.path.join(ROOT, 'plugins', 'action', '%s.py' % name)) as handle:
            texts.add(handle.read())
    assert len(texts) == 1
    for name in actions:
        plugin = importlib.import_module('ansible_collections.llmobs.datadog.plugins.action.%s' % name)
        assert plugin.ActionModule is action_plugin.InProcessAction


@pytest.mark.parametrize('module_name', sorted(MODULES))
def test_an_action_file_imports_its_module_when_it_loads(action_plugin, module_name):
    """Strategies load plugin classes in the main process: the module imported there is paid once, not per task."""
    importlib.import_module('ansible_collections.llmobs.datadog.plugins.action.%s' % module_name)
    assert action_plugin.MODULE_FILES[module_name] is MODULES[module_name]
    assert action_plugin.DECLARATION_REASONS[module_name] is None


@pytest.mark.parametrize('module_name', sorted(MODULES))
def test_the_action_runs_the_module_the_task_resolves_to(module_name):
    action = make_action(module_name, {})
    assert action.module_name == module_name and action.module_file is MODULES[module_name]


def test_a_module_that_is_not_the_collection_s_takes_the_module_path():
    action = clone_action()
    action._task.resolved_action = 'other.collection.llmobs_dataset_clone'
    assert action.module_path_reason(action.task_vars) == 'other.collection.llmobs_dataset_clone is not a module of llmobs.datadog'


def test_a_module_that_cannot_be_imported_keeps_the_module_path(monkeypatch, action_plugin):
    monkeypatch.setattr(action_plugin, 'DECLARATION_REASONS', {})
    monkeypatch.setattr(action_plugin, 'MODULE_FILES', {})
    assert action_plugin.action_for('ansible_collections.llmobs.datadog.plugins.action.no_such_module') is action_plugin.InProcessAction
    assert action_plugin.DECLARATION_REASONS == {'no_such_module': "the module cannot be imported in the controller "
                                                 "(No module named 'ansible_collections.llmobs.datadog.plugins.modules.no_such_module')"}
    assert action_plugin.MODULE_FILES == {}


def test_a_module_whose_import_failed_takes_the_module_path(monkeypatch, action_plugin):
    action = clone_action()
    monkeypatch.delitem(action_plugin.MODULE_FILES, 'llmobs_dataset_clone')
    monkeypatch.setitem(action_plugin.DECLARATION_REASONS, 'llmobs_dataset_clone',
                        "the module cannot be imported in the controller (cannot import name 'x')")
    module_path = ModulePath()
    monkeypatch.setattr(action, '_execute_module', module_path)
    assert action.module_path_reason(action.task_vars) == "the module cannot be imported in the controller (cannot import name 'x')"
    assert action.run(task_vars=action.task_vars) == module_path.result and len(module_path.calls) == 1


IN_PROCESS_FILES = sorted('plugins/%s/%s' % (folder, name) for folder in ('action', 'plugin_utils')
                          for name in os.listdir(os.path.join(ROOT, 'plugins', folder)) if name.endswith('.py'))
# The one function that imports by name: the module of an action plugin, called as the plugin file loads.
IMPORTS_A_MODULE_FILE = 'import_module_file'


def parsed(path):
    with open(os.path.join(ROOT, path)) as handle:
        return ast.parse(handle.read())


@pytest.mark.parametrize('path', IN_PROCESS_FILES)
def test_everything_the_in_process_path_needs_is_imported_at_the_top(path):
    """Strategies load plugin classes in the main process: imports there are paid once, not per task."""
    for function in ast.walk(parsed(path)):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            name = getattr(function, 'name', 'a lambda')
            imports = [node for node in ast.walk(function) if isinstance(node, (ast.Import, ast.ImportFrom))]
            assert not imports, 'import inside %s' % name
            if name != IMPORTS_A_MODULE_FILE:
                dump = ast.dump(function)
                assert 'importlib' not in dump and '__import__' not in dump, 'import inside %s' % name


def test_a_module_file_is_imported_only_as_an_action_plugin_loads():
    callers = [function.name for path in IN_PROCESS_FILES for function in ast.walk(parsed(path))
               if isinstance(function, ast.FunctionDef) and IMPORTS_A_MODULE_FILE in ast.dump(function)
               and function.name != IMPORTS_A_MODULE_FILE]
    assert callers == ['action_for']
    for path in IN_PROCESS_FILES:
        tree = parsed(path)
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and 'action_for' in ast.dump(node.func)]
        if path.startswith('plugins/action/'):
            assert calls == [tree.body[-1].value]  # ActionModule = action_for(__name__), at the top level
        else:
            assert calls == []
