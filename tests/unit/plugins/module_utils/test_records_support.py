# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the records tests share: record objects as the API lists them, and the expected calls of the records routes.

Calls are ``http_calls.Call`` objects, answered and checked in order by the ``http`` fixture:
    ``records_page(items, cursor=None, after=None, version=None)``  one page of the records list
    ``batch(inserts=(), updates=(), deletes=(), create=True, status=200, reply=None, raises=None)``
                                     a batch_update with its exact body (answered 200 unless told otherwise)
    ``dataset_by_id(item)``, ``dataset_by_name(items)``, ``project_by_name()``  the lookups of the tests' dataset
Objects: ``record(record_id, input, expected_output=None, metadata=None, tags=(), shape='nested')``,
``dataset(dataset_id=DATASET, name=DATASET_NAME, version=1)``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import (
    API_KEY,
    APP_KEY,
    PROJECT,
    PROJECT_NAME,
    TIMESTAMP,
    dataset as _dataset,
    project,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    Call,
    dataset_by_id as _dataset_by_id,
    datasets_by_name,
    datasets_path,
    projects_by_name,
)

DATASET = 'ds-1'
DATASET_NAME = 'eval-set'
RECORDS_PATH = '%s/%s/records' % (datasets_path(), DATASET)
BATCH_PATH = '%s/%s/batch_update' % (datasets_path(), DATASET)
MUTATION_ANSWER = {'data': [{'records': []}]}


def record(record_id, input_value, expected_output=None, metadata=None, tags=(), shape='nested', **extra):
    """One record as the records list answers: nested under ``attributes`` (live) or flat (the spec)."""
    fields = dict(dataset_id=DATASET, input=input_value, expected_output=expected_output, metadata=metadata,
                  tags=list(tags), canonical_id='canon-' + record_id, created_at=TIMESTAMP, updated_at=TIMESTAMP)
    fields.update(extra)
    if shape == 'flat':
        return dict(fields, id=record_id)
    return {'id': record_id, 'type': 'records', 'attributes': fields}


def dataset(dataset_id=DATASET, name=DATASET_NAME, version=1):
    return _dataset(dataset_id, name, version=version)


def records_page(items, cursor=None, after=None, version=None):
    query = {'page[limit]': '5000'}
    if version is not None:
        query['filter[version]'] = str(version)
    if cursor:
        query['page[cursor]'] = cursor
    return Call('GET', RECORDS_PATH).query(query).reply_page(*items, after=after)


def records_list(version=None):
    """The first request of the records list, still to be answered."""
    query = {'page[limit]': '5000'}
    if version is not None:
        query['filter[version]'] = str(version)
    return Call('GET', RECORDS_PATH).query(query)


def dataset_by_id(item):
    return _dataset_by_id(DATASET).reply_page(*([item] if item else []))


def dataset_by_name(items):
    return datasets_by_name(DATASET_NAME).reply_page(*items)


def project_by_name():
    return projects_by_name(PROJECT_NAME).reply_page(project(PROJECT, PROJECT_NAME))


def batch_body(inserts=(), updates=(), deletes=(), create=True):
    return {'data': {'type': 'datasets', 'id': DATASET, 'attributes': {
        'create_new_version': create, 'insert_records': list(inserts), 'update_records': list(updates),
        'delete_records': list(deletes)}}}


def batch(inserts=(), updates=(), deletes=(), create=True, status=200, reply=None, raises=None):
    """One batch_update with its exact body; answered 200 with an empty mutation list unless told otherwise."""
    call = Call('POST', BATCH_PATH).expect_json(batch_body(inserts, updates, deletes, create))
    if raises is not None:
        return call.raises(raises)
    return call.reply(status, json=reply if reply is not None else MUTATION_ANSWER)


def module_args(**overrides):
    args = dict(api_key=API_KEY, app_key=APP_KEY, project_id=PROJECT, dataset_id=DATASET)
    args.update(overrides)
    return args


def sent_batches(http):
    """The attributes of every batch_update sent, in order."""
    return [seen.json['data']['attributes'] for seen in http.seen if seen.method == 'POST' and seen.path == BATCH_PATH]
