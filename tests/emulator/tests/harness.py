# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Former home of the emulator harness, kept for the suites that still import it from here.

Everything lives in tests/support/ now (emulator.py, spec.py, demo.py): import from there.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.tests.support.demo import (  # noqa: F401 pylint: disable=unused-import
    DEMO_DATASET,
    DEMO_PROJECT,
    REPO_ROOT,
)
from ansible_collections.llmobs.datadog.tests.support.emulator import (  # noqa: F401 pylint: disable=unused-import
    HEADERS,
    RUN_PY,
    EmulatorProcess,
    InProcessEmulator,
    wait_for,
)
from ansible_collections.llmobs.datadog.tests.support.spec import openapi_spec_path  # noqa: F401 pylint: disable=unused-import
