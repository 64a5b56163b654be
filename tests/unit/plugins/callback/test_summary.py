# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The llmobs.datadog.summary callback, loaded as Ansible loads it and fed task results as a strategy would."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import types

import pytest

COLLECTION = 'llmobs.datadog.'


class FakeDisplay(object):
    verbosity = 0

    def __init__(self):
        self.lines = []
        self.warnings = []

    def display(self, msg, **kwargs):
        self.lines.append(msg)

    def banner(self, msg, **kwargs):
        self.lines.append('== %s' % msg)

    def warning(self, msg, **kwargs):
        self.warnings.append(msg)


class Host(object):
    def __init__(self, name):
        self.name = name

    def get_name(self):
        return self.name


def result(name, module, data, host='localhost', check_mode=False, ignore_errors=False):
    """A task result as callbacks get it (the attribute names of ansible-core before 2.19)."""
    task = types.SimpleNamespace(resolved_action=module if '.' in module else COLLECTION + module, action=module,
                                 check_mode=check_mode, ignore_errors=ignore_errors)
    return types.SimpleNamespace(_task=task, _host=Host(host), _result=data, task_name=name)


@pytest.fixture
def callback(monkeypatch):
    """The plugin with the given options (ansible-core reads them from ansible.cfg and the environment: the
    integration target summary_callback covers that), and no GitHub step summary."""
    from ansible_collections.llmobs.datadog.plugins.callback import summary  # pylint: disable=import-outside-toplevel
    monkeypatch.delenv('GITHUB_STEP_SUMMARY', raising=False)

    def configure(**options):
        plugin = summary.CallbackModule(display=FakeDisplay())
        plugin._plugin_options = dict(dict(path=None, github_step_summary=True), **options)
        return plugin
    return configure


def a_run(plugin, check_mode=False):
    plugin.v2_runner_on_ok(result('Project', 'llmobs_project', {
        'changed': True, 'summary': 'project support-bot: would be created' if check_mode else
        'project support-bot: created', 'msg': 'long message'}, check_mode=check_mode))
    plugin.v2_runner_on_ok(result('Records', 'llmobs_dataset_records', {
        'changed': False, 'summary': 'dataset eval: records unchanged (3 declared records)'}, check_mode=check_mode))
    plugin.v2_runner_on_ok(result('Read', 'llmobs_dataset_info', {'changed': False, 'datasets': []},
                                  check_mode=check_mode))
    plugin.v2_runner_on_ok(result('Other', 'ansible.builtin.debug', {'changed': False, 'summary': 'not ours'},
                                  check_mode=check_mode))
    plugin.v2_runner_on_failed(result('Clone', 'llmobs_dataset_clone', {
        'failed': True, 'msg': 'Source dataset d1 was not found.\nSecond line'}, check_mode=check_mode))
    plugin.v2_playbook_on_stats(None)


def test_the_table_shows_the_collection_s_write_tasks_and_failures_at_the_end(callback):
    plugin = callback()
    a_run(plugin)

    lines = plugin._display.lines
    assert lines[0] == '== LLMOBS.DATADOG SUMMARY'
    assert lines[1].splitlines() == [
        'applied: 1 changed, 1 ok, 1 failed',
        'changed  Project  project support-bot: created',
        'ok       Records  dataset eval: records unchanged (3 declared records)',
        'failed   Clone    Source dataset d1 was not found.',
    ]


def test_the_markdown_goes_to_the_github_step_summary(callback, tmp_path, monkeypatch):
    step_summary = tmp_path / 'step-summary.md'
    step_summary.write_text('# earlier step\n')
    monkeypatch.setenv('GITHUB_STEP_SUMMARY', str(step_summary))
    plugin = callback()
    a_run(plugin, check_mode=True)

    assert step_summary.read_text() == '\n'.join([
        '# earlier step',
        '### llmobs.datadog: dry run (check mode: nothing was sent)',
        '',
        '1 changed, 1 ok, 1 failed',
        '',
        '| | Task | What it would do |',
        '| --- | --- | --- |',
        '| changed | Project | project support-bot: would be created |',
        '| ok | Records | dataset eval: records unchanged (3 declared records) |',
        '| failed | Clone | Source dataset d1 was not found. |',
        '', ''])


def test_the_path_option_and_the_step_summary_each_get_the_table_once(callback, tmp_path, monkeypatch):
    step_summary, own = tmp_path / 'step-summary.md', tmp_path / 'own.md'
    monkeypatch.setenv('GITHUB_STEP_SUMMARY', str(step_summary))
    a_run(callback(path=str(own)))
    assert own.read_text().count('### llmobs.datadog: applied') == 1
    assert step_summary.read_text().count('### llmobs.datadog: applied') == 1

    a_run(callback(path=str(step_summary)))
    assert step_summary.read_text().count('### llmobs.datadog: applied') == 2


def test_the_step_summary_can_be_turned_off(callback, tmp_path, monkeypatch):
    step_summary = tmp_path / 'step-summary.md'
    monkeypatch.setenv('GITHUB_STEP_SUMMARY', str(step_summary))
    a_run(callback(github_step_summary=False))
    assert not step_summary.exists()


def test_a_run_without_a_task_of_the_collection_prints_and_writes_nothing(callback, tmp_path, monkeypatch):
    step_summary = tmp_path / 'step-summary.md'
    monkeypatch.setenv('GITHUB_STEP_SUMMARY', str(step_summary))
    plugin = callback()
    plugin.v2_runner_on_ok(result('Other', 'ansible.builtin.debug', {'changed': False}))
    plugin.v2_playbook_on_stats(None)
    assert plugin._display.lines == []
    assert not step_summary.exists()


def test_loop_items_are_rows_and_the_loop_s_end_is_not(callback):
    plugin = callback()
    for name in ('v2', 'v3'):
        plugin.v2_runner_item_on_ok(result('Clones', 'llmobs_dataset_clone', {
            'changed': True, 'summary': 'clone %s: created' % name, 'item': name}))
    plugin.v2_runner_item_on_failed(result('Clones', 'llmobs_dataset_clone', {'failed': True, 'msg': 'refused'},
                                           ignore_errors=True))
    plugin.v2_runner_on_failed(result('Clones', 'llmobs_dataset_clone', {
        'failed': True, 'msg': 'One or more items failed', 'results': [{}, {}, {}]}), ignore_errors=True)
    plugin.v2_playbook_on_stats(None)

    assert plugin._display.lines[1].splitlines()[1:] == [
        'changed           Clones  clone v2: created',
        'changed           Clones  clone v3: created',
        'failed (ignored)  Clones  refused',
    ]


def test_hosts_are_named_when_several_ran_and_no_log_hides_the_text(callback):
    plugin = callback()
    plugin.v2_runner_on_ok(result('P', 'llmobs_project', {'changed': True, 'summary': 'project a: created'}, host='h1'))
    plugin.v2_runner_on_ok(result('P', 'llmobs_project', {'censored': 'the output has been hidden', 'changed': True},
                                  host='h2'))
    plugin.v2_runner_on_unreachable(result('P', 'llmobs_project', {'unreachable': True, 'msg': 'no route'}, host='h3'))
    plugin.v2_playbook_on_stats(None)

    assert plugin._display.lines[1].splitlines() == [
        'applied: 2 changed, 1 unreachable',
        'changed      P [h1]  project a: created',
        'changed      P [h2]  output hidden by no_log',
        'unreachable  P [h3]  no route',
    ]


def test_a_run_partly_in_check_mode_says_which_tasks_sent_nothing(callback):
    plugin = callback()
    plugin.v2_runner_on_ok(result('A', 'llmobs_project', {'changed': True, 'summary': 'project a: created'}))
    plugin.v2_runner_on_ok(result('B', 'llmobs_project', {'changed': True, 'summary': 'project b: would be created'},
                                  check_mode=True))
    plugin.v2_playbook_on_stats(None)

    assert plugin._display.lines[1].splitlines() == [
        'partly a dry run (tasks marked check mode sent nothing): 2 changed',
        'changed  A               project a: created',
        'changed  B (check mode)  project b: would be created',
    ]


def test_markdown_cells_keep_pipes_and_newlines_inside(callback, tmp_path):
    path = tmp_path / 'summary.md'
    plugin = callback(path=str(path))
    plugin.v2_runner_on_ok(result('A | B', 'llmobs_dataset', {'changed': True, 'summary': 'dataset a|b: created'}))
    plugin.v2_playbook_on_stats(None)
    assert '| changed | A \\| B | dataset a\\|b: created |' in path.read_text().splitlines()


def test_a_file_that_cannot_be_written_is_a_warning(callback, tmp_path):
    plugin = callback(path=str(tmp_path / 'missing-dir' / 'summary.md'))
    a_run(plugin)
    assert len(plugin._display.warnings) == 1
    assert plugin._display.warnings[0].startswith('llmobs.datadog.summary could not append the summary to ')
    assert plugin._display.lines[0] == '== LLMOBS.DATADOG SUMMARY'
