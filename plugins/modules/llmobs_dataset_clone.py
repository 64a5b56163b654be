#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: llmobs_dataset_clone
short_description: Clone a Datadog LLM Observability dataset into a new dataset
version_added: 1.1.0
author:
  - llmobs.datadog maintainers (@llmobs)
description:
  - Copies the current records of a Datadog LLM Observability dataset into a new dataset, with
    a new name, in the same project; or, with O(version), the records of one of its past versions.
  - The name of the new dataset is the key. If a dataset of that name already exists in the
    project, nothing is sent and its facts are returned; the existing dataset is not modified.
    If several datasets have that name, the module fails and lists them.
  - Returns where the copy came from, RV(source_dataset_id) and RV(source_version), so that an experiment pinned
    to the copy can name its inputs.
  - Uses the preview endpoint C(POST /api/v2/llm-obs/v1/{project_id}/datasets/{dataset_id}/clone), which takes a
    name and a description only, so O(metadata) is set by a C(PATCH) of the new dataset right after it. With
    O(version), the records are then written with C(POST .../batch_update), and read with C(GET .../versions) and
    C(GET .../records). Preview endpoints may change at Datadog's discretion.
extends_documentation_fragment:
  - llmobs.datadog.connection
  - llmobs.datadog.addressing.PROJECT
  - llmobs.datadog.attributes
  - llmobs.datadog.attributes.ACTIONGROUP
attributes:
  check_mode:
    support: full
    details:
      - Makes every read and no write. It also confirms that the source dataset exists and, with
        O(version), that the version exists and can be copied, so a dry run fails where the real run would.
      - With O(version), predicts what would be written after the clone from the source's current records
        (RV(version_sync)).
  diff_mode:
    support: full
    details:
      - With O(version), when the copy's records would be changed after the clone, a second diff shows them, the
        source's current records before, version O(version)'s after.
  idempotent:
    support: full
    details:
      - Keyed on O(name), compared exactly across every page of the project's datasets.
      - Datadog's reads lag behind its writes by a few seconds. With O(wait=true) (the default)
        the module returns only once the new dataset is listed, so the next run sees it.
      - Create-only, an existing dataset of that name is never changed, even when its records, description or
        metadata differ from what the task gives (a warning names the description or metadata that differ).
options:
  dataset_id:
    description:
      - ID of the source dataset to clone. Used as it is, with no lookup.
      - Letters, digits, V(-) and V(_) only.
      - Exactly one of O(dataset_id) and O(dataset_name) is required.
    type: str
  dataset_name:
    description:
      - Name of the source dataset to clone, looked up in the project and compared exactly.
      - The module fails, before any write, when no dataset or several datasets of the project have this name.
      - Exactly one of O(dataset_id) and O(dataset_name) is required.
    type: str
  name:
    description:
      - Name of the new dataset. Compared exactly (case and spaces count) with existing names.
      - Printable ASCII only, at most 255 characters, not blank and without leading or trailing spaces.
        The name is the key of idempotency and is compared byte for byte; non-ASCII text can look the
        same in different Unicode forms, so it is refused.
    type: str
    required: true
  description:
    description:
      - Description of the new dataset.
      - Used only when the dataset is created; an existing dataset's description is left as it
        is (with a warning when it differs).
    type: str
  metadata:
    description:
      - Metadata of the new dataset, an object of your own (for example who made the copy and why).
      - The clone endpoint takes no metadata, so it is set with a C(PATCH) of the new dataset right after the
        clone (after its records, with O(version)). If that C(PATCH) fails, the new dataset exists without it
        and a re-run leaves it so (the name exists); the failure says so and what to do.
      - Used only when the dataset is created; an existing dataset's metadata is left as it is (with a warning
        when it differs).
    type: dict
    version_added: 1.2.0
  version:
    description:
      - Clone a past version of the source dataset, a version number, 0 or more
        (M(llmobs.datadog.llmobs_dataset_version_info) lists them). The new dataset ends holding
        exactly that version's records. Not given, the current records are cloned.
      - The version must be one the source still has (older ones expire after 90 days); otherwise the module
        fails before anything is created, naming the versions there are.
      - The clone endpoint copies only the current records, so the module reads the version's records, clones,
        and then makes the copy's records equal to them as data (O(llmobs.datadog.llmobs_dataset_records#module:purge=true),
        records matched by their input, whatever their ids). When the version is the source's current one, or
        holds the same records, nothing is written after the clone (the copy's records are read and compared).
        The source is never written.
      - Records are written again as data, so a record of the version whose input differs from the current
        records' gets a new record id in the copy. A version that holds two records with the same input cannot
        be matched that way; when such a version differs from the current records, the module fails before
        anything is created.
      - Everything that can refuse is checked before the clone. If the write after the clone fails, the new
        dataset exists with the source's current records, and running the task again will not fix it (the
        name exists, so the task leaves it as it is). Delete it and run the task again, or make its records
        those of the version with M(llmobs.datadog.llmobs_dataset_records). Cloning under a temporary name and
        renaming the copy once complete was weighed and not chosen, since a failed run would leave a dataset of a
        made-up name instead, seen by others meanwhile.
      - Before writing, the module reads the new dataset's records, for up to O(wait_timeout) seconds, until they
        show what the source held (lists can lag behind the clone), so that no record is written twice.
    type: int
    version_added: 1.2.0
  wait:
    description:
      - Whether to wait, after cloning, until the new dataset appears in the project's dataset
        list (looked up by name, as the next run will), so that the next task or run finds it and
        does not clone again.
      - If another dataset of the same name appears meanwhile (a run in parallel), a warning lists it.
      - With V(false), the module returns as soon as Datadog accepts the clone.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait for the new dataset to appear in the dataset list, after a clone
        when O(wait=true).
      - With O(version), also how long the new dataset's records are read until they show what the clone
        copied, and how long records are read again after a write whose answer was lost.
      - Also how long a clone request that failed without a clear answer (HTTP 5xx, timeout,
        dropped connection) is looked for before it is sent again, so that it is never made twice.
      - From 1 to 3600.
    type: int
    default: 30
seealso:
  - name: Datadog LLM Observability datasets
    description: Datadog's documentation of datasets and experiments.
    link: https://docs.datadoghq.com/llm_observability/experiments/
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

- name: Clone a dataset by names
  llmobs.datadog.llmobs_dataset_clone:
    project_name: demo-project
    dataset_name: capitals
    name: capitals-v2
    description: Working copy for the prompt experiment
  register: clone

- name: Show the new dataset's id, and the source version it holds
  ansible.builtin.debug:
    msg: "{{ clone.dataset.id }} holds version {{ clone.source_version }} of {{ clone.source_dataset_id }}"

- name: Freeze version 0 of a dataset for an experiment, saying why in the copy's metadata
  llmobs.datadog.llmobs_dataset_clone:
    project_name: demo-project
    dataset_name: capitals
    version: 0
    name: capitals-frozen-v0
    metadata:
      purpose: pinned inputs of the prompt experiment
  register: frozen

- name: Show what the copy holds
  ansible.builtin.debug:
    msg: "{{ frozen.version_sync.records }} records of version {{ frozen.source_version }}"

# A block's or a task's module_defaults for group/llmobs.datadog.llmobs replaces the play's whole
# entry for its tasks, api_url included: keep connection settings in the play (or the environment),
# or a rehearsal against the emulator sends those tasks to Datadog.
- name: Clone by ids, without waiting until the dataset list shows the clone
  llmobs.datadog.llmobs_dataset_clone:
    project_id: a33671aa-24fd-4dcd-9b33-a8ec7dde7751
    dataset_id: 9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d
    name: capitals-2026-12
    wait: false
'''

RETURN = r'''
ansible_facts:
  description:
    - In check mode, when the new dataset would be created, the plan of the dry run, so that later check-mode tasks of
      the same run that name it find it planned instead of missing (see the user guide, check mode).
  returned: in check mode, when the task plans a create (or the delete of something planned)
  type: dict
  contains:
    llmobs_planned:
      description:
        - What earlier check-mode tasks of this run would create, by API endpoint, stamped with the run.
          Internal to the collection; a later run, or a task that is not in check mode, does not use it.
      type: dict
      returned: in check mode, when the task plans a create
      sample: {"entries": [{"api": "https://api.datadoghq.eu", "kind": "project", "name": "support-bot"}],
               "run": "3b6c0e0f8b2d4f4f9a51c1e0f1d2a3b4"}
msg:
  description: What the module did.
  returned: always
  type: str
  sample: Cloned dataset 9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d into 'capitals-v2' (id 7c8d4e9a-1234-5678-9abc-def012345678).
summary:
  description:
    - >-
      What the task did (in check mode, would do) in one line for a pull request comment: C(clone), the name, and
      what happened to it, one of C(created), C(would be created) or C(already exists); with O(version), a
      created (would be created) clone adds C(from version N).
    - The callback plugin C(llmobs.datadog.summary) shows it in a table at the end of the run (see the user guide).
  returned: success
  type: str
  sample: 'clone capitals-v2: would be created'
dataset:
  description:
    - The facts of the dataset named O(name), whether it was just cloned or already existed.
    - In check mode, when the dataset would be created, the predicted facts, with RV(dataset.id) and the
      server-assigned fields V(null).
    - With O(version), read again after the copy's records were written (its current version is then the one
      the write made); RV(dataset.current_version) is V(null), with a warning, when the dataset list did not show
      the new dataset within O(wait_timeout) seconds.
  returned: success
  type: dict
  contains:
    id:
      description: ID of the dataset.
      type: str
      returned: success
      sample: 7c8d4e9a-1234-5678-9abc-def012345678
    name:
      description: Name of the dataset.
      type: str
      returned: success
      sample: capitals-v2
    description:
      description: Description of the dataset.
      type: str
      returned: success
      sample: Working copy for the prompt experiment
    metadata:
      description: Arbitrary metadata of the dataset (O(metadata) on a new one).
      type: dict
      returned: success
      sample: {"purpose": "pinned inputs of the prompt experiment"}
    current_version:
      description: Current version number of the dataset.
      type: int
      returned: success
      sample: 0
    created_at:
      description: When the dataset was created (ISO 8601).
      type: str
      returned: success
      sample: '2026-11-25T10:30:00Z'
    updated_at:
      description: When the dataset was last updated (ISO 8601).
      type: str
      returned: success
      sample: '2026-11-25T10:30:00Z'
project_id:
  description: The project of the datasets, as given in O(project_id) or found by O(project_name).
  returned: when the project is known
  type: str
  sample: a33671aa-24fd-4dcd-9b33-a8ec7dde7751
source_dataset_id:
  description: The source dataset, as given in O(dataset_id) or found by O(dataset_name).
  returned: when the source dataset is known
  type: str
  sample: 9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d
source_version:
  description:
    - The version of the source dataset the new dataset holds the records of (in check mode, would hold).
    - With O(version), that version. Without, the source's current version as the server reported it before the
      clone, read again after it. When it moved meanwhile (the source was edited while it was cloned), which one
      was copied is not known, and this is V(null) with a warning.
    - V(null) when the dataset already existed (nothing records which version an existing dataset was copied
      from), when an earlier task of a dry run would create it, or when the source does not exist yet (dry run).
  returned: success
  type: int
  sample: 3
version_sync:
  description:
    - With O(version), when the dataset is (in check mode, would be) created, what making its records equal to
      that version's did after the clone (would do, predicted from the source's current records).
    - All 0 but RV(version_sync.unchanged) when the records already were the version's.
  returned: when O(version) is given and the dataset is created or would be
  type: dict
  contains:
    records:
      description: How many records the version holds.
      type: int
      returned: always
      sample: 120
    created:
      description: Records written after the clone (records of the version that the current records lack).
      type: int
      returned: always
      sample: 3
    updated:
      description: Records whose expected output, metadata or tags were set to the version's.
      type: int
      returned: always
      sample: 1
    deleted:
      description: Records of the current version that the version did not hold, deleted from the copy.
      type: int
      returned: always
      sample: 5
    unchanged:
      description: Records of the version that the clone had already copied as they were.
      type: int
      returned: always
      sample: 116
status:
  description: HTTP status of the failed request.
  returned: failure, when Datadog answered with an error status
  type: int
  sample: 404
errors:
  description:
    - The raw C(errors) list of the failed response, in whichever of Datadog's two shapes it came
      (objects with C(title), C(detail), C(status) and C(source), or plain strings).
    - Empty when the body was empty or not JSON.
  returned: failure, when Datadog answered with an error status
  type: list
  elements: raw
  sample: [{"status": "404", "title": "Not Found", "detail": "dataset not found"}]
'''

from ansible_collections.llmobs.datadog.plugins.module_utils._clone import Cloning
from ansible_collections.llmobs.datadog.plugins.module_utils._datasets import dataset_facts
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import (
    dataset_finder,
    project_where,
    resolve_dataset,
    resolve_project,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._module import LLMObsModule
from ansible_collections.llmobs.datadog.plugins.module_utils._planned import Slot
from ansible_collections.llmobs.datadog.plugins.module_utils._state import NamedResource, ensure
from ansible_collections.llmobs.datadog.plugins.module_utils._validation import (
    check_description,
    check_name,
    check_wait_timeout,
)

DIFF_KEYS = ('name', 'description', 'metadata')
SERVER_ASSIGNED = ('id', 'metadata', 'current_version', 'created_at', 'updated_at')

# The clone speaks of cloning where the state engine speaks of creating (see _state.CREATE_TEXTS).
CLONE_TEXTS = dict(
    exists='Dataset {name!r} already exists {where} (id {id}); nothing to do.',
    would_create='Would clone {source} into {name!r} (check mode: nothing was sent).',
    created='Cloned {source} into {name!r} (id {id}).',
    written='Cloned {source} into {name!r} (id {id})',
    never_listed=('Cloned {source} into {name!r} (id {id}), but it was still missing from the dataset list '
                  'after {timeout}. A run started before it appears may clone it again; raise wait_timeout.'),
    kept_other='Dataset {name!r} already exists with another {fields}; this module does not update it.',
)


def check_options(params):
    check_name(params['name'], 'the name of the new dataset')
    check_description(params['description'])
    check_wait_timeout(params['wait_timeout'])
    if params['version'] is not None and params['version'] < 0:
        raise ValidationError('version must be a dataset version number, 0 or more (got %d).' % params['version'])


def run(task):
    """Look the new name up, then clone unless it exists (the state engine's create-only mode); the clone itself,
    the reads before it and the writes after it are _clone.Cloning's."""
    params = task.params
    project_id, project = resolve_project(task.api, params, task.plan)
    source_id, source = resolve_dataset(task.api, project_id, params, task.plan)
    where = project_where(params, project_id, project)
    cloning = Cloning(task, project_id, source_id, source, where)
    clone = NamedResource(
        'dataset', find=dataset_finder(task.api, project_id), facts=dataset_facts, create=cloning.create,
        diff_keys=DIFF_KEYS, server_assigned=SERVER_ASSIGNED, where=where,
        texts=CLONE_TEXTS, text_fields=dict(source=cloning.source_text),
        create_diff_extras=dict(source_dataset_id=source_id), check_mode_refusal=cloning.check_mode_refusal,
        summary_kind='clone', plan=Slot(task.plan, 'dataset', project_id, params['project_name'], cloning.origin()))
    result = dict(changed=False, project_id=project_id, source_dataset_id=source_id)
    desired = dict(description=params['description'], metadata=params['metadata'])
    return cloning.finish(ensure(task, clone, params['name'], desired, result, create_only=True))


MODULE = LLMObsModule(
    options=dict(
        name=dict(type='str', required=True),
        description=dict(type='str'),
        metadata=dict(type='dict'),
        version=dict(type='int'),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=30),
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
