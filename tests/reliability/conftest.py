# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures of the reliability suite: one emulator for the session, and the outcome records that
tests/reliability/render_report.py turns into docs/reliability.md."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

import pytest

from ansible_collections.llmobs.datadog.tests.support.demo import REPO_ROOT
from ansible_collections.llmobs.datadog.tests.support.emulator import EmulatorProcess
from ansible_collections.llmobs.datadog.tests.support.playbook import API_KEY, APP_KEY

RESULTS_DIR = os.path.join(REPO_ROOT, 'build', 'reliability')
_records = {}


@pytest.fixture(scope='session')
def reliability_emulator():
    process = EmulatorProcess(['--api-key', API_KEY, '--app-key', APP_KEY])
    yield process
    process.stop()


@pytest.fixture
def fresh_emulator(reliability_emulator):
    """The session's emulator, back at its seed with no faults, lag or churn."""
    reliability_emulator.control('POST', '/reset')
    return reliability_emulator


@pytest.fixture(scope='session')
def record():
    """record(table, row): keep a row for the report; written to build/reliability/<table>.json."""
    def add(table, row):
        _records.setdefault(table, []).append(row)
    return add


def pytest_sessionfinish(session, exitstatus):
    if not _records:
        return
    if not os.path.isdir(RESULTS_DIR):
        os.makedirs(RESULTS_DIR)
    for table, rows in _records.items():
        with open(os.path.join(RESULTS_DIR, table + '.json'), 'w') as handle:
            json.dump(rows, handle, indent=1, sort_keys=True)
