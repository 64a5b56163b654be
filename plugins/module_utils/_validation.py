# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Checks of option values that every module shares, run before any request.

Each check names the option in its message and raises ValidationError.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import ValidationError

# Ids go into the request path: plain tokens only, so that nothing can change the path.
ID_PATTERN = re.compile(r'^[A-Za-z0-9_-]+\Z')
ID_MAX_LENGTH = 128
NAME_MAX_LENGTH = 255
WAIT_TIMEOUT_MAX = 3600
_CONTROL_CHARS = re.compile(r'[\x00-\x1f\x7f-\x9f]')
_PRINTABLE_ASCII = re.compile(r'^[\x20-\x7e]+\Z')


def check_id(value, option):
    """An id that goes into a request path: letters, digits, '-' and '_', at most 128 characters."""
    if value is None or not value.strip():
        raise ValidationError('%s must not be blank.' % option)
    if not ID_PATTERN.match(value):
        raise ValidationError(
            "%s must contain only letters, digits, '-' and '_' (got %r): characters such as '/', '?', '#', "
            "'%%', '.' or spaces would change the request path." % (option, value))
    if len(value) > ID_MAX_LENGTH:
        raise ValidationError('%s must be at most %d characters long (got %d).' % (option, ID_MAX_LENGTH, len(value)))
    return value


def check_name(value, what, option='name'):
    """A name that is a key: compared exactly, so it must be unambiguous text. ``what`` says what it names
    ("the name of the project"), for the message of a blank one."""
    if value is None or not value.strip():
        raise ValidationError('%s must not be blank: give %s.' % (option, what))
    if value != value.strip():
        raise ValidationError('%s must not start or end with spaces (got %r): names are compared exactly.' % (option, value))
    if _CONTROL_CHARS.search(value):
        raise ValidationError('%s must not contain control characters such as line breaks or tabs (got %r).' % (option, value))
    if not _PRINTABLE_ASCII.match(value):
        # Names are the idempotency key and are compared byte for byte: the same accented name can be
        # written in several Unicode forms, and a run that wrote it another way would create it again.
        raise ValidationError('%s must use printable ASCII characters only (got %r): names are compared exactly, '
                              'and non-ASCII text can look the same in different encodings.' % (option, value))
    if len(value) > NAME_MAX_LENGTH:
        raise ValidationError('%s must be at most %d characters long (got %d).' % (option, NAME_MAX_LENGTH, len(value)))
    return value


def check_description(value):
    if value is not None and _CONTROL_CHARS.search(value.replace('\n', '').replace('\t', '')):
        raise ValidationError('description must not contain control characters other than line breaks and tabs.')
    return value


def check_wait_timeout(value):
    if value is None or not 0 < value <= WAIT_TIMEOUT_MAX:
        raise ValidationError('wait_timeout must be a whole number of seconds from 1 to %d (got %r).'
                              % (WAIT_TIMEOUT_MAX, value))
    return value


def check_project_address(params):
    """``project_id`` or ``project_name``: the argument spec makes them exclusive; check the one given."""
    if params.get('project_id') is not None:
        check_id(params['project_id'], 'project_id')
    if params.get('project_name') is not None:
        check_name(params['project_name'], 'the name of the project', 'project_name')


def check_dataset_address(params):
    """``dataset_id`` or ``dataset_name``: the argument spec makes them exclusive; check the one given."""
    if params.get('dataset_id') is not None:
        check_id(params['dataset_id'], 'dataset_id')
    if params.get('dataset_name') is not None:
        check_name(params['dataset_name'], 'the name of the dataset', 'dataset_name')
