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
  - Deleting a project deletes its datasets and their records with it. Before a delete (also in check
    mode) the module counts them (every page of the project's datasets and of each one's records, reads
    only) and returns the counts in RV(contents). A project that still holds datasets is deleted only
    with O(force=true); otherwise the task fails, naming the counts, and nothing is written.
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
      - V(absent) deletes the project of this name when there is one. When it still holds datasets, it is
        deleted (with them) only with O(force=true).
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - With O(state=absent), whether to delete a project that still holds datasets, and with it every one
        of its datasets and their records. This cannot be undone.
      - When V(false) and the project holds one dataset or more, the task fails before any write (in check
        mode too), naming how many datasets and records would go; delete the datasets first, or set
        O(force=true). A project that holds no dataset is deleted either way.
      - Ignored when O(state=present).
    type: bool
    default: false
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
# Connection: keys from DD_API_KEY and DD_APP_KEY, site from DD_SITE, or set once in the play's
# module_defaults. Against the local emulator (ansible-playbook llmobs.datadog.emulator), whose demo
# data these examples use, the play sets:
#   module_defaults:
#     group/llmobs.datadog.llmobs:
#       api_url: http://127.0.0.1:8126
#       api_key: local-api-key
#       app_key: local-app-key

- name: Make sure the project exists
  llmobs.datadog.llmobs_project:
    name: support-bot
    description: Evaluation datasets of the support assistant
  register: project

- name: Remove an empty project (fails, naming the counts, if it still holds datasets)
  llmobs.datadog.llmobs_project:
    name: scratch-experiments
    state: absent

- name: Remove a project with all its datasets and their records
  llmobs.datadog.llmobs_project:
    name: scratch-experiments
    state: absent
    force: true
  register: removed
  # removed.contents says what went, e.g. {"datasets": 7, "records": 40000}
'''

RETURN = r'''
msg:
  description:
    - What the module did or, in check mode, would do. A delete says how many datasets and records went
      (or would go) with the project.
  returned: always
  type: str
  sample: Project 'support-bot' created (id 00000000-0000-0000-0000-000000000002).
summary:
  description:
    - >-
      What the task did (in check mode, would do) in one line for a pull request comment: C(project), the name,
      and what happened to it, one of C(created), C(would be created), C(description updated), C(unchanged),
      C(deleted) followed by what went with it (C(3 datasets, 200 records)) or C(already absent).
    - The callback plugin C(llmobs.datadog.summary) shows it in a table at the end of the run (see the user guide).
  returned: success
  type: str
  sample: 'project support-bot: created'
contents:
  description:
    - What the project held when O(state=absent) found it, counted before the delete, and so what went (or,
      in check mode or when the delete is refused without O(force), would go) with it.
    - Datadog gives no counts, so the module lists every dataset of the project and every record of each.
    - The diff's C(before) holds the same counts.
  returned: when O(state=absent) and the project exists (also when the delete is refused for want of O(force))
  type: dict
  sample: {"datasets": 7, "records": 40000}
  contains:
    datasets:
      description: How many datasets the project held.
      type: int
      returned: when O(state=absent) and the project exists
      sample: 7
    records:
      description: How many records those datasets held in all (of each dataset's current version).
      type: int
      returned: when O(state=absent) and the project exists
      sample: 40000
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
from ansible_collections.llmobs.datadog.plugins.module_utils._projects import (
    PROJECT_CONTENTS,
    project_contents,
    project_facts,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._state import Contents, NamedResource, ensure
from ansible_collections.llmobs.datadog.plugins.module_utils._validation import (
    check_description,
    check_name,
    check_wait_timeout,
)


def check_options(params):
    check_name(params['name'], 'the name of the project')
    check_description(params['description'])
    check_wait_timeout(params['wait_timeout'])


def run(task):
    projects, timeout = task.api.projects, task.params['wait_timeout']
    project = NamedResource(
        'project', find=projects.find_by_name, facts=project_facts,
        create=lambda fields: projects.create(fields['name'], fields.get('description'), timeout),
        update=projects.update,
        delete=lambda project_id: projects.delete(project_id, timeout),
        diff_keys=('name', 'description'), server_assigned=('id', 'created_at', 'updated_at'),
        contents=Contents(lambda project_id: project_contents(task.api, project_id), PROJECT_CONTENTS,
                          guarded='datasets'))
    return ensure(task, project, task.params['name'], dict(description=task.params['description']), dict(changed=False))


MODULE = LLMObsModule(
    options=dict(
        name=dict(type='str', required=True),
        description=dict(type='str'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        force=dict(type='bool', default=False),
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
