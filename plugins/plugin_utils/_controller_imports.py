# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This plugin_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The collection's own code as the controller imports it: its module_utils and every module, once.

The action plugin imports this file, and the linear and free strategies load plugin classes in the
main process: every forked worker inherits these imports instead of paying for them per task. What
cannot be imported here must not crash the controller: it is recorded, and the tasks it concerns
take the module path, which reports it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib
# requests imports netrc inside the first request of every process (for ~/.netrc credentials):
# imported here, every forked worker has it already.
import netrc  # noqa: F401 pylint: disable=unused-import
import os

try:
    from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError
    from ansible_collections.llmobs.datadog.plugins.module_utils._transport import HAS_REQUESTS
except Exception as exc:  # pylint: disable=broad-except
    LLMObsError, HAS_REQUESTS = None, False
    ENGINE_IMPORT_ERROR = 'the collection\'s module_utils cannot be imported in the controller (%s)' % exc
else:
    ENGINE_IMPORT_ERROR = None

COLLECTION = 'llmobs.datadog'
MODULES_PACKAGE = 'ansible_collections.llmobs.datadog.plugins.modules'
MODULES_FOLDER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'modules')


def module_names(folder):
    """The short names of the modules in ``folder`` (plugins/modules); none if it cannot be read."""
    try:
        entries = os.listdir(folder)
    except OSError:
        return []
    return sorted(entry[:-3] for entry in entries if entry.endswith('.py') and not entry.startswith('_'))


# By short name: each module's Python file, or the exception its import raised (then its tasks take the module path).
MODULE_FILES = {}
MODULE_IMPORT_ERRORS = {}
for _name in module_names(MODULES_FOLDER):
    try:
        MODULE_FILES[_name] = importlib.import_module('%s.%s' % (MODULES_PACKAGE, _name))
    except Exception as exc:  # pylint: disable=broad-except
        MODULE_IMPORT_ERRORS[_name] = exc
