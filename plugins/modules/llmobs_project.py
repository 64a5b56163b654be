#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: llmobs_project
short_description: Create, update or delete a Datadog LLM Observability project by name
version_added: 1.1.0
author:
  - llmobs.datadog maintainers (@llmobs)
description:
  - Makes sure that a Datadog LLM Observability project of a given name exists, with the given
    description, or that it does not exist.
  - The name is the key. It is looked up over every page of the project list and compared exactly
    before anything is written. If several projects have that name, the module fails and lists them.
  - Datadog's create request returns an existing project of the same name instead of making a second
    one; the module still looks first, so that check mode and RV(ignore:changed) are honest.
  - Uses preview endpoints of Datadog's API, which may change at Datadog's discretion.
extends_documentation_fragment:
  - llmobs.datadog.connection
  - llmobs.datadog.attributes
  - llmobs.datadog.attributes.STATE
  - llmobs.datadog.attributes.ACTIONGROUP
options:
  name:
    description:
      - Name of the project. Compared exactly (case and spaces count) with existing names.
      - Printable ASCII only, at most 255 characters, not blank and without leading or trailing spaces.
    type: str
    required: true
  description:
    description:
      - Description of the project.
      - When the project exists and O(description) is given and differs, the description is updated.
        When not given, an existing description is left as it is.
      - Ignored when O(state=absent).
    type: str
  state:
    description:
      - V(present) creates the project when no project has this name, and updates its description when it differs.
      - V(absent) deletes the project of this name when there is one, with all its datasets.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - Whether to wait, after a create or a delete, until the project list (looked up by name, as the
        next run will) shows the change, so that a run started right after sees it.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait for the project list to show a create or a delete, when O(wait=true).
      - Also how long a create or delete that failed without a clear answer (HTTP 5xx, timeout, dropped
        connection) is looked for before it is sent again, so that it is never made twice.
      - From 1 to 3600.
    type: int
    default: 30
seealso:
  - module: llmobs.datadog.llmobs_project_info
  - module: llmobs.datadog.llmobs_dataset
'''

EXAMPLES = r'''
- name: Make sure the project exists
  llmobs.datadog.llmobs_project:
    name: support-bot
    description: Evaluation datasets of the support assistant
  register: project

- name: Remove a project and all its datasets
  llmobs.datadog.llmobs_project:
    name: scratch-experiments
    state: absent

# The local emulator (ansible-playbook llmobs.datadog.emulator) accepts any keys.
- name: Rehearse against the local emulator
  llmobs.datadog.llmobs_project:
    api_url: http://127.0.0.1:8126
    api_key: local-emulator-api-key
    app_key: local-emulator-app-key
    name: rehearsal-project
'''

RETURN = r'''
msg:
  description: What the module did or, in check mode, would do.
  returned: always
  type: str
  sample: Project 'support-bot' created (id 00000000-0000-0000-0000-000000000002).
project:
  description:
    - The facts of the project after the run, or in check mode the predicted facts (V(null) where only the server knows).
    - With O(state=absent), the project that was (or would be) deleted, and V(null) when there was none.
  returned: success
  type: dict
  contains:
    id:
      description: ID of the project.
      type: str
      returned: success
      sample: 00000000-0000-0000-0000-000000000002
    name:
      description: Name of the project.
      type: str
      returned: success
      sample: support-bot
    description:
      description: Description of the project.
      type: str
      returned: success
      sample: Evaluation datasets of the support assistant
    created_at:
      description: When the project was created (ISO 8601).
      type: str
      returned: success
      sample: '2026-11-25T10:30:00+00:00'
    updated_at:
      description: When the project was last updated (ISO 8601).
      type: str
      returned: success
      sample: '2026-11-25T10:30:00+00:00'
status:
  description: HTTP status of the failed request.
  returned: failure, when Datadog answered with an error status
  type: int
  sample: 403
errors:
  description: The raw C(errors) list of the failed response, in whichever of Datadog's two shapes it came.
  returned: failure, when Datadog answered with an error status
  type: list
  elements: raw
  sample: [{"status": "403", "title": "Forbidden", "detail": "Forbidden"}]
'''

from ansible_collections.llmobs.datadog.plugins.module_utils._module import LLMObsModule
from ansible_collections.llmobs.datadog.plugins.module_utils._projects import project_facts
from ansible_collections.llmobs.datadog.plugins.module_utils._state import Managed, ensure
from ansible_collections.llmobs.datadog.plugins.module_utils._validation import (
    check_description,
    check_name,
    check_wait_timeout,
)


def check_options(params):
    check_name(params['name'], what='the name of the project')
    check_description(params['description'])
    check_wait_timeout(params['wait_timeout'])


def run(task):
    projects, timeout = task.api.projects, task.params['wait_timeout']
    managed = Managed(
        'project', find=projects.find_by_name, facts=project_facts,
        create=lambda fields: projects.create(fields['name'], fields.get('description'), timeout),
        update=projects.update,
        delete=lambda project_id: projects.delete(project_id, timeout),
        diff_keys=('name', 'description'), server_assigned=('id', 'created_at', 'updated_at'))
    return ensure(task, managed, task.params['name'], dict(description=task.params['description']), dict(changed=False))


MODULE = LLMObsModule(
    options=dict(
        name=dict(type='str', required=True),
        description=dict(type='str'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=30),
    ),
    check_options=check_options,
    run=run,
)


def main():
    MODULE.main()


if __name__ == '__main__':
    main()
