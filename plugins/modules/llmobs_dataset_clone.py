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
    a new name, in the same project.
  - The name of the new dataset is the key. If a dataset of that name already exists in the
    project, nothing is sent and its facts are returned; the existing dataset is not modified.
    If several datasets have that name, the module fails and lists them.
  - Uses the preview endpoint C(POST /api/v2/llm-obs/v1/{project_id}/datasets/{dataset_id}/clone).
    Preview endpoints may change at Datadog's discretion.
extends_documentation_fragment:
  - llmobs.datadog.connection
  - llmobs.datadog.addressing.PROJECT
  - llmobs.datadog.attributes
  - llmobs.datadog.attributes.ACTIONGROUP
attributes:
  check_mode:
    support: full
    details:
      - Makes every read and no write. It also confirms that the source dataset exists, so a dry
        run fails where the real run would.
  diff_mode:
    support: full
  idempotent:
    support: full
    details:
      - Keyed on O(name), compared exactly across every page of the project's datasets.
      - Datadog's reads lag behind its writes by a few seconds. With O(wait=true) (the default)
        the module returns only once the new dataset is listed, so the next run sees it.
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

- name: Show the new dataset's id
  ansible.builtin.debug:
    msg: "{{ clone.dataset.id }}"

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
      what happened to it, one of C(created), C(would be created) or C(already exists).
    - The callback plugin C(llmobs.datadog.summary) shows it in a table at the end of the run (see the user guide).
  returned: success
  type: str
  sample: 'clone capitals-v2: would be created'
dataset:
  description:
    - The facts of the dataset named O(name), whether it was just cloned or already existed.
    - In check mode, when the dataset would be created, the predicted facts, with RV(dataset.id) and the
      server-assigned fields V(null).
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
      description: Arbitrary metadata of the dataset.
      type: dict
      returned: success
      sample: null
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

from ansible_collections.llmobs.datadog.plugins.module_utils._datasets import dataset_facts
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import (
    dataset_finder,
    dataset_label,
    project_where,
    records_origin,
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

DIFF_KEYS = ('name', 'description')
SERVER_ASSIGNED = ('id', 'metadata', 'current_version', 'created_at', 'updated_at')

# The clone speaks of cloning where the state engine speaks of creating (see _state.CREATE_TEXTS).
CLONE_TEXTS = dict(
    exists='Dataset {name!r} already exists {where} (id {id}); nothing to do.',
    would_create='Would clone {source} into {name!r} (check mode: nothing was sent).',
    created='Cloned {source} into {name!r} (id {id}).',
    written='Cloned {source} into {name!r} (id {id})',
    never_listed=('Cloned {source} into {name!r} (id {id}), but it was still missing from the dataset list '
                  'after {timeout} seconds. A run started before it appears may clone it again; raise wait_timeout.'),
    kept_other='Dataset {name!r} already exists with another {fields}; this module does not update it.',
)


def check_options(params):
    check_name(params['name'], 'the name of the new dataset')
    check_description(params['description'])
    check_wait_timeout(params['wait_timeout'])


def run(task):
    """Look the new name up, then clone unless it exists (the state engine's create-only mode)."""
    params, datasets = task.params, task.api.datasets
    project_id, project = resolve_project(task.api, params, task.plan)
    source_id, source = resolve_dataset(task.api, project_id, params, task.plan)
    where = project_where(params, project_id, project)

    def source_missing():
        # A dry run fails where the real run would: the source must exist (already known when found by name).
        if source is None and datasets.get(project_id, source_id) is None:
            return ('Source dataset %s was not found %s: there is nothing to clone. Check %s and dataset_id.'
                    % (source_id, where, 'project_id' if params['project_id'] is not None else 'project_name'))
        return None

    clone = NamedResource(
        'dataset', find=dataset_finder(task.api, project_id), facts=dataset_facts,
        create=lambda fields: datasets.clone(project_id, source_id, fields['name'], fields.get('description'),
                                             params['wait_timeout']),
        diff_keys=DIFF_KEYS, server_assigned=SERVER_ASSIGNED, where=where,
        texts=CLONE_TEXTS, text_fields=dict(source=dataset_label(params, source_id, source)),
        create_diff_extras=dict(source_dataset_id=source_id), check_mode_refusal=source_missing, summary_kind='clone',
        plan=Slot(task.plan, 'dataset', project_id, params['project_name'], records_origin(project_id, source_id, source)))
    result = dict(changed=False, project_id=project_id, source_dataset_id=source_id)
    return ensure(task, clone, params['name'], dict(description=params['description']), result, create_only=True)


MODULE = LLMObsModule(
    options=dict(
        name=dict(type='str', required=True),
        description=dict(type='str'),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=30),
    ),
    addresses=('project', 'dataset'),
    check_options=check_options,
    run=run,
)


def main():
    MODULE.main()


if __name__ == '__main__':
    main()
