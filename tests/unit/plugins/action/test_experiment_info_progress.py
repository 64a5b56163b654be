# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""llmobs_experiment_info in the controller: the progress lines of a long read of events name the experiment.

Here, not beside the module's other tests, since the action runs in controller mode (this folder's conftest)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import PROJECT, with_keys
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    events_page,
    experiment,
    list_experiment_events,
    list_experiments,
    span,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.plugin_utils.in_process_support import make_action

NEW = experiment('e2', 'capitals-new', 'ds-capitals', '2026-12-02T10:00:00+00:00', experiment='capitals', status='completed')


def args(**options):
    return with_keys(dict(project_id=PROJECT), options)


def test_progress_lines_name_the_experiment(http, monkeypatch):
    from ansible_collections.llmobs.datadog.plugins.plugin_utils import _in_process_action
    shown = []
    monkeypatch.setattr(_in_process_action.display, 'display', lambda msg, **kwargs: shown.append(msg))
    monkeypatch.setenv('LLMOBS_PROGRESS_SECONDS', '0')
    monkeypatch.delenv('LLMOBS_IN_PROCESS', raising=False)
    http.expect(list_experiments(project_id=PROJECT).reply_page(NEW),
                list_experiment_events('e2').reply(json=events_page([span('s1')], after='c2')),
                list_experiment_events('e2', cursor='c2').reply(json=events_page([span('s2')])))
    action = make_action('llmobs_experiment_info', args(scores=True))

    result = action.run(task_vars=action.task_vars)

    assert result['experiments'][0]['span_count'] == 2
    assert shown[-2:] == ["experiment 'capitals-new' (id e2): 1 span read so far.",
                          "experiment 'capitals-new' (id e2): 2 spans read in all."]
