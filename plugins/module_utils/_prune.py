# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The rules of the prune modules, as pure functions: which items matching a pattern go, which stay, and why.

One implementation for every prune (llmobs_dataset_prune, llmobs_experiment_prune): the options ``name_pattern``,
``keep`` and ``older_than``, their checks, the matching, the ranking, the messages and the results. What is
pruned (datasets, experiments) is a ``Kind``: the words of its messages and the facts its entries carry. Each
module's own guard lives beside it (``_dataset_prune``: datasets that recent experiments use; ``_experiment_prune``:
runs in progress and the parents of kept experiments) and moves items from ``deleting`` to ``kept`` with
``Decisions.keeping``.

Nothing here sends a request or reads the clock: the module reads what it prunes and passes the time
(``now``, seconds since the epoch), so that every decision can be tested with fixed data. Only
``delete_decided``, the deletes and the wait after them, makes requests, through the functions the module gives.

The rules, in the order they are applied to the items whose whole name matches the pattern:

1. An item without a readable ``created_at`` is kept: its age is unknown. It takes no place among the newest.
   A dataset that an earlier task of a dry run would create (``planned``: no id yet) counts as created ``now``.
2. The others are ranked newest first by ``created_at``; equal times by name, then id (character order).
3. ``keep`` N: the first N of that ranking are kept.
4. ``older_than``: of the rest, those created that long ago or less are kept.
5. What is left would be deleted; with neither rule (only ``keep: 0``), every dated match would.
6. The module's guard keeps some of what step 5 would delete (``Decisions.keeping``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import fnmatch
import re

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError, ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._planned import PLANNED_NOTE
from ansible_collections.llmobs.datadog.plugins.module_utils._state import read_after_write
from ansible_collections.llmobs.datadog.plugins.module_utils._text import counted, plural
from ansible_collections.llmobs.datadog.plugins.module_utils._timestamps import parse_time

# Duration units: letter, seconds, and the word ages are told in.
UNITS = (('w', 7 * 86400, 'week'), ('d', 86400, 'day'), ('h', 3600, 'hour'), ('m', 60, 'minute'), ('s', 1, 'second'))
UNIT_SECONDS = dict((letter, seconds) for letter, seconds, dummy in UNITS)
_DURATION = re.compile(r'^\s*([0-9]+)\s*([smhdw])\s*\Z')
DURATION_FORM = ('a whole number and a unit: s (seconds), m (minutes), h (hours), d (days) or w (weeks), such as '
                 '90m, 12h, 30d or 8w')


# How many items a message names before it says "and N more" (the result lists every one).
NAMED_IN_MESSAGE = 10


class Kind(object):
    """What a prune deletes: its ``noun`` ('dataset'), a pattern of its names for messages (``example``), and the
    ``fields`` of its facts that each entry of the result carries beside id, name and created_at."""

    def __init__(self, noun, example, fields=()):
        self.noun = noun
        self.example = example
        self.fields = tuple(fields)

    @property
    def plural(self):
        return plural(self.noun)

    @property
    def no_rule(self):
        return ('Give keep, older_than or both: with neither, every %s matching name_pattern would be deleted. '
                'To delete every match, set keep: 0.' % self.noun)


DATASETS = Kind('dataset', 'eval-questions-release-*')
EXPERIMENTS = Kind('experiment', 'nightly-eval-*', ('experiment', 'dataset_id', 'parent_experiment_id', 'status'))

NO_RULE = DATASETS.no_rule


class Duration(object):
    """A duration option: ``text`` as the task gave it (trimmed), ``seconds`` what it means."""

    def __init__(self, text, seconds):
        self.text = text
        self.seconds = seconds

    def __repr__(self):
        return 'Duration(%r)' % self.text


class Rules(object):
    """The checked options of a prune: ``pattern``, ``keep`` (int or None), ``older_than`` (a Duration or None),
    and the ``kind`` of what is pruned (its words)."""

    def __init__(self, pattern, keep=None, older_than=None, kind=DATASETS):
        self.pattern = pattern
        self.keep = keep
        self.older_than = older_than
        self.kind = kind


def parse_duration(value, option):
    """A Duration from ``90m``, ``12h``, ``30d``, ``8w`` or ``45s``; raises ValidationError naming ``option``."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValidationError('%s must be a duration, %s (got %r).' % (option, DURATION_FORM, value))
    return Duration(value.strip(), int(match.group(1)) * UNIT_SECONDS[match.group(2)])


def check_rules(params, kind=DATASETS):
    """The Rules of the task's options ``name_pattern``, ``keep`` and ``older_than``, or a ValidationError naming
    the option; no request is sent before."""
    pattern = params['name_pattern']
    if pattern is None or not pattern.strip():
        raise ValidationError('name_pattern must not be blank: give a shell-style pattern of whole %s names, '
                              'such as %s.' % (kind.noun, kind.example))
    keep = params['keep']
    if keep is not None and keep < 0:
        raise ValidationError('keep must be 0 or more (got %d): it is how many of the newest matching %s are '
                              'never deleted.' % (keep, kind.plural))
    older_than = None
    if params['older_than'] is not None:
        older_than = parse_duration(params['older_than'], 'older_than')
        if older_than.seconds == 0:
            raise ValidationError('older_than must be longer than 0 (got %r): to delete every match, set keep: 0 '
                                  'instead.' % params['older_than'])
    if keep is None and older_than is None:
        raise ValidationError(kind.no_rule)
    return Rules(pattern, keep, older_than, kind)


def age_text(seconds):
    """'40 days', '2 days 3 hours', '1 hour 40 minutes', '12 seconds': the largest unit, and the next below it
    while the first is under ten (days are the largest: '9 weeks' says less than '63 days')."""
    seconds = int(seconds)
    units = [unit for unit in UNITS if unit[0] != 'w']
    for index, (dummy, size, word) in enumerate(units):
        if seconds >= size or size == 1:
            text = counted(seconds // size, word)
            rest = seconds % size
            if seconds // size < 10 and index + 1 < len(units) and rest >= units[index + 1][1]:
                text += ' ' + counted(rest // units[index + 1][1], units[index + 1][2])
            return text
    return counted(seconds, 'second')  # not reached: the loop ends on seconds


def created_text(age):
    """'created 40 days ago', or for a time ahead of the clock 'created 5 minutes from now'."""
    if age < 0:
        return 'created %s from now (the clocks differ)' % age_text(-age)
    return 'created %s ago' % age_text(age)


def entry(item, reason, fields=()):
    """One item of the result: its id, name and created_at as listed, the ``fields`` of its kind, and why it goes or
    stays."""
    result = dict(id=item.get('id'), name=item.get('name'), created_at=item.get('created_at'))
    result.update((field, item.get(field)) for field in fields)
    result['reason'] = reason
    return result


def matches(items, pattern):
    """The items whose whole name matches the shell-style ``pattern``, case counting (fnmatch.fnmatchcase)."""
    return [item for item in items if isinstance(item.get('name'), str) and fnmatch.fnmatchcase(item['name'], pattern)]


def _keep_text(keep):
    return 'the newest %d (keep: %d)' % (keep, keep)


def decide(items, rules, now):
    """The Decisions of the rules (not yet the guard) for ``items`` (facts with id, name, created_at) at ``now``.

    An item marked ``planned`` (check mode: an earlier task of the run would create it) counts as created ``now``.
    """
    found = matches(items, rules.pattern)
    fields = rules.kind.fields
    dated, undated = [], []
    for item in found:
        when = now if item.get('planned') else parse_time(item.get('created_at'))
        if when is not None:
            dated.append((when, item))
        elif item.get('created_at') in (None, ''):
            undated.append(entry(item, 'no created_at: its age is unknown, so it is kept', fields))
        else:
            undated.append(entry(item, 'created_at %r is not a time the module can read: its age is unknown, so it is '
                                       'kept' % (item.get('created_at'),), fields))
    dated.sort(key=lambda pair: (-pair[0], pair[1]['name'], str(pair[1].get('id'))))
    deleting, kept = [], []
    for rank, (when, item) in enumerate(dated):
        age = now - when
        if rules.keep is not None and rank < rules.keep:
            decision, reason = kept, 'among %s' % _keep_text(rules.keep)
        elif rules.older_than is not None and age <= rules.older_than.seconds:
            decision, reason = kept, '%s, not older than %s (older_than)' % (created_text(age), rules.older_than.text)
        else:
            decision, reason = deleting, _delete_reason(rules, age)
        if item.get('planned'):
            reason = 'not created yet (%s), counted as created now: %s' % (PLANNED_NOTE, reason)
        decision.append(entry(item, reason, fields))
    undated.sort(key=lambda item: (item['name'], str(item.get('id'))))
    return Decisions([item['name'] for dummy, item in dated] + [item['name'] for item in undated], deleting,
                     kept + undated, rules.kind)


def _delete_reason(rules, age):
    reasons = []
    if rules.keep:
        reasons.append('outside %s' % _keep_text(rules.keep))
    if rules.older_than is not None:
        reasons.append('%s, older than %s (older_than)' % (created_text(age), rules.older_than.text))
    return ' and '.join(reasons) or 'keep: 0 and no older_than: every match goes'


def experiment_label(experiment):
    """"experiment 'nightly-eval' (id e1)", or "experiment e1" when it has no name: how both guards name one."""
    if experiment.get('name') is None:
        return 'experiment %s' % experiment.get('id')
    return 'experiment %r (id %s)' % (experiment.get('name'), experiment.get('id'))


def named_list(entries):
    """"'a' (id 1), 'b' (id 2)", at most NAMED_IN_MESSAGE of them, then 'and N more'."""
    names = ['%r (%s)' % (item['name'], 'not created yet' if item['id'] is None else 'id %s' % item['id'])
             for item in entries[:NAMED_IN_MESSAGE]]
    if len(entries) > NAMED_IN_MESSAGE:
        names.append('and %d more' % (len(entries) - NAMED_IN_MESSAGE))
    return ', '.join(names)


class Decisions(object):
    """What the rules decided: ``matched`` (the matching names, newest first, undated last), ``deleting`` and
    ``kept`` (entries: id, name, created_at, the kind's fields, reason), and the ``kind`` of the items."""

    def __init__(self, matched, deleting, kept, kind=DATASETS):
        self.matched = matched
        self.deleting = deleting
        self.kept = kept
        self.kind = kind

    def keeping(self, reasons):
        """The Decisions once a guard has kept some of ``deleting``: ``reasons(item)`` says why the item stays, or
        None when it goes. Those kept come after the rules' own, in the order of ``deleting``."""
        deleting, kept = [], list(self.kept)
        for item in self.deleting:
            reason = reasons(item)
            if reason is None:
                deleting.append(item)
            else:
                kept.append(dict(item, reason=reason))
        return Decisions(self.matched, deleting, kept, self.kind)

    def diff(self):
        """Before: the matching names; after: those that remain (newest first)."""
        remaining = list(self.matched)
        for item in self.deleting:
            remaining.remove(item['name'])
        key = self.kind.plural
        return dict(before={key: list(self.matched)}, after={key: remaining})

    def outcome(self, pattern, where, check_mode):
        """(msg, summary) of a run that deleted (in check mode, would delete) ``deleting``."""
        noun = self.kind.noun
        label = '%s matching %s' % (self.kind.plural, pattern)
        kept, going = len(self.kept), len(self.deleting)
        if not self.matched:
            return 'No %s %s matches name_pattern %r; nothing to do.' % (noun, where, pattern), '%s: none' % label
        if not going:
            return ('Kept the %s matching %r %s; nothing to delete.' % (counted(kept, noun), pattern, where),
                    '%s: %d kept, none deleted' % (label, kept))
        what = (counted(going, noun), pattern, where, named_list(self.deleting), kept)
        if check_mode:
            return ('Would delete %s matching %r %s: %s; would keep %d (check mode: nothing was sent).' % what,
                    '%s: %d would be deleted, %d kept' % (label, going, kept))
        return 'Deleted %s matching %r %s: %s; kept %d.' % what, '%s: %d deleted, %d kept' % (label, going, kept)


def partial_failure(message, deleted, not_deleted, kind=DATASETS, maybe_deleted=()):
    """The message of a delete that failed midway: the error, what went before it, what the failed request may have
    deleted (its outcome unknown), and what is left."""
    done = ('Deleted by this task before it failed: %s.' % named_list(deleted) if deleted
            else 'This task deleted no %s before it failed.' % kind.noun)
    if maybe_deleted:
        done += ' Maybe deleted (the outcome of the request that failed is unknown): %s.' % named_list(maybe_deleted)
    if not_deleted:
        done += ' Not deleted: %s.' % named_list(not_deleted)
    return ('%s %s Run the task again to finish: the rules are applied anew to what is left.'
            % (message.rstrip(), done))


def delete_decided(task, decisions, result, where, delete, listed_ids, batch_size=1):
    """Delete ``decisions.deleting``, ``batch_size`` entries per call of ``delete(entries)``, and return ``result``
    with ``deleted``; then, with the option ``wait``, poll ``listed_ids()`` (the ids the list shows now) until it
    shows none of them, for at most ``wait_timeout`` seconds: a list that still shows some is a warning.

    A failed delete raises LLMObsError naming what this task deleted before it (``deleted``) and what it did not
    (``not_deleted``, from the failed call on); ``result`` goes into the failure but its ``summary``, which told of
    the whole job. When the failed call's outcome is unknown (its answer was lost, and the lookup could not tell),
    its entries are ``maybe_deleted``, and ``not_deleted`` those after it.
    """
    params, going = task.params, decisions.deleting
    deleted = []
    for start in range(0, len(going), batch_size):
        batch = going[start:start + batch_size]
        try:
            delete(batch)
        except LLMObsError as exc:
            # A call whose outcome is unknown may have deleted its batch: it is not said to be left.
            maybe = batch if exc.outcome_unknown else []
            left = going[start + len(maybe):]
            extras = dict(result)
            extras.pop('summary', None)
            extras.update(changed=bool(deleted or maybe), deleted=deleted, not_deleted=left)
            if maybe:
                extras['maybe_deleted'] = maybe
            extras.update(exc.result_extras)
            error = LLMObsError(partial_failure(exc.message, deleted, left, decisions.kind, maybe), **extras)
            error.outcome_unknown = exc.outcome_unknown
            raise error
        deleted.extend(batch)
        task.progress.step(decisions, 'Pruning %s: %d of %d deleted so far.' % (where, len(deleted), len(going)))
    result['deleted'] = deleted
    if params['wait']:
        ids = set(item['id'] for item in deleted)

        def unlisted():
            return None if ids.intersection(listed_ids()) else True

        if read_after_write(result['msg'].rstrip('.'), result, task.api.transport.poll, unlisted,
                            params['wait_timeout']) is None:
            task.warn('Deleted %s, but the list still showed some after %s; a run started right away may '
                      'still find them. Raise wait_timeout to wait longer.'
                      % (counted(len(deleted), decisions.kind.noun), counted(params['wait_timeout'], 'second')))
    return result
