# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The records resource: reading a dataset's records, and keeping them equal to declared records.

Reading: ``GET .../{project_id}/datasets/{dataset_id}/records``, every page, the largest page
asked for. Records are read leniently in both shapes the API answers with: the spec's flat one,
and the live API's, which nests each record's content under ``attributes``.

Writing: ``POST .../batch_update`` only. A sync (``Records.sync``) makes one read of every page,
plans the inserts, updates and deletes (``_records_plan``), and sends them packed into as few
requests as the API takes (``_records_batches``, ``_records_writer``); a run with nothing to change
sends nothing.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from contextlib import contextmanager

from ansible_collections.llmobs.datadog.plugins.module_utils._controller_files import file_origin
from ansible_collections.llmobs.datadog.plugins.module_utils._datasets import DATASET_HINTS, datasets_path
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import Names
from ansible_collections.llmobs.datadog.plugins.module_utils._record_canonical import tag_list
from ansible_collections.llmobs.datadog.plugins.module_utils._record_readers import read_declared
from ansible_collections.llmobs.datadog.plugins.module_utils._records_batches import BATCH_MAX_BYTES
from ansible_collections.llmobs.datadog.plugins.module_utils._records_plan import plan_sync
from ansible_collections.llmobs.datadog.plugins.module_utils._records_writer import LOST_BATCH_SETTLE, BatchWriter
from ansible_collections.llmobs.datadog.plugins.module_utils._text import capitalized
from ansible_collections.llmobs.datadog.plugins.module_utils._transport import path_segment
from ansible_collections.llmobs.datadog.plugins.module_utils._versions import VERSION_HINTS

# Asked for per page. Datadog documents no maximum for the records list; a server that serves
# fewer per page is followed by its cursor all the same.
RECORDS_PAGE_LIMIT = 5000
# The largest declared record: what one batch_update carries, less room for the request around it.
MAX_RECORD_BYTES = BATCH_MAX_BYTES - 1024


def records_path(project_id, dataset_id):
    return '%s/%s/records' % (datasets_path(project_id), path_segment(dataset_id))


def _field(item, attributes, name):
    if name in attributes:
        return attributes[name]
    return item.get(name)


def _server_tags(value):
    return tag_list(tag for tag in value if isinstance(tag, str)) if isinstance(value, list) else []


def record_view(item):
    """One listed record as modules return it: ``{id, input, expected_output, metadata, tags}``.

    Reads the live shape (content under ``attributes``) and the spec's flat one alike; a
    missing ``metadata`` is ``{}``, missing ``tags`` ``[]`` (sorted: they are a set).
    """
    attributes = item.get('attributes') if isinstance(item.get('attributes'), dict) else {}
    record_id = item.get('id') if item.get('id') is not None else attributes.get('id')
    metadata = _field(item, attributes, 'metadata')
    return dict(id=record_id, input=_field(item, attributes, 'input'),
                expected_output=_field(item, attributes, 'expected_output'),
                metadata=metadata if isinstance(metadata, dict) else {},
                tags=_server_tags(_field(item, attributes, 'tags')))


def read_declared_records(params, files=None):
    """The declared records of a module's ``records`` or ``src``, each small enough for one batch_update.

    A file is named in messages as the user gave it and where the action found it (``files``, see
    ``_controller_files``).
    """
    origin = file_origin(params, 'src', files) if params.get('src') is not None else None
    return read_declared(params.get('records'), params.get('src'), require_input=params.get('state') != 'absent',
                         max_record_bytes=MAX_RECORD_BYTES, origin=origin)


class Records(object):
    """Requests about the records of a dataset, over one Transport."""

    def __init__(self, transport, names=None):
        self.transport = transport
        self.names = names if names is not None else Names()

    def pages(self, project_id, dataset_id, version=None, label=None):
        """Every listed record of the dataset (of ``version``, default the current one), page by page, once each.

        ``label`` names the dataset in progress lines ("dataset eval-questions"; by default its id).
        """
        params = {}
        if version is not None:
            params['filter[version]'] = version
        operation = 'Listing the records of %s of %s%s' % (
            self.names.label('dataset', dataset_id), self.names.label('project', project_id),
            (' (version %s)' % version) if version is not None else '')
        return self.transport.pages(records_path(project_id, dataset_id), operation, params, RECORDS_PAGE_LIMIT,
                                    hints=VERSION_HINTS if version is not None else DATASET_HINTS, noun='record',
                                    label=label or 'dataset %s' % dataset_id)

    def views(self, project_id, dataset_id, version=None, label=None):
        """Every record as ``record_view`` shows it, one at a time."""
        return (record_view(item) for item in self.pages(project_id, dataset_id, version, label))

    def list(self, project_id, dataset_id, version=None):
        """Every record as ``record_view`` shows it."""
        return list(self.views(project_id, dataset_id, version))

    def check_version_exists(self, dataset, version, facts, count):
        """A version past the dataset's current one that lists no record does not exist, whatever the server answered.

        ``dataset`` names the dataset (``_lookup.dataset_as_given``); ``facts``: its facts (or None); ``count``: how
        many records the version listed. Only an empty answer is doubted: a list of the dataset can lag behind a
        version just made.
        """
        current = (facts or {}).get('current_version')
        if version is not None and not count and isinstance(current, int) and version > current:
            raise LLMObsError('%s has no version %d: its current version is %d.' % (capitalized(dataset), version, current))

    def plan(self, project_id, dataset_id, declared, state, purge, keep_before=0, label=None):
        """One read of every page, compared with ``declared``: the SyncPlan of a sync."""
        return plan_sync(declared, self.views(project_id, dataset_id, label=label), state, purge, keep_before)

    def predict(self, origin, declared, state='present', purge=False, keep_before=0):
        """Check mode, for a dataset that an earlier task of the run would create: what a sync would do.

        ``origin``: the existing dataset (``{project_id, dataset_id}``, and ``version`` for a clone of a past
        version) whose records the new one would start with (a clone's source), read once; None for a new, empty
        dataset. Returns ``(plan, version_created)``.
        """
        views = self.views(origin['project_id'], origin['dataset_id'], origin.get('version')) if origin else ()
        plan = plan_sync(declared, views, state, purge, keep_before)
        return plan, plan.versioning

    def sync(self, project_id, dataset_id, declared, state='present', purge=False, check_mode=False, keep_before=0,
             settle_timeout=LOST_BATCH_SETTLE, label=None, guard=None, rerun_advice=True):
        """Make the dataset's records equal to ``declared`` (or, ``absent``, delete them).

        Returns ``(plan, version_created)``; in check mode nothing is sent and ``version_created``
        tells whether the plan would make a version. ``settle_timeout``: how long the records are
        read again after a batch whose answer was lost, before it is sent again. ``label`` names the
        dataset in progress lines. ``guard``: called once the plan has changes (in check mode too, which
        then sends nothing), it gives the context the writes run in (``_draft_lock.DraftGuardOnWrite``):
        a run with nothing to change never calls it. ``rerun_advice`` false:
        failures do not say that running the task again finishes the write (see BatchWriter).
        """
        plan = self.plan(project_id, dataset_id, declared, state, purge, keep_before, label)
        if not plan.changes:
            return plan, check_mode and plan.versioning
        with (guard or _unguarded)():
            if check_mode:
                return plan, plan.versioning
            writer = BatchWriter(self, project_id, dataset_id, declared, state, purge, settle_timeout, label,
                                 rerun_advice)
            writer.write(plan)
            return plan, writer.version_created


@contextmanager
def _unguarded():
    yield None
