# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Custom evaluators (LLM-judge configurations) and registry prompts: their checks, as the spec
states them, and what the emulator keeps of them.

The checks raise InvalidConfig with ``field``, a JSON pointer below ``/data/attributes`` (the API
answers a 400 naming it) or below a seed item (seed errors name the place). Store (store.py)
holds the objects under its lock; server.py turns them into answers.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import math
import re
import uuid

EVALUATOR_ATTRIBUTES = ('eval_name', 'category', 'target', 'llm_provider', 'llm_judge_config')
EVAL_SCOPES = ('span', 'trace', 'session')
INTEGRATION_PROVIDERS = ('openai', 'amazon-bedrock', 'anthropic', 'azure-openai', 'vertex-ai', 'llm-proxy')
PARSING_TYPES = ('structured_output', 'json', 'keyword_search')
PROMPT_LABELS = ('production', 'development')
UUID_PATTERN = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')
PLACEHOLDER_NAME = re.compile(r'^[A-Za-z0-9_]+$')
# An exact version of another prompt inside a text template: {{>prompt-id version=N}}.
INLINE_INCLUDE = re.compile(r'\{\{>\s*([^\s{}]+)\s+version=(\d+)\s*\}\}')
MAX_INT32 = 2147483647
# Who the emulator says wrote an evaluator or a prompt (every API key belongs to this user).
API_USER_EMAIL = 'api-user@example.com'
PROMPT_AUTHOR = '5d2bd7a0-3c1e-4f6b-9a8d-e1a7c0de0001'


class InvalidConfig(ValueError):
    """An evaluator configuration or a prompt that cannot be stored; ``field`` is a JSON pointer below its attributes."""

    def __init__(self, message, field=''):
        super(InvalidConfig, self).__init__(message)
        self.field = field


# ---------------------------------------------------------------------- the spec's shapes, as data


class Field(object):
    """One key of an object: its kind (string, boolean, number, integer, object, list, dict of any JSON),
    whether it is required and may be null, its choices, and the fields or items below it."""

    def __init__(self, kind, required=False, nullable=False, choices=None, fields=None, items=None, check=None):
        self.kind = kind
        self.required = required
        self.nullable = nullable
        self.choices = choices
        self.fields = fields
        self.items = items
        self.check = check


def _sampling(value, pointer):
    if not 0 < value <= 100:
        raise InvalidConfig('sampling_percentage must be greater than 0 and at most 100, not %s' % _show(value), pointer)


def _project_id(value, pointer):
    if not UUID_PATTERN.match(value):
        raise InvalidConfig('experiment_project_ids holds project ids (UUIDs), not %r' % value, pointer)


TOOL_CALL = {'arguments': Field('string'), 'id': Field('string'), 'name': Field('string'), 'type': Field('string')}
TOOL_RESULT = {'name': Field('string'), 'result': Field('string'), 'tool_id': Field('string'), 'type': Field('string')}
CONTENT = {'type': Field('string', required=True), 'value': Field('object', required=True, fields={
    'text': Field('string'), 'tool_call': Field('object', fields=TOOL_CALL),
    'tool_call_result': Field('object', fields=TOOL_RESULT)})}
MESSAGE = {'role': Field('string', required=True), 'content': Field('string'),
           'contents': Field('list', items=Field('object', fields=CONTENT))}
TARGET = {
    'application_name': Field('string', required=True, check=lambda v, p: v.strip() or _empty('application_name', p)),
    'enabled': Field('boolean', required=True),
    'eval_scope': Field('string', nullable=True, choices=EVAL_SCOPES),
    'experiment_project_ids': Field('list', items=Field('string', check=_project_id)),
    'filter': Field('string', nullable=True),
    'root_spans_only': Field('boolean', nullable=True),
    'sampling_percentage': Field('number', nullable=True, check=_sampling),
}
LLM_PROVIDER = {
    'integration_provider': Field('string', choices=INTEGRATION_PROVIDERS),
    'integration_account_id': Field('string'),
    'model_name': Field('string'),
    'bedrock': Field('object', fields={'inference_profile': Field('string'), 'region': Field('string')}),
    'vertex_ai': Field('object', fields={'location': Field('string'), 'project': Field('string')}),
}
INFERENCE_PARAMS = {'frequency_penalty': Field('number'), 'max_tokens': Field('integer'), 'presence_penalty': Field('number'),
                    'temperature': Field('number'), 'top_k': Field('integer'), 'top_p': Field('number')}
ASSESSMENT = {'max_threshold': Field('number', nullable=True), 'min_threshold': Field('number', nullable=True),
              'pass_values': Field('list', nullable=True, items=Field('string')), 'pass_when': Field('boolean', nullable=True)}
JUDGE = {
    'inference_params': Field('object', required=True, fields=INFERENCE_PARAMS),
    'assessment_criteria': Field('object', fields=ASSESSMENT),
    'context_query': Field('string', nullable=True),
    'target_query': Field('string', nullable=True),
    'last_used_library_prompt_template_name': Field('string', nullable=True),
    'modified_library_prompt_template': Field('boolean', nullable=True),
    'output_schema': Field('any_object', nullable=True),
    'parsing_type': Field('string', choices=PARSING_TYPES),
    'prompt_template': Field('list', items=Field('object', fields=MESSAGE)),
    'user_specified_json_post_processing_function': Field('string', nullable=True),
}
EVALUATOR = {
    'eval_name': Field('string'),
    'category': Field('string'),
    'target': Field('object', required=True, fields=TARGET),
    'llm_provider': Field('object', fields=LLM_PROVIDER),
    'llm_judge_config': Field('object', fields=JUDGE),
}
# The nullable fields an answer may carry as null when they were never set (``evaluator_null_fields``).
NULLABLE_ANSWER_FIELDS = {
    'target': ('eval_scope', 'filter', 'root_spans_only', 'sampling_percentage'),
    'llm_judge_config': ('context_query', 'target_query', 'output_schema', 'last_used_library_prompt_template_name',
                         'modified_library_prompt_template', 'user_specified_json_post_processing_function'),
}


def _empty(name, pointer):
    raise InvalidConfig('%s must not be empty' % name, pointer)


def _show(value):
    return repr(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)


KIND_NAMES = {'string': 'a string', 'boolean': 'true or false', 'number': 'a number', 'integer': 'a whole number',
              'object': 'an object', 'any_object': 'an object', 'list': 'a list'}


def _check_value(value, spec, name, pointer):
    """``value`` checked against ``spec`` (a Field); returns it normalised (numbers of ``number`` fields as floats)."""
    if value is None:
        if spec.nullable:
            return None
        raise InvalidConfig('%s must not be null' % name, pointer)
    kind = spec.kind
    if kind == 'string':
        ok = isinstance(value, str)
    elif kind == 'boolean':
        ok = isinstance(value, bool)
    elif kind == 'number':
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)
    elif kind == 'integer':
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind in ('object', 'any_object'):
        ok = isinstance(value, dict)
    else:
        ok = isinstance(value, list)
    if not ok:
        raise InvalidConfig('%s must be %s, not %s' % (name, KIND_NAMES[kind], _json_kind(value)), pointer)
    if spec.choices is not None and value not in spec.choices:
        raise InvalidConfig('%s must be one of %s, not %r' % (name, ', '.join(spec.choices), value), pointer)
    if kind == 'number':
        value = float(value)   # format: double, as a typed server answers it (50 comes back 50.0)
    elif kind == 'object':
        value = check_object(value, spec.fields, pointer)
    elif kind == 'any_object':
        value = copy.deepcopy(value)
    elif kind == 'list':
        value = [_check_value(item, spec.items, '%s[%d]' % (name, index), '%s/%d' % (pointer, index))
                 for index, item in enumerate(value)]
    if spec.check is not None:
        spec.check(value, pointer)
    return value


def _json_kind(value):
    if isinstance(value, bool):
        return 'a boolean'
    if isinstance(value, (int, float)):
        return 'a number'
    if isinstance(value, str):
        return 'a string'
    if isinstance(value, list):
        return 'a list'
    if isinstance(value, dict):
        return 'an object'
    return 'null'


def check_object(value, fields, pointer=''):
    """An object checked against ``fields`` (name -> Field): unknown keys refused (so that a misspelt key is
    never silently dropped), required ones present, each value of its kind. Returns a normalised copy."""
    if not isinstance(value, dict):
        raise InvalidConfig('%s must be an object' % (pointer.rsplit('/', 1)[-1] or 'the attributes'), pointer)
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise InvalidConfig('unknown field %r (known: %s)' % (unknown[0], ', '.join(sorted(fields))),
                            '%s/%s' % (pointer, unknown[0]))
    checked = {}
    for name, spec in fields.items():
        if name not in value:
            if spec.required:
                raise InvalidConfig('missing required field %r' % name, '%s/%s' % (pointer, name))
            continue
        checked[name] = _check_value(value[name], spec, name, '%s/%s' % (pointer, name))
    return checked


def check_evaluator(attributes, eval_name=None):
    """The configuration of a PUT (or a seed item) checked as the spec states it; returns
    {category, target, llm_provider, llm_judge_config} as given (numbers of double fields as floats).
    ``eval_name``: the path's; ``attributes.eval_name``, when given, must equal it."""
    checked = check_object(attributes, EVALUATOR)
    name = checked.pop('eval_name', None)
    if eval_name is not None and name is not None and name != eval_name:
        raise InvalidConfig('eval_name %r must be the evaluator name of the path, %r' % (name, eval_name), '/eval_name')
    return checked


# What a server may add to an evaluator it answers with (``evaluator_server_fields``): defaults it fills in when a
# field was not sent, and read-only fields of its own inside the configuration, which a client must not send back.
SERVER_FILLED = {None: {'category': 'Custom'}, 'target': {'experiment_project_ids': []},
                 'llm_judge_config': {'modified_library_prompt_template': False}}
SERVER_READ_ONLY = {'llm_provider': {'integration_account_name': 'Demo account'}, 'target': {'query': '@ml_app:*'}}


def evaluator_view(config, null_fields=False, server_fields=False):
    """The stored configuration as answers show it; ``null_fields``: unset nullable fields as null;
    ``server_fields``: with the defaults and read-only fields a server adds (SERVER_FILLED, SERVER_READ_ONLY)."""
    view = copy.deepcopy(config)
    if server_fields:
        for table in (SERVER_FILLED, SERVER_READ_ONLY):
            for part, values in table.items():
                if part is None:
                    for name, value in values.items():
                        view.setdefault(name, copy.deepcopy(value))
                elif isinstance(view.get(part), dict):
                    for name, value in values.items():
                        view[part].setdefault(name, copy.deepcopy(value))
    if null_fields:
        for part, names in NULLABLE_ANSWER_FIELDS.items():
            if part in view:
                for name in names:
                    view[part].setdefault(name, None)
    return view


class Evaluator(object):
    """A custom evaluator configuration: what was PUT last, and the server's fields."""

    def __init__(self, name, config, created_at, seq):
        self.name = name
        self.config = config
        self.created_at = self.updated_at = created_at
        self.created_by = self.last_updated_by = {'email': API_USER_EMAIL}
        self.seq = seq

    def to_json(self, null_fields=False, server_fields=False):
        attributes = evaluator_view(self.config, null_fields, server_fields)
        attributes.update(eval_name=self.name, created_at=self.created_at, updated_at=self.updated_at,
                          created_by=dict(self.created_by), last_updated_by=dict(self.last_updated_by))
        return {'id': self.name, 'type': 'evaluator_config', 'attributes': attributes}


# ---------------------------------------------------------------------- prompts


def _message(item, pointer, authoring=False):
    """A chat message, a placeholder, or (``authoring``) an include item, checked; returns it and its kind."""
    if not isinstance(item, dict):
        raise InvalidConfig('each message must be an object', pointer)
    if 'include' in item:
        if not authoring:
            raise InvalidConfig('an include item goes in an authored template, an object with "messages"', pointer + '/include')
        if set(item) != {'include'}:
            raise InvalidConfig('an include item has only "include", not %s' % ', '.join(sorted(set(item) - {'include'})),
                                pointer)
        include = item['include']
        if not isinstance(include, dict):
            raise InvalidConfig('include must be an object with prompt_id, version and items', pointer + '/include')
        unknown = sorted(set(include) - {'prompt_id', 'version', 'items'})
        if unknown:
            raise InvalidConfig('unknown field %r of include (known: items, prompt_id, version)' % unknown[0],
                                '%s/include/%s' % (pointer, unknown[0]))
        prompt_id = include.get('prompt_id')
        if not isinstance(prompt_id, str) or not prompt_id:
            raise InvalidConfig('include.prompt_id must be a non-empty string', pointer + '/include/prompt_id')
        version = include.get('version')
        if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= MAX_INT32:
            raise InvalidConfig('include.version must be a whole number of 1 or more', pointer + '/include/version')
        if 'items' in include:
            items = include['items']
            if not isinstance(items, list) or not items:
                raise InvalidConfig('include.items must be a non-empty list of message indexes', pointer + '/include/items')
            for index, number in enumerate(items):
                if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= MAX_INT32:
                    raise InvalidConfig('include.items holds message indexes (0 or more)',
                                        '%s/include/items/%d' % (pointer, index))
        return 'include'
    if item.get('type') == 'placeholder' and 'role' not in item:
        if set(item) != {'type', 'name'}:
            raise InvalidConfig('a placeholder has only "type" and "name"', pointer)
        if not isinstance(item['name'], str) or not PLACEHOLDER_NAME.match(item['name']):
            raise InvalidConfig('a placeholder name is letters, digits and "_", not %r' % (item['name'],), pointer + '/name')
        return 'placeholder'
    unknown = sorted(set(item) - {'role', 'content'})
    if unknown:
        raise InvalidConfig('a message has "role" and "content" (or is {"type": "placeholder", "name"}), not %r'
                            % unknown[0], '%s/%s' % (pointer, unknown[0]))
    for key in ('role', 'content'):
        if not isinstance(item.get(key), str):
            raise InvalidConfig('a message needs %s, a string' % key, '%s/%s' % (pointer, key))
    if not item['role'].strip():
        raise InvalidConfig('a message role must not be empty', pointer + '/role')
    return 'message'


def check_template(template, pointer='/template', resolve=None):
    """A template checked as the spec states it: a text (with a character other than a space), a chat list
    (one item or more: {role, content} or {type: placeholder, name}), or an authored object
    {messages: [...]} whose items may include versions of other prompts.

    ``resolve(prompt_id, version, pointer)`` gives the PromptVersion an include names (InvalidConfig when there is
    none). Returns (the compiled template, the authored one or None when nothing is included)."""
    if isinstance(template, str):
        if not template.strip():
            raise InvalidConfig('a text template must hold a character other than a space', pointer)
        if resolve is None or not INLINE_INCLUDE.search(template):
            return template, None

        def inline(found):
            included = resolve(found.group(1), int(found.group(2)), pointer)
            if not isinstance(included.template, str):
                raise InvalidConfig('{{>%s version=%s}} names a chat template: a text can include only a text'
                                    % (found.group(1), found.group(2)), pointer)
            return included.template
        return INLINE_INCLUDE.sub(inline, template), template
    if isinstance(template, list):
        if not template:
            raise InvalidConfig('a chat template needs one message or more', pointer)
        for index, item in enumerate(template):
            _message(item, '%s/%d' % (pointer, index))
        return copy.deepcopy(template), None
    if isinstance(template, dict):
        if set(template) != {'messages'}:
            raise InvalidConfig('an authored template is {"messages": [...]}; unknown: %s'
                                % ', '.join(sorted(set(template) - {'messages'})) if set(template) - {'messages'}
                                else 'an authored template needs "messages"', pointer)
        messages = template['messages']
        if not isinstance(messages, list) or not messages:
            raise InvalidConfig('messages must be a list of one item or more', pointer + '/messages')
        compiled, composed = [], False
        for index, item in enumerate(messages):
            where = '%s/messages/%d' % (pointer, index)
            if _message(item, where, authoring=True) != 'include':
                compiled.append(copy.deepcopy(item))
                continue
            composed = True
            include = item['include']
            if resolve is None:
                raise InvalidConfig('includes cannot be resolved here', where + '/include')
            included = resolve(include['prompt_id'], include['version'], where + '/include')
            if not isinstance(included.template, list):
                raise InvalidConfig('prompt %s version %d is a text template: only chat messages can be included'
                                    % (include['prompt_id'], include['version']), where + '/include')
            for position, number in enumerate(include.get('items', range(len(included.template)))):
                if number >= len(included.template):
                    raise InvalidConfig('prompt %s version %d has %d messages: no message %d' % (
                        include['prompt_id'], include['version'], len(included.template), number),
                        '%s/include/items/%d' % (where, position))
                compiled.append(copy.deepcopy(included.template[number]))
        return compiled, (copy.deepcopy(template) if composed else None)
    raise InvalidConfig('a template is a text, a list of chat messages or an object with "messages"', pointer)


def check_labels(value, pointer):
    if not isinstance(value, list):
        raise InvalidConfig('labels must be a list', pointer)
    for index, label in enumerate(value):
        if label not in PROMPT_LABELS:
            raise InvalidConfig('a label is one of %s, not %r' % (', '.join(PROMPT_LABELS), label), '%s/%d' % (pointer, index))
    return list(dict.fromkeys(value))


def check_strings(value, name, pointer):
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidConfig('%s must be a list of strings' % name, pointer)
    return list(value)


class PromptVersion(object):
    """One version of a prompt: its compiled template, the authored one (composed versions), config and labels."""

    def __init__(self, prompt, number, template, authoring, config, description, labels, created_at, user_version=None,
                 env_ids=None):
        self.id = str(uuid.uuid5(uuid.NAMESPACE_URL, 'llmobs-emulator:prompt:%s:%d' % (prompt.id, number)))
        self.number = number
        self.template = template
        self.authoring = authoring
        self.config = config
        self.description = description
        self.labels = labels
        self.created_at = created_at
        self.user_version = user_version
        self.env_ids = env_ids or []

    def list_json(self, prompt):
        """As the versions list shows it: no template."""
        attributes = {'author': PROMPT_AUTHOR, 'created_at': self.created_at, 'labels': list(self.labels),
                      'prompt_id': prompt.prompt_id, 'prompt_uuid': prompt.id, 'version': self.number,
                      'version_created_at': self.created_at}
        if self.description is not None:
            attributes['description'] = self.description
        if self.user_version is not None:
            attributes['user_version'] = self.user_version
        return {'id': self.id, 'type': 'prompt-template-versions', 'attributes': attributes}

    def to_json(self, prompt):
        """The whole version: template, authoring_template (composed versions only), config (left out when empty)."""
        view = self.list_json(prompt)
        attributes = view['attributes']
        attributes['template'] = copy.deepcopy(self.template)
        if self.authoring is not None:
            attributes['authoring_template'] = copy.deepcopy(self.authoring)
        if self.config:
            attributes['config'] = copy.deepcopy(self.config)
        return view

    def sdk_json(self, prompt):
        """GetLLMObsPrompt's flattened shape: version as a string, ``template`` (text) or ``chat_template`` (chat)."""
        # The sequential number, unless a user_version was given: then that identifier, as the spec says.
        attributes = {'prompt_id': prompt.prompt_id, 'prompt_version_uuid': self.id,
                      'version': self.user_version if self.user_version is not None else str(self.number),
                      'labels': list(self.labels)}
        attributes['template' if isinstance(self.template, str) else 'chat_template'] = copy.deepcopy(self.template)
        if self.config:
            attributes['config'] = copy.deepcopy(self.config)
        return {'id': prompt.id, 'type': 'prompt-templates', 'attributes': attributes}

    def state_json(self):
        return {'version': self.number, 'id': self.id, 'template': copy.deepcopy(self.template),
                'authoring_template': copy.deepcopy(self.authoring), 'config': copy.deepcopy(self.config),
                'description': self.description, 'labels': list(self.labels), 'created_at': self.created_at,
                'env_ids': list(self.env_ids), 'user_version': self.user_version}


class Prompt(object):
    """A registry prompt: its metadata and its versions (oldest first); ``deleted_at`` once soft-deleted."""

    def __init__(self, prompt_id, title, description, created_at, seq):
        # A new id each time the prompt_id is created again (after a delete); the same for the same seed.
        self.id = str(uuid.uuid5(uuid.NAMESPACE_URL, 'llmobs-emulator:prompt:%s:%d' % (prompt_id, seq)))
        self.prompt_id = prompt_id
        self.title = title
        self.description = description
        self.created_at = created_at
        self.seq = seq
        self.versions = []
        self.deleted_at = None

    @property
    def latest(self):
        return self.versions[-1]

    def version(self, number):
        return self.versions[number - 1] if 1 <= number <= len(self.versions) else None

    def to_json(self, with_config=False):
        """The prompt's metadata (lists, updates); ``with_config``: the first version's config too (the create's answer)."""
        attributes = {'author': PROMPT_AUTHOR, 'created_at': self.created_at, 'created_from': 'sdk-registry',
                      'in_registry': True, 'last_version_created_at': self.latest.created_at,
                      'num_versions': len(self.versions), 'prompt_id': self.prompt_id, 'source': 'registry'}
        for key in ('title', 'description'):
            if getattr(self, key) is not None:
                attributes[key] = getattr(self, key)
        if with_config and self.latest.config:
            attributes['config'] = copy.deepcopy(self.latest.config)
        return {'id': self.id, 'type': 'prompt-templates', 'attributes': attributes}

    def state_json(self):
        return {'prompt_id': self.prompt_id, 'id': self.id, 'title': self.title, 'description': self.description,
                'created_at': self.created_at, 'deleted': self.deleted_at is not None, 'deleted_at': self.deleted_at,
                'labels': dict((label, v.number) for v in self.versions for label in v.labels),
                'versions': [v.state_json() for v in reversed(self.versions)]}
