#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: llmobs_prompt
short_description: Manage a prompt of the Datadog LLM Observability prompt registry, its versions and labels
version_added: 1.2.0
author:
  - llmobs.datadog maintainers (@llmobs)
description:
  - Keeps one prompt of the prompt registry, found by its exact O(prompt_id), as declared in the repository
    (O(template) or a file in O(template_src)), so that prompts are reviewed with C(--check --diff) and applied from CI.
  - A prompt that does not exist is created with its first version. For one that exists, the latest version is
    read; when the declared template (compared as data with the template as its author wrote it) or the declared
    O(config) differs, one new version is created, and none otherwise. Every new version gets the next number;
    versions are never changed or removed.
  - O(title) and O(description) are updated when given and different.
  - O(labels) are put on the version that O(label_version) names (by default the latest, after any new version),
    and taken off the version that held them. Labels that are not declared are left where they are.
  - With O(state=absent), deletes the prompt (Datadog keeps it, soft deleted, out of every list).
  - Uses preview endpoints of Datadog's API, which may change at Datadog's discretion; labels use an attribute that
    Datadog marks deprecated, the only way its API offers to set them.
  - Use M(llmobs.datadog.llmobs_prompt_info) to read prompts and their versions, and the lookup
    C(llmobs.datadog.prompt) to use a prompt's template in a play.
extends_documentation_fragment:
  - llmobs.datadog.connection
  - llmobs.datadog.attributes
  - llmobs.datadog.attributes.STATE
  - llmobs.datadog.attributes.ACTIONGROUP
  - llmobs.datadog.controller_files
options:
  prompt_id:
    description:
      - The identifier of the prompt in the registry, as the application that uses it names it. Compared exactly.
      - Printable ASCII, not blank and without leading or trailing spaces.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the prompt. V(absent) deletes it when it exists.
    type: str
    choices: [present, absent]
    default: present
  title:
    description:
      - Title of the prompt. Updated when given and different; left as it is when not given.
    type: str
  description:
    description:
      - Description of the prompt. Updated when given and different; left as it is when not given.
    type: str
  template:
    description:
      - The template of the prompt's latest version, one of
      - text, with C({{variable}}) placeholders (and C({{>other-prompt version=N}}) to include a version of another
        prompt, where Datadog offers composition);
      - a list of chat messages, each a mapping of C(role) and C(content) (both text), or a placeholder, a mapping of
        C(type) (V(placeholder)) and C(name) (letters, digits and C(_));
      - an authored chat template, a mapping whose only key is C(messages), a list of messages and of includes, each a
        mapping whose only key is C(include), a mapping of C(prompt_id), C(version) and optionally C(items) (indexes
        from 0 of the included prompt's messages).
      - Compared as data with the latest version's template as its author wrote it (for a composed version, its
        C(authoring_template), not the compiled C(template)). An authored template without includes equals the list
        of its messages.
      - Required to create the prompt; when not given, the template is not managed (a new O(config) then makes a new
        version with the latest template). Mutually exclusive with O(template_src).
      - Ansible templates the options of a task, so C({{variable}}) placeholders given here must be kept from it.
        Mark the text C(!unsafe), wrap it in C({% raw %}) and C({% endraw %}) (see the examples), or keep the
        template in a file, O(template_src), which is read as it is.
      - Messages about a message of the template count them from 1.
    type: raw
  template_src:
    description:
      - A file of the repository that holds the template, read instead of O(template), found on the controller as
        M(ansible.builtin.copy) finds its C(src) (see O(remote_src)).
      - A C(.yml), C(.yaml) or C(.json) file is read as data (a list of messages, an authored template, or a
        string); a file of any other extension is a text template, whose last line break is not part of it.
      - The file is UTF-8 text of at most 1 MiB. Messages name the file as given.
      - Mutually exclusive with O(template).
    type: path
  config:
    description:
      - The configuration of the prompt's latest version (model, temperature, response format...), stored by Datadog
        as given. Compared as data; V({}) equals a version without one. A new version is made when it differs.
      - When not given, the config is not managed, and a new version keeps the latest version's config.
      - Datadog accepts it only where versioned configuration is enabled for the organization.
    type: dict
  version_description:
    description:
      - Description of a new version, sent only when this run creates a version after the first (the first version
        of a new prompt has none).
    type: str
  labels:
    description:
      - Labels that must be on the version that O(label_version) names, for example V(production). Each one that is
        not there is set on it, and removed from the version that held it; a label that another version holds too
        is removed from that version.
      - Labels not given are left as they are. Datadog's API knows V(production) and V(development) only.
    type: list
    elements: str
    choices: [production, development]
  label_version:
    description:
      - The version that O(labels) go on, V(latest) (the newest version, after any new one made by this run) or a
        version number, for example to keep V(production) on an older version while a newer one is tried.
      - V(latest) names a version made by this run by the number Datadog gave it, even while the versions list
        does not show it yet.
      - A number that names no version of the prompt fails before anything is written, naming the versions there are.
        The version this run makes counts (V(1) for a prompt it creates).
    type: str
    default: latest
  wait:
    description:
      - Whether to wait, after a new prompt or version, until the versions list shows it, and after a delete until
        the registry no longer lists the prompt, so that the next task or run sees the change.
      - The list is also waited for when O(labels) are given, for the labels of the other versions; a new version
        gets its labels by its number even when the list does not show it by O(wait_timeout) (with a warning).
      - After labels are set, it waits until the versions list shows each declared label on the version it was put
        on and on no other; after O(title) or O(description) are updated, until the prompts list shows them. A run
        started right after then finds nothing to change. When a list does not show them by O(wait_timeout), the
        task warns, and its result still shows what was set.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait (see O(wait)), and how long a create, new version or delete that failed without a
        clear answer (HTTP 5xx, timeout, dropped connection) is looked for before it is sent again, so that it is
        never done twice.
      - From 1 to 3600.
    type: int
    default: 30
notes:
  - A prompt that a run of the pipeline created in parallel (the create is refused with HTTP 409) is compared with
    what is there, with a warning.
  - Whether Datadog takes a label off the version that held it when it is set on another is not documented; the
    module reads the versions again after each label it sets, and takes the label off any other version that still
    holds it.
  - A new version or prompt whose answer was lost (HTTP 5xx, timeout, dropped connection) is looked for by reads
    that do not lag behind writes (the version after the latest one, by its number; the prompt, by its
    O(prompt_id)) before the request is sent again, so that one change never makes two versions.
  - Datadog's versions list lags behind writes. The versions after the newest one it shows are read by their
    numbers (a read that does not lag), so that a run right after another one compares with the version that run
    made and does not make it again; labels are set or taken off only after a read of that version confirms them.
  - When a request fails after the task changed something, the task fails with C(changed=true), and its message
    says what was done before the failure.
seealso:
  - module: llmobs.datadog.llmobs_prompt_info
  - plugin: llmobs.datadog.prompt
    plugin_type: lookup
    description: Reads a prompt's template at a label or version, to template an application's configuration.
  - name: Datadog LLM Observability prompt tracking
    description: How applications use registry prompts.
    link: https://docs.datadoghq.com/llm_observability/
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

- name: A new prompt, its first version labelled development
  llmobs.datadog.llmobs_prompt:
    prompt_id: refund-policy
    title: Refund policy
    description: Explains the refund policy to a customer.
    template:
      - role: system
        content: "{% raw %}You explain the refund policy of {{company}} in two sentences.{% endraw %}"
      - role: user
        content: "{% raw %}{{question}}{% endraw %}"
    labels: [development]

- name: Promote version 2 of the support prompt to production (development stays on it)
  llmobs.datadog.llmobs_prompt:
    prompt_id: support-answer
    labels: [production]
    label_version: "2"

- name: A new version of the support prompt with a lower temperature, reviewed with --check --diff first
  llmobs.datadog.llmobs_prompt:
    prompt_id: support-answer
    config:
      model: gpt-4o-mini
      temperature: 0.1
    version_description: Lower temperature for steadier answers
  register: support

- name: The new version's number
  ansible.builtin.debug:
    msg: "support-answer is at version {{ support.latest_version }}; labels: {{ support.labels }}"

- name: Delete the refund prompt
  llmobs.datadog.llmobs_prompt:
    prompt_id: refund-policy
    state: absent
'''

RETURN = r'''
msg:
  description: What the module did or, in check mode, would do.
  returned: always
  type: str
  sample: "Prompt 'support-answer' (id 4a1a28ff-8a25-5f0f-946f-f48264d772eb): version 3 created (template changed), label production set on version 3."
summary:
  description:
    - >-
      What the task did (in check mode, would do) in one line for a pull request comment: C(prompt), its prompt_id,
      and what happened, for example C(created), C(version 3 created (template changed)),
      C(title updated), C(label production set on version 3), C(unchanged), C(deleted) or C(already absent)
      (in check mode C(would be ...)), joined by C(; ).
    - The callback plugin C(llmobs.datadog.summary) shows it in a table at the end of the run (see the user guide).
  returned: success
  type: str
  sample: 'prompt support-answer: version 3 created (template changed); label production set on version 3'
prompt:
  description:
    - The metadata of the prompt after the run (in check mode, as it would be; a prompt to create has a null C(id)).
    - With O(state=absent), the prompt that was (or would be) deleted, and V(null) when there was none.
  returned: success
  type: dict
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
      sample: 3
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
latest_version:
  description: The number of the prompt's latest version after the run (in check mode, as it would be).
  returned: when O(state=present)
  type: int
  sample: 3
version_created:
  description: Whether the run created (in check mode, would create) a version, the first one of a new prompt included.
  returned: when O(state=present)
  type: bool
  sample: true
version:
  description: The latest version's facts after the run (in check mode, as it would be).
  returned: when O(state=present)
  type: dict
  contains:
    version:
      description: Its number.
      type: int
      returned: success
      sample: 3
    template:
      description:
        - Its template, text or a list of messages, as an application uses it (for a composed version, compiled,
          with the included messages in place).
      type: raw
      returned: success
      sample: [{"role": "system", "content": "You are a support assistant for {{company}}."}]
    authoring_template:
      description:
        - For a composed version, its template as its author wrote it (C({messages:[...]}) with C(include) entries,
          or a text with C({{>prompt-id version=N}})); null for a version that includes no other prompt.
        - The module compares the declared template with it when there is one, and with RV(version.template)
          otherwise.
      type: raw
      returned: success
      sample: null
    config:
      description: Its configuration; V({}) when it has none.
      type: dict
      returned: success
      sample: {"model": "gpt-4o-mini", "temperature": 0.2}
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
      sample: Lower temperature for steadier answers
    user_version:
      description: The identifier its author gave it besides its number, when there is one.
      type: str
      returned: success
      sample: null
    created_at:
      description: When it was created (ISO 8601); null in check mode for a version to create.
      type: str
      returned: success
      sample: '2026-12-01T09:00:00+00:00'
    id:
      description: The API's identifier of the version; null in check mode for a version to create.
      type: str
      returned: success
      sample: d83ab666-61cc-5545-a83b-2424bb85467b
labels:
  description: Every label on the prompt's versions after the run, with the number of the version that holds it.
  returned: when O(state=present)
  type: dict
  sample: {"production": 3, "development": 2}
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
from ansible_collections.llmobs.datadog.plugins.module_utils._prompt_plan import PromptRun, check_options
from ansible_collections.llmobs.datadog.plugins.module_utils._prompts import LABELS, authored_template, labels_of, prompt_facts
from ansible_collections.llmobs.datadog.plugins.module_utils._state import NamedResource, ensure


def run(task):
    if task.params['state'] == 'present':
        return PromptRun(task).result()
    prompts, prompt_id, timeout = task.api.prompts, task.params['prompt_id'], task.params['wait_timeout']
    found = prompts.find(prompt_id)
    latest = versions = None
    if found is not None and task.diff:  # the diff shows what goes: the latest version too
        versions = prompts.versions_up_to_date(prompt_id)
        latest = None
        if versions:
            latest = versions[0] if 'template' in versions[0] else prompts.version(prompt_id, versions[0]['version'])
    lookups = [found]

    def find(dummy):
        item = lookups.pop() if lookups else prompts.find(prompt_id)
        return [item] if item is not None else []

    prompt = NamedResource('prompt', find=find, facts=prompt_facts, create=None,
                           delete=lambda dummy: prompts.delete(prompt_id, timeout),
                           diff_keys=('prompt_id', 'title', 'description'), server_assigned=('id',))
    result = ensure(task, prompt, prompt_id, {}, dict(changed=False))
    if latest is not None and 'diff' in result:
        result['diff']['before'].update(template=authored_template(latest), config=latest['config'],
                                        labels=labels_of(versions))
    return result


MODULE = LLMObsModule(
    options=dict(
        prompt_id=dict(type='str', required=True),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        title=dict(type='str'),
        description=dict(type='str'),
        template=dict(type='raw'),
        template_src=dict(type='path'),
        config=dict(type='dict'),
        version_description=dict(type='str'),
        labels=dict(type='list', elements='str', choices=list(LABELS)),
        label_version=dict(type='str', default='latest'),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=30),
    ),
    mutually_exclusive=[['template', 'template_src']],
    controller_files=('template_src',),
    check_options=check_options,
    run=run,
)


def main():
    MODULE.main()


if __name__ == '__main__':
    main()
