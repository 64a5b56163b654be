# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""What llmobs_dataset_clone does once the new name is known to be free: the clone, and what follows it.

The clone endpoint copies the source's current records into a new dataset and takes only a name and a
description. So:

* ``metadata`` is set by a PATCH of the copy right after the clone (after its records, with a version);
* ``source_version``, the version the copy was made from, is the source's current version read before the
  clone and again after it: the same both times, it is the version copied; otherwise it is not known (None);
* a clone of a past version N copies the current records, then makes them equal to version N's as data
  (input, expected_output, metadata and tags; records matched by their input, whatever their ids) with the
  records engine: a sync with purge. The source is never written.

The order of a version clone, and why. Everything that can refuse is read first, so that a refusal creates
nothing: the version must exist, version N's records must be readable and writable again, and the source's
current records are read to know what the clone will hold and so whether a write follows. Then the clone;
then the copy's records are read until they show at least what the source held (a write planned from a list
that lags would add records twice); then the write, only when the copy differs from version N. If that
write fails, the copy exists under its name, and a re-run skips it: the failure says so and what to do.
Two other orders were weighed. Cloning under a temporary name and renaming the copy once complete keeps the
name free until the copy is right, but a failed run then leaves a dataset of a made-up name in the project
(the same cleanup, under a name nobody chose), other users see a half-made dataset meanwhile, and the
rename is one more write that can fail. Creating the copy empty and writing version N's records writes
every record instead of the differences, and the copy is then no clone of the source.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from collections import Counter

from ansible_collections.llmobs.datadog.plugins.module_utils._datasets import dataset_facts, summary_label
from ansible_collections.llmobs.datadog.plugins.module_utils._declared_records import DeclaredRecords
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import APIError, LLMObsError, ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import dataset_label, records_origin
from ansible_collections.llmobs.datadog.plugins.module_utils._planned import is_planned
from ansible_collections.llmobs.datadog.plugins.module_utils._record_canonical import (
    NotJSON,
    canonical_json,
    digest,
    normal_body,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._records import MAX_RECORD_BYTES
from ansible_collections.llmobs.datadog.plugins.module_utils._records_plan import plan_sync
from ansible_collections.llmobs.datadog.plugins.module_utils._records_results import (
    DIFF_RECORDS,
    records_diff,
    sync_counts,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._text import capitalized, counted
from ansible_collections.llmobs.datadog.plugins.module_utils._versions import missing_version_message


def data_digest(view):
    """A listed record's fields as data (``_records.record_view``), whatever its id: to compare sets of records."""
    try:
        return digest(canonical_json(normal_body(view['input'], view['expected_output'], view['metadata'], view['tags'])))
    except NotJSON:
        return ('not JSON', view['id'])  # equal to nothing else


class VersionRecords(object):
    """The records of one version, read once: as declared records keyed by input (what a sync writes), and as
    a multiset of data digests (``counts``). ``problem`` says why they could not all be written again (two
    records with one input, a record the API would refuse), or is None."""

    def __init__(self, views):
        self.declared = DeclaredRecords('records', line_numbers=False, decoded_json=True,
                                        max_record_bytes=MAX_RECORD_BYTES)
        self.counts = Counter()
        self.total = 0
        self.problem = None
        by_input = {}
        for view in views:
            self.total += 1
            self.counts[data_digest(view)] += 1
            if self.problem is None:
                self._keep(view, by_input)

    def _keep(self, view, by_input):
        try:
            key = digest(canonical_json(view['input']))
        except NotJSON:
            key = None
        if key is not None and key in by_input:
            self.problem = 'its records %s and %s have the same input, and the copy is matched with them by input' % (
                by_input[key], view['id'])
            return
        by_input[key] = view['id']
        position = len(self.declared)
        try:
            self.declared.add(position, dict(input=view['input'], expected_output=view['expected_output'],
                                             metadata=view['metadata'], tags=view['tags']))
        except ValidationError as exc:
            label = self.declared.label(position) + ': '
            reason = exc.message[len(label):] if exc.message.startswith(label) else exc.message
            self.problem = 'its record %s cannot be written again (%s)' % (view['id'], reason.rstrip('.'))


def _counting(views, counts):
    """The views, counted into ``counts`` by data digest as they go by."""
    for view in views:
        counts[data_digest(view)] += 1
        yield view


def _changes_text(counts, check_mode):
    """'2 records would be created, 1 updated and 3 deleted': the counts that are not 0."""
    parts = [(counts[name], name) for name in ('created', 'updated', 'deleted') if counts[name]]
    number, name = parts[0]
    verb = 'would be' if check_mode else 'was' if number == 1 else 'were'
    texts = ['%s %s %s' % (counted(number, 'record'), verb, name)] + ['%d %s' % part for part in parts[1:]]
    if len(texts) == 1:
        return texts[0]
    return '%s and %s' % (', '.join(texts[:-1]), texts[-1])


class Cloning(object):
    """One task's clone of ``source_id`` (``source``: the dataset found by name, a planned one, or None when given
    by id): ``create`` and ``check_mode_refusal`` for the state engine, ``finish`` for the result.

    ``create`` reads what a refusal needs before the clone, clones, and then makes the copy what the task
    asks: version N's records, the metadata. A failure after the clone says that the copy exists and that
    running the task again would skip it (its name exists), and what to do instead.
    """

    def __init__(self, task, project_id, source_id, source, where):
        self.task = task
        self.api = task.api
        self.params = task.params
        self.project_id = project_id
        self.source_id = source_id
        self.source = source
        self.where = where
        self.version = self.params['version']
        self.source_label = dataset_label(self.params, source_id, source)
        self.timeout = self.params['wait_timeout']
        self.keep_before = DIFF_RECORDS if task.diff else 0
        self.done = False            # a clone was made, or in check mode would be
        self.source_version = None
        self.before = None           # the source's current version before the clone
        self.version_records = None  # a VersionRecords of version N
        self.current = None          # the source's current records before the clone, as data digests
        self.plan = None             # the sync after the clone (in check mode, as predicted); None: no write
        self.copy = None             # the copy's facts, once cloned

    # ------------------------------------------------------------------ how the module declares it

    @property
    def source_text(self):
        """How messages name what is cloned: 'dataset X', or 'version 2 of dataset X'."""
        if self.version is None:
            return self.source_label
        return 'version %d of %s' % (self.version, self.source_label)

    def origin(self):
        """Where the copy's records come from, for the plan of a dry run (see ``_planned.Slot``)."""
        origin = records_origin(self.project_id, self.source_id, self.source)
        if origin is not None and self.version is not None:
            origin = dict(origin, version=self.version)
        return origin

    def check_mode_refusal(self):
        """Check mode: every read a real run makes before the clone; why it would fail, or None."""
        refusal = self._prepare()
        self.done = refusal is None
        return refusal

    def create(self, fields):
        """Clone into ``fields['name']``, then make the copy hold version N's records and the metadata; returns the
        copy's JSON:API object."""
        refusal = self._prepare()
        if refusal is not None:
            raise LLMObsError(refusal, changed=False, project_id=self.project_id, source_dataset_id=self.source_id)
        item = self.api.datasets.clone(self.project_id, self.source_id, fields['name'], fields.get('description'),
                                       self.timeout)
        self.done = True
        self.copy = dataset_facts(item)
        if self.version is None:
            self._read_source_version_again()
        else:
            self._make_version(fields['name'])
        if fields.get('metadata') is not None:
            return self._set_metadata(fields['metadata'])
        if self.plan is not None and self.plan.changes:
            return self._read_copy_again(item)
        return item

    # ------------------------------------------------------------------ before the clone

    def _prepare(self):
        if is_planned(self.source):
            if self.version is not None:
                return ('%s has no version %d to clone yet: a dry run cannot tell which versions it will have.'
                        % (capitalized(self.source_label), self.version))
            return None  # a copy of a dataset that does not exist yet: no version to tell
        source = self.source if self.source is not None else self.api.datasets.get(self.project_id, self.source_id)
        if source is None:
            return ('Source dataset %s was not found %s: there is nothing to clone. Check %s and dataset_id.'
                    % (self.source_id, self.where,
                       'project_id' if self.params['project_id'] is not None else 'project_name'))
        self.before = dataset_facts(source)['current_version']
        if self.version is None:
            self.source_version = self.before
            return None
        return self._prepare_version()

    def _prepare_version(self):
        number = self.version
        found, versions = self.api.versions.find(self.project_id, self.source_id, number, current_version=self.before)
        if found is None:
            return missing_version_message(self.source_label, number, versions) + ' Nothing was cloned.'
        label = summary_label(self.params, self.source, self.source_id)
        self.version_records = VersionRecords(self.api.records.views(self.project_id, self.source_id, number, label))
        if number == self.before:
            self.current = Counter(self.version_records.counts)
        else:
            self.current = Counter()
            views = _counting(self.api.records.views(self.project_id, self.source_id, label=label), self.current)
            self.plan = plan_sync(self.version_records.declared, views, 'present', True, self.keep_before)
        self.source_version = number
        if self.current == self.version_records.counts:
            self.plan = None
        elif self.version_records.problem is not None:
            return self._cannot_copy()
        return None

    def _cannot_copy(self):
        return ('Version %d of %s cannot be cloned: the clone copies the current records, which differ from '
                'version %d\'s, and then makes them equal, but %s. Nothing was cloned.'
                % (self.version, self.source_label, self.version, self.version_records.problem))

    # ------------------------------------------------------------------ after the clone

    def _failure(self, what, cause=None, records=True, done=''):
        """The error of a step after the clone: the copy exists, a re-run would skip it, and what to do instead.

        ``what`` says what failed (a sentence's end); ``done`` what was done after the clone before that.
        """
        extras = dict(cause.result_extras) if cause is not None else {}
        extras.update(changed=True, dataset=self.copy, project_id=self.project_id, source_dataset_id=self.source_id,
                      source_version=self.source_version)
        copy = '%r (id %s)' % (self.copy['name'], self.copy['id'])
        if records:
            todo = ('Delete dataset %s and run this task again, or make its records those of version %d with '
                    'llmobs.datadog.llmobs_dataset_records (purge: true).' % (copy, self.version))
        else:
            todo = ('Set the metadata with llmobs.datadog.llmobs_dataset, or delete dataset %s and run this task '
                    'again.' % copy)
        return LLMObsError('Cloned %s into %s%s, but %s Running this task again will not fix it: the name exists now, '
                           'so the task leaves the dataset as it is. %s' % (self.source_label, copy, done, what, todo),
                           **extras)

    def _read_source_version_again(self):
        """source_version stays only if the source's current version did not move while it was cloned."""
        try:
            after = self.api.datasets.get(self.project_id, self.source_id)
        except LLMObsError as exc:
            after, reason = None, 'reading it again failed: %s' % exc.message
        else:
            reason = 'it was no longer listed'
        now = dataset_facts(after)['current_version'] if after is not None else None
        if after is not None and now == self.before:
            return
        if after is not None:
            reason = 'its current version moved from %s to %s meanwhile' % (self.before, now)
        self.source_version = None
        self.task.warn('Which version of %s the copy was made from is not known, so source_version is null: %s'
                       % (self.source_label, reason))

    def _make_version(self, name):
        """Make the copy's records equal to version N's, once its list shows what the clone copied."""
        copied = self._copied_records(name)
        if copied == self.version_records.counts:
            self.plan = None  # compared, not assumed: the clone already holds version N's records
            return
        if self.version_records.problem is not None:
            raise self._failure('its records differ from version %d\'s, and %s, so nothing was written to it.'
                                % (self.version, self.version_records.problem))
        try:
            self.plan, dummy = self.api.records.sync(
                self.project_id, self.copy['id'], self.version_records.declared, 'present', purge=True,
                keep_before=self.keep_before, settle_timeout=self.timeout, label='dataset %s' % name,
                rerun_advice=False)
        except LLMObsError as exc:
            raise self._failure('making its records those of version %d failed: %s The copy holds the source\'s '
                                'current records, with any change written before the failure.'
                                % (self.version, exc.message.rstrip()), exc)

    def _copied_records(self, name):
        """The copy's records as data, read until they hold at least the source's records read before the clone."""
        def read():
            try:
                listed = Counter(data_digest(view) for view in
                                 self.api.records.views(self.project_id, self.copy['id'], label='dataset %s' % name))
            except APIError as exc:
                if exc.status == 404:
                    return None  # a dataset made a moment ago: its records may not be served yet
                raise
            return listed if not self.current - listed else None

        try:
            copied = self.api.transport.poll(read, self.timeout)
        except LLMObsError as exc:
            raise self._failure('reading its records failed: %s Nothing was written to it.' % exc.message.rstrip(), exc)
        if copied is None:
            raise self._failure('after %s its records still did not show the %s the source held, so it was not '
                                'made equal to version %d: nothing was written to it.'
                                % (counted(self.timeout, 'second'), counted(sum(self.current.values()), 'record'), self.version))
        return copied

    def _set_metadata(self, metadata):
        try:
            return self.api.datasets.update(self.project_id, self.copy['id'], {'metadata': metadata})
        except LLMObsError as exc:
            done = (' and made its records those of version %d' % self.version) if self.version is not None else ''
            raise self._failure('setting its metadata failed: %s' % exc.message.rstrip(), exc, records=False, done=done)

    def _read_copy_again(self, item):
        """The copy after its records were written (a new version), once the dataset list shows it."""
        try:
            found = self.api.transport.poll(lambda: self.api.datasets.get(self.project_id, self.copy['id']),
                                            self.timeout)
        except LLMObsError as exc:
            found, reason = None, 'reading it failed: %s' % exc.message
        else:
            reason = 'it was still missing from the dataset list after %s' % counted(self.timeout, 'second')
        if found is not None:
            return found
        self.task.warn('The copy holds version %d\'s records, but its new current version is not known, so '
                       'dataset.current_version is null: %s' % (self.version, reason))
        unknown = dict(item)
        unknown['attributes'] = dict(item.get('attributes') or {}, current_version=None)
        return unknown

    # ------------------------------------------------------------------ the result

    def counts(self):
        """What the write after the clone did (would do): the counts of a records sync, and how many records
        version N holds."""
        if self.plan is None:
            counts = dict(created=0, updated=0, deleted=0, unchanged=self.version_records.total)
        else:
            counts = sync_counts(self.plan)
        counts['records'] = self.version_records.total
        return counts

    def finish(self, result):
        """Add to the state engine's result what only the clone knows: source_version, and with a version what
        the write after the clone did (would do)."""
        result['source_version'] = self.source_version if self.done else None
        if not self.done:
            return result
        diff = result.get('diff')
        if diff is not None:
            diff['after']['source_version'] = self.source_version
        if self.version is None:
            return result
        counts = result['version_sync'] = self.counts()
        check_mode = self.task.check_mode
        held = 'version %d\'s %s' % (self.version, counted(counts['records'], 'record'))
        if self.plan is None:
            result['msg'] += (' The source\'s current records equal %s: nothing would be written after the clone.'
                              % held if check_mode else ' Its records equal %s as cloned: nothing more was written.'
                              % held)
        else:
            result['msg'] += ' The clone %s the source\'s current records; then %s so that it holds %s.' % (
                'would copy' if check_mode else 'copied', _changes_text(counts, check_mode), held)
            if diff is not None:
                result['diff'] = [diff, records_diff(
                    self.version_records.declared, self.plan, 'the copy %r (the source\'s current records, then '
                    'version %d\'s)' % (self.params['name'], self.version), sync_counts(self.plan))]
        result['summary'] += ' from version %d' % self.version
        return result
