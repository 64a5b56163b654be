# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""llmobs_experiment_info: the experiments of a project, filtered and checked again, with scores computed from their
events and the events written to a JSONL file, with the exact HTTP calls."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._planned import PLAN_ENV
from ansible_collections.llmobs.datadog.plugins.modules import llmobs_experiment_info
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import (
    BASE_URL,
    PROJECT,
    PROJECT_NAME,
    dataset,
    project,
    with_keys,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    datasets_by_name,
    eval_metric,
    events_page,
    experiment,
    list_experiment_events,
    list_experiments,
    projects_by_name,
    span,
)

MODULE = llmobs_experiment_info
DATASET = 'ds-capitals'
NEW = experiment('e2', 'capitals-new', DATASET, '2026-12-02T10:00:00+00:00', experiment='capitals', status='completed',
                 dataset_version=3, metadata={'commit': 'b2'}, aggregate_data={'correctness': {'mean': 0.5}})
OLD = experiment('e1', 'capitals-base', DATASET, '2026-12-01T10:00:00+00:00', experiment='capitals', status='completed',
                 dataset_version=2, metadata={'baseline': 'true', 'tags': ['a', 'b'], 'n': 1.0})


def args(**options):
    return with_keys(dict(project_id=PROJECT), options)


def facts(item):
    return llmobs_experiment_info.experiment_facts(item)


def test_every_experiment_of_a_project_newest_first_with_no_events_read(http, run):
    http.expect(list_experiments(project_id=PROJECT).reply_page(OLD, NEW))

    result, code, dummy = run(args())

    assert code == 0, result
    assert result == dict(changed=False, project_id=PROJECT, experiments=[facts(NEW), facts(OLD)],
                          invocation=result['invocation'])
    assert result['experiments'][0]['aggregate_data'] == {'correctness': {'mean': 0.5}}
    assert result['experiments'][1]['status'] == 'completed' and result['experiments'][1]['dataset_version'] == 2


def test_names_are_looked_up_and_every_filter_is_sent(http, run):
    http.expect(
        projects_by_name(PROJECT_NAME).reply_page(project(PROJECT, PROJECT_NAME)),
        datasets_by_name('capitals').reply_page(dataset(DATASET, 'capitals')),
        list_experiments(project_id=PROJECT, dataset_id=DATASET, name='capitals-base', experiment='capitals',
                         metadata={'baseline': 'true'}, parent_experiment_id='p1', experiment_id='e1').reply_page(),
    )

    result, code, dummy = run(with_keys(dict(project_name=PROJECT_NAME, dataset_name='capitals', name='capitals-base',
                                             experiment='capitals', metadata={'baseline': 'true'},
                                             parent_experiment_id='p1', experiment_id='e1')))

    assert code == 0 and result['experiments'] == [] and result['project_id'] == PROJECT


@pytest.mark.parametrize('option, value, kept', [
    ('dataset_id', DATASET, ['e3', 'e2', 'e1']),
    ('name', 'capitals-base', ['e1']),
    ('experiment', 'capitals', ['e2', 'e1']),
    ('parent_experiment_id', 'e1', ['e3']),
    ('experiment_id', 'e2', ['e2']),
    ('metadata', {'baseline': 'true'}, ['e1']),
    ('metadata', {'tags': ['b'], 'n': 1}, ['e1']),    # containment: an element of the list; 1 and 1.0 alike
    ('metadata', {'baseline': True}, []),             # a boolean is not the string "true"
    ('metadata', {'tags': 'b'}, []),                  # a list does not contain a bare value
    ('metadata', {}, ['e3', 'e2', 'e1']),             # filters nothing, and is not sent
])
def test_what_a_server_returns_beyond_a_filter_is_not_returned(http, run, option, value, kept):
    # A server that ignores the filter: the module checks every experiment again (e0 is of another project).
    others = [experiment('e3', 'capitals-Base', DATASET, '2026-12-03T10:00:00+00:00', experiment='capitals ',
                         parent_experiment_id='e1', metadata={'baseline': 'True'}),
              experiment('e0', 'other', 'ds-other', '2026-11-01T10:00:00+00:00', project_id='proj-2', experiment=None)]
    sent = {option: value} if value != {} else {}
    http.expect(list_experiments(project_id=PROJECT, **sent).reply_page(OLD, NEW, *others))

    result, code, dummy = run(args(**{option: value}))

    assert code == 0, result
    assert [item['id'] for item in result['experiments']] == kept


def test_the_project_is_checked_again_too(http, run):
    http.expect(list_experiments(project_id=PROJECT).reply_page(NEW, experiment('e9', 'x', DATASET, project_id='other')))

    result, code, dummy = run(args())

    assert [item['id'] for item in result['experiments']] == ['e2']


def test_scores_of_each_experiment_from_every_page_of_its_events(http, run):
    summary = [{'label': 'overall', 'metric_type': 'score', 'score_value': 0.75, 'metric_source': 'summary'}]
    http.expect(
        list_experiments(project_id=PROJECT).reply_page(NEW, OLD),
        list_experiment_events('e2').reply(json=events_page(
            [span('s1', eval_metric('correctness', 'score', 1.0), eval_metric('exact', 'boolean', True)),
             span('s2', eval_metric('correctness', 'score', 0.0), eval_metric('exact', 'boolean', False),
                  status='error', meta={'error': {'message': 'timed out'}})], summary, after='c2')),
        list_experiment_events('e2', cursor='c2').reply(json=events_page(
            [span('s3', eval_metric('tone', 'categorical', 'formal')), span('s1')], summary)),  # s1 again: once
        list_experiment_events('e1').reply(json=events_page([])),
    )

    result, code, dummy = run(args(scores=True))

    assert code == 0, result
    new, old = result['experiments']
    assert new == dict(facts(NEW), span_count=3, error_count=1, complete=True, summary_metrics=summary, scores=dict(
        correctness=dict(type='score', count=2, mean=0.5, min=0.0, max=1.0, coverage=2 / 3, complete=True),
        exact=dict(type='boolean', count=2, pass_rate=0.5, coverage=2 / 3, complete=True),
        tone=dict(type='categorical', count=1, counts={'formal': 1}, coverage=1 / 3, complete=True)))
    assert old == dict(facts(OLD), span_count=0, error_count=0, complete=True, summary_metrics=[], scores={})
    assert result['changed'] is False and 'dest' not in result
    http.assert_no_write()


def test_a_running_experiment_is_reported_running_and_its_scores_partial(http, run):
    running = experiment('e5', 'capitals-now', DATASET, status='running')
    http.expect(list_experiments(project_id=PROJECT, experiment_id='e5').reply_page(running),
                list_experiment_events('e5').reply(json=events_page([span('s1', eval_metric('correctness', 'score', 1))])))

    result, code, dummy = run(args(experiment_id='e5', scores=True))

    assert code == 0, result
    found = result['experiments'][0]
    assert found['status'] == 'running' and found['complete'] is False
    assert found['scores']['correctness']['complete'] is False and found['scores']['correctness']['mean'] == 1


def test_a_failed_experiment_keeps_its_error(http, run):
    failed = experiment('e6', 'capitals-broken', DATASET, status='failed', error='task raised ValueError')
    http.expect(list_experiments(project_id=PROJECT).reply_page(failed),
                list_experiment_events('e6').reply(json=events_page([span('s1', status='error')])))

    result, code, dummy = run(args(scores=True))

    found = result['experiments'][0]
    assert found['error'] == 'task raised ValueError' and found['complete'] is False and found['error_count'] == 1


def test_events_that_are_gone_fail_naming_the_experiment(http, run):
    http.expect(list_experiments(project_id=PROJECT).reply_page(NEW),
                list_experiment_events('e2').reply_error(404, {'status': '404', 'title': 'Not Found'}))

    result, code, dummy = run(args(scores=True))

    assert code == 1 and result['status'] == 404
    assert "experiment 'capitals-new' (id e2)" in result['msg']


# ---------------------------------------------------------------- dest: the events as JSONL

SPANS = [span('s1', eval_metric('correctness', 'score', 1.0)), span('s2', meta={'input': 'Où ?', 'output': None})]


def read(path):
    with open(path, 'rb') as handle:
        return handle.read()


def test_dest_gets_one_line_per_span_and_changes_only_when_the_content_differs(http, run, tmp_path):
    dest = str(tmp_path / 'events.jsonl')
    listing = list_experiments(project_id=PROJECT)
    http.expect(
        listing.reply_page(NEW, OLD), list_experiment_events('e2').reply(json=events_page(SPANS)),
        list_experiment_events('e1').reply(json=events_page(SPANS[:1])),                       # check mode
        listing.reply_page(NEW, OLD), list_experiment_events('e2').reply(json=events_page(SPANS)),
        list_experiment_events('e1').reply(json=events_page(SPANS[:1])),                       # writes
        listing.reply_page(NEW, OLD), list_experiment_events('e2').reply(json=events_page(SPANS)),
        list_experiment_events('e1').reply(json=events_page(SPANS[:1])),                       # the same
        listing.reply_page(NEW, OLD), list_experiment_events('e2').reply(json=events_page(SPANS[1:])),
        list_experiment_events('e1').reply(json=events_page(SPANS[:1])),                       # one span fewer
    )

    dry, code, dummy = run(args(dest=dest), check_mode=True, diff=True)
    assert code == 0 and dry['changed'] is True and not os.path.exists(dest)
    assert dry['diff']['before'] == '' and dry['diff']['after'].count('\n') == 3

    written, code, dummy = run(args(dest=dest))
    assert code == 0 and written['changed'] is True and written['count'] == 3 and written['dest'] == dest
    assert written['checksum'] == hashlib.sha1(read(dest)).hexdigest() == dry['checksum']
    assert written['size'] == len(read(dest))
    assert [json.loads(line) for line in read(dest).decode('utf-8').splitlines()] == [
        dict(SPANS[0], experiment_id='e2', experiment_name='capitals-new'),
        dict(SPANS[1], experiment_id='e2', experiment_name='capitals-new'),
        dict(SPANS[0], experiment_id='e1', experiment_name='capitals-base')]
    assert 'scores' not in written['experiments'][0]   # dest alone reads the events, scores are not asked for

    again, code, dummy = run(args(dest=dest), diff=True)
    assert code == 0 and again['changed'] is False and 'diff' not in again

    fewer, code, dummy = run(args(dest=dest), diff=True)
    assert code == 0 and fewer['changed'] is True and fewer['count'] == 2
    assert fewer['diff']['before'].count('\n') == 3 and fewer['diff']['after'].count('\n') == 2
    http.assert_no_write()


def test_dest_with_scores_returns_both(http, run, tmp_path):
    dest = str(tmp_path / 'events.jsonl')
    http.expect(list_experiments(project_id=PROJECT, experiment_id='e2').reply_page(NEW),
                list_experiment_events('e2').reply(json=events_page(SPANS)))

    result, code, dummy = run(args(experiment_id='e2', scores=True, dest=dest))

    assert code == 0 and result['count'] == 2 and result['experiments'][0]['span_count'] == 2
    assert result['experiments'][0]['scores']['correctness']['mean'] == 1.0


def test_dest_with_no_experiment_is_made_empty(http, run, tmp_path):
    dest = tmp_path / 'events.jsonl'
    dest.write_bytes(b'{"old": 1}\n')
    http.expect(list_experiments(project_id=PROJECT, name='nothing').reply_page())

    result, code, dummy = run(args(name='nothing', dest=str(dest)))

    assert code == 0 and result['changed'] is True and result['count'] == 0 and read(str(dest)) == b''


def test_a_failed_read_leaves_the_old_file_and_no_temporary_file(http, run, tmp_path):
    dest = tmp_path / 'events.jsonl'
    dest.write_bytes(b'{"old": 1}\n')
    http.expect(list_experiments(project_id=PROJECT).reply_page(NEW),
                list_experiment_events('e2').reply(json=events_page(SPANS, after='c2')),
                list_experiment_events('e2', cursor='c2').reply_error(403, {'status': '403', 'title': 'Forbidden'}))

    result, code, dummy = run(args(dest=str(dest)))

    assert code == 1 and result['status'] == 403
    assert read(str(dest)) == b'{"old": 1}\n' and os.listdir(str(tmp_path)) == ['events.jsonl']


# ---------------------------------------------------------------- checks before any request, check mode

@pytest.mark.parametrize('options, message', [
    (dict(name=' padded'), 'name must not start or end with spaces'),
    (dict(name=''), 'name must not be blank'),
    (dict(experiment='two\nlines'), 'experiment must not contain control characters'),
    (dict(parent_experiment_id='a/b'), "parent_experiment_id must contain only letters, digits, '-' and '_'"),
    (dict(experiment_id='../e1'), "experiment_id must contain only letters, digits, '-' and '_'"),
    (dict(dataset_id='d?1'), "dataset_id must contain only letters, digits, '-' and '_'"),
    (dict(metadata={'score': float('nan')}), 'metadata must be a mapping of JSON values'),
    (dict(dest='/nonexistent-dir/events.jsonl'), 'the directory /nonexistent-dir does not exist'),
])
def test_bad_options_are_refused_before_any_request(http, run, options, message):
    result, code, dummy = run(args(**options))

    assert code == 1 and message in result['msg'] and http.seen == []


def test_a_dataset_name_that_matches_nothing_fails_before_the_experiments_are_read(http, run):
    http.expect(datasets_by_name('nope').reply_page())

    result, code, dummy = run(args(dataset_name='nope'))

    assert code == 1
    assert result['msg'] == ("No dataset named 'nope' was found in project %s (given as dataset_name; names are "
                             "compared exactly)." % PROJECT)


def test_check_mode_with_a_dataset_an_earlier_task_would_create(http, run, monkeypatch, tmp_path):
    monkeypatch.setenv(PLAN_ENV, json.dumps([dict(kind='dataset', name='planned', project_id=PROJECT, project_name=None,
                                                  source=None, api=BASE_URL)]))
    http.expect(datasets_by_name('planned').reply_page())

    result, code, dummy = run(args(dataset_name='planned', scores=True, dest=str(tmp_path / 'events.jsonl')),
                              check_mode=True)

    assert code == 0, result
    assert result['experiments'] == [] and result['count'] == 0 and result['changed'] is True
    assert result['msg'] == "Dataset 'planned' (an earlier task of this run would create it) has no experiments yet " \
                            "(check mode)."
    assert os.listdir(str(tmp_path)) == []


def test_check_mode_with_a_project_an_earlier_task_would_create(http, run, monkeypatch):
    monkeypatch.setenv(PLAN_ENV, json.dumps([dict(kind='project', name='new-project', api=BASE_URL)]))
    http.expect(projects_by_name('new-project').reply_page())

    result, code, dummy = run(with_keys(dict(project_name='new-project', scores=True)), check_mode=True)

    assert code == 0, result
    assert result['experiments'] == [] and result['project_id'] is None
    assert result['msg'] == "No experiments yet in project 'new-project' (an earlier task of this run would create " \
                            "it) (check mode)."
