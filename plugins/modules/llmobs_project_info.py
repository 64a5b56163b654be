#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: llmobs_project_info
short_description: List Datadog LLM Observability projects
version_added: 1.1.0
author:
  - llmobs.datadog maintainers (@llmobs)
description:
  - Returns the facts of every LLM Observability project of the organisation, of those with an exact
    O(name), or of the one with O(project_id).
  - Reads every page of the project list, with the largest page the API serves.
  - Returns an empty list, not a failure, when no project matches.
  - Uses preview endpoints of Datadog's API, which may change at Datadog's discretion.
extends_documentation_fragment:
  - llmobs.datadog.connection
  - llmobs.datadog.attributes
  - llmobs.datadog.attributes.INFO
  - llmobs.datadog.attributes.ACTIONGROUP
options:
  name:
    description:
      - Only the projects with exactly this name (case and spaces count).
      - Mutually exclusive with O(project_id).
    type: str
  project_id:
    description:
      - Only the project with this ID.
      - Letters, digits, V(-) and V(_) only. Mutually exclusive with O(name).
    type: str
seealso:
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

- name: Every project
  llmobs.datadog.llmobs_project_info:
  register: all_projects

- name: The project called demo-project
  llmobs.datadog.llmobs_project_info:
    name: demo-project
  register: found

- name: Its id, when there is exactly one
  ansible.builtin.debug:
    msg: "{{ found.projects[0].id }}"
  when: found.projects | length == 1
'''

RETURN = r'''
projects:
  description: The facts of the matching projects, newest first; empty when none matches.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: ID of the project.
      type: str
      returned: success
      sample: a33671aa-24fd-4dcd-9b33-a8ec7dde7751
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
from ansible_collections.llmobs.datadog.plugins.module_utils._validation import check_id, check_name


def check_options(params):
    if params['name'] is not None:
        check_name(params['name'], 'the name of the project')
    if params['project_id'] is not None:
        check_id(params['project_id'], 'project_id')


def run(task):
    projects, params = task.api.projects, task.params
    if params['project_id'] is not None:
        project = projects.get(params['project_id'])
        found = [project] if project is not None else []
    elif params['name'] is not None:
        found = projects.find_by_name(params['name'])
    else:
        found = projects.list()
    return dict(changed=False, projects=[project_facts(item) for item in found])


MODULE = LLMObsModule(
    options=dict(name=dict(type='str'), project_id=dict(type='str')),
    mutually_exclusive=[['name', 'project_id']],
    check_options=check_options,
    run=run,
)


def main():
    MODULE.main()


if __name__ == '__main__':
    main()
