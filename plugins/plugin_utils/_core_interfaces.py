# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This plugin_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The private ansible-core interfaces the in-process path relies on, each probed once, at import.

When one is missing or changed, ``CORE.missing`` says why and every task takes the module path, so
a new ansible-core release can cost speed, never correctness (see docs/execution.md).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import inspect
import json
import os
import traceback

from ansible import constants as C
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

try:  # ansible-core 2.19 and later: modules talk to the controller through serialization profiles
    from ansible.module_utils.common.json import Direction, get_module_decoder, get_module_encoder
except ImportError:
    Direction = get_module_decoder = get_module_encoder = None

try:  # ansible-core 2.19 and later: how the module wrapper reports an exception that escaped the module
    from ansible.module_utils._internal import _errors as core_errors
    from ansible.module_utils._internal import _messages as core_messages
except ImportError:
    core_errors = core_messages = None

try:  # ansible-core 2.17 and 2.18: one JSON encoder for module arguments, jsonify for results
    from ansible.module_utils.common.json import AnsibleJSONEncoder
    from ansible.module_utils.common.text.converters import jsonify
except ImportError:
    AnsibleJSONEncoder = jsonify = None

display = Display()

# The serialization profile of modules that declare none (all of this collection's).
MODULE_PROFILE = 'legacy'


def _parameters(function):
    try:
        return list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return None


class CoreInterfaces(object):
    """The one place that touches ansible-core interfaces that are not public, each checked at import.

    * ``ValidationResult._no_log_values``: the values AnsibleModule masks (AnsibleModule reads the same
      attribute). Checked on a validation at import.
    * ``ActionBase._parse_returned_data(res[, profile])``: how the controller reads a module's output
      (JSON decoding, and on 2.19 the error normalisation that makes a failure a module failure).
      Its signature tells which generation of ansible-core this is.
    * ``ActionBase._compute_environment_string(raw_environment_out)``: the task's ``environment:``
      exactly as the module path computes it.
    * On 2.19, ``_errors.EventFactory.from_exception`` and ``_messages.ErrorSummary``: what the module
      wrapper (``_ansiballz._loader._handle_exception``) prints when an exception escapes the module.
    * ``ValidationResult._warnings``: the options given together with one of their aliases, of which
      AnsibleModule warns (``ModuleArgumentSpecValidator.validate``). Tried at import; without it, a module with
      option aliases takes the module path (``alias_warnings`` is False).
    * ``AnsibleModule.add_path_info`` on an AnsibleModule that was never initialised (``PathFacts``):
      the file facts AnsibleModule adds to a result with ``path`` or ``dest``. Tried at import; without
      it, a module that documents such a result takes the module path (``path_facts`` is False).

    ``missing`` is None when all are there, else why the in-process path is off.
    """

    def __init__(self):
        self.profiles = False
        self.missing = self._check()
        self.path_facts = self._check_path_facts()
        self.alias_warnings = self._check_alias_warnings()
        self.codecs = {}
        if self.profiles and not self.missing:
            try:
                self.codecs = self._codecs()
            except Exception:  # pylint: disable=broad-except
                self.missing = 'ansible-core cannot give the JSON encoder of the module profile'

    @staticmethod
    def _codecs():
        """The JSON encoder and decoder classes of the module profile, both ways, made once here.

        ansible-core imports a profile's module on first use: done at import, in the main process,
        every forked worker inherits it instead of importing it again for each task.
        """
        codecs = {}
        for direction in (Direction.CONTROLLER_TO_MODULE, Direction.MODULE_TO_CONTROLLER):
            codecs[direction] = (get_module_encoder(MODULE_PROFILE, direction),
                                 get_module_decoder(MODULE_PROFILE, direction))
        return codecs

    def _check(self):
        probe = ArgumentSpecValidator(dict(secret=dict(type='str', no_log=True))).validate(dict(secret='probe'))
        if not isinstance(getattr(probe, '_no_log_values', None), set) or 'probe' not in probe._no_log_values:
            return 'ansible-core no longer exposes the no_log values of a validation'
        parse = _parameters(ActionBase._parse_returned_data)
        if parse == ['self', 'res', 'profile']:
            if get_module_encoder is None:
                return 'ansible-core reads module output by profile but has no profile encoder'
            if core_errors is None or not hasattr(getattr(core_errors, 'EventFactory', None), 'from_exception') \
                    or not hasattr(core_messages, 'ErrorSummary'):
                return 'ansible-core reports a crashed module in a way this collection does not know'
            self.profiles = True
        elif parse == ['self', 'res']:
            if AnsibleJSONEncoder is None or jsonify is None:
                return 'ansible-core lacks the JSON encoder of module arguments'
        else:
            return 'ansible-core reads module output in a way this collection does not know'
        environment = _parameters(ActionBase._compute_environment_string)
        if not environment or 'raw_environment_out' not in environment:
            return "ansible-core computes the task's environment in a way this collection does not know"
        return None

    @staticmethod
    def _check_alias_warnings():
        """Whether a validation lists an option given with its alias as AnsibleModule reads it to warn."""
        try:
            probe = ArgumentSpecValidator(dict(name=dict(type='str', aliases=['alias']))).validate(
                dict(name='x', alias='x'))
        except Exception:  # pylint: disable=broad-except
            return False
        return getattr(probe, '_warnings', None) == [{'option': 'name', 'alias': 'alias'}]

    @staticmethod
    def _check_path_facts():
        try:
            facts = PathFacts().add_path_info(dict(path=os.path.dirname(os.path.abspath(__file__))))
        except Exception:  # pylint: disable=broad-except
            return False
        return facts.get('state') == 'directory' and 'mode' in facts and 'owner' in facts

    def add_path_info(self, result):
        """AnsibleModule.add_path_info: file facts for a result whose ``path`` (or ``dest``) exists."""
        return PathFacts().add_path_info(result)

    def module_params(self, args):
        """The module arguments as the module receives them: through the controller's JSON encoder and back."""
        if self.profiles:
            encoder, decoder = self.codecs[Direction.CONTROLLER_TO_MODULE]
            return json.loads(json.dumps(args, cls=encoder), cls=decoder)
        return json.loads(json.dumps(args, cls=AnsibleJSONEncoder, vault_to_text=True))

    def module_output(self, result):
        """The text AnsibleModule prints for ``result`` (already formatted and masked)."""
        if self.profiles:
            return '\n%s' % json.dumps(result, cls=self.codecs[Direction.MODULE_TO_CONTROLLER][0])
        return '\n%s' % jsonify(result)

    def crash_output(self, exc):
        """(stdout, stderr) of a module process whose code raised ``exc``.

        On 2.19 the module wrapper catches it and prints a failure with the error's summary (the
        traceback only when DISPLAY_TRACEBACK asks for it); before, the process dies with the
        traceback on stderr and prints nothing.
        """
        formatted = u''.join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        if not self.profiles:
            return u'', formatted
        event = core_errors.EventFactory.from_exception(exc, self.error_traceback_wanted())
        result = dict(failed=True, exception=core_messages.ErrorSummary(event=event))
        return u'%s\n' % json.dumps(result, cls=self.codecs[Direction.MODULE_TO_CONTROLLER][0]), u''

    def parse_output(self, action, stdout, stderr, rc):
        """Read a module's output as the module path does (ActionBase._parse_returned_data)."""
        res = dict(rc=rc, stdout=stdout, stdout_lines=stdout.splitlines(), stderr=stderr,
                   stderr_lines=stderr.splitlines())
        if self.profiles:
            return action._parse_returned_data(res, MODULE_PROFILE)
        return action._parse_returned_data(res)

    def task_environment(self, action):
        """The task's ``environment:`` as a dict, computed as the module path computes it."""
        environment = {}
        action._compute_environment_string(environment)
        return environment

    def error_traceback_wanted(self):
        """Whether AnsibleModule.fail_json would add a traceback (``exception``) to a failure."""
        if self.profiles:
            flags = set(C.config.get_config_value('DISPLAY_TRACEBACK') or ())
            if 'always' in flags:
                return True
            return 'never' not in flags and 'error' in flags
        return bool(C.DEFAULT_DEBUG) or display.verbosity >= 3

    def error_traceback(self, exc=None):
        """The ``exception`` text fail_json adds: of the exception being handled, or of the stack."""
        if exc is not None:
            if self.profiles:
                return ''.join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            return ''.join(traceback.format_tb(exc.__traceback__))
        if self.profiles:
            return 'Traceback (most recent call last):\n%s' % ''.join(traceback.format_stack())
        return None  # before 2.19, fail_json adds a traceback only while an exception is handled


class PathFacts(AnsibleModule):
    """AnsibleModule's own add_path_info without a module: only the attributes it reads are set."""

    def __init__(self):  # pylint: disable=super-init-not-called
        self._selinux_enabled = None
        self._selinux_mls_enabled = None
        self._selinux_initial_context = None

    def fail_json(self, msg, **kwargs):
        raise RuntimeError(msg)  # reported like a module that crashed


CORE = CoreInterfaces()
