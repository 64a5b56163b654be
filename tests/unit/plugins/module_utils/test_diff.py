# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a state module compares and shows: equality as data, changed fields, predictions and diffs."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._diff import (
    absent_diff,
    changed_fields,
    create_diff,
    delete_diff,
    predicted,
    same_data,
    unchanged_diff,
    update_diff,
)


@pytest.mark.parametrize('left, right', [
    ({'a': 1, 'b': {'c': [1, {'d': 2, 'e': 3}]}}, {'b': {'c': [1, {'e': 3, 'd': 2}]}, 'a': 1}),
    (None, None),
    ('text', 'text'),
    ([], []),
    ({}, {}),
])
def test_key_order_does_not_matter(left, right):
    assert same_data(left, right)


@pytest.mark.parametrize('left, right', [
    ([1, 2], [2, 1]),
    ({'a': 1}, {'a': 1, 'b': None}),
    ({'a': None}, {}),
    (True, 1),
    ('1', 1),
    ('', None),
    ({'a': [1]}, {'a': 1}),
])
def test_different_data_differs(left, right):
    assert not same_data(left, right)


def test_changed_fields_are_the_given_ones_that_differ():
    current = {'name': 'a', 'description': 'old', 'metadata': {'x': 1, 'y': 2}}
    desired = {'name': 'a', 'description': 'new', 'metadata': {'y': 2, 'x': 1}}

    assert changed_fields(current, desired) == {'description': 'new'}


def test_options_not_given_are_never_changes():
    assert changed_fields({'name': 'a', 'description': 'old'}, {'name': None, 'description': None}) == {}


def test_a_field_missing_from_the_facts_is_a_change():
    assert changed_fields({}, {'description': ''}) == {'description': ''}
    assert changed_fields({'metadata': None}, {'metadata': {}}) == {'metadata': {}}


def test_prediction_leaves_server_fields_unknown():
    assert predicted({'name': 'n', 'description': None}, ('id', 'created_at')) == {
        'id': None, 'created_at': None, 'name': 'n', 'description': None}


def test_a_given_field_wins_over_a_server_assigned_one():
    assert predicted({'id': 'kept'}, ('id',)) == {'id': 'kept'}


def test_diffs_show_state_and_only_the_keys_asked_for():
    facts = {'id': 'd1', 'name': 'n', 'description': 'd', 'metadata': None}
    after = dict(facts, description='e')

    assert create_diff(facts, ('name', 'description')) == {
        'before': {'state': 'absent'}, 'after': {'state': 'present', 'name': 'n', 'description': 'd'}}
    assert update_diff(facts, after, ('description',)) == {
        'before': {'state': 'present', 'description': 'd'}, 'after': {'state': 'present', 'description': 'e'}}
    assert delete_diff(facts, ('name',)) == {'before': {'state': 'present', 'name': 'n'}, 'after': {'state': 'absent'}}
    assert absent_diff() == {'before': {'state': 'absent'}, 'after': {'state': 'absent'}}


def test_an_unchanged_diff_is_equal_on_both_sides_but_not_shared():
    diff = unchanged_diff({'name': 'n', 'description': None}, ('name', 'description', 'missing'))

    assert diff['before'] == diff['after'] == {'state': 'present', 'name': 'n', 'description': None, 'missing': None}
    assert diff['before'] is not diff['after']


def test_whole_numbers_are_equal_whatever_their_json_type():
    assert same_data(1, 1.0)
    assert same_data({'metadata': {'threshold': 1}}, {'metadata': {'threshold': 1.0}})
    assert changed_fields({'metadata': {'n': 1.0}}, {'metadata': {'n': 1}}) == {}
    assert not same_data(True, 1)
    assert not same_data(1.5, 1)
