# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The ids and names of the emulator's demo seed (tests/emulator/demo-seed.json), in one place."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.realpath(__file__)), '..', '..'))
# The directory holding the ansible_collections/ this copy was imported from (a virtualenv's link
# to the checkout, or an install): what ANSIBLE_COLLECTIONS_PATH or PYTHONPATH must name for
# child processes to find this same copy as llmobs.datadog.
COLLECTIONS_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), *['..'] * 5))
DEMO_SEED = os.path.join(REPO_ROOT, 'tests', 'emulator', 'demo-seed.json')

DEMO_PROJECT = 'a33671aa-24fd-4dcd-9b33-a8ec7dde7751'
DEMO_PROJECT_NAME = 'demo-project'
DEMO_DATASET = '9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d'
DEMO_DATASET_NAME = 'capitals'
DEMO_DATASET_RECORDS = 5
SECOND_DATASET = '0b6a1c52-4a8e-4f39-9d0c-7e2f5b1a9c33'
SECOND_DATASET_NAME = 'support-tickets'
SECOND_DATASET_RECORDS = 3
# The demo seed's experiments, both on capitals (5 spans each: correctness, exact_match, tone).
DEMO_BASELINE_EXPERIMENT = '3fd6b5e0-8910-4b1c-a7d0-5b84de329012'
DEMO_BASELINE_EXPERIMENT_NAME = 'capitals-baseline'
DEMO_CANDIDATE_EXPERIMENT = '7c1e2d4a-5b6f-4a8e-9c0d-1e2f3a4b5c6d'
DEMO_CANDIDATE_EXPERIMENT_NAME = 'capitals-candidate'
# The demo seed's custom evaluator (an LLM judge of the application support-bot) and registry prompt
# (two chat versions: 1 labelled production, 2 labelled development with a config).
DEMO_EVALUATOR = 'helpfulness-judge'
DEMO_PROMPT = 'support-answer'
