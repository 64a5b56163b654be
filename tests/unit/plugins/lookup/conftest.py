# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Controller mode for these tests only (a lookup plugin is controller code) (see tests/unit/plugins/plugin_utils/in_process_support.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.tests.unit.plugins.plugin_utils.in_process_support import (  # noqa: F401 pylint: disable=unused-import
    controller_side,
)
