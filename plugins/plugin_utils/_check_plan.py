# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This plugin_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The plan of a dry run, carried from task to task by the action (the engine's side: module_utils/_planned.py).

A check-mode task that would create a project or dataset returns the run's plan as the fact
``llmobs_planned``. Here the action stamps that fact with this run's token, and gives each later
check-mode task the plan: only a fact stamped by this run counts, so a fact cache kept from an
earlier run (``fact_caching``) can never make a typo look planned. The token is made once, when the
main process loads the action; every worker it forks inherits it.

Ansible applies a loop's facts only after the last item, so the plan an item returns is also kept in
the process, under the task and host, for the next items of the loop (``key``: ``(host, task uuid)``).
"""

import json
import uuid

from ansible_collections.llmobs.datadog.plugins.plugin_utils._controller_imports import PLAN_ENV, PLAN_FACT

RUN_TOKEN = str(uuid.uuid4())

# The plan the last item of a task returned, by (host, task uuid): what later items of the loop build on.
_LATEST = {}


def _plain(value):
    """Plain JSON data (facts may come back as ansible-core's own str and dict types)."""
    return json.loads(json.dumps(value))


def plan_of_run(task_vars, key):
    """The entries of the plan this run's earlier check-mode tasks (and items) made for the host; [] when none."""
    if key in _LATEST:
        return _LATEST[key]
    facts = task_vars.get('ansible_facts') or {}
    fact = facts.get(PLAN_FACT) if isinstance(facts, dict) else None
    if not isinstance(fact, dict) or fact.get('run') != RUN_TOKEN or not isinstance(fact.get('entries'), list):
        return []
    return _plain(fact['entries'])


def stamp(result, key):
    """Stamp the plan a task returned with this run's token, and keep it for the next items of a loop."""
    facts = result.get('ansible_facts')
    fact = facts.get(PLAN_FACT) if isinstance(facts, dict) else None
    if isinstance(fact, dict) and isinstance(fact.get('entries'), list):
        fact['run'] = RUN_TOKEN
        if key[1] is not None:  # a task without an id (not one of a play) has no next item to hand it to
            _LATEST[key] = _plain(fact['entries'])
    return result


def plan_environment(entries, check_mode):
    """The environment variable that hands the plan to a module process: in check mode always, so that a value the
    controller's own environment holds never reaches the module as a plan; {} outside check mode, where no plan counts."""
    return {PLAN_ENV: json.dumps(entries, separators=(',', ':'))} if check_mode else {}
