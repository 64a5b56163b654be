# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""llmobs_experiment end to end inside the module: every test states the full list of HTTP calls.

The ``http`` fixture answers the calls in order and fails the test on any extra, missing or
different request; a check-mode test states only reads, so any write fails it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._planned import PLAN_ENV
from ansible_collections.llmobs.datadog.plugins.modules import llmobs_experiment
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import (
    API_KEY,
    APP_KEY,
    BASE_URL,
    LOST_ANSWERS,
    PROJECT,
    PROJECT_NAME,
    TIMESTAMP,
    assert_no_secrets,
    by_project_name,
    project,
    warnings_of,
    with_keys,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    delete_experiments,
    experiment,
    experiment_by_id,
    experiments_by_name,
    projects_by_name,
    update_experiment,
)

MODULE = llmobs_experiment
NAME = 'capitals-gpt-4o'
EID = 'exp-1'
DATASET = 'ds-1'
NOT_MADE_HERE = ("this module does not create experiments: ddtrace's LLMObs.experiment() runs them (and makes them), "
                 "then this module can update or delete them.")


def args(**overrides):
    return with_keys(dict(project_id=PROJECT, name=NAME), overrides)


def by_id(**overrides):
    return with_keys(dict(project_id=PROJECT, experiment_id=EID), overrides)


def run_of(name=NAME, experiment_id=EID, **attributes):
    """The experiment as the list answers it (a completed run unless ``status`` is given)."""
    attributes.setdefault('status', 'completed')
    return experiment(experiment_id, name, DATASET, **attributes)


def facts(name=NAME, description='', metadata=None, status='completed', **overrides):
    """The facts the module returns of ``run_of(...)`` with the same values."""
    result = dict(id=EID, name=name, experiment=None, description=description, metadata=metadata, project_id=PROJECT,
                  dataset_id=DATASET, dataset_version=None, parent_experiment_id=None, status=status, error=None,
                  aggregate_data=None, config=None, run_count=None, created_at=TIMESTAMP, updated_at=TIMESTAMP)
    result.update(overrides)
    return result


def present(name=NAME, description='', metadata=None):
    return {'state': 'present', 'name': name, 'description': description, 'metadata': metadata}


# ---------------------------------------------------------------- present, by name


def test_by_name_with_nothing_given_reports_it_as_it_is(http, run, clock):
    http.expect(experiments_by_name(NAME).reply_page(run_of(description='first', metadata={'tags': ['a']})))

    result, code, raw = run(args(), diff=True)

    assert code == 0 and result['changed'] is False
    assert result['experiment'] == facts(description='first', metadata={'tags': ['a']})
    assert result['project_id'] == PROJECT
    assert result['msg'] == "Experiment 'capitals-gpt-4o' in project proj-1 (id exp-1): nothing to change."
    assert result['summary'] == 'experiment capitals-gpt-4o: unchanged'
    assert result['diff'] == {'before': present(description='first', metadata={'tags': ['a']}),
                              'after': present(description='first', metadata={'tags': ['a']})}
    assert_no_secrets(raw)


def test_by_name_only_exact_matches_count_on_every_page(http, run, clock):
    http.expect(
        experiments_by_name(NAME).reply_page(run_of(NAME + '-1', 'other-1'), after='c2'),
        experiments_by_name(NAME, cursor='c2').reply_page(run_of('Capitals-GPT-4o', 'other-2'), run_of()),
    )

    result, code, dummy = run(args())

    assert code == 0 and result['experiment']['id'] == EID


def test_metadata_is_compared_as_data_so_key_order_and_whole_floats_change_nothing(http, run, clock):
    http.expect(experiments_by_name(NAME).reply_page(run_of(metadata={'score': 1.0, 'tags': ['a'], 'baseline': True})))

    result, code, dummy = run(args(metadata={'baseline': True, 'tags': ['a'], 'score': 1}, description=''))

    assert code == 0 and result['changed'] is False


def test_metadata_that_differs_replaces_the_whole_object_and_an_empty_answer_is_read_back(http, run, clock):
    before = run_of(description='kept', metadata={'tags': ['model:gpt-4o'], 'config': {'t': 0}})
    after = run_of(description='kept', metadata={'baseline': True}, updated_at='2026-11-26T10:00:00+00:00')
    http.expect(
        experiments_by_name(NAME).reply_page(before),
        update_experiment(EID, {'metadata': {'baseline': True}}).reply(200, body=''),   # as live: 200, empty body
        experiment_by_id(EID).reply_page(before),                                       # the read lags the write
        experiment_by_id(EID).reply_page(after),
    )

    result, code, dummy = run(args(metadata={'baseline': True}), diff=True)

    assert code == 0 and result['changed'] is True
    assert result['experiment'] == facts(description='kept', metadata={'baseline': True},
                                         updated_at='2026-11-26T10:00:00+00:00')
    assert result['msg'] == "Experiment 'capitals-gpt-4o' in project proj-1 (id exp-1): updated metadata."
    assert result['summary'] == 'experiment capitals-gpt-4o: metadata updated'
    assert result['diff'] == {
        'before': present(description='kept', metadata={'tags': ['model:gpt-4o'], 'config': {'t': 0}}),
        'after': present(description='kept', metadata={'baseline': True})}
    assert clock.sleeps == [0.5]
    assert warnings_of(result) == []


def test_only_the_fields_that_differ_are_sent(http, run, clock):
    item = run_of(description='old', metadata={'a': 1})
    http.expect(
        experiments_by_name(NAME).reply_page(item),
        update_experiment(EID, {'description': 'new'}).reply(200, body=''),
        experiment_by_id(EID).reply_page(run_of(description='new', metadata={'a': 1})),
    )

    result, code, dummy = run(args(description='new', metadata={'a': 1.0}))

    assert code == 0 and result['changed'] is True
    assert result['msg'].endswith(': updated description.')
    assert result['experiment']['description'] == 'new'


def test_a_running_experiment_is_updated_without_a_warning(http, run, clock):
    http.expect(
        experiments_by_name(NAME).reply_page(run_of(status='running')),
        update_experiment(EID, {'description': 'd'}).reply(200, body=''),
        experiment_by_id(EID).reply_page(run_of(status='running', description='d')),
    )

    result, code, dummy = run(args(description='d'))

    assert code == 0 and result['changed'] is True and result['experiment']['status'] == 'running'
    assert warnings_of(result) == []


def test_several_experiments_of_the_name_fail_listing_their_ids(http, run, clock):
    http.expect(experiments_by_name(NAME).reply_page(run_of(experiment_id='e-a'), run_of(experiment_id='e-b')))

    result, code, dummy = run(args(description='x'))

    assert code == 1 and not result.get('changed')
    assert result['msg'].startswith("Several experiments named 'capitals-gpt-4o' exist in project proj-1 "
                                    "(ids: e-a, e-b)")


@pytest.mark.parametrize('check_mode', [False, True])
def test_a_missing_name_is_an_error_that_says_the_module_makes_no_experiment(http, run, clock, check_mode):
    http.expect(experiments_by_name(NAME).reply_page(run_of(NAME + '-2')))

    result, code, dummy = run(args(description='x'), check_mode=check_mode)

    assert code == 1 and not result.get('changed')
    assert result['msg'] == ("Experiment 'capitals-gpt-4o' in project proj-1 was not found (names are compared "
                             "exactly); " + NOT_MADE_HERE)
    assert result['project_id'] == PROJECT


# ---------------------------------------------------------------- present, by id


def test_by_id_the_experiment_is_read_once_and_named_by_its_name(http, run, clock):
    http.expect(
        experiment_by_id(EID).reply_page(run_of(description='old')),
        update_experiment(EID, {'description': 'new'}).reply(200, body=''),
        experiment_by_id(EID).reply_page(run_of(description='new')),
    )

    result, code, dummy = run(by_id(description='new'))

    assert code == 0 and result['changed'] is True
    assert result['msg'] == "Experiment 'capitals-gpt-4o' in project proj-1 (id exp-1): updated description."
    assert result['experiment'] == facts(description='new')


def test_by_id_a_name_given_renames_it(http, run, clock):
    http.expect(
        experiment_by_id(EID).reply_page(run_of('capitals-run-7')),
        update_experiment(EID, {'name': NAME}).reply(200, body=''),
        experiment_by_id(EID).reply_page(run_of(NAME)),
    )

    result, code, dummy = run(by_id(name=NAME), diff=True)

    assert code == 0 and result['changed'] is True
    assert result['msg'] == "Experiment 'capitals-run-7' in project proj-1 (id exp-1): updated name."
    assert result['summary'] == 'experiment capitals-run-7: name updated'
    assert result['experiment']['name'] == NAME
    assert result['diff'] == {'before': present('capitals-run-7'), 'after': present(NAME)}


def test_by_id_the_name_it_has_already_changes_nothing(http, run, clock):
    http.expect(experiment_by_id(EID).reply_page(run_of()))

    result, code, dummy = run(by_id(name=NAME))

    assert code == 0 and result['changed'] is False


def test_by_id_an_inexact_filter_match_is_not_it(http, run, clock):
    http.expect(experiment_by_id(EID).reply_page(run_of(experiment_id=EID + '0')))

    result, code, dummy = run(by_id(description='x'))

    assert code == 1
    assert result['msg'] == 'No experiment with id exp-1 was found in project proj-1; ' + NOT_MADE_HERE
    http.assert_no_write()


def test_an_update_never_shown_by_the_reads_reports_the_values_sent(http, run, clock):
    http.expect(
        experiment_by_id(EID).reply_page(run_of(description='old')),
        update_experiment(EID, {'description': 'new'}).reply(200, body=''),
        experiment_by_id(EID).reply_page(run_of(description='old')).times(3),
    )

    result, code, dummy = run(by_id(description='new', wait_timeout=1))

    assert code == 0 and result['changed'] is True
    assert result['experiment']['description'] == 'new'
    assert clock.sleeps == [0.5, 0.5]
    assert warnings_of(result) == [
        "Updating experiment 'capitals-gpt-4o' (id exp-1) was answered, but the experiments list still showed the "
        "values from before after 1 second (reads lag behind writes); a run started right away may find them and "
        "update it again. Raise wait_timeout to wait longer."]


# ---------------------------------------------------------------- absent


def test_absent_by_name_deletes_and_waits_until_the_name_is_unlisted(http, run, clock):
    http.expect(
        experiments_by_name(NAME).reply_page(run_of(description='doomed')),
        delete_experiments(EID).reply(204),
        experiments_by_name(NAME).reply_page(run_of(description='doomed')),
        experiments_by_name(NAME).reply_page(),
    )

    result, code, raw = run(args(state='absent', description='ignored'), diff=True)

    assert code == 0 and result['changed'] is True
    assert result['msg'] == "Experiment 'capitals-gpt-4o' in project proj-1 (id exp-1) deleted."
    assert result['summary'] == 'experiment capitals-gpt-4o: deleted'
    assert result['experiment'] == facts(description='doomed')
    assert result['diff'] == {'before': present(description='doomed'), 'after': {'state': 'absent'}}
    assert clock.sleeps == [0.5]
    assert warnings_of(result) == []
    assert_no_secrets(raw)


def test_absent_by_id_waits_on_the_id_and_ignores_a_name(http, run, clock):
    http.expect(
        experiment_by_id(EID).reply_page(run_of()),
        delete_experiments(EID).reply(204),
        experiment_by_id(EID).reply_page(),
    )

    result, code, dummy = run(by_id(state='absent', name='another-name'))

    assert code == 0 and result['changed'] is True
    assert result['msg'] == "Experiment 'capitals-gpt-4o' in project proj-1 (id exp-1) deleted."
    assert clock.sleeps == []


@pytest.mark.parametrize('options, lookup, msg', [
    (args(state='absent'), experiments_by_name(NAME),
     "Experiment 'capitals-gpt-4o' in project proj-1 is absent; nothing to do."),
    (by_id(state='absent'), experiment_by_id(EID), "Experiment 'exp-1' in project proj-1 is absent; nothing to do."),
], ids=['by-name', 'by-id'])
def test_absent_when_missing_is_nothing_to_do(http, run, clock, options, lookup, msg):
    http.expect(lookup.reply_page())

    result, code, dummy = run(options, diff=True)

    assert code == 0 and result['changed'] is False
    assert result['experiment'] is None
    assert result['msg'] == msg
    assert result['diff'] == {'before': {'state': 'absent'}, 'after': {'state': 'absent'}}


def test_absent_with_wait_false_makes_no_poll(http, run, clock):
    http.expect(experiments_by_name(NAME).reply_page(run_of()), delete_experiments(EID).reply(204))

    result, code, dummy = run(args(state='absent', wait=False))

    assert code == 0 and result['changed'] is True
    assert clock.sleeps == []


@pytest.mark.parametrize('lost', sorted(LOST_ANSWERS))
def test_a_lost_delete_answer_is_looked_up_by_id_and_not_sent_again(http, run, clock, lost):
    http.expect(
        experiments_by_name(NAME).reply_page(run_of()),
        LOST_ANSWERS[lost](delete_experiments(EID)),
        experiment_by_id(EID).reply_page(),
        experiments_by_name(NAME).reply_page(),
    )

    result, code, dummy = run(args(state='absent'))

    assert code == 0 and result['changed'] is True
    assert http.count('POST') == 1
    assert any('a lookup shows it was done' in warning for warning in warnings_of(result))


def test_a_lost_delete_answer_still_listed_is_sent_again_once(http, run, clock):
    http.expect(
        experiment_by_id(EID).reply_page(run_of()),
        LOST_ANSWERS['http-500'](delete_experiments(EID)),
        experiment_by_id(EID).reply_page(run_of()).times(3),
        delete_experiments(EID).reply(204),
        experiment_by_id(EID).reply_page(),
    )

    result, code, dummy = run(by_id(state='absent', wait_timeout=1))

    assert code == 0 and result['changed'] is True
    assert http.count('POST') == 2


def test_a_lost_delete_answer_whose_lookup_fails_too_is_an_unknown_outcome(http, run, clock):
    # The delete may have been done: the failure is the delete's, not the lookup's, and says that nobody knows.
    http.expect(
        experiment_by_id(EID).reply_page(run_of()),
        LOST_ANSWERS['http-500'](delete_experiments(EID)),
        experiment_by_id(EID).reply_error(503, {'title': 'Service Unavailable'}).times(3),
    )

    result, code, dummy = run(by_id(state='absent', retries=2))

    assert code == 1 and http.count('POST') == 1 and result['status'] == 500
    assert result['msg'].startswith("Deleting experiment 'capitals-gpt-4o' (id exp-1) of project proj-1 failed with "
                                    "HTTP 500"), result['msg']
    assert result['msg'].endswith(
        'It may have been carried out, and the lookup that would tell failed too (Listing experiments of project '
        'proj-1 failed with HTTP 503 Service Unavailable: Service Unavailable): its outcome is unknown.')


def test_deleting_a_running_experiment_is_done_with_a_warning(http, run, clock):
    http.expect(
        experiments_by_name(NAME).reply_page(run_of(status='running')),
        delete_experiments(EID).reply(204),
        experiments_by_name(NAME).reply_page(),
    )

    result, code, dummy = run(args(state='absent'))

    assert code == 0 and result['changed'] is True
    assert warnings_of(result) == [
        "Experiment 'capitals-gpt-4o' in project proj-1 (id exp-1) was still running when it was deleted: the "
        "events its run still sends are lost, and the run may fail."]


# ---------------------------------------------------------------- check mode


def test_check_mode_update_predicts_the_change_and_sends_nothing(http, run, clock):
    http.expect(experiment_by_id(EID).reply_page(run_of('old-name', metadata={'a': 1})))

    result, code, dummy = run(by_id(name=NAME, metadata={'a': 2}), check_mode=True, diff=True)

    assert code == 0 and result['changed'] is True
    assert result['experiment'] == facts(metadata={'a': 2})
    assert result['msg'] == ("Experiment 'old-name' in project proj-1 (id exp-1): would update metadata and name "
                             "(check mode: nothing was sent).")
    assert result['diff'] == {'before': present('old-name', metadata={'a': 1}), 'after': present(metadata={'a': 2})}


def test_check_mode_delete_of_a_running_experiment_warns_and_sends_nothing(http, run, clock):
    http.expect(experiments_by_name(NAME).reply_page(run_of(status='running')))

    result, code, dummy = run(args(state='absent'), check_mode=True)

    assert code == 0 and result['changed'] is True
    assert result['msg'] == ("Experiment 'capitals-gpt-4o' in project proj-1 (id exp-1) would be deleted (check mode: "
                             "nothing was sent).")
    assert warnings_of(result) == [
        "Experiment 'capitals-gpt-4o' in project proj-1 (id exp-1) is still running: deleting it loses the events "
        "its run still sends, and the run may fail."]


@pytest.mark.parametrize('options, message', [
    (dict(state='absent'), "Experiment 'capitals-gpt-4o' in project 'project-one' (an earlier task of this run would "
                           "create it) is absent; nothing to do."),
    (dict(description='x'), "Experiment 'capitals-gpt-4o' in project 'project-one' (an earlier task of this run would "
                            "create it) was not found"),
], ids=['absent', 'present'])
def test_check_mode_nothing_is_looked_up_in_a_planned_project(http, run, clock, monkeypatch, options, message):
    monkeypatch.setenv(PLAN_ENV, json.dumps([dict(kind='project', name=PROJECT_NAME, api=BASE_URL)]))
    http.expect(projects_by_name(PROJECT_NAME).reply_page())

    result, code, dummy = run(by_project_name(args(**options)), check_mode=True)

    assert result['msg'].startswith(message)
    assert code == (0 if options.get('state') == 'absent' else 1)


# ---------------------------------------------------------------- addressing and options


def test_project_name_costs_one_lookup_and_messages_name_it(http, run, clock):
    http.expect(
        projects_by_name(PROJECT_NAME).reply_page(project(PROJECT, PROJECT_NAME)),
        experiments_by_name(NAME).reply_page(run_of()),
    )

    result, code, dummy = run(by_project_name(args()))

    assert code == 0 and result['project_id'] == PROJECT
    assert result['msg'] == ("Experiment 'capitals-gpt-4o' in project 'project-one' (id proj-1) (id exp-1): "
                             "nothing to change.")


@pytest.mark.parametrize('overrides, expected', [
    (dict(experiment_id='a/b'), "experiment_id must contain only letters, digits, '-' and '_'"),
    (dict(experiment_id=' '), 'experiment_id must not be blank'),
    (dict(name=''), 'name must not be blank: give the name of the experiment'),
    (dict(name='trailing '), 'name must not start or end with spaces'),
    (dict(description='nul\x00'), 'description must not contain control characters'),
    (dict(wait_timeout=0), 'wait_timeout must be a whole number of seconds from 1 to 3600'),
    (dict(metadata='not-a-dict'), 'metadata'),
    (dict(state='gone'), 'state'),
])
def test_bad_values_are_refused_before_any_request(http, run, overrides, expected):
    result, code, raw = run(args(**overrides))

    assert code == 1
    assert expected in result['msg']
    assert http.seen == []
    assert_no_secrets(raw)


def test_an_experiment_id_or_a_name_is_required(http, run):
    result, code, dummy = run(dict(api_key=API_KEY, app_key=APP_KEY, project_id=PROJECT, description='x'))

    assert code == 1
    assert 'one of the following is required: experiment_id, name' in result['msg']
    assert http.seen == []
