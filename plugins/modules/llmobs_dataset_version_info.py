#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: llmobs_dataset_version_info
short_description: List the versions of a Datadog LLM Observability dataset
version_added: 1.2.0
author:
  - llmobs.datadog maintainers (@llmobs)
description:
  - Returns the versions of a dataset as Datadog lists them, newest first, with the dataset's facts (its
    current version among them).
  - Each version carries its number and when an experiment last used it, and its record count and creation time
    where the API gives them (V(null) otherwise). Nothing is computed; the versions are the ones the server lists.
  - Datadog keeps old versions for 90 days, then they expire and are no longer listed.
  - With O(version), returns only that version, and fails when the dataset has no such version (or it has
    expired), naming the versions it has.
  - Uses preview endpoints of Datadog's API, which may change at Datadog's discretion.
extends_documentation_fragment:
  - llmobs.datadog.connection
  - llmobs.datadog.addressing.PROJECT
  - llmobs.datadog.addressing.DATASET
  - llmobs.datadog.attributes
  - llmobs.datadog.attributes.INFO
  - llmobs.datadog.attributes.ACTIONGROUP
options:
  version:
    description:
      - Only this version of the dataset, 0 or more.
      - The module fails when the dataset has no such version, or when it has expired (Datadog keeps old versions
        for 90 days), with a message that names the versions the dataset has.
    type: int
notes:
  - In check mode, a dataset that an earlier task of the same run would create has no versions yet. The module then
    returns an empty RV(versions) and says so in RV(msg), rather than failing.
seealso:
  - module: llmobs.datadog.llmobs_dataset_info
  - module: llmobs.datadog.llmobs_dataset_records_info
  - module: llmobs.datadog.llmobs_dataset_records
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

- name: Every version of the capitals dataset
  llmobs.datadog.llmobs_dataset_version_info:
    project_name: demo-project
    dataset_name: capitals
  register: capitals_versions

- name: The version numbers, newest first, and the current one
  ansible.builtin.debug:
    msg: >-
      versions {{ capitals_versions.versions | map(attribute='version') | join(', ') }};
      current {{ capitals_versions.dataset.current_version }}

- name: Make sure that version 0 is still there (fails, naming the versions there are, when it has expired)
  llmobs.datadog.llmobs_dataset_version_info:
    project_name: demo-project
    dataset_name: capitals
    version: 0
  register: first_version
'''

RETURN = r'''
msg:
  description:
    - In check mode, when a dataset (or project) that an earlier task of the same run would create is named, says so;
      RV(versions) is then empty.
  returned: in check mode, when a planned dataset is named
  type: str
  sample: "Dataset 'eval-questions' (an earlier task of this run would create it) has no versions yet (check mode)."
project_id:
  description:
    - The project of the dataset, as given in O(project_id) or found by O(project_name).
    - V(null) in check mode when an earlier task of the run would create the project.
  returned: success
  type: str
  sample: a33671aa-24fd-4dcd-9b33-a8ec7dde7751
versions:
  description:
    - The versions of the dataset as Datadog lists them, newest first; only O(version) when it is given.
    - Also returned when the task fails because O(version) is not listed, so that a task with C(ignore_errors) can
      pick another one.
  returned: success, and on failure when O(version) is not listed
  type: list
  elements: dict
  contains:
    version:
      description: The version number.
      type: int
      returned: success
      sample: 3
    id:
      description: The ID Datadog gives the version.
      type: str
      returned: success
      sample: 4ee7c6f1-9a01-5c2d-b8e1-6c95ef43a123
    last_used:
      description: When an experiment last used the version (ISO 8601), V(null) when none has.
      type: str
      returned: success
      sample: '2026-12-01T10:30:00Z'
    created_at:
      description: When the version was made (ISO 8601), V(null) when the API does not give it.
      type: str
      returned: success
      sample: '2026-11-25T10:30:00Z'
    record_count:
      description: How many records the version holds, V(null) when the API does not give it.
      type: int
      returned: success
      sample: 1000
dataset:
  description:
    - The facts of the dataset, as M(llmobs.datadog.llmobs_dataset_info) returns them, with its current version.
    - In check mode, for a dataset that an earlier task of the run would create, its name with RV(dataset.id),
      RV(dataset.current_version) and the other server-assigned fields V(null).
  returned: success
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
      description: Current version number of the dataset, as the server reports it.
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

from ansible_collections.llmobs.datadog.plugins.module_utils._datasets import dataset_facts
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError, ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import (
    dataset_label,
    project_where,
    resolve_dataset,
    resolve_project,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._module import LLMObsModule
from ansible_collections.llmobs.datadog.plugins.module_utils._planned import is_planned
from ansible_collections.llmobs.datadog.plugins.module_utils._text import capitalized
from ansible_collections.llmobs.datadog.plugins.module_utils._versions import version_numbers_text


def check_options(params):
    if params['version'] is not None and params['version'] < 0:
        raise ValidationError('version must be a dataset version number, 0 or more (got %d).' % params['version'])


def run(task):
    params, api, number = task.params, task.api, task.params['version']
    project_id, project = resolve_project(api, params, task.plan)
    dataset_id, found = resolve_dataset(api, project_id, params, task.plan)
    label = dataset_label(params, dataset_id, found)
    result = dict(changed=False, project_id=project_id, versions=[])
    if is_planned(found):  # check mode: an earlier task would create it; the server numbers its versions then
        result.update(dataset=dataset_facts(found), msg='%s has no versions yet (check mode).' % capitalized(label))
        return result
    found = found or api.datasets.get(project_id, dataset_id)
    if found is None:
        raise LLMObsError('%s was not found %s. Check %s and dataset_id.' % (
            capitalized(label), project_where(params, project_id, project),
            'project_id' if params['project_id'] is not None else 'project_name'), project_id=project_id)
    if number is None:
        listed = api.versions.list(project_id, dataset_id)
    else:
        version, every = api.versions.find(project_id, dataset_id, number)
        if version is None:
            raise LLMObsError('%s has no version %d (given as version): its versions are %s (Datadog keeps old '
                              'versions for 90 days, then they expire).'
                              % (capitalized(label), number, version_numbers_text(every)),
                              project_id=project_id, versions=every)
        listed = [version]
    result.update(dataset=dataset_facts(found), versions=listed)
    return result


MODULE = LLMObsModule(
    options=dict(version=dict(type='int')),
    addresses=('project', 'dataset'),
    check_options=check_options,
    run=run,
)


def main():
    MODULE.main()


if __name__ == '__main__':
    main()
