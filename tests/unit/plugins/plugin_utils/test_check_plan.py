# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The action's side of a dry run's plan: only this run's plan counts, loops build on it, both paths get it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.llmobs.datadog.plugins.plugin_utils import _check_plan
from ansible_collections.llmobs.datadog.plugins.plugin_utils._check_plan import (
    RUN_TOKEN,
    plan_environment,
    plan_of_run,
    stamp,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import API_KEY, APP_KEY, BASE_URL, PROJECT_NAME
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import projects_by_name
from ansible_collections.llmobs.datadog.tests.unit.plugins.plugin_utils.in_process_support import make_action

ENTRIES = [{'api': BASE_URL, 'kind': 'project', 'name': PROJECT_NAME}]


@pytest.fixture(autouse=True)
def no_loop_items_kept(monkeypatch):
    monkeypatch.setattr(_check_plan, '_LATEST', {})
    monkeypatch.delenv('LLMOBS_IN_PROCESS', raising=False)


def facts(run=RUN_TOKEN, entries=None):
    return {'ansible_facts': {'llmobs_planned': {'run': run, 'entries': ENTRIES if entries is None else entries}}}


def test_only_a_plan_stamped_by_this_run_counts():
    assert plan_of_run(facts(), ('localhost', 'task-1')) == ENTRIES
    assert plan_of_run(facts(run='a-run-before-this-one'), ('localhost', 'task-1')) == []
    assert plan_of_run({'ansible_facts': {'llmobs_planned': {'entries': ENTRIES}}}, ('localhost', 'task-1')) == []
    assert plan_of_run({}, ('localhost', 'task-1')) == []
    assert plan_of_run(facts(entries='not a list'), ('localhost', 'task-1')) == []


def test_a_plan_returned_is_stamped_and_the_next_item_of_the_loop_builds_on_it():
    more = ENTRIES + [{'api': BASE_URL, 'kind': 'dataset', 'name': 'eval'}]
    result = stamp({'changed': True, 'ansible_facts': {'llmobs_planned': {'entries': more}}}, ('localhost', 'task-1'))

    assert result['ansible_facts']['llmobs_planned']['run'] == RUN_TOKEN
    assert plan_of_run(facts(), ('localhost', 'task-1')) == more  # a later item of the same task
    assert plan_of_run(facts(), ('localhost', 'task-2')) == ENTRIES  # another task reads the facts
    assert plan_of_run(facts(), ('other-host', 'task-1')) == ENTRIES


def test_a_result_without_a_plan_is_left_as_it_is():
    assert stamp({'changed': False}, ('localhost', 'task-1')) == {'changed': False}
    assert plan_of_run({}, ('localhost', 'task-1')) == []


def test_the_module_path_gets_the_plan_as_one_environment_variable():
    assert plan_environment([], check_mode=False) == {} and plan_environment(ENTRIES, check_mode=False) == {}
    assert json.loads(plan_environment(ENTRIES, check_mode=True)['LLMOBS_CHECK_PLAN']) == ENTRIES
    # Set in check mode even when empty: a plan in the controller's own environment never reaches the module.
    assert plan_environment([], check_mode=True) == {'LLMOBS_CHECK_PLAN': '[]'}


def dataset_task(check_mode, connection='local', environment=None):
    args = dict(api_key=API_KEY, app_key=APP_KEY, project_name=PROJECT_NAME, name='eval')
    return make_action('llmobs_dataset', args, task_vars=facts(), check_mode=check_mode, connection=connection,
                       environment=environment)


def test_in_the_controller_a_check_mode_task_gets_the_plan_and_returns_it_stamped(http):
    http.expect(projects_by_name(PROJECT_NAME).reply_page())
    action = dataset_task(check_mode=True)

    result = action.run(task_vars=action.task_vars)

    assert result['changed'] is True and result['project_id'] is None
    fact = result['ansible_facts']['llmobs_planned']
    assert fact['run'] == RUN_TOKEN and [entry['name'] for entry in fact['entries']] == [PROJECT_NAME, 'eval']


def test_a_task_that_really_runs_does_not_get_the_plan(http):
    http.expect(projects_by_name(PROJECT_NAME).reply_page())
    action = dataset_task(check_mode=False)

    result = action.run(task_vars=action.task_vars)

    assert result['failed'] is True and result['msg'].startswith("No project named 'project-one' was found")


def test_on_the_module_path_the_plan_is_in_the_module_s_environment(monkeypatch):
    action = dataset_task(check_mode=True, connection='ssh')
    seen = {}

    def module_path(**kwargs):
        environment = {}
        seen['prefix'] = action._compute_environment_string(environment)
        seen['environment'] = environment
        return {'changed': True, 'ansible_facts': {'llmobs_planned': {'entries': ENTRIES}}}

    monkeypatch.setattr(action, '_execute_module', module_path)
    result = action.run(task_vars=action.task_vars)

    assert json.loads(seen['environment']['LLMOBS_CHECK_PLAN']) == ENTRIES
    assert 'LLMOBS_CHECK_PLAN=' in seen['prefix']
    assert result['ansible_facts']['llmobs_planned']['run'] == RUN_TOKEN


def test_on_the_module_path_a_task_that_really_runs_gets_no_plan(monkeypatch):
    action = dataset_task(check_mode=False, connection='ssh')
    seen = {}

    def module_path(**kwargs):
        seen['environment'] = {}
        action._compute_environment_string(seen['environment'])
        return {'changed': False}

    monkeypatch.setattr(action, '_execute_module', module_path)
    action.run(task_vars=action.task_vars)

    assert 'LLMOBS_CHECK_PLAN' not in seen['environment']


@pytest.mark.parametrize('check_mode, told', [(False, None), (True, ENTRIES)])
def test_on_the_module_path_a_plan_in_the_task_s_environment_does_not_count(monkeypatch, check_mode, told):
    forged = [{'api': BASE_URL, 'kind': 'project', 'name': 'a-typo'}]
    action = dataset_task(check_mode=check_mode, connection='ssh',
                          environment=[{'LLMOBS_CHECK_PLAN': json.dumps(forged)}])
    seen = {}

    def module_path(**kwargs):
        seen['environment'] = {}
        action._compute_environment_string(seen['environment'])
        return {'changed': False}

    monkeypatch.setattr(action, '_execute_module', module_path)
    action.run(task_vars=action.task_vars)

    assert json.loads(seen['environment'].get('LLMOBS_CHECK_PLAN', 'null')) == told  # the run's plan, or none
