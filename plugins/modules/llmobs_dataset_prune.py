#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: llmobs_dataset_prune
short_description: Delete old copies of Datadog LLM Observability datasets by rule
version_added: 1.2.0
author:
  - llmobs.datadog maintainers (@llmobs)
description:
  - >-
    Deletes the datasets of one project whose names match a pattern, except those the rules keep: the newest
    few (O(keep)), the recent ones (O(older_than)), and those that a recent experiment used (O(protect_used_within)).
    Made for the copies that a M(llmobs.datadog.llmobs_dataset_clone) task leaves behind, one per release or per
    night.
  - "The rules, in this order: (1) the datasets whose whole name matches O(name_pattern) are the matches, and only
    they are ever deleted; (2) a match without a readable C(created_at) is kept, since its age is unknown, and takes
    no place among the newest; (3) the others are ranked newest first by C(created_at), equal times by name and then
    id, in character order; (4) the first O(keep) of that ranking are kept; (5) of the rest, those created O(older_than)
    ago or less are kept; (6) of what is left, a dataset that an experiment created within O(protect_used_within)
    uses is kept; (7) the rest is deleted."
  - So with both O(keep) and O(older_than), a match is deleted only when it is outside the newest O(keep) B(and)
    older than O(older_than). At least one of the two is required; O(keep=0) alone deletes every dated match.
  - "To keep the source of a clone task from being pruned, give it a name the pattern does not match (for example
    the source C(eval-questions) and the copies C(eval-questions-release-*): a pattern matches whole names, so
    C(eval-questions-release-*) never matches C(eval-questions)), or let O(keep) cover it."
  - The guard reads the experiments list of every dataset the rules would delete (filtered by the dataset, in any
    project, every page) and keeps the dataset when one of them was created within O(protect_used_within). An
    experiment whose C(created_at) cannot be read counts as recent.
  - Every dataset of the project is listed (every page) and the pattern is compared by the module, not by the API.
  - Deletes one dataset at a time, with its records. A delete that got no clear answer is looked up before it is
    sent again, so nothing is deleted twice. When a delete fails, the failure says which datasets were deleted
    already and which were not; running the task again applies the rules anew and finishes the job.
  - Times are compared with the clock of the host the module runs on. A C(created_at) without a time zone is read
    as UTC.
  - In check mode, a dataset that an earlier task of the same dry run would create in the project (a clone, say)
    counts as a match made now, so the dry run reports what the real run would delete.
  - Uses preview endpoints of Datadog's API, which may change at Datadog's discretion.
extends_documentation_fragment:
  - llmobs.datadog.connection
  - llmobs.datadog.addressing.PROJECT
  - llmobs.datadog.attributes
  - llmobs.datadog.attributes.STATE
  - llmobs.datadog.attributes.ACTIONGROUP
attributes:
  check_mode:
    details:
      - Makes every read (datasets and experiments) and no delete; RV(deleted) lists exactly what would go.
  diff_mode:
    details:
      - Shows the names of the matching datasets before, and the names that remain after.
  idempotent:
    details:
      - A second run right after the first deletes nothing more. Rules with O(older_than) or O(protect_used_within)
        depend on the time, so a later run may delete datasets that have aged past them since.
options:
  name_pattern:
    description:
      - Which datasets the rules apply to, a shell-style pattern matched against the B(whole) name, case counting
        (Python's C(fnmatch.fnmatchcase)) - C(*) matches anything, C(?) one character, C([0-9]) one of a set.
      - For example C(eval-questions-release-*) matches C(eval-questions-release-42) but not C(eval-questions) nor
        C(Eval-questions-release-42).
      - Datasets whose names do not match are never deleted. A pattern that matches nothing is not an error.
    type: str
    required: true
  keep:
    description:
      - How many of the newest matches (by C(created_at)) are never deleted, whatever their age.
      - V(0) keeps none by this rule. With O(keep=0) and no O(older_than), every match with a readable
        C(created_at) is deleted (unless the guard keeps it).
      - At least one of O(keep) and O(older_than) is required.
    type: int
  older_than:
    description:
      - Only matches created longer ago than this are deleted; the others are kept.
      - A whole number and a unit, C(s) (seconds), C(m) (minutes), C(h) (hours), C(d) (days) or C(w) (weeks),
        for example V(90m), V(12h), V(30d) or V(8w). Longer than 0.
      - With O(keep), a match is deleted only when it is outside the newest O(keep) and older than this.
    type: str
  protect_used_within:
    description:
      - The guard. A dataset that the rules would delete is kept when an experiment that uses it was created within
        this long; its reason in RV(kept) names the experiment.
      - A duration as in O(older_than), or V(0) to turn the guard off (no experiment is read).
    type: str
    default: 30d
  wait:
    description:
      - Whether to wait, after the deletes, until the project's dataset list no longer shows them, so that the next
        task or run does not find them still there.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait for the dataset list to stop showing the deleted datasets, when O(wait=true).
      - Also how long a delete that failed without a clear answer (HTTP 5xx, timeout, dropped connection) is
        looked for before it is sent again, so that it is never sent twice.
      - From 1 to 3600.
    type: int
    default: 30
notes:
  - A dataset that an experiment used long ago may still be what that experiment's results refer to. Raise
    O(protect_used_within) to keep those longer.
seealso:
  - module: llmobs.datadog.llmobs_dataset_clone
  - module: llmobs.datadog.llmobs_dataset
  - module: llmobs.datadog.llmobs_dataset_info
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

- name: Copy the reference set for tonight's evaluation
  llmobs.datadog.llmobs_dataset_clone:
    project_name: demo-project
    dataset_name: capitals
    name: capitals-nightly-2026-11-25

# The pattern matches whole names: capitals-nightly-* never matches the source, capitals.
- name: Keep the three newest nightly copies, delete the others
  llmobs.datadog.llmobs_dataset_prune:
    project_name: demo-project
    name_pattern: capitals-nightly-*
    keep: 3
  register: pruned

- name: Show what went and what stayed, with the reasons
  ansible.builtin.debug:
    msg: "{{ pruned.deleted | map(attribute='name') }} deleted; kept: {{ pruned.kept | map(attribute='reason') }}"

- name: Dry run - delete the copies older than 90 days, but never the newest 5
  llmobs.datadog.llmobs_dataset_prune:
    project_id: a33671aa-24fd-4dcd-9b33-a8ec7dde7751
    name_pattern: capitals-nightly-*
    keep: 5
    older_than: 90d
    protect_used_within: 14d
  check_mode: true
  diff: true
  register: would_prune
'''

RETURN = r'''
msg:
  description:
    - What the module did or, in check mode, would do, naming the datasets deleted (at most ten, then how many more).
  returned: always
  type: str
  sample: "Deleted 2 datasets matching 'capitals-nightly-*' in project 'demo-project' (id a33671aa-24fd-4dcd-9b33-a8ec7dde7751):
    'capitals-nightly-2026-11-20' (id 5b1d...), 'capitals-nightly-2026-11-21' (id 7c2e...); kept 3."
summary:
  description:
    - >-
      What the task did (in check mode, would do) in one line for a pull request comment: C(datasets matching), the
      pattern, and C(2 deleted, 3 kept), C(2 would be deleted, 3 kept), C(3 kept, none deleted) or C(none).
    - The callback plugin C(llmobs.datadog.summary) shows it in a table at the end of the run (see the user guide).
  returned: success
  type: str
  sample: 'datasets matching capitals-nightly-*: 2 deleted, 3 kept'
project_id:
  description: The project, as given in O(project_id) or found by O(project_name).
  returned: when the project is known
  type: str
  sample: a33671aa-24fd-4dcd-9b33-a8ec7dde7751
deleted:
  description:
    - The matching datasets deleted, newest first; in check mode, those that would be deleted.
    - On a failure midway, those deleted before it.
  returned: success, and on a failure while deleting
  type: list
  elements: dict
  sample: [{"id": "5b1d2c3e-0000-4000-8000-000000000001", "name": "capitals-nightly-2026-08-20",
            "created_at": "2026-08-20T02:00:00+00:00",
            "reason": "outside the newest 3 (keep: 3) and created 97 days ago, older than 90d (older_than)"}]
  contains:
    id:
      description: ID of the dataset.
      type: str
      returned: always
      sample: 5b1d2c3e-0000-4000-8000-000000000001
    name:
      description: Name of the dataset.
      type: str
      returned: always
      sample: capitals-nightly-2026-08-20
    created_at:
      description: When the dataset was created, as the API listed it.
      type: str
      returned: always
      sample: '2026-08-20T02:00:00+00:00'
    reason:
      description: Why it goes, from the rules.
      type: str
      returned: always
      sample: 'outside the newest 3 (keep: 3)'
kept:
  description:
    - >-
      The matching datasets that stay, each with the reason, for example "among the newest 3 (keep: 3)",
      "created 2 days ago, not older than 30d (older_than)", "used by experiment 'nightly' (id e1) created 3 days
      ago, within 30d (protect_used_within)" or "no created_at: its age is unknown, so it is kept".
    - The datasets whose names do not match are not listed.
  returned: success, and on a failure while deleting
  type: list
  elements: dict
  sample: [{"id": "9c3f2a10-0000-4000-8000-000000000005", "name": "capitals-nightly-2026-11-25",
            "created_at": "2026-11-25T02:00:00+00:00", "reason": "among the newest 3 (keep: 3)"}]
  contains:
    id:
      description: ID of the dataset.
      type: str
      returned: always
      sample: 9c3f2a10-0000-4000-8000-000000000005
    name:
      description: Name of the dataset.
      type: str
      returned: always
      sample: capitals-nightly-2026-11-25
    created_at:
      description: When the dataset was created, as the API listed it (V(null) when it gave none).
      type: str
      returned: always
      sample: '2026-11-25T02:00:00+00:00'
    reason:
      description: Why it stays.
      type: str
      returned: always
      sample: 'among the newest 3 (keep: 3)'
not_deleted:
  description:
    - On a failure while deleting, the datasets the rules would delete that were not deleted, the one whose delete
      failed first (unless its outcome is unknown, see RV(maybe_deleted)). Running the task again applies the rules
      anew to them.
  returned: on a failure while deleting
  type: list
  elements: dict
  sample: [{"id": "5b1d2c3e-0000-4000-8000-000000000002", "name": "capitals-nightly-2026-08-19",
            "created_at": "2026-08-19T02:00:00+00:00", "reason": "outside the newest 3 (keep: 3)"}]
maybe_deleted:
  description:
    - On a failure while deleting whose outcome is unknown, the dataset whose delete failed. An answer was lost and
      no lookup could tell whether the delete was done (the lookup failed too, for example), so it may have been
      deleted; the message says so. Running the task again reads the list anew.
  returned: on a failure while deleting whose outcome is unknown
  type: list
  elements: dict
  sample: [{"id": "5b1d2c3e-0000-4000-8000-000000000002", "name": "capitals-nightly-2026-08-19",
            "created_at": "2026-08-19T02:00:00+00:00", "reason": "outside the newest 3 (keep: 3)"}]
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

from ansible_collections.llmobs.datadog.plugins.module_utils._dataset_prune import check_options as check_prune_options
from ansible_collections.llmobs.datadog.plugins.module_utils._dataset_prune import guarded
from ansible_collections.llmobs.datadog.plugins.module_utils._datasets import dataset_facts
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import project_where, resolve_project
from ansible_collections.llmobs.datadog.plugins.module_utils._module import LLMObsModule
from ansible_collections.llmobs.datadog.plugins.module_utils._prune import decide, delete_decided
from ansible_collections.llmobs.datadog.plugins.module_utils._validation import check_wait_timeout


def check_options(params):
    checked = check_prune_options(params)
    check_wait_timeout(params['wait_timeout'])
    return checked


def experiment_uses(experiments, deleting):
    """The experiments of each dataset the rules would delete, by id (a planned dataset, no id, has none yet)."""
    try:
        return dict((item['id'], experiments.of_dataset(item['id'])) for item in deleting if item['id'] is not None)
    except LLMObsError as exc:
        exc.extend_message(' The guard (protect_used_within) could not tell which of the datasets recent experiments '
                           'use, so nothing was deleted.')
        raise


def run(task):
    params, datasets = task.params, task.api.datasets
    rules, window = task.checked
    project_id, project = resolve_project(task.api, params, task.plan)
    where = project_where(params, project_id, project)
    # A project that an earlier task of a dry run would create holds nothing yet; what earlier tasks of a dry run
    # would create in it (clones, say) counts as made now, as it would be in the real run.
    listed = [dataset_facts(item) for item in datasets.list(project_id)] if project_id is not None else []
    planned = [dict(id=None, name=name, created_at=None, planned=True)
               for name in task.plan.dataset_names(project_id, params['project_name'])]
    now = time.time()
    decisions = decide(listed + planned, rules, now)
    for item in decisions.deleting:
        task.api.names.found('dataset', [item], item['name'])  # messages of its requests name it
    if window is not None:  # a planned dataset (no id) has no experiment yet
        decisions = guarded(decisions, experiment_uses(task.api.experiments, decisions.deleting), window, now)
    result = dict(changed=bool(decisions.deleting), project_id=project_id, kept=decisions.kept)
    if task.diff:
        result['diff'] = decisions.diff()
    result['msg'], result['summary'] = decisions.outcome(rules.pattern, where, task.check_mode)
    if task.check_mode or not decisions.deleting:
        for item in decisions.deleting:
            if item['id'] is None:  # later tasks of the dry run no longer find it
                task.plan.remove_dataset(project_id, params['project_name'], item['name'])
        result['deleted'] = decisions.deleting
        return result
    return delete_decided(task, decisions, result, where,
                          lambda batch: datasets.delete(project_id, batch[0]['id'], params['wait_timeout']),
                          lambda: [item.get('id') for item in datasets.list(project_id)])


MODULE = LLMObsModule(
    options=dict(
        name_pattern=dict(type='str', required=True),
        keep=dict(type='int'),
        older_than=dict(type='str'),
        protect_used_within=dict(type='str', default='30d'),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=30),
    ),
    addresses=('project',),
    check_options=check_options,
    run=run,
)


def main():
    MODULE.main()


if __name__ == '__main__':
    main()
