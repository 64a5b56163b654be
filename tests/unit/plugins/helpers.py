# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test data shared by the unit tests: keys, ids, the JSON objects Datadog answers with, and engine builders.

Expected HTTP calls are stated with ``tests/unit/plugins/http_calls.py``; this file holds what goes into them.

Constants
    ``API_KEY``, ``APP_KEY``  the keys every test sends (the ``http`` fixture checks both headers)
    ``BASE_URL``              ``https://api.datadoghq.com``, where requests go by default
    ``PROJECT``, ``PROJECT_NAME``  the project of most tests, by id and by name
    ``SOURCE``, ``SOURCE_NAME``    the source dataset of the clone tests, by id and by name

JSON objects (as the API returns them; extra keyword arguments become extra attributes, the way
live answers carry fields the spec does not list)
    ``project(project_id, name, description='', **extra)``
    ``dataset(dataset_id, name, description='', version=1, metadata=None, **extra)``
    ``page(*items, after=None, meta=True)``  a list answer; ``after`` is the next cursor
    ``data(item)``                           a one-item answer: ``{'data': item}``
    ``errors(*entries)``                     an error answer: ``{'errors': [...]}``

Facts as modules return them
    ``project_facts(project_id, name, description='', created_at=TIMESTAMP, updated_at=TIMESTAMP)``
    ``dataset_facts(dataset_id, name, description='', metadata=None, version=1, created_at=..., updated_at=...)``

Module arguments and results (a test file names its module in ``MODULE``; the ``run`` fixture of
conftest.py runs it: ``run(args, check_mode=False, diff=False)``)
    ``with_keys(*options)``       the unit keys and the given dicts of options, later ones winning
    ``by_project_name(options, name=PROJECT_NAME)``  the options with the project given by name, not id
    ``module_args(**overrides)``  arguments of llmobs_dataset_clone (keys, project, source, name)
    ``assert_no_secrets(raw)``    neither key appears in a module's raw output
    ``DROPPED``, ``LOST_ANSWERS``  a dropped connection's message; the answers after which a write's outcome
                                  is unknown (``LOST_ANSWERS[name](call)`` answers ``call`` that way)

Engine
    ``settings(retries=3, timeout=5.0, base_url=BASE_URL)``  checked ConnectionSettings
    ``make_transport(retries=3, warnings=None)``  a Transport whose warnings go into the list given
    ``make_api(retries=3, warnings=None)``        the API (``.projects``, ``.datasets``) over it
    ``warnings_of(result)``       the warning texts of a module result, whatever the ansible-core version
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import requests

from ansible_collections.llmobs.datadog.plugins.module_utils._connection import ConnectionSettings
from ansible_collections.llmobs.datadog.plugins.module_utils._module import API
from ansible_collections.llmobs.datadog.plugins.module_utils._transport import Transport

API_KEY = 'unit-api-key-5f3c9a1e77d2'
APP_KEY = 'unit-app-key-0b8e4d26c913'
BASE_URL = 'https://api.datadoghq.com'
PROJECT = 'proj-1'
PROJECT_NAME = 'project-one'
SOURCE = 'src-dataset-1'
SOURCE_NAME = 'source-set'

TIMESTAMP = '2026-11-25T10:00:00+00:00'


def project(project_id, name, description='', **extra):
    """One project as the API lists it; ``extra`` adds attributes the module must ignore."""
    attributes = {
        'name': name,
        'description': description,
        'created_at': TIMESTAMP,
        'updated_at': TIMESTAMP,
    }
    attributes.update(extra)
    return {'id': project_id, 'type': 'projects', 'attributes': attributes}


def dataset(dataset_id, name, description='', version=1, metadata=None, **extra):
    """One dataset as the API lists it; ``extra`` adds attributes the module must ignore."""
    attributes = {
        'name': name,
        'description': description,
        'metadata': metadata,
        'current_version': version,
        'created_at': TIMESTAMP,
        'updated_at': TIMESTAMP,
    }
    attributes.update(extra)
    return {'id': dataset_id, 'type': 'datasets', 'attributes': attributes}


def page(*items, **kwargs):
    """A list answer; ``after`` is the next cursor. Without one, ``meta.after`` is null (``meta=False``: no meta)."""
    body = {'data': list(items)}
    if kwargs.get('after') is not None:
        body['meta'] = {'after': kwargs['after']}
    elif kwargs.get('meta', True):
        body['meta'] = {'after': None}
    return body


def data(item):
    """A one-item answer, as create, update and clone return it."""
    return {'data': item}


def errors(*entries):
    """An error answer: JSON:API error objects or plain strings (the 429 shape)."""
    return {'errors': list(entries)}


def project_facts(project_id, name, description='', created_at=TIMESTAMP, updated_at=TIMESTAMP):
    """The facts llmobs_project and llmobs_project_info return for a project."""
    return dict(id=project_id, name=name, description=description, created_at=created_at, updated_at=updated_at)


def dataset_facts(dataset_id, name, description='', metadata=None, version=1, created_at=TIMESTAMP,
                  updated_at=TIMESTAMP):
    """The facts the dataset modules return for a dataset."""
    return dict(id=dataset_id, name=name, description=description, metadata=metadata, current_version=version,
                created_at=created_at, updated_at=updated_at)


def with_keys(*options):
    """Module arguments: the unit keys, then each dict of ``options`` in turn (a later one wins)."""
    values = dict(api_key=API_KEY, app_key=APP_KEY)
    for given in options:
        values.update(given)
    return values


def by_project_name(options, name=PROJECT_NAME):
    """``options`` with the project given by ``project_name`` instead of ``project_id``."""
    values = dict(options)
    del values['project_id']
    values.setdefault('project_name', name)
    return values


def assert_no_secrets(raw):
    assert API_KEY not in raw
    assert APP_KEY not in raw


DROPPED = "('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))"

# Answers that leave a write's outcome unknown: the server may have acted before the answer was lost.
LOST_ANSWERS = {
    'http-500': lambda call: call.reply_error(500, {'title': 'Internal Server Error'}),
    'dropped-connection': lambda call: call.raises(requests.exceptions.ConnectionError(DROPPED)),
}


def module_args(**overrides):
    args = dict(api_key=API_KEY, app_key=APP_KEY, project_id=PROJECT, dataset_id=SOURCE, name='copy-1')
    args.update(overrides)
    return args


def settings(retries=3, timeout=5.0, base_url=BASE_URL):
    return ConnectionSettings(base_url, API_KEY, APP_KEY, True, timeout, retries)


def make_transport(retries=3, warnings=None, timeout=5.0, given=()):
    """A Transport with the unit keys; warnings are appended to ``warnings`` when a list is given.

    Its sleeps and clock are the virtual ones of the ``clock`` fixture (autouse in these tests).
    ``given``: the options a task would have set (what hints may name).
    """
    return Transport(settings(retries, timeout), warn=(warnings.append if warnings is not None else None), given=given)


def make_api(retries=3, warnings=None, timeout=5.0):
    return API(make_transport(retries, warnings, timeout))


def warnings_of(result):
    """The warning texts of a module result (ansible-core 2.19 returns them as structured events)."""
    texts = []
    for warning in result.get('warnings', []):
        if isinstance(warning, dict):
            warning = warning.get('event', {}).get('msg', '')
        texts.append(warning)
    return texts
