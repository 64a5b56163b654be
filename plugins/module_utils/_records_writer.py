# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Writing a sync's plan with ``POST .../batch_update``, and what a failed write leads to.

The first request that changes records asks for a new version and the others add to it, so a run
makes at most one version.

* 413: the batch is split in halves, which are sent in its place (nothing lost, nothing twice), and
  later batches of the run are no larger than the half.
* A lost answer (5xx, timeout, dropped connection): the records are read again, for up to the
  module's ``wait_timeout`` seconds since reads may lag behind writes. If any part of the batch shows,
  the rest of the run is planned again from that read, so only what is still missing or
  different is sent. If none shows, the outcome is unknown:
  - a batch that inserts records without ids is not sent again (it would write them twice): the
    run stops, saying so; the next run reads what landed and converges;
  - any other batch is sent again (``Transport.write_once``), at most ``retries`` times in all:
    with ids the server refuses a record it holds already, and that refusal, naming ids of the
    batch, proves the first attempt landed.
* Any other 4xx is final; the message says how much was written before it. The next run
  finishes the rest, because it plans from what the server holds.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re

from ansible_collections.llmobs.datadog.plugins.module_utils._datasets import DATASET_HINTS, datasets_path
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import APIError, LLMObsError
from ansible_collections.llmobs.datadog.plugins.module_utils._records_batches import (
    Batch,
    BatchLimits,
    pack_batches,
    planned_changes,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._text import counted, counted_large
from ansible_collections.llmobs.datadog.plugins.module_utils._transport import path_segment

# How long the records are read again after a batch whose answer was lost, before it is sent again,
# unless the caller says: Datadog's own SDK notes reads lagging behind writes by up to about 6 s.
LOST_BATCH_SETTLE = 6.0
# What a refused resend says when the records it inserts are there already (the first attempt landed).
ALREADY_EXISTS = 'already exist'

# A refused records write. Datasets filled by Datadog's automations are read-only, and Datadog's docs say to
# clone such a dataset before changing its records.
RECORDS_WRITE_HINTS = dict(DATASET_HINTS)
RECORDS_WRITE_HINTS[403] = (
    'The dataset may be read-only (datasets filled by Datadog\'s automations are): clone it with '
    'llmobs_dataset_clone and keep the records of the copy. Otherwise check that the application key is '
    'allowed llmobs_data_write and that site or api_url points at the organisation the keys belong to.')

# What a batch's check after a refused resend returns: the batch was written by an attempt whose answer was lost.
_LANDED = object()


def batch_update_path(project_id, dataset_id):
    return '%s/%s/batch_update' % (datasets_path(project_id), path_segment(dataset_id))


class BatchWriter(object):
    """Sends a plan's batches to one dataset, and follows a lost answer with a fresh read and plan.

    ``records`` is the Records resource that planned the sync: a fresh plan comes from it.
    ``rerun_advice`` false: failures do not say that running the task again finishes the write (a task that
    would not write again, such as a clone whose name exists by then, says what to do itself).
    """

    def __init__(self, records, project_id, dataset_id, declared, state, purge, settle_timeout, label=None,
                 rerun_advice=True):
        self.records = records
        self.rerun_advice = rerun_advice
        self.label = label or 'dataset %s' % dataset_id  # how progress lines name the dataset
        # How messages name them: as the task gave them, the name with the id beside it (_lookup.Names).
        self.dataset_named = records.names.label('dataset', dataset_id)
        self.project_named = records.names.label('project', project_id)
        self.settle_timeout = settle_timeout
        self.transport = records.transport
        self.project_id = project_id
        self.dataset_id = dataset_id
        self.declared = declared
        self.state = state
        self.purge = purge
        self.version_created = False
        self.sent = 0
        self.written = 0
        self.total = 0
        self.path = batch_update_path(project_id, dataset_id)
        empty = {'data': {'type': 'datasets', 'id': dataset_id, 'attributes': Batch(0).attributes(False)}}
        self.envelope_bytes = len(json.dumps(empty))

    def write(self, plan):
        self.total = plan.changes
        replans = 0
        pending = []
        limits = BatchLimits()
        queue = pack_batches(planned_changes(self.declared, plan), self.envelope_bytes, limits)
        while True:
            batch = pending.pop() if pending else next(queue, None)
            if batch is None:
                self.transport.progress.done(self, self._written_text() + '.')
                return
            if len(batch) > 1 and not limits.fits(batch):
                pending.extend(reversed(batch.halves()))  # made before a 413 lowered the limits
                continue
            try:
                fresh = self._send(batch)
            except APIError as exc:
                if exc.status == 413 and len(batch) > 1:
                    first, second = batch.halves()
                    limits.lower_after(batch, (first, second))
                    self.transport.warn('Writing %s to %s was refused as too large (HTTP 413); sending it '
                                        'in two halves, and no more than %s a request for the rest of this run.'
                                        % (counted(len(batch), 'change'), self.dataset_named,
                                           counted(limits.max_records, 'change')))
                    pending.extend([second, first])
                    continue
                if exc.status == 413:
                    exc.extend_message(' A single change of %d bytes was refused as too large: shrink that record.'
                                       % batch.size)
                self._progress(exc)
                raise
            except LLMObsError as exc:
                self._progress(exc)
                raise
            if self.written < self.total:  # the last batch's line is the one the end shows
                self.transport.progress.step(self, self._written_text() + ' so far.')
            if fresh is not None:
                replans += 1
                if replans > self.transport.settings.retries:
                    error = LLMObsError('Writing the records of %s: the records kept changing while this run '
                                        'wrote them (read again %d times); stopping.' % (self.dataset_named, replans - 1))
                    self._progress(error)
                    raise error
                pending = []
                queue = pack_batches(planned_changes(self.declared, fresh), self.envelope_bytes, limits)

    def _written_text(self):
        """'dataset eval: 6,000 of 20,000 changes written in 6 requests'."""
        return '%s: %s of %s written in %s' % (self.label, '{0:,}'.format(self.written),
                                               counted_large(self.total, 'change'), counted(self.sent, 'request'))

    def _progress(self, exc):
        if exc.outcome_unknown:
            if self.rerun_advice:
                exc.extend_message(' Running the task again converges: it reads what the dataset holds and writes only '
                                   'what is missing or different (with purge: true it also deletes a second copy of a '
                                   'record).')
            exc.result_extras['changed'] = True  # it may have: a report must not say the records are not there
        if self.sent:
            exc.extend_message(' Before this failure %d of %d changes were written in %s%s.'
                               % (self.written, self.total, counted(self.sent, 'request'),
                                  '; running the task again finishes the rest' if self.rerun_advice else ''))
            exc.result_extras['changed'] = True  # the dataset did change, and has a new version if one was asked

    def _send(self, batch):
        """Send one batch; None when it was written, or a fresh SyncPlan when a lookup after a lost answer was needed."""
        create = batch.versioning and not self.version_created
        counts = batch.counts()
        operation = 'Writing records to %s of %s (%d inserted, %d updated, %d deleted)' % (
            self.dataset_named, self.project_named, counts['i'], counts['u'], counts['d'])
        body = {'data': {'type': 'datasets', 'id': self.dataset_id, 'attributes': batch.attributes(create)}}
        mine = batch.keys()

        def find_result():
            fresh = self.records.plan(self.project_id, self.dataset_id, self.declared, self.state, self.purge)
            if mine <= fresh.change_keys():
                return None  # nothing of the batch shows yet
            return fresh

        inserted_ids = [change.item['id'] for change in batch.changes
                        if change.kind == 'i' and change.item.get('id') is not None]

        def landed(exc):
            # Sent again after a lost answer, the batch is refused for records it inserts that exist already.
            # An id counts only as a whole word: 'e1' is not named by 'e10' or by a dataset's UUID.
            text = ' '.join([exc.message] + [json.dumps(entry, default=str) for entry in exc.errors or ()])
            if ALREADY_EXISTS in text.lower() and any(re.search(r'(?<![\w.-])%s(?![\w.-])' % re.escape(record_id), text)
                                                      for record_id in inserted_ids):
                return _LANDED
            return None

        # Records without ids have no key the server checks: sent twice, they are written twice.
        resend_unknown = not (counts['i'] and self.declared.keyed_by != 'id')
        result = self.transport.write_once('POST', self.path, operation, body, find_result, self.settle_timeout,
                                           'these records were not written', parse=lambda answer: None,
                                           hints=RECORDS_WRITE_HINTS, resend_unknown=resend_unknown,
                                           landed=landed if inserted_ids else None)
        self.sent += 1
        if create:
            self.version_created = True
        if result is None or result is _LANDED:
            self.written += len(batch)
            return None
        self.written += len(mine - result.change_keys())
        return result
