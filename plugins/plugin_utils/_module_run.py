# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This plugin_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""What AnsibleModule does around a module's code, done in the controller without a module process.

``ModuleRun`` validates a module's arguments with AnsibleModule's own validator, runs
``MODULE.execute`` and formats the result as AnsibleModule prints it. ``module_declaration_reason``
says when a module declares something only AnsibleModule implements, which keeps it on the module path.

Why not a subclass of AnsibleModule run in the worker (as ansible.netcommon's ``network`` action
does): in an Ansible worker, ansible-core's module_utils are in controller mode, where
``AnsibleModule.warn`` shows a warning at once instead of returning it in the result, and the
warnings gathered are global to the process (loop items share a worker); ``AnsibleModule()`` also
resets the locale and may change the working directory and logs the invocation to the controller's
syslog. Each would change what a playbook sees; the pieces used here are the public ones
AnsibleModule itself calls (``ArgumentSpecValidator``, ``remove_values``, ``add_path_info``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible.module_utils.basic import PASSWORD_MATCH
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.six import string_types

from ansible_collections.llmobs.datadog.plugins.plugin_utils._controller_imports import LLMObsError, Progress
from ansible_collections.llmobs.datadog.plugins.plugin_utils._core_interfaces import CORE

# The AnsibleModule keyword arguments this file implements; a module that uses another one runs as a module.
KNOWN_MODULE_KWARGS = frozenset((
    'argument_spec', 'mutually_exclusive', 'required_together', 'required_one_of', 'required_if',
    'required_by', 'supports_check_mode',
))
VALIDATOR_KWARGS = ('mutually_exclusive', 'required_together', 'required_one_of', 'required_if', 'required_by')

# Options whose handling in AnsibleModule goes beyond ArgumentSpecValidator (deprecations). Aliases are handled
# here as AnsibleModule does (its warning of an option given with its alias), when ansible-core gives what it needs.
SPEC_KEYS_MODULE_ONLY = ('deprecated_aliases', 'removed_in_version', 'removed_at_date', 'removed_from_collection')
# AnsibleModule's warning of an option given together with its alias (ModuleArgumentSpecValidator.validate).
ALIAS_WARNING = 'Both option {option} and its alias {alias} are set.'


def module_declaration_reason(module_file):
    """Why a module's declaration keeps it on the module path (None: it can run in process).

    ``module_file`` is the module's Python module (with ``MODULE``, ``RETURN``). AnsibleModule
    does more than the in-process path for: options with deprecations (it warns), options with aliases
    when ansible-core does not say which were given with their alias (``CoreInterfaces.alias_warnings``),
    option names that look like passwords without ``no_log`` (it warns), a serialization profile of
    its own, and keyword arguments this file does not implement; and for results with ``path`` or
    ``dest`` (file facts) when ``CoreInterfaces.path_facts`` is off.
    """
    module = getattr(module_file, 'MODULE', None)
    if module is None or not hasattr(module, 'module_kwargs') or not hasattr(module, 'execute'):
        return 'the module has no in-process entry point'
    kwargs = module.module_kwargs()
    unknown = sorted(set(kwargs) - KNOWN_MODULE_KWARGS)
    if unknown:
        return 'the module uses %s, which only AnsibleModule implements' % ', '.join(unknown)
    reason = _spec_reason(kwargs.get('argument_spec') or {})
    if reason:
        return reason
    if getattr(module_file, 'METADATA', None) is not None:
        return 'the module declares its own metadata'
    if not CORE.path_facts and re.search(r'^(?:path|dest):', getattr(module_file, 'RETURN', '') or '', re.M):
        return 'the module returns a path, to which only AnsibleModule can add file facts here'
    return None


def _spec_reason(spec, prefix=''):
    for name, option in spec.items():
        for key in SPEC_KEYS_MODULE_ONLY + (() if CORE.alias_warnings else ('aliases',)):
            if option.get(key):
                return 'option %s%s has %s' % (prefix, name, key)
        if 'no_log' not in option and PASSWORD_MATCH.search(name):
            return 'option %s%s looks like a password and does not set no_log' % (prefix, name)
        reason = _spec_reason(option.get('options') or {}, '%s%s.' % (prefix, name))
        if reason:
            return reason
    return None


class ModuleRun(object):
    """One run of a module as AnsibleModule runs it, without a module process.

    ``run()`` validates ``params`` with the module's own argument spec (environment fallbacks,
    defaults, types, exclusivity), runs ``MODULE.execute`` and returns the result AnsibleModule
    would print: ``invocation`` with the validated arguments, ``warnings``, ``failed`` and ``msg``
    on failure, every no_log value masked. ``rc`` is the exit code of the module process.
    ``show_progress(text)`` shows how far long operations have come while the module runs, which
    only this path can do: lines chosen by a Progress (module_utils/_progress.py) of
    ``progress_timing`` (its ``quiet`` and ``every``), with every no_log value masked. ``plan``:
    the run's plan for a check-mode task (see _check_plan), and ``files`` what the action found of the
    module's controller files (see _controller_files), both of which the module path gets in its environment.
    """

    def __init__(self, module, params, check_mode, diff, name, core=None, show_progress=None, progress_timing=None,
                 plan=None, files=None):
        self.module = module
        self.show_progress = show_progress
        self.progress_timing = progress_timing or {}
        self.plan = plan
        self.files = files
        self.params = params
        self.check_mode = check_mode
        self.diff = diff
        self.name = name
        self.core = core or CORE
        self.no_log_values = set()
        self.warnings = []
        self.rc = 0

    def warn(self, message):
        if not isinstance(message, string_types):
            raise TypeError('warn requires a string not a %s' % type(message))
        self.warnings.append(message)

    def run(self):
        kwargs = self.module.module_kwargs()
        validator = ArgumentSpecValidator(kwargs['argument_spec'],
                                          **dict((key, kwargs.get(key)) for key in VALIDATOR_KWARGS))
        validation = validator.validate(self.params)
        self.params.update(validation.validated_parameters)
        self.no_log_values.update(validation._no_log_values)
        if self.core.alias_warnings:  # as AnsibleModule warns, also before a validation error
            for given in validation._warnings:
                self.warn(ALIAS_WARNING.format(option=given['option'], alias=given['alias']))
        try:
            error = validation.errors[0]
        except IndexError:
            error = None
        if error is not None:  # validation fails even in check mode
            msg = validation.errors.msg
            if isinstance(error, UnsupportedError):
                msg = 'Unsupported parameters for (%s) module: %s' % (self.name, msg)
            return self.fail(msg)
        try:
            result = self.module.execute(self.params, self.check_mode, self.diff, self.warn, progress=self.progress(),
                                         plan=self.plan, files=self.files)
        except LLMObsError as exc:
            return self.fail(exc.message, exc, **exc.result_extras)
        return self.exit(**result)

    def progress(self):
        """The Progress of this run (None when nothing shows it), once the no_log values are known."""
        if self.show_progress is None:
            return None
        return Progress(lambda text: self.show_progress(remove_values(text, self.no_log_values)), **self.progress_timing)

    def exit(self, **result):
        self.rc = 0
        return self.formatted(result)

    def fail(self, msg, exc=None, **result):
        result.update(failed=True, msg=msg)
        if 'exception' not in result and self.core.error_traceback_wanted():
            formatted = self.core.error_traceback(exc)
            if formatted:
                result['exception'] = formatted
        self.rc = 1
        return self.formatted(result)

    def formatted(self, result):
        """AnsibleModule._return_formatted: file facts, invocation, warnings, then every no_log value masked."""
        result = self.core.add_path_info(dict(result)) if self.core.path_facts else dict(result)
        if 'invocation' not in result:
            result['invocation'] = {'module_args': self.params}
        warnings = list(self.warnings)
        passed = result.pop('warnings', None)
        if passed:
            warnings = list(passed if isinstance(passed, list) else [passed]) + warnings
        if warnings:
            result['warnings'] = warnings
        preserved = dict((key, value) for key, value in result.items() if value is None or isinstance(value, bool))
        result = remove_values(result, self.no_log_values)
        result.update(preserved)
        return result
