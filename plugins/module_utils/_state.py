# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The state engine of modules keyed on a name: present or absent, with check mode, diff and waiting.

A module declares how the engine reaches its resource with a NamedResource; ``ensure`` reads
before it writes, compares exactly, writes only what differs, predicts in check mode, and after a
create or a delete waits until the name lookup (the one the next run makes) shows the change.

In create-only mode (``ensure(..., create_only=True)``) the engine creates the resource when the
name is missing and otherwise reports the one that exists as it is: it never updates or deletes.
A module whose write makes something new from something else (a clone) is declared that way.
In update-only mode (``ensure(..., update_only=True)``) a missing resource is an error (``missing``
of the texts) for ``state: present``: the module manages what something else makes (an experiment,
which ddtrace runs).

A delete takes more than the resource when the resource holds things (a project its datasets, a
dataset its records): a module says so with ``Contents``. Before any delete, also in check mode,
the engine counts what would go, reports it (``contents`` in the result, the message, the diff) and,
for a guarded kind of content, refuses unless the task sets ``force: true``.

Besides ``msg``, every result gets a ``summary``: one short line for a pull request comment, such as
"project support-bot: would be created" or "dataset eval: description updated" (see ``summary``).
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
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import exactly_one
from ansible_collections.llmobs.datadog.plugins.module_utils._planned import PLANNED_NOTE
from ansible_collections.llmobs.datadog.plugins.module_utils._text import capitalized, counted

# What the engine says about a create and about a resource that already exists, as str.format
# templates. Fields: title ("Dataset 'x' in project p"), label (the same, lower case), name, where,
# id, timeout (seconds), fields (the given fields that differ), and a module's own ``text_fields``.
# A module may say any of them its own way (``texts``); the other messages are the engine's.
CREATE_TEXTS = dict(
    exists='{title} already exists (id {id}); nothing to do.',
    would_create='{title} would be created (check mode: nothing was sent).',
    created='{title} created (id {id}).',
    # What the write did, when the wait after it fails.
    written='{title} was created (id {id})',
    never_listed=('Created {label} (id {id}), but it was still missing from the list after {timeout}. '
                  'A run started before it appears may create it again; raise wait_timeout.'),
    # Create-only mode: the resource exists, but not with the values given.
    kept_other='{title} already exists with another {fields}; this module does not update it.',
    # Update-only mode: the resource is not there, and the module cannot make it.
    missing='{title} was not found; this module does not create one.',
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

    def counted(self, counts):
        """'3 datasets, 200 records': every count, for a summary."""
        return ', '.join(amount(counts[key], key) for key in self.keys)

    def going(self, counts, done):
        """' with its 7 datasets and 40,000 records', or '; it held no datasets' ('holds' when not done)."""
        if not any(counts[key] for key in self.keys):
            return '; it %s no %s' % ('held' if done else 'holds', self.keys[0])
        return ' with its %s' % ' and '.join(amount(counts[key], key) for key in self.keys)


def amount(count, noun):
    """'40,000 records', '1 record': ``noun`` is the plural."""
    return '{0:,} {1}'.format(count, noun if count != 1 else noun[:-1])


class NamedResource(object):
    """What the state engine needs to reach one kind of resource, found by its name, in one place.

    ``find(name)`` returns the exact name matches; ``facts(item)`` the facts a module returns;
    ``create(fields)``, ``update(item_id, changes)`` and ``delete(item_id)`` write (a resource used
    only in create-only mode needs neither update nor delete). ``diff_keys`` are the facts shown in
    diffs; ``server_assigned`` are the facts only the server knows. Optional: ``where`` ("in project
    P"), ``contents`` (a Contents: what a delete takes with the resource), ``texts`` (templates that
    replace CREATE_TEXTS entries) with the ``text_fields`` they name, ``create_diff_extras`` (values
    a create's diff shows besides the fields, such as a clone's source), ``check_mode_refusal``
    (a read, made only in check mode before a create is predicted, that returns why the create
    would fail, or None), so that a dry run fails where the real run would, ``summary_kind``
    (how a summary names the resource, by default ``kind``: "clone" for a clone) and ``plan`` (a
    ``_planned.Slot``: where a create in check mode is planned, so that later tasks of the dry run find the name).
    """

    def __init__(self, kind, find, facts, create, diff_keys, server_assigned, update=None, delete=None, where='',
                 contents=None, texts=None, text_fields=None, create_diff_extras=None, check_mode_refusal=None,
                 summary_kind=None, plan=None):
        self.kind = kind
        self.summary_kind = summary_kind or kind
        self.find = find
        self.facts = facts
        self.create = create
        self.update = update
        self.delete = delete
        self.diff_keys = tuple(diff_keys)
        self.server_assigned = tuple(server_assigned)
        self.where = where
        self.contents = contents
        self.texts = dict(CREATE_TEXTS, **(texts or {}))
        self.text_fields = dict(text_fields or {})
        self.create_diff_extras = dict(create_diff_extras or {})
        self.check_mode_refusal = check_mode_refusal
        self.plan = plan

    def label(self, name):
        """How messages name the resource: "dataset 'eval' in project P"."""
        return '%s %r%s' % (self.kind, name, (' ' + self.where) if self.where else '')

    def title(self, name):
        label = self.label(name)
        return capitalized(label)

    def summary(self, name, what):
        """One line for a pull request comment: "project support-bot: would be created"."""
        return '%s %s: %s' % (self.summary_kind, name, what)

    def say(self, text, name, **values):
        """The text ``text`` of ``texts`` about the resource called ``name``, with ``values`` filled in."""
        values.update(self.text_fields)
        return self.texts[text].format(title=self.title(name), label=self.label(name), name=name, where=self.where,
                                       **values)


def ensure(task, resource, name, desired, result, create_only=False, update_only=False):
    """Make the resource called ``name`` present with ``desired`` (None: not managed) or absent.

    ``task.params`` gives ``wait``, ``wait_timeout`` and, unless ``create_only``, ``state``. The
    facts go into ``result[resource.kind]``. Returns the result; raises LLMObsError.
    """
    existing = exactly_one(resource.find(name), resource.kind, name, resource.where, **result)
    planned = existing is None and task.check_mode and resource.plan is not None and resource.plan.holds(name)
    if not create_only and task.params['state'] == 'absent':
        if planned:
            return _planned_absent(task, resource, name, result)
        return _ensure_absent(task, resource, name, existing, result)
    if planned:
        return _planned_present(task, resource, name, desired, result)
    if existing is None and update_only:
        raise LLMObsError(resource.say('missing', name), **result)
    if existing is None:
        return _create(task, resource, name, desired, result)
    if create_only:
        return _keep(task, resource, name, resource.facts(existing), desired, result)
    return _update(task, resource, name, resource.facts(existing), desired, result)


def _set_diff(task, result, diff):
    if task.diff:
        result['diff'] = diff


def _ensure_absent(task, resource, name, existing, result):
    if existing is None:
        result.update({'changed': False, resource.kind: None, 'summary': resource.summary(name, 'already absent'),
                       'msg': '%s is absent; nothing to do.' % resource.title(name)})
        _set_diff(task, result, absent_diff())
        return result
    facts = resource.facts(existing)
    title = '%s (id %s)' % (resource.title(name), facts['id'])
    result[resource.kind] = facts
    going = held = ''
    diff = delete_diff(facts, resource.diff_keys)
    if resource.contents is not None:
        counts = result['contents'] = resource.contents.measure(facts['id'])
        if resource.contents.refused(counts, task.params.get('force')):
            raise LLMObsError(resource.contents.refusal(title, counts), **result)
        diff['before']['contents'] = counts
        going = resource.contents.going(counts, done=not task.check_mode)
        held = ' (%s)' % resource.contents.counted(counts)
    result['changed'] = True
    _set_diff(task, result, diff)
    if task.check_mode:
        result['msg'] = '%s would be deleted%s (check mode: nothing was sent).' % (title, going)
        result['summary'] = resource.summary(name, 'would be deleted' + held)
        return result
    resource.delete(facts['id'])
    result['msg'] = '%s deleted%s.' % (title, going)
    result['summary'] = resource.summary(name, 'deleted' + held)
    if not task.params['wait']:
        return result
    gone = read_after_write('%s was deleted' % title, result, wait_until_unlisted, task.api.transport,
                            lambda: resource.find(name), facts['id'], task.params['wait_timeout'])
    if gone is None:
        task.warn('Deleted %s (id %s), but it was still listed after %s; a run started right away may '
                  'still find it. Raise wait_timeout to wait longer.'
                  % (resource.label(name), facts['id'], counted(task.params['wait_timeout'], 'second')))
    return result


def _create(task, resource, name, desired, result):
    fields = dict((key, value) for key, value in desired.items() if value is not None)
    fields['name'] = name
    result['changed'] = True
    _set_diff(task, result, create_diff(dict(fields, **resource.create_diff_extras),
                                        resource.diff_keys + tuple(resource.create_diff_extras)))
    if task.check_mode:
        refusal = resource.check_mode_refusal() if resource.check_mode_refusal is not None else None
        if refusal is not None:
            result['changed'] = False
            raise LLMObsError(refusal, **result)
        result.update({resource.kind: predicted(fields, resource.server_assigned + resource.diff_keys),
                       'msg': resource.say('would_create', name), 'summary': resource.summary(name, 'would be created')})
        if resource.plan is not None:
            resource.plan.add(name)  # later tasks of this dry run find it planned, not missing
        return result
    facts = resource.facts(resource.create(fields))
    result.update({resource.kind: facts, 'msg': resource.say('created', name, id=facts['id']),
                   'summary': resource.summary(name, 'created')})
    if task.params['wait']:
        _wait_until_created(task, resource, name, facts['id'], result)
    return result


def _planned_present(task, resource, name, desired, result):
    """Check mode: an earlier task of this run would create the resource, so this one would find it."""
    fields = dict((key, value) for key, value in desired.items() if value is not None)
    facts = predicted(dict(fields, name=name), resource.server_assigned + resource.diff_keys)
    result.update({'changed': False, resource.kind: facts,
                   'msg': '%s does not exist yet, but an earlier task of this run would create it; nothing more to '
                          'do (check mode: nothing was sent).' % resource.title(name)})
    _set_diff(task, result, unchanged_diff(facts, resource.diff_keys))
    return result


def _planned_absent(task, resource, name, result):
    """Check mode: the resource would be deleted right after an earlier task of this run has created it."""
    title = resource.title(name)
    held = resource.plan.planned_contents(name)
    if held and resource.contents is not None and resource.contents.guarded and not task.params.get('force'):
        raise LLMObsError('%s does not exist yet, but earlier tasks of this run would create it with %s; deleting '
                          'it deletes them too. Set force: true to delete it with them, or delete the %s first.'
                          % (title, amount(held, resource.contents.guarded), resource.contents.guarded), **result)
    facts = predicted(dict(name=name), resource.server_assigned + resource.diff_keys)
    result.update({'changed': True, resource.kind: facts,
                   'msg': '%s does not exist yet: %s, and this task would then delete it (check mode: nothing was '
                          'sent).' % (title, PLANNED_NOTE)})
    _set_diff(task, result, delete_diff(facts, resource.diff_keys))
    resource.plan.remove(name)
    return result


def _wait_until_created(task, resource, name, item_id, result):
    """Wait on the lookup the next run makes, so that it is sure to find the new resource; warn of twins."""
    timeout = task.params['wait_timeout']
    listed = read_after_write(resource.say('written', name, id=item_id), result, wait_until_listed, task.api.transport,
                              lambda: resource.find(name), item_id, timeout)
    if listed is None:
        raise LLMObsError(resource.say('never_listed', name, id=item_id, timeout=counted(timeout, 'second')), **result)
    others = [str(item.get('id')) for item in listed if item.get('id') != item_id]
    if others:
        task.warn('Another %s named %r appeared at the same time (ids: %s), most likely made by a run in '
                  'parallel. Delete the extra ones: until one is left, runs fail.'
                  % (resource.kind, name, ', '.join(others)))


def _unchanged(task, resource, name, facts, result, summary='unchanged'):
    result.update({'changed': False, resource.kind: facts, 'msg': resource.say('exists', name, id=facts['id']),
                   'summary': resource.summary(name, summary)})
    _set_diff(task, result, unchanged_diff(facts, resource.diff_keys))
    return result


def _keep(task, resource, name, facts, desired, result):
    """Create-only mode: the resource exists, so it is reported as it is; given values that differ are warned of."""
    differing = ' and '.join(sorted(changed_fields(facts, desired)))
    if differing:
        task.warn(resource.say('kept_other', name, fields=differing))
    summary = 'already exists' + (' with another %s, not updated' % differing if differing else '')
    return _unchanged(task, resource, name, facts, result, summary)


def _update(task, resource, name, facts, desired, result):
    changes = changed_fields(facts, desired)
    if not changes:
        return _unchanged(task, resource, name, facts, result)
    after = dict(facts, **changes)
    what = ' and '.join(sorted(changes))
    result['changed'] = True
    _set_diff(task, result, update_diff(facts, after, resource.diff_keys))
    if task.check_mode:
        result.update({resource.kind: after, 'msg': '%s (id %s): would update %s (check mode: nothing was sent).'
                       % (resource.title(name), facts['id'], what),
                       'summary': resource.summary(name, '%s would be updated' % what)})
        return result
    updated = resource.facts(resource.update(facts['id'], changes))
    # A lenient read: an answer that leaves a field out does not hide the value just written.
    for key, value in after.items():
        if updated.get(key) is None:
            updated[key] = value
    result.update({resource.kind: updated, 'msg': '%s (id %s): updated %s.' % (resource.title(name), facts['id'], what),
                   'summary': resource.summary(name, '%s updated' % what)})
    return result


# ---------------------------------------------------------------- waiting after a write


def read_after_write(done, result, read, *args):
    """Return ``read(*args)``, a read that follows a write (a wait); if it fails, the failure still says
    what was written.

    ``done`` says what the write did ("Project 'x' was created (id 1)"); ``result`` (changed, facts)
    goes into the failure, so that the user learns that the write happened.
    """
    try:
        return read(*args)
    except LLMObsError as exc:
        extras = dict(result)
        extras.update(exc.result_extras)
        raise LLMObsError('%s, but the lookup that waits for the list to show it failed: %s'
                          % (done, exc.message), **extras)


def wait_until_listed(transport, find, item_id, timeout):
    """Poll ``find()`` (the name lookup the next run will make) until it lists ``item_id``.

    Returns every item it then lists (others of the same name included: a parallel run's twin),
    or None when ``item_id`` was still missing after ``timeout`` seconds.
    """
    def listed():
        items = find()
        return items if any(item.get('id') == item_id for item in items) else None
    return transport.poll(listed, timeout)


def wait_until_unlisted(transport, find, item_id, timeout):
    """Poll ``find()`` until it no longer lists ``item_id``; True when gone, None after ``timeout`` seconds."""
    def gone():
        return True if all(item.get('id') != item_id for item in find()) else None
    return transport.poll(gone, timeout)
