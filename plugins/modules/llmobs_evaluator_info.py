#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: llmobs_evaluator_info
short_description: Read the custom LLM-as-judge evaluators of Datadog LLM Observability
version_added: 1.2.0
author:
  - llmobs.datadog maintainers (@llmobs)
description:
  - Returns every custom evaluator (LLM-as-judge configuration) of the organization as stored, sorted by name, or
    the one named in O(name).
  - An evaluator that does not exist gives an empty list, not a failure.
  - Uses preview endpoints of Datadog's API (C(/api/unstable/llm-obs/config/evaluators/custom)), which may change
    at Datadog's discretion.
extends_documentation_fragment:
  - llmobs.datadog.connection
  - llmobs.datadog.attributes
  - llmobs.datadog.attributes.INFO
  - llmobs.datadog.attributes.ACTIONGROUP
options:
  name:
    description:
      - Only the evaluator with exactly this name (its C(eval_name)), read by name rather than listed.
    type: str
    aliases: [eval_name]
seealso:
  - module: llmobs.datadog.llmobs_evaluator
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

- name: Every custom evaluator
  llmobs.datadog.llmobs_evaluator_info:
  register: all_evaluators

- name: One evaluator, to check what a change would start from
  llmobs.datadog.llmobs_evaluator_info:
    name: helpfulness-judge
  register: judge

- name: Fail when the judge samples less than half of the traces
  ansible.builtin.assert:
    that:
      - judge.evaluators | length == 1
      - judge.evaluators[0].target.sampling_percentage >= 50
'''

RETURN = r'''
evaluators:
  description:
    - The evaluators as stored, sorted by name; with O(name), the one of that name, or an empty list when there is none.
  returned: success
  type: list
  elements: dict
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
      description: Which spans the evaluator judges (see M(llmobs.datadog.llmobs_evaluator)).
      type: dict
      returned: success
      sample: {"application_name": "support-bot", "enabled": true, "sampling_percentage": 50.0, "eval_scope": "span",
               "root_spans_only": true}
    llm_provider:
      description: The judging model.
      type: dict
      returned: success
      sample: {"integration_provider": "openai", "integration_account_id": "demo-openai-account",
               "model_name": "gpt-4o"}
    llm_judge_config:
      description: How the judge is asked and read.
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
  sample: 403
errors:
  description: The raw C(errors) list of the failed response, in whichever of Datadog's two shapes it came.
  returned: failure, when Datadog answered with an error status
  type: list
  elements: raw
  sample: [{"status": "403", "title": "Forbidden", "detail": "Forbidden"}]
'''

from ansible_collections.llmobs.datadog.plugins.module_utils._evaluators import evaluator_facts, evaluator_name
from ansible_collections.llmobs.datadog.plugins.module_utils._module import LLMObsModule
from ansible_collections.llmobs.datadog.plugins.module_utils._validation import check_name


def check_options(params):
    if params['name'] is not None:
        check_name(params['name'], 'the name of the evaluator')


def run(task):
    name, evaluators = task.params['name'], task.api.evaluators
    if name is not None:
        item = evaluators.get(name)
        found = [item] if item is not None and evaluator_name(item) in (None, name) else []
    else:
        found = sorted(evaluators.list(), key=lambda item: evaluator_name(item) or '')
    return dict(changed=False, evaluators=[evaluator_facts(item) for item in found])


MODULE = LLMObsModule(
    options=dict(name=dict(type='str', aliases=['eval_name'])),
    check_options=check_options,
    run=run,
)


def main():
    MODULE.main()


if __name__ == '__main__':
    main()
