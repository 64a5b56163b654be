# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test data and assertions shared by the unit tests."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible.module_utils.six.moves.urllib.parse import parse_qsl, urlsplit

API_KEY = 'unit-api-key-5f3c9a1e77d2'
APP_KEY = 'unit-app-key-0b8e4d26c913'
BASE_URL = 'https://api.datadoghq.com'
PROJECT = 'proj-1'
SOURCE = 'src-dataset-1'
DATASETS_URL = BASE_URL + '/api/v2/llm-obs/v1/%s/datasets' % PROJECT
CLONE_URL = DATASETS_URL + '/%s/clone' % SOURCE


def dataset(dataset_id, name, description='', version=1):
    return {
        'id': dataset_id,
        'type': 'datasets',
        'attributes': {
            'name': name,
            'description': description,
            'metadata': None,
            'current_version': version,
            'created_at': '2026-11-25T10:00:00+00:00',
            'updated_at': '2026-11-25T10:00:00+00:00',
        },
    }


def page(*items, **kwargs):
    """A list response; ``after`` is the next cursor, left out of ``meta`` when None."""
    body = {'data': list(items)}
    if kwargs.get('after') is not None:
        body['meta'] = {'after': kwargs['after']}
    elif kwargs.get('meta', True):
        body['meta'] = {'after': None}
    return body


def module_args(**overrides):
    args = dict(api_key=API_KEY, app_key=APP_KEY, project_id=PROJECT, dataset_id=SOURCE, name='copy-1')
    args.update(overrides)
    return args


def calls_of(mock):
    """The requests the mock saw, as (method, path, query dict, JSON body or None)."""
    seen = []
    for call in mock.calls:
        parts = urlsplit(call.request.url)
        body = call.request.body
        if isinstance(body, bytes):
            body = body.decode('utf-8')
        seen.append((call.request.method, parts.path, dict(parse_qsl(parts.query)), json.loads(body) if body else None))
    return seen


def lookup_call(name='copy-1', cursor=None):
    query = {'filter[name]': name, 'page[limit]': '5000'}
    if cursor:
        query['page[cursor]'] = cursor
    return ('GET', '/api/v2/llm-obs/v1/%s/datasets' % PROJECT, query, None)


def by_id_call(dataset_id):
    return ('GET', '/api/v2/llm-obs/v1/%s/datasets' % PROJECT, {'filter[id]': dataset_id, 'page[limit]': '5000'}, None)


def clone_call(name='copy-1', description=None, source=SOURCE):
    attributes = {'name': name}
    if description is not None:
        attributes['description'] = description
    return ('POST', '/api/v2/llm-obs/v1/%s/datasets/%s/clone' % (PROJECT, source), {},
            {'data': {'type': 'datasets', 'id': source, 'attributes': attributes}})


def warnings_of(result):
    """The warning texts of a module result (ansible-core 2.19 returns them as structured events)."""
    texts = []
    for warning in result.get('warnings', []):
        if isinstance(warning, dict):
            warning = warning.get('event', {}).get('msg', '')
        texts.append(warning)
    return texts
