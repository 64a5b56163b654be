# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The names the reliability tests import; the machinery lives in tests/support/playbook.py and the
demo ids in tests/support/demo.py. New code imports from tests/support directly."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.tests.support.demo import DEMO_DATASET as SOURCE
from ansible_collections.llmobs.datadog.tests.support.demo import DEMO_PROJECT as PROJECT
from ansible_collections.llmobs.datadog.tests.support.playbook import (  # noqa: F401 pylint: disable=unused-import
    ANSIBLE_PLAYBOOK,
    API_KEY,
    APP_KEY,
    PlaybookRun,
    run_playbook,
    run_tasks,
)

__all__ = ['ANSIBLE_PLAYBOOK', 'API_KEY', 'APP_KEY', 'PROJECT', 'SOURCE', 'PlaybookRun', 'run_playbook', 'run_tasks']
