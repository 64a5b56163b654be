# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # A project by id or by name, the same in every module (plugins/module_utils/_lookup.py).
    PROJECT = r'''
options:
  project_id:
    description:
      - ID of the LLM Observability project. Used as it is, with no lookup.
      - Letters, digits, V(-) and V(_) only.
      - Exactly one of O(project_id) and O(project_name) is required.
    type: str
  project_name:
    description:
      - Name of the LLM Observability project, looked up over every page of the project list and compared
        exactly (case and spaces count).
      - The module fails, before any write, when no project or several projects have this name.
      - Exactly one of O(project_id) and O(project_name) is required.
    type: str
'''

    # A dataset by id or by name, within the project.
    DATASET = r'''
options:
  dataset_id:
    description:
      - ID of the dataset, in the project. Used as it is, with no lookup.
      - Letters, digits, V(-) and V(_) only.
      - Exactly one of O(dataset_id) and O(dataset_name) is required.
    type: str
  dataset_name:
    description:
      - Name of the dataset in the project, looked up over every page of the project's datasets and compared
        exactly (case and spaces count).
      - The module fails, before any write, when no dataset or several datasets of the project have this name.
      - Exactly one of O(dataset_id) and O(dataset_name) is required.
    type: str
'''

    # A dataset of the project that narrows what a module reads (optional_addresses): the experiments of one dataset.
    DATASET_FILTER = r'''
options:
  dataset_id:
    description:
      - ID of a dataset of the project. Only what concerns this dataset is read. Used as it is, with no lookup.
      - Letters, digits, V(-) and V(_) only.
      - At most one of O(dataset_id) and O(dataset_name).
    type: str
  dataset_name:
    description:
      - Name of a dataset of the project, looked up over every page of the project's datasets and compared exactly
        (case and spaces count). Only what concerns this dataset is read.
      - The module fails, before anything else is read, when no dataset or several datasets of the project have
        this name.
      - At most one of O(dataset_id) and O(dataset_name).
    type: str
'''
