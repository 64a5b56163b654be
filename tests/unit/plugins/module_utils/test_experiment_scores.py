# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The scores of an experiment from its spans: every metric type, the rules for odd evaluations, and properties
against a direct computation over generated spans."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import math
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.llmobs.datadog.plugins.module_utils._experiment_scores import (
    ScoreSheet,
    event_line,
    span_failed,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import eval_metric, span


def sheet_of(*spans):
    sheet = ScoreSheet()
    for each in spans:
        sheet.add(each)
    return sheet


def scores_of(*spans, **kwargs):
    return sheet_of(*spans).result(kwargs.get('status', 'completed'), kwargs.get('summary_metrics'))


def test_every_metric_type():
    result = scores_of(
        span('s1', eval_metric('correctness', 'score', 1), eval_metric('exact', 'boolean', True),
             eval_metric('tone', 'categorical', 'formal'), eval_metric('details', 'json', {'a': 1})),
        span('s2', eval_metric('correctness', 'score', 0.5), eval_metric('exact', 'boolean', False),
             eval_metric('tone', 'categorical', 'formal')),
        span('s3', eval_metric('correctness', 'score', 0.25), eval_metric('exact', 'boolean', True),
             eval_metric('tone', 'categorical', 'casual')),
        span('s4'),
        summary_metrics=[{'label': 'overall', 'metric_type': 'score', 'score_value': 0.7}])

    assert result == dict(
        scores=dict(
            correctness=dict(type='score', count=3, mean=0.5833333333333334, min=0.25, max=1, coverage=0.75,
                             complete=True),
            exact=dict(type='boolean', count=3, pass_rate=2 / 3, coverage=0.75, complete=True),
            tone=dict(type='categorical', count=3, counts={'casual': 1, 'formal': 2}, coverage=0.75, complete=True),
            details=dict(type='json', count=1, coverage=0.25, complete=True)),
        summary_metrics=[{'label': 'overall', 'metric_type': 'score', 'score_value': 0.7}],
        span_count=4, error_count=0, complete=True)


def test_no_spans_no_scores():
    assert scores_of(status='completed') == dict(scores={}, summary_metrics=[], span_count=0, error_count=0,
                                                 complete=True)


def test_only_completed_experiments_are_complete():
    for status in ('running', 'failed', 'interrupted', None, 'something-new'):
        result = scores_of(span('s1', eval_metric('correctness', 'score', 1)), status=status)
        assert result['complete'] is False and result['scores']['correctness']['complete'] is False, status


def test_unusable_values_are_left_out_of_the_figures_and_the_coverage():
    result = scores_of(
        span('s1', eval_metric('correctness', 'score', None, error={'message': 'judge timed out'})),
        span('s2', eval_metric('correctness', 'score', True)),       # a boolean is not a number
        span('s3', eval_metric('correctness', 'score', 'high')),     # nor is text that is not one
        span('s4', eval_metric('correctness', 'score', 10 ** 400)),  # beyond any float
        span('s5', eval_metric('exact', 'boolean', 2), eval_metric('tone', 'categorical', 3)),
        span('s6', eval_metric('details', 'json', None)))

    assert result['scores'] == dict(
        correctness=dict(type='score', count=0, mean=None, min=None, max=None, coverage=0.0, complete=True),
        exact=dict(type='boolean', count=0, pass_rate=None, coverage=0.0, complete=True),
        tone=dict(type='categorical', count=0, counts={}, coverage=0.0, complete=True),
        details=dict(type='json', count=0, coverage=0.0, complete=True))


def test_values_written_as_text_and_types_in_capitals_are_read_leniently():
    result = scores_of(
        span('s1', eval_metric('correctness', 'score', '0.5'), eval_metric('exact', 'boolean', 1)),
        span('s2', dict(eval_metric('correctness', 'score', 1.0), metric_type='SCORE'),
             dict(eval_metric('exact', 'boolean', 'false'), metric_type='Boolean')),
        span('s3', dict(eval_metric('exact', 'boolean', 0), metric_type=' boolean ')))

    assert result['scores']['correctness'] == dict(type='score', count=2, mean=0.75, min=0.5, max=1.0,
                                                   coverage=2 / 3, complete=True)
    assert result['scores']['exact'] == dict(type='boolean', count=3, pass_rate=1 / 3, coverage=1.0, complete=True)


def test_a_label_evaluated_twice_counts_once_with_its_latest_evaluation():
    result = scores_of(
        span('s1', eval_metric('correctness', 'score', 0.0, timestamp_ms=2000),
             eval_metric('correctness', 'score', 1.0, timestamp_ms=1000)),   # older, listed later
        span('s2', eval_metric('correctness', 'score', 0.2), eval_metric('correctness', 'score', 0.4)),  # no times
        span('s3', eval_metric('correctness', 'score', 0.6, timestamp_ms=5),
             eval_metric('correctness', 'score', 0.8)))                      # one without a time is older

    assert result['scores']['correctness'] == dict(type='score', count=3, mean=(0.0 + 0.4 + 0.6) / 3, min=0.0,
                                                   max=0.6, coverage=1.0, complete=True)


def test_a_label_of_several_types_takes_the_type_most_values_have():
    result = scores_of(
        span('s1', eval_metric('quality', 'boolean', True)),
        span('s2', eval_metric('quality', 'score', 0.5)),
        span('s3', eval_metric('quality', 'score', 1.0)),
        span('s4', eval_metric('quality', 'categorical', 'good')))

    assert result['scores']['quality'] == dict(type='score', count=2, mean=0.75, min=0.5, max=1.0, coverage=0.5,
                                               complete=True, other_types={'boolean': 1, 'categorical': 1})


def test_on_a_tie_the_type_seen_first_wins():
    result = scores_of(span('s1', eval_metric('quality', 'boolean', False)), span('s2', eval_metric('quality', 'score', 1)))

    assert result['scores']['quality'] == dict(type='boolean', count=1, pass_rate=0.0, coverage=0.5, complete=True,
                                               other_types={'score': 1})


def test_a_metric_without_a_type_takes_the_type_of_its_value_and_odd_ones_are_skipped():
    untyped = {'label': 'correctness', 'score_value': 0.5}
    result = scores_of(
        span('s1', untyped, {'label': 'nothing'}, {'score_value': 1, 'metric_type': 'score'},   # no value, no label
             {'label': 7, 'metric_type': 'score', 'score_value': 1}, 'not a metric', None),
        span('s2', eval_metric('rubric', 'text', None, text_value='long answer')),             # a type unknown here
        span('s3', eval_metrics=None),
        span('s4', eval_metrics={'label': 'x'}))

    assert result['scores'] == dict(
        correctness=dict(type='score', count=1, mean=0.5, min=0.5, max=0.5, coverage=0.25, complete=True),
        rubric=dict(type='text', count=1, coverage=0.25, complete=True))


def test_failed_records_are_counted():
    spans = [span('ok-1'), span('ok-2', meta={'error': {'message': '', 'type': None}}), span('ok-3', meta=None),
             span('bad-1', status='error'), span('bad-2', meta={'error': {'message': 'Model response timed out'}}),
             span('bad-3', meta={'error': 'boom'})]

    assert [span_failed(item) for item in spans] == [False, False, False, True, True, True]
    assert sheet_of(*spans).error_count == 3


def test_summary_metrics_other_than_a_list_become_an_empty_list():
    assert scores_of(summary_metrics={'label': 'x'})['summary_metrics'] == []


def test_the_mean_of_many_scores_carries_no_rounding_error():
    values = [0.1] * 10 + [1e16, 1.0, -1e16]
    sheet = sheet_of(*[span('s%d' % number, eval_metric('m', 'score', value)) for number, value in enumerate(values)])

    assert sheet.result('completed', [])['scores']['m']['mean'] == math.fsum(values) / len(values)
    assert math.fsum(values) / len(values) != sum(values) / len(values)  # a plain sum would be off


def test_scores_near_the_float_limit_give_a_mean_rather_than_a_failure():
    sheet = sheet_of(span('s1', eval_metric('m', 'score', 1.7e308)), span('s2', eval_metric('m', 'score', 1.7e308)))

    assert sheet.result('completed', [])['scores']['m']['mean'] == 1.7e308


def test_event_line_is_the_span_with_its_experiment_keys_sorted():
    item = span('s1', eval_metric('correctness', 'score', 1), meta={'input': {'q': 'Où ?'}, 'output': 'Paris'})

    line = event_line(item, 'e1', 'nightly')

    assert line.endswith('\n') and line.count('\n') == 1
    assert json.loads(line) == dict(item, experiment_id='e1', experiment_name='nightly')
    assert 'Où' in line and line == event_line(dict(reversed(list(item.items()))), 'e1', 'nightly')


# ---------------------------------------------------------------- properties against a direct computation

scores = st.one_of(st.integers(min_value=-10 ** 6, max_value=10 ** 6),
                   st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False))
evaluations = st.one_of(
    st.tuples(st.just('score'), scores),
    st.tuples(st.just('boolean'), st.booleans()),
    st.tuples(st.just('categorical'), st.sampled_from(['good', 'bad', 'ugly'])),
    st.tuples(st.just('score'), st.none()))


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.dictionaries(st.sampled_from(['a', 'b', 'c']), evaluations, max_size=3), max_size=40))
def test_figures_equal_a_direct_computation(rows):
    spans = [span('s%d' % number, *[eval_metric(label, kind, value) for label, (kind, value) in row.items()])
             for number, row in enumerate(rows)]

    result = scores_of(*spans)['scores']

    for label in set(label for row in rows for label in row):
        values = dict((kind, [row[label][1] for row in rows if label in row and row[label][0] == kind])
                      for kind in ('score', 'boolean', 'categorical'))
        usable = dict((kind, [value for value in found if value is not None]) for kind, found in values.items())
        seen = [row[label][0] for row in rows if label in row]
        kind = max(sorted(set(seen), key=seen.index), key=lambda each: len(usable[each]))
        stats = result[label]
        chosen = usable[kind]
        assert stats['type'] == kind and stats['count'] == len(chosen)
        assert stats['coverage'] == len(chosen) / len(rows)
        if kind == 'score':
            assert stats['mean'] == (math.fsum(chosen) / len(chosen) if chosen else None)
            assert stats['min'] == (min(chosen) if chosen else None) and stats['max'] == (max(chosen) if chosen else None)
        elif kind == 'boolean':
            assert stats['pass_rate'] == (chosen.count(True) / len(chosen) if chosen else None)
        else:
            assert stats['counts'] == dict(Counter(chosen))
        others = dict((each, len(usable[each])) for each in set(seen) if each != kind)
        assert stats.get('other_types', {}) == others
    assert set(result) == set(label for row in rows for label in row)


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300),
                       min_size=1, max_size=50))
def test_the_mean_is_the_correctly_rounded_sum_divided(values):
    sheet = sheet_of(*[span('s%d' % number, eval_metric('m', 'score', value)) for number, value in enumerate(values)])

    assert sheet.result('completed', [])['scores']['m']['mean'] == math.fsum(values) / len(values)
