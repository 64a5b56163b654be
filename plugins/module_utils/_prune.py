# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The rules of llmobs_dataset_prune, as pure functions: which datasets matching a pattern go, which stay, and why.

Nothing here sends a request or reads the clock: the module reads the datasets and the experiments and
passes the time (``now``, seconds since the epoch), so that every decision can be tested with fixed data.

The rules, in the order they are applied to the datasets whose whole name matches the pattern:

1. A dataset without a readable ``created_at`` is kept: its age is unknown. It takes no place among the newest.
   A dataset that an earlier task of a dry run would create (``planned``: no id yet) counts as created ``now``.
2. The others are ranked newest first by ``created_at``; equal times by name, then id (character order).
3. ``keep`` N: the first N of that ranking are kept.
4. ``older_than``: of the rest, those created that long ago or less are kept.
5. What is left would be deleted; with neither rule (only ``keep: 0``), every dated match would.
6. The guard (``protect_used_within``): a dataset that step 5 would delete, but that an experiment created
   within that window uses, is kept (``Decisions.guarded``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import fnmatch
import re

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._planned import PLANNED_NOTE
from ansible_collections.llmobs.datadog.plugins.module_utils._text import counted

# Duration units: letter, seconds, and the word ages are told in.
UNITS = (('w', 7 * 86400, 'week'), ('d', 86400, 'day'), ('h', 3600, 'hour'), ('m', 60, 'minute'), ('s', 1, 'second'))
UNIT_SECONDS = dict((letter, seconds) for letter, seconds, dummy in UNITS)
_DURATION = re.compile(r'^\s*([0-9]+)\s*([smhdw])\s*\Z')
DURATION_FORM = ('a whole number and a unit: s (seconds), m (minutes), h (hours), d (days) or w (weeks), such as '
                 '90m, 12h, 30d or 8w')

# An ISO 8601 time as the API writes it ('2026-11-25T10:00:00.123+00:00', '...Z'); a time without an offset
# is taken as UTC, the API's zone.
_TIMESTAMP = re.compile(r'^\s*(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?'
                        r'\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?\s*\Z')
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

# How many datasets a message names before it says "and N more" (the result lists every one).
NAMED_IN_MESSAGE = 10

NO_RULE = ('Give keep, older_than or both: with neither, every dataset matching name_pattern would be deleted. '
           'To delete every match, set keep: 0.')


class Duration(object):
    """A duration option: ``text`` as the task gave it (trimmed), ``seconds`` what it means."""

    def __init__(self, text, seconds):
        self.text = text
        self.seconds = seconds

    def __repr__(self):
        return 'Duration(%r)' % self.text


class Rules(object):
    """The checked options of a prune: ``pattern``, ``keep`` (int or None), ``older_than`` (a Duration or None),
    ``protect`` (a Duration, or None when the guard is off)."""

    def __init__(self, pattern, keep=None, older_than=None, protect=None):
        self.pattern = pattern
        self.keep = keep
        self.older_than = older_than
        self.protect = protect


def parse_duration(value, option):
    """A Duration from ``90m``, ``12h``, ``30d``, ``8w`` or ``45s``; raises ValidationError naming ``option``."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValidationError('%s must be a duration, %s (got %r).' % (option, DURATION_FORM, value))
    return Duration(value.strip(), int(match.group(1)) * UNIT_SECONDS[match.group(2)])


def check_rules(params):
    """The Rules of the task's options, or a ValidationError naming the option; no request is sent before."""
    pattern = params['name_pattern']
    if pattern is None or not pattern.strip():
        raise ValidationError('name_pattern must not be blank: give a shell-style pattern of whole dataset names, '
                              'such as eval-questions-release-*.')
    keep = params['keep']
    if keep is not None and keep < 0:
        raise ValidationError('keep must be 0 or more (got %d): it is how many of the newest matching datasets are '
                              'never deleted.' % keep)
    older_than = None
    if params['older_than'] is not None:
        older_than = parse_duration(params['older_than'], 'older_than')
        if older_than.seconds == 0:
            raise ValidationError('older_than must be longer than 0 (got %r): to delete every match, set keep: 0 '
                                  'instead.' % params['older_than'])
    if keep is None and older_than is None:
        raise ValidationError(NO_RULE)
    if params['protect_used_within'] is None:
        raise ValidationError('protect_used_within must be a duration, %s, or 0 to turn the guard off (got None).'
                              % DURATION_FORM)
    protect = parse_duration('0s' if params['protect_used_within'].strip() == '0' else params['protect_used_within'],
                             'protect_used_within')
    return Rules(pattern, keep, older_than, protect if protect.seconds else None)


def parse_time(value):
    """Seconds since the epoch of an ISO 8601 time (no offset: UTC), or None when it is missing or unreadable."""
    match = _TIMESTAMP.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        zone = datetime.timezone.utc
        if offset and offset not in ('Z', 'z'):
            digits = offset[1:].replace(':', '')
            delta = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
            zone = datetime.timezone(-delta if offset[0] == '-' else delta)
        moment = datetime.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                                   int(second or 0), int((fraction or '0')[:6].ljust(6, '0')), tzinfo=zone)
    except ValueError:  # a month 13, an offset of 25 hours
        return None
    return (moment - _EPOCH).total_seconds()


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


def entry(item, reason):
    """One dataset of the result: its id, name and created_at as listed, and why it goes or stays."""
    return dict(id=item.get('id'), name=item.get('name'), created_at=item.get('created_at'), reason=reason)


def matches(datasets, pattern):
    """The datasets whose whole name matches the shell-style ``pattern``, case counting (fnmatch.fnmatchcase)."""
    return [item for item in datasets if isinstance(item.get('name'), str) and fnmatch.fnmatchcase(item['name'], pattern)]


def _keep_text(keep):
    return 'the newest %d (keep: %d)' % (keep, keep)


def decide(datasets, rules, now):
    """The Decisions of the rules (not yet the guard) for ``datasets`` (facts with id, name, created_at) at ``now``.

    A dataset marked ``planned`` (check mode: an earlier task of the run would create it) counts as created ``now``.
    """
    found = matches(datasets, rules.pattern)
    dated, undated = [], []
    for item in found:
        when = now if item.get('planned') else parse_time(item.get('created_at'))
        if when is not None:
            dated.append((when, item))
        elif item.get('created_at') in (None, ''):
            undated.append(entry(item, 'no created_at: its age is unknown, so it is kept'))
        else:
            undated.append(entry(item, 'created_at %r is not a time the module can read: its age is unknown, so it is '
                                       'kept' % (item.get('created_at'),)))
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
        decision.append(entry(item, reason))
    undated.sort(key=lambda item: (item['name'], str(item.get('id'))))
    return Decisions([item['name'] for dummy, item in dated] + [item['name'] for item in undated], deleting,
                     kept + undated)


def _delete_reason(rules, age):
    reasons = []
    if rules.keep:
        reasons.append('outside %s' % _keep_text(rules.keep))
    if rules.older_than is not None:
        reasons.append('%s, older than %s (older_than)' % (created_text(age), rules.older_than.text))
    return ' and '.join(reasons) or 'keep: 0 and no older_than: every match goes'


def experiment_label(experiment):
    """"experiment 'nightly-eval' (id e1)", or "experiment e1" when it has no name."""
    if experiment.get('name') is None:
        return 'experiment %s' % experiment.get('id')
    return 'experiment %r (id %s)' % (experiment.get('name'), experiment.get('id'))


def recent_use(dataset_id, experiments, window, now):
    """Why the experiments keep the dataset (``window``: protect_used_within), or None when none is recent.

    ``experiments`` are facts (id, name, dataset_id, created_at) as the list filtered by the dataset returned them;
    one that names another dataset is left out (a server that ignored the filter), one that names none is counted.
    The newest recent one is named; one whose created_at cannot be read counts as recent: its use may be.
    """
    newest, unreadable = None, None
    for experiment in experiments:
        if experiment.get('dataset_id') not in (None, dataset_id):
            continue
        when = parse_time(experiment.get('created_at'))
        if when is None:
            unreadable = unreadable or experiment
        elif now - when <= window.seconds and (newest is None or when > newest[0]):
            newest = (when, experiment)
    if newest is not None:
        return 'used by %s %s, within %s (protect_used_within)' % (
            experiment_label(newest[1]), created_text(now - newest[0]), window.text)
    if unreadable is not None:
        return ('used by %s, whose created_at %r cannot be read: it may be recent (protect_used_within)'
                % (experiment_label(unreadable), unreadable.get('created_at')))
    return None


def named_list(entries):
    """"'a' (id 1), 'b' (id 2)", at most NAMED_IN_MESSAGE of them, then 'and N more'."""
    names = ['%r (%s)' % (item['name'], 'not created yet' if item['id'] is None else 'id %s' % item['id'])
             for item in entries[:NAMED_IN_MESSAGE]]
    if len(entries) > NAMED_IN_MESSAGE:
        names.append('and %d more' % (len(entries) - NAMED_IN_MESSAGE))
    return ', '.join(names)


class Decisions(object):
    """What the rules decided: ``matched`` (the matching names, newest first, undated last), ``deleting`` and
    ``kept`` (entries: id, name, created_at, reason)."""

    def __init__(self, matched, deleting, kept):
        self.matched = matched
        self.deleting = deleting
        self.kept = kept

    def guarded(self, uses, window, now):
        """The Decisions once the guard has kept what recent experiments use; ``uses`` maps the id of each dataset
        of ``deleting`` to its experiments (facts)."""
        deleting, kept = [], list(self.kept)
        for item in self.deleting:
            reason = recent_use(item['id'], uses.get(item['id'], ()), window, now)
            if reason is None:
                deleting.append(item)
            else:
                kept.append(dict(item, reason=reason))
        return Decisions(self.matched, deleting, kept)

    def diff(self):
        """Before: the matching names; after: those that remain (newest first)."""
        remaining = list(self.matched)
        for item in self.deleting:
            remaining.remove(item['name'])
        return dict(before=dict(datasets=list(self.matched)), after=dict(datasets=remaining))

    def outcome(self, pattern, where, check_mode):
        """(msg, summary) of a run that deleted (in check mode, would delete) ``deleting``."""
        label = 'datasets matching %s' % pattern
        kept, going = len(self.kept), len(self.deleting)
        if not self.matched:
            return 'No dataset %s matches name_pattern %r; nothing to do.' % (where, pattern), '%s: none' % label
        if not going:
            return ('Kept the %s matching %r %s; nothing to delete.' % (counted(kept, 'dataset'), pattern, where),
                    '%s: %d kept, none deleted' % (label, kept))
        what = (counted(going, 'dataset'), pattern, where, named_list(self.deleting), kept)
        if check_mode:
            return ('Would delete %s matching %r %s: %s; would keep %d (check mode: nothing was sent).' % what,
                    '%s: %d would be deleted, %d kept' % (label, going, kept))
        return 'Deleted %s matching %r %s: %s; kept %d.' % what, '%s: %d deleted, %d kept' % (label, going, kept)


def partial_failure(message, deleted, not_deleted):
    """The message of a delete that failed midway: the error, what went before it and what is left."""
    done = ('Deleted by this task before it failed: %s.' % named_list(deleted) if deleted
            else 'This task deleted no dataset before it failed.')
    return ('%s %s Not deleted: %s. Run the task again to finish: the rules are applied anew to what is left.'
            % (message.rstrip(), done, named_list(not_deleted)))
