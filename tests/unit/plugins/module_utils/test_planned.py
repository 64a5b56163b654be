# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The plan of a dry run on the engine's side: what is planned, where, and what a task adds or removes.

The lookups that read it are tested in test_lookup.py, the state engine's use in test_state.py, the
modules' in their own tests and the action's carrying of it in tests/unit/plugins/plugin_utils/test_check_plan.py.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.llmobs.datadog.plugins.module_utils._planned import (
    PLAN_ENV,
    Plan,
    Slot,
    is_planned,
    plan_from_environment,
    planned_item,
)

API = 'https://api.datadoghq.eu'


def entries():
    return [dict(api=API, kind='project', name='bot'),
            dict(api=API, kind='dataset', name='eval', project_id=None, project_name='bot', source=None),
            dict(api=API, kind='dataset', name='copy', project_id='p-1', project_name=None,
                 source=dict(project_id='p-1', dataset_id='d-1'))]


def test_a_name_is_planned_only_on_its_endpoint():
    here, elsewhere = Plan(entries(), API), Plan(entries(), 'https://api.datadoghq.com')

    assert here.project('bot') and not elsewhere.project('bot')
    assert here.dataset(None, 'bot', 'eval')['name'] == 'eval' and elsewhere.dataset(None, 'bot', 'eval') is None


def test_a_dataset_is_planned_in_its_project_only():
    plan = Plan(entries(), API)

    assert plan.dataset('p-1', None, 'copy')['source'] == {'project_id': 'p-1', 'dataset_id': 'd-1'}
    assert plan.dataset('p-2', None, 'copy') is None
    assert plan.dataset(None, 'bot', 'copy') is None  # planned in project p-1, not in the planned project
    assert plan.dataset(None, 'other', 'eval') is None
    assert plan.datasets_in('bot') == ['eval']


def test_an_inactive_plan_knows_nothing_and_keeps_nothing():
    plan = Plan(entries(), API, active=False)
    plan.add_project('new')

    assert not plan.project('bot') and not plan.project('new')
    assert plan.changed is False and plan.fact() == {'entries': []}


def test_adding_twice_plans_once_and_says_so_once():
    plan = Plan([], API)
    plan.add_project('bot')
    assert plan.changed is True
    plan.changed = False
    plan.add_project('bot')

    assert plan.changed is False
    assert plan.fact() == {'entries': [{'api': API, 'kind': 'project', 'name': 'bot'}]}


def test_a_planned_project_removed_takes_its_planned_datasets_along():
    plan = Plan(entries(), API)
    plan.remove_project('bot')

    assert plan.changed is True
    assert [entry['name'] for entry in plan.entries] == ['copy']


def test_a_slot_plans_where_the_resource_would_be_created():
    plan = Plan([], API)
    Slot(plan, 'dataset', 'p-1', 'ignored when the project has an id', dict(project_id='p-1', dataset_id='d-1')).add('c')
    Slot(plan, 'dataset', None, 'bot').add('eval')
    project = Slot(plan, 'project')
    project.add('bot')

    assert plan.dataset('p-1', None, 'c')['source'] == {'project_id': 'p-1', 'dataset_id': 'd-1'}
    assert Slot(plan, 'dataset', None, 'bot').holds('eval') and project.holds('bot')
    assert project.planned_contents('bot') == 1
    Slot(plan, 'dataset', None, 'bot').remove('eval')
    assert project.planned_contents('bot') == 0


def test_a_planned_item_reads_like_an_item_with_no_id():
    item = planned_item('eval', source=None)

    assert is_planned(item) and item['id'] is None and item['attributes'] == {'name': 'eval'}
    assert not is_planned({'id': 'd-1'}) and not is_planned(None)


def test_the_module_path_reads_the_plan_from_its_environment(monkeypatch):
    monkeypatch.setenv(PLAN_ENV, json.dumps(entries()))
    assert plan_from_environment() == entries()

    for unreadable in ('', 'not json', '{"entries": []}'):
        monkeypatch.setenv(PLAN_ENV, unreadable)
        assert plan_from_environment() == []
    monkeypatch.delenv(PLAN_ENV)
    assert plan_from_environment() == []
