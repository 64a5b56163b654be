# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""llmobs_dataset_version_info end to end inside the module: every test states the full list of HTTP calls.

It reads only (the same in check mode), returns the versions as the server lists them, newest first, and
fails on a version the server does not list, naming the ones it does.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._planned import PLAN_ENV
from ansible_collections.llmobs.datadog.plugins.modules import llmobs_dataset_version_info
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import (
    BASE_URL,
    PROJECT,
    PROJECT_NAME,
    assert_no_secrets,
    by_project_name,
    dataset,
    dataset_facts,
    project,
    with_keys,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    probe_version,
    dataset_by_id,
    datasets_by_name,
    list_versions,
    projects_by_name,
    versions,
)

MODULE = llmobs_dataset_version_info
DATASET = 'ds-1'
NAME = 'eval-questions'
NOTE = 'an earlier task of this run would create it'

MODES = pytest.mark.parametrize('check_mode', [False, True], ids=['apply', 'check'])


def args(**overrides):
    return with_keys(dict(project_id=PROJECT, dataset_id=DATASET), overrides)


def by_names(**overrides):
    values = by_project_name(args(**overrides))
    del values['dataset_id']
    values['dataset_name'] = NAME
    return values


def version(number, record_id=None, last_used=None, created_at=None, record_count=None):
    """One version as the module returns it."""
    return dict(version=number, id=record_id or '%s-v%d' % (DATASET, number), last_used=last_used,
                created_at=created_at, record_count=record_count)


def with_plan(monkeypatch, *entries):
    monkeypatch.setenv(PLAN_ENV, json.dumps([dict(entry, api=BASE_URL) for entry in entries]))


@MODES
def test_every_version_newest_first_as_the_server_lists_them(http, run, check_mode):
    http.expect(
        dataset_by_id(DATASET).reply_page(dataset(DATASET, NAME, version=3)),
        # Out of order, with gaps (expired versions), and fields only some versions have.
        list_versions(DATASET).reply(json={'data': (
            versions(DATASET, 1, last_used='2026-11-30T10:00:00Z') + versions(DATASET, 3, record_count=12)
            + versions(DATASET, 2, created_at='2026-12-01T00:00:00Z', last_used=None))}),
    )

    result, code, raw = run(args(), check_mode=check_mode)

    assert code == 0, result
    assert result['changed'] is False and 'msg' not in result
    assert result['project_id'] == PROJECT
    assert result['dataset'] == dataset_facts(DATASET, NAME, version=3)
    assert result['versions'] == [version(3, record_count=12), version(2, created_at='2026-12-01T00:00:00Z'),
                                  version(1, last_used='2026-11-30T10:00:00Z')]
    http.assert_no_write()
    assert_no_secrets(raw)


def test_a_current_version_the_list_leaves_out_is_not_made_up(http, run):
    http.expect(
        dataset_by_id(DATASET).reply_page(dataset(DATASET, NAME, version=5)),
        list_versions(DATASET).reply(json={'data': versions(DATASET, 2)}),
    )

    result, code, dummy = run(args())

    assert code == 0 and result['dataset']['current_version'] == 5
    assert result['versions'] == [version(2)]


@MODES
def test_by_names_the_lookup_gives_the_facts_without_another_read(http, run, check_mode):
    http.expect(
        projects_by_name(PROJECT_NAME).reply_page(project('proj-9', PROJECT_NAME)),
        datasets_by_name(NAME, project_id='proj-9').reply_page(dataset('ds-7', NAME + '-old'), dataset('ds-7b', NAME, version=1)),
        list_versions('ds-7b', project_id='proj-9').reply(json={'data': versions('ds-7b', 0, 1)}),
    )

    result, code, dummy = run(by_names(), check_mode=check_mode)

    assert code == 0, result
    assert result['project_id'] == 'proj-9' and result['dataset']['id'] == 'ds-7b'
    assert [v['version'] for v in result['versions']] == [1, 0]


def test_a_dataset_without_versions_is_an_empty_list(http, run):
    http.expect(
        dataset_by_id(DATASET).reply_page(dataset(DATASET, NAME, version=0)),
        list_versions(DATASET).reply(json={'data': []}),
    )

    result, code, dummy = run(args())

    assert code == 0 and result['versions'] == []


@MODES
def test_one_version_asked_for(http, run, check_mode):
    http.expect(
        dataset_by_id(DATASET).reply_page(dataset(DATASET, NAME, version=3)),
        list_versions(DATASET).reply(json={'data': versions(DATASET, 3, 2, last_used='2026-12-02T08:00:00Z')}),
    )

    result, code, dummy = run(args(version=2), check_mode=check_mode)

    assert code == 0, result
    assert result['versions'] == [version(2, last_used='2026-12-02T08:00:00Z')]
    assert result['dataset']['current_version'] == 3


@MODES
def test_a_version_not_listed_fails_naming_those_listed_and_their_expiry(http, run, check_mode):
    http.expect(
        projects_by_name(PROJECT_NAME).reply_page(project(PROJECT, PROJECT_NAME)),
        datasets_by_name(NAME).reply_page(dataset(DATASET, NAME, version=4)),
        list_versions(DATASET).reply(json={'data': versions(DATASET, 2, 4, 3)}),
        probe_version(DATASET, 1).reply_error(404, {'detail': 'version not found'}),
    )

    result, code, dummy = run(by_names(version=1), check_mode=check_mode)

    assert code == 1
    assert result['msg'] == ("Dataset 'eval-questions' (id ds-1) has no version 1: its versions are "
                             "4, 3, 2 (Datadog keeps old versions 90 days, then they expire).")
    assert [v['version'] for v in result['versions']] == [4, 3, 2]
    assert not result.get('changed')


def test_the_current_version_is_there_even_when_the_list_leaves_it_out(http, run):
    # The spec calls the list one of "active" versions: the dataset's current one is there all the same.
    http.expect(
        dataset_by_id(DATASET).reply_page(dataset(DATASET, NAME, version=0)),
        list_versions(DATASET).reply(json={'data': []}),
    )

    result, code, dummy = run(args(version=0))

    assert code == 0
    assert result['versions'] == [dict(version=0, id=None, last_used=None, created_at=None, record_count=None)]


@MODES
def test_a_dataset_id_that_is_not_there_fails_before_its_versions_are_read(http, run, check_mode):
    http.expect(dataset_by_id(DATASET).reply_page(dataset('ds-10', 'near')))

    result, code, dummy = run(args(), check_mode=check_mode)

    assert code == 1
    assert result['msg'] == 'Dataset ds-1 was not found in project proj-1. Check project_id and dataset_id.'


def test_a_versions_list_refused_is_an_api_error_with_its_hint(http, run):
    entry = {'status': '404', 'title': 'Not Found', 'detail': 'dataset not found'}
    http.expect(
        dataset_by_id(DATASET).reply_page(dataset(DATASET, NAME)),
        list_versions(DATASET).reply_error(404, entry),
    )

    result, code, raw = run(args())

    assert code == 1
    assert result['msg'].startswith('Listing the versions of dataset ds-1 of project proj-1 failed with HTTP 404')
    assert result['status'] == 404 and result['errors'] == [entry]
    assert_no_secrets(raw)


def test_a_planned_dataset_has_no_versions_yet_in_check_mode(http, run, monkeypatch):
    with_plan(monkeypatch, dict(kind='dataset', name=NAME, project_id=PROJECT, project_name=None, source=None))
    http.expect(datasets_by_name(NAME).reply_page())

    values = args()
    del values['dataset_id']
    result, code, dummy = run(dict(values, dataset_name=NAME), check_mode=True)

    assert code == 0, result
    assert result['changed'] is False and result['versions'] == []
    assert result['dataset']['name'] == NAME and result['dataset']['id'] is None
    assert result['dataset']['current_version'] is None
    assert result['msg'] == "Dataset 'eval-questions' (%s) has no versions yet (check mode)." % NOTE


def test_a_dataset_in_a_planned_project_has_no_versions_yet_and_nothing_is_looked_up_inside(http, run, monkeypatch):
    with_plan(monkeypatch, dict(kind='project', name=PROJECT_NAME),
              dict(kind='dataset', name=NAME, project_id=None, project_name=PROJECT_NAME, source=None))
    http.expect(projects_by_name(PROJECT_NAME).reply_page())

    result, code, dummy = run(by_names(version=3), check_mode=True)

    assert code == 0, result
    assert result['project_id'] is None and result['versions'] == []
    assert NOTE in result['msg']


def test_outside_check_mode_a_planned_name_is_not_found_as_always(http, run, monkeypatch):
    with_plan(monkeypatch, dict(kind='dataset', name=NAME, project_id=PROJECT, project_name=None, source=None))
    http.expect(datasets_by_name(NAME).reply_page())

    values = args()
    del values['dataset_id']
    result, code, dummy = run(dict(values, dataset_name=NAME))

    assert code == 1 and result['msg'].startswith("No dataset named 'eval-questions' was found")


@pytest.mark.parametrize('overrides, expected', [
    ({'version': -1}, 'version must be a dataset version number, 0 or more (got -1).'),
    ({'version': 'two'}, "argument 'version' is of type"),
    ({'dataset_id': 'a/b'}, "dataset_id must contain only letters, digits, '-' and '_'"),
    ({'dataset_name': NAME}, 'parameters are mutually exclusive: dataset_id|dataset_name'),
])
def test_bad_options_are_refused_before_any_request(http, run, overrides, expected):
    result, code, dummy = run(args(**overrides))

    assert code == 1
    assert expected in result['msg']
    assert http.seen == []
