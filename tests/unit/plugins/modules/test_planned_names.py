# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Check mode across tasks, module by module: what each module does with names an earlier task plans.

Each test gives the module the run's plan as the action hands it to a module process (the
environment variable), and states every HTTP call: nothing is looked up inside a planned project.
The records module's cases are in test_llmobs_dataset_records.py, the engine's in module_utils/.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.llmobs.datadog.plugins.module_utils._planned import PLAN_ENV
from ansible_collections.llmobs.datadog.plugins.modules import (
    llmobs_dataset,
    llmobs_dataset_clone,
    llmobs_dataset_info,
    llmobs_dataset_records_info,
    llmobs_project,
    llmobs_project_info,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import (
    API_KEY,
    APP_KEY,
    BASE_URL,
    PROJECT,
    PROJECT_NAME,
    SOURCE_NAME,
    dataset,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import datasets_by_name, projects_by_name

KEYS = dict(api_key=API_KEY, app_key=APP_KEY)
NOTE = 'an earlier task of this run would create it'
PLANNED_PROJECT = dict(kind='project', name=PROJECT_NAME)
PLANNED_SOURCE = dict(kind='dataset', name=SOURCE_NAME, project_id=None, project_name=PROJECT_NAME, source=None)


def with_plan(monkeypatch, *entries):
    monkeypatch.setenv(PLAN_ENV, json.dumps([dict(entry, api=BASE_URL) for entry in entries]))


def planned_entries(result):
    return [dict((key, value) for key, value in entry.items() if key != 'api')
            for entry in result['ansible_facts']['llmobs_planned']['entries']]


def test_a_project_that_would_be_created_is_returned_as_the_plan(http, run_module):
    http.expect(projects_by_name('new').reply_page())

    result, code, dummy = run_module(llmobs_project, dict(KEYS, name='new'), check_mode=True)

    assert code == 0 and result['changed'] is True and result['project']['id'] is None
    assert result['ansible_facts']['llmobs_planned'] == {'entries': [{'api': BASE_URL, 'kind': 'project', 'name': 'new'}]}


def test_a_real_create_returns_no_plan(http, run_module):
    from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import create_project
    from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import project
    http.expect(projects_by_name('new').reply_page(), create_project('new').reply_data(project('p-9', 'new')))

    result, code, dummy = run_module(llmobs_project, dict(KEYS, name='new', wait=False))

    assert code == 0 and result['changed'] is True and 'ansible_facts' not in result


def test_a_dataset_in_a_planned_project_would_be_created_without_a_lookup_inside_it(http, run_module, monkeypatch):
    with_plan(monkeypatch, PLANNED_PROJECT)
    http.expect(projects_by_name(PROJECT_NAME).reply_page())

    result, code, dummy = run_module(llmobs_dataset, dict(KEYS, project_name=PROJECT_NAME, name='eval'),
                                     check_mode=True)

    assert code == 0 and result['changed'] is True and result['project_id'] is None
    assert result['msg'] == "Dataset 'eval' in project 'project-one' (%s) would be created (check mode: nothing was sent)." % NOTE
    assert planned_entries(result) == [
        dict(kind='project', name=PROJECT_NAME),
        dict(kind='dataset', name='eval', project_id=None, project_name=PROJECT_NAME, source=None)]


def test_a_dataset_absent_in_a_planned_project_is_nothing_to_do(http, run_module, monkeypatch):
    with_plan(monkeypatch, PLANNED_PROJECT)
    http.expect(projects_by_name(PROJECT_NAME).reply_page())

    result, code, dummy = run_module(llmobs_dataset, dict(KEYS, project_name=PROJECT_NAME, name='eval', state='absent'),
                                     check_mode=True)

    assert code == 0 and result['changed'] is False and 'ansible_facts' not in result
    assert result['msg'] == "Dataset 'eval' in project 'project-one' (%s) is absent; nothing to do." % NOTE


def test_a_clone_of_a_planned_source_would_be_made_and_is_planned_without_records(http, run_module, monkeypatch):
    with_plan(monkeypatch, PLANNED_PROJECT, PLANNED_SOURCE)
    http.expect(projects_by_name(PROJECT_NAME).reply_page())

    args = dict(KEYS, project_name=PROJECT_NAME, dataset_name=SOURCE_NAME, name='frozen')
    result, code, dummy = run_module(llmobs_dataset_clone, args, check_mode=True)

    assert code == 0 and result['changed'] is True and result['dataset']['id'] is None
    assert result['source_dataset_id'] is None
    assert result['msg'] == "Would clone dataset 'source-set' (%s) into 'frozen' (check mode: nothing was sent)." % NOTE
    assert planned_entries(result)[-1] == dict(kind='dataset', name='frozen', project_id=None,
                                               project_name=PROJECT_NAME, source=None)


def test_a_clone_of_an_existing_source_is_planned_with_it_as_the_origin_of_its_records(http, run_module, monkeypatch):
    with_plan(monkeypatch)
    http.expect(datasets_by_name(SOURCE_NAME).reply_page(dataset('src-1', SOURCE_NAME)),
                datasets_by_name('frozen').reply_page())

    args = dict(KEYS, project_id=PROJECT, dataset_name=SOURCE_NAME, name='frozen')
    result, code, dummy = run_module(llmobs_dataset_clone, args, check_mode=True)

    assert code == 0 and result['changed'] is True
    assert planned_entries(result) == [dict(kind='dataset', name='frozen', project_id=PROJECT, project_name=None,
                                            source=dict(project_id=PROJECT, dataset_id='src-1'))]


def test_a_clone_already_planned_is_nothing_more_to_do(http, run_module, monkeypatch):
    with_plan(monkeypatch, PLANNED_PROJECT, PLANNED_SOURCE,
              dict(kind='dataset', name='frozen', project_id=None, project_name=PROJECT_NAME, source=None))
    http.expect(projects_by_name(PROJECT_NAME).reply_page())

    args = dict(KEYS, project_name=PROJECT_NAME, dataset_name=SOURCE_NAME, name='frozen')
    result, code, dummy = run_module(llmobs_dataset_clone, args, check_mode=True)

    assert code == 0 and result['changed'] is False and 'ansible_facts' not in result
    assert 'an earlier task of this run would create it; nothing more to do' in result['msg']


def test_the_info_modules_answer_empty_for_planned_names_and_say_why(http, run_module, monkeypatch):
    with_plan(monkeypatch, PLANNED_PROJECT, PLANNED_SOURCE)
    http.expect(projects_by_name(PROJECT_NAME).reply_page(), projects_by_name(PROJECT_NAME).reply_page(),
                projects_by_name(PROJECT_NAME).reply_page())

    projects, code1, dummy = run_module(llmobs_project_info, dict(KEYS, name=PROJECT_NAME), check_mode=True)
    datasets, code2, dummy = run_module(llmobs_dataset_info, dict(KEYS, project_name=PROJECT_NAME), check_mode=True)
    records, code3, dummy = run_module(llmobs_dataset_records_info,
                                       dict(KEYS, project_name=PROJECT_NAME, dataset_name=SOURCE_NAME), check_mode=True)

    assert (code1, code2, code3) == (0, 0, 0)
    assert projects['projects'] == [] and projects['msg'] == "Project 'project-one' does not exist yet: %s (check mode)." % NOTE
    assert datasets['datasets'] == [] and NOTE in datasets['msg']
    assert records['records'] == [] and records['count'] == 0 and records['dataset']['id'] is None
    assert records['msg'] == "Dataset 'source-set' (%s) has no records to read yet (check mode)." % NOTE


def test_outside_check_mode_an_info_module_fails_on_a_missing_project_as_always(http, run_module, monkeypatch):
    with_plan(monkeypatch, PLANNED_PROJECT)
    http.expect(projects_by_name(PROJECT_NAME).reply_page())

    result, code, dummy = run_module(llmobs_dataset_info, dict(KEYS, project_name=PROJECT_NAME))

    assert code == 1 and result['msg'].startswith("No project named 'project-one' was found")
