# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The experiments list's filters checked again by the module: metadata containment as the API means it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._experiments import json_contains, matches_filters
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import experiment

STORED = {'commit': 'abc', 'n': 1.0, 'flag': True, 'tags': ['a', {'k': 'v', 'x': 1}], 'deep': {'a': {'b': None}}}


@pytest.mark.parametrize('contained', [
    {}, {'commit': 'abc'}, {'n': 1}, {'flag': True}, {'tags': ['a']}, {'tags': [{'k': 'v'}]}, {'deep': {'a': {}}},
    {'deep': {'a': {'b': None}}}, {'tags': []}])
def test_contained(contained):
    assert json_contains(STORED, contained)


@pytest.mark.parametrize('contained', [
    {'commit': 'ABC'}, {'n': '1'}, {'n': True}, {'flag': 1}, {'tags': 'a'}, {'tags': ['b']}, {'tags': [{'k': 'w'}]},
    {'deep': {'a': {'c': None}}}, {'missing': None}, {'deep': 'a'}])
def test_not_contained(contained):
    assert not json_contains(STORED, contained)


def test_no_metadata_contains_nothing():
    assert not json_contains(None, {'commit': 'abc'}) and not json_contains(None, {})


def test_filters_not_given_are_not_checked_and_ids_come_from_the_item():
    item = experiment('e1', 'run-1', 'd1', parent_experiment_id=None, metadata=STORED)

    assert matches_filters(item, dict(name=None, experiment_id='e1', metadata={'commit': 'abc'}, dataset_id='d1'))
    assert not matches_filters(item, dict(experiment_id='e2'))
    assert not matches_filters(dict(item, attributes=dict(item['attributes'], parent_experiment_id='e9')),
                               dict(parent_experiment_id='e0'))
    assert not matches_filters(item, dict(dataset_id='d2'))


def test_a_field_the_answer_leaves_out_is_left_to_the_server_filter():
    # The spec requires neither ``experiment`` nor ``parent_experiment_id``, and live answers leave out more.
    assert matches_filters({'id': 'e1'}, dict(name='run-1', experiment='nightly', project_id='p1', metadata={'a': 1}))
    assert matches_filters(experiment('e1', 'run-1', 'd1'), dict(parent_experiment_id='e0', experiment='nightly'))
