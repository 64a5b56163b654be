# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""plugin_utils/_module_process.py: the task's environment in the worker while a module's code runs."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib
import os

import pytest


@pytest.fixture
def ip():
    return importlib.import_module('ansible_collections.llmobs.datadog.plugins.plugin_utils._module_process')


def test_applied_environment_sets_and_restores(ip, monkeypatch):
    monkeypatch.setenv('LLMOBS_UNIT_A', 'old')
    monkeypatch.delenv('LLMOBS_UNIT_B', raising=False)
    with ip.applied_environment({'LLMOBS_UNIT_A': 'new', 'LLMOBS_UNIT_B': 'added'}):
        assert os.environ['LLMOBS_UNIT_A'] == 'new' and os.environ['LLMOBS_UNIT_B'] == 'added'
    assert os.environ['LLMOBS_UNIT_A'] == 'old' and 'LLMOBS_UNIT_B' not in os.environ


def test_applied_environment_restores_after_an_error(ip, monkeypatch):
    monkeypatch.delenv('LLMOBS_UNIT_C', raising=False)
    with pytest.raises(RuntimeError):
        with ip.applied_environment({'LLMOBS_UNIT_C': 'x'}):
            raise RuntimeError('boom')
    assert 'LLMOBS_UNIT_C' not in os.environ


def test_environment_values_are_strings_as_the_shell_passes_them(ip):
    assert ip.environment_strings({'A': 1, 'B': True, 'C': None, 'D': 'text'}) == {'A': '1', 'B': 'True', 'C': 'None', 'D': 'text'}
    assert ip.environment_strings({'1A': 'x'}) is None
    assert ip.environment_strings({'A-B': 'x'}) is None
    assert ip.environment_strings({'A': 'x\x00y'}) is None
