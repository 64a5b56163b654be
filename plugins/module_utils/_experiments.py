# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The experiments resource: its paths, bodies and facts, and every request made about experiments.

The collection never creates or runs an experiment (ddtrace does); it reads them, reads their events
(one span per dataset record, with its evaluations), updates their name, description and metadata, and
deletes them.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import OptionHint
from ansible_collections.llmobs.datadog.plugins.module_utils._jsonapi import API_PREFIX, attributes_of
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import Names
from ansible_collections.llmobs.datadog.plugins.module_utils._text import counted
from ansible_collections.llmobs.datadog.plugins.module_utils._timestamps import parse_time
from ansible_collections.llmobs.datadog.plugins.module_utils._transport import path_segment

EXPERIMENTS_PATH = API_PREFIX + '/experiments'
# The events of an experiment are read from the v3 route, the only one that pages them.
EVENTS_PREFIX = '/api/v2/llm-obs/v3/experiments'

# Asked for per page: the most the list serves (ListLLMObsExperiments clamps page[limit] at 5,000).
EXPERIMENT_PAGE_LIMIT = 5000

# Spans asked for per page of events. A span carries its input, output and evaluations (an LLM judge's
# reasoning is long: about 5 KB of JSON a span, and some runs carry five times that), and a page is decoded
# whole: 500 spans keep a page near 2.5 MB of JSON (12 MB at 25 KB a span), so memory stays flat whatever
# the number of records and the size of a span, for 20 requests per 10,000 records.
EVENT_PAGE_LIMIT = 500

# The statuses the API gives (LLMObsExperimentStatus); only ``running`` means more events may come.
RUNNING = 'running'

EXPERIMENT_HINTS = {404: OptionHint(('experiment_id', 'name'), 'the experiment does not exist (or was deleted).')}


def experiment_facts(item):
    """The facts of one experiment as modules return them, read leniently from a JSON:API object."""
    attributes = attributes_of(item)
    return dict(
        id=item.get('id'),
        name=attributes.get('name'),
        experiment=attributes.get('experiment'),
        description=attributes.get('description'),
        metadata=attributes.get('metadata'),
        project_id=attributes.get('project_id'),
        dataset_id=attributes.get('dataset_id'),
        dataset_version=attributes.get('dataset_version'),
        parent_experiment_id=attributes.get('parent_experiment_id'),
        status=attributes.get('status'),
        error=attributes.get('error'),
        aggregate_data=attributes.get('aggregate_data'),
        config=attributes.get('config'),
        run_count=attributes.get('run_count'),
        created_at=attributes.get('created_at'),
        updated_at=attributes.get('updated_at'),
    )


def experiment_name(item):
    return attributes_of(item).get('name')


def newest_first(items):
    """Experiments ordered newest first by ``created_at`` (as times: the API's texts may differ in zone or
    fraction); equal times keep the API's order, and undated ones come last."""
    dated = [(parse_time(attributes_of(item).get('created_at')), item) for item in items]
    dated.sort(key=lambda pair: (pair[0] is None, -(pair[0] or 0)))
    return [item for dummy, item in dated]


def metadata_filter(metadata):
    """``filter[metadata]``: the JSON object text the API matches by containment, written the same way each time."""
    return json.dumps(metadata, sort_keys=True, separators=(',', ':'))


def _gone_already(exc):
    """A delete sent again after an answer was lost, refused with 404: the first one took them."""
    return True if exc.status == 404 else None


class Events(object):
    """The events of one experiment, read page by page as they are iterated: each span once, with its evaluations.

    ``summary_metrics`` (the experiment-level metrics, not tied to a span) is filled as pages are read: a server
    may give them on the first page only, on every page again, or spread over the pages, so those of every page
    are kept once each (told apart by ``id``, else by their whole content), in the order first seen; None until a
    page has some.
    """

    def __init__(self, transport, experiment_id, operation, label):
        self.transport = transport
        self.experiment_id = experiment_id
        self.operation = operation
        self.label = label
        self.summary_metrics = None
        self._seen = set()

    def _on_page(self, document):
        metrics = document.get('data')
        metrics = attributes_of(metrics).get('summary_metrics') if isinstance(metrics, dict) else None
        for metric in metrics if isinstance(metrics, list) else ():
            key = metric.get('id') if isinstance(metric, dict) and metric.get('id') is not None else \
                json.dumps(metric, sort_keys=True, default=str)
            if key not in self._seen:
                self._seen.add(key)
                self.summary_metrics = self.summary_metrics or []
                self.summary_metrics.append(metric)

    def __iter__(self):
        return self.transport.pages(
            '%s/%s/events' % (EVENTS_PREFIX, path_segment(self.experiment_id)), self.operation, {}, EVENT_PAGE_LIMIT,
            key=lambda span: span.get('id') or span.get('span_id'), hints=EXPERIMENT_HINTS, noun='span',
            label=self.label, items_at=('data', 'attributes', 'spans'), on_page=self._on_page, null_is_empty=True)


class Experiments(object):
    """Requests about LLM Observability experiments, over one Transport."""

    def __init__(self, transport, names=None):
        self.transport = transport
        self.names = names if names is not None else Names()

    def _where(self, project_id):
        return self.names.label('project', project_id)

    def list(self, dataset_id=None, project_id=None, name=None, experiment=None, metadata=None,
             parent_experiment_id=None, experiment_id=None, deleted=False):
        """Every experiment the filters return (the API needs a project or a dataset), from every page, once each,
        newest first.

        ``name`` is the run's name, ``experiment`` the logical name its runs share, ``metadata`` an object the
        experiments' metadata must contain; the module compares names itself all the same. ``deleted``: only
        the experiments deleted already (the API keeps them a while).
        """
        params = {}
        for key, value in (('dataset_id', dataset_id), ('project_id', project_id), ('name', name),
                           ('experiment', experiment), ('parent_experiment_id', parent_experiment_id),
                           ('id', experiment_id)):
            if value is not None:
                params['filter[%s]' % key] = value
        if metadata is not None:
            params['filter[metadata]'] = metadata_filter(metadata)
        if deleted:
            params['filter[is_deleted]'] = 'true'
        of = [self.names.label(kind, item_id) for kind, item_id in (('dataset', dataset_id), ('project', project_id))
              if item_id is not None]
        operation = 'Listing %sexperiments' % ('deleted ' if deleted else '') + (' of ' + ' in '.join(of) if of else '')
        return newest_first(self.transport.pages(EXPERIMENTS_PATH, operation, params, EXPERIMENT_PAGE_LIMIT,
                                                 noun='experiment'))

    def of_dataset(self, dataset_id):
        """The facts of every experiment that uses the dataset, in any project."""
        return [experiment_facts(item) for item in self.list(dataset_id=dataset_id)]

    def find_by_name(self, project_id, name):
        """The project's experiments whose run name is exactly ``name``, from every page."""
        return self.names.found('experiment', [item for item in self.list(project_id=project_id, name=name)
                                               if experiment_name(item) == name], name)

    def get(self, project_id, experiment_id):
        """The project's experiment with this id, or None (the list is filtered: there is no GET of one)."""
        for item in self.list(project_id=project_id, experiment_id=experiment_id):
            if item.get('id') == experiment_id:
                return item
        return None

    def update(self, project_id, experiment_id, attributes, settle_timeout):
        """PATCH the given attributes, then read the experiment back, and return it as read.

        The live API answers the PATCH with 200 and an empty body, so its answer is never the result: the
        experiment is read again until it shows the values sent (reads lag behind writes), for at most
        ``settle_timeout`` seconds; then the last read, with the values sent, stands for it, with a warning. Setting
        a value twice is harmless, so the PATCH is retried like a read.
        """
        operation = 'Updating %s' % self.names.label('experiment', experiment_id)
        self.transport.request(
            'PATCH', '%s/%s' % (EXPERIMENTS_PATH, path_segment(experiment_id)), operation,
            body={'data': {'type': 'experiments', 'attributes': attributes}}, idempotent=True,
            hints=EXPERIMENT_HINTS, expect_body=False)
        last = {}

        def shows_update():
            item = self.get(project_id, experiment_id)
            if item is not None:
                last['item'] = item
                shown = attributes_of(item)
                if all(shown.get(key) == value for key, value in attributes.items()):
                    return item
            return None

        found = self.transport.poll(shows_update, settle_timeout)
        if found is not None:
            return found
        # Said, since a run started right away reads the old values too and sends the update again.
        self.transport.warn('%s was answered, but the experiments list still showed the values from before after %s '
                            '(reads lag behind writes); a run started right away may find them and update it again. '
                            'Raise wait_timeout to wait longer.' % (operation, counted(settle_timeout, 'second')))
        item = last.get('item') or {'id': experiment_id, 'attributes': {}}
        return dict(item, attributes=dict(attributes_of(item), **attributes))

    def delete(self, project_id, experiment_ids, settle_timeout):
        """Delete experiments (one request for all). A delete whose answer was lost is looked up before it is
        sent again: when none of them is listed any more, it was done."""
        ids = list(experiment_ids)

        def find_gone():
            if len(ids) == 1:
                return True if self.get(project_id, ids[0]) is None else None
            listed = set(item.get('id') for item in self.list(project_id=project_id))
            return True if not listed.intersection(ids) else None

        what = self.names.label('experiment', ids[0]) if len(ids) == 1 else '%d experiments' % len(ids)
        self.transport.write_once(
            'POST', EXPERIMENTS_PATH + '/delete', 'Deleting %s of %s' % (what, self._where(project_id)),
            {'data': {'type': 'experiments', 'attributes': {'experiment_ids': ids}}},
            find_gone, settle_timeout, 'nothing was deleted', expect_body=False, landed=_gone_already)

    def events(self, experiment_id, label=None):
        """The experiment's events (an ``Events``: its spans, page by page as they are iterated, and its
        summary metrics); nothing is read until it is iterated."""
        operation = 'Reading the events of %s' % self.names.label('experiment', experiment_id)
        return Events(self.transport, experiment_id, operation, label)


# ---------------------------------------------------------------- llmobs_experiment_info: the filters checked again

def _same_scalar(left, right):
    """JSON scalars equal as data: 1 and 1.0 alike, booleans apart from numbers, strings as they are."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, (int, float)) or isinstance(right, (int, float)):
        return isinstance(left, (int, float)) and isinstance(right, (int, float)) and left == right
    return left == right


def json_contains(container, contained):
    """Whether ``container`` contains ``contained`` as ``filter[metadata]`` means it (JSONB containment): every key of
    an object with a value it contains, every element of an array in some element of the array, scalars equal."""
    if isinstance(contained, dict):
        return isinstance(container, dict) and all(
            key in container and json_contains(container[key], value) for key, value in contained.items())
    if isinstance(contained, (list, tuple)):
        return isinstance(container, (list, tuple)) and all(
            any(json_contains(element, value) for element in container) for value in contained)
    if isinstance(container, (dict, list, tuple)):
        return False
    return _same_scalar(container, contained)


def matches_filters(item, filters):
    """Whether an experiment of the list meets every filter the list was asked with (``filters``: the keyword
    arguments of ``Experiments.list``, None for one not given), so that a server that ignored one cannot widen the
    answer. Ids and names are compared exactly, ``metadata`` by containment. A field the answer leaves out (the spec
    requires few of them) cannot be checked: the server's filter stands for it. A field given as null is checked (a
    null ``parent_experiment_id`` is a run without a baseline)."""
    attributes = attributes_of(item)
    for key, wanted in filters.items():
        if wanted is None or (key != 'experiment_id' and key not in attributes):
            continue
        shown = item.get('id') if key == 'experiment_id' else attributes[key]
        if key == 'metadata':
            if not json_contains(shown, wanted):
                return False
        elif shown != wanted:
            return False
    return True
