# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: summary
type: aggregate
short_description: A table of what the run's llmobs.datadog tasks did (or, in check mode, would do)
version_added: 1.1.0
author:
  - llmobs.datadog maintainers (@llmobs)
description:
  - >-
    At the end of the run, prints one line per task (and per host and loop item) of the write modules of
    C(llmobs.datadog) that ran. It says whether the task changed something, and gives the task's C(summary), such as
    C(dataset support-questions: records +5 ~3 -2, new version) or C(clone eval-v7: would be created). A failed
    task of the collection, info modules included, shows the first line of its message. Tasks of other
    collections, and info modules that succeeded, are left out.
  - The table says whether the run was a dry run (check mode) or applied, so that a pull request can show it as
    the review of a change and the merge as its record.
  - When O(path) is set, or the environment variable E(GITHUB_STEP_SUMMARY) names a file (as in GitHub Actions),
    the table is also appended to that file as Markdown, under a heading.
  - Prints nothing and writes nothing when no task of the collection ran.
  - Works beside any stdout callback. It prints only what the tasks returned, in which Ansible and the modules
    have masked every secret; it never prints module arguments.
requirements:
  - Enabled in C(ansible.cfg) (C(callbacks_enabled = llmobs.datadog.summary) in C([defaults])) or with the
    environment variable E(ANSIBLE_CALLBACKS_ENABLED).
options:
  path:
    description:
      - A file to append the table to, as Markdown. Created when missing.
    type: path
    env:
      - name: LLMOBS_SUMMARY_PATH
    ini:
      - section: callback_llmobs_summary
        key: path
  github_step_summary:
    description:
      - Whether to append the table, as Markdown, to the file named by the environment variable
        E(GITHUB_STEP_SUMMARY) when it is set, which GitHub Actions shows on the page of the workflow run.
      - Written once when O(path) names the same file.
    type: bool
    default: true
    env:
      - name: LLMOBS_SUMMARY_GITHUB
    ini:
      - section: callback_llmobs_summary
        key: github_step_summary
'''

import os

from ansible.plugins.callback import CallbackBase

COLLECTION_PREFIX = 'llmobs.datadog.'
GITHUB_ENV = 'GITHUB_STEP_SUMMARY'


def _field(result, name):
    """A field of a TaskResult: ansible-core 2.19 names them ``task``, ``host``, ``result``; older ones with an underscore."""
    value = getattr(result, name, None)
    return value if value is not None else getattr(result, '_' + name)


def _first_line(text):
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[0] if lines else ''


def _cell(text):
    """Text that stays in one Markdown table cell."""
    return str(text).replace('\\', '\\\\').replace('|', '\\|').replace('\n', ' ')


class Row(object):
    """One line of the table: a result of one task, host and loop item."""

    def __init__(self, status, task, host, text, check_mode):
        self.status = status
        self.task = task
        self.host = host
        self.text = text
        self.check_mode = check_mode


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'llmobs.datadog.summary'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super(CallbackModule, self).__init__(display=display)
        self.rows = []

    # ------------------------------------------------------------------ results

    def _collect(self, result, failed=False, ignored=False, unreachable=False):
        task = _field(result, 'task')
        action = getattr(task, 'resolved_action', None) or getattr(task, 'action', '') or ''
        if not action.startswith(COLLECTION_PREFIX):
            return
        data = _field(result, 'result')
        if not isinstance(data, dict):
            return
        if isinstance(data.get('results'), list):
            return  # the end of a loop: each item was collected already
        if data.get('censored') or data.get('_ansible_no_log'):
            text = 'output hidden by no_log'
        elif failed or unreachable:
            text = _first_line(data.get('msg') or 'failed without a message')
        elif data.get('summary'):
            text = _first_line(data['summary'])
        else:
            return  # an info module: it changes nothing
        if unreachable:
            status = 'unreachable'
        elif failed:
            status = 'failed (ignored)' if ignored else 'failed'
        else:
            status = 'changed' if data.get('changed') else 'ok'
        self.rows.append(Row(status, result.task_name or action, _field(result, 'host').get_name(), text,
                             bool(getattr(task, 'check_mode', False))))

    def v2_runner_on_ok(self, result, **kwargs):
        self._collect(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._collect(result, failed=True, ignored=ignore_errors)

    def v2_runner_on_unreachable(self, result):
        self._collect(result, unreachable=True)

    def v2_runner_item_on_ok(self, result):
        self._collect(result)

    def v2_runner_item_on_failed(self, result):
        self._collect(result, failed=True, ignored=bool(getattr(_field(result, 'task'), 'ignore_errors', False)))

    # ------------------------------------------------------------------ the table

    def mode(self):
        """What the run was: a dry run, applied, or both (some tasks in check mode)."""
        dry = [row.check_mode for row in self.rows]
        if all(dry):
            return 'dry run (check mode: nothing was sent)'
        if any(dry):
            return 'partly a dry run (tasks marked check mode sent nothing)'
        return 'applied'

    def tally(self):
        """'2 changed, 1 ok, 1 failed'."""
        counts = {}
        for row in self.rows:
            key = row.status.split(' ')[0]
            counts[key] = counts.get(key, 0) + 1
        return ', '.join('%d %s' % (counts[key], key) for key in ('changed', 'ok', 'failed', 'unreachable')
                         if key in counts)

    def task_labels(self):
        """How each row names its task: with its host when the run had several, marked when only part of the run
        was in check mode."""
        several_hosts = len(set(row.host for row in self.rows)) > 1
        partly_dry = self.mode().startswith('partly')
        labels = []
        for row in self.rows:
            text = row.task
            if several_hosts:
                text += ' [%s]' % row.host
            if row.check_mode and partly_dry:
                text += ' (check mode)'
            labels.append(text)
        return labels

    def text_table(self):
        labels = self.task_labels()
        status_width = max(len(row.status) for row in self.rows)
        task_width = min(48, max(len(label) for label in labels))
        lines = ['%s: %s' % (self.mode(), self.tally())]
        for row, label in zip(self.rows, labels):
            lines.append('%s  %s  %s' % (row.status.ljust(status_width), label.ljust(task_width), row.text))
        return '\n'.join(lines)

    def markdown(self):
        mode = self.mode()
        lines = ['### llmobs.datadog: %s' % mode, '', self.tally(), '',
                 '| | Task | %s |' % ('What it would do' if mode.startswith('dry') else 'What it did'), '| --- | --- | --- |']
        for row, label in zip(self.rows, self.task_labels()):
            lines.append('| %s | %s | %s |' % (_cell(row.status), _cell(label), _cell(row.text)))
        return '\n'.join(lines) + '\n\n'

    def markdown_paths(self):
        """The files the Markdown goes to: ``path``, and GitHub's step summary (once, if it is the same file)."""
        paths = []
        if self.get_option('path'):
            paths.append(self.get_option('path'))
        github = os.environ.get(GITHUB_ENV, '').strip()
        if self.get_option('github_step_summary') and github:
            if not paths or os.path.abspath(os.path.expanduser(github)) != os.path.abspath(paths[0]):
                paths.append(github)
        return paths

    def v2_playbook_on_stats(self, stats):
        if not self.rows:
            return
        self._display.banner('LLMOBS.DATADOG SUMMARY')
        self._display.display(self.text_table())
        markdown = self.markdown()
        for path in self.markdown_paths():
            try:
                with open(path, 'a') as handle:
                    handle.write(markdown)
            except (IOError, OSError) as exc:
                self._display.warning('llmobs.datadog.summary could not append the summary to %s: %s' % (path, exc))
