# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Support of the in-process tests: ansible-core's controller side, kept from leaking into other tests.

Importing controller code (``ansible.plugins``, ``ansible.template``) switches ansible-core 2.19's
module_utils into controller mode for the whole process: ``AnsibleModule.warn`` then reports to the
display instead of the module result, which the module tests elsewhere rely on. So these tests
import controller code only inside ``controller_side`` (autouse in both test folders), which puts the
switches back afterwards, and run a module's ``main()`` inside ``target_side()``, as in its own process.

``make_action(module_name, args, ...)``  the module's action plugin, with a real local (or another)
    connection, PlayContext, DataLoader and Templar, and a small task object
``module_stdout(run_module, module, args, ...)``  what the module prints, run as in its own process
``trusted(text)``  a template string as a playbook holds it
``normalized(result)``  a controller-side result with ansible-core 2.19's warning objects as texts
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib
import json
import sys
from contextlib import contextmanager

import pytest

IN_PROCESS_ACTION = 'ansible_collections.llmobs.datadog.plugins.plugin_utils._in_process_action'

try:
    from ansible.module_utils import _internal as _module_utils_internal  # ansible-core 2.19 and later
    from ansible.module_utils._internal import _traceback as _module_traceback
except ImportError:
    _module_utils_internal = _module_traceback = None


def _switches():
    if _module_utils_internal is None:
        return None
    return (getattr(_module_utils_internal, 'is_controller', None), _module_traceback._is_traceback_enabled)


def _restore(switches):
    if switches is not None:
        _module_utils_internal.is_controller, _module_traceback._is_traceback_enabled = switches


@pytest.fixture(autouse=True)
def controller_side():
    """Controller mode for one test (as in an Ansible worker), the process as it was afterwards."""
    before = _switches()
    importlib.import_module(IN_PROCESS_ACTION)
    if _module_utils_internal is not None:
        _module_utils_internal.is_controller = True
    try:
        yield
    finally:
        _restore(before)


@contextmanager
def target_side():
    """Module mode while a module's main() runs, as in its own process."""
    before = _switches()
    if _module_utils_internal is not None:
        _module_utils_internal.is_controller = False
        _module_traceback._is_traceback_enabled = _module_traceback._is_module_traceback_enabled
    try:
        yield
    finally:
        _restore(before)


class FakeTask(object):
    """The task attributes an action plugin reads."""

    def __init__(self, action, args, check_mode=False, diff=False, environment=None, async_val=0,
                 delegate_to=None, delegate_facts=False, no_log=False, search_path=()):
        self.action = action
        self.resolved_action = action
        self.args = args
        self.check_mode = check_mode
        self.diff = diff
        self.environment = list(environment or [])
        self.async_val = async_val
        self.delegate_to = delegate_to
        self.delegate_facts = delegate_facts
        self.no_log = no_log
        self.become = False
        self.search_path = list(search_path)

    def get_search_path(self):
        """Where ``_find_needle`` looks, before the playbook's directory: the role's, as a role task's would be."""
        return list(self.search_path)


def connection_of(kind, play_context):
    from ansible.plugins.loader import connection_loader
    return connection_loader.get(kind, play_context, '/dev/null')


def make_action(module_name, args, task_vars=None, connection='local', become=False, **task_kwargs):
    """The action plugin of ``module_name`` for one task; ``action.task_vars`` holds the variables to run it with."""
    from ansible.parsing.dataloader import DataLoader
    from ansible.playbook.play_context import PlayContext
    from ansible.template import Templar

    plugin = importlib.import_module('ansible_collections.llmobs.datadog.plugins.action.%s' % module_name)
    variables = dict(ansible_python_interpreter=sys.executable, ansible_playbook_python=sys.executable,
                     inventory_hostname='localhost')
    variables.update(task_vars or {})
    play_context = PlayContext()
    play_context.remote_addr = 'localhost'
    play_context.become = become
    loader = DataLoader()
    action = plugin.ActionModule(
        FakeTask('llmobs.datadog.%s' % module_name, args, **task_kwargs),
        connection_of(connection, play_context) if isinstance(connection, str) else connection,
        play_context, loader, Templar(loader=loader, variables=variables), None)
    action.task_vars = variables
    return action


def module_stdout(run_module, module, args, check_mode=False, diff=False):
    """What the module prints when it runs as its own process, and its exit code."""
    with target_side():
        dummy, code, raw = run_module(module, args, check_mode=check_mode, diff=diff)
    return raw, code


def trusted(text):
    """A template as a playbook would hold it (ansible-core 2.19 renders only trusted templates)."""
    try:
        from ansible.template import trust_as_template
    except ImportError:
        return text
    return trust_as_template(text) if isinstance(text, str) else text


def warning_text(warning):
    event = getattr(warning, 'event', None)
    return str(event.msg) if event is not None else str(warning)


def normalized(result):
    """A controller-side result, comparable across the two paths: warnings as texts, JSON types."""
    result = dict(result)
    if 'warnings' in result:
        result['warnings'] = [warning_text(warning) for warning in result['warnings']]
    if 'exception' in result and not isinstance(result['exception'], str):
        result['exception'] = 'exception of type %s' % type(result['exception']).__name__
    return json.loads(json.dumps(result, default=repr))
