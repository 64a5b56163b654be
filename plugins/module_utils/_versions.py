# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The dataset versions resource: the versions list, restore, export and the draft state (the UI's edit lock).

Paths (under a dataset, ``.../{project_id}/datasets/{dataset_id}``): ``GET versions``, ``POST restore``
(200 with an empty body), ``GET export?format=csv&version=N`` (``text/csv`` only: asking for JSON gets
406), ``GET draft_state``, ``PATCH draft_state/lock`` (no body; the draft state) and
``PATCH draft_state/unlock`` (no body; 200 with an empty body). Versions are reported as the server
lists them, never computed: which edits make a version has changed in Datadog's own docs.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.plugins.module_utils._datasets import DATASET_HINTS, datasets_path
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import APIError, LLMObsError, OptionHint
from ansible_collections.llmobs.datadog.plugins.module_utils._jsonapi import attributes_of
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import Names
from ansible_collections.llmobs.datadog.plugins.module_utils._text import capitalized
from ansible_collections.llmobs.datadog.plugins.module_utils._transport import path_segment

VERSION_HINTS = {404: OptionHint(('project_id', 'project_name', 'dataset_id', 'dataset_name', 'version'),
                                 'the project, the dataset or that version does not exist (an old version may '
                                 'have expired: Datadog keeps them 90 days).')}
EXPORT_MEDIA_TYPE = 'text/csv'
# The export is asked for as text/csv already: a 406 means something between changed what was asked.
EXPORT_HINTS = dict(VERSION_HINTS)
EXPORT_HINTS[406] = ('The export is served only as text/csv, which was asked for (Accept: text/csv): a proxy or '
                     'gateway on the way may have changed the Accept header.')


def dataset_path(project_id, dataset_id):
    return '%s/%s' % (datasets_path(project_id), path_segment(dataset_id))


def version_facts(item):
    """One version as modules return it, read leniently; fields the API does not give are None."""
    attributes = attributes_of(item)
    number = attributes.get('version_number')
    return dict(
        version=number if isinstance(number, int) and not isinstance(number, bool) else None,
        id=item.get('id'),
        last_used=attributes.get('last_used'),
        created_at=attributes.get('created_at'),
        record_count=attributes.get('record_count'),
    )


def draft_state_facts(document):
    """The draft state as modules return it, ``{'user': {...}, 'drafting_since': ...}``, or None when nobody holds
    the dataset.

    The spec does not say how "nobody" looks, and preview answers change shape: the fields are looked for in
    ``data.attributes``, then ``data``, then the document itself; a ``user`` given as a string is its name; a
    ``locked``/``is_locked`` flag without a user is a holder nobody named. Only an answer that names no user, no
    time and no lock (a null ``data``, null or empty fields) means that nobody holds the dataset.
    """
    data = document.get('data') if isinstance(document, dict) else None
    if isinstance(data, list):
        data = data[0] if data else None
    places = [attributes_of(data), data if isinstance(data, dict) else {},
              document if isinstance(document, dict) else {}]
    user = _first(places, 'user')
    since = _first(places, 'drafting_since')
    locked = _first(places, 'locked') or _first(places, 'is_locked')
    if isinstance(user, str):
        user = {'name': user}
    user = user if isinstance(user, dict) and any(user.get(key) for key in user) else None
    if user is None and not since and locked is not True:
        return None
    return dict(user=user, drafting_since=since or None)


def _first(places, key):
    """The first value of ``key`` that is not None among ``places`` (dicts), or None."""
    for place in places:
        if place.get(key) is not None:
            return place[key]
    return None


def holder_text(state):
    """Who holds a draft and since when, for messages: "Jane Doe <jane@example.com> since 2026-12-01T10:00:00Z"."""
    user = state.get('user') or {}
    who = user.get('name') or user.get('handle') or user.get('email') or user.get('id') or 'someone'
    email = user.get('email') or user.get('handle')
    if email and email != who:
        who = '%s <%s>' % (who, email)
    since = state.get('drafting_since')
    return '%s since %s' % (who, since) if since else who


def version_numbers_text(versions):
    """'4, 3, 2' (newest first), or 'none' — for messages about a version that is not there."""
    numbers = [str(v['version']) for v in versions if v.get('version') is not None]
    return ', '.join(numbers) if numbers else 'none'


def missing_version_message(label, number, versions):
    """The message of a version that is not listed (never made, or expired), naming those there are."""
    return ('%s has no version %d: its versions are %s (Datadog keeps old versions 90 days, then they expire).'
            % (capitalized(label), number, version_numbers_text(versions)))


class Versions(object):
    """Requests about the versions and the draft state of one dataset, over one Transport."""

    def __init__(self, transport, names=None):
        self.transport = transport
        self.names = names if names is not None else Names()

    def _where(self, project_id, dataset_id):
        return '%s of %s' % (self.names.label('dataset', dataset_id), self.names.label('project', project_id))

    def list(self, project_id, dataset_id):
        """Every version the API lists, newest first (by version number; the list is not paged)."""
        operation = 'Listing the versions of %s' % self._where(project_id, dataset_id)
        document = self.transport.request('GET', dataset_path(project_id, dataset_id) + '/versions', operation,
                                          hints=DATASET_HINTS)
        data = document.get('data') if isinstance(document, dict) else None
        if not isinstance(data, list):
            raise LLMObsError('%s returned a response without a "data" list; the API may have changed.' % operation)
        versions = [version_facts(item) for item in data if isinstance(item, dict)]
        return sorted(versions, key=lambda v: -1 if v['version'] is None else v['version'], reverse=True)

    def find(self, project_id, dataset_id, number, current_version=None):
        """``(the version numbered ``number`` or None, every version listed)``.

        The spec calls the list one of "active" versions, "created each time a dataset is referenced by an experiment
        run", so a version may be missing from it and still be there: the dataset's ``current_version`` (as the
        dataset's answer gives it) always is, and an older one not listed is there when its records can be read.
        """
        versions = self.list(project_id, dataset_id)
        found = next((v for v in versions if v['version'] == number), None)
        if found is None and number is not None and isinstance(current_version, int) and 0 <= number <= current_version:
            if number == current_version or self._readable(project_id, dataset_id, number):
                found = dict(version=number, id=None, last_used=None, created_at=None, record_count=None)
        return found, versions

    def _readable(self, project_id, dataset_id, number):
        """Whether version ``number`` lists a record (one asked for): the test of a version that the list of active
        versions leaves out. A 404 (never made, or expired) is no, and so is an empty list: a server may answer one
        for an expired version, and a clone of it would empty the copy."""
        operation = 'Reading version %d of %s' % (number, self._where(project_id, dataset_id))
        try:
            document = self.transport.request('GET', dataset_path(project_id, dataset_id) + '/records', operation,
                                              params={'filter[version]': number, 'page[limit]': 1}, hints=VERSION_HINTS)
        except APIError as exc:
            if exc.status == 404:
                return False
            raise
        data = document.get('data') if isinstance(document, dict) else None
        return isinstance(data, list) and bool(data)

    def require(self, project_id, dataset_id, number, label, current_version=None, result=None):
        """The version numbered ``number`` (see ``find``), or an LLMObsError naming the versions there are, with
        ``result`` and ``versions`` (as ``list`` gives them) in the failure's result: one message for every module."""
        found, versions = self.find(project_id, dataset_id, number, current_version)
        if found is None:
            raise LLMObsError(missing_version_message(label, number, versions), **dict(result or {}, versions=versions))
        return found

    def restore(self, project_id, dataset_id, number, find_result, settle_timeout, resend_unknown=True):
        """Make version ``number``'s records the current ones (as a new version). Never sent twice without a look:
        ``find_result`` returns something once the restore shows (the dataset's current version moved past the one
        before), and a lost answer is followed by it before any resend (Transport.write_once); with ``resend_unknown``
        false, never sent again after a lost answer (its outcome is then unknown)."""
        operation = 'Restoring version %d of %s' % (number, self._where(project_id, dataset_id))
        body = {'data': {'id': dataset_id, 'type': 'datasets', 'attributes': {'dataset_version': number}}}
        return self.transport.write_once('POST', dataset_path(project_id, dataset_id) + '/restore', operation, body,
                                         find_result, settle_timeout, 'nothing was restored', hints=VERSION_HINTS,
                                         expect_body=False, resend_unknown=resend_unknown)

    def export(self, project_id, dataset_id, number, sink, label=None):
        """Stream one version's records (None: the current version) as CSV into ``sink``; return the size in bytes."""
        params = {'format': 'csv'}
        if number is not None:
            params['version'] = number
        operation = 'Exporting %s%s' % (self._where(project_id, dataset_id),
                                        '' if number is None else ' (version %d)' % number)
        return self.transport.download(dataset_path(project_id, dataset_id) + '/export', operation, params, sink,
                                       EXPORT_MEDIA_TYPE, hints=EXPORT_HINTS, label=label)

    def draft_state(self, project_id, dataset_id):
        """Who edits the dataset in Datadog's UI: ``{'user', 'drafting_since'}``, or None when nobody does."""
        operation = 'Reading the draft state of %s' % self._where(project_id, dataset_id)
        try:
            document = self.transport.request('GET', dataset_path(project_id, dataset_id) + '/draft_state',
                                              operation, hints=DATASET_HINTS)
        except APIError as exc:
            if exc.status == 404:
                return None  # the dataset was found by its lookup: no draft state is nobody's draft
            raise
        return draft_state_facts(document)

    def lock(self, project_id, dataset_id):
        """Hold the dataset's draft lock as the API key's user; returns the draft state (taking it again is harmless)."""
        operation = 'Locking %s for editing' % self._where(project_id, dataset_id)
        document = self.transport.request('PATCH', dataset_path(project_id, dataset_id) + '/draft_state/lock',
                                          operation, idempotent=True, hints=DATASET_HINTS, expect_body=False)
        return draft_state_facts(document)

    def unlock(self, project_id, dataset_id):
        """Release the draft lock (200 with an empty body; releasing it again is harmless)."""
        operation = 'Unlocking %s' % self._where(project_id, dataset_id)
        self.transport.request('PATCH', dataset_path(project_id, dataset_id) + '/draft_state/unlock',
                               operation, idempotent=True, hints=DATASET_HINTS, expect_body=False)
