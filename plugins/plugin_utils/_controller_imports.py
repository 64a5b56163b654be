# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This plugin_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The collection's own code as the controller imports it: its module_utils, and each module when its action loads.

The action plugins import this file, and the linear and free strategies load plugin classes in the
main process: every forked worker inherits these imports instead of paying for them per task. What
cannot be imported here must not crash the controller: the tasks it concerns take the module path,
which reports it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib
# requests imports netrc inside the first request of every process (for ~/.netrc credentials):
# imported here, every forked worker has it already.
import netrc  # noqa: F401 pylint: disable=unused-import

try:
    from ansible_collections.llmobs.datadog.plugins.module_utils._controller_files import FILES_ENV, file_type
    from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError
    from ansible_collections.llmobs.datadog.plugins.module_utils._planned import PLAN_ENV, PLAN_FACT
    from ansible_collections.llmobs.datadog.plugins.module_utils._progress import Progress
    from ansible_collections.llmobs.datadog.plugins.module_utils._transport import HAS_REQUESTS
except Exception as exc:  # pylint: disable=broad-except
    LLMObsError, Progress, HAS_REQUESTS = None, None, False
    PLAN_ENV, PLAN_FACT, FILES_ENV = 'LLMOBS_CHECK_PLAN', 'llmobs_planned', 'LLMOBS_CONTROLLER_FILES'

    def file_type(mode):  # pylint: disable=unused-argument
        return None  # the module path's reader names what the file is
    ENGINE_IMPORT_ERROR = 'the collection\'s module_utils cannot be imported in the controller (%s)' % exc
else:
    ENGINE_IMPORT_ERROR = None

# What the in-process path takes from here.
__all__ = ['HAS_REQUESTS', 'LLMObsError', 'PLAN_ENV', 'PLAN_FACT', 'FILES_ENV', 'Progress', 'ENGINE_IMPORT_ERROR',
           'COLLECTION', 'MODULES_PACKAGE', 'file_type', 'import_module_file']

COLLECTION = 'llmobs.datadog'
MODULES_PACKAGE = 'ansible_collections.llmobs.datadog.plugins.modules'


def import_module_file(name):
    """(the Python module of the collection's module ``name``, None), or (None, the exception its import raised).

    Called when an action plugin of plugins/action/ loads (in the main process under the linear and
    free strategies), never per task.
    """
    try:
        return importlib.import_module('%s.%s' % (MODULES_PACKAGE, name)), None
    except Exception as exc:  # pylint: disable=broad-except
        return None, exc
