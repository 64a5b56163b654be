#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: llmobs_evaluator
short_description: Manage a custom LLM-as-judge evaluator of Datadog LLM Observability
version_added: 1.2.0
author:
  - llmobs.datadog maintainers (@llmobs)
description:
  - Creates, updates or deletes a custom evaluator (an LLM-as-judge configuration) of Datadog LLM Observability,
    found by its name. Evaluators belong to the organization, not to a project.
  - Reads the evaluator first and compares its stored configuration with the declared one as data (key order does
    not matter, V(1) equals V(1.0), a field left out equals an empty value such as V([]), the fields only the server
    sets are ignored). Nothing is sent when nothing differs; otherwise one request writes the whole configuration.
  - Only the fields that Datadog's API takes in a write are the configuration. A stored field outside them (a
    read-only field a server adds, such as the name of the integration account) is never sent back and never a
    difference; it stays in RV(evaluator). O(llm_judge_config.output_schema), the messages' C(contents) and the
    inference parameters are kept whole, as stored.
  - With O(replace=false) (the default), only what the task declares is managed. A field that is not declared is
    no difference, and it is kept as it is stored, since the write sends the stored configuration with the declared
    one laid over it (mappings merged key by key, lists and scalars replaced).
  - With O(replace=true), the declared configuration is the whole configuration. A stored field that is not declared
    and holds something is a difference, and the write removes it (see O(replace)).
  - Datadog answers the write with an empty body, so the evaluator is read again until it shows every field sent,
    and no field the write removed still holds its old value; fields the server fills in itself are its defaults
    and are not waited for. RV(evaluator) is that read. A write whose answer was lost is not sent again before a
    read shows it was not carried out.
  - Uses preview endpoints of Datadog's API (C(/api/unstable/llm-obs/config/evaluators/custom)), which may change
    at Datadog's discretion.
extends_documentation_fragment:
  - llmobs.datadog.connection
  - llmobs.datadog.controller_files
  - llmobs.datadog.attributes
  - llmobs.datadog.attributes.STATE
  - llmobs.datadog.attributes.ACTIONGROUP
options:
  name:
    description:
      - Name of the evaluator (its C(eval_name)), compared exactly. It is the key of the evaluator and a part of the
        request path.
      - Printable ASCII, not blank, without leading or trailing spaces and without V(/).
    type: str
    required: true
    aliases: [eval_name]
  state:
    description:
      - V(present) creates the evaluator with the declared configuration, or updates the one stored when it differs.
      - V(absent) deletes the evaluator when there is one.
    type: str
    choices: [present, absent]
    default: present
  replace:
    description:
      - V(false), the fields that are not declared are left as they are stored (the write sends them back).
      - V(true), the declared configuration replaces the stored one whole; a stored field that is not declared is
        removed. The write must then declare at least O(target.application_name) and O(target.enabled).
      - With V(true), a stored field that is not declared is a difference only when it holds something. A field that
        holds V(null), V(false), an empty list, mapping or string, or the value Datadog stores when a write leaves
        the field out (C(category) V(Custom)), is no difference, since Datadog fills those in itself, and a run after the
        write finds nothing to change. Declare the field to give it another value.
      - Ignored when O(state=absent).
    type: bool
    default: false
  category:
    description:
      - Category of the evaluator, as the Datadog UI groups evaluators, such as V(Custom).
    type: str
  target:
    description:
      - Which spans the evaluator judges, and whether it runs.
      - To create an evaluator, O(target.application_name) and O(target.enabled) are required.
    type: dict
    suboptions:
      application_name:
        description:
          - Name of the ML application (C(ml_app)) whose spans the evaluator judges.
        type: str
      enabled:
        description:
          - Whether the evaluator runs on the application's spans.
        type: bool
      sampling_percentage:
        description:
          - Percentage of the matching traces that are evaluated, greater than V(0) and at most V(100).
        type: float
      filter:
        description:
          - A span search query that selects the spans to evaluate, such as V(@meta.span.kind:llm).
        type: str
      root_spans_only:
        description:
          - Whether only root spans are evaluated.
        type: bool
      eval_scope:
        description:
          - What one evaluation judges, a span, a whole trace or a whole session.
        type: str
        choices: [span, trace, session]
      experiment_project_ids:
        description:
          - Projects whose experiments the evaluator also runs on.
          - Each entry is a project ID or a project name. A value shaped like a project ID (a UUID) is sent as it is;
            any other value is looked up as an exact project name and replaced by that project's ID. A name that
            matches no project fails before any write.
        type: list
        elements: str
  llm_provider:
    description:
      - The LLM that does the judging, through one of the organization's LLM integrations.
    type: dict
    suboptions:
      integration_provider:
        description:
          - The LLM integration to use.
        type: str
        choices: [openai, amazon-bedrock, anthropic, azure-openai, vertex-ai, llm-proxy]
      integration_account_id:
        description:
          - ID of the account of that integration, as Datadog's integration tile shows it.
        type: str
      model_name:
        description:
          - Name of the model, such as V(gpt-4o).
        type: str
      bedrock:
        description:
          - Options of Amazon Bedrock.
        type: dict
        suboptions:
          inference_profile:
            description:
              - Bedrock inference profile, such as an application inference profile ARN.
            type: str
          region:
            description:
              - AWS region of Bedrock, such as V(us-east-1).
            type: str
      vertex_ai:
        description:
          - Options of Google Vertex AI.
        type: dict
        suboptions:
          location:
            description:
              - Vertex AI location, such as V(us-central1).
            type: str
          project:
            description:
              - Google Cloud project of Vertex AI.
            type: str
  llm_judge_config:
    description:
      - How the judge is asked and how its answer is read.
      - The API requires O(llm_judge_config.inference_params) in the configuration it stores. With O(replace=false)
        the stored ones count.
    type: dict
    suboptions:
      prompt_template:
        description:
          - The messages sent to the judge, in order. Text may use the placeholders of the Datadog UI, such as
            C({{span_input}}) and C({{span_output}}). Ansible templates the options of a task, so keep such text in
            O(prompt_template_src), mark it C(!unsafe), or wrap it in C({% raw %}...{% endraw %}).
          - Compared and replaced as a whole list.
          - Mutually exclusive with O(prompt_template_src).
        type: list
        elements: dict
        suboptions:
          role:
            description:
              - Role of the message's author, such as V(system), V(user) or V(assistant).
            type: str
            required: true
          content:
            description:
              - Text of the message. A message has O(llm_judge_config.prompt_template[].content) or
                O(llm_judge_config.prompt_template[].contents), or both.
            type: str
          contents:
            description:
              - Content blocks of the message, as the API takes them, each a mapping with C(type) and C(value)
                (C(value) holds C(text), C(tool_call) or C(tool_call_result)).
            type: list
            elements: dict
      parsing_type:
        description:
          - How the judge's answer is read.
        type: str
        choices: [structured_output, json, keyword_search]
      output_schema:
        description:
          - The JSON schema of the judge's answer (with V(structured_output)), as the API takes it. Compared and
            replaced as a whole.
        type: dict
      assessment_criteria:
        description:
          - When the judge's answer counts as a pass.
        type: dict
        suboptions:
          max_threshold:
            description:
              - Highest score that passes.
            type: float
          min_threshold:
            description:
              - Lowest score that passes; not greater than O(llm_judge_config.assessment_criteria.max_threshold).
            type: float
          pass_values:
            description:
              - Answers that pass.
            type: list
            elements: str
          pass_when:
            description:
              - The boolean answer that passes.
            type: bool
      inference_params:
        description:
          - Parameters of the judge's model.
        type: dict
        suboptions:
          temperature:
            description:
              - Sampling temperature.
            type: float
          max_tokens:
            description:
              - Most tokens the judge may answer with, at least V(1).
            type: int
          top_p:
            description:
              - Nucleus sampling parameter.
            type: float
          top_k:
            description:
              - Top-k sampling parameter.
            type: int
          frequency_penalty:
            description:
              - Frequency penalty.
            type: float
          presence_penalty:
            description:
              - Presence penalty.
            type: float
      target_query:
        description:
          - Query that extracts the value to judge from the span, such as V(@output.value).
        type: str
      context_query:
        description:
          - Query that extracts more context for the judge from the span, such as V(@input.context).
        type: str
      user_specified_json_post_processing_function:
        description:
          - A function applied to the judge's JSON answer before it is assessed.
        type: str
  prompt_template_src:
    description:
      - A file of the repository with the judge's messages, read instead of O(llm_judge_config.prompt_template),
        found on the controller as M(ansible.builtin.copy) finds its C(src) (see O(remote_src)). Ansible does not
        template it, so the placeholders of the Datadog UI (C({{span_input}})) need no quoting.
      - JSON when its name ends in C(.json), YAML otherwise. It holds a list of messages, or a mapping whose only
        key C(messages) is that list. Each message has C(role) and C(content) (text) or C(contents) (content
        blocks), as in O(llm_judge_config.prompt_template).
      - UTF-8, at most 1 MiB, without YAML aliases. Messages about it name the file and the message, counted from 1
        (C(message 2)).
      - Mutually exclusive with O(llm_judge_config.prompt_template).
    type: path
  wait:
    description:
      - Whether to read the evaluator again after a write until it shows the configuration sent, and after a delete
        until it is gone, so that the next task or run does not find it as it was. With V(false), it is read once
        after a write.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait when O(wait=true). Also how long a write that got no clear answer (HTTP 5xx,
        timeout, dropped connection) is looked for before it is sent again.
      - From 1 to 3600.
    type: int
    default: 30
notes:
  - The API keeps the configuration it is given; it does not check that the integration account or the model exist.
    An evaluator that cannot reach its model shows errors in Datadog, not here.
seealso:
  - module: llmobs.datadog.llmobs_evaluator_info
  - name: Datadog LLM Observability custom LLM-as-a-judge evaluations
    description: What the configuration means.
    link: https://docs.datadoghq.com/llm_observability/evaluations/custom_llm_as_a_judge_evaluations/
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

- name: Sample every trace of the support bot (only that field changes; the rest is kept)
  llmobs.datadog.llmobs_evaluator:
    name: helpfulness-judge
    target:
      sampling_percentage: 100

- name: A judge of tone, its prompt kept in the repository (files/evaluators/tone-judge.yml)
  llmobs.datadog.llmobs_evaluator:
    name: tone-judge
    category: Custom
    target:
      application_name: support-bot
      enabled: true
      sampling_percentage: 25
      eval_scope: span
      experiment_project_ids:
        - demo-project    # a project name, looked up and sent as its id
    llm_provider:
      integration_provider: openai
      integration_account_id: demo-openai-account
      model_name: gpt-4o-mini
    llm_judge_config:
      parsing_type: keyword_search
      assessment_criteria:
        pass_values: [polite]
      inference_params:
        temperature: 0
        max_tokens: 64
    prompt_template_src: evaluators/tone-judge.yml

- name: The whole configuration as declared, removing any field set elsewhere (in the UI)
  llmobs.datadog.llmobs_evaluator:
    name: tone-judge
    replace: true
    target:
      application_name: support-bot
      enabled: false
    llm_provider:
      integration_provider: openai
      integration_account_id: demo-openai-account
      model_name: gpt-4o-mini
    llm_judge_config:
      parsing_type: keyword_search
      assessment_criteria:
        pass_values: [polite]
      inference_params:
        temperature: 0
        max_tokens: 64
      prompt_template:
        - role: user
          content: "{% raw %}Answer polite or rude. {{span_output}}{% endraw %}"

- name: Delete it (nothing to do when it is already gone)
  llmobs.datadog.llmobs_evaluator:
    name: tone-judge
    state: absent
'''

RETURN = r'''
msg:
  description: What the module did or, in check mode, would do.
  returned: always
  type: str
  sample: "Evaluator 'helpfulness-judge': updated target.sampling_percentage."
summary:
  description:
    - >-
      What the task did (in check mode, would do) in one line for a pull request comment: C(evaluator), its name, and
      one of C(created), C(would be created), C(unchanged), C(<paths> updated) (the paths of RV(differences)),
      C(<paths> would be updated), C(deleted), C(would be deleted) or C(already absent).
    - The callback plugin C(llmobs.datadog.summary) shows it in a table at the end of the run (see the user guide).
  returned: success
  type: str
  sample: 'evaluator helpfulness-judge: target.sampling_percentage updated'
differences:
  description:
    - The dotted paths of the fields that differ between the stored configuration and the declared one, sorted
      (every declared top-level field for a create). Lists and O(llm_judge_config.output_schema) are one path each.
    - Empty when nothing differs, and with O(state=absent).
  returned: success
  type: list
  elements: str
  sample: [target.sampling_percentage]
evaluator:
  description:
    - The evaluator as stored after the run (read again after a write, with the fields the server fills in or adds),
      or in check mode as it would be (the server's fields V(null) for a create). When the reads after a write do
      not show it within O(wait_timeout), the configuration sent, with a warning naming the fields not shown.
    - On a failure after the write was answered (reading it back), the configuration sent, and C(changed) is true.
    - With O(state=absent), the evaluator that was (or would be) deleted, and V(null) when there was none.
  returned: success
  type: dict
  contains:
    eval_name:
      description: Name of the evaluator.
      type: str
      returned: success
      sample: helpfulness-judge
    category:
      description: Category of the evaluator.
      type: str
      returned: success
      sample: Custom
    target:
      description: Which spans the evaluator judges (see O(target)).
      type: dict
      returned: success
      sample: {"application_name": "support-bot", "enabled": true, "sampling_percentage": 50.0, "eval_scope": "span",
               "root_spans_only": true}
    llm_provider:
      description: The judging model (see O(llm_provider)).
      type: dict
      returned: success
      sample: {"integration_provider": "openai", "integration_account_id": "demo-openai-account",
               "model_name": "gpt-4o"}
    llm_judge_config:
      description: How the judge is asked and read (see O(llm_judge_config)).
      type: dict
      returned: success
      sample: {"parsing_type": "structured_output", "inference_params": {"temperature": 0, "max_tokens": 256},
               "assessment_criteria": {"pass_when": true},
               "prompt_template": [{"role": "system", "content": "You judge whether an answer helps the customer."}]}
    created_at:
      description: When the evaluator was created (ISO 8601).
      type: str
      returned: success
      sample: '2026-11-25T10:30:00+00:00'
    updated_at:
      description: When the evaluator was last updated (ISO 8601).
      type: str
      returned: success
      sample: '2026-11-26T08:00:00+00:00'
    created_by:
      description: Who created it, as C(email).
      type: dict
      returned: success
      sample: {"email": "ml-team@example.com"}
    last_updated_by:
      description: Who updated it last, as C(email).
      type: dict
      returned: success
      sample: {"email": "ci@example.com"}
status:
  description: HTTP status of the failed request.
  returned: failure, when Datadog answered with an error status
  type: int
  sample: 400
errors:
  description: The raw C(errors) list of the failed response, in whichever of Datadog's two shapes it came.
  returned: failure, when Datadog answered with an error status
  type: list
  elements: raw
  sample: [{"status": "400", "title": "Bad Request", "detail": "invalid target"}]
'''

from ansible_collections.llmobs.datadog.plugins.module_utils._evaluator_plan import (
    check_evaluator_options,
    declared_config,
    ensure_evaluator,
    resolve_project_ids,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._module import LLMObsModule

PROVIDERS = ['openai', 'amazon-bedrock', 'anthropic', 'azure-openai', 'vertex-ai', 'llm-proxy']


def check_options(params, files):
    """Every check before any request; returns the messages of ``prompt_template_src`` (None without it)."""
    return check_evaluator_options(params, files)


def run(task):
    config = declared_config(task.params, task.checked)
    if task.params['state'] == 'present':
        resolve_project_ids(task.api, config, task.check_mode, task.plan)
    return ensure_evaluator(task, config)


MODULE = LLMObsModule(
    options=dict(
        name=dict(type='str', required=True, aliases=['eval_name']),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        replace=dict(type='bool', default=False),
        category=dict(type='str'),
        target=dict(type='dict', options=dict(
            application_name=dict(type='str'),
            enabled=dict(type='bool'),
            sampling_percentage=dict(type='float'),
            filter=dict(type='str'),
            root_spans_only=dict(type='bool'),
            eval_scope=dict(type='str', choices=['span', 'trace', 'session']),
            experiment_project_ids=dict(type='list', elements='str'),
        )),
        llm_provider=dict(type='dict', options=dict(
            integration_provider=dict(type='str', choices=PROVIDERS),
            integration_account_id=dict(type='str'),
            model_name=dict(type='str'),
            bedrock=dict(type='dict', options=dict(inference_profile=dict(type='str'), region=dict(type='str'))),
            vertex_ai=dict(type='dict', options=dict(location=dict(type='str'), project=dict(type='str'))),
        )),
        llm_judge_config=dict(type='dict', options=dict(
            prompt_template=dict(type='list', elements='dict', options=dict(
                role=dict(type='str', required=True),
                content=dict(type='str'),
                contents=dict(type='list', elements='dict'),
            )),
            parsing_type=dict(type='str', choices=['structured_output', 'json', 'keyword_search']),
            output_schema=dict(type='dict'),
            assessment_criteria=dict(type='dict', options=dict(
                max_threshold=dict(type='float'),
                min_threshold=dict(type='float'),
                pass_values=dict(type='list', elements='str', no_log=False),
                pass_when=dict(type='bool', no_log=False),
            )),
            inference_params=dict(type='dict', options=dict(
                temperature=dict(type='float'),
                max_tokens=dict(type='int', no_log=False),
                top_p=dict(type='float'),
                top_k=dict(type='int'),
                frequency_penalty=dict(type='float'),
                presence_penalty=dict(type='float'),
            )),
            target_query=dict(type='str'),
            context_query=dict(type='str'),
            user_specified_json_post_processing_function=dict(type='str'),
        )),
        prompt_template_src=dict(type='path'),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=30),
    ),
    controller_files=('prompt_template_src',),
    check_options=check_options,
    run=run,
)


def main():
    MODULE.main()


if __name__ == '__main__':
    main()
