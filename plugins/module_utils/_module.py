# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The module base: the edges every module of the collection shares.

A module declares its options, its own option checks and a ``run(task)``; LLMObsModule merges
the connection options, checks that ``requests`` is there, runs every option check before any
request, builds the API with the module's ``warn`` (and, where the caller can show it while the
task runs, its ``progress``), calls ``run`` and turns the collection's
exceptions into ``fail_json``. ``run`` sees only a ModuleTask, never AnsibleModule, so the same
logic can execute wherever the task's parameters are known (see ``LLMObsModule.execute``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.parameters import remove_values

from ansible_collections.llmobs.datadog.plugins.module_utils._connection import (
    connection_argument_spec,
    connection_settings,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._controller_files import (
    CONTROLLER_FILE_OPTIONS,
    files_from_environment,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._datasets import Datasets
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError
from ansible_collections.llmobs.datadog.plugins.module_utils._evaluators import Evaluators
from ansible_collections.llmobs.datadog.plugins.module_utils._experiments import Experiments
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import Names
from ansible_collections.llmobs.datadog.plugins.module_utils._planned import PLAN_FACT, Plan, plan_from_environment
from ansible_collections.llmobs.datadog.plugins.module_utils._projects import Projects
from ansible_collections.llmobs.datadog.plugins.module_utils._prompts import Prompts
from ansible_collections.llmobs.datadog.plugins.module_utils._transport import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    Transport,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._validation import (
    check_dataset_address,
    check_project_address,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._versions import Versions

# Options by which a module addresses a project, and a dataset within it: exactly one of each pair.
PROJECT_ADDRESS_OPTIONS = dict(project_id=dict(type='str'), project_name=dict(type='str'))
DATASET_ADDRESS_OPTIONS = dict(dataset_id=dict(type='str'), dataset_name=dict(type='str'))


def _records_resource():
    from ansible_collections.llmobs.datadog.plugins.module_utils._records import Records  # pylint: disable=import-outside-toplevel
    return Records


# Resources only some modules use, imported when such a module is declared: their file formats (csv,
# yaml, hashlib) would add to the start of every other module's process. A module that uses one says
# so (``LLMObsModule(resources=...)``), so that the controller imports it once, with the module, and
# not in every task's worker.
OPTIONAL_RESOURCES = {'records': _records_resource}


class API(object):
    """Every resource of the API over one Transport: what a module's ``run`` talks to."""

    def __init__(self, transport):
        self.transport = transport
        # One book of the names found by lookups, so that every resource's messages name things alike.
        self.names = Names()
        self.projects = Projects(transport, self.names)
        self.datasets = Datasets(transport, self.names)
        self.experiments = Experiments(transport, self.names)
        self.evaluators = Evaluators(transport, self.names)
        self.versions = Versions(transport, self.names)
        self.prompts = Prompts(transport, self.names)
        self._records = None

    @property
    def records(self):
        """The records resource (see OPTIONAL_RESOURCES)."""
        if self._records is None:
            self._records = OPTIONAL_RESOURCES['records']()(self.transport, self.names)
        return self._records


class ModuleTask(object):
    """What ``run`` gets: the checked options, check and diff mode, a warn callback, a progress and the API.

    ``checked`` is what the module's ``check_options`` returned (None if nothing): a value it made while
    checking the options, such as the declared records read from a file, which ``run`` then need not make again.
    ``progress`` (a Progress) takes how far a long operation has come; the API's requests report to it already.
    ``plan``: what earlier check-mode tasks of the run would create (``_planned.Plan``; inactive outside check mode).
    """

    def __init__(self, params, check_mode, diff, warn, api, checked=None, progress=None, plan=None):
        self.params = params
        self.plan = plan if plan is not None else Plan(active=False)
        self.checked = checked
        self.check_mode = check_mode
        self.diff = diff
        self.warn = warn
        self.api = api
        self.progress = progress or api.transport.progress


class LLMObsModule(object):
    """One module of the collection: its options, its checks and its ``run``.

    ``options`` is the module's own argument spec (the connection options are added);
    ``check_options(params)`` raises ValidationError before any request (what it returns is
    ``task.checked``; a module with ``controller_files`` gets ``check_options(params, files)``, see
    ``execute``); ``run(task)`` returns
    the result dict or raises LLMObsError. ``addresses`` says which of 'project' and 'dataset'
    the module addresses by id or name: their options, exclusivity and checks come from here.
    ``optional_addresses`` the same, for what a module may be given but does not need (a filter:
    the experiments of one dataset). ``resources`` names the OPTIONAL_RESOURCES the module's ``run`` uses. ``controller_files`` names the
    options that give a file of the repository, found on the controller by the collection's action
    (``_controller_files``); the module then also has the option ``remote_src``.
    """

    def __init__(self, options, run, check_options=None, addresses=(), mutually_exclusive=(),
                 required_one_of=(), required_if=(), supports_check_mode=True, resources=(), controller_files=(),
                 optional_addresses=()):
        for name in resources:
            OPTIONAL_RESOURCES[name]()  # imported now, with the module (see OPTIONAL_RESOURCES)
        self.options = options
        self.run = run
        self.check_options = check_options
        self.addresses = tuple(addresses)
        self.optional_addresses = tuple(optional_addresses)
        self.mutually_exclusive = list(mutually_exclusive)
        self.required_one_of = list(required_one_of)
        self.required_if = list(required_if)
        self.supports_check_mode = supports_check_mode
        self.controller_files = tuple(controller_files)

    def argument_spec(self):
        spec = connection_argument_spec()
        if 'project' in self.addresses:
            spec.update(PROJECT_ADDRESS_OPTIONS)
        if 'dataset' in self.addresses + self.optional_addresses:
            spec.update(DATASET_ADDRESS_OPTIONS)
        if self.controller_files:
            spec.update(CONTROLLER_FILE_OPTIONS)
        spec.update(self.options)
        return spec

    def module_kwargs(self):
        """The keyword arguments of AnsibleModule for this module (also what a validator needs)."""
        pairs, optional = [], []
        if 'project' in self.addresses:
            pairs.append(['project_id', 'project_name'])
        if 'dataset' in self.addresses:
            pairs.append(['dataset_id', 'dataset_name'])
        if 'dataset' in self.optional_addresses:
            optional.append(['dataset_id', 'dataset_name'])
        return dict(
            argument_spec=self.argument_spec(),
            mutually_exclusive=pairs + optional + self.mutually_exclusive,
            required_one_of=pairs + self.required_one_of,
            required_if=self.required_if,
            supports_check_mode=self.supports_check_mode,
        )

    def check(self, params, files=None):
        """Every check of the options, in the order a user reads them; raises ValidationError.

        Returns the connection settings and what ``check_options`` returned.
        """
        if 'project' in self.addresses:
            check_project_address(params)
        if 'dataset' in self.addresses + self.optional_addresses:
            check_dataset_address(params)
        arguments = (params, files or {}) if self.controller_files else (params,)
        checked = self.check_options(*arguments) if self.check_options is not None else None
        return connection_settings(params), checked

    def execute(self, params, check_mode, diff, warn, session=None, progress=None, plan=None, files=None):
        """Check the options, then run the module's logic; returns the result, raises LLMObsError.

        Needs nothing of AnsibleModule: ``params`` are options already validated against
        ``module_kwargs()``. Callers check HAS_REQUESTS first. ``progress`` is a Progress that can
        show lines while the task runs (None: nothing is shown before the end, as on the module path).
        ``plan``: the entries of the run's plan (``_planned``), used in check mode only; a task that
        changes it returns it as a fact. ``files``: what the collection's action found of the module's
        ``controller_files`` (``_controller_files``), for ``check_options``; None: the paths are read as given.
        """
        settings, checked = self.check(params, files)
        given = [name for name, value in params.items() if value is not None]
        api = API(Transport(settings, warn=warn, session=session, progress=progress, given=given))
        planned = Plan(plan, settings.base_url, active=bool(check_mode))
        result = self.run(ModuleTask(params, check_mode, diff, warn, api, checked, progress, planned))
        if planned.changed:
            result.setdefault('ansible_facts', {})[PLAN_FACT] = planned.fact()
        return result

    def main(self):
        module = AnsibleModule(**self.module_kwargs())
        if not HAS_REQUESTS:
            module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)

        def warn(message):
            # A key inside a warning (a name the user typed, an error body quoted in a retry) is masked
            # like in every other value; AnsibleModule 2.19 passes warnings through unmasked.
            module.warn(remove_values(message, module.no_log_values))

        try:
            result = self.execute(module.params, module.check_mode, module._diff, warn, plan=plan_from_environment(),
                                  files=files_from_environment())
        except LLMObsError as exc:
            module.fail_json(**dict(exc.result_extras, msg=exc.message))
        module.exit_json(**result)
