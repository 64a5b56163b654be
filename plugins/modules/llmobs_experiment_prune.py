#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: llmobs_experiment_prune
short_description: Delete old Datadog LLM Observability experiments by rule
version_added: 1.2.0
author:
  - llmobs.datadog maintainers (@llmobs)
description:
  - >-
    Deletes the experiments of one project whose names match a pattern, except those the rules keep: the newest
    few (O(keep)), the recent ones (O(older_than)), the runs still in progress, and every experiment that a kept
    one was run against (its parent, or baseline, and that one's parent, up the chain). Made for the runs that a CI
    pipeline leaves behind, one per commit or per night.
  - "The rules, in this order: (1) the experiments whose whole run name matches O(name_pattern) (and, when given,
    that ran on the dataset of O(dataset_id) or O(dataset_name) and whose logical name is O(experiment)) are the
    matches, and only they are ever deleted; (2) a match without a readable C(created_at) is kept, since its age is
    unknown, and takes no place among the newest; (3) the others are ranked newest first by C(created_at), equal
    times by name and then id, in character order; (4) the first O(keep) of that ranking are kept; (5) of the rest,
    those created O(older_than) ago or less are kept; (6) of what is left, a run whose C(status) is C(running) is
    kept; (7) of what is left, an experiment that a kept experiment names as its C(parent_experiment_id) is kept,
    and so is that one's parent, up the chain; (8) the rest is deleted."
  - So with both O(keep) and O(older_than), a match is deleted only when it is outside the newest O(keep) B(and)
    older than O(older_than). At least one of the two is required; O(keep=0) alone deletes every dated match that
    no kept experiment depends on.
  - A run in progress (C(status) C(running)) is never deleted, whatever its age; one that stopped without saying
    so (a crashed job) stays C(running) and is kept until its status changes. One whose status the list does not
    give is kept too, since it may be in progress.
  - With O(dataset_id), O(dataset_name) or O(experiment), an experiment whose entry in the list leaves out the
    field filtered on is deleted only when the list filtered by the server (one more request) holds it.
  - "The parent chain: every experiment of the project that this task does not delete keeps its parent, whether it
    matches or not (an experiment of another name, dataset or logical name is never deleted here, so its baseline
    stays too). A parent that is not listed in the project (another project, deleted already) ends the chain; a
    chain that loops back on itself ends where it started. Experiments of other projects are not read, so one of
    them that names an experiment of this project as its parent does not keep it."
  - Every experiment of the project is listed once (every page); the pattern and the filters are compared by the
    module, not by the API.
  - Deletes up to 100 experiments per request. A delete that got no clear answer is looked up before it is sent
    again, so nothing is deleted twice. When a delete fails, the failure says which experiments were deleted
    already and which were not; running the task again applies the rules anew and finishes the job.
  - Times are compared with the clock of the host the module runs on. A C(created_at) without a time zone is read
    as UTC.
  - Uses preview endpoints of Datadog's API, which may change at Datadog's discretion.
extends_documentation_fragment:
  - llmobs.datadog.connection
  - llmobs.datadog.addressing.PROJECT
  - llmobs.datadog.addressing.DATASET_FILTER
  - llmobs.datadog.attributes
  - llmobs.datadog.attributes.STATE
  - llmobs.datadog.attributes.ACTIONGROUP
attributes:
  check_mode:
    details:
      - Lists the experiments and deletes none; RV(deleted) lists exactly what would go, RV(kept) why each match stays.
  diff_mode:
    details:
      - Shows the names of the matching experiments before, and the names that remain after.
  idempotent:
    details:
      - A second run right after the first deletes nothing more. Rules with O(older_than) depend on the time, and a
        run that ends changes its status, so a later run may delete experiments that have aged past them since.
options:
  name_pattern:
    description:
      - Which experiments the rules apply to, a shell-style pattern matched against the B(whole) run name (the
        experiment's C(name)), case counting (Python's C(fnmatch.fnmatchcase)) - C(*) matches anything, C(?) one
        character, C([0-9]) one of a set.
      - For example C(nightly-eval-*) matches C(nightly-eval-2026-11-25) but not C(nightly-eval) nor
        C(Nightly-eval-2026-11-25). V(*) matches every name (with O(experiment), every run of that experiment).
      - Experiments whose names do not match are never deleted. A pattern that matches nothing is not an error.
    type: str
    required: true
  experiment:
    description:
      - Only the runs of this logical experiment are pruned - the name its runs share (the API's C(experiment)
        field, which ddtrace sets from the experiment's name), compared exactly.
      - Runs of other logical experiments are never deleted, but still keep their parents.
    type: str
  keep:
    description:
      - How many of the newest matches (by C(created_at)) are never deleted, whatever their age.
      - V(0) keeps none by this rule. With O(keep=0) and no O(older_than), every match with a readable
        C(created_at) is deleted, unless it is running or a kept experiment depends on it.
      - At least one of O(keep) and O(older_than) is required.
    type: int
  older_than:
    description:
      - Only matches created longer ago than this are deleted; the others are kept.
      - A whole number and a unit, C(s) (seconds), C(m) (minutes), C(h) (hours), C(d) (days) or C(w) (weeks),
        for example V(90m), V(12h), V(30d) or V(8w). Longer than 0.
      - With O(keep), a match is deleted only when it is outside the newest O(keep) and older than this.
    type: str
  wait:
    description:
      - Whether to wait, after the deletes, until the project's experiments list no longer shows them, so that the
        next task or run does not find them still there.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait for the experiments list to stop showing the deleted experiments, when
        O(wait=true).
      - Also how long a delete that failed without a clear answer (HTTP 5xx, timeout, dropped connection) is
        looked for before it is sent again, so that it is never sent twice.
      - From 1 to 3600.
    type: int
    default: 30
notes:
  - Deleting an experiment deletes its results (its events and evaluations). Read what a release gate needs (with
    C(llmobs.datadog.llmobs_experiment_info)) before the prune.
seealso:
  - module: llmobs.datadog.llmobs_experiment_info
  - module: llmobs.datadog.llmobs_experiment
  - module: llmobs.datadog.llmobs_dataset_prune
'''

EXAMPLES = r'''
# Connection: keys from DD_API_KEY and DD_APP_KEY, site from DD_SITE, or set once in the play's
# module_defaults. Against the local emulator (ansible-playbook llmobs.datadog.emulator), whose demo
# data these examples use, the play sets:
#   module_defaults:
#     group/llmobs.datadog.llmobs:
#       api_url: http://127.0.0.1:8126
#       api_key: local-api-key
#       app_key: local-app-key

- name: Dry run - which nightly runs would go, and why each other one stays
  llmobs.datadog.llmobs_experiment_prune:
    project_name: demo-project
    name_pattern: nightly-eval-*
    keep: 10
    older_than: 30d
  check_mode: true
  diff: true
  register: would_prune

- name: Show the reasons
  ansible.builtin.debug:
    msg: "{{ would_prune.deleted | map(attribute='name') }} would go; kept: {{ would_prune.kept | map(attribute='reason') }}"

# Every run of one logical experiment on one dataset: keep the five newest (and their baselines).
- name: Keep the five newest runs of the capitals evaluation
  llmobs.datadog.llmobs_experiment_prune:
    project_name: demo-project
    dataset_name: capitals
    experiment: capitals-qa
    name_pattern: '*'
    keep: 5
  register: pruned
'''

RETURN = r'''
msg:
  description:
    - What the module did or, in check mode, would do, naming the experiments deleted (at most ten, then how many
      more).
  returned: always
  type: str
  sample: "Deleted 2 experiments matching 'nightly-eval-*' in project 'demo-project' (id a33671aa-24fd-4dcd-9b33-a8ec7dde7751):
    'nightly-eval-2026-08-20' (id 5b1d...), 'nightly-eval-2026-08-21' (id 7c2e...); kept 3."
summary:
  description:
    - >-
      What the task did (in check mode, would do) in one line for a pull request comment: C(experiments matching),
      the pattern, and C(2 deleted, 3 kept), C(2 would be deleted, 3 kept), C(3 kept, none deleted) or C(none).
    - The callback plugin C(llmobs.datadog.summary) shows it in a table at the end of the run (see the user guide).
  returned: success
  type: str
  sample: 'experiments matching nightly-eval-*: 2 deleted, 3 kept'
project_id:
  description: The project, as given in O(project_id) or found by O(project_name).
  returned: when the project is known
  type: str
  sample: a33671aa-24fd-4dcd-9b33-a8ec7dde7751
deleted:
  description:
    - The matching experiments deleted, newest first; in check mode, those that would be deleted.
    - On a failure midway, those deleted before it.
  returned: success, and on a failure while deleting
  type: list
  elements: dict
  sample: [{"id": "5b1d2c3e-0000-4000-8000-000000000001", "name": "nightly-eval-2026-08-20",
            "created_at": "2026-08-20T02:00:00+00:00", "experiment": "nightly-eval",
            "dataset_id": "9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d", "parent_experiment_id": null, "status": "completed",
            "reason": "outside the newest 3 (keep: 3) and created 97 days ago, older than 90d (older_than)"}]
  contains:
    id:
      description: ID of the experiment.
      type: str
      returned: always
      sample: 5b1d2c3e-0000-4000-8000-000000000001
    name:
      description: Run name of the experiment.
      type: str
      returned: always
      sample: nightly-eval-2026-08-20
    created_at:
      description: When the experiment was created, as the API listed it.
      type: str
      returned: always
      sample: '2026-08-20T02:00:00+00:00'
    experiment:
      description: Logical name of the experiment, shared by its runs, as the API listed it.
      type: str
      returned: always
      sample: nightly-eval
    dataset_id:
      description: The dataset the experiment ran on.
      type: str
      returned: always
      sample: 9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d
    parent_experiment_id:
      description: The experiment it was run against (its baseline), V(null) when none.
      type: str
      returned: always
      sample: null
    status:
      description: C(completed), C(failed), C(interrupted) or C(running), as the API listed it.
      type: str
      returned: always
      sample: completed
    reason:
      description: Why it goes, from the rules.
      type: str
      returned: always
      sample: 'outside the newest 3 (keep: 3)'
kept:
  description:
    - >-
      The matching experiments that stay, each with the reason, for example "among the newest 3 (keep: 3)",
      "created 2 days ago, not older than 30d (older_than)", "running: a prune never deletes a run in progress",
      "parent of kept experiment 'nightly-eval-2026-11-25' (id e1)" (its baseline; with ", which the prune does not
      match" when that experiment is outside the pattern or filters) or "no created_at: its age is unknown, so it
      is kept".
    - The experiments that do not match are not listed.
  returned: success, and on a failure while deleting
  type: list
  elements: dict
  sample: [{"id": "9c3f2a10-0000-4000-8000-000000000005", "name": "nightly-eval-2026-11-25",
            "created_at": "2026-11-25T02:00:00+00:00", "experiment": "nightly-eval",
            "dataset_id": "9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d", "parent_experiment_id": null, "status": "completed",
            "reason": "among the newest 3 (keep: 3)"}]
  contains:
    id:
      description: ID of the experiment.
      type: str
      returned: always
      sample: 9c3f2a10-0000-4000-8000-000000000005
    name:
      description: Run name of the experiment.
      type: str
      returned: always
      sample: nightly-eval-2026-11-25
    created_at:
      description: When the experiment was created, as the API listed it (V(null) when it gave none).
      type: str
      returned: always
      sample: '2026-11-25T02:00:00+00:00'
    experiment:
      description: Logical name of the experiment, shared by its runs, as the API listed it.
      type: str
      returned: always
      sample: nightly-eval
    dataset_id:
      description: The dataset the experiment ran on.
      type: str
      returned: always
      sample: 9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d
    parent_experiment_id:
      description: The experiment it was run against (its baseline), V(null) when none.
      type: str
      returned: always
      sample: null
    status:
      description: C(completed), C(failed), C(interrupted) or C(running), as the API listed it.
      type: str
      returned: always
      sample: running
    reason:
      description: Why it stays.
      type: str
      returned: always
      sample: 'among the newest 3 (keep: 3)'
not_deleted:
  description:
    - On a failure while deleting, the experiments the rules would delete that were not deleted, those of the
      request that failed first (unless its outcome is unknown, see RV(maybe_deleted)). Running the task again
      applies the rules anew to them.
  returned: on a failure while deleting
  type: list
  elements: dict
  sample: [{"id": "5b1d2c3e-0000-4000-8000-000000000002", "name": "nightly-eval-2026-08-19",
            "created_at": "2026-08-19T02:00:00+00:00", "experiment": "nightly-eval",
            "dataset_id": "9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d", "parent_experiment_id": null, "status": "completed",
            "reason": "outside the newest 3 (keep: 3)"}]
maybe_deleted:
  description:
    - On a failure while deleting whose outcome is unknown, the experiments of the request that failed. An answer was
      lost and no lookup could tell whether the delete was done (the lookup failed too, for example), so they may
      have been deleted; the message says so. Running the task again reads the list anew.
  returned: on a failure while deleting whose outcome is unknown
  type: list
  elements: dict
  sample: [{"id": "5b1d2c3e-0000-4000-8000-000000000002", "name": "nightly-eval-2026-08-19",
            "created_at": "2026-08-19T02:00:00+00:00", "experiment": "nightly-eval",
            "dataset_id": "9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d", "parent_experiment_id": null, "status": "completed",
            "reason": "outside the newest 3 (keep: 3)"}]
status:
  description: HTTP status of the failed request.
  returned: failure, when Datadog answered with an error status
  type: int
  sample: 404
errors:
  description: The raw C(errors) list of the failed response, in whichever of Datadog's two shapes it came.
  returned: failure, when Datadog answered with an error status
  type: list
  elements: raw
  sample: [{"status": "404", "title": "Not Found", "detail": "project not found"}]
'''

import time

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._experiment_prune import (
    DELETE_BATCH,
    guarded,
    in_scope,
    lacks_scope_fields,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._experiments import experiment_facts
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import (
    dataset_label,
    project_where,
    resolve_dataset,
    resolve_project,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._module import LLMObsModule
from ansible_collections.llmobs.datadog.plugins.module_utils._prune import EXPERIMENTS, check_rules, decide, delete_decided
from ansible_collections.llmobs.datadog.plugins.module_utils._validation import check_wait_timeout


def check_options(params):
    rules = check_rules(params, EXPERIMENTS)
    if params['experiment'] is not None and not params['experiment'].strip():
        raise ValidationError('experiment must not be blank: give the logical name the runs share, or leave it out.')
    check_wait_timeout(params['wait_timeout'])
    return rules


def scope(task):
    """``(project_id, dataset_id, where, known)``: the project and the dataset filter as the task gives them, how
    messages say where the experiments are, and whether there can be any (a planned project or dataset has none)."""
    params = task.params
    project_id, project = resolve_project(task.api, params, task.plan)
    where = project_where(params, project_id, project)
    dataset_id, known = None, project_id is not None
    if params['dataset_id'] is not None or params['dataset_name'] is not None:
        dataset_id, dataset = resolve_dataset(task.api, project_id, params, task.plan)
        where += ' on %s' % dataset_label(params, dataset_id, dataset)
        known = known and dataset_id is not None
    if params['experiment'] is not None:
        where += ' with logical name %r' % params['experiment']
    return project_id, dataset_id, where, known


def run(task):
    params, rules, experiments = task.params, task.checked, task.api.experiments
    project_id, dataset_id, where, known = scope(task)
    # Every experiment of the project, once: those the prune does not cover still keep their parents.
    listed = [experiment_facts(item) for item in experiments.list(project_id=project_id)] if known else []
    vouched = set()
    if any(lacks_scope_fields(item, dataset_id, params['experiment']) for item in listed):
        vouched = set(item.get('id') for item in experiments.list(project_id=project_id, dataset_id=dataset_id,
                                                                  experiment=params['experiment']))
    candidates = [item for item in listed
                  if item['id'] is not None and in_scope(item, project_id, dataset_id, params['experiment'], vouched)]
    decisions = guarded(decide(candidates, rules, time.time()), listed)
    for item in decisions.deleting:
        task.api.names.found('experiment', [item], item['name'])  # messages of its requests name it
    result = dict(changed=bool(decisions.deleting), project_id=project_id, kept=decisions.kept)
    if task.diff:
        result['diff'] = decisions.diff()
    result['msg'], result['summary'] = decisions.outcome(rules.pattern, where, task.check_mode)
    if task.check_mode or not decisions.deleting:
        result['deleted'] = decisions.deleting
        return result
    return delete_decided(task, decisions, result, where,
                          lambda batch: experiments.delete(project_id, [item['id'] for item in batch],
                                                           params['wait_timeout']),
                          lambda: [item.get('id') for item in experiments.list(project_id=project_id)], DELETE_BATCH)


MODULE = LLMObsModule(
    options=dict(
        name_pattern=dict(type='str', required=True),
        experiment=dict(type='str'),
        keep=dict(type='int'),
        older_than=dict(type='str'),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=30),
    ),
    addresses=('project',),
    optional_addresses=('dataset',),
    check_options=check_options,
    run=run,
)


def main():
    MODULE.main()


if __name__ == '__main__':
    main()
