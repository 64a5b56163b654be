# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared fixtures: a strict HTTP mock, a virtual clock, and a way to run the module."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import sys

import pytest
import responses
from responses.registries import OrderedRegistry

from ansible.module_utils.common.text.converters import to_bytes
from ansible.module_utils import basic

from ansible_collections.llmobs.datadog.plugins.module_utils import _transport


class VirtualTime(object):
    """Stands in for the time module inside the client: sleeps are recorded, not slept."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    virtual = VirtualTime()
    monkeypatch.setattr(_transport, "time", virtual)
    return virtual


@pytest.fixture
def api():
    """Responses are served in the order they are registered, and all must be used."""
    with responses.RequestsMock(assert_all_requests_are_fired=True, registry=OrderedRegistry) as mock:
        yield mock


@pytest.fixture(autouse=True)
def fresh_module_state(monkeypatch):
    """Warnings are kept in module globals between AnsibleModule runs: start every test empty."""
    from ansible.module_utils.common import warnings
    for name in ('_global_warnings', '_global_deprecations'):
        store = getattr(warnings, name, None)
        if store is not None:
            monkeypatch.setattr(warnings, name, type(store)())


@pytest.fixture(autouse=True)
def no_datadog_env(monkeypatch):
    for name in ('DD_API_KEY', 'DD_APP_KEY', 'DD_APPLICATION_KEY', 'DD_SITE'):
        monkeypatch.delenv(name, raising=False)


def _patched_args(args):
    if hasattr(basic, '_ANSIBLE_PROFILE'):
        from ansible.module_utils.testing import patch_module_args  # ansible-core 2.19 and later
        return patch_module_args(args)
    from unittest import mock
    return mock.patch.object(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args})))


@pytest.fixture
def run_module(capsys):
    """Run a module's main() with ``args`` and return (result dict, exit code, raw stdout)."""

    def runner(module, args, check_mode=False, diff=False):
        args = dict(args)
        args['_ansible_check_mode'] = check_mode
        args['_ansible_diff'] = diff
        with _patched_args(args):
            with pytest.raises(SystemExit) as exit_info:
                module.main()
        out = capsys.readouterr().out
        sys.stdout.flush()
        return json.loads(out), exit_info.value.code, out

    return runner
