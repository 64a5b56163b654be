# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""plugin_utils/_module_run.py: ModuleRun (AnsibleModule without a process) and the checks of a module's
declaration that keep it on the module path."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib
import os
import types

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError
from ansible_collections.llmobs.datadog.plugins.module_utils._module import LLMObsModule
from ansible_collections.llmobs.datadog.plugins.modules import llmobs_dataset_clone
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import API_KEY, APP_KEY, module_args

MASK = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


@pytest.fixture
def ip():
    return importlib.import_module('ansible_collections.llmobs.datadog.plugins.plugin_utils._module_run')


@pytest.fixture
def core():
    return importlib.import_module('ansible_collections.llmobs.datadog.plugins.plugin_utils._core_interfaces')


def fake_module(run, **options):
    return LLMObsModule(options=dict(options or dict(name=dict(type='str', required=True))), run=run)


def module_file(module, **attributes):
    return types.SimpleNamespace(MODULE=module, RETURN=attributes.pop('RETURN', ''), **attributes)


def keys(**extra):
    return dict(api_key=API_KEY, app_key=APP_KEY, **extra)


# ---------------------------------------------------------------------------------- ModuleRun


def test_a_successful_run_carries_invocation_with_every_option(ip):
    run = ip.ModuleRun(fake_module(lambda task: dict(changed=True, msg='done')), keys(name='n'), False, False, 'x.y.z')
    result = run.run()
    assert run.rc == 0
    assert result['changed'] is True and result['msg'] == 'done'
    args = result['invocation']['module_args']
    assert args['name'] == 'n' and args['site'] == 'datadoghq.com' and args['retries'] == 3
    assert args['api_key'] == MASK and args['app_key'] == MASK


def test_check_and_diff_mode_reach_the_module(ip):
    seen = []
    run = ip.ModuleRun(fake_module(lambda task: seen.append((task.check_mode, task.diff)) or {}), keys(name='n'),
                       True, True, 'm')
    run.run()
    assert seen == [(True, True)]


def test_warnings_are_returned_in_order_and_masked(ip):
    def run_(task):
        task.warn('first')
        task.warn('the key %s leaked' % APP_KEY)
        return {}

    result = ip.ModuleRun(fake_module(run_), keys(name='n'), False, False, 'm').run()
    assert result['warnings'] == ['first', 'the key ******** leaked']


def test_progress_lines_are_shown_at_once_and_masked(ip):
    def run_(task):
        task.progress.step('reading', 'read %s so far' % APP_KEY)
        task.progress.done('reading', 'read all')
        return {}

    shown = []
    ip.ModuleRun(fake_module(run_), keys(name='n'), False, False, 'm', show_progress=shown.append,
                 progress_timing=dict(quiet=0, every=0)).run()
    assert shown == ['read ******** so far', 'read all']


def test_without_a_way_to_show_progress_the_module_says_nothing(ip):
    def run_(task):
        task.progress.step('reading', 'read 1 so far')
        task.progress.done('reading', 'read all')
        return {'changed': False}

    assert ip.ModuleRun(fake_module(run_), keys(name='n'), False, False, 'm').run()['changed'] is False


def test_a_module_error_is_a_failure_with_its_extras(ip):
    def run_(task):
        raise LLMObsError('went wrong', status=404, errors=['nope'])

    run = ip.ModuleRun(fake_module(run_), keys(name='n'), False, False, 'm')
    result = run.run()
    assert run.rc == 1
    assert result['failed'] is True and result['msg'] == 'went wrong'
    assert result['status'] == 404 and result['errors'] == ['nope']
    assert 'exception' not in result


def test_unsupported_parameters_name_the_task_s_action(ip):
    result = ip.ModuleRun(fake_module(lambda task: {}), keys(name='n', bogus=1), False, False, 'llmobs.datadog.x').run()
    assert result['failed'] is True
    assert result['msg'].startswith('Unsupported parameters for (llmobs.datadog.x) module: bogus. Supported parameters include:')
    assert result['invocation']['module_args']['bogus'] == 1


def test_validation_fails_before_the_module_runs_even_in_check_mode(ip):
    ran = []
    result = ip.ModuleRun(fake_module(lambda task: ran.append(1) or {}), keys(), True, False, 'm').run()
    assert ran == [] and result['msg'] == 'missing required arguments: name'


def test_the_module_s_own_checks_fail_before_any_request(ip):
    result = ip.ModuleRun(llmobs_dataset_clone.MODULE, module_args(wait_timeout=0), False, False, 'm').run()
    assert result['failed'] is True and 'wait_timeout' in result['msg']


def test_keys_from_environment_fallbacks_are_masked(ip, monkeypatch):
    monkeypatch.setenv('DD_API_KEY', API_KEY)
    monkeypatch.setenv('DD_APPLICATION_KEY', APP_KEY)
    seen = []
    result = ip.ModuleRun(fake_module(lambda task: seen.append(task.params['app_key']) or dict(echo=task.params['api_key'])),
                          dict(name='n'), False, False, 'm').run()
    assert seen == [APP_KEY]
    assert result['echo'] == MASK
    assert result['invocation']['module_args']['api_key'] == MASK


def test_nested_values_and_booleans(ip):
    result = ip.ModuleRun(fake_module(lambda task: dict(changed=False, nested=[{'k': 'a %s b' % API_KEY}], flag=None)),
                          keys(name='n'), False, False, 'm').run()
    assert result['nested'] == [{'k': 'a ******** b'}]
    assert result['changed'] is False and result['flag'] is None


@pytest.mark.parametrize('verbosity', [0, 3])
def test_a_traceback_at_high_verbosity_as_fail_json_adds_it(ip, core, monkeypatch, verbosity):
    monkeypatch.setattr(core.display, 'verbosity', verbosity)
    monkeypatch.setattr(ip.CORE, 'error_traceback_wanted', lambda: verbosity >= 3)

    def run_(task):
        raise LLMObsError('went wrong')

    result = ip.ModuleRun(fake_module(run_), keys(name='n'), False, False, 'm').run()
    assert ('exception' in result) is (verbosity >= 3)
    if verbosity >= 3:
        assert 'run_' in result['exception'] and API_KEY not in result['exception']


# ---------------------------------------------------------------------------------- declarations


def test_the_collection_s_modules_can_run_in_process(ip):
    folder = os.path.join(os.path.dirname(os.path.abspath(llmobs_dataset_clone.__file__)))
    names = sorted(name[:-3] for name in os.listdir(folder) if name.endswith('.py') and not name.startswith('_'))
    assert 'llmobs_dataset_clone' in names and len(names) >= 5
    for name in names:
        module = importlib.import_module('ansible_collections.llmobs.datadog.plugins.modules.%s' % name)
        assert ip.module_declaration_reason(module) is None, name


@pytest.mark.parametrize('option, reason', [
    (dict(type='str', deprecated_aliases=[dict(name='o', version='2.0.0')]), 'option opt has deprecated_aliases'),
    (dict(type='str', removed_in_version='2.0.0'), 'option opt has removed_in_version'),
    (dict(type='dict', options=dict(inner=dict(type='str', removed_at_date='2030-01-01'))),
     'option opt.inner has removed_at_date'),
])
def test_options_with_deprecations_keep_the_module_path(ip, option, reason):
    module = LLMObsModule(options=dict(opt=option), run=lambda task: {})
    assert ip.module_declaration_reason(module_file(module)) == reason


@pytest.mark.parametrize('option, reason', [
    (dict(type='str', aliases=['other']), 'option opt has aliases'),
    (dict(type='dict', options=dict(inner=dict(type='str', aliases=['i']))), 'option opt.inner has aliases'),
])
def test_options_with_aliases_run_in_process_unless_core_hides_which_were_given(ip, monkeypatch, option, reason):
    module = LLMObsModule(options=dict(opt=option), run=lambda task: {})
    assert ip.CORE.alias_warnings is True
    assert ip.module_declaration_reason(module_file(module)) is None
    monkeypatch.setattr(ip.CORE, 'alias_warnings', False)
    assert ip.module_declaration_reason(module_file(module)) == reason


def _alias_module():
    return LLMObsModule(options=dict(name=dict(type='str', required=True, aliases=['label']),
                                     count=dict(type='int')), run=lambda task: dict(name=task.params['name']))


@pytest.mark.parametrize('args, warned, failed', [
    (dict(label='n'), False, False),
    (dict(name='n', label='n'), True, False),
    (dict(name='n', label='n', count='x'), True, True),   # AnsibleModule warns before it fails the validation
])
def test_an_alias_gives_its_option_and_an_option_given_twice_is_warned_of_as_ansible_module_does(ip, args, warned,
                                                                                                 failed):
    # AnsibleModule's own output is compared with this on real runs: the in_process target's llmobs_evaluator_info case.
    result = ip.ModuleRun(_alias_module(), keys(**args), False, False, 'm').run()
    assert result.get('failed', False) is failed
    assert result['invocation']['module_args']['name'] == 'n'
    assert result['invocation']['module_args']['label'] == 'n'
    assert result.get('warnings', []) == (['Both option name and its alias label are set.'] if warned else [])
    if not failed:
        assert result['name'] == 'n'


def test_a_password_like_option_without_no_log_keeps_the_module_path(ip):
    module = LLMObsModule(options=dict(db_password=dict(type='str')), run=lambda task: {})
    assert 'looks like a password' in ip.module_declaration_reason(module_file(module))
    module = LLMObsModule(options=dict(db_password=dict(type='str', no_log=False)), run=lambda task: {})
    assert ip.module_declaration_reason(module_file(module)) is None


def test_results_with_a_path_run_in_process_while_file_facts_can_be_added(ip, monkeypatch):
    module = LLMObsModule(options={}, run=lambda task: {})
    assert ip.module_declaration_reason(module_file(module, RETURN='dest:\n  description: x\n')) is None
    monkeypatch.setattr(ip.CORE, 'path_facts', False)
    assert 'file facts' in ip.module_declaration_reason(module_file(module, RETURN='path:\n  description: x\n'))
    assert 'file facts' in ip.module_declaration_reason(module_file(module, RETURN='dest:\n  description: x\n'))
    assert ip.module_declaration_reason(module_file(module, RETURN='paths:\n  description: x\n')) is None


def test_file_facts_as_ansible_module_adds_them(ip, tmp_path):
    target = tmp_path / 'records.jsonl'
    target.write_text(u'{}\n')
    target.chmod(0o640)
    result = ip.ModuleRun(fake_module(lambda task: dict(changed=True, dest=str(target))), keys(name='n'),
                          False, False, 'm').run()
    assert result['state'] == 'file' and result['mode'] == '0640' and result['size'] == 3
    assert result['uid'] == os.getuid() and 'owner' in result and 'group' in result
    missing = ip.ModuleRun(fake_module(lambda task: dict(dest=str(tmp_path / 'none'))), keys(name='n'), False, False, 'm').run()
    assert 'state' not in missing


def test_metadata_and_unknown_module_kwargs_keep_the_module_path(ip, monkeypatch):
    module = LLMObsModule(options={}, run=lambda task: {})
    assert ip.module_declaration_reason(module_file(module, METADATA={'x': 1})) == 'the module declares its own metadata'
    monkeypatch.setattr(module, 'module_kwargs', lambda: dict(argument_spec={}, add_file_common_args=True))
    assert 'add_file_common_args' in ip.module_declaration_reason(module_file(module))
    assert ip.module_declaration_reason(types.SimpleNamespace()) == 'the module has no in-process entry point'
