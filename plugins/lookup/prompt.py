# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: prompt
short_description: A prompt template of the Datadog LLM Observability prompt registry
version_added: 1.2.0
author:
  - llmobs.datadog maintainers (@llmobs)
description:
  - >-
    Returns the template of a prompt of Datadog's LLM Observability prompt registry, as the version that holds
    O(label) has it, or version O(version), or the latest version: a text, or the list of chat messages (each a
    mapping with C(role) and C(content), or a C(placeholder)). For a version composed of other prompts, this is
    the compiled template, the included messages in place, as an application uses it; O(field=authoring_template)
    gives the template as it was written (C(messages) with C(include) entries).
  - With O(field=config), returns that version's configuration instead (an empty mapping when it has none); with
    O(field=version), all the facts of that version (C(version), C(template), C(authoring_template), C(config),
    C(labels), C(description), C(user_version), C(created_at), C(id)).
  - Each term is the C(prompt_id) of one prompt (compared exactly); several terms give one result per term, in
    order. With one term, C(lookup) returns its value as it is; C(query) (or C(wantlist=true)) always
    returns the list.
  - A prompt that does not exist, a label that no version holds, or a version that does not exist fails the task,
    with a message that names the labels or versions the prompt has.
  - Versions made so recently that Datadog's versions list does not show them yet (it lags behind writes) are
    read by their numbers, so the latest version (and a label on such a version) is the true one.
  - Runs on the controller, whatever host the task runs on. The connection options are those of the collection's
    modules, with the same checks and the same environment variables, read from the environment of the
    controller (a task's C(environment) does not reach a lookup). Options are given as keyword arguments of the
    lookup, since C(module_defaults) does not apply to lookups. Every option is checked before any request.
  - The values are returned as data that Ansible does not template again, so the placeholders of a template, such
    as C({{question}}), stay as they are.
  - Uses preview endpoints of Datadog's API, which may change at Datadog's discretion.
options:
  _terms:
    description:
      - The C(prompt_id) of each prompt to read, as given when it was created (not the registry's UUID).
    type: list
    elements: str
    required: true
  label:
    description:
      - The label whose version to read, such as V(production) or V(development).
      - Mutually exclusive with O(version). Without either, the latest version is read.
    type: str
  version:
    description:
      - The number of the version to read, from 1.
      - Mutually exclusive with O(label). Without either, the latest version is read.
    type: int
  field:
    description:
      - What to return of the version.
      - V(template), its template (text, or list of messages), compiled for a composed version;
        V(authoring_template), the template of a composed version as it was written (null for a version that
        includes no other prompt); V(config), its configuration (a mapping); V(version), the whole version (a
        mapping of its facts).
    type: str
    choices: [template, authoring_template, config, version]
    default: template
extends_documentation_fragment:
  - llmobs.datadog.connection
requirements:
  - requests (Python library) on the controller, in the Python that runs Ansible
notes:
  - The keys are never shown in an error or a warning of this lookup; set them with the E(DD_API_KEY) and
    E(DD_APP_KEY) environment variables rather than in the playbook.
'''

EXAMPLES = r'''
# Keys from DD_API_KEY and DD_APP_KEY, site from DD_SITE (or site=...). Against the local emulator
# (ansible-playbook llmobs.datadog.emulator), whose demo prompt these examples read, add
# api_url='http://127.0.0.1:8126' to each call, with the keys in the environment.

- name: The chat template that production uses
  ansible.builtin.set_fact:
    support_template: "{{ lookup('llmobs.datadog.prompt', 'support-answer', label='production') }}"

- name: Version 2's configuration (model, temperature)
  ansible.builtin.debug:
    msg: "{{ lookup('llmobs.datadog.prompt', 'support-answer', version=2, field='config') }}"

- name: The latest version, all its facts, and which labels it holds
  ansible.builtin.debug:
    msg: "version {{ latest.version }}, labels {{ latest.labels }}"
  vars:
    latest: "{{ lookup('llmobs.datadog.prompt', 'support-answer', field='version') }}"

- name: Keep the production template in a file of the repository, to review how it changes
  ansible.builtin.copy:
    dest: "{{ playbook_dir }}/support-answer.production.json"
    content: "{{ lookup('llmobs.datadog.prompt', 'support-answer', label='production') | to_nice_json }}"
    mode: '0644'

- name: Several prompts at once, one result per term, in order (here the same prompt twice)
  ansible.builtin.debug:
    msg: "{{ query('llmobs.datadog.prompt', 'support-answer', 'support-answer', label='development') }}"
'''

RETURN = r'''
_raw:
  description:
    - One value per term, in order. With O(field=template) (the default), the template, a string or a list of
      messages; with O(field=authoring_template), the authored template of a composed version (null otherwise);
      with O(field=config), the configuration mapping; with O(field=version), the version's facts.
  type: list
  elements: raw
  sample:
    - - role: system
        content: "You are a support assistant for {{company}}."
      - role: user
        content: "{{question}}"
'''

from ansible.errors import AnsibleLookupError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.six import string_types
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError, ValidationError, mask_secrets
from ansible_collections.llmobs.datadog.plugins.module_utils._module import LLMObsModule
from ansible_collections.llmobs.datadog.plugins.module_utils._transport import HAS_REQUESTS

display = Display()

NAME = 'llmobs.datadog.prompt'
FIELDS = ('template', 'authoring_template', 'config', 'version')


def check_options(params):
    """The lookup's own options, before any request (the connection options are checked by LLMObsModule)."""
    version = params.get('version')
    if version is not None and version < 1:
        raise ValidationError('version must be a version number, 1 or more (got %r).' % (version,))
    label = params.get('label')
    if label is not None and not label.strip():
        raise ValidationError('label must not be blank: give a label such as production, or leave it unset for the '
                              'latest version (or give version).')
    terms = params['_terms']
    if not terms:
        return None
    for index, term in enumerate(terms, 1):
        if not isinstance(term, string_types) or not term.strip():
            raise ValidationError('each term of the %s lookup is the prompt_id of a prompt, a non-empty string; '
                                  'term %d is %r.' % (NAME, index, term))
    return None


def run(task):
    """The version each term names, or the field of it asked for."""
    params = task.params
    values = []
    for prompt_id in params['_terms']:
        facts = task.api.prompts.resolve(prompt_id, label=params['label'], version=params['version'])
        values.append(facts if params['field'] == 'version' else facts.get(params['field']))
    return dict(changed=False, values=values)


# The lookup declared as the modules are: the connection options and their checks, its own options, its run.
PROMPT_LOOKUP = LLMObsModule(
    options=dict(
        label=dict(type='str'),
        version=dict(type='int'),
        field=dict(type='str', choices=list(FIELDS), default='template'),
    ),
    mutually_exclusive=[['label', 'version']],
    check_options=check_options,
    run=run,
)


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        kwargs = dict((to_text(name), value) for name, value in kwargs.items())
        # The keys as given, masked in every message whatever happens to them during the checks.
        secrets = set(to_text(kwargs[name]) for name in ('api_key', 'app_key')
                      if isinstance(kwargs.get(name), string_types) and kwargs[name])
        spec = PROMPT_LOOKUP.module_kwargs()
        validator = ArgumentSpecValidator(spec['argument_spec'], mutually_exclusive=spec['mutually_exclusive'])
        validation = validator.validate(kwargs)
        secrets.update(to_text(value) for value in validation._no_log_values if value)

        def masked(text):
            return mask_secrets(to_text(text), sorted(secrets, key=len, reverse=True))

        if validation.error_messages:
            error = validation.errors[0]
            message = validation.errors.msg
            if isinstance(error, UnsupportedError):
                message = 'Unsupported parameters for the %s lookup: %s' % (NAME, message)
            raise AnsibleLookupError(masked(message))
        if not HAS_REQUESTS:
            raise AnsibleLookupError('The %s lookup needs the Python library requests on the controller, in the Python '
                                     'that runs Ansible: pip install requests.' % NAME)

        def warn(message):
            display.warning(masked(message))

        params = dict(validation.validated_parameters, _terms=list(terms or ()))
        try:
            result = PROMPT_LOOKUP.execute(params, check_mode=False, diff=False, warn=warn)
        except LLMObsError as exc:
            raise AnsibleLookupError(masked(exc.message))
        return result['values']
