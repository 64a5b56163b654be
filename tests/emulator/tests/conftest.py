# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures for the emulator's own tests: the published spec, and emulator processes."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from ansible_collections.llmobs.datadog.tests.emulator.tests.harness import EmulatorProcess, openapi_spec_path


@pytest.fixture(scope='session')
def spec_path():
    return openapi_spec_path()


@pytest.fixture
def start_emulator():
    """Start emulators with the given command-line options; all are stopped after the test."""
    started = []

    def start(*options):
        process = EmulatorProcess(list(options))
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def emulator(start_emulator):
    return start_emulator()


@pytest.fixture
def repo_root():
    return os.path.abspath(os.path.join(os.path.dirname(os.path.realpath(__file__)), '..', '..', '..'))
