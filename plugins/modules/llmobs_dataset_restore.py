#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: llmobs_dataset_restore
short_description: Make the records of a Datadog LLM Observability dataset those of one of its versions
version_added: 1.2.0
author:
  - llmobs.datadog maintainers (@llmobs)
description:
  - Makes the current records of a dataset equal to those of its version O(version), with Datadog's restore, which
    makes them a new version.
  - Reads the versions list first; a version that is not listed (never made, or expired after Datadog's 90 days)
    fails the task before anything is written, naming the versions there are.
  - Then reads the records of that version and the current records, each list once, page by page, and compares
    them as data, with the rules of M(llmobs.datadog.llmobs_dataset_records) (C(input), C(expected_output),
    C(metadata) and C(tags); record ids and server fields do not count) and as multisets (two copies of a record are
    two records). When they are already equal, nothing is sent and the task reports no change.
  - Otherwise it checks the dataset's draft state (see O(force) and O(lock)), sends one restore request, and waits
    until the dataset's current version moves past the one it had, so that the next task reads the restored
    records.
  - The counts say what the restore changes. Records equal as data are unchanged, whatever their ids. Of the others,
    a current record and a record of the version are one record changed back when they have the same id or,
    failing that, the same C(input); the other records of the version come back, and the other current records go.
  - Uses preview endpoints of Datadog's API, which may change at Datadog's discretion.
extends_documentation_fragment:
  - llmobs.datadog.connection
  - llmobs.datadog.addressing.PROJECT
  - llmobs.datadog.addressing.DATASET
  - llmobs.datadog.draft_lock
  - llmobs.datadog.attributes
  - llmobs.datadog.attributes.ACTIONGROUP
attributes:
  check_mode:
    support: full
    details:
      - Makes every read (the versions, both record lists, the draft state) and no write, and returns the same counts
        as a real run would. A draft held in Datadog's UI is a warning.
      - A dataset that an earlier check-mode task of the run would create has no versions yet, and Datadog numbers
        them as they are made, so the dry run cannot tell whether it would have version O(version); the task fails,
        saying so. Skip it in check mode (with C(when) and C(ansible_check_mode)) when the run creates the dataset.
  diff_mode:
    support: full
    details:
      - Shows the counts and the first 20 records that would change, one entry per field named C([key] field). A
        record changed back shows its differing fields on both sides, keyed by its id (or by its input when its ids
        differ); a record that comes back shows after only, one that goes before only. The records shown are read
        again, until they are found.
  idempotent:
    support: full
    details:
      - A second run finds the records equal to the version's, sends no write and reports no change.
options:
  version:
    description:
      - The version whose records the dataset gets back, as the versions list numbers it (from V(0), the first).
      - Must be among the versions the dataset lists (a task given another fails naming those there are); Datadog
        keeps versions 90 days.
    type: int
    required: true
  wait_timeout:
    description:
      - How many seconds to wait, after the restore, until the dataset's current version moves past the one it had.
        When it does not, the task still reports a change, with a warning that the restore was accepted but is not
        visible yet.
      - Also how long a restore request that failed without a clear answer (HTTP 5xx, timeout, dropped connection)
        is looked for, by reading the dataset's current version, before it is sent again.
      - From 1 to 3600.
    type: int
    default: 30
notes:
  - A restore makes a new version, numbered by Datadog; the version restored stays as it was.
  - The records compared are those the records list shows. Datadog's reads can lag behind its writes by a few
    seconds, so a task that runs right after a records write may compare records that are about to change.
seealso:
  - module: llmobs.datadog.llmobs_dataset_records
  - module: llmobs.datadog.llmobs_dataset_records_info
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

- name: Make the capitals dataset hold the records of its first version again
  llmobs.datadog.llmobs_dataset_restore:
    project_name: demo-project
    dataset_name: capitals
    version: 0
  register: restored

- name: Show what the restore changed
  ansible.builtin.debug:
    msg: "{{ restored.added }} back, {{ restored.updated }} changed back, {{ restored.removed }} removed; now version {{ restored.current_version }}"

- name: Preview a restore (run with --diff to see the records), holding the draft lock when it runs for real
  llmobs.datadog.llmobs_dataset_restore:
    project_name: demo-project
    dataset_name: support-tickets
    version: 0
    lock: true
  check_mode: true
'''

RETURN = r'''
msg:
  description: What the module did or, in check mode, would do.
  returned: always
  type: str
  sample: >-
    Dataset 'capitals' (id 9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d): restored version 3: 2 records back, 1 changed back,
    1 removed; 4 unchanged. Its current version is now 6.
summary:
  description:
    - >-
      What the task did (in check mode, would do) in one line for a pull request comment: the dataset, then
      C(restored version N) (C(would restore version N)) and the records that come back (C(+)), are changed back
      (C(~)) and go (C(-)), or C(records already as in version N).
    - The callback plugin C(llmobs.datadog.summary) shows it in a table at the end of the run (see the user guide).
  returned: success
  type: str
  sample: 'dataset capitals: restored version 3, records +2 ~1 -1'
project_id:
  description: The project of the dataset, as given in O(project_id) or found by O(project_name).
  returned: when the project is known
  type: str
  sample: a33671aa-24fd-4dcd-9b33-a8ec7dde7751
restored_version:
  description: The version whose records the dataset holds after the task (in check mode, would hold), O(version).
  returned: always
  type: int
  sample: 3
version_before:
  description: The current version of the dataset before the task, as the server reported it.
  returned: when the dataset was found
  type: int
  sample: 5
current_version:
  description:
    - The current version of the dataset after the task, as the server reports it. A restore makes a new version,
      so after a restore it is the new one; with no change, and in check mode, it is RV(version_before).
    - After a restore that did not show within O(wait_timeout), the version last read (a warning says so).
  returned: when the dataset was found
  type: int
  sample: 6
added:
  description: How many records of the version come back (in check mode, would come back).
  returned: success
  type: int
  sample: 2
updated:
  description: How many current records are (in check mode, would be) changed back to their fields in the version.
  returned: success
  type: int
  sample: 1
removed:
  description: How many current records, not in the version, go (in check mode, would go).
  returned: success
  type: int
  sample: 1
unchanged:
  description: How many current records are already equal, as data, to records of the version.
  returned: success
  type: int
  sample: 4
versions:
  description: The versions the dataset lists, newest first, when O(version) is not among them.
  returned: failure, when the version is not listed
  type: list
  elements: int
  sample: [5, 4, 3]
draft_state:
  description: Who holds the dataset's draft lock in Datadog's UI, when that refused the restore.
  returned: failure, when someone edits the dataset and O(force=false)
  type: dict
  sample: {"user": {"name": "Jane Doe", "email": "jane@example.com"}, "drafting_since": "2026-12-01T10:00:00Z"}
dataset:
  description:
    - The facts of the dataset after the task (in check mode, and with no change, as they are), read again after
      the restore.
  returned: when the dataset was found
  type: dict
  contains:
    id:
      description: ID of the dataset.
      type: str
      returned: success
      sample: 9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d
    name:
      description: Name of the dataset.
      type: str
      returned: success
      sample: capitals
    description:
      description: Description of the dataset.
      type: str
      returned: success
      sample: Capital cities, the reference evaluation set
    metadata:
      description: Metadata of the dataset.
      type: dict
      returned: success
      sample: {"owner": "eval-team"}
    current_version:
      description: Current version number of the dataset, as the server reports it.
      type: int
      returned: success
      sample: 6
    created_at:
      description: When the dataset was created (ISO 8601).
      type: str
      returned: success
      sample: '2026-11-25T10:30:00+00:00'
    updated_at:
      description: When the dataset was last updated (ISO 8601).
      type: str
      returned: success
      sample: '2026-11-25T10:30:00+00:00'
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
  sample: [{"status": "404", "title": "Not Found", "detail": "dataset not found"}]
'''

from ansible_collections.llmobs.datadog.plugins.module_utils._datasets import dataset_facts, summary_label
from ansible_collections.llmobs.datadog.plugins.module_utils._draft_lock import DRAFT_LOCK_OPTIONS
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError, ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import (
    dataset_label,
    project_as_given,
    resolve_dataset,
    resolve_project,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._module import LLMObsModule
from ansible_collections.llmobs.datadog.plugins.module_utils._planned import is_planned
from ansible_collections.llmobs.datadog.plugins.module_utils._restore import (
    compare_with_version,
    current_version_of,
    find_version,
    guarded_restore,
    planned_refusal,
    restore_diff,
    restore_message,
    restore_summary,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._validation import check_wait_timeout


def check_options(params):
    if params['version'] < 0:
        raise ValidationError('version must be a version number, 0 or more (got %d): versions are numbered from 0.'
                              % params['version'])
    check_wait_timeout(params['wait_timeout'])


def run(task):
    """Compare the current records with the version's; restore only when they differ (check mode: compare only)."""
    params, api, number = task.params, task.api, task.params['version']
    project_id, dummy = resolve_project(api, params, task.plan)
    dataset_id, found = resolve_dataset(api, project_id, params, task.plan)
    label = dataset_label(params, dataset_id, found)
    result = dict(changed=False, project_id=project_id, restored_version=number)
    if is_planned(found):
        raise LLMObsError(planned_refusal(label, number), **result)
    found = found or api.datasets.get(project_id, dataset_id)
    if found is None:
        raise LLMObsError('No dataset with id %s was found in %s.' % (dataset_id, project_as_given(params, project_id)),
                          **result)
    before = current_version_of(found)
    result.update(dataset=dataset_facts(found), version_before=before, current_version=before)
    find_version(api.versions, project_id, dataset_id, number, label, result)
    short = summary_label(params, found, dataset_id)
    comparison = compare_with_version(api.records, project_id, dataset_id, number, short)
    result.update(comparison.counts(), changed=not comparison.equal,
                  summary=restore_summary(short, number, comparison, task.check_mode))
    if task.diff:  # before the restore: it reads the records shown again, as they are now
        result['diff'] = restore_diff(api.records, project_id, dataset_id, number, comparison, label, before, label=short)
    after = None if comparison.equal else guarded_restore(task, project_id, dataset_id, number, label, result)
    result['msg'] = restore_message(label, number, comparison, task.check_mode, before, after, params['wait_timeout'])
    return result


MODULE = LLMObsModule(
    options=dict(
        version=dict(type='int', required=True),
        wait_timeout=dict(type='int', default=30),
        **DRAFT_LOCK_OPTIONS
    ),
    addresses=('project', 'dataset'),
    resources=('records',),
    check_options=check_options,
    run=run,
)


def main():
    MODULE.main()


if __name__ == '__main__':
    main()
