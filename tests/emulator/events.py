# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The events of an experiment: its spans, their eval metrics and its summary metrics.

Spans come three ways: posted through the API (CreateLLMObsExperimentEvents), given whole by a
seed or the control API, or generated. A generator makes span ``i`` of a run from ``(seed, i)``
alone, when a page asks for it: 10,000 spans of 5 KB cost nothing to seed and nothing to keep,
and the values are the same on every read and in every emulator (``generated_values``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import json
import math
import random
import uuid

SPAN_STATUSES = ('ok', 'error')
METRIC_TYPES = ('score', 'boolean', 'categorical', 'json')
VALUE_FIELDS = {'score': 'score_value', 'boolean': 'boolean_value', 'categorical': 'categorical_value',
                'json': 'json_value'}
ASSESSMENTS = ('pass', 'fail')
METRIC_SOURCES = ('custom', 'summary')

# A span as the spec's request has it, plus the fields the events list shows (seeds may give them).
SPAN_FIELDS = ('trace_id', 'span_id', 'project_id', 'dataset_id', 'name', 'start_ns', 'duration', 'status', 'meta',
               'tags', 'dataset_record_id', 'metrics', 'parent_id', 'id', 'eval_metrics')
SPAN_REQUIRED = ('trace_id', 'span_id', 'project_id', 'dataset_id', 'name', 'start_ns', 'duration', 'status')
META_FIELDS = ('input', 'output', 'expected_output', 'error')
SPAN_ERROR_FIELDS = ('message', 'type', 'stack')
# A metric as the spec's request has it, plus what ddtrace sends (metric_source, eval_source_type,
# experiment_id, trace_id) and what a seed may fix (id).
METRIC_FIELDS = ('span_id', 'metric_type', 'timestamp_ms', 'label', 'score_value', 'boolean_value', 'categorical_value',
                 'json_value', 'assessment', 'reasoning', 'tags', 'metadata', 'error', 'metric_source',
                 'eval_source_type', 'experiment_id', 'trace_id', 'id')
METRIC_REQUIRED = ('span_id', 'metric_type', 'timestamp_ms', 'label')

GENERATE_FIELDS = ('records', 'metrics', 'span_bytes', 'errors', 'seed')
GENERATED_METRIC_FIELDS = ('label', 'type', 'values', 'assessment')
DEFAULT_CATEGORIES = ('correct', 'partial', 'wrong')
# Spans generated: a score passes from this value up; a boolean is true this often.
SCORE_PASS = 0.5
BOOLEAN_TRUE_RATE = 0.75
# Generated spans start this far apart (nanoseconds).
SPAN_SPACING_NS = 500000000


class InvalidEvent(ValueError):
    """A span or metric that cannot be stored; ``field`` is a JSON pointer below the item."""

    def __init__(self, message, field=''):
        super(InvalidEvent, self).__init__(message)
        self.field = field


# ---------------------------------------------------------------------- checks


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not (
        isinstance(value, float) and (math.isnan(value) or math.isinf(value)))


def _is_whole(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _unknown(item, known, what):
    if not isinstance(item, dict):
        raise InvalidEvent('a %s must be an object' % what)
    unknown = sorted(set(item) - set(known))
    if unknown:
        raise InvalidEvent('unknown %s field(s): %s' % (what, ', '.join(unknown)), '/' + unknown[0])


def _text(item, key, required=False, empty=True):
    if key not in item or item[key] is None:
        if required:
            raise InvalidEvent('%s is required' % key, '/' + key)
        return
    if not isinstance(item[key], str) or (not empty and not item[key].strip()):
        raise InvalidEvent('%s must be a %sstring' % (key, '' if empty else 'non-empty '), '/' + key)


def _tags(item, key='tags'):
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise InvalidEvent('%s must be a list of strings' % key, '/' + key)
    return list(value)


def _optional_object(item, key):
    value = item.get(key)
    if value is not None and not isinstance(value, dict):
        raise InvalidEvent('%s must be an object' % key, '/' + key)
    return value


def check_metric(item, strict=True):
    """One eval metric, checked, in the shape the events list shows (LLMObsExperimentEvalMetricEvent).

    ``strict``: the spec's required fields must be there (API requests); seeds and the control
    API may leave out ``span_id`` and ``timestamp_ms`` (the span's are used). A value field of
    another type than ``metric_type`` is refused; the type's own may be left out or null (an
    evaluation that failed, with ``error``).
    """
    _unknown(item, METRIC_FIELDS, 'metric')
    for key in METRIC_REQUIRED if strict else ('metric_type', 'label'):
        if item.get(key) is None:
            raise InvalidEvent('%s is required' % key, '/' + key)
    _text(item, 'label', empty=False)
    metric_type = item['metric_type']
    if metric_type not in METRIC_TYPES:
        raise InvalidEvent('metric_type must be one of %s' % ', '.join(METRIC_TYPES), '/metric_type')
    for key in ('span_id', 'reasoning', 'eval_source_type', 'experiment_id', 'trace_id', 'id'):
        _text(item, key)
    if item.get('timestamp_ms') is not None and (not _is_whole(item['timestamp_ms']) or item['timestamp_ms'] < 0):
        raise InvalidEvent('timestamp_ms must be a whole number of milliseconds', '/timestamp_ms')
    for other_type, field in VALUE_FIELDS.items():
        if other_type != metric_type and item.get(field) is not None:
            raise InvalidEvent('%s goes with metric_type %s, not %s' % (field, other_type, metric_type), '/' + field)
    value = item.get(VALUE_FIELDS[metric_type])
    if value is not None and not {'score': _is_number, 'boolean': lambda v: isinstance(v, bool),
                                  'categorical': lambda v: isinstance(v, str),
                                  'json': lambda v: isinstance(v, dict)}[metric_type](value):
        raise InvalidEvent('%s must be %s' % (VALUE_FIELDS[metric_type], {
            'score': 'a number', 'boolean': 'true or false', 'categorical': 'a string', 'json': 'an object'}[metric_type]),
            '/' + VALUE_FIELDS[metric_type])
    if item.get('assessment') is not None and item['assessment'] not in ASSESSMENTS:
        raise InvalidEvent('assessment must be pass or fail', '/assessment')
    if item.get('metric_source') is not None and item['metric_source'] not in METRIC_SOURCES:
        raise InvalidEvent('metric_source must be custom or summary', '/metric_source')
    error = _optional_object(item, 'error')
    if error is not None:
        try:
            _unknown(error, ('message',), 'metric error')
            _text(error, 'message')
        except InvalidEvent as problem:
            raise InvalidEvent(str(problem), '/error' + problem.field)
    metric = {'id': item.get('id') or str(uuid.uuid4()), 'label': item['label'], 'metric_type': metric_type}
    for field in VALUE_FIELDS.values():
        metric[field] = item.get(field)
    if item.get('assessment') is not None:
        metric['assessment'] = item['assessment']
    metric['reasoning'] = item.get('reasoning')
    metric['metric_source'] = item.get('metric_source') or 'custom'
    for key in ('span_id', 'trace_id', 'timestamp_ms', 'eval_source_type'):
        if item.get(key) is not None:
            metric[key] = item[key]
    metric['tags'] = _tags(item)
    metric['metadata'] = _optional_object(item, 'metadata')
    if error is not None:
        metric['error'] = dict(error)
    return metric


def check_span(item, strict=True):
    """One span, checked: (the span as the events list shows it, without eval_metrics; its metrics).

    ``strict``: the spec's required fields must be there (API requests). Seeds and the control
    API may leave any out; ``fill_span`` fills them. ``meta.input``, ``output`` and
    ``expected_output`` may be any JSON value (records hold strings too). ``eval_metrics`` (not
    in API requests) lists the span's metrics, checked like posted ones.
    """
    _unknown(item, SPAN_FIELDS if not strict else [f for f in SPAN_FIELDS if f not in ('id', 'eval_metrics')], 'span')
    if strict:
        for key in SPAN_REQUIRED:
            if item.get(key) is None:
                raise InvalidEvent('%s is required' % key, '/' + key)
    for key in ('trace_id', 'span_id', 'project_id', 'dataset_id', 'name', 'parent_id', 'id'):
        _text(item, key, empty=key not in ('trace_id', 'span_id'))
    _text(item, 'dataset_record_id')
    for key in ('start_ns', 'duration'):
        value = item.get(key)
        if value is not None and (not _is_number(value) or value < 0 or (key == 'start_ns' and not _is_whole(value))):
            raise InvalidEvent('%s must be a %snumber of nanoseconds' % (key, 'whole ' if key == 'start_ns' else ''),
                               '/' + key)
    if item.get('status') is not None and item['status'] not in SPAN_STATUSES:
        raise InvalidEvent('status must be ok or error', '/status')
    meta = _optional_object(item, 'meta')
    if meta is not None:
        try:
            _unknown(meta, META_FIELDS, 'span meta')
            error = _optional_object(meta, 'error')
            if error is not None:
                try:
                    _unknown(error, SPAN_ERROR_FIELDS, 'span error')
                    for key in SPAN_ERROR_FIELDS:
                        _text(error, key)
                except InvalidEvent as problem:
                    raise InvalidEvent(str(problem), '/error' + problem.field)
        except InvalidEvent as problem:
            raise InvalidEvent(str(problem), '/meta' + problem.field)
    metrics = _optional_object(item, 'metrics')
    if metrics is not None:
        for name, value in metrics.items():
            if not _is_number(value):
                raise InvalidEvent('metrics.%s must be a number' % name, '/metrics/' + name)
    span = dict((key, item[key]) for key in ('id', 'span_id', 'trace_id', 'dataset_record_id', 'name', 'status',
                                             'duration', 'start_ns', 'parent_id') if item.get(key) is not None)
    span['meta'] = dict(meta or {})
    span['tags'] = _tags(item)
    span['metrics'] = dict(metrics or {})
    checked = []
    for index, metric in enumerate(item.get('eval_metrics') or []):
        try:
            checked.append(check_metric(metric, strict=False))
        except InvalidEvent as problem:
            raise InvalidEvent(str(problem), '/eval_metrics/%d%s' % (index, problem.field))
    return span, checked


def fill_span(span, number, experiment_id, start_ns):
    """Give a span of a seed what it leaves out: ids made from the experiment and its place, a
    name, ``ok``, a start ``number`` steps after ``start_ns`` and a one-second duration."""
    made = uuid.uuid5(uuid.NAMESPACE_URL, 'llmobs-emulator:span:%s:%d' % (experiment_id, number))
    span.setdefault('id', str(made))
    span.setdefault('span_id', str(made.int >> 64))
    span.setdefault('trace_id', made.hex)
    span.setdefault('name', 'task')
    span.setdefault('status', 'ok')
    span.setdefault('start_ns', start_ns + number * SPAN_SPACING_NS)
    span.setdefault('duration', 1000000000)
    span.setdefault('dataset_record_id', None)
    return span


def attach(metric, span):
    """A metric as stored on its span: the span's ids, and its time unless the metric has one."""
    metric['span_id'] = span['span_id']
    metric['trace_id'] = span['trace_id']
    metric.setdefault('timestamp_ms', int((span.get('start_ns') or 0) + (span.get('duration') or 0)) // 1000000)
    return metric


def check_generate(value, where):
    """The ``generate`` of an experiment, checked (ValueError naming ``where``)."""
    if not isinstance(value, dict):
        raise ValueError('%s: must be a JSON object' % where)
    unknown = sorted(set(value) - set(GENERATE_FIELDS))
    if unknown:
        raise ValueError('%s: unknown key(s) %s (known: %s)' % (where, ', '.join(unknown), ', '.join(GENERATE_FIELDS)))
    for key in ('records', 'span_bytes', 'errors', 'seed'):
        if key in value and (not _is_whole(value[key]) or value[key] < 0):
            raise ValueError('%s.%s: must be a whole number of 0 or more' % (where, key))
    if value.get('errors', 0) > value.get('records', value.get('errors', 0)):
        raise ValueError('%s.errors: at most records (%d) spans can fail' % (where, value['records']))
    metrics = value.get('metrics', [])
    if not isinstance(metrics, list):
        raise ValueError('%s.metrics: must be a list' % where)
    labels = set()
    for index, metric in enumerate(metrics):
        at = '%s.metrics[%d]' % (where, index)
        if not isinstance(metric, dict):
            raise ValueError('%s: must be a JSON object' % at)
        unknown = sorted(set(metric) - set(GENERATED_METRIC_FIELDS))
        if unknown:
            raise ValueError('%s: unknown key(s) %s (known: %s)' % (at, ', '.join(unknown), ', '.join(GENERATED_METRIC_FIELDS)))
        if not isinstance(metric.get('label'), str) or not metric['label'].strip():
            raise ValueError('%s.label: must be a non-empty string' % at)
        if metric['label'] in labels:
            raise ValueError('%s.label: %s is used twice' % (at, metric['label']))
        labels.add(metric['label'])
        if metric.get('type') not in METRIC_TYPES:
            raise ValueError('%s.type: must be one of %s' % (at, ', '.join(METRIC_TYPES)))
        if 'values' in metric:
            values = metric['values']
            if metric['type'] != 'categorical':
                raise ValueError('%s.values: only a categorical metric has values' % at)
            if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
                raise ValueError('%s.values: must be a non-empty list of strings' % at)
        if 'assessment' in metric:
            if not isinstance(metric['assessment'], bool):
                raise ValueError('%s.assessment: must be true or false' % at)
            if metric['assessment'] and metric['type'] not in ('score', 'boolean'):
                raise ValueError('%s.assessment: only score and boolean metrics are assessed' % at)
    return value


# ---------------------------------------------------------------------- generated spans


def error_indexes(count, errors):
    """Which of ``count`` generated spans fail: ``errors`` of them, spread evenly."""
    return frozenset(int((number + 0.5) * count / errors) for number in range(errors)) if errors else frozenset()


def generated_values(seed, index, metrics):
    """The values of span ``index`` of a run generated with ``seed``: {label: (value, assessment or None)}.

    Tests compute expected statistics with this, without reading the spans. Scores are in [0, 1)
    with 3 decimals and pass from 0.5; booleans are true 3 times in 4 and pass when true;
    categorical values are drawn from ``values`` (default correct, partial, wrong); json values
    are ``{"index": i, "tokens": n}``. Assessments only where the metric is assessed (score and
    boolean by default).
    """
    draw = random.Random(seed * 1000003 + index)
    values = {}
    for metric in metrics:
        kind = metric['type']
        assessed = metric.get('assessment', kind in ('score', 'boolean'))
        if kind == 'score':
            value = round(draw.random(), 3)
            verdict = 'pass' if value >= SCORE_PASS else 'fail'
        elif kind == 'boolean':
            value = draw.random() < BOOLEAN_TRUE_RATE
            verdict = 'pass' if value else 'fail'
        elif kind == 'categorical':
            value = draw.choice(metric.get('values') or DEFAULT_CATEGORIES)
            verdict = None
        else:
            value = {'index': index, 'tokens': draw.randint(10, 500)}
            verdict = None
        values[metric['label']] = (value, verdict if assessed else None)
    return values


WORDS = ('the answer names the capital city asked for and matches the expected output closely enough to count '
         'as correct although the wording differs a little from the reference answer given in the dataset ')


class SpanGenerator(object):
    """Span ``i`` of a generated run, made on demand from (seed, i); see ``generated_values``.

    ``record_ids``: the ids of the dataset's records at the experiment's version, oldest first;
    span ``i`` evaluated record ``i`` (spans past them name ``generated-record-<i>``).
    ``span_bytes``: about how long each span's JSON is, the eval metrics' ``reasoning`` (or the
    input's ``context`` when there are none) padded to reach it.
    """

    def __init__(self, experiment_id, settings, record_ids, start_ns):
        self.experiment_id = experiment_id
        self.metrics = [dict(m) for m in settings.get('metrics', [])]
        self.count = settings.get('records', len(record_ids))
        self.seed = settings.get('seed', 0)
        self.span_bytes = settings.get('span_bytes', 0)
        self.failing = error_indexes(self.count, settings.get('errors', 0))
        self.record_ids = list(record_ids[:self.count])
        self.start_ns = start_ns
        self.padding = 0         # characters of reasoning per metric
        self.error_padding = 0   # characters of stack of a failed span
        self.words = ''
        if self.span_bytes and self.count:
            # Measured on a span that did not fail, padded once, then corrected by what is still missing.
            plain = next((index for index in range(self.count) if index not in self.failing), 0)
            pads = max(1, len(self.metrics))
            for dummy in range(2):
                missing = self.span_bytes - len(json.dumps(self.span(plain)))
                self.padding = max(0, self.padding + missing // pads)
                self.words = WORDS * (max(self.span_bytes, self.padding * pads) // len(WORDS) + 2)
            if self.failing:
                self.error_padding = max(0, self.span_bytes - len(json.dumps(self.span(min(self.failing)))))

    def __len__(self):
        return self.count

    def text(self, index):
        """(id, JSON text) of span ``index``."""
        span = self.span(index)
        return span['id'], json.dumps(span)

    def _pad(self, index, number, size=None):
        size = self.padding if size is None else size
        start = (index * 7 + number * 13) % len(WORDS)
        return self.words[start:start + size] if size else ''

    def span(self, index):
        made = uuid.uuid5(uuid.NAMESPACE_URL, 'llmobs-emulator:generated:%s:%d' % (self.experiment_id, index))
        span_id, trace_id = str(made.int >> 64), made.hex
        draw = random.Random(self.seed * 7919 + index)
        start_ns = self.start_ns + index * SPAN_SPACING_NS
        duration = float(draw.randint(200, 3000) * 1000000)
        tokens_in, tokens_out = draw.randint(20, 400), draw.randint(5, 200)
        failed = index in self.failing
        record_id = self.record_ids[index] if index < len(self.record_ids) else 'generated-record-%d' % index
        meta = {'input': {'question': 'Generated question %d' % index},
                'output': None if failed else {'answer': 'Generated answer %d' % index},
                'expected_output': {'answer': 'Expected answer %d' % index}}
        if failed:
            # A failed span has no metrics: its stack takes their padding.
            meta['error'] = {'message': 'Generated failure of span %d' % index, 'type': 'TimeoutError',
                             'stack': 'Traceback (most recent call last):\n  File "task.py", line 1, in task\n'
                                      'TimeoutError: Generated failure of span %d\n%s'
                                      % (index, self._pad(index, 0, self.error_padding))}
        elif not self.metrics and self.padding:
            meta['input']['context'] = self._pad(index, 0)
        timestamp_ms = int(start_ns + duration) // 1000000
        eval_metrics = []
        if not failed:
            for number, (label, (value, verdict)) in enumerate(generated_values(self.seed, index, self.metrics).items()):
                kind = self.metrics[number]['type']
                metric = {'id': str(uuid.uuid5(made, label)), 'label': label, 'metric_type': kind,
                          'score_value': None, 'boolean_value': None, 'categorical_value': None, 'json_value': None}
                metric[VALUE_FIELDS[kind]] = value
                if verdict is not None:
                    metric['assessment'] = verdict
                metric.update(reasoning=self._pad(index, number) or 'Generated reasoning for %s' % label,
                              metric_source='custom', span_id=span_id, trace_id=trace_id, timestamp_ms=timestamp_ms,
                              tags=['source:generated'], metadata=None, eval_source_type='custom')
                eval_metrics.append(metric)
        return {'id': str(made), 'span_id': span_id, 'trace_id': trace_id, 'dataset_record_id': record_id,
                'name': 'task', 'status': 'error' if failed else 'ok', 'duration': duration, 'start_ns': start_ns,
                'meta': meta, 'tags': ['experiment_id:%s' % self.experiment_id, 'source:generated'],
                'metrics': {'input_tokens': tokens_in, 'output_tokens': tokens_out,
                            'total_tokens': tokens_in + tokens_out},
                'eval_metrics': eval_metrics}


# ---------------------------------------------------------------------- an experiment's events


class ExperimentEvents(object):
    """Spans (generated ones first, then stored ones in the order they came), metrics waiting for
    their span, and summary metrics. The caller holds the store's lock."""

    def __init__(self):
        self.generator = None
        self.spans = []          # stored spans, in the order they came: [span dict without eval_metrics, {label: metric}]
        self.positions = {}      # span_id -> index in spans
        self.waiting = {}        # span_id -> {label: metric}: metrics whose span has not come yet
        self.summary = {}        # label -> metric, in the order they came

    def __len__(self):
        return self.generated + len(self.spans)

    @property
    def generated(self):
        """How many spans the generator makes (they come first)."""
        return len(self.generator) if self.generator else 0

    def add_span(self, span, metrics=()):
        """Store a span; one with a span_id already stored replaces it (its metrics stay)."""
        position = self.positions.get(span['span_id'])
        if position is None:
            position = self.positions[span['span_id']] = len(self.spans)
            self.spans.append([span, {}])
        else:
            self.spans[position][0] = span
        held = self.spans[position][1]
        for metric in list(self.waiting.pop(span['span_id'], {}).values()) + list(metrics):
            held[metric['label']] = attach(metric, span)

    def add_metric(self, metric):
        """A summary metric, or a span's: the latest of a label replaces the one before, on that
        span (or the run, for summary metrics); a span's metric waits until its span comes."""
        if metric['metric_source'] == 'summary':
            self.summary.pop(metric['label'], None)
            self.summary[metric['label']] = metric
            return
        position = self.positions.get(metric.get('span_id'))
        if position is None:
            waiting = self.waiting.setdefault(metric.get('span_id'), {})
            waiting.pop(metric['label'], None)
            waiting[metric['label']] = metric
            return
        span, held = self.spans[position]
        held.pop(metric['label'], None)
        held[metric['label']] = attach(metric, span)

    def summary_metrics(self):
        return list(self.summary.values())

    def page(self, start, limit):
        """The spans from ``start`` on, at most ``limit``: (id, JSON text) each (generated ones made now)."""
        texts = []
        for index in range(start, min(len(self), start + limit)):
            if index < self.generated:
                texts.append(self.generator.text(index))
            else:
                span, held = self.spans[index - self.generated]
                texts.append((span['id'], json.dumps(dict(span, eval_metrics=list(held.values())))))
        return texts

    def every_span(self):
        """Every span as the events list shows it, in its order (for the state view's statistics)."""
        for index in range(self.generated):
            yield self.generator.span(index)
        for span, held in self.spans:
            yield dict(span, eval_metrics=list(held.values()))

    def counts(self):
        return {'span_count': len(self), 'summary_metric_count': len(self.summary),
                'waiting_metric_count': sum(len(held) for held in self.waiting.values())}


def statistics(spans, summary_metrics):
    """Plain counts over spans as served: how many, how many failed, and per eval metric label its
    type, count, assessments (pass, fail), errors and values (score: sum, min, max, mean; boolean:
    true, false; categorical: a count per value); and the summary metrics' values by label."""
    labels = {}
    total = failed = 0
    for span in spans:
        total += 1
        failed += span.get('status') == 'error'
        for metric in span.get('eval_metrics') or []:
            kind = metric['metric_type']
            entry = labels.setdefault(metric['label'], {'type': kind, 'count': 0, 'pass': 0, 'fail': 0, 'errors': 0})
            entry['count'] += 1
            if metric.get('assessment') in ASSESSMENTS:
                entry[metric['assessment']] += 1
            if metric.get('error'):
                entry['errors'] += 1
            value = metric.get(VALUE_FIELDS[kind])
            if value is None:
                continue
            if kind == 'score':
                entry['sum'] = entry.get('sum', 0) + value
                entry['min'] = min(entry.get('min', value), value)
                entry['max'] = max(entry.get('max', value), value)
                entry['valued'] = entry.get('valued', 0) + 1
            elif kind == 'boolean':
                entry['true' if value else 'false'] = entry.get('true' if value else 'false', 0) + 1
            elif kind == 'categorical':
                entry.setdefault('values', {})
                entry['values'][value] = entry['values'].get(value, 0) + 1
    for entry in labels.values():
        if entry['type'] == 'score' and entry.get('valued'):
            entry['mean'] = entry['sum'] / entry.pop('valued')
        if entry['type'] == 'boolean':
            entry.setdefault('true', 0)
            entry.setdefault('false', 0)
    summary = dict((m['label'], m.get(VALUE_FIELDS[m['metric_type']])) for m in summary_metrics)
    return {'span_count': total, 'error_span_count': failed, 'metrics': labels, 'summary_metrics': summary}


# ---------------------------------------------------------------------- cursors


def encode_span_cursor(position):
    return base64.urlsafe_b64encode(json.dumps({'span': position}).encode()).decode().rstrip('=')


def decode_span_cursor(cursor):
    """The span position of an events cursor, or None when it is not one."""
    try:
        padded = cursor + '=' * (-len(cursor) % 4)
        position = int(json.loads(base64.urlsafe_b64decode(padded.encode()).decode())['span'])
    except (ValueError, KeyError, TypeError):
        return None
    return position if position >= 0 else None
