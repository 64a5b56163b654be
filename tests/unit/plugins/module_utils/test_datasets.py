# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The datasets resource: paths, bodies, lenient facts, and writes that are never made twice."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import requests

from ansible_collections.llmobs.datadog.plugins.module_utils._datasets import (
    DATASET_CONTENTS,
    DATASET_PAGE_LIMIT,
    count_records,
    dataset_contents,
    dataset_facts,
    dataset_name,
    datasets_path,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import APIError, TransportError
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import PROJECT, SOURCE, dataset, make_api
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    clone_dataset,
    create_dataset,
    dataset_by_id,
    datasets_by_name,
    delete_dataset,
    list_datasets,
    list_records,
    records,
    update_dataset,
)


def datasets(retries=3, warnings=None):
    return make_api(retries, warnings).datasets


def test_paths_and_page_size():
    assert datasets_path('p-1') == '/api/v2/llm-obs/v1/p-1/datasets'
    assert DATASET_PAGE_LIMIT == 5000


def test_list_of_another_project_with_both_filters(http):
    http.expect(list_datasets('p-2', name='a', dataset_id='d1').reply_page(dataset('d1', 'a')))

    assert [item['id'] for item in datasets().list('p-2', name='a', dataset_id='d1')] == ['d1']


def test_find_by_name_compares_exactly_on_every_page(http):
    http.expect(
        datasets_by_name('eval').reply_page(dataset('d1', 'eval '), dataset('d2', 'EVAL'), after='c1'),
        datasets_by_name('eval', cursor='c1').reply_page(dataset('d3', 'eval'), dataset('d4', 'eval.v2')),
    )

    assert [item['id'] for item in datasets().find_by_name(PROJECT, 'eval')] == ['d3']


def test_get_reads_the_list_filtered_by_id_and_checks_the_id(http):
    http.expect(
        dataset_by_id('d1').reply_page(dataset('d1', 'a')),
        dataset_by_id('d2').reply_page(dataset('d20', 'near miss')),
        dataset_by_id('d3').reply_page(),
    )

    assert datasets().get(PROJECT, 'd1')['id'] == 'd1'
    assert datasets().get(PROJECT, 'd2') is None
    assert datasets().get(PROJECT, 'd3') is None


@pytest.mark.parametrize('status', [200, 201])
def test_create_accepts_200_and_201(http, status):
    http.expect(create_dataset('eval', 'd', {'team': 'ml'}).reply_data(dataset('d1', 'eval', 'd'), status=status))

    assert datasets().create(PROJECT, 'eval', 'd', {'team': 'ml'}, 5)['id'] == 'd1'


def test_create_sends_only_the_given_attributes(http):
    http.expect(create_dataset('eval').reply_data(dataset('d1', 'eval')))

    assert datasets().create(PROJECT, 'eval', None, None, 5)['id'] == 'd1'


def test_create_whose_answer_is_lost_is_looked_up_not_sent_again(http, clock):
    warnings = []
    http.expect(
        create_dataset('eval').raises(requests.exceptions.ReadTimeout('read timed out')),
        datasets_by_name('eval').reply_page(),
        datasets_by_name('eval').reply_page(dataset('d1', 'eval')),
    )

    assert datasets(warnings=warnings).create(PROJECT, 'eval', None, None, 5)['id'] == 'd1'
    assert http.count('POST') == 1 and len(warnings) == 1


def test_create_not_found_after_a_lost_answer_is_sent_again(http, clock):
    http.expect(
        create_dataset('eval').reply_error(503, 'unavailable'),
        datasets_by_name('eval').reply_page(dataset('d9', 'eval-old')).times(3),
        create_dataset('eval').reply_data(dataset('d1', 'eval'), status=201),
    )

    assert datasets().create(PROJECT, 'eval', None, None, 1)['id'] == 'd1'


def test_create_answer_without_the_dataset_counts_as_lost(http, clock):
    http.expect(
        create_dataset('eval').reply(201, json={'data': {'type': 'datasets'}}),
        datasets_by_name('eval').reply_page(dataset('d1', 'eval')),
    )

    assert datasets().create(PROJECT, 'eval', None, None, 5)['id'] == 'd1'
    assert http.count('POST') == 1


def test_update_patches_only_the_given_attributes(http):
    http.expect(update_dataset('d1', {'metadata': {'a': [1, 2]}}).reply_data(dataset('d1', 'n', metadata={'a': [1, 2]})))

    assert datasets().update(PROJECT, 'd1', {'metadata': {'a': [1, 2]}})['attributes']['metadata'] == {'a': [1, 2]}


def test_update_answer_without_the_dataset_is_an_error(http):
    http.expect(update_dataset('d1', {'name': 'b'}).reply(200, json={'errors': []}))

    with pytest.raises(TransportError, match='Updating dataset d1 of project proj-1 returned a response without the dataset'):
        datasets().update(PROJECT, 'd1', {'name': 'b'})


def test_delete_sends_the_id_list_and_accepts_204(http):
    http.expect(delete_dataset('d1').reply(204))

    assert datasets().delete(PROJECT, 'd1', 5) is None


def test_delete_whose_answer_is_lost_is_looked_up_before_being_sent_again(http, clock):
    warnings = []
    http.expect(
        delete_dataset('d1').raises(requests.exceptions.ConnectionError('Connection aborted.')),
        dataset_by_id('d1').reply_page(),
    )

    datasets(warnings=warnings).delete(PROJECT, 'd1', 5)

    assert http.count('POST') == 1
    assert 'Deleting dataset d1 of project proj-1 did not get a clear answer' in warnings[0]


def test_delete_still_listed_after_the_settle_time_is_sent_again(http, clock):
    http.expect(
        delete_dataset('d1').reply_error(500, 'boom'),
        dataset_by_id('d1').reply_page(dataset('d1', 'a')).times(3),
        delete_dataset('d1').reply(204),
    )

    datasets().delete(PROJECT, 'd1', 1)

    assert http.methods == ['POST', 'GET', 'GET', 'GET', 'POST']


def test_clone_body_names_the_source_twice(http):
    http.expect(clone_dataset('copy', 'desc').reply_data(dataset('new-1', 'copy', 'desc', version=0)))

    created = datasets().clone(PROJECT, SOURCE, 'copy', 'desc', 5)

    assert created['id'] == 'new-1'
    assert http.seen[0].json == {
        'data': {'type': 'datasets', 'id': SOURCE, 'attributes': {'name': 'copy', 'description': 'desc'}}}


def test_clone_whose_answer_is_lost_is_looked_up_by_the_new_name(http, clock):
    http.expect(
        clone_dataset('copy').reply(200, body='not json'),
        datasets_by_name('copy').reply_page(dataset('new-1', 'copy')),
    )

    assert datasets().clone(PROJECT, SOURCE, 'copy', None, 5)['id'] == 'new-1'


def test_clone_refused_with_a_4xx_is_final(http):
    http.expect(clone_dataset('copy').reply_error(409, 'read-only dataset'))

    with pytest.raises(APIError) as info:
        datasets().clone(PROJECT, SOURCE, 'copy', None, 5)

    assert info.value.status == 409 and http.count('POST') == 1


def test_facts_are_read_leniently():
    assert dataset_facts({'id': 'd1', 'attributes': {'name': 'a', 'description': None}}) == {
        'id': 'd1', 'name': 'a', 'description': None, 'metadata': None, 'current_version': None,
        'created_at': None, 'updated_at': None}
    assert dataset_facts({'id': 'd1'})['name'] is None
    assert dataset_facts({'id': 'd1', 'attributes': 'odd'})['current_version'] is None


def test_facts_ignore_unknown_fields():
    item = dataset('d1', 'a', 'd', version=3, metadata={'k': 'v'}, author={'id': 'u1'}, dataset_type='user',
                   project_id=PROJECT)
    item['meta'] = {'x': 1}

    assert dataset_facts(item) == {'id': 'd1', 'name': 'a', 'description': 'd', 'metadata': {'k': 'v'},
                                   'current_version': 3, 'created_at': '2026-11-25T10:00:00+00:00',
                                   'updated_at': '2026-11-25T10:00:00+00:00'}


def test_name_of_an_odd_item_is_none():
    assert dataset_name({'id': 'd1'}) is None
    assert dataset_name({'attributes': None}) is None
    assert dataset_name(dataset('d1', 'a')) == 'a'


# ---------------------------------------------------------------- what a delete takes with it


def test_records_are_counted_over_every_page_once_each(http):
    http.expect(
        list_records('d1', 'p-2').reply_page(*records(3), after='c1'),
        list_records('d1', 'p-2', cursor='c1').reply_page(*records(2, start=2)),  # r2 again: a list that moved
    )

    assert count_records(make_api(), 'p-2', 'd1') == 4


def test_dataset_contents_are_its_records(http):
    http.expect(list_records('d1').reply_page())

    assert dataset_contents(make_api(), PROJECT, 'd1') == {'records': 0}
    assert DATASET_CONTENTS == ('records',)
