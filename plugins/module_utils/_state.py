# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The state engine of modules keyed on a name: present or absent, with check mode, diff and waiting.

A module describes how to reach its resource with a Managed; ``ensure`` reads before it
writes, compares exactly, writes only what differs, predicts in check mode, and after a create
or a delete waits until the name lookup (the one the next run makes) shows the change.

A delete takes more than the resource when the resource holds things (a project its datasets, a
dataset its records): a module says so with ``Contents``. Before any delete, also in check mode,
the engine counts what would go, reports it (``contents`` in the result, the message, the diff) and,
for a guarded kind of content, refuses unless the task sets ``force: true``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.plugins.module_utils._diff import (
    absent_diff,
    changed_fields,
    create_diff,
    delete_diff,
    predicted,
    unchanged_diff,
    update_diff,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import (
    after_write,
    exactly_one,
    wait_until_listed,
    wait_until_unlisted,
)


class Contents(object):
    """What deleting one resource also deletes, counted before the delete (reads only).

    ``count(item_id)`` returns a dict of counts whose keys are plural nouns ending in "s" (for
    example ``{'datasets': 7, 'records': 40000}``); ``keys`` gives them in the order messages name
    them. When ``guarded`` (one of the keys) counts more than 0, the delete fails before any write
    unless the task's ``force`` option is true: the user named the resource, not what it holds.
    """

    def __init__(self, count, keys, guarded=None):
        self.count = count
        self.keys = tuple(keys)
        self.guarded = guarded

    def measure(self, item_id):
        counts = self.count(item_id)
        return dict((key, counts.get(key, 0)) for key in self.keys)

    def refused(self, counts, force):
        return self.guarded is not None and counts[self.guarded] > 0 and not force

    def refusal(self, title, counts):
        """Why a delete without force is refused: what the resource holds, and the two ways on."""
        guarded = self.guarded if counts[self.guarded] > 1 else self.guarded[:-1]
        return ('%s still holds %s; deleting it deletes them too. Set force: true to delete it with them, or delete '
                'the %s first.' % (title, self.held(counts), guarded))

    def held(self, counts):
        """'7 datasets with 40,000 records in all', or '1,200 records'."""
        first, rest = self.keys[0], self.keys[1:]
        text = amount(counts[first], first)
        if rest:
            text += ' with %s%s' % (' and '.join(amount(counts[key], key) for key in rest),
                                    ' in all' if counts[first] > 1 else '')
        return text

    def going(self, counts, done):
        """' with its 7 datasets and 40,000 records', or '; it held no datasets' ('holds' when not done)."""
        if not any(counts[key] for key in self.keys):
            return '; it %s no %s' % ('held' if done else 'holds', self.keys[0])
        return ' with its %s' % ' and '.join(amount(counts[key], key) for key in self.keys)


def amount(count, noun):
    """'40,000 records', '1 record': ``noun`` is the plural."""
    return '{0:,} {1}'.format(count, noun if count != 1 else noun[:-1])


class Managed(object):
    """How the state engine reaches one kind of resource in one place.

    ``find(name)`` returns the exact name matches; ``facts(item)`` the facts a module returns;
    ``create(desired)``, ``update(item_id, changes)`` and ``delete(item_id)`` write. ``diff_keys``
    are the facts shown in diffs; ``server_assigned`` are the facts only the server knows.
    ``contents`` (a Contents, optional) is what a delete takes with the resource.
    """

    def __init__(self, kind, find, facts, create, update, delete, diff_keys, server_assigned, where='',
                 contents=None):
        self.kind = kind
        self.find = find
        self.facts = facts
        self.create = create
        self.update = update
        self.delete = delete
        self.diff_keys = diff_keys
        self.server_assigned = server_assigned
        self.where = where
        self.contents = contents

    def label(self, name):
        """How messages name the resource: "dataset 'eval' in project P"."""
        return '%s %r%s' % (self.kind, name, (' ' + self.where) if self.where else '')

    def title(self, name):
        label = self.label(name)
        return label[:1].upper() + label[1:]


def ensure(task, managed, name, desired, result):
    """Make the resource called ``name`` present with ``desired`` (None: not managed) or absent.

    ``task.params`` gives ``state``, ``wait`` and ``wait_timeout``. The facts go into
    ``result[managed.kind]``. Returns the result; raises LLMObsError.
    """
    existing = exactly_one(managed.find(name), managed.kind, name, managed.where, **result)
    if task.params['state'] == 'absent':
        return _ensure_absent(task, managed, name, existing, result)
    if existing is None:
        return _create(task, managed, name, desired, result)
    return _update(task, managed, name, managed.facts(existing), desired, result)


def _set_diff(task, result, diff):
    if task.diff:
        result['diff'] = diff


def _ensure_absent(task, managed, name, existing, result):
    if existing is None:
        result.update({'changed': False, managed.kind: None,
                       'msg': '%s is absent; nothing to do.' % managed.title(name)})
        _set_diff(task, result, absent_diff())
        return result
    facts = managed.facts(existing)
    title = '%s (id %s)' % (managed.title(name), facts['id'])
    result[managed.kind] = facts
    going = ''
    diff = delete_diff(facts, managed.diff_keys)
    if managed.contents is not None:
        counts = result['contents'] = managed.contents.measure(facts['id'])
        if managed.contents.refused(counts, task.params.get('force')):
            raise LLMObsError(managed.contents.refusal(title, counts), **result)
        diff['before']['contents'] = counts
        going = managed.contents.going(counts, done=not task.check_mode)
    result['changed'] = True
    _set_diff(task, result, diff)
    if task.check_mode:
        result['msg'] = '%s would be deleted%s (check mode: nothing was sent).' % (title, going)
        return result
    managed.delete(facts['id'])
    result['msg'] = '%s deleted%s.' % (title, going)
    guard = after_write('%s was deleted' % title, result)
    if task.params['wait'] and guard(wait_until_unlisted, task.api.transport, lambda: managed.find(name), facts['id'],
                                     task.params['wait_timeout']) is None:
        task.warn('Deleted %s (id %s), but it was still listed after %d seconds; a run started right away may '
                  'still find it. Raise wait_timeout to wait longer.'
                  % (managed.label(name), facts['id'], task.params['wait_timeout']))
    return result


def _create(task, managed, name, desired, result):
    fields = dict((key, value) for key, value in desired.items() if value is not None)
    fields['name'] = name
    result['changed'] = True
    _set_diff(task, result, create_diff(fields, managed.diff_keys))
    if task.check_mode:
        result.update({managed.kind: predicted(fields, managed.server_assigned + managed.diff_keys),
                       'msg': '%s would be created (check mode: nothing was sent).' % managed.title(name)})
        return result
    facts = managed.facts(managed.create(fields))
    result.update({managed.kind: facts, 'msg': '%s created (id %s).' % (managed.title(name), facts['id'])})
    if task.params['wait']:
        guard = after_write('%s was created (id %s)' % (managed.title(name), facts['id']), result)
        listed = guard(wait_until_listed, task.api.transport, lambda: managed.find(name), facts['id'],
                       task.params['wait_timeout'])
        if listed is None:
            raise LLMObsError('Created %s (id %s), but it was still missing from the list after %d seconds. A run '
                              'started before it appears may create it again; raise wait_timeout.'
                              % (managed.label(name), facts['id'], task.params['wait_timeout']), **result)
        others = [str(item.get('id')) for item in listed if item.get('id') != facts['id']]
        if others:
            task.warn('Another %s named %r appeared at the same time (ids: %s), most likely made by a run in '
                      'parallel. Delete the extra ones: until one is left, runs fail.'
                      % (managed.kind, name, ', '.join(others)))
    return result


def _update(task, managed, name, facts, desired, result):
    changes = changed_fields(facts, desired)
    if not changes:
        result.update({'changed': False, managed.kind: facts,
                       'msg': '%s already exists (id %s); nothing to do.' % (managed.title(name), facts['id'])})
        _set_diff(task, result, unchanged_diff(facts, managed.diff_keys))
        return result
    after = dict(facts, **changes)
    what = ' and '.join(sorted(changes))
    result['changed'] = True
    _set_diff(task, result, update_diff(facts, after, managed.diff_keys))
    if task.check_mode:
        result.update({managed.kind: after, 'msg': '%s (id %s): would update %s (check mode: nothing was sent).'
                       % (managed.title(name), facts['id'], what)})
        return result
    updated = managed.facts(managed.update(facts['id'], changes))
    # A lenient read: an answer that leaves a field out does not hide the value just written.
    for key, value in after.items():
        if updated.get(key) is None:
            updated[key] = value
    result.update({managed.kind: updated, 'msg': '%s (id %s): updated %s.' % (managed.title(name), facts['id'], what)})
    return result
