# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This plugin_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Run a module of the collection inside the controller when its task is local anyway.

Every module of the collection has an action plugin of the same name: a subclass of
``InProcessAction`` that names the module. For each task (and each loop item) the action decides:

* the task runs on the builtin ``local`` connection, without ``become`` or ``async``, and nothing
  below stands in the way: the module's logic (``MODULE.execute``) runs in the worker process
  that runs the task, as ``AnsibleModule`` would run it in a module process, and the result goes
  through the same steps the module's output goes through (``ModuleRun`` and ``CoreInterfaces``);
* otherwise it executes the module as ansible-core always does (the ``normal`` action), so the
  fallback is exactly today's module path.

``module_path_reason`` returns why a task takes the module path (None: it runs in the controller).
The user guide chapter docs/execution.md explains the rules; keep both in step.

Everything this file needs is imported here, at the top: the linear and free strategies load
plugin classes in the main process, so every worker inherits these imports instead of paying for
them per task.

The private ansible-core interfaces it relies on are all in ``CoreInterfaces``: each is checked
once, at import, and when one is missing or changed the task takes the module path, so a new
ansible-core release can cost speed, never correctness.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import inspect
import json
import logging
# requests imports netrc inside the first request of every process (for ~/.netrc credentials):
# imported here, every forked worker has it already.
import netrc  # noqa: F401 pylint: disable=unused-import
import os
import re
import sys
import traceback
import warnings
from contextlib import contextmanager

from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.module_utils.basic import PASSWORD_MATCH, AnsibleModule
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.module_utils.six import string_types
from ansible.plugins.action import ActionBase
from ansible.plugins.action.normal import ActionModule as NormalAction
from ansible.plugins.connection.local import Connection as LocalConnection
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash
from ansible.vars.clean import remove_internal_keys

try:
    from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError
    from ansible_collections.llmobs.datadog.plugins.module_utils._transport import HAS_REQUESTS
except Exception as exc:  # pylint: disable=broad-except
    # The module path runs the modules and reports what is wrong; the controller must not crash on it.
    LLMObsError, HAS_REQUESTS = None, False
    ENGINE_IMPORT_ERROR = 'the collection\'s module_utils cannot be imported in the controller (%s)' % exc
else:
    ENGINE_IMPORT_ERROR = None

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

OPT_OUT_VARIABLE = 'llmobs_in_process'
OPT_OUT_ENV = 'LLMOBS_IN_PROCESS'

# The serialization profile of modules that declare none (all of this collection's).
MODULE_PROFILE = 'legacy'

# The AnsibleModule keyword arguments this file implements; a module that uses another one runs as a module.
KNOWN_MODULE_KWARGS = frozenset((
    'argument_spec', 'mutually_exclusive', 'required_together', 'required_one_of', 'required_if',
    'required_by', 'supports_check_mode',
))
VALIDATOR_KWARGS = ('mutually_exclusive', 'required_together', 'required_one_of', 'required_if', 'required_by')

# Options whose handling in AnsibleModule goes beyond ArgumentSpecValidator (warnings, deprecations).
SPEC_KEYS_MODULE_ONLY = ('aliases', 'deprecated_aliases', 'removed_in_version', 'removed_at_date',
                         'removed_from_collection')

AUTO_INTERPRETERS = ('auto', 'auto_legacy', 'auto_silent', 'auto_legacy_silent')

# An environment variable the in-process path can set as the module path's shell would.
_ENV_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*\Z')


# --------------------------------------------------------------------------- private ansible-core interfaces


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
    * ``AnsibleModule.add_path_info`` on an AnsibleModule that was never initialised (``PathFacts``):
      the file facts AnsibleModule adds to a result with ``path`` or ``dest``. Tried at import; without
      it, a module that documents such a result takes the module path (``path_facts`` is False).

    ``missing`` is None when all are there, else why the in-process path is off.
    """

    def __init__(self):
        self.profiles = False
        self.missing = self._check()
        self.path_facts = self._check_path_facts()
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


# --------------------------------------------------------------------------- what AnsibleModule does, in process


def module_declaration_reason(module_file):
    """Why a module's declaration keeps it on the module path (None: it can run in process).

    ``module_file`` is the module's Python module (with ``MODULE``, ``RETURN``). AnsibleModule
    does more than the in-process path for: options with aliases or deprecations (it warns),
    option names that look like passwords without ``no_log`` (it warns), a serialization profile of
    its own, and keyword arguments this file does not implement; and for results with ``path`` or
    ``dest`` (file facts) when ``CoreInterfaces.path_facts`` is off.
    """
    if isinstance(module_file, Exception):
        return 'the module cannot be imported in the controller (%s)' % module_file
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
        for key in SPEC_KEYS_MODULE_ONLY:
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
    """

    def __init__(self, module, params, check_mode, diff, name, core=None):
        self.module = module
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
            result = self.module.execute(self.params, self.check_mode, self.diff, self.warn)
        except LLMObsError as exc:
            return self.fail(exc.message, exc, **exc.result_extras)
        return self.exit(**result)

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


@contextmanager
def working_directory(path):
    """Run in ``path``, as the local connection runs a module in the playbook's directory
    (``ActionBase._low_level_execute_command``): relative paths (``src``, ``dest``, ``ca_path``) and
    ``$PWD`` mean the same on both paths. The directory before is restored afterwards."""
    before = os.getcwd()
    pwd = os.environ.get('PWD')
    os.chdir(path)
    os.environ['PWD'] = os.getcwd()
    try:
        yield
    finally:
        os.chdir(before)
        if pwd is None:
            os.environ.pop('PWD', None)
        else:
            os.environ['PWD'] = pwd


@contextmanager
def applied_environment(environment):
    """Set the task's environment in os.environ while the module's code runs; restore it afterwards."""
    saved = dict((name, os.environ.get(name)) for name in environment)
    try:
        for name, value in environment.items():
            os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def quiet_stderr():
    """What a module process writes to stderr is not shown when it answers: Python warnings (urllib3's
    InsecureRequestWarning with validate_certs: false) and log records of libraries without a handler
    (which Python's last-resort handler would print). Keep both out of the terminal here too."""
    root = logging.getLogger()
    handler = logging.NullHandler()
    root.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter('default')
            yield
    finally:
        root.removeHandler(handler)


def same_python(interpreter, executable):
    """Whether ``interpreter`` names the Python that runs this process: the same path, or another name
    of it in the same directory (``python3`` for ``python`` in a virtualenv's bin)."""
    if interpreter == executable:
        return True
    return (os.path.isabs(interpreter) and os.path.dirname(interpreter) == os.path.dirname(executable)
            and os.path.realpath(interpreter) == os.path.realpath(executable))


def environment_strings(environment):
    """The task's environment as the module's process gets it (values through str()); None if it cannot be set here."""
    strings = {}
    for name, value in environment.items():
        if not isinstance(name, string_types) or not _ENV_NAME.match(name):
            return None
        text = u'%s' % (value,)
        if u'\x00' in text:
            return None
        strings[u'%s' % (name,)] = text
    return strings


def _switch(value, source):
    """A boolean opt-out setting; a value that is not a boolean is an error, not a silent default."""
    try:
        return boolean(value, strict=True)
    except TypeError:
        raise AnsibleActionFail('%s must be true or false, got %r; see docs/execution.md of llmobs.datadog.'
                                % (source, to_text(value)))


class InProcessAction(NormalAction):
    """The action of a module of the collection: in the controller when the task is local, else the module.

    A subclass sets ``LLMOBS_MODULE`` to the module's Python module (which exposes ``MODULE``).
    """

    LLMOBS_MODULE = None
    _llmobs_declaration_reason = 'no module is named'

    def __init_subclass__(cls, **kwargs):
        super(InProcessAction, cls).__init_subclass__(**kwargs)
        if cls.LLMOBS_MODULE is not None:
            cls._llmobs_declaration_reason = module_declaration_reason(cls.LLMOBS_MODULE)

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
        if self._llmobs_declaration_reason:
            return self._llmobs_declaration_reason
        if self._task.check_mode and not self.LLMOBS_MODULE.MODULE.module_kwargs().get('supports_check_mode'):
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
        reason = self.module_path_reason(task_vars)
        prepared = None
        if reason is None:
            prepared, reason = self._prepare()
        if reason is not None:
            display.vvv('%s runs as a module: %s' % (self._task.action, reason), host=self._play_context.remote_addr)
            return super(InProcessAction, self).run(tmp, task_vars)
        display.vvv('%s runs in the controller (llmobs.datadog in-process path)' % self._task.action,
                    host=self._play_context.remote_addr)
        result = ActionBase.run(self, tmp, task_vars)  # the base's checks of async and check mode
        del tmp
        params, environment, basedir = prepared
        return merge_hash(result, self._run_in_process(params, environment, basedir))

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

    def _run_in_process(self, params, environment, basedir):
        """Run the module's logic in this process and read its output as the module path reads it."""
        run = ModuleRun(self.LLMOBS_MODULE.MODULE, params, bool(self._task.check_mode), bool(self._task.diff),
                        self._task.action)
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
