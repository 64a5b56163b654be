# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The projects resource: paths, bodies, lenient facts, and writes that are never made twice."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import requests

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import APIError, TransportError
from ansible_collections.llmobs.datadog.plugins.module_utils._projects import (
    PROJECTS_PATH,
    PROJECT_CONTENTS,
    PROJECT_PAGE_LIMIT,
    project_contents,
    project_facts,
    project_name,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import dataset, make_api, project
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    create_project,
    delete_project,
    list_datasets,
    list_projects,
    list_records,
    project_by_id,
    projects_by_name,
    records,
    update_project,
)


def projects(retries=3, warnings=None):
    return make_api(retries, warnings).projects


def test_paths_and_page_size():
    assert PROJECTS_PATH == '/api/v2/llm-obs/v1/projects'
    assert PROJECT_PAGE_LIMIT == 5000


def test_list_without_filters_follows_every_page(http):
    http.expect(
        list_projects().reply_page(project('p1', 'a'), after='c1'),
        list_projects(cursor='c1').reply_page(project('p2', 'b')),
    )

    assert [item['id'] for item in projects().list()] == ['p1', 'p2']


def test_list_with_both_filters(http):
    http.expect(list_projects(name='a', project_id='p1').reply_page(project('p1', 'a')))

    assert len(projects().list(name='a', project_id='p1')) == 1


def test_find_by_name_compares_exactly_on_every_page(http):
    http.expect(
        projects_by_name('eval').reply_page(project('p1', 'eval '), project('p2', 'Eval'), project('p3', 'eval'),
                                            after='c1'),
        projects_by_name('eval', cursor='c1').reply_page(project('p4', 'eval-2'), project('p5', 'eval')),
    )

    assert [item['id'] for item in projects().find_by_name('eval')] == ['p3', 'p5']


def test_get_reads_the_list_filtered_by_id_and_checks_the_id(http):
    http.expect(
        project_by_id('p1').reply_page(project('p1', 'a')),
        project_by_id('p2').reply_page(project('p20', 'near miss')),
    )

    assert projects().get('p1')['id'] == 'p1'
    assert projects().get('p2') is None


@pytest.mark.parametrize('status', [200, 201])
def test_create_accepts_200_and_201(http, status):
    http.expect(create_project('eval', 'd').reply_data(project('p1', 'eval', 'd'), status=status))

    created = projects().create('eval', 'd', 5)

    assert created['id'] == 'p1'
    assert http.methods == ['POST']


def test_create_without_description_leaves_it_out(http):
    http.expect(create_project('eval').reply_data(project('p1', 'eval')))

    assert projects().create('eval', None, 5)['id'] == 'p1'


def test_create_whose_answer_is_lost_is_looked_up_not_sent_again(http, clock):
    warnings = []
    http.expect(
        create_project('eval').reply_error(504, 'gateway timeout'),
        projects_by_name('eval').reply_page(),
        projects_by_name('eval').reply_page(project('p-other', 'eval-2'), project('p1', 'eval')),
    )

    assert projects(warnings=warnings).create('eval', None, 5)['id'] == 'p1'
    assert http.count('POST') == 1
    assert 'a lookup shows it was done' in warnings[0]


def test_create_answer_without_the_project_counts_as_lost(http, clock):
    http.expect(
        create_project('eval').reply(200, json={'data': None}),
        projects_by_name('eval').reply_page(project('p1', 'eval')),
    )

    assert projects().create('eval', None, 5)['id'] == 'p1'


def test_create_not_found_after_a_lost_answer_is_sent_again(http, clock):
    http.expect(
        create_project('eval').reply_error(500, 'boom'),
        projects_by_name('eval').reply_page().times(3),
        create_project('eval').reply_data(project('p1', 'eval'), status=201),
    )

    assert projects().create('eval', None, 1)['id'] == 'p1'
    assert http.count('POST') == 2


def test_create_refused_with_a_4xx_is_final(http):
    http.expect(create_project('eval').reply_error(400, {'title': 'Bad Request', 'detail': 'name taken'}))

    with pytest.raises(APIError) as info:
        projects().create('eval', None, 5)

    assert info.value.message.startswith("Creating project 'eval' failed with HTTP 400 Bad Request: Bad Request: name taken.")
    assert info.value.status == 400 and http.count('POST') == 1


def test_update_patches_only_the_given_attributes(http):
    http.expect(update_project('p1', {'description': 'new'}).reply_data(project('p1', 'a', 'new')))

    assert projects().update('p1', {'description': 'new'})['attributes']['description'] == 'new'


def test_update_is_retried_like_a_read(http, clock):
    http.expect(
        update_project('p1', {'description': 'new'}).raises(requests.exceptions.ReadTimeout('read timed out')),
        update_project('p1', {'description': 'new'}).reply_data(project('p1', 'a', 'new')),
    )

    assert projects().update('p1', {'description': 'new'})['id'] == 'p1'
    assert clock.sleeps == [1.0]


def test_update_answer_without_the_project_is_an_error(http):
    http.expect(update_project('p1', {'name': 'b'}).reply(200, json={'data': {}}))

    with pytest.raises(TransportError, match="Updating project p1 returned a response without the project"):
        projects().update('p1', {'name': 'b'})


def test_delete_sends_the_id_list_and_accepts_204(http):
    http.expect(delete_project('p1').reply(204))

    assert projects().delete('p1', 5) is None


def test_delete_whose_answer_is_lost_is_looked_up_before_being_sent_again(http, clock):
    warnings = []
    http.expect(
        delete_project('p1').reply_error(502, 'bad gateway'),
        project_by_id('p1').reply_page(project('p1', 'a')),  # still listed: reads lag behind writes
        project_by_id('p1').reply_page(),
    )

    projects(warnings=warnings).delete('p1', 5)

    assert http.count('POST') == 1
    assert 'Deleting project p1 did not get a clear answer' in warnings[0]


def test_delete_still_listed_after_the_settle_time_is_sent_again(http, clock):
    http.expect(
        delete_project('p1').reply_error(500, 'boom'),
        project_by_id('p1').reply_page(project('p1', 'a')).times(3),
        delete_project('p1').reply(204),
    )

    projects().delete('p1', 1)

    assert http.methods == ['POST', 'GET', 'GET', 'GET', 'POST']


def test_facts_are_read_leniently():
    assert project_facts({'id': 'p1', 'type': 'projects', 'attributes': {'name': 'a'}}) == {
        'id': 'p1', 'name': 'a', 'description': None, 'created_at': None, 'updated_at': None}
    assert project_facts({'id': 'p1'})['name'] is None
    assert project_facts({'id': 'p1', 'attributes': None})['name'] is None
    assert project_facts({'id': 'p1', 'attributes': ['odd']})['name'] is None


def test_facts_ignore_unknown_fields():
    item = project('p1', 'a', 'd', author={'id': 'u1'}, org_id=7)
    item['relationships'] = {'owner': {}}

    assert project_facts(item) == {'id': 'p1', 'name': 'a', 'description': 'd',
                                   'created_at': '2026-11-25T10:00:00+00:00', 'updated_at': '2026-11-25T10:00:00+00:00'}


def test_name_of_an_odd_item_is_none():
    assert project_name({'id': 'p1'}) is None
    assert project_name({'attributes': 'x'}) is None
    assert project_name(project('p1', 'a')) == 'a'


# ---------------------------------------------------------------- what a delete takes with it


def test_contents_count_every_dataset_on_every_page_and_each_ones_records(http):
    http.expect(
        list_datasets('p-1').reply_page(dataset('d1', 'a'), after='c1'),
        list_datasets('p-1', cursor='c1').reply_page(dataset('d2', 'b'), {'type': 'datasets', 'attributes': {}}),
        list_records('d1', 'p-1').reply_page(*records(5000), after='r1'),
        list_records('d1', 'p-1', cursor='r1').reply_page(*records(7, start=5000)),
        list_records('d2', 'p-1').reply_page(*records(2)),
    )

    # A dataset listed without an id has no records list to read: it is counted, its records cannot be.
    assert project_contents(make_api(), 'p-1') == {'datasets': 3, 'records': 5009}
    assert PROJECT_CONTENTS == ('datasets', 'records')


def test_contents_of_an_empty_project_are_one_read(http):
    http.expect(list_datasets('p-1').reply_page())

    assert project_contents(make_api(), 'p-1') == {'datasets': 0, 'records': 0}
