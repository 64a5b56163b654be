# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This plugin_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The action of every module of the collection: each file of plugins/action/ is ``action_for(__name__)``.

For each task (and each loop item) it decides:

* the task runs on the builtin ``local`` connection, without ``become`` or ``async``, and nothing
  below stands in the way: the module's logic (``MODULE.execute``) runs in the worker process
  that runs the task, as ``AnsibleModule`` would run it in a module process, and the result goes
  through the same steps the module's output goes through (``ModuleRun`` and ``CoreInterfaces``);
* otherwise it executes the module as ansible-core always does (the ``normal`` action), so the
  fallback is exactly the module path.

The module is the one the task resolves to (``self._task.resolved_action``). ``module_path_reason``
returns why a task takes the module path (None: it runs in the controller). The user guide chapter
docs/execution.md explains the rules; keep both in step.

Why a file per module in plugins/action/ rather than one plugin that meta/runtime.yml routes every
module to: ansible-core resolves a task whose action is redirected to the action plugin's name, and
applies ``module_defaults`` by that name, so the defaults given to one module would reach every
module of the collection; and a module whose routing names an ``action_plugin`` gets it loaded in
each worker, per task, instead of once in the main process.

Everything this file needs is imported at the top, and each action plugin file imports its module
when it loads (``action_for``): strategies load plugin classes in the main process, so every worker
inherits these imports instead of paying for them per task.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import sys

from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.module_utils.six import string_types
from ansible.plugins.action import ActionBase
from ansible.plugins.action.normal import ActionModule as NormalAction
from ansible.plugins.connection.local import Connection as LocalConnection
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash
from ansible.vars.clean import remove_internal_keys

from ansible_collections.llmobs.datadog.plugins.plugin_utils._controller_imports import (
    COLLECTION,
    ENGINE_IMPORT_ERROR,
    FILES_ENV,
    HAS_REQUESTS,
    PLAN_ENV,
    import_module_file,
)
from ansible_collections.llmobs.datadog.plugins.plugin_utils._check_plan import plan_environment, plan_of_run, stamp
from ansible_collections.llmobs.datadog.plugins.plugin_utils._controller_files import ControllerFiles
from ansible_collections.llmobs.datadog.plugins.plugin_utils._core_interfaces import CORE
from ansible_collections.llmobs.datadog.plugins.plugin_utils._module_process import (
    applied_environment,
    environment_strings,
    quiet_stderr,
    working_directory,
)
from ansible_collections.llmobs.datadog.plugins.plugin_utils._module_run import ModuleRun, module_declaration_reason

display = Display()

OPT_OUT_VARIABLE = 'llmobs_in_process'
OPT_OUT_ENV = 'LLMOBS_IN_PROCESS'
# Seconds of a task before its first progress line, and between two (docs/execution.md).
PROGRESS_ENV = 'LLMOBS_PROGRESS_SECONDS'

AUTO_INTERPRETERS = ('auto', 'auto_legacy', 'auto_silent', 'auto_legacy_silent')

# What the action tells a module process beyond its arguments: the run's plan, the files found on the controller.
TOLD_VARIABLES = (PLAN_ENV, FILES_ENV)

# By module short name, filled as each action plugin loads: the module's Python module, and why its
# tasks keep to the module path (None: they can run in process). A declaration does not change between tasks.
MODULE_FILES = {}
DECLARATION_REASONS = {}


def same_python(interpreter, executable):
    """Whether ``interpreter`` names the Python that runs this process: the same path, or another name
    of it in the same directory (``python3`` for ``python`` in a virtualenv's bin)."""
    if interpreter == executable:
        return True
    return (os.path.isabs(interpreter) and os.path.dirname(interpreter) == os.path.dirname(executable)
            and os.path.realpath(interpreter) == os.path.realpath(executable))


def progress_timing():
    """The Progress timing of ``LLMOBS_PROGRESS_SECONDS`` (unset: the defaults); a value that is not a number fails."""
    setting = os.environ.get(PROGRESS_ENV, '').strip()
    if not setting:
        return {}
    try:
        seconds = float(setting)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float('inf'):
        raise AnsibleActionFail('The environment variable %s must be a number of seconds, 0 or more, got %r; see '
                                'docs/execution.md of llmobs.datadog.' % (PROGRESS_ENV, setting))
    return dict(quiet=seconds, every=seconds)


def show_progress(text):
    # Through Display, which a worker forwards to the main process; on stderr, so that a stdout callback
    # printing JSON stays readable.
    display.display(text, stderr=True)


def _switch(value, source):
    """A boolean opt-out setting; a value that is not a boolean is an error, not a silent default."""
    try:
        return boolean(value, strict=True)
    except TypeError:
        raise AnsibleActionFail('%s must be true or false, got %r; see docs/execution.md of llmobs.datadog.'
                                % (source, to_text(value)))


class InProcessAction(NormalAction):
    """The action of a module of the collection: in the controller when the task is local, else the module."""

    # What a module process is told (TOLD_VARIABLES): the run's plan of a check-mode task (see _check_plan)
    # and the files found on the controller (see _controller_files).
    _told_environment = {}

    @property
    def module_name(self):
        """The short name of the task's module when it is one of this collection's, else None."""
        collection, dummy, name = (self._task.resolved_action or self._task.action).rpartition('.')
        return name if collection == COLLECTION else None

    @property
    def module_file(self):
        """The Python module of the task's module, as imported in the controller (None if it was not)."""
        return MODULE_FILES.get(self.module_name)

    # ----------------------------------------------------------------------- the decision

    def module_path_reason(self, task_vars):
        """Why this task runs as a module; None when it runs in the controller.

        Cheap checks first; the environment and the arguments are checked in ``run``.
        """
        setting = os.environ.get(OPT_OUT_ENV, '').strip()
        if setting and not _switch(setting, 'the environment variable %s' % OPT_OUT_ENV):
            return '%s=%s' % (OPT_OUT_ENV, setting)
        host_vars = self._host_vars(task_vars)
        if host_vars.get(OPT_OUT_VARIABLE) is not None:
            value = self._templar.template(host_vars[OPT_OUT_VARIABLE])
            if not _switch(value, 'the variable %s' % OPT_OUT_VARIABLE):
                return '%s is false' % OPT_OUT_VARIABLE
        if ENGINE_IMPORT_ERROR:
            return ENGINE_IMPORT_ERROR
        if CORE.missing:
            return CORE.missing
        if sys.platform == 'darwin':
            return 'the controller runs macOS, where HTTP from forked workers can crash (ansible/ansible#76631)'
        if not HAS_REQUESTS:
            return 'the controller has no requests library'
        if self._connection.__class__ is not LocalConnection or getattr(self._connection, 'transport', None) != 'local':
            return 'the connection is not the builtin local one'
        if self._play_context.become or getattr(self._connection, 'become', None) is not None:
            return 'the task uses become'
        if self._task.async_val:
            return 'the task is async'
        if self.module_name not in DECLARATION_REASONS:
            return '%s is not a module of %s' % (self._task.resolved_action or self._task.action, COLLECTION)
        if DECLARATION_REASONS[self.module_name]:
            return DECLARATION_REASONS[self.module_name]
        if self._task.check_mode and not self.module_file.MODULE.module_kwargs().get('supports_check_mode'):
            return 'the module does not support check mode'
        return self._interpreter_reason(task_vars)

    def _host_vars(self, task_vars):
        """The variables of the host the task runs on: the delegated host's when delegated."""
        if self._task.delegate_to:
            delegated = (task_vars.get('ansible_delegated_vars') or {}).get(self._task.delegate_to)
            if delegated is not None:
                return delegated
        return task_vars

    def _interpreter_reason(self, task_vars):
        """Why the module path would not run the module with the controller's own Python (None: it would).

        Only then is the in-process run the same run: the same Python, the same requests. A host whose
        interpreter is still to be discovered takes the module path, which discovers and reports it.
        """
        use_vars = self._host_vars(task_vars)
        try:
            configured = C.config.get_config_value('INTERPRETER_PYTHON', variables=use_vars)
            interpreter = self._templar.template(configured) if configured else configured
        except Exception:  # pylint: disable=broad-except
            return "the host's Python interpreter could not be worked out here"
        interpreter = interpreter.strip() if isinstance(interpreter, string_types) else interpreter
        if not interpreter or interpreter in AUTO_INTERPRETERS:
            interpreter = (use_vars.get('ansible_facts') or {}).get('discovered_interpreter_python')
            if not interpreter:
                return 'the module path would discover the Python interpreter of this host first'
        if not same_python(u'%s' % (interpreter,), sys.executable):
            return "the host's Python (%s) is not the controller's (%s)" % (interpreter, sys.executable)
        return None

    # ----------------------------------------------------------------------- the run

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars if task_vars is not None else {}
        # Files of the repository (a records file) are found on the controller first, as copy finds its src.
        with ControllerFiles(self, getattr(self.module_file, 'MODULE', None)) as files:
            return files.shown_as_given(self._run_either_path(tmp, task_vars, files))

    def _run_either_path(self, tmp, task_vars, files):
        # A dry run's later tasks find what its earlier tasks would create (docs/user-guide.md, check mode).
        plan_key = (task_vars.get('inventory_hostname'), getattr(self._task, '_uuid', None))
        plan = plan_of_run(task_vars, plan_key) if self._task.check_mode else []
        reason = self.module_path_reason(task_vars)
        prepared = None
        if reason is None:
            prepared, reason = self._prepare()
        if reason is not None:
            display.vvv('%s runs as a module: %s' % (self._task.action, reason), host=self._play_context.remote_addr)
            files.send()
            self._told_environment = dict(plan_environment(plan, self._task.check_mode), **files.environment())
            return stamp(super(InProcessAction, self).run(tmp, task_vars), plan_key)
        display.vvv('%s runs in the controller (llmobs.datadog in-process path)' % self._task.action,
                    host=self._play_context.remote_addr)
        result = ActionBase.run(self, tmp, task_vars)  # the base's checks of async and check mode
        del tmp
        params, environment, basedir = prepared
        return stamp(merge_hash(result, self._run_in_process(params, environment, basedir, plan, files.told)), plan_key)

    def _compute_environment_string(self, raw_environment_out=None):
        """The task's environment, with what the action tells a module process in place of any value the task gives."""
        environment = {}
        super(InProcessAction, self)._compute_environment_string(environment)
        for name in TOLD_VARIABLES:
            environment.pop(name, None)
        environment.update(self._told_environment)
        if isinstance(raw_environment_out, dict):
            raw_environment_out.clear()
            raw_environment_out.update(environment)
        return self._connection._shell.env_prefix(**environment)

    def _prepare(self):
        """The module's arguments and the task's environment, or why they need the module path."""
        environment = environment_strings(CORE.task_environment(self))
        if environment is None:
            return None, 'the task environment has a name or value only a shell can pass'
        try:
            params = CORE.module_params(self._task.args)
        except Exception:  # pylint: disable=broad-except
            return None, 'the module arguments need the module path to be encoded (or refused)'
        if not isinstance(params, dict):
            return None, 'the module arguments are not a mapping'
        basedir = self._loader.get_basedir()
        if not os.path.isdir(basedir) or not os.access(basedir, os.X_OK):
            return None, 'the playbook directory %s, where modules run, cannot be entered' % basedir
        try:
            os.getcwd()
        except OSError:
            return None, 'the current directory of the controller no longer exists'
        return (params, environment, basedir), None

    def _run_in_process(self, params, environment, basedir, plan=None, files=None):
        """Run the module's logic in this process and read its output as the module path reads it."""
        run = ModuleRun(self.module_file.MODULE, params, bool(self._task.check_mode), bool(self._task.diff),
                        self._task.action, show_progress=show_progress, progress_timing=progress_timing(), plan=plan,
                        files=files)
        stdout, stderr = u'', u''
        with working_directory(basedir), applied_environment(environment), quiet_stderr():
            try:
                stdout = CORE.module_output(run.run())
            except Exception as exc:  # pylint: disable=broad-except
                # A bug in the module's code: reported as the module process reports it.
                run.rc = 1
                stdout, stderr = CORE.crash_output(exc)
        data = CORE.parse_output(self, stdout, stderr, run.rc)
        return self._finish(data)

    def _finish(self, data):
        """What ActionBase._execute_module does to a module's result after reading it."""
        data.pop('_ansible_suppress_tmpdir_delete', None)
        results = data.get('results')
        if 'results' in data and (not isinstance(results, (list, tuple)) or isinstance(results, string_types)):
            data['ansible_module_results'] = data.pop('results')
            display.warning("Found internal 'results' key in module return, renamed to 'ansible_module_results'.")
        remove_internal_keys(data)
        for stream in ('stdout', 'stderr'):
            if stream in data and '%s_lines' % stream not in data:
                data['%s_lines' % stream] = (data.get(stream) or u'').splitlines()
        return data


def action_for(plugin_name):
    """The action class of the plugin file ``plugin_name`` (its ``__name__``), whose module it imports now, once."""
    name = plugin_name.rpartition('.')[2]
    if name not in DECLARATION_REASONS:
        module_file, error = import_module_file(name)
        if error is not None:
            DECLARATION_REASONS[name] = 'the module cannot be imported in the controller (%s)' % error
        else:
            MODULE_FILES[name] = module_file
            DECLARATION_REASONS[name] = module_declaration_reason(module_file)
    return InProcessAction
