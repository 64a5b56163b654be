# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Finding exactly one by name, and addressing by id (no request) or by name (one lookup)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import (
    dataset_as_given,
    exactly_one,
    named,
    project_as_given,
    require_one,
    resolve_dataset,
    resolve_project,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import PROJECT, dataset, make_api, project
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import datasets_by_name, projects_by_name


def test_exactly_one_of_none_is_none():
    assert exactly_one([], 'dataset', 'x') is None


def test_exactly_one_of_one_is_it():
    item = dataset('d1', 'x')
    assert exactly_one([item], 'dataset', 'x') is item


def test_several_fail_and_list_every_id():
    with pytest.raises(LLMObsError) as info:
        exactly_one([dataset('d1', 'x'), dataset('d2', 'x'), dataset('d3', 'x')], 'dataset', 'x', 'in project p',
                    project_id='p', changed=False)

    assert info.value.message == ("Several datasets named 'x' exist in project p (ids: d1, d2, d3); the module cannot "
                                  'tell which one is meant. Rename or delete the extra ones.')
    assert info.value.result_extras == {'project_id': 'p', 'changed': False}


def test_several_without_where():
    with pytest.raises(LLMObsError, match=r"^Several projects named 'p' exist \(ids: p1, p2\);"):
        exactly_one([project('p1', 'p'), project('p2', 'p')], 'project', 'p')


def test_require_one_of_one_is_it():
    item = project('p1', 'p')
    assert require_one([item], 'project', 'p') is item


@pytest.mark.parametrize('where, option, expected', [
    ('', None, "No project named 'p' was found."),
    ('in project q', None, "No project named 'p' was found in project q."),
    ('', 'project_name', "No project named 'p' was found (given as project_name; names are compared exactly)."),
])
def test_require_one_of_none_says_what_was_not_found_and_where(where, option, expected):
    with pytest.raises(LLMObsError) as info:
        require_one([], 'project', 'p', where, option=option, changed=False)

    assert info.value.message == expected
    assert info.value.result_extras == {'changed': False}


def test_require_one_of_several_lists_the_ids():
    with pytest.raises(LLMObsError, match=r'\(ids: d1, d2\)'):
        require_one([dataset('d1', 'x'), dataset('d2', 'x')], 'dataset', 'x')


def test_a_project_id_costs_no_request(http):
    assert resolve_project(make_api(), {'project_id': 'p1', 'project_name': None}) == ('p1', None)
    assert http.seen == []


def test_a_project_name_costs_one_lookup(http):
    found = project('p1', 'eval')
    http.expect(projects_by_name('eval').reply_page(project('p0', 'eval-old'), found))

    assert resolve_project(make_api(), {'project_id': None, 'project_name': 'eval'}) == ('p1', found)


def test_a_project_name_is_looked_up_on_every_page(http):
    http.expect(
        projects_by_name('eval').reply_page(project('p0', 'Eval'), after='c1'),
        projects_by_name('eval', cursor='c1').reply_page(project('p1', 'eval')),
    )

    assert resolve_project(make_api(), {'project_name': 'eval'})[0] == 'p1'


def test_an_unknown_project_name_fails(http):
    http.expect(projects_by_name('eval').reply_page(project('p0', 'eval ')))

    with pytest.raises(LLMObsError, match=r"^No project named 'eval' was found \(given as project_name"):
        resolve_project(make_api(), {'project_name': 'eval'})


def test_a_dataset_id_costs_no_request(http):
    assert resolve_dataset(make_api(), PROJECT, {'dataset_id': 'd1', 'dataset_name': None}) == ('d1', None)
    assert http.seen == []


def test_a_dataset_name_costs_one_lookup_in_the_project(http):
    found = dataset('d1', 'eval')
    http.expect(datasets_by_name('eval', project_id='p-7').reply_page(found))

    assert resolve_dataset(make_api(), 'p-7', {'dataset_name': 'eval'}) == ('d1', found)


def test_an_unknown_dataset_name_fails_naming_the_project(http):
    http.expect(datasets_by_name('eval', project_id='p-7').reply_page())

    with pytest.raises(LLMObsError) as info:
        resolve_dataset(make_api(), 'p-7', {'dataset_name': 'eval'})

    assert info.value.message == ("No dataset named 'eval' was found in project p-7 (given as dataset_name; names are "
                                  "compared exactly).")


def test_an_unknown_dataset_name_names_the_project_as_the_task_gave_it(http):
    http.expect(datasets_by_name('eval', project_id='p-7').reply_page())

    with pytest.raises(LLMObsError) as info:
        resolve_dataset(make_api(), 'p-7', {'project_name': 'support-bot', 'dataset_name': 'eval'})

    assert info.value.message == ("No dataset named 'eval' was found in project 'support-bot' (id p-7) (given as "
                                  "dataset_name; names are compared exactly).")


@pytest.mark.parametrize('name, item_id, expected', [
    ('support-bot', '0d89', "project 'support-bot' (id 0d89)"),
    (None, '0d89', 'project 0d89'),
    ('support-bot', None, "project 'support-bot'"),
])
def test_a_resource_is_named_as_the_task_gave_it(name, item_id, expected):
    assert named('project', name, item_id) == expected
    assert project_as_given({'project_name': name, 'project_id': None if name else item_id}, item_id) == expected
    assert dataset_as_given({'dataset_name': name}, item_id) == expected.replace('project', 'dataset')


def test_several_datasets_of_the_name_fail_listing_the_ids(http):
    http.expect(datasets_by_name('eval').reply_page(dataset('d1', 'eval'), dataset('d2', 'eval')))

    with pytest.raises(LLMObsError, match=r"^Several datasets named 'eval' exist in project proj-1 \(ids: d1, d2\)"):
        resolve_dataset(make_api(), PROJECT, {'dataset_name': 'eval'})


# ---------------------------------------------------------------- names a dry run plans


def planned(*entries):
    from ansible_collections.llmobs.datadog.plugins.module_utils._planned import Plan
    return Plan([dict(entry, api='https://api.datadoghq.com') for entry in entries], 'https://api.datadoghq.com')


PLANNED_PROJECT = dict(kind='project', name='new-project')


def test_a_project_that_matches_nothing_but_is_planned_resolves_to_no_id(http):
    http.expect(projects_by_name('new-project').reply_page())

    project_id, item = resolve_project(make_api(), dict(project_name='new-project'), planned(PLANNED_PROJECT))

    assert project_id is None and item['planned'] is True and item['attributes'] == {'name': 'new-project'}


def test_a_project_that_exists_is_found_even_when_planned(http):
    found = project('p-1', 'new-project')
    http.expect(projects_by_name('new-project').reply_page(found))

    assert resolve_project(make_api(), dict(project_name='new-project'), planned(PLANNED_PROJECT)) == ('p-1', found)


def test_a_project_nothing_plans_still_fails(http):
    http.expect(projects_by_name('new-projcet').reply_page())

    with pytest.raises(LLMObsError, match=r"^No project named 'new-projcet' was found \(given as project_name"):
        resolve_project(make_api(), dict(project_name='new-projcet'), planned(PLANNED_PROJECT))


def test_in_a_planned_project_only_planned_datasets_are_found_and_nothing_is_asked(http):
    plan = planned(PLANNED_PROJECT, dict(kind='dataset', name='eval', project_id=None, project_name='new-project',
                                         source=None))
    params = dict(project_name='new-project', dataset_name='eval')

    dataset_id, item = resolve_dataset(make_api(), None, params, plan)

    assert dataset_id is None and item['planned'] is True and item['source'] is None
    with pytest.raises(LLMObsError) as info:
        resolve_dataset(make_api(), None, dict(params, dataset_name='evl'), plan)
    assert info.value.message == (
        "No dataset named 'evl' was found: project 'new-project' does not exist yet (an earlier task of this run "
        "would create it), and no earlier task would create a dataset of that name in it (given as dataset_name; "
        "names are compared exactly).")
    with pytest.raises(LLMObsError, match=r"^No dataset with id d-9 can be in project 'new-project'"):
        resolve_dataset(make_api(), None, dict(project_name='new-project', dataset_id='d-9'), plan)


def test_a_dataset_planned_in_an_existing_project_is_found_after_its_lookup(http):
    plan = planned(dict(kind='dataset', name='copy', project_id=PROJECT, project_name=None,
                        source=dict(project_id=PROJECT, dataset_id='d-1')))
    http.expect(datasets_by_name('copy').reply_page(), datasets_by_name('cpy').reply_page())

    dataset_id, item = resolve_dataset(make_api(), PROJECT, dict(dataset_name='copy'), plan)

    assert dataset_id is None and item['source'] == {'project_id': PROJECT, 'dataset_id': 'd-1'}
    with pytest.raises(LLMObsError, match=r"^No dataset named 'cpy' was found in project %s" % PROJECT):
        resolve_dataset(make_api(), PROJECT, dict(dataset_name='cpy'), plan)
