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


class Managed(object):
    """How the state engine reaches one kind of resource in one place.

    ``find(name)`` returns the exact name matches; ``facts(item)`` the facts a module returns;
    ``create(desired)``, ``update(item_id, changes)`` and ``delete(item_id)`` write. ``diff_keys``
    are the facts shown in diffs; ``server_assigned`` are the facts only the server knows.
    """

    def __init__(self, kind, find, facts, create, update, delete, diff_keys, server_assigned, where=''):
        self.kind = kind
        self.find = find
        self.facts = facts
        self.create = create
        self.update = update
        self.delete = delete
        self.diff_keys = diff_keys
        self.server_assigned = server_assigned
        self.where = where

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
    result.update({'changed': True, managed.kind: facts})
    _set_diff(task, result, delete_diff(facts, managed.diff_keys))
    if task.check_mode:
        result['msg'] = '%s (id %s) would be deleted (check mode: nothing was sent).' % (managed.title(name), facts['id'])
        return result
    managed.delete(facts['id'])
    result['msg'] = '%s (id %s) deleted.' % (managed.title(name), facts['id'])
    guard = after_write('%s (id %s) was deleted' % (managed.title(name), facts['id']), result)
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
