# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The guard of llmobs_experiment_prune, as pure functions: of the experiments that the rules (``_prune``) would
delete, a run in progress (or one whose status the list does not give) is kept, and so is every experiment that a kept one names as its parent (its baseline),
and that one's parent, up the chain.

The module lists every experiment of the project once and passes them here: those outside the prune (another
name, dataset or logical experiment) are never deleted, so they protect their parents too.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.plugins.module_utils._experiments import RUNNING
from ansible_collections.llmobs.datadog.plugins.module_utils._prune import experiment_label

# Experiments deleted per request: one failure leaves the rest of the job known, and a lost answer is looked up
# in one list of the project.
DELETE_BATCH = 100

RUNNING_REASON = 'running: a prune never deletes a run in progress'
UNKNOWN_STATUS_REASON = 'status unknown (the list gave none): it may be a run in progress'


def lacks_scope_fields(experiment, dataset_id=None, logical_name=None):
    """Whether the list left out a field the task filters on (the spec does not require them), so that only a list
    the server filtered can say whether the experiment is in scope."""
    return ((dataset_id is not None and experiment.get('dataset_id') is None)
            or (logical_name is not None and experiment.get('experiment') is None))


def in_scope(experiment, project_id, dataset_id=None, logical_name=None, vouched=()):
    """Whether the prune may delete ``experiment`` (facts): of the project, and of the dataset and logical experiment
    when the task names them. One that names another project (a server that ignored the filter) is left out. One
    whose answer left out a field the task filters on is in scope when ``vouched`` (the ids of the list the server
    filtered that way) holds it."""
    if experiment.get('project_id') not in (None, project_id):
        return False
    if lacks_scope_fields(experiment, dataset_id, logical_name):
        return experiment.get('id') in vouched
    return ((dataset_id is None or experiment.get('dataset_id') == dataset_id)
            and (logical_name is None or experiment.get('experiment') == logical_name))


def status_reason(experiment):
    """Why the status keeps an experiment (None: it does not): running, or not given."""
    status = experiment.get('status')
    if status == RUNNING:
        return RUNNING_REASON
    return UNKNOWN_STATUS_REASON if status is None else None


def parent_reasons(listed, deleting_ids, matched_ids):
    """``{id: reason}`` for every experiment of ``deleting_ids`` that a kept experiment names up its chain.

    ``listed`` is every experiment of the project (facts); all but ``deleting_ids`` stay, and each of them keeps its
    parent, that one's parent, and so on. A parent that is not listed (another project, deleted already) ends the
    chain. The reason names the child that keeps it: "parent of kept experiment 'x' (id e2)", with ", which the
    prune does not match" when that child is outside ``matched_ids`` (those the prune's filters and pattern let
    in). Each step marks a new experiment or ends the walk, so a cycle of parents cannot loop.
    """
    by_id = dict((item['id'], item) for item in listed if item.get('id') is not None)
    reasons = {}
    for root in listed:
        if root.get('id') in deleting_ids:
            continue
        child = root
        for dummy in range(len(by_id)):  # bounded: each step marks an experiment not marked before
            parent_id = child.get('parent_experiment_id')
            if parent_id not in by_id or parent_id not in deleting_ids or parent_id in reasons:
                break  # not listed, kept anyway (walked as a root of its own), or walked already
            reasons[parent_id] = 'parent of kept %s%s' % (
                experiment_label(child), '' if child.get('id') in matched_ids else ', which the prune does not match')
            child = by_id[parent_id]
    return reasons


def guarded(decisions, listed):
    """The Decisions once the guard has kept the runs in progress, then the parents of every kept experiment.

    ``listed``: every experiment of the project (facts), those the prune covers (the matches of ``decisions``) and
    the others.
    """
    matched = set(item['id'] for item in decisions.deleting + decisions.kept)
    decisions = decisions.keeping(status_reason)
    reasons = parent_reasons(listed, set(item['id'] for item in decisions.deleting), matched)
    return decisions.keeping(lambda item: reasons.get(item['id']))
