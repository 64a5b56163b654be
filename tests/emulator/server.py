# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""HTTP side of the emulator: the Datadog routes (as the spec names them) and the control API.

Datadog API routes live under /api/v2/llm-obs/; the emulator's own control routes live under
/_emulator/ and are never logged, rate limited, delayed or faulted.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import csv
import email.utils
import io
import itertools
import json
import math
import re
import select
import socket
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from .events import InvalidEvent, check_metric, check_span, decode_span_cursor, encode_span_cursor
from .faults import LIST_OPERATIONS, Fault, FaultBook, FaultError, RateLimiter
from .registry import InvalidConfig, check_evaluator, check_labels, check_strings
from .seeds import check_evaluator_item, check_prompt_item, check_seed
from .store import (API_USER, AUTHOR_ID, EXPERIMENT_STATUSES, MAX_RUN_COUNT, RECORD_ID_PATTERN, Conflict, InvalidRecord, LockHeld,
                    NotFound, Store, check_experiment, check_record, check_tags, decode_cursor, encode_cursor, parse_time,
                    utc_now)

API_PREFIX = '/api/v2/llm-obs/v1'
CONTROL_PREFIX = '/_emulator'
DEFAULT_PAGE_LIMIT = 100
MAX_PAGE_LIMIT = 5000
MAX_BATCH_RECORDS = 1000
MAX_BATCH_BYTES = 5 * 1024 * 1024
# Items on each page of an endless list (fewer when the client asks for fewer).
ENDLESS_PAGE_ITEMS = 100
RECORD_SHAPES = ('nested', 'flat')
CREATE_STATUSES = (200, 201)
# Where an experiment events list puts the summary metrics: on its first page only, or on every page.
SUMMARY_PAGES = ('first', 'every')
# What ``meta.after`` of the last page of an experiments or events list is: null, "", or no ``after`` at all.
LAST_AFTER = (None, '', 'absent')
EXPERIMENT_CREATE_ATTRIBUTES = ('project_id', 'name', 'dataset_id', 'dataset_version', 'description', 'metadata', 'config',
                                'ensure_unique', 'parent_experiment_id', 'run_count')
EXPERIMENT_UPDATE_ATTRIBUTES = ('name', 'description', 'metadata', 'status', 'error', 'dataset_id')
EVENTS_ATTRIBUTES = ('spans', 'metrics', 'scope', 'tags')
PROMPT_CREATE_ATTRIBUTES = ('prompt_id', 'template', 'title', 'description', 'config', 'labels', 'env_ids', 'user_version')
PROMPT_VERSION_ATTRIBUTES = ('template', 'config', 'description', 'labels', 'env_ids', 'user_version')
PROMPT_UPDATE_ATTRIBUTES = ('title', 'description')
PROMPT_VERSION_UPDATE_ATTRIBUTES = ('description', 'labels', 'env_ids')
EVALUATORS_PATH = '/api/unstable/llm-obs/config/evaluators/custom'
# Request bodies bigger than this are not kept in the request log (their size is).
LOGGED_BODY_BYTES = 1024 * 1024
# An export is sent in chunks of this many rows (chunked transfer encoding).
EXPORT_ROWS_PER_CHUNK = 500
EXPORT_COLUMNS = ('id', 'input', 'expected_output', 'metadata', 'tags')


class APIProblem(Exception):
    """An error answer in Datadog's JSON:API shape."""

    TITLES = {400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 406: 'Not Acceptable',
              409: 'Conflict', 413: 'Payload Too Large', 501: 'Not Implemented'}

    def __init__(self, status, detail, pointer=None, parameter=None, header=None):
        super(APIProblem, self).__init__(detail)
        error = {'status': str(status), 'title': self.TITLES.get(status, 'Error'), 'detail': detail}
        source = dict((k, v) for k, v in (('pointer', pointer), ('parameter', parameter), ('header', header)) if v)
        if source:
            error['source'] = source
        self.status = status
        self.body = {'errors': [error]}


# ---------------------------------------------------------------------- request checks


def _object(value, pointer):
    if not isinstance(value, dict):
        raise APIProblem(400, '%s must be an object' % (pointer or 'the request body'), pointer=pointer or '/')
    return value


def _string(container, key, pointer, required=True, non_empty=False):
    if key not in container:
        if required:
            raise APIProblem(400, 'missing required attribute %r' % key, pointer=pointer)
        return None
    value = container[key]
    if not isinstance(value, str):
        raise APIProblem(400, '%s must be a string' % key, pointer=pointer)
    if non_empty and not value.strip():
        raise APIProblem(400, '%s must not be empty' % key, pointer=pointer)
    return value


def _data(body, resource_type, accepted_types=None):
    data = _object(_object(body, '').get('data'), '/data')
    kind = _string(data, 'type', '/data/type')
    if kind not in (accepted_types or (resource_type,)):
        raise APIProblem(400, 'type must be %r' % resource_type, pointer='/data/type')
    return data


def _attributes(data, known=None):
    attributes = _object(data.get('attributes'), '/data/attributes')
    unknown = sorted(set(attributes) - set(known)) if known is not None else []
    if unknown:
        raise APIProblem(400, 'unknown attribute %r (known: %s)' % (unknown[0], ', '.join(known)),
                         pointer='/data/attributes/%s' % unknown[0])
    return attributes


def _optional_object(attributes, key):
    value = attributes.get(key)
    if key in attributes and value is not None and not isinstance(value, dict):
        raise APIProblem(400, '%s must be an object' % key, pointer='/data/attributes/%s' % key)
    return value


def _list(attributes, key, required=False, strings=False):
    pointer = '/data/attributes/%s' % key
    if key not in attributes:
        if required:
            raise APIProblem(400, 'missing required attribute %r' % key, pointer=pointer)
        return []
    value = attributes[key]
    if not isinstance(value, list):
        raise APIProblem(400, '%s must be a list' % key, pointer=pointer)
    if strings:
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise APIProblem(400, '%s must hold strings' % key, pointer='%s/%d' % (pointer, index))
    return value


def _whole(attributes, key, least, most=None):
    value = attributes[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < least or (most is not None and value > most):
        raise APIProblem(400, '%s must be a whole number from %d%s, not %s' % (
            key, least, ' to %d' % most if most is not None else ' up', json.dumps(value)),
            pointer='/data/attributes/%s' % key)
    return value


def _event(check, item, key, index):
    """A span or metric of an events request checked (events.check_span or check_metric), or a 400 naming it."""
    try:
        return check(item, strict=True)
    except InvalidEvent as problem:
        raise APIProblem(400, '%s[%d]: %s' % (key, index, problem),
                         pointer='/data/attributes/%s/%d%s' % (key, index, problem.field))


def _records(items, key, for_update=False):
    """Each record of ``items`` checked (store.check_record), or a 400 naming the record and field."""
    checked = []
    for index, item in enumerate(items):
        try:
            fields = check_record(item, for_update=for_update)
        except InvalidRecord as problem:
            raise APIProblem(400, '%s[%d]: %s' % (key, index, problem),
                             pointer='/data/attributes/%s/%d%s' % (key, index, problem.field))
        if for_update and 'tags' in fields:
            raise APIProblem(400, '%s[%d]: a record update changes tags with tag_operations' % (key, index),
                             pointer='/data/attributes/%s/%d/tags' % (key, index))
        checked.append(fields)
    return checked


def _page_params(query, default_limit=DEFAULT_PAGE_LIMIT, decode=decode_cursor):
    limit = query.get('page[limit]')
    if limit is None:
        limit = default_limit
    else:
        try:
            limit = int(limit)
        except ValueError:
            raise APIProblem(400, 'page[limit] must be an integer', parameter='page[limit]')
        if limit < 1:
            raise APIProblem(400, 'page[limit] must be at least 1', parameter='page[limit]')
        limit = min(limit, MAX_PAGE_LIMIT)
    position = None
    if query.get('page[cursor]'):
        position = decode(query['page[cursor]'])
        if position is None:
            raise APIProblem(400, 'invalid page cursor', parameter='page[cursor]')
    return limit, position


def paginate(items, query, by_offset=False):
    """One page of ``items`` (newest first) after the cursor's position, and the next cursor.

    Cursors hold the creation number of the last item served, so items added meanwhile do not
    shift pages; ``by_offset`` makes them hold an offset instead, as a simpler server would, so
    that items added between two requests push others onto the next page again.
    """
    limit, position = _page_params(query)
    if by_offset:
        start = position or 0
        page = items[start:start + limit]
        return page, (encode_cursor(start + limit) if len(items) > start + limit else None)
    if position is not None:
        items = [item for item in items if item.seq < position]
    page = items[:limit]
    after = encode_cursor(page[-1].seq) if len(items) > limit else None
    return page, after


class Query(dict):
    """The query parameters, the last value of each; ``every(name)`` gives each value of a repeated
    one (``filter[id]=a&filter[id]=b``), commas splitting values too."""

    def __init__(self, lists=None):
        dict.__init__(self, ((name, values[-1]) for name, values in (lists or {}).items()))
        self.lists = lists or {}

    def every(self, name):
        return [part for value in self.lists.get(name, []) for part in value.split(',') if part]


def _boolean_param(query, name):
    value = query.get(name)
    if value is None:
        return None
    if value.lower() not in ('true', 'false'):
        raise APIProblem(400, '%s must be true or false' % name, parameter=name)
    return value.lower() == 'true'


def accepts(accept, media_type):
    """Whether an Accept header takes ``media_type`` (no header, or an empty one, takes anything)."""
    if not accept or not accept.strip():
        return True
    wanted = (media_type, media_type.split('/')[0] + '/*', '*/*')
    for part in accept.split(','):
        fields = [field.strip() for field in part.split(';')]
        quality = 1.0
        for parameter in fields[1:]:
            name, dummy, value = parameter.partition('=')
            if name.strip().lower() == 'q':
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and fields[0].lower() in wanted:
            return True
    return False


class Streamed(object):
    """An answer body sent as it is made, in chunks (chunked transfer encoding): ``chunks`` yields bytes."""

    def __init__(self, content_type, chunks):
        self.content_type = content_type
        self.chunks = chunks


def _json_cell(value):
    return '' if value is None else json.dumps(value, ensure_ascii=False, separators=(',', ':'))


def csv_chunks(rows):
    """An export's CSV (RFC 4180: CRLF line ends, quoted as needed) in UTF-8 chunks: the header
    row, then one row per record; input, expected_output and metadata are compact JSON text (empty for
    null), tags a JSON list."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator='\r\n')
    writer.writerow(EXPORT_COLUMNS)
    for number, (record_id, input_value, expected_output, metadata, tags) in enumerate(rows, 1):
        writer.writerow((record_id, _json_cell(input_value), _json_cell(expected_output), _json_cell(metadata),
                         json.dumps(tags, ensure_ascii=False, separators=(',', ':'))))
        if number % EXPORT_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode('utf-8')
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode('utf-8')


def experiment_cursor(experiment):
    """The cursor after ``experiment`` in the experiments list (ordered by created_at, then storage order)."""
    return base64.urlsafe_b64encode(json.dumps({'before': [experiment.created_at, experiment.seq]}).encode()).decode() \
        .rstrip('=')


def decode_experiment_cursor(cursor):
    """(created datetime, storage number) of an experiments cursor, or None when it is not one."""
    try:
        padded = cursor + '=' * (-len(cursor) % 4)
        created_at, seq = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())['before']
        return parse_time(created_at), int(seq)
    except (ValueError, KeyError, TypeError):
        return None


# ---------------------------------------------------------------------- JSON views


def dataset_json(dataset):
    """A dataset as the spec shows it, plus the fields live answers carry (author, dataset_type, project_id)."""
    return {'id': dataset.id, 'type': 'datasets', 'attributes': {
        'name': dataset.name, 'description': dataset.description, 'metadata': dataset.metadata,
        'current_version': dataset.current_version, 'created_at': dataset.created_at,
        'updated_at': dataset.updated_at,
        'author': {'id': AUTHOR_ID}, 'dataset_type': 'user', 'project_id': dataset.project_id}}


def project_json(project):
    return {'id': project.id, 'type': 'projects', 'attributes': {
        'name': project.name, 'description': project.description,
        'created_at': project.created_at, 'updated_at': project.updated_at}}


def record_json(dataset_id, record, row=None, shape='flat'):
    """A record: ``flat`` as the spec shows it, ``nested`` as the live list answers (content under
    ``attributes``, the id beside it). Both carry ``tags`` and ``canonical_id``."""
    row = row or record.row
    fields = {'id': record.id, 'dataset_id': dataset_id, 'input': row.input, 'expected_output': row.expected_output,
              'metadata': row.metadata, 'tags': list(row.tags), 'canonical_id': record.canonical_id,
              'created_at': record.created_at, 'updated_at': row.updated_at}
    if shape == 'flat':
        return fields
    del fields['id']
    return {'id': record.id, 'type': 'records', 'attributes': fields}


def version_json(dataset_id, version, last_used=None):
    return {'id': str(uuid.uuid5(uuid.NAMESPACE_URL, 'llmobs-emulator:%s:%d' % (dataset_id, version))),
            'type': 'dataset_version',
            'attributes': {'dataset_id': dataset_id, 'version_number': version, 'last_used': last_used}}


def draft_state_json(dataset_id, user, drafting_since):
    """The draft state; nobody holding the lock is ``user`` and ``drafting_since`` null (the spec
    shows only a held lock)."""
    return {'data': {'id': dataset_id, 'type': 'draft_state_data',
                     'attributes': {'drafting_since': drafting_since, 'user': dict(user) if user else None}}}


def experiment_json(experiment, dataset_name=None, include_dataset_name=False, include_author=False):
    attributes = {
        'project_id': experiment.project_id, 'dataset_id': experiment.dataset_id,
        'dataset_version': experiment.dataset_version, 'name': experiment.name, 'experiment': experiment.experiment,
        'description': experiment.description, 'metadata': experiment.metadata, 'config': experiment.config,
        'created_at': experiment.created_at, 'updated_at': experiment.updated_at, 'status': experiment.status,
        'aggregate_data': experiment.aggregate_data, 'error': experiment.error, 'run_count': experiment.run_count,
        'parent_experiment_id': experiment.parent_experiment_id, 'deleted_at': experiment.deleted_at}
    if include_dataset_name:
        attributes['dataset_name'] = dataset_name
    if include_author:
        attributes['author'] = dict(API_USER)   # the emulator's experiments are all run with the API keys
    return {'id': experiment.id, 'type': 'experiments', 'attributes': attributes}


def mutation_json(dataset_id, records):
    return {'data': [{'records': [record_json(dataset_id, record) for record in records]}]}


# ---------------------------------------------------------------------- the Datadog routes


class DatadogAPI(object):
    """One method per operation of the spec; each returns (status, body) or raises APIProblem."""

    def __init__(self, store, dataset_create_status=201, records_shape='nested', max_batch_records=MAX_BATCH_RECORDS,
                 max_batch_bytes=MAX_BATCH_BYTES):
        self.store = store
        # page_churn > 0: that many datasets (matching the name filter when it is inexact) are
        # added after each dataset-list page that has a next one, and cursors become offsets.
        self.page_churn = 0
        self.churned = 0
        self.dataset_create_status = dataset_create_status
        self.records_shape = records_shape
        self.max_batch_records = max_batch_records
        self.max_batch_bytes = max_batch_bytes
        self.experiment_create_status = 200     # what ddtrace expects of the live API
        self.experiment_patch_body = False      # the live PATCH answers 200 with an empty body
        self.summary_metrics_pages = 'first'
        self.experiments_last_after = None
        self.evaluator_put_body = False         # the spec's PUT answers 200 with no body
        self.evaluator_null_fields = False      # answers carry unset nullable fields as null
        self.evaluator_server_fields = False    # answers carry server defaults and read-only fields
        self.evaluators_page_size = None        # None: the spec's unpaged list; N: pages of N with meta.after
        self.prompts_page_size = None
        self.prompt_filter_prefix = False       # filter[prompt_id] matches every prompt_id that starts with it
        self.prompt_config_authoring = True     # False: an organisation without configuration authoring (config: 403)

    def _meta(self, after):
        """The ``meta`` of an experiments or events list page: ``after`` the next cursor, or the
        last page's as ``experiments_last_after`` says."""
        if after is not None:
            return {'after': after}
        return {} if self.experiments_last_after == 'absent' else {'after': self.experiments_last_after}

    # projects

    def ListLLMObsProjects(self, query, body):  # noqa: N802 (named after the spec's operationId)
        items = self.store.list_projects(query.get('filter[name]'), query.get('filter[id]'))
        page, after = paginate(items, query)
        return 200, {'data': [project_json(p) for p in page], 'meta': {'after': after}}

    def CreateLLMObsProject(self, query, body):  # noqa: N802
        attributes = _attributes(_data(body, 'projects'))
        name = _string(attributes, 'name', '/data/attributes/name', non_empty=True)
        description = _string(attributes, 'description', '/data/attributes/description', required=False)
        project, created = self.store.get_or_create_project(name, description or '')
        return (201 if created else 200), {'data': project_json(project)}

    def UpdateLLMObsProject(self, query, body, project_id):  # noqa: N802
        attributes = _attributes(_data(body, 'projects'))
        changes = {}
        if 'name' in attributes:
            changes['name'] = _string(attributes, 'name', '/data/attributes/name', non_empty=True)
        if 'description' in attributes:
            changes['description'] = _string(attributes, 'description', '/data/attributes/description')
        return 200, {'data': project_json(self.store.update_project(project_id, changes))}

    def DeleteLLMObsProjects(self, query, body):  # noqa: N802
        attributes = _attributes(_data(body, 'projects'))
        self.store.delete_projects(_list(attributes, 'project_ids', required=True, strings=True))
        return 204, None

    # datasets

    def ListLLMObsDatasets(self, query, body, project_id):  # noqa: N802
        items = self.store.list_datasets(project_id, query.get('filter[name]'), query.get('filter[id]'))
        page, after = paginate(items, query, by_offset=self.page_churn > 0)
        # Live dataset lists end with after: "" rather than null.
        answer = {'data': [dataset_json(d) for d in page], 'meta': {'after': after or ''}}
        if after and self.page_churn:
            # The list changes before the client asks for the next page.
            self.churned += 1
            for number in range(self.page_churn):
                self.store.add_dataset(project_id, 'churn-%d-%d %s' % (self.churned, number, query.get('filter[name]', '')),
                                       visible_now=True)
        return 200, answer

    def CreateLLMObsDataset(self, query, body, project_id):  # noqa: N802
        attributes = _attributes(_data(body, 'datasets'))
        name = _string(attributes, 'name', '/data/attributes/name', non_empty=True)
        description = _string(attributes, 'description', '/data/attributes/description', required=False)
        metadata = _optional_object(attributes, 'metadata')
        dataset_id = self.store.add_dataset(project_id, name, description or '', metadata)
        return self.dataset_create_status, {'data': dataset_json(self.store.datasets[dataset_id])}

    def UpdateLLMObsDataset(self, query, body, project_id, dataset_id):  # noqa: N802
        attributes = _attributes(_data(body, 'datasets'))
        changes = {}
        if 'name' in attributes:
            changes['name'] = _string(attributes, 'name', '/data/attributes/name', non_empty=True)
        if 'description' in attributes:
            changes['description'] = _string(attributes, 'description', '/data/attributes/description')
        if 'metadata' in attributes:
            changes['metadata'] = _optional_object(attributes, 'metadata')
        return 200, {'data': dataset_json(self.store.update_dataset(project_id, dataset_id, changes))}

    def DeleteLLMObsDatasets(self, query, body, project_id):  # noqa: N802
        attributes = _attributes(_data(body, 'datasets'))
        self.store.delete_datasets(project_id, _list(attributes, 'dataset_ids', required=True, strings=True))
        return 204, None

    def CloneLLMObsDataset(self, query, body, project_id, dataset_id):  # noqa: N802
        data = _data(body, 'datasets')
        source_id = _string(data, 'id', '/data/id')
        if source_id != dataset_id:
            raise APIProblem(400, 'data.id must be the id of the dataset in the path', pointer='/data/id')
        attributes = _attributes(data)
        name = _string(attributes, 'name', '/data/attributes/name', non_empty=True)
        description = _string(attributes, 'description', '/data/attributes/description', required=False)
        return 200, {'data': dataset_json(self.store.clone_dataset(project_id, dataset_id, name, description))}

    def ListLLMObsDatasetVersions(self, query, body, project_id, dataset_id):  # noqa: N802
        # Oldest first, as the spec's example; expired versions are left out.
        dummy, versions = self.store.versions(project_id, dataset_id)
        used = self.store.last_used(dataset_id)
        return 200, {'data': [version_json(dataset_id, version, used.get(version)) for version in versions]}

    def RestoreLLMObsDatasetVersion(self, query, body, project_id, dataset_id):  # noqa: N802
        data = _data(body, 'datasets')
        if _string(data, 'id', '/data/id') != dataset_id:
            raise APIProblem(400, 'data.id must be the id of the dataset in the path', pointer='/data/id')
        attributes = _attributes(data, known=('dataset_version',))
        pointer = '/data/attributes/dataset_version'
        if 'dataset_version' not in attributes:
            raise APIProblem(400, "missing required attribute 'dataset_version'", pointer=pointer)
        version = attributes['dataset_version']
        if isinstance(version, bool) or not isinstance(version, int):
            raise APIProblem(400, 'dataset_version must be a whole number, not %s' % json.dumps(version), pointer=pointer)
        self.store.restore_version(project_id, dataset_id, version)
        return 200, None   # the spec's answer has no body

    def ExportLLMObsDataset(self, query, body, project_id, dataset_id, accept=None):  # noqa: N802
        if not accepts(accept, 'text/csv'):
            raise APIProblem(406, 'an export is text/csv, and the request accepts only %s' % accept, header='Accept')
        export_format = query.get('format', 'csv')
        if export_format != 'csv':
            raise APIProblem(400, 'format must be csv, not %r' % export_format, parameter='format')
        version = query.get('version')
        if version is not None:
            try:
                version = int(version)
            except ValueError:
                raise APIProblem(400, 'version must be a whole number', parameter='version')
        dummy, dummy, rows = self.store.export_rows(project_id, dataset_id, version)
        return 200, Streamed('text/csv; charset=utf-8', csv_chunks(rows))

    # the draft lock (advisory: record writes go through while another user holds it, as in the UI)

    def GetLLMObsDatasetDraftState(self, query, body, project_id, dataset_id):  # noqa: N802
        return 200, draft_state_json(*self.store.draft_state(project_id, dataset_id))

    def LockLLMObsDatasetDraftState(self, query, body, project_id, dataset_id):  # noqa: N802
        return 200, draft_state_json(*self.store.lock_draft(project_id, dataset_id))

    def UnlockLLMObsDatasetDraftState(self, query, body, project_id, dataset_id):  # noqa: N802
        self.store.unlock_draft(project_id, dataset_id)
        return 200, None   # the spec's answer has no body

    # experiments (read-only here; the control API adds them)

    def ListLLMObsExperiments(self, query, body):  # noqa: N802
        project_id, dataset_id = query.get('filter[project_id]'), query.get('filter[dataset_id]')
        if not project_id and not dataset_id:
            raise APIProblem(400, 'filter[project_id] is required unless filter[dataset_id] is given',
                             parameter='filter[project_id]')
        ids, parents = set(query.every('filter[id]')), set(query.every('filter[parent_experiment_id]'))
        name, logical = query.get('filter[name]'), query.get('filter[experiment]')
        metadata = query.get('filter[metadata]')
        if metadata is not None:
            try:
                metadata = json.loads(metadata)
            except ValueError:
                metadata = None
            if not isinstance(metadata, dict):
                raise APIProblem(400, 'filter[metadata] must be a JSON object', parameter='filter[metadata]')
        deleted = _boolean_param(query, 'filter[is_deleted]')
        with_author, with_names = _boolean_param(query, 'include[user_data]'), _boolean_param(query, 'include[dataset_names]')
        limit, position = _page_params(query, MAX_PAGE_LIMIT, decode_experiment_cursor)

        def keep(e):
            return ((e.deleted_at is not None) == bool(deleted)      # deleted ones only with filter[is_deleted]=true
                    and (not project_id or e.project_id == project_id) and (not dataset_id or e.dataset_id == dataset_id)
                    and (not ids or e.id in ids) and (not parents or e.parent_experiment_id in parents)
                    and (name is None or e.name == name) and (logical is None or e.experiment == logical)
                    and (not metadata or all(key in (e.metadata or {}) and e.metadata[key] == value
                                             for key, value in metadata.items()))
                    and (position is None or (e.created, e.seq) < position))
        found = self.store.list_experiments(keep)
        page = found[:limit]
        with self.store.lock:
            names = dict((d.id, d.name) for d in self.store.datasets.values()) if with_names else {}
        return 200, {'data': [experiment_json(e, names.get(e.dataset_id), with_names, with_author) for e in page],
                     'meta': self._meta(experiment_cursor(page[-1]) if len(found) > limit else None)}

    def CreateLLMObsExperiment(self, query, body):  # noqa: N802
        attributes = _attributes(_data(body, 'experiments'), known=EXPERIMENT_CREATE_ATTRIBUTES)
        pointer = '/data/attributes/%s'
        fields = {}
        for key in ('project_id', 'name', 'dataset_id'):
            # The spec leaves dataset_id out of the required fields; every experiment runs on a dataset.
            fields[key] = _string(attributes, key, pointer % key, non_empty=True)
        for key in ('description', 'parent_experiment_id'):
            if key in attributes:
                fields[key] = _string(attributes, key, pointer % key, non_empty=key == 'parent_experiment_id')
        for key in ('metadata', 'config'):
            if key in attributes:
                fields[key] = _optional_object(attributes, key)
        for key, least, most in (('dataset_version', 0, None), ('run_count', 1, MAX_RUN_COUNT)):
            if key in attributes:
                fields[key] = _whole(attributes, key, least, most)
        ensure_unique = attributes.get('ensure_unique', True)
        if not isinstance(ensure_unique, bool):
            raise APIProblem(400, 'ensure_unique must be true or false', pointer=pointer % 'ensure_unique')
        self.store.project(fields['project_id'])
        experiment = self.store.create_experiment(fields.pop('project_id'), fields.pop('dataset_id'), fields, ensure_unique)
        return self.experiment_create_status, {'data': experiment_json(experiment)}

    def UpdateLLMObsExperiment(self, query, body, experiment_id):  # noqa: N802
        data = _data(body, 'experiments')
        # The spec's own example sends no attributes: nothing to change then, as an empty object.
        attributes = _attributes(data, known=EXPERIMENT_UPDATE_ATTRIBUTES) if 'attributes' in data else {}
        pointer = '/data/attributes/%s'
        changes = {}
        for key in ('name', 'dataset_id', 'description'):
            if key in attributes:
                changes[key] = _string(attributes, key, pointer % key, non_empty=key != 'description')
        if 'error' in attributes:
            changes['error'] = None if attributes['error'] is None else _string(attributes, 'error', pointer % 'error')
        if 'metadata' in attributes:
            changes['metadata'] = _optional_object(attributes, 'metadata')
        if 'status' in attributes:
            if attributes['status'] not in EXPERIMENT_STATUSES:
                raise APIProblem(400, 'status must be one of %s' % ', '.join(EXPERIMENT_STATUSES),
                                 pointer=pointer % 'status')
            changes['status'] = attributes['status']
        experiment = self.store.update_experiment(experiment_id, changes)
        if self.experiment_patch_body:
            return 200, {'data': experiment_json(experiment)}
        return 200, None   # the live answer: 200, no body (the spec shows the experiment)

    def DeleteLLMObsExperiments(self, query, body):  # noqa: N802
        attributes = _attributes(_data(body, 'experiments'), known=('experiment_ids',))
        self.store.delete_experiments(_list(attributes, 'experiment_ids', required=True, strings=True))
        return 204, None

    def CreateLLMObsExperimentEvents(self, query, body, experiment_id):  # noqa: N802
        # The spec says type "events"; ddtrace sends "experiments", with scope and tags: both are accepted.
        attributes = _attributes(_data(body, 'events', accepted_types=('events', 'experiments')), known=EVENTS_ATTRIBUTES)
        if 'scope' in attributes:
            _string(attributes, 'scope', '/data/attributes/scope')
        tags = _list(attributes, 'tags', strings=True)
        spans = []
        for index, item in enumerate(_list(attributes, 'spans')):
            span, dummy = _event(check_span, item, 'spans', index)
            span['id'] = str(uuid.uuid5(uuid.NAMESPACE_URL, 'llmobs-emulator:span:%s:%s' % (experiment_id, span['span_id'])))
            # A span names its record in a tag (the spec's span has no field for it).
            span['dataset_record_id'] = next((tag.split(':', 1)[1] for tag in span['tags']
                                              if tag.startswith('dataset_record_id:')), None)
            spans.append((span, ()))
        metrics = []
        for index, item in enumerate(_list(attributes, 'metrics')):
            metric = _event(check_metric, item, 'metrics', index)
            metric['tags'] += [tag for tag in tags if tag not in metric['tags']]
            metrics.append(metric)
        self.store.post_events(experiment_id, spans, metrics)
        return 202, None

    def _events(self, experiment_id, start, limit, summary):
        texts, summary_metrics, after = self.store.events_page(experiment_id, start, limit)
        attributes = b'{"spans": [' + b', '.join(text.encode() for dummy, text in texts) + b'], "summary_metrics": ' \
            + json.dumps(summary_metrics if summary else []).encode() + b'}'
        return (b'{"id": ' + json.dumps(experiment_id).encode() + b', "type": "experiment_events", "attributes": '
                + attributes + b'}'), after

    def ListLLMObsExperimentEvents(self, query, body, experiment_id):  # noqa: N802
        limit, position = _page_params(query, MAX_PAGE_LIMIT, decode_span_cursor)
        data, after = self._events(experiment_id, position or 0, limit,
                                   position is None or self.summary_metrics_pages == 'every')
        meta = self._meta(encode_span_cursor(after) if after is not None else None)
        return 200, b'{"data": ' + data + b', "meta": ' + json.dumps(meta).encode() + b'}'

    def ListLLMObsExperimentEventsV2(self, query, body, experiment_id):  # noqa: N802
        # Deprecated: every span and the summary metrics at once, not paged.
        return 200, b'{"data": ' + self._events(experiment_id, 0, sys.maxsize, True)[0] + b'}'

    def ListLLMObsExperimentEventsV1(self, query, body, experiment_id):  # noqa: N802
        # Deprecated: the spans alone, each a resource of type "experiments", not paged.
        texts = self.store.events_page(experiment_id, 0, sys.maxsize)[0]
        items = [b'{"id": ' + json.dumps(span_id).encode() + b', "type": "experiments", "attributes": '
                 + text.encode() + b'}' for span_id, text in texts]
        return 200, b'{"data": [' + b', '.join(items) + b']}'

    # records

    def ListLLMObsDatasetRecords(self, query, body, project_id, dataset_id):  # noqa: N802
        version = query.get('filter[version]')
        if version is not None:
            try:
                version = int(version)
            except ValueError:
                raise APIProblem(400, 'filter[version] must be an integer', parameter='filter[version]')
        limit, position = _page_params(query)
        # Each row's JSON is made once and kept until the row changes: pages of large datasets
        # cost a join, as a real server's cached reads do. Under the store's lock: writers clear it.
        shape = self.records_shape
        fragments = []
        with self.store.lock:
            dummy, pairs, after = self.store.records_page(project_id, dataset_id, version, position, limit)
            for record, row in pairs:
                if row.fragments is None:
                    row.fragments = {}
                fragment = row.fragments.get(shape)
                if fragment is None:
                    fragment = row.fragments[shape] = json.dumps(record_json(dataset_id, record, row, shape)).encode()
                fragments.append(fragment)
        meta = json.dumps({'after': encode_cursor(after) if after is not None else None}).encode()
        return 200, b'{"data": [' + b', '.join(fragments) + b'], "meta": ' + meta + b'}'

    def CreateLLMObsDatasetRecords(self, query, body, project_id, dataset_id):  # noqa: N802
        # The spec says type "records"; Datadog's live API wants "datasets": both are accepted.
        attributes = _attributes(_data(body, 'records', accepted_types=('records', 'datasets')))
        items = _list(attributes, 'records', required=True)
        if not items:
            raise APIProblem(400, 'records must be a non-empty list', pointer='/data/attributes/records')
        deduplicate = attributes.get('deduplicate', True)
        if not isinstance(deduplicate, bool):
            raise APIProblem(400, 'deduplicate must be true or false', pointer='/data/attributes/deduplicate')
        added = self._write(project_id, dataset_id, inserts=_records(items, 'records'), deduplicate=deduplicate,
                            names=('/records', '/records'))
        return 200, mutation_json(dataset_id, added)

    def UpdateLLMObsDatasetRecords(self, query, body, project_id, dataset_id):  # noqa: N802
        attributes = _attributes(_data(body, 'records', accepted_types=('records', 'datasets')))
        updates = _records(_list(attributes, 'records', required=True), 'records', for_update=True)
        return 200, mutation_json(dataset_id, self._write(project_id, dataset_id, updates=updates, names=('/records', '/records')))

    def DeleteLLMObsDatasetRecords(self, query, body, project_id, dataset_id):  # noqa: N802
        attributes = _attributes(_data(body, 'records', accepted_types=('records', 'datasets')))
        self._write(project_id, dataset_id, deletes=_list(attributes, 'record_ids', required=True, strings=True))
        return 204, None

    def BatchUpdateLLMObsDataset(self, query, body, project_id, dataset_id):  # noqa: N802
        # The spec says type "datasets" here (and "records" on the other record writes): both are accepted.
        data = _data(body, 'datasets', accepted_types=('datasets', 'records'))
        if _string(data, 'id', '/data/id') != dataset_id:
            raise APIProblem(400, 'data.id must be the id of the dataset in the path', pointer='/data/id')
        attributes = _attributes(data, known=('insert_records', 'update_records', 'delete_records',
                                              'create_new_version', 'tags'))
        inserts = _list(attributes, 'insert_records')
        updates = _list(attributes, 'update_records')
        deletes = _list(attributes, 'delete_records', strings=True)
        total = len(inserts) + len(updates) + len(deletes)
        if total > self.max_batch_records:
            raise APIProblem(413, 'a batch update takes at most %d records; this one has %d'
                             % (self.max_batch_records, total), pointer='/data/attributes')
        new_version = attributes.get('create_new_version', True)
        if not isinstance(new_version, bool):
            raise APIProblem(400, 'create_new_version must be true or false', pointer='/data/attributes/create_new_version')
        tags = None
        if 'tags' in attributes:
            try:
                tags = check_tags(attributes['tags'], '/data/attributes/tags')
            except InvalidRecord as problem:
                raise APIProblem(400, str(problem), pointer=problem.field)
        touched = self._write(project_id, dataset_id, inserts=_records(inserts, 'insert_records'),
                              updates=_records(updates, 'update_records', for_update=True), deletes=deletes,
                              new_version=new_version, tags=tags)
        return 200, mutation_json(dataset_id, touched)

    # custom evaluators (LLM-judge configurations)

    def _unpaged(self, items, query, size):
        """A list the spec does not page: every item; with ``size`` (a setting), pages of ``size`` items and
        ``meta.after``, as a server that started paging would answer (clients must follow it)."""
        if not size:
            return {'data': items}
        start = 0
        if query.get('page[cursor]'):
            start = decode_cursor(query['page[cursor]'])
            if start is None:
                raise APIProblem(400, 'invalid page cursor', parameter='page[cursor]')
        return {'data': items[start:start + size],
                'meta': {'after': encode_cursor(start + size) if len(items) > start + size else None}}

    def ListLLMObsCustomEvalConfigs(self, query, body):  # noqa: N802
        with self.store.lock:
            items = [e.to_json(self.evaluator_null_fields, self.evaluator_server_fields) for e in self.store.list_evaluators()]
        return 200, self._unpaged(items, query, self.evaluators_page_size)

    def GetLLMObsCustomEvalConfig(self, query, body, eval_name):  # noqa: N802
        with self.store.lock:
            return 200, {'data': self.store.evaluator(eval_name).to_json(self.evaluator_null_fields, self.evaluator_server_fields)}

    def UpdateLLMObsCustomEvalConfig(self, query, body, eval_name):  # noqa: N802
        data = _data(body, 'evaluator_config')
        if 'id' in data and _string(data, 'id', '/data/id') != eval_name:
            raise APIProblem(400, 'data.id %r must be the evaluator name of the path, %r' % (data['id'], eval_name),
                             pointer='/data/id')
        if not eval_name.strip():
            raise APIProblem(400, 'the evaluator name must not be empty', parameter='eval_name')
        try:
            config = check_evaluator(_object(data.get('attributes'), '/data/attributes'), eval_name)
        except InvalidConfig as problem:
            raise APIProblem(400, str(problem), pointer='/data/attributes' + problem.field)
        with self.store.lock:
            evaluator = self.store.put_evaluator(eval_name, config)[0]
            if self.evaluator_put_body:
                return 200, {'data': evaluator.to_json(self.evaluator_null_fields, self.evaluator_server_fields)}
        return 200, None   # the spec's answer has no body

    def DeleteLLMObsCustomEvalConfig(self, query, body, eval_name):  # noqa: N802
        self.store.delete_evaluator(eval_name)
        return 204, None

    # prompts

    def _prompt_fields(self, attributes, template_required=True):
        pointer = '/data/attributes/%s'
        fields = {}
        if 'config' in attributes and not self.prompt_config_authoring:
            raise APIProblem(403, 'configuration authoring is not enabled for this organization: config cannot be given, '
                             'not even an empty one', pointer=pointer % 'config')
        for key in ('title', 'description', 'user_version'):
            if key in attributes:
                fields[key] = _string(attributes, key, pointer % key)
        if 'config' in attributes:
            if not isinstance(attributes['config'], dict):
                raise APIProblem(400, 'config must be an object', pointer=pointer % 'config')
            fields['config'] = attributes['config']
        try:
            if 'labels' in attributes:
                fields['labels'] = check_labels(attributes['labels'], pointer % 'labels')
            if 'env_ids' in attributes:
                fields['env_ids'] = check_strings(attributes['env_ids'], 'env_ids', pointer % 'env_ids')
        except InvalidConfig as problem:
            raise APIProblem(400, str(problem), pointer=problem.field)
        if 'template' in attributes:
            fields['template'] = attributes['template']
        elif template_required:
            raise APIProblem(400, "missing required attribute 'template'", pointer=pointer % 'template')
        return fields

    @staticmethod
    def _metadata_changes(data, known):
        """The attributes of a prompt or version update: additionalProperties false, minProperties 1."""
        attributes = _object(data.get('attributes'), '/data/attributes')
        unknown = sorted(set(attributes) - set(known))
        if unknown:
            raise APIProblem(400, 'unknown attribute %r (known: %s)' % (unknown[0], ', '.join(known)),
                             pointer='/data/attributes/%s' % unknown[0])
        if not attributes:
            raise APIProblem(400, 'give at least one of %s' % ', '.join(known), pointer='/data/attributes')
        return attributes

    def _store_prompt(self, write, *arguments):
        try:
            return write(*arguments)
        except InvalidConfig as problem:
            raise APIProblem(400, str(problem), pointer='/data/attributes' + problem.field)
        except Conflict as taken:
            raise APIProblem(409, str(taken), pointer='/data/attributes/prompt_id')

    def ListLLMObsPrompts(self, query, body):  # noqa: N802
        with self.store.lock:
            items = [p.to_json() for p in self.store.list_prompts(query.get('filter[prompt_id]'), self.prompt_filter_prefix)]
        return 200, self._unpaged(items, query, self.prompts_page_size)

    def CreateLLMObsPrompt(self, query, body):  # noqa: N802
        attributes = _attributes(_data(body, 'prompt-templates'), known=PROMPT_CREATE_ATTRIBUTES)
        prompt_id = _string(attributes, 'prompt_id', '/data/attributes/prompt_id', non_empty=True)
        if '/' in prompt_id:
            raise APIProblem(400, 'prompt_id must not hold "/"', pointer='/data/attributes/prompt_id')
        fields = self._prompt_fields(attributes)
        fields['prompt_id'] = prompt_id
        with self.store.lock:
            return 200, {'data': self._store_prompt(self.store.create_prompt, fields).to_json(with_config=True)}

    def GetLLMObsPrompt(self, query, body, prompt_id):  # noqa: N802
        label = query.get('label')
        with self.store.lock:
            prompt = self.store.prompt(prompt_id)
            version = prompt.latest
            if label is not None and any(v.labels for v in prompt.versions):
                # Deprecated: the newest version with that label; a prompt without labels answers its latest.
                labelled = [v for v in prompt.versions if label in v.labels]
                if not labelled:
                    raise NotFound('no version of prompt %s has the label %r (labels: %s)' % (
                        prompt_id, label, ', '.join(sorted(set(x for v in prompt.versions for x in v.labels)))))
                version = labelled[-1]
            return 200, {'data': version.sdk_json(prompt)}

    def UpdateLLMObsPrompt(self, query, body, prompt_id):  # noqa: N802
        attributes = self._metadata_changes(_data(body, 'prompt-templates'), PROMPT_UPDATE_ATTRIBUTES)
        changes = dict((key, _string(attributes, key, '/data/attributes/%s' % key)) for key in attributes)
        with self.store.lock:
            return 200, {'data': self.store.update_prompt(prompt_id, changes).to_json()}

    def DeleteLLMObsPrompt(self, query, body, prompt_id):  # noqa: N802
        prompt = self.store.delete_prompt(prompt_id)
        return 200, {'data': {'id': prompt.id, 'type': 'prompt-templates',
                              'attributes': {'prompt_id': prompt.prompt_id, 'deleted_at': prompt.deleted_at}}}

    def ListLLMObsPromptVersions(self, query, body, prompt_id):  # noqa: N802
        # Newest first, without templates; a prompt that does not exist (or is deleted) has an empty list.
        with self.store.lock:
            prompt = self.store.shown_prompt(prompt_id)
            return 200, {'data': [v.list_json(prompt) for v in reversed(prompt.versions)] if prompt is not None else []}

    def CreateLLMObsPromptVersion(self, query, body, prompt_id):  # noqa: N802
        attributes = _attributes(_data(body, 'prompt-template-versions'), known=PROMPT_VERSION_ATTRIBUTES)
        fields = self._prompt_fields(attributes)
        with self.store.lock:
            prompt, version = self._store_prompt(self.store.create_prompt_version, prompt_id, fields)
            return 200, {'data': version.to_json(prompt)}

    @staticmethod
    def _version_number(version):
        if not version.isdigit() or int(version) < 1:
            raise APIProblem(400, 'version must be a whole number of 1 or more, not %r' % version, parameter='version')
        return int(version)

    def GetLLMObsPromptVersion(self, query, body, prompt_id, version):  # noqa: N802
        number = self._version_number(version)
        with self.store.lock:
            prompt, found = self.store.prompt_version(prompt_id, number)
            return 200, {'data': found.to_json(prompt)}

    def UpdateLLMObsPromptVersion(self, query, body, prompt_id, version):  # noqa: N802
        number = self._version_number(version)
        attributes = self._metadata_changes(_data(body, 'prompt-template-versions'), PROMPT_VERSION_UPDATE_ATTRIBUTES)
        changes = self._prompt_fields(attributes, template_required=False)
        with self.store.lock:
            prompt, found = self.store.update_prompt_version(prompt_id, number, changes)
            return 200, {'data': found.to_json(prompt)}

    def _write(self, project_id, dataset_id, **changes):
        try:
            return self.store.batch_update(project_id, dataset_id, **changes)[0]
        except InvalidRecord as problem:
            raise APIProblem(400, str(problem), pointer='/data/attributes' + problem.field)


# (method, path template from the spec, operationId); literal segments win over {parameters}.
# Templates are below API_PREFIX, except those that start with /api/ (other versions of a route).
ROUTES = [
    ('GET', EVALUATORS_PATH, 'ListLLMObsCustomEvalConfigs'),
    ('GET', EVALUATORS_PATH + '/{eval_name}', 'GetLLMObsCustomEvalConfig'),
    ('PUT', EVALUATORS_PATH + '/{eval_name}', 'UpdateLLMObsCustomEvalConfig'),
    ('DELETE', EVALUATORS_PATH + '/{eval_name}', 'DeleteLLMObsCustomEvalConfig'),
    ('GET', '/prompts', 'ListLLMObsPrompts'),
    ('POST', '/prompts', 'CreateLLMObsPrompt'),
    ('GET', '/prompts/{prompt_id}', 'GetLLMObsPrompt'),
    ('PATCH', '/prompts/{prompt_id}', 'UpdateLLMObsPrompt'),
    ('DELETE', '/prompts/{prompt_id}', 'DeleteLLMObsPrompt'),
    ('GET', '/prompts/{prompt_id}/versions', 'ListLLMObsPromptVersions'),
    ('POST', '/prompts/{prompt_id}/versions', 'CreateLLMObsPromptVersion'),
    ('GET', '/prompts/{prompt_id}/versions/{version}', 'GetLLMObsPromptVersion'),
    ('PATCH', '/prompts/{prompt_id}/versions/{version}', 'UpdateLLMObsPromptVersion'),
    ('GET', '/projects', 'ListLLMObsProjects'),
    ('POST', '/projects', 'CreateLLMObsProject'),
    ('POST', '/projects/delete', 'DeleteLLMObsProjects'),
    ('PATCH', '/projects/{project_id}', 'UpdateLLMObsProject'),
    ('POST', '/{project_id}/datasets/delete', 'DeleteLLMObsDatasets'),
    ('GET', '/{project_id}/datasets', 'ListLLMObsDatasets'),
    ('POST', '/{project_id}/datasets', 'CreateLLMObsDataset'),
    ('PATCH', '/{project_id}/datasets/{dataset_id}', 'UpdateLLMObsDataset'),
    ('POST', '/{project_id}/datasets/{dataset_id}/clone', 'CloneLLMObsDataset'),
    ('POST', '/{project_id}/datasets/{dataset_id}/batch_update', 'BatchUpdateLLMObsDataset'),
    ('GET', '/{project_id}/datasets/{dataset_id}/versions', 'ListLLMObsDatasetVersions'),
    ('POST', '/{project_id}/datasets/{dataset_id}/restore', 'RestoreLLMObsDatasetVersion'),
    ('GET', '/{project_id}/datasets/{dataset_id}/export', 'ExportLLMObsDataset'),
    ('GET', '/{project_id}/datasets/{dataset_id}/draft_state', 'GetLLMObsDatasetDraftState'),
    ('PATCH', '/{project_id}/datasets/{dataset_id}/draft_state/lock', 'LockLLMObsDatasetDraftState'),
    ('PATCH', '/{project_id}/datasets/{dataset_id}/draft_state/unlock', 'UnlockLLMObsDatasetDraftState'),
    ('GET', '/experiments', 'ListLLMObsExperiments'),
    ('POST', '/experiments', 'CreateLLMObsExperiment'),
    ('POST', '/experiments/delete', 'DeleteLLMObsExperiments'),
    ('PATCH', '/experiments/{experiment_id}', 'UpdateLLMObsExperiment'),
    ('POST', '/experiments/{experiment_id}/events', 'CreateLLMObsExperimentEvents'),
    ('GET', '/experiments/{experiment_id}/events', 'ListLLMObsExperimentEventsV1'),
    ('GET', '/api/v2/llm-obs/v2/experiments/{experiment_id}/events', 'ListLLMObsExperimentEventsV2'),
    ('GET', '/api/v2/llm-obs/v3/experiments/{experiment_id}/events', 'ListLLMObsExperimentEvents'),
    ('POST', '/{project_id}/datasets/{dataset_id}/records/delete', 'DeleteLLMObsDatasetRecords'),
    ('GET', '/{project_id}/datasets/{dataset_id}/records', 'ListLLMObsDatasetRecords'),
    ('POST', '/{project_id}/datasets/{dataset_id}/records', 'CreateLLMObsDatasetRecords'),
    ('PATCH', '/{project_id}/datasets/{dataset_id}/records', 'UpdateLLMObsDatasetRecords'),
]
# Operations whose request body is limited in size (413 beyond).
SIZE_LIMITED = ('BatchUpdateLLMObsDataset',)
# Writes that take no request body (one sent is ignored).
BODYLESS = ('LockLLMObsDatasetDraftState', 'UnlockLLMObsDatasetDraftState')
# Request headers an operation reads: (its keyword argument, the header).
HEADER_ARGUMENTS = {'ExportLLMObsDataset': (('accept', 'Accept'),)}


def _compile(template):
    pattern = re.sub(r'\{(\w+)\}', r'(?P<\1>[^/]+)', template)
    return re.compile('^' + ('' if template.startswith('/api/') else re.escape(API_PREFIX)) + pattern + '$')


COMPILED_ROUTES = [(method, _compile(template), operation) for method, template, operation in ROUTES]


def match_route(method, path):
    """(operationId, path parameters) or (None, None); ('', None) when only the method is wrong."""
    path_known = False
    for route_method, pattern, operation in COMPILED_ROUTES:
        found = pattern.match(path)
        if found:
            path_known = True
            if route_method == method:
                return operation, dict((name, unquote(value)) for name, value in found.groupdict().items())
    return ('' if path_known else None), None


# ---------------------------------------------------------------------- endless lists


def endless_cursor(page):
    """The cursor of page ``page`` of an endless list (apart from the store's cursors)."""
    return base64.urlsafe_b64encode(json.dumps({'endless': page}).encode()).decode().rstrip('=')


def endless_page_number(cursor):
    """The page an endless list's cursor asks for, or None when it is not such a cursor."""
    if not cursor:
        return None
    try:
        padded = cursor + '=' * (-len(cursor) % 4)
        document = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        return int(document['endless'])
    except (ValueError, KeyError, TypeError):
        return None


def endless_page(operation, params, query, page, numbers, records_shape='nested'):
    """One page of a list that never ends: new items (ids never served before) and a next cursor, always.

    ``numbers`` gives the item numbers (shared by every endless list of the emulator, so no id
    comes back); items look like the operation's real ones, named ``endless-<n>``.
    """
    limit = min(_page_params(dict((k, v) for k, v in query.items() if k != 'page[cursor]'))[0], ENDLESS_PAGE_ITEMS)
    now = utc_now()
    items = []
    for dummy in range(limit):
        number = next(numbers)
        item_id = str(uuid.uuid5(uuid.NAMESPACE_URL, 'llmobs-emulator:endless:%d' % number))
        if operation == 'ListLLMObsProjects':
            items.append({'id': item_id, 'type': 'projects', 'attributes': {
                'name': 'endless-%d' % number, 'description': '', 'created_at': now, 'updated_at': now}})
        elif operation == 'ListLLMObsDatasets':
            items.append({'id': item_id, 'type': 'datasets', 'attributes': {
                'name': 'endless-%d' % number, 'description': '', 'metadata': None, 'current_version': 0,
                'created_at': now, 'updated_at': now, 'author': {'id': AUTHOR_ID}, 'dataset_type': 'user',
                'project_id': params['project_id']}})
        elif operation == 'ListLLMObsExperiments':
            items.append({'id': item_id, 'type': 'experiments', 'attributes': {
                'name': 'endless-%d' % number, 'project_id': query.get('filter[project_id]', ''),
                'dataset_id': query.get('filter[dataset_id]', ''), 'description': '', 'metadata': None,
                'config': None, 'created_at': now, 'updated_at': now}})
        elif operation == 'ListLLMObsCustomEvalConfigs':
            items.append({'id': 'endless-%d' % number, 'type': 'evaluator_config', 'attributes': {
                'eval_name': 'endless-%d' % number, 'category': 'Custom', 'created_at': now, 'updated_at': now,
                'target': {'application_name': 'endless', 'enabled': False},
                'llm_judge_config': {'inference_params': {}}}})
        elif operation == 'ListLLMObsPrompts':
            items.append({'id': item_id, 'type': 'prompt-templates', 'attributes': {
                'prompt_id': 'endless-%d' % number, 'created_at': now, 'created_from': 'sdk-registry', 'in_registry': True,
                'last_version_created_at': now, 'num_versions': 1, 'source': 'registry'}})
        elif operation == 'ListLLMObsExperimentEvents':
            items.append({'id': item_id, 'span_id': 'endless-%d' % number, 'trace_id': uuid.UUID(item_id).hex,
                          'dataset_record_id': None, 'name': 'endless-%d' % number, 'status': 'ok',
                          'duration': 1000000.0, 'start_ns': 1705314600000000000 + number, 'meta': {'input': number},
                          'tags': [], 'metrics': {}, 'eval_metrics': []})
        else:
            fields = {'dataset_id': params['dataset_id'], 'input': {'endless': number}, 'expected_output': None,
                      'metadata': None, 'tags': [], 'canonical_id': item_id, 'created_at': now, 'updated_at': now}
            if records_shape == 'flat':
                items.append(dict(fields, id='endless-%d' % number))
            else:
                items.append({'id': 'endless-%d' % number, 'type': 'records', 'attributes': fields})
    if operation == 'ListLLMObsExperimentEvents':
        return {'data': {'id': params['experiment_id'], 'type': 'experiment_events',
                         'attributes': {'spans': items, 'summary_metrics': []}},
                'meta': {'after': endless_cursor(page + 1)}}
    return {'data': items, 'meta': {'after': endless_cursor(page + 1)}}


# ---------------------------------------------------------------------- the emulator


def _number(value, name, minimum=0, whole=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) or math.isinf(value):
        raise ValueError('%s must be a number' % name)
    if whole and int(value) != value:
        raise ValueError('%s must be a whole number' % name)
    if value < minimum:
        raise ValueError('%s must be at least %s' % (name, minimum))
    return int(value) if whole else float(value)


def check_rate_limit(limit):
    """``{"limit": N, "period": SECONDS}`` or None, checked."""
    if limit is None:
        return None
    if not isinstance(limit, dict) or set(limit) != {'limit', 'period'}:
        raise ValueError('rate_limit is {"limit": N, "period": SECONDS} or null')
    return {'limit': _number(limit['limit'], 'rate_limit.limit', 1, whole=True),
            'period': _number(limit['period'], 'rate_limit.period', 0.001)}


class Emulator(object):
    """State, behaviours and the request log, shared by every connection."""

    SETTINGS = ('lag', 'records_lag', 'latency_ms', 'inexact_name_filter', 'rate_limit', 'page_churn',
                'dataset_create_status', 'records_shape', 'max_batch_records', 'max_batch_bytes', 'log_bodies',
                'version_ttl_seconds', 'experiment_create_status', 'experiment_patch_body', 'summary_metrics_pages',
                'experiments_last_after', 'evaluator_put_body', 'evaluator_null_fields', 'evaluator_server_fields',
                'evaluators_page_size',
                'prompts_page_size', 'prompt_filter_prefix', 'prompt_labels_move', 'prompt_config_authoring')

    def __init__(self, seeds=(), lag=0.0, inexact_name_filter=False, rate_limit=None, faults=(),
                 api_key=None, app_key=None, latency_ms=0, dataset_create_status=201, records_shape='nested',
                 records_lag=0.0, experiment_create_status=200, experiment_patch_body=False):
        self.seeds = [check_seed(seed) for seed in seeds]
        self.startup = dict(lag=lag, records_lag=records_lag, latency_ms=latency_ms, inexact_name_filter=inexact_name_filter,
                            rate_limit=rate_limit, page_churn=0, dataset_create_status=dataset_create_status,
                            records_shape=records_shape, max_batch_records=MAX_BATCH_RECORDS,
                            max_batch_bytes=MAX_BATCH_BYTES, log_bodies=True, version_ttl_seconds=None,
                            experiment_create_status=experiment_create_status,
                            experiment_patch_body=experiment_patch_body, summary_metrics_pages='first',
                            experiments_last_after=None, evaluator_put_body=False, evaluator_null_fields=False,
                            evaluator_server_fields=False,
                            evaluators_page_size=None, prompts_page_size=None, prompt_filter_prefix=False,
                            prompt_labels_move=True, prompt_config_authoring=True)
        self.startup_faults = [f.to_json() for f in faults]
        self.api_key = api_key
        self.app_key = app_key
        self.log_lock = threading.Lock()
        self.reset()

    def reset(self):
        self.store = Store()
        for seed in self.seeds:
            self.store.load_seed(seed)
        self.api = DatadogAPI(self.store)
        self.faults = FaultBook()
        for fault in self.startup_faults:
            self.faults.add(Fault.from_json(fault))
        self.rate_limiter = None
        self.latency = 0.0
        self.log_bodies = True
        self.endless_numbers = itertools.count(1)
        self.configure(self.startup)
        with self.log_lock:
            self.requests = []

    def configure(self, changes):
        """Change settings at run time (PATCH /_emulator/config); all are checked before any is applied."""
        if not isinstance(changes, dict):
            raise ValueError('the configuration is a JSON object')
        unknown = sorted(set(changes) - set(self.SETTINGS))
        if unknown:
            raise ValueError('unknown setting(s) %s; known: %s' % (', '.join(unknown), ', '.join(self.SETTINGS)))
        checked = {}
        for name, value in changes.items():
            if name in ('lag', 'records_lag', 'latency_ms'):
                checked[name] = _number(value, name)
            elif name == 'version_ttl_seconds':
                checked[name] = None if value is None else _number(value, name)
            elif name in ('page_churn', 'max_batch_records', 'max_batch_bytes'):
                checked[name] = _number(value, name, 0 if name == 'page_churn' else 1, whole=True)
            elif name in ('evaluators_page_size', 'prompts_page_size'):
                checked[name] = None if value is None else _number(value, name, 1, whole=True)
            elif name in ('inexact_name_filter', 'log_bodies', 'experiment_patch_body', 'evaluator_put_body',
                          'evaluator_null_fields', 'evaluator_server_fields', 'prompt_filter_prefix', 'prompt_labels_move', 'prompt_config_authoring'):
                if not isinstance(value, bool):
                    raise ValueError('%s must be true or false' % name)
                checked[name] = value
            elif name == 'rate_limit':
                checked[name] = check_rate_limit(value)
            elif name in ('dataset_create_status', 'experiment_create_status'):
                if value not in CREATE_STATUSES or isinstance(value, bool):
                    raise ValueError('%s must be 200 or 201' % name)
                checked[name] = value
            elif name == 'summary_metrics_pages':
                if value not in SUMMARY_PAGES:
                    raise ValueError('summary_metrics_pages must be first or every')
                checked[name] = value
            elif name == 'experiments_last_after':
                if value not in LAST_AFTER:
                    raise ValueError('experiments_last_after must be null, "" or "absent"')
                checked[name] = value
            elif name == 'records_shape':
                if value not in RECORD_SHAPES:
                    raise ValueError('records_shape must be nested or flat')
                checked[name] = value
        for name, value in checked.items():
            if name == 'lag':
                self.store.lag = value
            elif name == 'records_lag':
                self.store.records_lag = value
            elif name == 'version_ttl_seconds':
                self.store.version_ttl = value
            elif name == 'latency_ms':
                self.latency = value / 1000.0
            elif name == 'inexact_name_filter':
                self.store.inexact_name_filter = value
            elif name == 'rate_limit':
                self.rate_limiter = RateLimiter(value['limit'], value['period']) if value else None
            elif name == 'log_bodies':
                self.log_bodies = value
            elif name == 'prompt_labels_move':
                self.store.prompt_labels_move = value
            else:
                setattr(self.api, name, value)

    def config(self):
        return {'lag': self.store.lag, 'records_lag': self.store.records_lag, 'latency_ms': self.latency * 1000.0,
                'inexact_name_filter': self.store.inexact_name_filter, 'page_churn': self.api.page_churn,
                'rate_limit': self.rate_limiter.to_json() if self.rate_limiter else None,
                'dataset_create_status': self.api.dataset_create_status, 'records_shape': self.api.records_shape,
                'max_batch_records': self.api.max_batch_records, 'max_batch_bytes': self.api.max_batch_bytes,
                'log_bodies': self.log_bodies, 'version_ttl_seconds': self.store.version_ttl,
                'experiment_create_status': self.api.experiment_create_status,
                'experiment_patch_body': self.api.experiment_patch_body,
                'summary_metrics_pages': self.api.summary_metrics_pages,
                'experiments_last_after': self.api.experiments_last_after,
                'evaluator_put_body': self.api.evaluator_put_body,
                'evaluator_null_fields': self.api.evaluator_null_fields,
                'evaluator_server_fields': self.api.evaluator_server_fields,
                'evaluators_page_size': self.api.evaluators_page_size,
                'prompts_page_size': self.api.prompts_page_size,
                'prompt_filter_prefix': self.api.prompt_filter_prefix,
                'prompt_labels_move': self.store.prompt_labels_move,
                'prompt_config_authoring': self.api.prompt_config_authoring,
                'keys_checked': self.api_key is not None or self.app_key is not None,
                'checked_keys': [name for name, key in (('api_key', self.api_key), ('app_key', self.app_key))
                                 if key is not None]}

    def log(self, entry):
        with self.log_lock:
            entry['seq'] = len(self.requests) + 1
            self.requests.append(entry)
            return entry

    def check_keys(self, headers):
        api_key, app_key = headers.get('DD-API-KEY'), headers.get('DD-APPLICATION-KEY')
        if not api_key:
            raise APIProblem(401, 'missing API key', header='DD-API-KEY')
        if not app_key:
            raise APIProblem(401, 'missing application key', header='DD-APPLICATION-KEY')
        if self.api_key is not None and api_key != self.api_key:
            raise APIProblem(403, 'invalid API key', header='DD-API-KEY')
        if self.app_key is not None and app_key != self.app_key:
            raise APIProblem(403, 'invalid application key', header='DD-APPLICATION-KEY')


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'llmobs-emulator/1.0'
    # Headers and body leave in two writes; without TCP_NODELAY the body waits for the client's
    # delayed ACK (40 ms on Linux) and every answer looks 40 ms slower than the service is.
    disable_nagle_algorithm = True
    emulator = None  # set by make_server

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass  # the request log at /_emulator/requests replaces the access log

    # -------------------------------------------------------------- plumbing

    def _read_body(self):
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length else b''

    def _send(self, status, body=None, content_type='application/json', headers=None, drip=None, cut_after=None):
        """Send an answer. ``body``: bytes, a JSON value, a Streamed body, or None (no body: no
        Content-Type either). ``drip``: see _send_dripping. ``cut_after``: send only that many bytes of
        the body, then close; returns (bytes of the body sent, its size; None when a Streamed body was
        cut)."""
        if isinstance(body, Streamed):
            if drip is None:
                return self._send_streamed(status, body, headers, cut_after)
            content_type, body = body.content_type, b''.join(body.chunks)
        payload = body if isinstance(body, bytes) else (b'' if body is None else json.dumps(body).encode())
        typed = bool(payload) or (status != 204 and body is not None)
        if drip is not None:
            return self._send_dripping(status, payload, content_type if typed else None, headers, drip)
        self.send_response(status)
        if typed:
            self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        size = len(payload)
        if cut_after is not None:
            self.close_connection = True
            payload = payload[:cut_after]
        if payload:
            try:
                self.wfile.write(payload)
            except OSError:
                self.close_connection = True
        return (len(payload), size) if cut_after is not None else None

    def _send_streamed(self, status, streamed, headers, cut_after=None):
        """Send a Streamed body chunk by chunk as it is made (chunked transfer encoding). With
        ``cut_after``, stop once that many bytes of the body are sent, in the middle of a chunk, and
        close. Returns (bytes of the body sent, its size or None when it was cut)."""
        self.send_response(status)
        self.send_header('Content-Type', streamed.content_type)
        self.send_header('Transfer-Encoding', 'chunked')
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        sent = 0
        try:
            for chunk in streamed.chunks:
                if cut_after is not None and sent + len(chunk) > cut_after:
                    part = chunk[:cut_after - sent]
                    self.wfile.write(b'%x\r\n' % len(chunk) + part)
                    self.close_connection = True
                    return sent + len(part), None
                self.wfile.write(b'%x\r\n' % len(chunk) + chunk + b'\r\n')
                sent += len(chunk)
            self.wfile.write(b'0\r\n\r\n')
        except OSError:
            self.close_connection = True   # the client hung up
            return sent, None
        if cut_after is not None:
            self.close_connection = True
        return sent, sent

    def _send_dripping(self, status, payload, content_type, headers, drip):
        """Send the whole answer, status line and headers included, ``drip[0]`` bytes at a time with
        ``drip[1]`` seconds between writes; stop as soon as the client has hung up. Returns the bytes
        sent and the answer's size."""
        lines = ['HTTP/1.1 %d %s' % (status, self.responses.get(status, ('',))[0]),
                 'Server: %s' % self.version_string(), 'Date: %s' % email.utils.formatdate(usegmt=True)]
        if content_type is not None:
            lines.append('Content-Type: %s' % content_type)
        lines.append('Content-Length: %d' % len(payload))
        lines.extend('%s: %s' % item for item in (headers or {}).items())
        answer = ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1') + payload
        size, pause = drip
        self.close_connection = True
        sent = 0
        while sent < len(answer):
            if sent and (self._client_gone() or self.server.stopping.wait(pause)):
                break
            try:
                self.wfile.write(answer[sent:sent + size])
            except OSError:
                break
            sent += size
        return min(sent, len(answer)), len(answer)

    def _client_gone(self):
        """Whether the client closed its side (readable with nothing to read) or the socket failed."""
        try:
            readable = select.select([self.connection], [], [], 0)[0]
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b''
        except (OSError, ValueError):
            return True

    def _drop(self):
        """Close the connection without a byte of answer."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def do_GET(self):  # noqa: N802
        self._dispatch()

    def do_POST(self):  # noqa: N802
        self._dispatch()

    def do_PATCH(self):  # noqa: N802
        self._dispatch()

    def do_DELETE(self):  # noqa: N802
        self._dispatch()

    def do_PUT(self):  # noqa: N802
        self._dispatch()

    def _dispatch(self):
        parts = urlsplit(self.path)
        if parts.path == CONTROL_PREFIX or parts.path.startswith(CONTROL_PREFIX + '/'):
            self._control(parts.path[len(CONTROL_PREFIX):] or '/', parts.query)
        else:
            self._api(parts.path, parts.query)

    # -------------------------------------------------------------- Datadog API

    def _api(self, path, raw_query):
        emulator = self.emulator
        raw_body = self._read_body()
        if emulator.latency:
            time.sleep(emulator.latency)  # the distance to Datadog, before anything else happens
        query = Query(parse_qs(raw_query, keep_blank_values=True))
        entry = {'time': time.time(), 'method': self.command, 'path': path, 'query': query,
                 'body': _loggable_body(raw_body, emulator.log_bodies), 'headers': _loggable_headers(self.headers)}
        operation, params = match_route(self.command, path)
        entry['operation'] = operation or None

        if emulator.rate_limiter is not None:
            allowed, limit_headers = emulator.rate_limiter.check()
            if not allowed:
                entry.update(status=429, fault=False)
                emulator.log(entry)
                return self._send(429, {'errors': ['Too many requests']}, headers=limit_headers)

        # The next page of an endless list continues it, whatever faults are left: its cursor says so.
        endless_page_next = endless_page_number(query.get('page[cursor]')) if operation in LIST_OPERATIONS else None
        if endless_page_next is not None:
            fault = Fault(operation=operation, endless=True, times=None)
        else:
            fault = emulator.faults.take(operation) if operation else None
        entry['fault'] = fault.to_json() if fault else None
        if fault is not None and fault.delay:
            time.sleep(fault.delay)

        status, body, content_type, headers = None, None, 'application/json', {}
        if fault is not None and fault.endless:
            status, body = self._call(operation, params, query, raw_body, check_only=True)
            if status is None:
                status, body = 200, endless_page(operation, params, query, endless_page_next or 0,
                                                 emulator.endless_numbers, emulator.api.records_shape)
        elif fault is None or fault.acts:
            status, body = self._call(operation, params, query, raw_body)
        if fault is not None and fault.drop:
            entry['status'] = 'dropped'
            emulator.log(entry)
            return self._drop()
        if fault is not None and (fault.status is not None or fault.body != 'json'):
            status = fault.status if fault.status is not None else status
            content_type, body = fault.error_body(status, self.headers.get('DD-API-KEY'))
            if status == 429 and fault.reset is not None:
                headers = {'X-RateLimit-Limit': '60', 'X-RateLimit-Period': '60', 'X-RateLimit-Remaining': '0',
                           'X-RateLimit-Reset': str(fault.reset), 'X-RateLimit-Name': RateLimiter.name}
        entry['status'] = status
        if fault is not None and fault.drip is not None:
            entry['dripped'] = {}
            emulator.log(entry)
            sent, total = self._send(status, body, content_type, headers, drip=fault.drip)
            entry['dripped'] = {'sent': sent, 'of': total}  # a new value, not a new key: the log may be read now
            return None
        if fault is not None and fault.cut_after is not None:
            entry['cut'] = {}
            emulator.log(entry)
            sent, total = self._send(status, body, content_type, headers, cut_after=fault.cut_after)
            entry['cut'] = {'sent': sent, 'of': total}
            return None
        emulator.log(entry)
        return self._send(status, body, content_type, headers)

    def _call(self, operation, params, query, raw_body, check_only=False):
        """(status, body) of the operation; ``check_only``: (None, None) once the keys and the
        project and dataset of the path check out, without acting (an endless list's pages)."""
        try:
            self.emulator.check_keys(self.headers)
            if check_only:
                if 'project_id' in (params or {}):
                    self.emulator.store.project(params['project_id'])
                if 'dataset_id' in (params or {}):
                    self.emulator.store.dataset(params['project_id'], params['dataset_id'])
                if 'experiment_id' in (params or {}):
                    self.emulator.store.experiment(params['experiment_id'])
                _page_params(dict((k, v) for k, v in query.items() if k != 'page[cursor]'))
                return None, None
            if operation is None:
                raise APIProblem(404, 'no such API path in the emulator: %s' % urlsplit(self.path).path)
            if operation == '':
                raise APIProblem(404, 'method %s is not allowed on this path' % self.command)
            if operation in SIZE_LIMITED and len(raw_body) > self.emulator.api.max_batch_bytes:
                raise APIProblem(413, 'the request body is %d bytes; at most %d are accepted'
                                 % (len(raw_body), self.emulator.api.max_batch_bytes))
            body = None
            if self.command in ('POST', 'PATCH', 'PUT') and operation not in BODYLESS:
                try:
                    body = json.loads(raw_body.decode('utf-8')) if raw_body else None
                except ValueError:
                    raise APIProblem(400, 'the request body is not valid JSON', pointer='/')
                if body is None:
                    raise APIProblem(400, 'a JSON request body is required', pointer='/')
            arguments = dict(params)
            for argument, header in HEADER_ARGUMENTS.get(operation, ()):
                arguments[argument] = self.headers.get(header)
            return getattr(self.emulator.api, operation)(query, body, **arguments)
        except APIProblem as problem:
            return problem.status, problem.body
        except NotFound as missing:
            return 404, APIProblem(404, str(missing)).body
        except LockHeld as held:
            return 400, APIProblem(400, str(held)).body

    # -------------------------------------------------------------- control API

    def _control(self, path, raw_query):
        emulator = self.emulator
        raw_body = self._read_body()
        try:
            body = json.loads(raw_body.decode('utf-8')) if raw_body else {}
        except ValueError:
            return self._send(400, {'error': 'the request body is not valid JSON'})
        query = dict((k, v[-1]) for k, v in parse_qs(raw_query, keep_blank_values=True).items())
        route = (self.command, path.rstrip('/') or '/')
        try:
            if route == ('GET', '/health'):
                return self._send(200, {'status': 'ok'})
            if route == ('GET', '/requests'):
                with emulator.log_lock:
                    return self._send(200, {'requests': list(emulator.requests)})
            if route == ('DELETE', '/requests'):
                with emulator.log_lock:
                    emulator.requests = []
                return self._send(204)
            if route == ('GET', '/faults'):
                return self._send(200, {'faults': emulator.faults.to_json()})
            if route == ('POST', '/faults'):
                for fault in body.get('faults', [body]) if isinstance(body, dict) else body:
                    emulator.faults.add(Fault.from_json(fault))
                return self._send(200, {'faults': emulator.faults.to_json()})
            if route == ('DELETE', '/faults'):
                emulator.faults.clear()
                return self._send(204)
            if route == ('GET', '/config'):
                return self._send(200, emulator.config())
            if route == ('PATCH', '/config'):
                emulator.configure(body)
                return self._send(200, emulator.config())
            if route == ('GET', '/state'):
                return self._send(200, emulator.store.snapshot(with_records=query.get('records') not in ('0', 'false')))
            if route == ('POST', '/reset'):
                emulator.reset()
                return self._send(200, emulator.store.snapshot())
            if route == ('POST', '/seed'):
                emulator.store.load_seed(check_seed(body))
                return self._send(200, emulator.store.snapshot())
            if route == ('POST', '/datasets/bulk'):
                return self._send(200, _bulk_datasets(emulator.store, body))
            if route == ('POST', '/records/bulk'):
                return self._send(200, _bulk_records(emulator.store, body))
            if route[1] == '/evaluators' or route[1].startswith('/evaluators/') or route[1] == '/prompts' \
                    or route[1].startswith('/prompts/'):
                return self._send(*_config_control(emulator.store, route, body))
            if route == ('POST', '/experiments'):
                return self._send(201, {'experiments': [e.to_json() for e in _add_experiments(emulator.store, body)]})
            found = EXPERIMENT_CONTROL.match(route[1])
            if found and route[0] == 'GET':
                return self._send(200, emulator.store.experiment_view(found.group(1)))
            if found and route[0] == 'PATCH':
                fields = check_experiment(body, 'the body', (), partial=True)
                return self._send(200, emulator.store.change_experiment(found.group(1), fields).to_json())
            found = DATASET_CONTROL.match(route[1])
            if found and (route[0], found.group(2)) in DATASET_CONTROL_ROUTES:
                dataset_id = found.group(1)
                DATASET_CONTROL_ROUTES[(route[0], found.group(2))](emulator.store, dataset_id, body)
                return self._send(200, emulator.store.dataset_view(dataset_id))
        except (FaultError, KeyError, TypeError, ValueError) as problem:
            return self._send(400, {'error': str(problem)})
        except NotFound as missing:
            return self._send(404, {'error': str(missing)})
        return self._send(404, {'error': 'unknown control route %s %s' % route})


def _config_control(store, route, body):
    """(status, body) of the control routes of evaluators and prompts (docs/emulator.md)."""
    method, path = route
    if path == '/evaluators' and method == 'GET':
        return 200, {'evaluators': store.evaluators_view()}
    if path == '/evaluators' and method == 'POST':
        items = _checked_keys(body, ('evaluators',), '{"evaluators": [...]}').get('evaluators')
        if not isinstance(items, list):
            raise ValueError('evaluators must be a list')
        checked = [check_evaluator_item(item, 'evaluators[%d]' % index) for index, item in enumerate(items)]
        names = set(item['eval_name'] for item in checked)
        store.add_evaluators(checked)
        return 201, {'evaluators': [e for e in store.evaluators_view() if e['eval_name'] in names]}
    if path.startswith('/evaluators/'):
        name = unquote(path[len('/evaluators/'):])
        with store.lock:
            if name not in store.evaluators:
                raise NotFound('custom evaluator configuration %s not found' % name)
            if method == 'DELETE':
                del store.evaluators[name]          # at once, whatever the lag: someone deleted it in the UI
                store.evaluator_shadows.pop(name, None)
                return 204, None
            if method == 'GET':
                return 200, [e for e in store.evaluators_view() if e['eval_name'] == name][0]
    if path == '/prompts' and method == 'GET':
        return 200, {'prompts': store.prompts_view()}
    if path == '/prompts' and method == 'POST':
        items = _checked_keys(body, ('prompts',), '{"prompts": [...]}').get('prompts')
        if not isinstance(items, list):
            raise ValueError('prompts must be a list')
        with store.lock:
            earlier = dict((p.prompt_id, [v.template for v in p.versions]) for p in store.prompts.values())
            checked = [check_prompt_item(item, 'prompts[%d]' % index, earlier) for index, item in enumerate(items)]
            made = store.add_prompts(checked)
            return 201, {'prompts': [view for prompt in made for view in store.prompts_view(prompt.prompt_id)
                                     if view['id'] == prompt.id]}
    if path.startswith('/prompts/') and method == 'GET':
        prompt_id = unquote(path[len('/prompts/'):])
        views = [view for view in store.prompts_view(prompt_id) if not view['deleted']]
        if not views:
            raise NotFound('prompt %s not found' % prompt_id)
        return 200, views[0]
    return 404, {'error': 'unknown control route %s %s' % route}


def _bulk_datasets(store, body):
    """Make many datasets at once (for size benchmarks): names ``<prefix><n>``, listed at once."""
    project_id = body['project_id']
    count = _number(body['count'], 'count', whole=True)
    prefix = body.get('name_prefix', 'bulk-')
    with store.lock:
        for number in range(count):
            store.add_dataset(project_id, '%s%d' % (prefix, number), visible_now=True)
    return {'created': count}


def _bulk_records(store, body):
    """Add many generated records to a dataset at once (for benchmarks); see Store.bulk_records."""
    if not isinstance(body, dict):
        raise ValueError('the body is {"project_id", "dataset_id", "count", "size_bytes", "id_prefix", "create_new_version"}')
    count = _number(body['count'], 'count', whole=True)
    size_bytes = _number(body.get('size_bytes', 0), 'size_bytes', whole=True)
    id_prefix = body.get('id_prefix')
    if id_prefix is not None and not (isinstance(id_prefix, str) and RECORD_ID_PATTERN.match(id_prefix + '0')):
        raise ValueError('id_prefix must be letters, digits, "_", "." or "-"')
    new_version = body.get('create_new_version', False)
    if not isinstance(new_version, bool):
        raise ValueError('create_new_version must be true or false')
    started = time.monotonic()
    total = store.bulk_records(body['project_id'], body['dataset_id'], count, size_bytes, id_prefix, new_version)
    dataset = store.dataset(body['project_id'], body['dataset_id'])
    return {'added': count, 'records': total, 'current_version': dataset.current_version,
            'seconds': round(time.monotonic() - started, 3)}


def _checked_keys(body, known, what):
    if not isinstance(body, dict):
        raise ValueError('the body is a JSON object: %s' % what)
    unknown = sorted(set(body) - set(known))
    if unknown:
        raise ValueError('unknown key(s) %s; the body is %s' % (', '.join(unknown), what))
    return body


def _add_experiments(store, body):
    """POST /_emulator/experiments: every experiment checked, against the store too, before any is added."""
    items = _checked_keys(body, ('experiments',), '{"experiments": [...]}').get('experiments')
    if not isinstance(items, list):
        raise ValueError('experiments must be a list')
    checked = [check_experiment(item, 'experiments[%d]' % index, ('project_id', 'dataset_id'))
               for index, item in enumerate(items)]
    return store.add_experiments([(fields['project_id'], fields['dataset_id'], fields) for fields in checked])


def _set_dataset_times(store, dataset_id, body):
    what = '{"created_at": ISO 8601, "updated_at": ISO 8601}, either or both'
    _checked_keys(body, ('created_at', 'updated_at'), what)
    if not body:
        raise ValueError('nothing to change; the body is %s' % what)
    store.set_dataset_times(dataset_id, *[parse_time(body[key], key) if key in body else None
                                          for key in ('created_at', 'updated_at')])


USER_KEYS = ('id', 'email', 'handle', 'icon', 'name')


def _hold_draft(store, dataset_id, body):
    what = '{"user": {"id", "email", "handle", "icon", "name"} or null, "drafting_since": ISO 8601}'
    _checked_keys(body, ('user', 'drafting_since'), what)
    if 'user' not in body:
        raise ValueError('user is missing; the body is %s' % what)
    user = body['user']
    if user is not None:
        _checked_keys(user, USER_KEYS, 'a user: ' + ', '.join(USER_KEYS))
        for key, value in user.items():
            if not isinstance(value, str) or (key == 'id' and not value.strip()):
                raise ValueError('user.%s must be a %sstring' % (key, 'non-empty ' if key == 'id' else ''))
        if 'id' not in user:
            raise ValueError('user.id is missing')
    since = body.get('drafting_since')
    store.hold_draft(dataset_id, user, parse_time(since, 'drafting_since') if since is not None else None)


def _expire_versions(store, dataset_id, body):
    store.expire_versions(dataset_id, _checked_keys(body, ('versions',), '{"versions": [N, ...]}').get('versions'))


# /experiments/{experiment_id} of the control API: GET (with statistics of its events) and PATCH.
EXPERIMENT_CONTROL = re.compile(r'^/experiments/([^/]+)$')
# /datasets/{dataset_id}[/<action>] of the control API: (method, action) -> what it does.
DATASET_CONTROL = re.compile(r'^/datasets/([^/]+)(|/draft_state|/expire)$')
DATASET_CONTROL_ROUTES = {('PATCH', ''): _set_dataset_times, ('POST', '/draft_state'): _hold_draft,
                          ('POST', '/expire'): _expire_versions}


def _loggable_body(raw, keep=True):
    if not raw:
        return None
    if not keep or len(raw) > LOGGED_BODY_BYTES:
        return '<%d bytes, not kept>' % len(raw)
    try:
        return json.loads(raw.decode('utf-8'))
    except ValueError:
        return raw.decode('utf-8', 'replace')


def _loggable_headers(headers):
    """The headers tests care about; the keys are never logged, only whether they were sent."""
    logged = {}
    for name in ('Content-Type', 'Accept', 'User-Agent'):
        if headers.get(name):
            logged[name] = headers.get(name)
    for name in ('DD-API-KEY', 'DD-APPLICATION-KEY'):
        logged[name] = '<redacted>' if headers.get(name) else None
    return logged


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *args, **kwargs):
        # Set when the server stops: answers being dripped end at once.
        self.stopping = threading.Event()
        ThreadingHTTPServer.__init__(self, *args, **kwargs)

    def shutdown(self):
        self.stopping.set()
        ThreadingHTTPServer.shutdown(self)

    def server_close(self):
        self.stopping.set()
        ThreadingHTTPServer.server_close(self)


def make_server(emulator, host='127.0.0.1', port=0, ssl_context=None):
    handler = type('BoundHandler', (Handler,), {'emulator': emulator})
    server = EmulatorServer((host, port), handler)
    if ssl_context is not None:
        server.socket = ssl_context.wrap_socket(server.socket, server_side=True)
    return server
