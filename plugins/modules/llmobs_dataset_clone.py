#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: llmobs_dataset_clone
short_description: Clone a Datadog LLM Observability dataset into a new dataset
version_added: 1.0.0
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
  - llmobs.datadog.connection.ATTRIBUTES
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
  project_id:
    description:
      - ID of the LLM Observability project that holds the source dataset and will hold the new one.
      - Letters, digits, V(-) and V(_) only.
    type: str
    required: true
  dataset_id:
    description:
      - ID of the source dataset to clone.
      - Letters, digits, V(-) and V(_) only.
    type: str
    required: true
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
- name: Clone a dataset (keys from DD_API_KEY and DD_APP_KEY)
  llmobs.datadog.llmobs_dataset_clone:
    project_id: a33671aa-24fd-4dcd-9b33-a8ec7dde7751
    dataset_id: 9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d
    name: capitals-v2
    description: Working copy for the prompt experiment
  register: clone

- name: Show the new dataset's id
  ansible.builtin.debug:
    msg: "{{ clone.dataset.id }}"

- name: Set the connection once for every module of the collection
  module_defaults:
    group/llmobs.datadog.llmobs:
      site: datadoghq.eu
      api_key: "{{ vault_datadog_api_key }}"
      app_key: "{{ vault_datadog_app_key }}"
  block:
    - name: Clone the evaluation set for this release
      llmobs.datadog.llmobs_dataset_clone:
        project_id: a33671aa-24fd-4dcd-9b33-a8ec7dde7751
        dataset_id: 9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d
        name: "eval-{{ release }}"

- name: Rehearse against a local emulator, without waiting
  llmobs.datadog.llmobs_dataset_clone:
    api_url: http://127.0.0.1:8126
    api_key: demo
    app_key: demo
    project_id: demo-project
    dataset_id: demo-dataset
    name: rehearsal
    wait: false
'''

RETURN = r'''
msg:
  description: What the module did.
  returned: always
  type: str
  sample: Cloned dataset 9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d into 'capitals-v2' (id 7c8d4e9a-1234-5678-9abc-def012345678).
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
  description: The project of the datasets, as given in O(project_id).
  returned: always
  type: str
  sample: a33671aa-24fd-4dcd-9b33-a8ec7dde7751
source_dataset_id:
  description: The source dataset, as given in O(dataset_id).
  returned: always
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

import re

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.llmobs.datadog.plugins.module_utils._client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    LLMObsClient,
    dataset_facts,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._connection import (
    connection_argument_spec,
    connection_settings,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError, ValidationError

# Ids go into the request path: plain tokens only, so that nothing can change the path.
ID_PATTERN = re.compile(r'^[A-Za-z0-9_-]+\Z')
ID_MAX_LENGTH = 128
NAME_MAX_LENGTH = 255
WAIT_TIMEOUT_MAX = 3600
_CONTROL_CHARS = re.compile(r'[\x00-\x1f\x7f-\x9f]')
_PRINTABLE_ASCII = re.compile(r'^[\x20-\x7e]+\Z')


def check_id(value, option):
    if value is None or not value.strip():
        raise ValidationError('%s must not be blank.' % option)
    if not ID_PATTERN.match(value):
        raise ValidationError(
            "%s must contain only letters, digits, '-' and '_' (got %r): characters such as '/', '?', '#', "
            "'%%', '.' or spaces would change the request path." % (option, value))
    if len(value) > ID_MAX_LENGTH:
        raise ValidationError('%s must be at most %d characters long (got %d).' % (option, ID_MAX_LENGTH, len(value)))
    return value


def check_name(value):
    if value is None or not value.strip():
        raise ValidationError('name must not be blank: give the name of the new dataset.')
    if value != value.strip():
        raise ValidationError('name must not start or end with spaces (got %r): names are compared exactly.' % value)
    if _CONTROL_CHARS.search(value):
        raise ValidationError('name must not contain control characters such as line breaks or tabs (got %r).' % value)
    if not _PRINTABLE_ASCII.match(value):
        # Names are the idempotency key and are compared byte for byte: the same accented name can be
        # written in several Unicode forms, and a run that wrote it another way would clone again.
        raise ValidationError('name must use printable ASCII characters only (got %r): names are compared exactly, '
                              'and non-ASCII text can look the same in different encodings.' % value)
    if len(value) > NAME_MAX_LENGTH:
        raise ValidationError('name must be at most %d characters long (got %d).' % (NAME_MAX_LENGTH, len(value)))
    return value


def check_description(value):
    if value is not None and _CONTROL_CHARS.search(value.replace('\n', '').replace('\t', '')):
        raise ValidationError('description must not contain control characters other than line breaks and tabs.')
    return value


def check_module_options(params):
    """Every check of the module's own options; raises ValidationError before any request."""
    check_id(params['project_id'], 'project_id')
    check_id(params['dataset_id'], 'dataset_id')
    check_name(params['name'])
    check_description(params['description'])
    if params['wait_timeout'] is None or not 0 < params['wait_timeout'] <= WAIT_TIMEOUT_MAX:
        raise ValidationError('wait_timeout must be a whole number of seconds from 1 to %d (got %r).'
                              % (WAIT_TIMEOUT_MAX, params['wait_timeout']))


def predicted_dataset(params):
    return dict(id=None, name=params['name'], description=params['description'], metadata=None,
                current_version=None, created_at=None, updated_at=None)


def clone_diff(params, existing=None):
    after = dict(state='present', name=params['name'], description=params['description'],
                 source_dataset_id=params['dataset_id'])
    if existing is None:
        return dict(before=dict(state='absent'), after=after)
    present = dict(state='present', name=existing['name'], description=existing['description'])
    return dict(before=present, after=present)


def run(module, client):
    """Look the name up, then clone unless it exists. Returns the result; raises LLMObsError."""
    params = module.params
    project_id, source_id, name = params['project_id'], params['dataset_id'], params['name']
    result = dict(changed=False, project_id=project_id, source_dataset_id=source_id)

    matches = client.find_datasets_by_name(project_id, name)
    if len(matches) > 1:
        raise LLMObsError(
            'Several datasets named %r exist in project %s (ids: %s); the module cannot tell which one is meant. '
            'Rename or delete the extra ones.' % (name, project_id, ', '.join(str(m.get('id')) for m in matches)),
            **result)
    if matches:
        existing = dataset_facts(matches[0])
        if params['description'] is not None and existing['description'] != params['description']:
            module.warn('Dataset %r already exists with another description; this module does not update it.' % name)
        result.update(msg='Dataset %r already exists in project %s (id %s); nothing to do.'
                      % (name, project_id, existing['id']), dataset=existing)
        if module._diff:
            result['diff'] = clone_diff(params, existing)
        return result

    result['changed'] = True
    if module._diff:
        result['diff'] = clone_diff(params)

    if module.check_mode:
        if client.find_dataset(project_id, source_id) is None:
            raise LLMObsError('Source dataset %s was not found in project %s: there is nothing to clone. '
                              'Check project_id and dataset_id.' % (source_id, project_id),
                              changed=False, project_id=project_id, source_dataset_id=source_id)
        result.update(msg='Would clone dataset %s into %r (check mode: nothing was sent).' % (source_id, name),
                      dataset=predicted_dataset(params))
        return result

    def find_clone():
        found = client.find_datasets_by_name(project_id, name)
        return found[0] if found else None

    created = client.write_once(
        'Cloning dataset %s into %r' % (source_id, name),
        send=lambda: client.clone_dataset(project_id, source_id, name, params['description']),
        find_result=find_clone,
        settle_timeout=params['wait_timeout'],
    )
    dataset = dataset_facts(created)
    result.update(dataset=dataset, msg='Cloned dataset %s into %r (id %s).' % (source_id, name, dataset['id']))

    if params['wait']:
        # Wait on the same lookup the next run will make, so that it is sure to find the clone.
        def listed_with_clone():
            named = client.find_datasets_by_name(project_id, name)
            return named if any(item.get('id') == dataset['id'] for item in named) else None

        listed = client.poll(listed_with_clone, params['wait_timeout'])
        if listed is None:
            raise LLMObsError(
                'Cloned dataset %s into %r (id %s), but it was still missing from the dataset list after %d seconds. '
                'A run started before it appears may clone it again; raise wait_timeout.'
                % (source_id, name, dataset['id'], params['wait_timeout']), **result)
        others = [str(item.get('id')) for item in listed if item.get('id') != dataset['id']]
        if others:
            module.warn('Another dataset named %r appeared at the same time (ids: %s), most likely made by a run '
                        'in parallel. Delete the extra ones: until one is left, runs fail.' % (name, ', '.join(others)))
    return result


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(
        project_id=dict(type='str', required=True),
        dataset_id=dict(type='str', required=True),
        name=dict(type='str', required=True),
        description=dict(type='str'),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=30),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)

    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)

    try:
        check_module_options(module.params)
        settings = connection_settings(module.params)
        result = run(module, LLMObsClient(settings, warn=module.warn))
    except LLMObsError as exc:
        module.fail_json(**dict(exc.result_extras, msg=exc.message))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
