# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""llmobs_evaluator's logic: its option checks, the judge's prompt read from a file, the declared configuration,
and what the module does with it (create, merge or replace, delete), with check mode, diff and summary.

The configuration as data (merge, compare by path) is in ``_evaluators``; this file decides what to send.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.llmobs.datadog.plugins.module_utils._controller_files import file_origin
from ansible_collections.llmobs.datadog.plugins.module_utils._data_file import parse_data, read_text
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError, ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._evaluators import (
    CONFIG_KEYS,
    config_differences,
    evaluator_facts,
    listed_paths,
    merged_config,
    stored_config,
    strip_none,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import require_one
from ansible_collections.llmobs.datadog.plugins.module_utils._text import counted
from ansible_collections.llmobs.datadog.plugins.module_utils._validation import check_name, check_wait_timeout

PROMPT_FILE = 'a prompt template file'
MESSAGE_KEYS = ('role', 'content', 'contents')
UUID = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z')
PROJECT_IDS_OPTION = 'target.experiment_project_ids'


# ---------------------------------------------------------------- checks before any request


def check_evaluator_options(params, files):
    """Every check of llmobs_evaluator's options; returns the judge's messages read from ``prompt_template_src``
    (None when it is not given). Raises ValidationError naming the option (and the file and message)."""
    name = check_name(params['name'], 'the name of the evaluator')
    if '/' in name or name in ('.', '..'):
        raise ValidationError("name must not contain '/' nor be '.' or '..' (got %r): it is a part of the request "
                              "path." % name)
    check_wait_timeout(params['wait_timeout'])
    target = params.get('target') or {}
    sampling = target.get('sampling_percentage')
    if sampling is not None and not 0 < sampling <= 100:
        raise ValidationError('target.sampling_percentage must be greater than 0 and at most 100 (got %r).' % sampling)
    for index, value in enumerate(target.get('experiment_project_ids') or ()):
        if not value or not value.strip():
            raise ValidationError('%s[%d] must not be blank: give a project id or an exact project name.'
                                  % (PROJECT_IDS_OPTION, index))
    judge = params.get('llm_judge_config') or {}
    criteria = judge.get('assessment_criteria') or {}
    low, high = criteria.get('min_threshold'), criteria.get('max_threshold')
    if low is not None and high is not None and low > high:
        raise ValidationError('llm_judge_config.assessment_criteria.min_threshold (%r) must not be greater than '
                              'max_threshold (%r).' % (low, high))
    max_tokens = (judge.get('inference_params') or {}).get('max_tokens')
    if max_tokens is not None and max_tokens < 1:
        raise ValidationError('llm_judge_config.inference_params.max_tokens must be at least 1 (got %r).' % max_tokens)
    if judge.get('prompt_template') is not None:
        if params.get('prompt_template_src') is not None:
            raise ValidationError('llm_judge_config.prompt_template and prompt_template_src are mutually exclusive: '
                                  'give the messages in one place.')
        check_messages(judge['prompt_template'], 'llm_judge_config.prompt_template')
    if params.get('prompt_template_src') is None:
        return None
    return read_prompt_template(params, files)


def check_messages(messages, where, place=None):
    """The judge's messages: a list of at least one mapping with a ``role`` and its ``content`` (text) or
    ``contents`` (content blocks, each a mapping with ``type`` and ``value``). ``where`` names the list, ``place``
    (default ``where``) begins the name of a message, "<place> message 2", counted from 1."""
    if not isinstance(messages, list) or not messages:
        raise ValidationError('%s must be a non-empty list of messages (mappings with role and content).' % where)
    for index, message in enumerate(messages):
        at = '%s message %d' % (place or where, index + 1)
        if not isinstance(message, dict):
            raise ValidationError('%s must be a mapping with role and content (got %s).' % (at, type(message).__name__))
        unknown = sorted(str(key) for key in message if key not in MESSAGE_KEYS)
        if unknown:
            raise ValidationError('%s has unknown fields (%s); a message has role, content and contents.'
                                  % (at, ', '.join(unknown)))
        role = message.get('role')
        if not isinstance(role, str) or not role.strip():
            raise ValidationError('%s: role must be a non-empty string (such as system or user).' % at)
        content, contents = message.get('content'), message.get('contents')
        if content is not None and not isinstance(content, str):
            raise ValidationError('%s: content must be a string (got %s).' % (at, type(content).__name__))
        if content is None and contents is None:
            raise ValidationError('%s has neither content nor contents: give the text of the message.' % at)
        if contents is not None:
            if not isinstance(contents, list):
                raise ValidationError('%s: contents must be a list of content blocks.' % at)
            for number, block in enumerate(contents):
                if not isinstance(block, dict) or 'type' not in block or not isinstance(block.get('value'), dict):
                    raise ValidationError('%s: content block %d must be a mapping with type and value (a mapping).'
                                          % (at, number + 1))
    return messages


def read_prompt_template(params, files):
    """The judge's messages from ``prompt_template_src``: YAML or JSON (by extension, JSON for ``.json``), a list
    of messages or a mapping whose ``messages`` is that list. Errors name the file and the message (counted from 1)."""
    origin = file_origin(params, 'prompt_template_src', files)
    text = read_text(params['prompt_template_src'], origin.named, PROMPT_FILE)
    document = parse_data(text, origin.named, PROMPT_FILE, as_json=origin.given.lower().endswith('.json'))
    if isinstance(document, dict):
        if set(document) != set(['messages']):
            raise ValidationError('%s: a mapping must hold only "messages", the list of the messages (found: %s).'
                                  % (origin.named, ', '.join(sorted(str(key) for key in document)) or 'nothing'))
        document = document['messages']
    if not isinstance(document, list):
        raise ValidationError('%s must hold a list of messages, or a mapping with "messages".' % origin.named)
    check_messages(document, '%s: messages' % origin.named, '%s:' % origin.named)
    return [dict((key, value) for key, value in message.items() if value is not None) for message in document]


# ---------------------------------------------------------------- the declared configuration


def declared_config(params, messages=None):
    """The configuration the options declare: the options given, without the suboptions not given (None);
    ``messages`` (read from ``prompt_template_src``) go into ``llm_judge_config.prompt_template``."""
    config = {}
    for key in CONFIG_KEYS:
        if params.get(key) is not None:
            config[key] = strip_none(params[key], key)
    if messages is not None:
        config.setdefault('llm_judge_config', {})['prompt_template'] = messages
    return config


def resolve_project_ids(api, config, check_mode=False, plan=None):
    """``target.experiment_project_ids`` with each value that is not a project id (UUID-shaped) replaced by the id
    of the project of exactly that name. A name that matches nothing fails, naming the option and the name; in
    check mode, one that an earlier task of the run would create is kept as it is."""
    values = (config.get('target') or {}).get('experiment_project_ids')
    if not values:
        return config
    resolved = []
    for value in values:
        if UUID.match(value):
            resolved.append(value)
            continue
        matches = api.projects.find_by_name(value)
        if not matches and check_mode and plan is not None and plan.project(value):
            resolved.append(value)
            continue
        resolved.append(require_one(matches, 'project', value, option=PROJECT_IDS_OPTION)['id'])
    config['target']['experiment_project_ids'] = resolved
    return config


# ---------------------------------------------------------------- present and absent


def _present_diff(config):
    return dict(config, state='present')


def _missing_for_create(body, name, how):
    """What a PUT body lacks that the API requires, as a failure naming the option; None when it is complete.
    ``how`` says what the PUT would do ("does not exist, so it would be created")."""
    target = body.get('target') or {}
    missing = [option for option in ('target.application_name', 'target.enabled')
               if target.get(option.split('.')[1]) is None]
    if body.get('llm_judge_config') is not None and (body['llm_judge_config'].get('inference_params') is None):
        missing.append('llm_judge_config.inference_params')
    if not missing:
        return None
    return ('Evaluator %r %s, and the API requires %s, which %s not given. Nothing was sent.'
            % (name, how, listed_paths(missing), 'is' if len(missing) == 1 else 'are'))


def ensure_evaluator(task, config):
    """Make the evaluator ``task.params['name']`` hold ``config`` (declared) or be absent; returns the result."""
    params, evaluators = task.params, task.api.evaluators
    name, timeout = params['name'], params['wait_timeout']
    item = evaluators.get(name)
    facts = evaluator_facts(item) if item is not None else None
    stored = stored_config(facts)
    result = dict(changed=False, evaluator=facts, differences=[])
    if params['state'] == 'absent':
        return _absent(task, name, facts, stored, result)
    body = config if params['replace'] else merged_config(stored, config)
    differences = config_differences(stored, config, replace=params['replace'])
    if task.diff:
        result['diff'] = dict(before=_present_diff(stored) if facts else dict(state='absent'),
                              after=_present_diff(body if differences else stored))
    if facts is not None and not differences:
        result.update(msg='Evaluator %r: nothing to change.' % name, summary='evaluator %s: unchanged' % name)
        return result
    how = ('does not exist, so it would be created' if facts is None else
           'would be replaced (replace: true)' if params['replace'] else 'would be updated')
    refusal = _missing_for_create(body, name, how)
    if refusal is not None:
        raise LLMObsError(refusal, **result)
    paths = listed_paths(differences)
    result.update(changed=True, differences=differences)
    if task.check_mode:
        predicted = dict(facts or evaluator_facts({'id': name}))
        predicted.update((key, body.get(key)) for key in CONFIG_KEYS)
        result.update(evaluator=predicted, summary='evaluator %s: %s' % (
            name, 'would be created' if facts is None else paths + ' would be updated'))
        result['msg'] = ('Evaluator %r would be created' % name if facts is None else
                         'Evaluator %r: would update %s' % (name, paths)) + ' (check mode: nothing was sent).'
        return result
    try:
        result['evaluator'] = evaluators.put(name, body, timeout, wait=params['wait'], before=facts)
    except LLMObsError as exc:
        raise _failed_after(exc, result)
    if facts is None:
        result.update(msg='Evaluator %r created.' % name, summary='evaluator %s: created' % name)
    else:
        result.update(msg='Evaluator %r: updated %s.' % (name, paths), summary='evaluator %s: %s updated' % (name, paths))
    return result


def _failed_after(exc, result):
    """``exc``, raised by a write or after it, with the task's result in its failure result: ``changed`` is true
    only when the write was (or may have been) carried out, as ``exc`` says (its ``changed``)."""
    extras = dict((key, value) for key, value in result.items() if key not in ('msg', 'summary'))
    extras.update(exc.result_extras)
    extras['changed'] = bool(exc.result_extras.get('changed'))
    exc.result_extras = extras
    return exc


def _absent(task, name, facts, stored, result):
    if facts is None:
        if task.diff:
            result['diff'] = dict(before=dict(state='absent'), after=dict(state='absent'))
        result.update(msg='Evaluator %r is absent; nothing to do.' % name, summary='evaluator %s: already absent' % name)
        return result
    result['changed'] = True
    if task.diff:
        result['diff'] = dict(before=_present_diff(stored), after=dict(state='absent'))
    if task.check_mode:
        result.update(msg='Evaluator %r would be deleted (check mode: nothing was sent).' % name,
                      summary='evaluator %s: would be deleted' % name)
        return result
    try:
        gone = task.api.evaluators.delete(name, task.params['wait_timeout'], wait=task.params['wait'])
    except LLMObsError as exc:
        raise _failed_after(exc, result)
    if gone is False:
        task.warn('Deleted evaluator %r, but it could still be read after %s; a run started right away may '
                  'still find it. Raise wait_timeout to wait longer.' % (name, counted(task.params['wait_timeout'], 'second')))
    result.update(msg='Evaluator %r deleted.' % name, summary='evaluator %s: deleted' % name)
    return result
