# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared fixtures: the expected HTTP calls (``http``), a virtual clock, and a way to run a module.

``http``        an HTTPMock (tests/unit/plugins/http_calls.py): ``http.expect(...)`` states the calls,
                each request must be the next one, and at the end every call must have been made.
                With nothing expected, any request fails the test.
``clock``       virtual time for the transport (autouse: no test ever sleeps); ``clock.sleeps``
                lists the waits asked for, ``clock.now`` is the virtual monotonic time.
``run_module``  ``run_module(module, args, check_mode=False, diff=False)`` runs a module's main()
                and returns ``(result, exit code, raw stdout)``.
``run``         ``run(args, check_mode=False, diff=False)``: run_module for the module that the test
                file names in ``MODULE``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import sys

import pytest

from ansible.module_utils.common.text.converters import to_bytes
from ansible.module_utils import basic

from ansible_collections.llmobs.datadog.plugins.module_utils import _transport
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import HTTPMock


class VirtualTime(object):
    """Stands in for the time module inside the transport: sleeps are recorded, not slept."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self):
        return self.now


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    virtual = VirtualTime()
    monkeypatch.setattr(_transport, "time", virtual)
    return virtual


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so that fixtures know at teardown whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, '_llmobs_report_' + report.when, report)


@pytest.fixture
def http(request):
    """Expected HTTP calls, answered and checked in order; see tests/unit/plugins/http_calls.py."""
    with HTTPMock() as mock:
        yield mock
    report = getattr(request.node, '_llmobs_report_call', None)
    if report is None or report.passed:
        mock.assert_done()


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


@pytest.fixture
def run(run_module, request):
    """``run_module`` for the module the test file names in ``MODULE``."""
    module = request.module.MODULE

    def runner(args, **kwargs):
        return run_module(module, args, **kwargs)

    return runner
