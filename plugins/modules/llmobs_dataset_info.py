#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: llmobs_dataset_info
short_description: List the datasets of a Datadog LLM Observability project
version_added: 1.1.0
author:
  - llmobs.datadog maintainers (@llmobs)
description:
  - Returns the facts of every dataset of a project, of those with an exact O(name), or of the one
    with O(dataset_id).
  - Reads every page of the project's dataset list, with the largest page the API serves.
  - Returns an empty list, not a failure, when no dataset matches O(name) or O(dataset_id). A project
    given by O(project_name) that does not exist is a failure.
  - Uses preview endpoints of Datadog's API, which may change at Datadog's discretion.
extends_documentation_fragment:
  - llmobs.datadog.connection
  - llmobs.datadog.addressing.PROJECT
  - llmobs.datadog.attributes
  - llmobs.datadog.attributes.INFO
  - llmobs.datadog.attributes.ACTIONGROUP
options:
  name:
    description:
      - Only the datasets with exactly this name (case and spaces count).
      - Mutually exclusive with O(dataset_id).
    type: str
  dataset_id:
    description:
      - Only the dataset with this ID.
      - Letters, digits, V(-) and V(_) only. Mutually exclusive with O(name).
    type: str
  draft_state:
    description:
      - Also read who is editing each dataset returned in Datadog's UI (its draft lock), into RV(datasets[].draft_state).
      - One more request per dataset returned.
    type: bool
    default: false
    version_added: 1.2.0
seealso:
  - module: llmobs.datadog.llmobs_dataset
  - module: llmobs.datadog.llmobs_dataset_clone
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

- name: Every dataset of the project
  llmobs.datadog.llmobs_dataset_info:
    project_name: demo-project
  register: datasets

- name: The names of last month's working copies
  ansible.builtin.debug:
    msg: "{{ datasets.datasets | map(attribute='name') | select('match', 'eval-2026-10') | list }}"

- name: One dataset by name
  llmobs.datadog.llmobs_dataset_info:
    project_name: demo-project
    name: capitals
  register: capitals

- name: Whether someone is editing it in Datadog's UI
  llmobs.datadog.llmobs_dataset_info:
    project_name: demo-project
    name: capitals
    draft_state: true
  register: capitals_draft

- name: Say who
  ansible.builtin.debug:
    msg: >-
      {{ 'nobody is editing capitals' if capitals_draft.datasets[0].draft_state is none else
         capitals_draft.datasets[0].draft_state.user.name ~ ' has been editing capitals since '
         ~ capitals_draft.datasets[0].draft_state.drafting_since }}
'''

RETURN = r'''
msg:
  description:
    - In check mode, when a project that an earlier task of the same run would create is named, says so; the
      answer is then empty.
  returned: in check mode, when a planned project is named
  type: str
  sample: "No datasets yet in project 'support-bot' (an earlier task of this run would create it) (check mode)."
project_id:
  description: The project of the datasets, as given in O(project_id) or found by O(project_name).
  returned: success
  type: str
  sample: a33671aa-24fd-4dcd-9b33-a8ec7dde7751
datasets:
  description: The facts of the matching datasets, newest first; empty when none matches.
  returned: success
  type: list
  elements: dict
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
      sample: 3
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
    draft_state:
      description:
        - Who is editing the dataset in Datadog's UI (holds its draft lock) and since when; V(null) when nobody is.
        - A lock that this API key's user holds (taken by M(llmobs.datadog.llmobs_dataset_records) with
          O(llmobs.datadog.llmobs_dataset_records#module:lock=true)) shows here too.
      type: dict
      returned: when O(draft_state=true)
      version_added: 1.2.0
      sample: {"user": {"id": "00000000-0000-0000-0000-000000000010", "name": "Jane Doe",
               "email": "jane.doe@example.com", "handle": "jane.doe@example.com"},
               "drafting_since": "2026-12-01T10:30:00Z"}
      contains:
        user:
          description: The user who holds the draft, as Datadog gives it (C(id), C(name), C(email), C(handle)).
          type: dict
          returned: when someone holds the draft
          sample: {"id": "00000000-0000-0000-0000-000000000010", "name": "Jane Doe", "email": "jane.doe@example.com"}
        drafting_since:
          description: Since when (ISO 8601).
          type: str
          returned: when someone holds the draft
          sample: '2026-12-01T10:30:00Z'
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

from ansible_collections.llmobs.datadog.plugins.module_utils._datasets import dataset_facts
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import project_where, resolve_project
from ansible_collections.llmobs.datadog.plugins.module_utils._module import LLMObsModule
from ansible_collections.llmobs.datadog.plugins.module_utils._planned import is_planned
from ansible_collections.llmobs.datadog.plugins.module_utils._validation import check_id, check_name


def check_options(params):
    if params['name'] is not None:
        check_name(params['name'], 'the name of the dataset')
    if params['dataset_id'] is not None:
        check_id(params['dataset_id'], 'dataset_id')


def run(task):
    datasets, params = task.api.datasets, task.params
    project_id, project = resolve_project(task.api, params, task.plan)
    if is_planned(project):
        return dict(changed=False, project_id=None, datasets=[],
                    msg='No datasets yet %s (check mode).' % project_where(params, project_id, project))
    if params['dataset_id'] is not None:
        dataset = datasets.get(project_id, params['dataset_id'])
        found = [dataset] if dataset is not None else []
    elif params['name'] is not None:
        found = datasets.find_by_name(project_id, params['name'])
    else:
        found = datasets.list(project_id)
    facts = [dataset_facts(item) for item in found]
    if params['draft_state']:
        for each in facts:  # a dataset listed without an id (never seen) has no draft state to ask for
            each['draft_state'] = task.api.versions.draft_state(project_id, each['id']) if each['id'] else None
    return dict(changed=False, project_id=project_id, datasets=facts)


MODULE = LLMObsModule(
    options=dict(name=dict(type='str'), dataset_id=dict(type='str'), draft_state=dict(type='bool', default=False)),
    addresses=('project',),
    mutually_exclusive=[['name', 'dataset_id']],
    check_options=check_options,
    run=run,
)


def main():
    MODULE.main()


if __name__ == '__main__':
    main()
