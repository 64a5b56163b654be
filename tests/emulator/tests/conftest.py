# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures for the emulator's own tests: the published spec, emulator processes and in-process emulators."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.tests.support.demo import REPO_ROOT
from ansible_collections.llmobs.datadog.tests.support.emulator import EmulatorProcess, InProcessEmulator
from ansible_collections.llmobs.datadog.tests.support.spec import openapi_spec_path


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
def in_process():
    """Start emulators in this process (keyword arguments of server.Emulator); all stopped after the test."""
    started = []

    def start(**options):
        emulator = InProcessEmulator(**options)
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        emulator.stop()


@pytest.fixture
def repo_root():
    return REPO_ROOT
