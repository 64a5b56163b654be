# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Checks of option values shared by every module: each names its option (property tests: test_properties.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._validation import (
    check_dataset_address,
    check_description,
    check_id,
    check_name,
    check_project_address,
    check_wait_timeout,
)


@pytest.mark.parametrize('value', ['a', 'A-b_9', 'a33671aa-24fd-4dcd-9b33-a8ec7dde7751', 'x' * 128])
def test_plain_ids_pass_unchanged(value):
    assert check_id(value, 'dataset_id') == value


@pytest.mark.parametrize('value, expected', [
    (None, 'project_id must not be blank.'),
    ('', 'project_id must not be blank.'),
    (' ', 'project_id must not be blank.'),
    ('a/b', "project_id must contain only letters, digits, '-' and '_' (got 'a/b')"),
    ('a.b', "project_id must contain only letters, digits, '-' and '_'"),
    ('x' * 129, 'project_id must be at most 128 characters long (got 129).'),
])
def test_bad_ids_name_the_option(value, expected):
    with pytest.raises(ValidationError) as info:
        check_id(value, 'project_id')
    assert info.value.message.startswith(expected)


@pytest.mark.parametrize('value', ['copy-1', 'a', 'Eval set (v2) #3', 'n' * 255, 'a  b'])
def test_good_names_pass_unchanged(value):
    assert check_name(value, 'the name of the dataset') == value


@pytest.mark.parametrize('value, expected', [
    (None, 'project_name must not be blank: give the name of the project.'),
    ('', 'project_name must not be blank: give the name of the project.'),
    (' x', 'project_name must not start or end with spaces'),
    ('x\t', 'project_name must not start or end with spaces'),
    ('a\x00b', 'project_name must not contain control characters'),
    (u'caf\u00e9', 'project_name must use printable ASCII characters only'),
    ('n' * 256, 'project_name must be at most 255 characters long (got 256).'),
])
def test_bad_names_name_the_option_and_what_it_is(value, expected):
    with pytest.raises(ValidationError) as info:
        check_name(value, 'the name of the project', 'project_name')
    assert info.value.message.startswith(expected)


def test_a_blank_name_says_what_the_caller_names():
    with pytest.raises(ValidationError, match=r'^name must not be blank: give the name of the new dataset\.$'):
        check_name('', 'the name of the new dataset')


@pytest.mark.parametrize('value', [None, '', 'two\nlines', 'a\ttab', u'caf\u00e9 \u2014 ok'])
def test_descriptions_allow_line_breaks_tabs_and_any_text(value):
    assert check_description(value) == value


@pytest.mark.parametrize('value', ['bell\x07', 'nul\x00', 'del\x7f', 'cr\r', u'c1\x85'])
def test_descriptions_refuse_other_control_characters(value):
    with pytest.raises(ValidationError, match='^description must not contain control characters'):
        check_description(value)


@pytest.mark.parametrize('value', [1, 30, 3600])
def test_wait_timeout_within_bounds(value):
    assert check_wait_timeout(value) == value


@pytest.mark.parametrize('value', [None, 0, -1, 3601])
def test_wait_timeout_out_of_bounds(value):
    with pytest.raises(ValidationError, match=r'^wait_timeout must be a whole number of seconds from 1 to 3600 \(got'):
        check_wait_timeout(value)


def test_project_address_checks_the_one_given():
    check_project_address({'project_id': 'p1', 'project_name': None})
    check_project_address({'project_id': None, 'project_name': 'My project'})
    check_project_address({})
    with pytest.raises(ValidationError, match='^project_id must contain only'):
        check_project_address({'project_id': '../p', 'project_name': None})
    with pytest.raises(ValidationError, match='^project_name must not be blank: give the name of the project'):
        check_project_address({'project_id': None, 'project_name': ''})


def test_dataset_address_checks_the_one_given():
    check_dataset_address({'dataset_id': 'd1'})
    check_dataset_address({'dataset_name': 'set one'})
    with pytest.raises(ValidationError, match='^dataset_id must not be blank'):
        check_dataset_address({'dataset_id': ''})
    with pytest.raises(ValidationError, match='^dataset_name must not start or end with spaces'):
        check_dataset_address({'dataset_name': 'set '})
