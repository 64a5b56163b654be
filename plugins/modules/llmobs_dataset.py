#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: llmobs_dataset
short_description: Create, update or delete a Datadog LLM Observability dataset by name
version_added: 1.1.0
author:
  - llmobs.datadog maintainers (@llmobs)
description:
  - Makes sure that a dataset of a given name exists in a Datadog LLM Observability project, with the
    given description and metadata, or that it does not exist.
  - The name is the key within the project. It is looked up over every page of the project's datasets
    and compared exactly before anything is written. If several datasets have that name, the module
    fails and lists them.
  - Deleting a dataset deletes its records with it. Before a delete (also in check mode) the module counts
    them (every page of the records list, reads only) and returns the count in RV(contents), the message
    and the diff.
  - Only the given fields that differ are sent. Changing the description or metadata does not make a
    new dataset version. Use M(llmobs.datadog.llmobs_dataset_clone) to copy a dataset's records.
  - Uses preview endpoints of Datadog's API, which may change at Datadog's discretion.
extends_documentation_fragment:
  - llmobs.datadog.connection
  - llmobs.datadog.addressing.PROJECT
  - llmobs.datadog.attributes
  - llmobs.datadog.attributes.STATE
  - llmobs.datadog.attributes.ACTIONGROUP
options:
  name:
    description:
      - Name of the dataset in the project. Compared exactly (case and spaces count) with existing names.
      - Printable ASCII only, at most 255 characters, not blank and without leading or trailing spaces.
    type: str
    required: true
  description:
    description:
      - Description of the dataset. When the dataset exists and this is given and differs, it is updated;
        when not given, it is left as it is.
      - Ignored when O(state=absent).
    type: str
  metadata:
    description:
      - Metadata of the dataset, the whole desired object. Compared as data (key order does not matter);
        when it differs, it replaces the dataset's metadata. When not given, metadata is left as it is.
      - Ignored when O(state=absent).
    type: dict
  state:
    description:
      - V(present) creates the dataset when the project has none of this name, and updates the given fields
        that differ.
      - V(absent) deletes the dataset of this name, with its records, when there is one.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - Whether to wait, after a create or a delete, until the project's dataset list (looked up by name, as
        the next run will) shows the change, so that the next task or run does not create it again or find
        it still there.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait for the dataset list to show a create or a delete, when O(wait=true).
      - Also how long a create or delete that failed without a clear answer (HTTP 5xx, timeout, dropped
        connection) is looked for before it is sent again, so that it is never made twice.
      - From 1 to 3600.
    type: int
    default: 30
seealso:
  - module: llmobs.datadog.llmobs_dataset_info
  - module: llmobs.datadog.llmobs_dataset_clone
  - module: llmobs.datadog.llmobs_project
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

- name: Make sure the evaluation dataset exists
  llmobs.datadog.llmobs_dataset:
    project_name: demo-project
    name: eval-questions
    description: Questions the assistant must answer well
    metadata:
      owner: ml-platform
      source: tickets-2026-q4
  register: dataset

- name: Delete last month's working copy, with its records
  llmobs.datadog.llmobs_dataset:
    project_name: demo-project
    name: eval-questions-2026-10
    state: absent
  register: removed
  # removed.contents.records says how many records went with it
'''

RETURN = r'''
ansible_facts:
  description:
    - In check mode, when the dataset would be created, the plan of the dry run, so that later check-mode tasks of
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
  description:
    - What the module did or, in check mode, would do. A delete says how many records went (or would go)
      with the dataset.
  returned: always
  type: str
  sample: Dataset 'eval-questions' in project 'support-bot' (id a33671aa-24fd-4dcd-9b33-a8ec7dde7751) created (id 7c8d4e9a-1234-5678-9abc-def012345678).
summary:
  description:
    - >-
      What the task did (in check mode, would do) in one line for a pull request comment: C(dataset), the name,
      and what happened to it, one of C(created), C(would be created), C(description and metadata updated),
      C(unchanged), C(deleted) followed by what went with it (C(1,200 records)) or C(already absent).
    - The callback plugin C(llmobs.datadog.summary) shows it in a table at the end of the run (see the user guide).
  returned: success
  type: str
  sample: 'dataset eval-questions: description updated'
contents:
  description:
    - What the dataset held when O(state=absent) found it, counted before the delete, and so what went (or,
      in check mode, would go) with it.
    - Datadog gives no record count, so the module reads every page of the dataset's records.
    - The diff's C(before) holds the same count.
  returned: when O(state=absent) and the dataset exists
  type: dict
  sample: {"records": 1200}
  contains:
    records:
      description: How many records the dataset held (of its current version).
      type: int
      returned: when O(state=absent) and the dataset exists
      sample: 1200
project_id:
  description: The project of the dataset, as given in O(project_id) or found by O(project_name).
  returned: when the project is known
  type: str
  sample: a33671aa-24fd-4dcd-9b33-a8ec7dde7751
dataset:
  description:
    - The facts of the dataset after the run, or in check mode the predicted facts (V(null) where only the server knows).
    - With O(state=absent), the dataset that was (or would be) deleted, and V(null) when there was none.
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
      sample: eval-questions
    description:
      description: Description of the dataset.
      type: str
      returned: success
      sample: Questions the assistant must answer well
    metadata:
      description: Metadata of the dataset.
      type: dict
      returned: success
      sample: {"owner": "ml-platform"}
    current_version:
      description: Current version number of the dataset.
      type: int
      returned: success
      sample: 0
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
  sample: [{"status": "404", "title": "Not Found", "detail": "project not found"}]
'''

from ansible_collections.llmobs.datadog.plugins.module_utils._datasets import (
    DATASET_CONTENTS,
    dataset_contents,
    dataset_facts,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import dataset_finder, project_where, resolve_project
from ansible_collections.llmobs.datadog.plugins.module_utils._module import LLMObsModule
from ansible_collections.llmobs.datadog.plugins.module_utils._planned import Slot
from ansible_collections.llmobs.datadog.plugins.module_utils._state import Contents, NamedResource, ensure
from ansible_collections.llmobs.datadog.plugins.module_utils._validation import (
    check_description,
    check_name,
    check_wait_timeout,
)


def check_options(params):
    check_name(params['name'], 'the name of the dataset')
    check_description(params['description'])
    check_wait_timeout(params['wait_timeout'])


def run(task):
    params, datasets, timeout = task.params, task.api.datasets, task.params['wait_timeout']
    project_id, project = resolve_project(task.api, params, task.plan)
    dataset = NamedResource(
        'dataset', find=dataset_finder(task.api, project_id), facts=dataset_facts,
        create=lambda fields: datasets.create(project_id, fields['name'], fields.get('description'),
                                              fields.get('metadata'), timeout),
        update=lambda dataset_id, changes: datasets.update(project_id, dataset_id, changes),
        delete=lambda dataset_id: datasets.delete(project_id, dataset_id, timeout),
        diff_keys=('name', 'description', 'metadata'),
        server_assigned=('id', 'current_version', 'created_at', 'updated_at'),
        where=project_where(params, project_id, project),
        contents=Contents(lambda dataset_id: dataset_contents(task.api, project_id, dataset_id), DATASET_CONTENTS),
        plan=Slot(task.plan, 'dataset', project_id, params['project_name']))
    desired = dict(description=params['description'], metadata=params['metadata'])
    return ensure(task, dataset, params['name'], desired, dict(changed=False, project_id=project_id))


MODULE = LLMObsModule(
    options=dict(
        name=dict(type='str', required=True),
        description=dict(type='str'),
        metadata=dict(type='dict'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
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
