# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Experiment updates, deletes and prunes, and the scores of llmobs_experiment_info, through faults, in real playbook
runs (as a module: ``LLMOBS_IN_PROCESS=0``; the controller path runs the same engine).

Each case is one ``ansible-playbook`` run against the emulator, with the faults on the requests of its task (two
faults on one operation are met in turn; ``skip`` lets requests through first, a later page for one). The promises,
checked after every run in the emulator's state and request log:

- update (``llmobs_experiment``, a PATCH answered 200 with an empty body, as the live API does): success with the
  experiment holding the values sent, however many PATCHes it took (setting values twice is harmless), and the
  task's ``experiment`` showing them; or a clear failure, with the experiment untouched.
- delete (``llmobs_experiment`` with ``state: absent``): the experiment deleted, and reported deleted, even when the
  answer was lost after the delete was done; never a second delete that was carried out. A failure whose delete may
  have been done says so.
- prune (``llmobs_experiment_prune``): exactly the experiments its rules give are deleted, each by one request that
  was carried out; none that the rules keep (the newest, the young, a run in progress, the parents of kept ones, the
  names that do not match) is touched. A failure midway says what was deleted, what may have been and what was not,
  and the emulator agrees; a second run without the fault finishes the job.
- scores (``llmobs_experiment_info`` with ``scores: true``): the figures equal the emulator's own statistics of the
  events, after retries of failed pages; or a clear failure without any figures. Never wrong numbers.
- no traceback and no key in any output; after a success the same task runs again in the same playbook and changes
  nothing.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import uuid

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._experiments import EVENT_PAGE_LIMIT
from ansible_collections.llmobs.datadog.tests.support.demo import DEMO_DATASET, DEMO_PROJECT
from ansible_collections.llmobs.datadog.tests.support.playbook import API_KEY, APP_KEY, run_playbook
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import warnings_of

MODULE_PATH = {'LLMOBS_IN_PROCESS': '0'}
EXPERIMENT, PRUNE, INFO = ('llmobs.datadog.llmobs_experiment', 'llmobs.datadog.llmobs_experiment_prune',
                           'llmobs.datadog.llmobs_experiment_info')
LIST, PATCH, DELETE, EVENTS = ('ListLLMObsExperiments', 'UpdateLLMObsExperiment', 'DeleteLLMObsExperiments',
                               'ListLLMObsExperimentEvents')
NOW = datetime.datetime.now(datetime.timezone.utc)


def fault(operation, **more):
    return dict(more, operation=operation)


def options(emulator, **more):
    return dict(dict(api_url=emulator.url, api_key=API_KEY, app_key=APP_KEY, project_id=DEMO_PROJECT, timeout=1,
                     retries=3), **more)


def task(module, arguments, register):
    return {'name': register, module: arguments, 'register': register, 'ignore_errors': True}


def seed(emulator, *experiments):
    """Store experiments of the demo project on the capitals dataset; their states, in order."""
    items = [dict({'project_id': DEMO_PROJECT, 'dataset_id': DEMO_DATASET}, **item) for item in experiments]
    return emulator.control('POST', '/experiments', json={'experiments': items})['experiments']


def state_of(emulator, experiment_id):
    return emulator.control('GET', '/experiments/%s' % experiment_id)


def sent(emulator, operation):
    return [entry for entry in emulator.requests_log() if entry['operation'] == operation]


def carried_out(entry):
    """Whether the emulator did what a request asked: answered it as asked, or acted before a fault's answer."""
    applied = entry.get('fault')
    if applied:
        return bool(applied['commit'] or (applied['status'] is None and not applied['drop']))
    return entry['status'] in (200, 201, 202, 204)


def play(emulator, tasks):
    run = run_playbook(tasks, [step['register'] for step in tasks], extra_env=MODULE_PATH)
    assert run.leaks() == [], 'a key was printed'
    assert run.tracebacks() == [], 'a traceback was printed'
    return run


def ago(**delta):
    return (NOW - datetime.timedelta(**delta)).isoformat()


def row(case, module, what, expected, result, requests, after, run, runs=1):
    """A row of the report; ``runs``: the playbook runs of the case (2 when a second one finished the job)."""
    return {'case': case, 'module': module, 'what': what, 'expected': expected, 'runs': runs,
            'outcome': 'failure' if result.get('failed') else 'success', 'changed': result.get('changed'),
            'requests': requests, 'after': after, 'message': result.get('msg', ''),
            'warnings': warnings_of(result), 'seconds': round(run.seconds, 1),
            'retries': sum(1 for w in warnings_of(result) if 'retrying in' in w)}


# ---------------------------------------------------------------- update (PATCH, answered 200 with an empty body)

BEFORE = dict(name='rel-update', description='before', metadata={'team': 'search', 'tags': ['nightly']})
WANTED = dict(name='rel-update-baseline', description='Baseline since the December release',
              metadata={'team': 'search', 'tags': ['nightly'], 'baseline': 'true'})


class Case(object):
    def __init__(self, case_id, what, faults=(), expected='success', config=None, **more):
        self.id = case_id
        self.what = what
        self.faults = list(faults)
        self.expected = expected
        self.config = config or {}
        self.more = more


UPDATE_CASES = [
    Case('refused', '429 without X-RateLimit-Reset, 503 (not done), 429 with reset 1, then done',
         [fault(PATCH, status=429, reset=None), fault(PATCH, status=503), fault(PATCH, status=429, body='strings')],
         patches=4),
    Case('lost-after-done', 'done, then the connection dropped; then done 2.5 s late, past the 1 s timeout',
         [fault(PATCH, drop=True, commit=True), fault(PATCH, delay=2.5, commit=True)], patches=3),
    # The list shows an update 3 s after it: wait_timeout 10 waits for it; wait_timeout 1 (a second experiment) does
    # not, and says so.
    Case('lagging-reads', 'the list shows the update 3 s late (lag: 3); wait_timeout 10, and 1 on a second run',
         config={'lag': 3}, patches=1),
    Case('always-5xx', '500 on every PATCH, none done', [fault(PATCH, status=500, times=None)], 'failure',
         patches=4),
]


@pytest.mark.parametrize('case', UPDATE_CASES, ids=[c.id for c in UPDATE_CASES])
def test_experiment_update_through_faults(fresh_emulator, record, case):
    emulator = fresh_emulator
    target, other = seed(emulator, dict(BEFORE, status='completed'), dict(BEFORE, name='rel-update-other'))
    if case.config:
        emulator.configure(**case.config)
    for one in case.faults:
        emulator.add_fault(**one)
    arguments = options(emulator, experiment_id=target['id'], wait_timeout=10, **WANTED)
    tasks = [task(EXPERIMENT, arguments, 'faulty')]
    if case.expected == 'success':
        tasks.append(task(EXPERIMENT, arguments, 'again'))
    if case.id == 'lagging-reads':
        tasks.append(task(EXPERIMENT, dict(arguments, experiment_id=other['id'], name='rel-update-other-baseline',
                                           wait_timeout=1), 'short_wait'))
    run = play(emulator, tasks)
    result, patches = run.results[0], sent(emulator, PATCH)

    after = state_of(emulator, target['id'])
    shown = dict((key, after[key]) for key in WANTED)
    if case.expected == 'success':
        assert result.get('failed') is not True and result['changed'] is True, result.get('msg')
        assert shown == WANTED, 'the experiment does not hold the values sent'
        assert dict((key, result['experiment'][key]) for key in WANTED) == WANTED
        assert result['experiment']['id'] == target['id'] and result['experiment']['status'] == 'completed'
        again = run.results[1]
        assert again.get('failed') is not True and again['changed'] is False, again.get('msg')
        mine = [entry for entry in patches if entry['path'].endswith(target['id'])]
        assert len(mine) == case.more['patches'], [entry['status'] for entry in mine]
        assert all(entry['body']['data']['attributes'] == WANTED for entry in mine), 'a PATCH sent other values'
        outcome = 'the values sent, after %d PATCH%s' % (len(mine), 'es' if len(mine) > 1 else '')
    else:
        assert result.get('failed') is True and result.get('changed') is not True
        assert result['msg'].startswith("Updating experiment 'rel-update' (id %s) failed with HTTP 500" % target['id']), \
            result['msg']
        assert shown == BEFORE, 'a failed update changed the experiment'
        assert len(patches) == case.more['patches'], 'retries: 3 bounds the PATCHes'
        outcome = 'untouched'
    if case.id == 'lagging-reads':
        # The experiment was read again until the list showed the update (its updated_at is the new one, not the one
        # read before, under the values sent), and the task right after found it so.
        assert result['experiment']['updated_at'] == after['updated_at'] != target['updated_at']
        assert warnings_of(result) == []
        short = run.results[2]
        assert short.get('failed') is not True and short['changed'] is True, short.get('msg')
        assert short['experiment']['name'] == 'rel-update-other-baseline'
        assert state_of(emulator, other['id'])['name'] == 'rel-update-other-baseline'
        assert [w for w in warnings_of(short) if 'still showed the values from before after 1 second' in w], \
            warnings_of(short)
        outcome += '; with wait_timeout 1, done with a warning that the list still showed the values from before'
    record('experiment_writes', row(case.id, 'llmobs_experiment (update)', case.what, case.expected, result,
                                    len(patches), outcome, run))


# ---------------------------------------------------------------- delete (state: absent)

DELETE_CASES = [
    # wait_timeout 2: how long the delete is looked for after an answer that leaves its outcome unknown.
    Case('refused-then-lost', '429 without reset, 503 (not done), then done and its connection dropped',
         [fault(DELETE, status=429, reset=None), fault(DELETE, status=503), fault(DELETE, drop=True, commit=True)],
         deletes=3, wait_timeout=2),
    # The list shows the experiment 4 s after the delete, longer than wait_timeout: the lookup cannot see it gone, so
    # the delete is sent again, and refused with 404: the first one took it.
    Case('lost-lagging-404', 'done, its connection dropped; the list lags 4 s (lag: 4, wait_timeout: 1); the delete '
         'sent again answers 404', [fault(DELETE, drop=True, commit=True), fault(DELETE, status=404)],
         config={'lag': 4}, deletes=2, wait_timeout=1),
    # The lookup after the lost answer cannot read: whether the delete was done is unknown, and the failure says so.
    Case('lookup-fails', 'done, then 500; every read after it answers 503 (retries: 2)',
         [fault(DELETE, status=500, commit=True), fault(LIST, status=503, times=None, skip=1)], 'failure',
         deletes=1, wait_timeout=1, retries=2),
]


@pytest.mark.parametrize('case', DELETE_CASES, ids=[c.id for c in DELETE_CASES])
def test_experiment_delete_through_faults(fresh_emulator, record, case):
    emulator = fresh_emulator
    target, = seed(emulator, dict(name='rel-delete', created_at=ago(days=3)))
    if case.config:
        emulator.configure(**case.config)
    for one in case.faults:
        emulator.add_fault(**one)
    arguments = options(emulator, experiment_id=target['id'], state='absent', wait_timeout=case.more['wait_timeout'],
                        retries=case.more.get('retries', 3))
    tasks = [task(EXPERIMENT, arguments, 'faulty')]
    if case.id == 'refused-then-lost':
        tasks.append(task(EXPERIMENT, arguments, 'again'))
    run = play(emulator, tasks)
    result, deletes = run.results[0], sent(emulator, DELETE)

    after = state_of(emulator, target['id'])
    assert after['deleted'] is True, 'the experiment is still there'
    assert [entry['body']['data']['attributes']['experiment_ids'] for entry in deletes] == [[target['id']]] * len(deletes)
    assert len(deletes) == case.more['deletes'], [entry['status'] for entry in deletes]
    assert sum(1 for entry in deletes if carried_out(entry)) == 1, 'the delete was carried out more than once'
    warnings = warnings_of(result)
    if case.expected == 'success':
        assert result.get('failed') is not True and result['changed'] is True, result.get('msg')
        assert result['msg'].startswith("Experiment 'rel-delete'") and 'deleted' in result['msg'], result['msg']
        if case.id == 'refused-then-lost':
            assert any('a lookup shows it was done' in w for w in warnings), warnings
            again = run.results[1]
            assert again.get('failed') is not True and again['changed'] is False, again.get('msg')
        else:
            assert any('refused in a way that shows the first attempt was carried out' in w for w in warnings), warnings
        outcome = 'deleted once, reported deleted'
    else:
        # The reads failed after the delete, not before it: the failure is the delete's, and its outcome unknown.
        log = emulator.requests_log()
        first_delete = [n for n, entry in enumerate(log) if entry['operation'] == DELETE][0]
        assert [entry['status'] for entry in log[first_delete + 1:]] == [503] * 3
        assert result.get('failed') is True and result['status'] == 500
        assert result['msg'].startswith("Deleting experiment 'rel-delete' (id %s) of project" % target['id']), \
            result['msg']
        assert 'It may have been carried out, and the lookup that would tell failed too (Listing experiments' in \
            result['msg'] and result['msg'].endswith('its outcome is unknown.'), result['msg']
        # The next run finds it gone: nothing to do.
        emulator.control('DELETE', '/faults')
        second = play(emulator, [task(EXPERIMENT, arguments, 'finish')]).results[0]
        assert second.get('failed') is not True and second['changed'] is False, second.get('msg')
        assert len(sent(emulator, DELETE)) == 1
        outcome = 'deleted once; the failure says its outcome is unknown; the next run has nothing to do'
    record('experiment_writes', row(case.id, 'llmobs_experiment (delete)', case.what, case.expected, result,
                                    len(deletes), outcome, run, 1 if case.expected == 'success' else 2))


# ---------------------------------------------------------------- prune

# 230 nightly runs, run i created i days ago (less 2 hours, so that run 7 is younger than 7 days). The rules: keep
# the 2 newest, and those created 7 days ago or less. Of the older ones the guard keeps run 50 (still running), run
# 100 (the parent of a release run of another name) and run 150 (run 100's parent); run 60 failed, and goes like the
# rest. 220 go, in three requests of at most 100: 100, 100 and 20. Nothing of another name is touched.
NIGHTLY_RUNS = 230
RUNNING, PARENT, GRANDPARENT = 50, 100, 150
PRUNE_RULES = dict(name_pattern='rel-nightly-*', keep=2, older_than='7d')


def nightly(number):
    return 'rel-nightly-%03d' % number


class PruneScene(object):
    def __init__(self, emulator):
        self.emulator = emulator
        self.ids = dict((number, str(uuid.uuid4())) for number in range(1, NIGHTLY_RUNS + 1))
        runs = [dict(id=self.ids[n], name=nightly(n), experiment='rel-nightly', created_at=ago(days=n, hours=-2),
                     status='running' if n == RUNNING else 'failed' if n == 60 else 'completed',
                     parent_experiment_id=self.ids[GRANDPARENT] if n == PARENT else None)
                for n in range(1, NIGHTLY_RUNS + 1)]
        others = [dict(name='rel-release', created_at=ago(days=1), parent_experiment_id=self.ids[PARENT]),
                  dict(name='rel-other-old', created_at=ago(days=300))]
        self.others = [item['id'] for item in seed(emulator, *(runs + others))[NIGHTLY_RUNS:]]
        self.deleted_by_rules = [nightly(n) for n in range(8, NIGHTLY_RUNS + 1) if n not in (RUNNING, PARENT, GRANDPARENT)]
        self.kept_by_rules = [nightly(n) for n in range(1, NIGHTLY_RUNS + 1) if nightly(n) not in self.deleted_by_rules]

    def gone(self):
        return sorted(e['name'] for e in self.emulator.state()['experiments']
                      if e['deleted'] and e['name'].startswith('rel-'))

    def check(self, said_deleted):
        """Nothing the rules keep is gone, and exactly ``said_deleted`` (names) is."""
        gone = self.gone()
        assert [name for name in gone if name not in self.deleted_by_rules] == [], 'an experiment the rules keep went'
        assert gone == sorted(said_deleted), (len(gone), len(said_deleted))
        return gone

    def check_deletes(self):
        """Every deleted experiment went in exactly one request that was carried out."""
        done = {}
        for entry in sent(self.emulator, DELETE):
            if carried_out(entry):
                for experiment_id in entry['body']['data']['attributes']['experiment_ids']:
                    done[experiment_id] = done.get(experiment_id, 0) + 1
        assert [experiment_id for experiment_id, times in done.items() if times > 1] == [], 'deleted twice'
        assert all(len(entry['body']['data']['attributes']['experiment_ids']) <= 100 for entry in
                   sent(self.emulator, DELETE))


PRUNE_CASES = [
    Case('recovered', 'the list cut after 40 bytes, then 503; the first delete done and its connection dropped; the '
         'second 503 (not done), then 429; the third done',
         [fault(LIST, cut_after=40), fault(LIST, status=503), fault(DELETE, drop=True, commit=True),
          fault(DELETE, status=503), fault(DELETE, status=429, reset=1)], deletes=5),
    Case('partial', 'the first delete done; every one after it 500 (not done; retries: 2)',
         [fault(DELETE, status=500, skip=1, times=None)], 'failure', deletes=4, retries=2),
    Case('lookup-fails', 'the first delete done, then 500; every read after it 503 (retries: 2)',
         [fault(DELETE, status=500, commit=True), fault(LIST, status=503, skip=1, times=None)], 'failure', deletes=1,
         retries=2),
]


@pytest.mark.parametrize('case', PRUNE_CASES, ids=[c.id for c in PRUNE_CASES])
def test_experiment_prune_through_faults(fresh_emulator, record, case):
    emulator = fresh_emulator
    scene = PruneScene(emulator)
    for one in case.faults:
        emulator.add_fault(**one)
    arguments = options(emulator, wait_timeout=2, retries=case.more.get('retries', 3), **PRUNE_RULES)
    tasks = [task(PRUNE, arguments, 'faulty')]
    if case.expected == 'success':
        tasks.append(task(PRUNE, arguments, 'again'))
    run = play(emulator, tasks)
    result, deletes = run.results[0], sent(emulator, DELETE)
    scene.check_deletes()
    assert len(deletes) == case.more['deletes'], [entry['status'] for entry in deletes]
    names = [item['name'] for item in result.get('deleted') or []]
    if case.expected == 'success':
        assert result.get('failed') is not True and result['changed'] is True, result.get('msg')
        assert names == scene.deleted_by_rules, 'not the deletes the rules give, newest first'
        scene.check(names)
        reasons = dict((item['name'], item['reason']) for item in result['kept'])
        assert sorted(reasons) == sorted(scene.kept_by_rules)
        assert reasons[nightly(RUNNING)].startswith('running')
        assert reasons[nightly(PARENT)].startswith("parent of kept experiment 'rel-release'")
        assert reasons[nightly(GRANDPARENT)].startswith("parent of kept experiment '%s'" % nightly(PARENT))
        assert any('a lookup shows it was done' in w for w in warnings_of(result)), warnings_of(result)
        assert result['summary'] == 'experiments matching rel-nightly-*: 220 deleted, 10 kept'
        again = run.results[1]
        assert again.get('failed') is not True and again['changed'] is False and again['deleted'] == []
        assert len(sent(emulator, DELETE)) == len(deletes), 'the run again sent a delete'
        outcome = '220 deleted in 3 batches, each once; the 10 kept and the 2 of other names untouched'
    else:
        assert result.get('failed') is True
        maybe = [item['name'] for item in result.get('maybe_deleted') or []]
        not_deleted = [item['name'] for item in result['not_deleted']]
        # Every experiment the rules delete is in exactly one of the lists, in order.
        assert names + maybe + not_deleted == scene.deleted_by_rules
        if case.id == 'partial':
            assert (len(names), maybe, len(not_deleted)) == (100, [], 120) and result['changed'] is True
            scene.check(names)
            assert 'A lookup found no trace of it, so nothing was deleted.' in result['msg'], result['msg']
            assert ('Deleted by this task before it failed: %r (id %s)' % (names[0], scene.ids[8])) in result['msg']
            assert 'and 90 more. Not deleted: ' in result['msg'] and result['msg'].endswith(
                'and 110 more. Run the task again to finish: the rules are applied anew to what is left.')
        else:
            assert (names, len(maybe), len(not_deleted)) == ([], 100, 120) and result['changed'] is True
            scene.check(maybe)  # the request whose outcome is unknown was in fact carried out
            assert result['status'] == 500 and 'its outcome is unknown' in result['msg']
            assert 'This task deleted no experiment before it failed. Maybe deleted (the outcome of the request ' \
                   'that failed is unknown): ' in result['msg'] and ' Not deleted: ' in result['msg'], result['msg']
        # The next run, without the fault, finishes the job.
        emulator.control('DELETE', '/faults')
        second = play(emulator, [task(PRUNE, arguments, 'finish')]).results[0]
        assert second.get('failed') is not True and second['changed'] is True, second.get('msg')
        assert [item['name'] for item in second['deleted']] == not_deleted
        scene.check(scene.deleted_by_rules)
        scene.check_deletes()
        outcome = '%d deleted%s, the rest left; the next run deleted the %d left' % (
            len(names) + len(maybe), ' (its outcome unknown to the task)' if maybe else '', len(not_deleted))
    assert all(not state_of(emulator, experiment_id)['deleted'] for experiment_id in scene.others)
    record('experiment_writes', row(case.id, 'llmobs_experiment_prune', case.what, case.expected, result,
                                    len(deletes), outcome, run, 1 if case.expected == 'success' else 2))


# ---------------------------------------------------------------- scores (llmobs_experiment_info, scores: true)

METRICS = [{'label': 'correctness', 'type': 'score'}, {'label': 'exact', 'type': 'boolean'},
           {'label': 'tone', 'type': 'categorical', 'values': ['formal', 'neutral', 'curt']},
           {'label': 'details', 'type': 'json'}]


def seed_scored(emulator):
    """Two runs of logical experiment rel-scores: a completed one of 3,500 spans (4 pages of events), 7 of them
    failed, with a summary metric; and a newer one still running, 40 spans so far (one page)."""
    return seed(emulator,
                dict(name='rel-scores-full', experiment='rel-scores', created_at=ago(hours=2), status='completed',
                     generate={'records': 3500, 'errors': 7, 'seed': 3, 'metrics': METRICS},
                     summary_metrics=[{'label': 'accuracy', 'metric_type': 'score', 'score_value': 0.75}]),
                dict(name='rel-scores-running', experiment='rel-scores', created_at=ago(hours=1), status='running',
                     generate={'records': 40, 'errors': 2, 'seed': 4, 'metrics': METRICS}))


def expected_scores(statistics, complete):
    """The scores the module must give, from the emulator's statistics of the events."""
    spans = statistics['span_count']
    scores = {}
    for label, figures in statistics['metrics'].items():
        entry = dict(type=figures['type'], count=figures['count'], coverage=figures['count'] / spans, complete=complete)
        if figures['type'] == 'score':
            entry.update(mean=pytest.approx(figures['mean'], rel=1e-12), min=figures['min'], max=figures['max'])
        elif figures['type'] == 'boolean':
            entry['pass_rate'] = figures['true'] / figures['count']
        elif figures['type'] == 'categorical':
            entry['counts'] = figures['values']
        scores[label] = entry
    return scores


INFO_CASES = [
    # Events are read newest run first: the running run's one page, then the full run's pages 1, 2, 3...
    # ``retries``: the reads the faults add to a run's pages.
    Case('pages-recovered', 'events page 2 of the full run: 500, then cut after 300 bytes; page 3: 429 (reset 1); '
         'page 4: a 200 whose JSON is cut',
         [fault(EVENTS, status=500, skip=2), fault(EVENTS, cut_after=300), fault(EVENTS, status=429, reset=1, skip=1),
          fault(EVENTS, body='malformed', skip=1)],
         retries=4),
    Case('bounded', 'an events list that never ends (list_timeout: 3); then a run whose every events page is 503 '
         '(retries: 2)', [fault(EVENTS, endless=True), fault(EVENTS, status=503, times=None)], 'failure'),
]


@pytest.mark.parametrize('case', INFO_CASES, ids=[c.id for c in INFO_CASES])
def test_experiment_scores_through_faults(fresh_emulator, record, case):
    emulator = fresh_emulator
    full, running = seed_scored(emulator)
    for one in case.faults:
        emulator.add_fault(**one)
    # No fault here waits on the timeout: a roomy one keeps a slow page on a busy machine from adding a retry.
    arguments = options(emulator, experiment='rel-scores', scores=True, timeout=15)
    if case.expected == 'success':
        tasks = [task(INFO, arguments, 'faulty'), task(INFO, arguments, 'again')]
    else:
        tasks = [task(INFO, dict(arguments, list_timeout=3), 'endless'),
                 task(INFO, dict(arguments, name='rel-scores-full', retries=2), 'unavailable')]
    run = play(emulator, tasks)
    result, reads = run.results[0], sent(emulator, EVENTS)

    if case.expected == 'success':
        for outcome in run.results:
            assert outcome.get('failed') is not True and outcome['changed'] is False, outcome.get('msg')
            got = dict((item['name'], item) for item in outcome['experiments'])
            assert sorted(got) == ['rel-scores-full', 'rel-scores-running']
            for seeded, complete in ((full, True), (running, False)):
                statistics = state_of(emulator, seeded['id'])['statistics']
                item = got[seeded['name']]
                assert (item['span_count'], item['error_count'], item['complete']) == (
                    statistics['span_count'], statistics['error_span_count'], complete)
                assert item['scores'] == expected_scores(statistics, complete), seeded['name']
            assert [(m['label'], m['score_value']) for m in got['rel-scores-full']['summary_metrics']] == [
                ('accuracy', 0.75)]
        pages = 1 + -(-3500 // EVENT_PAGE_LIMIT)   # the running run's one page, and the full run's
        assert len(reads) - 2 * pages == case.more['retries'], [entry['status'] for entry in reads]
        after = 'scores equal to the emulator\'s statistics of both runs (3,500 and 40 spans), on the re-run too'
    else:
        assert result.get('failed') is True and 'experiments' not in result
        assert 'list_timeout' in result['msg'] and 'the list was still going after 3 seconds' in result['msg'], \
            result['msg']
        unavailable = run.results[1]
        assert unavailable.get('failed') is True and 'experiments' not in unavailable
        assert unavailable['msg'].startswith("Reading the events of experiment 'rel-scores-full'"), unavailable['msg']
        assert 'HTTP 503' in unavailable['msg'] and unavailable['status'] == 503
        after = 'two clear failures, no figures: "%s" and "%s"' % (result['msg'][:160], unavailable['msg'][:160])
    # The events requests of the faulty runs (the re-run after a success read the 5 pages once more).
    record('experiment_writes', row(case.id, 'llmobs_experiment_info (scores)', case.what, case.expected, result,
                                    len(reads) - (5 if case.expected == 'success' else 0), after, run))
