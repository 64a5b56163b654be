# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""What a state module compares and shows: changed fields, predictions and before/after diffs."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json


def same_data(left, right):
    """Whether two JSON values are equal as data: key order does not matter, 1 and 1.0 are equal."""
    return _canonical(left) == _canonical(right)


def _canonical(value):
    return json.dumps(_whole_numbers_as_ints(value), sort_keys=True, separators=(',', ':'), default=str)


def _whole_numbers_as_ints(value):
    """1.0 becomes 1, so that a playbook's 1 and a server's 1.0 compare equal; booleans stay booleans."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return dict((key, _whole_numbers_as_ints(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [_whole_numbers_as_ints(item) for item in value]
    return value


def changed_fields(current, desired):
    """The entries of ``desired`` (options given, None meaning 'not given') whose value differs from ``current``."""
    return dict((key, value) for key, value in desired.items()
                if value is not None and not same_data(current.get(key), value))


def predicted(fields, server_assigned):
    """Facts of a resource that would be created: the given fields, and None where the server would assign a value."""
    facts = dict((key, None) for key in server_assigned)
    facts.update(fields)
    return facts


def _present(facts, keys):
    state = dict(state='present')
    state.update((key, facts.get(key)) for key in keys)
    return state


def create_diff(after, keys):
    return dict(before=dict(state='absent'), after=_present(after, keys))


def update_diff(before, after, keys):
    return dict(before=_present(before, keys), after=_present(after, keys))


def unchanged_diff(facts, keys):
    present = _present(facts, keys)
    return dict(before=present, after=dict(present))


def delete_diff(before, keys):
    return dict(before=_present(before, keys), after=dict(state='absent'))


def absent_diff():
    return dict(before=dict(state='absent'), after=dict(state='absent'))
