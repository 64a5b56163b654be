# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The scores of an experiment, computed from its events (spans with their evaluations) as they stream by.

No requests here: a ``ScoreSheet`` is given each span once (``add``) and keeps only running figures per metric
label, so that its memory grows with the number of labels (and categorical values), never with the number of
spans. ``event_line`` is one span as a line of the JSONL file that llmobs_experiment_info writes (``dest``).

The rules, as the module documents them:

- ``span_count``: the spans read; ``error_count``: those with status ``error`` or an error in ``meta.error``.
- A span counts once per label: when it carries a label more than once (re-evaluated), the evaluation with the
  latest ``timestamp_ms`` counts (on a tie, the one listed last; one without a time is older than any with one).
- A metric's type is its ``metric_type`` (lower case, trimmed); without one, the type of the one value field it fills.
- ``count``: the spans whose evaluation of the label has a usable value of the label's type: a finite number
  (not a boolean; or a number written as text) for ``score``, a boolean (or 1/0, "true"/"false") for ``boolean``,
  a string for ``categorical``, anything but null for ``json`` and other types. ``coverage`` is ``count / span_count`` (null without spans).
- A label seen with several types gets the stats of the type with the most usable values (on a tie, the type
  seen first), and ``other_types``: the usable values of each other type, by type.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import math

# The statuses in which an experiment's events are final (LLMObsExperimentStatus): any other (running, failed,
# interrupted, unknown) means some records did not run, or not yet, so the scores cover only those that did.
COMPLETED = 'completed'

KNOWN_TYPES = ('score', 'boolean', 'categorical', 'json')


def _finite_number(value):
    """A JSON number as a float can hold it: not a boolean, not NaN or infinite, no integer beyond the float range."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _score(value):
    """A score as a float, or None: a finite number, or a number written as text (read leniently)."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    return value if _finite_number(value) else None


# Booleans as some servers write them: 1 and 0, "true" and "false".
_BOOLEAN_TEXT = {'true': True, 'false': False}


def _boolean(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        return _BOOLEAN_TEXT.get(value.strip().lower())
    return None


# What a value of each type is read as (None: not usable); any other type takes any value but null.
_READ = {
    'score': _score,
    'boolean': _boolean,
    'categorical': lambda value: value if isinstance(value, str) else None,
}


def metric_type(metric):
    """The type of an evaluation: its ``metric_type`` (case and spaces aside), or the type of the one value field it
    fills (None: neither)."""
    given = metric.get('metric_type')
    if isinstance(given, str) and given.strip():
        return given.strip().lower()
    for name in KNOWN_TYPES:
        if metric.get(name + '_value') is not None:
            return name
    return None


def usable_value(metric, kind):
    """``(True, value)`` when the evaluation holds a usable value of type ``kind`` (read as that type), else
    ``(False, None)``."""
    value = metric.get(kind + '_value')
    if kind not in _READ:
        return (value is not None, value)
    read = _READ[kind](value)
    return (True, read) if read is not None else (False, None)


def span_failed(span):
    """Whether a record failed: its span has status ``error``, or ``meta.error`` holds something."""
    if span.get('status') == 'error':
        return True
    meta = span.get('meta')
    error = meta.get('error') if isinstance(meta, dict) else None
    if isinstance(error, dict):
        return any(value not in (None, '', [], {}) for value in error.values())
    return error not in (None, '', [], {}, False)


def _exact_add(partials, value):
    """Add ``value`` to a sum kept as non-overlapping partials (Shewchuk's algorithm, the one math.fsum uses), so
    that the mean of many scores carries no rounding error beyond the last division; the partials stay few."""
    kept = 0
    for partial in partials:
        if abs(value) < abs(partial):
            value, partial = partial, value
        high = value + partial
        low = partial - (high - value)
        if low:
            partials[kept] = low
            kept += 1
        value = high
    partials[kept:] = [value]


class _Stats(object):
    """The running figures of one label's values of one type."""

    def __init__(self, kind):
        self.kind = kind
        self.count = 0

    def add(self, value):
        self.count += 1

    def figures(self):
        return {}


class _ScoreStats(_Stats):

    def __init__(self, kind):
        super(_ScoreStats, self).__init__(kind)
        self.partials = []
        self.running_mean = 0.0  # only used when the exact sum leaves the float range (values near 1e308)
        self.minimum = self.maximum = None

    def add(self, value):
        super(_ScoreStats, self).add(value)
        _exact_add(self.partials, float(value))
        self.running_mean += (float(value) - self.running_mean) / self.count
        if self.minimum is None or value < self.minimum:
            self.minimum = value
        if self.maximum is None or value > self.maximum:
            self.maximum = value

    def mean(self):
        if not self.count:
            return None
        try:
            total = math.fsum(self.partials)
        except (OverflowError, ValueError):
            total = None
        if total is None or not math.isfinite(total):
            return self.running_mean
        return total / self.count

    def figures(self):
        return dict(mean=self.mean(), min=self.minimum, max=self.maximum)


class _BooleanStats(_Stats):

    def __init__(self, kind):
        super(_BooleanStats, self).__init__(kind)
        self.passed = 0

    def add(self, value):
        super(_BooleanStats, self).add(value)
        self.passed += 1 if value else 0

    def figures(self):
        return dict(pass_rate=self.passed / self.count if self.count else None)


class _CategoricalStats(_Stats):

    def __init__(self, kind):
        super(_CategoricalStats, self).__init__(kind)
        self.counts = {}

    def add(self, value):
        super(_CategoricalStats, self).add(value)
        self.counts[value] = self.counts.get(value, 0) + 1

    def figures(self):
        return dict(counts=dict(sorted(self.counts.items())))


_STATS = {'score': _ScoreStats, 'boolean': _BooleanStats, 'categorical': _CategoricalStats}


class _Label(object):
    """Every type one label was seen with, in the order first seen."""

    def __init__(self):
        self.by_type = {}
        self.order = []

    def add(self, kind, metric):
        stats = self.by_type.get(kind)
        if stats is None:
            stats = self.by_type[kind] = _STATS.get(kind, _Stats)(kind)
            self.order.append(kind)
        usable, value = usable_value(metric, kind)
        if usable:
            stats.add(value)

    def main_type(self):
        """The type with the most usable values; on a tie, the one seen first."""
        return max(self.order, key=lambda kind: (self.by_type[kind].count, -self.order.index(kind)))


def _latest(metrics):
    """Of a span's evaluations, the one that counts for each label (see the module's rules), in first-seen order."""
    chosen = {}
    for metric in metrics if isinstance(metrics, list) else ():
        if not isinstance(metric, dict):
            continue
        label = metric.get('label')
        if not isinstance(label, str) or metric_type(metric) is None:
            continue
        held = chosen.get(label)
        if held is None or _time_of(metric) >= _time_of(held):
            chosen[label] = metric
    return chosen


def _time_of(metric):
    stamp = metric.get('timestamp_ms')
    return stamp if _finite_number(stamp) else float('-inf')


class ScoreSheet(object):
    """The scores of one experiment, given its spans one at a time."""

    def __init__(self):
        self.span_count = 0
        self.error_count = 0
        self.labels = {}

    def add(self, span):
        self.span_count += 1
        if span_failed(span):
            self.error_count += 1
        for label, metric in _latest(span.get('eval_metrics')).items():
            self.labels.setdefault(label, _Label()).add(metric_type(metric), metric)

    def coverage(self, count):
        return count / self.span_count if self.span_count else None

    def label_stats(self, label, complete):
        """What the module returns for one label."""
        seen = self.labels[label]
        kind = seen.main_type()
        stats = seen.by_type[kind]
        result = dict(type=kind, count=stats.count, coverage=self.coverage(stats.count), complete=complete)
        result.update(stats.figures())
        others = dict((other, seen.by_type[other].count) for other in seen.order if other != kind)
        if others:
            result['other_types'] = others
        return result

    def result(self, status, summary_metrics):
        """The facts the module adds to an experiment: ``complete`` only when ``status`` is ``completed``."""
        complete = status == COMPLETED
        return dict(
            scores=dict((label, self.label_stats(label, complete)) for label in sorted(self.labels)),
            summary_metrics=list(summary_metrics) if isinstance(summary_metrics, list) else [],
            span_count=self.span_count, error_count=self.error_count, complete=complete)


def event_line(span, experiment_id, experiment_name):
    """One span as a JSONL line: the span as the API gave it, with the experiment's id and name added (so that the
    spans of several experiments can share a file); keys sorted, so that the same span always makes the same bytes."""
    row = dict(span)
    row.update(experiment_id=experiment_id, experiment_name=experiment_name)
    return json.dumps(row, sort_keys=True, ensure_ascii=False) + '\n'
