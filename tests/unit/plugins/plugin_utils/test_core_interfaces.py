# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""plugin_utils/_core_interfaces.py: the guards around ansible-core's private interfaces."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib

import pytest


@pytest.fixture
def ip():
    return importlib.import_module('ansible_collections.llmobs.datadog.plugins.plugin_utils._core_interfaces')


@pytest.fixture
def controller_imports():
    return importlib.import_module('ansible_collections.llmobs.datadog.plugins.plugin_utils._controller_imports')


def test_this_ansible_core_offers_every_interface(ip, controller_imports):
    assert ip.CORE.missing is None and ip.CORE.path_facts is True
    assert controller_imports.ENGINE_IMPORT_ERROR is None


def test_file_facts_that_cannot_be_added_turn_only_them_off(ip, monkeypatch):
    def broken(self, kwargs):
        raise AttributeError('_selinux_enabled')

    monkeypatch.setattr(ip.PathFacts, 'add_path_info', broken)
    core = ip.CoreInterfaces()
    assert core.path_facts is False and core.missing is None


def test_a_changed_output_reader_turns_the_in_process_path_off(ip, monkeypatch):
    monkeypatch.setattr(ip.ActionBase, '_parse_returned_data', lambda self, res, profile, strict: None)
    assert ip.CoreInterfaces().missing == 'ansible-core reads module output in a way this collection does not know'


def test_a_missing_environment_interface_turns_the_in_process_path_off(ip, monkeypatch):
    monkeypatch.setattr(ip.ActionBase, '_compute_environment_string', lambda self: '')
    assert 'environment' in ip.CoreInterfaces().missing


def test_missing_no_log_values_turn_the_in_process_path_off(ip, monkeypatch):
    real = ip.ArgumentSpecValidator

    class Validator(real):
        def validate(self, *args, **kwargs):
            result = super(Validator, self).validate(*args, **kwargs)
            del result._no_log_values
            return result

    monkeypatch.setattr(ip, 'ArgumentSpecValidator', Validator)
    assert 'no_log' in ip.CoreInterfaces().missing


def test_module_arguments_go_through_the_controller_s_encoder(ip):
    params = ip.CORE.module_params({'a': ('x', 1), 'b': {'c': True}, 'd': None})
    assert params == {'a': ['x', 1], 'b': {'c': True}, 'd': None}
    with pytest.raises(TypeError):
        ip.CORE.module_params({'a': object()})


def test_when_fail_json_adds_a_traceback(ip, monkeypatch):
    if ip.CORE.profiles:  # ansible-core 2.19 and later: the DISPLAY_TRACEBACK setting
        monkeypatch.setattr(ip.C.config, 'get_config_value', lambda name, *a, **k: ['error'])
        assert ip.CORE.error_traceback_wanted() is True
        monkeypatch.setattr(ip.C.config, 'get_config_value', lambda name, *a, **k: ['never'])
        assert ip.CORE.error_traceback_wanted() is False
        monkeypatch.setattr(ip.C.config, 'get_config_value', lambda name, *a, **k: ['always'])
        assert ip.CORE.error_traceback_wanted() is True
    else:  # before: debug, or -vvv and more
        monkeypatch.setattr(ip.display, 'verbosity', 3)
        assert ip.CORE.error_traceback_wanted() is True
        monkeypatch.setattr(ip.display, 'verbosity', 2)
        monkeypatch.setattr(ip.C, 'DEFAULT_DEBUG', False)
        assert ip.CORE.error_traceback_wanted() is False
