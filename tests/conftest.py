# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every pytest suite (unit, emulator, reliability): Ansible's directories stay out of HOME."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.tests.support.ansible_dirs import keep_ansible_dirs_private


def pytest_configure(config):
    # Before any test module imports ansible (its settings are read once), in every xdist worker.
    keep_ansible_dirs_private()
