#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: llmobs_prompt_info
short_description: Read prompts of the Datadog LLM Observability prompt registry, their versions and templates
version_added: 1.2.0
author:
  - llmobs.datadog maintainers (@llmobs)
description:
  - Returns the metadata of every prompt of the prompt registry, or of the one with the exact O(prompt_id) (an
    empty list, not a failure, when there is none).
  - With O(prompt_id), also returns the prompt's versions (newest first, with their labels) and one version in
    full, with its template and config, the latest by default, or the one given by O(version) or O(label).
    Versions made so recently that Datadog's versions list does not show them yet (it lags behind writes) are
    read by their numbers and included.
  - A O(version) or O(label) that the prompt does not have is a failure that names the versions or labels it has.
  - Uses preview endpoints of Datadog's API, which may change at Datadog's discretion.
extends_documentation_fragment:
  - llmobs.datadog.connection
  - llmobs.datadog.attributes
  - llmobs.datadog.attributes.INFO
  - llmobs.datadog.attributes.ACTIONGROUP
options:
  prompt_id:
    description:
      - Only the prompt with exactly this identifier, with its versions.
    type: str
  version:
    description:
      - The number of the version to return in full in RV(version). Needs O(prompt_id); mutually exclusive with
        O(label).
    type: int
  label:
    description:
      - The label of the version to return in full in RV(version), for example V(production). Needs O(prompt_id);
        mutually exclusive with O(version).
    type: str
seealso:
  - module: llmobs.datadog.llmobs_prompt
  - plugin: llmobs.datadog.prompt
    plugin_type: lookup
    description: The same reads from a template expression, on the controller.
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

- name: Every prompt of the registry
  llmobs.datadog.llmobs_prompt_info:
  register: registry

- name: The support prompt's production version
  llmobs.datadog.llmobs_prompt_info:
    prompt_id: support-answer
    label: production
  register: support

- name: Its template and the versions there are
  ansible.builtin.debug:
    msg: "version {{ support.version.version }} of {{ support.versions | length }}: {{ support.version.template }}"
'''

RETURN = r'''
prompts:
  description: The metadata of every prompt, or of the one with O(prompt_id); empty when there is none.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The API's identifier of the prompt (a UUID).
      type: str
      returned: success
      sample: 4a1a28ff-8a25-5f0f-946f-f48264d772eb
    prompt_id:
      description: The prompt's identifier in the registry.
      type: str
      returned: success
      sample: support-answer
    title:
      description: Title of the prompt.
      type: str
      returned: success
      sample: Support answer
    description:
      description: Description of the prompt.
      type: str
      returned: success
      sample: Answers a customer's question from the help center.
    num_versions:
      description: How many versions the prompt has.
      type: int
      returned: success
      sample: 2
    created_at:
      description: When the prompt was created (ISO 8601).
      type: str
      returned: success
      sample: '2026-11-25T10:30:00+00:00'
    last_version_created_at:
      description: When its latest version was created (ISO 8601).
      type: str
      returned: success
      sample: '2026-12-01T09:00:00+00:00'
    source:
      description: Where the prompt comes from, V(registry) or V(code).
      type: str
      returned: success
      sample: registry
    in_registry:
      description: Whether the prompt is in the registry.
      type: bool
      returned: success
      sample: true
    created_from:
      description: What created it (V(sdk-registry), V(ui-registry)...).
      type: str
      returned: success
      sample: sdk-registry
versions:
  description: The prompt's versions, newest first, without their templates; empty when the prompt does not exist.
  returned: when O(prompt_id) is given
  type: list
  elements: dict
  contains:
    version:
      description: The version's number.
      type: int
      returned: success
      sample: 2
    labels:
      description: Its labels.
      type: list
      elements: str
      returned: success
      sample: [development]
    description:
      description: Its description.
      type: str
      returned: success
      sample: Concise answers that cite the help-center article
    user_version:
      description: The identifier its author gave it besides its number, when there is one.
      type: str
      returned: success
      sample: null
    created_at:
      description: When it was created (ISO 8601).
      type: str
      returned: success
      sample: '2026-12-01T09:00:00+00:00'
    id:
      description: The API's identifier of the version.
      type: str
      returned: success
      sample: d83ab666-61cc-5545-a83b-2424bb85467b
version:
  description:
    - The version asked for (O(version), O(label), or the latest), in full; null when the prompt does not exist.
  returned: when O(prompt_id) is given
  type: dict
  contains:
    version:
      description: Its number.
      type: int
      returned: success
      sample: 1
    template:
      description:
        - Its template, text or a list of messages, as an application uses it (for a composed version, compiled,
          with the included messages in place).
      type: raw
      returned: success
      sample: [{"role": "system", "content": "You are a support assistant for {{company}}."}, {"role": "user", "content": "{{question}}"}]
    authoring_template:
      description:
        - For a composed version, its template as its author wrote it (C({messages:[...]}) with C(include) entries,
          or a text with C({{>prompt-id version=N}})); null for a version that includes no other prompt.
      type: raw
      returned: success
      sample: null
    config:
      description: Its configuration; V({}) when it has none.
      type: dict
      returned: success
      sample: {}
    user_version:
      description: The identifier its author gave it besides its number, when there is one.
      type: str
      returned: success
      sample: null
    labels:
      description: Its labels.
      type: list
      elements: str
      returned: success
      sample: [production]
    description:
      description: Its description.
      type: str
      returned: success
      sample: null
    created_at:
      description: When it was created (ISO 8601).
      type: str
      returned: success
      sample: '2026-11-25T10:30:00+00:00'
    id:
      description: The API's identifier of the version.
      type: str
      returned: success
      sample: 20e5280b-c75d-5699-8a70-a2773a751428
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

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError, ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._module import LLMObsModule
from ansible_collections.llmobs.datadog.plugins.module_utils._prompts import as_listed, pick_version, prompt_facts


def check_options(params):
    if params['prompt_id'] is None:
        for option in ('version', 'label'):
            if params[option] is not None:
                raise ValidationError('%s needs prompt_id: it names a version of one prompt.' % option)
    elif not params['prompt_id'].strip():
        raise ValidationError('prompt_id must not be blank.')
    if params['version'] is not None and params['version'] < 1:
        raise ValidationError('version must be a version number from 1 (got %d).' % params['version'])


def run(task):
    prompts, params = task.api.prompts, task.params
    prompt_id = params['prompt_id']
    if prompt_id is None:
        return dict(changed=False, prompts=[prompt_facts(item) for item in prompts.list()])
    found = prompts.find(prompt_id)
    result = dict(changed=False, prompts=[prompt_facts(found)] if found is not None else [], versions=[], version=None)
    if found is None:
        return result
    versions = prompts.versions_up_to_date(prompt_id)
    result['versions'] = [as_listed(entry) for entry in versions]
    if not versions:
        return result
    entry = pick_version(prompt_id, result['versions'], label=params['label'], number=params['version'])
    entry = next(found for found in versions if found['version'] == entry['version'])
    version = dict(entry) if 'template' in entry else prompts.version(prompt_id, entry['version'])
    if version is None:
        raise LLMObsError('Version %s of prompt %r is listed but reading it answered 404; it may have just been '
                          'deleted.' % (entry['version'], prompt_id), **result)
    if not version['labels']:
        version['labels'] = list(entry['labels'])
    result['version'] = version
    return result


MODULE = LLMObsModule(
    options=dict(prompt_id=dict(type='str'), version=dict(type='int'), label=dict(type='str')),
    mutually_exclusive=[['version', 'label']],
    check_options=check_options,
    run=run,
)


def main():
    MODULE.main()


if __name__ == '__main__':
    main()
