# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The custom evaluators resource (LLM-as-judge configurations): its paths, bodies and facts, every request made
about evaluators, and the configuration as data (declared, stored, merged, compared by path).

An evaluator is keyed by its name (``eval_name``, also its JSON:API id) and belongs to no project. Its PUT creates
or replaces the whole configuration and answers with an empty body, so the configuration is always read again.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

from ansible_collections.llmobs.datadog.plugins.module_utils._diff import same_data
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import APIError, LLMObsError, OptionHint
from ansible_collections.llmobs.datadog.plugins.module_utils._jsonapi import attributes_of
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import Names
from ansible_collections.llmobs.datadog.plugins.module_utils._text import counted
from ansible_collections.llmobs.datadog.plugins.module_utils._transport import path_segment

EVALUATORS_PATH = '/api/unstable/llm-obs/config/evaluators/custom'
EVALUATOR_TYPE = 'evaluator_config'

# The configuration a user declares, in the order the API documents it; the rest of the attributes are the server's.
CONFIG_KEYS = ('category', 'target', 'llm_provider', 'llm_judge_config')
SERVER_FIELDS = ('created_at', 'updated_at', 'created_by', 'last_updated_by')

# Values that are data of their own, compared and replaced whole, never merged key by key: a JSON schema, and the
# messages of the judge's prompt (a list).
WHOLE_VALUES = frozenset(('llm_judge_config.output_schema', 'llm_judge_config.prompt_template'))

# The fields a write takes, from the spec (LLMObsCustomEvalConfigUpdateAttributes and the schemas it references), as a
# tree: a mapping lists the fields of a mapping, a list of one mapping the fields of each item of a list, and None a
# value kept whole, as stored. A stored field outside it (a field a server adds, such as a name it resolves) is no
# part of the configuration: never sent back, never a difference. The inference parameters are kept whole: a model
# may take parameters the spec does not list, and a merge must not lose them.
WRITABLE_FIELDS = {
    'category': None,
    'target': dict.fromkeys(('application_name', 'enabled', 'eval_scope', 'experiment_project_ids', 'filter',
                             'root_spans_only', 'sampling_percentage')),
    'llm_provider': {
        'integration_provider': None, 'integration_account_id': None, 'model_name': None,
        'bedrock': dict.fromkeys(('inference_profile', 'region')),
        'vertex_ai': dict.fromkeys(('location', 'project')),
    },
    'llm_judge_config': {
        'assessment_criteria': dict.fromkeys(('max_threshold', 'min_threshold', 'pass_values', 'pass_when')),
        'context_query': None,
        'inference_params': None,
        'last_used_library_prompt_template_name': None,
        'modified_library_prompt_template': None,
        'output_schema': None,
        'parsing_type': None,
        'prompt_template': [dict.fromkeys(('role', 'content', 'contents'))],
        'target_query': None,
        'user_specified_json_post_processing_function': None,
    },
}

# Values Datadog stores when a write leaves the field out: with replace, a stored field not declared that holds one
# of these (or nothing: null, false, an empty list, mapping or string) is no difference.
SERVER_DEFAULTS = {'category': 'Custom'}

EVALUATOR_HINTS = {404: OptionHint(('name',), 'the evaluator does not exist (names are compared exactly).')}


def evaluator_name(item):
    """The name of an evaluator of an answer: its ``eval_name``, else its id (the two are the same)."""
    return attributes_of(item).get('eval_name') or (item.get('id') if isinstance(item, dict) else None)


def evaluator_facts(item):
    """The facts of one evaluator as modules return them, read leniently from a JSON:API object."""
    attributes = attributes_of(item)
    facts = dict(eval_name=evaluator_name(item))
    for key in CONFIG_KEYS + SERVER_FIELDS:
        facts[key] = attributes.get(key)
    return facts


# ---------------------------------------------------------------- the configuration as data


def strip_none(value, path=''):
    """``value`` without the None entries of its mappings (an option not given), at every level but inside the
    values that are data of their own (WHOLE_VALUES): there, a None is the user's. Each message of the prompt
    template loses its None fields (``content`` or ``contents`` not given), but its ``contents`` are kept whole."""
    if path in WHOLE_VALUES:
        if path == 'llm_judge_config.prompt_template' and isinstance(value, list):
            return [dict((key, item) for key, item in message.items() if item is not None)
                    if isinstance(message, dict) else message for message in value]
        return copy.deepcopy(value)
    if isinstance(value, dict):
        stripped = {}
        for key, item in value.items():
            if item is not None:
                stripped[key] = strip_none(item, '%s.%s' % (path, key) if path else key)
        return stripped
    return copy.deepcopy(value)


def writable(value, fields=None):
    """``value`` with only the fields a write takes (WRITABLE_FIELDS, or ``fields``, a part of it)."""
    fields = WRITABLE_FIELDS if fields is None else fields
    if isinstance(fields, list):
        return [writable(item, fields[0]) for item in value] if isinstance(value, list) else copy.deepcopy(value)
    if not isinstance(fields, dict) or not isinstance(value, dict):
        return copy.deepcopy(value)
    return dict((key, writable(item, fields[key]) if fields[key] is not None else copy.deepcopy(item))
                for key, item in value.items() if key in fields)


def stored_config(facts):
    """The configuration of an evaluator as stored: the fields a write takes (WRITABLE_FIELDS), without the values
    held as null (a null is a field not set). What a declared configuration is compared with, and the base a merge
    starts from. ``facts``: evaluator_facts."""
    if facts is None:
        return {}
    return writable(strip_none(dict((key, facts.get(key)) for key in CONFIG_KEYS)))


def _empty(value):
    return value is None or (isinstance(value, (str, list, dict)) and not value)


def holds_something(value, path):
    """Whether a stored field that is not declared holds something that ``replace`` must remove: not null, false,
    an empty list, mapping or string, nor the value Datadog stores by default (SERVER_DEFAULTS). A mapping holds
    something when one of its fields does."""
    if _empty(value) or value is False:
        return False
    if path in SERVER_DEFAULTS and same_data(value, SERVER_DEFAULTS[path]):
        return False
    if isinstance(value, dict) and path not in WHOLE_VALUES:
        return any(holds_something(item, '%s.%s' % (path, key)) for key, item in value.items())
    return True


def merged_config(stored, declared, path=''):
    """``stored`` with ``declared`` laid over it: mappings merge key by key, lists and scalars (and WHOLE_VALUES)
    replace. What a PUT sends when fields not declared must be kept (the PUT replaces the whole configuration)."""
    merged = copy.deepcopy(stored)
    for key, value in declared.items():
        where = '%s.%s' % (path, key) if path else key
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and where not in WHOLE_VALUES:
            merged[key] = merged_config(merged[key], value, where)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def config_differences(stored, declared, replace=False, path=''):
    """The sorted dotted paths where ``declared`` differs from ``stored``, compared as data (1 equals 1.0, key
    order does not matter). Mappings are compared key by key, so the path names the field that differs
    (``target.sampling_percentage``); lists and WHOLE_VALUES are compared whole. A field missing on one side equals
    an empty value (null, ``[]``, ``{}``, ``''``) on the other. Without ``replace``, a field that is not declared is
    no difference; with it, a stored field that is not declared is one when it holds something (holds_something)."""
    paths = []
    keys = set(declared) | (set(stored) if replace else set())
    for key in keys:
        where = '%s.%s' % (path, key) if path else key
        if key not in declared:
            if holds_something(stored[key], where):
                paths.append(where)
        elif key not in stored:
            if not _empty(declared[key]):
                paths.append(where)
        elif isinstance(declared[key], dict) and isinstance(stored[key], dict) and where not in WHOLE_VALUES:
            paths.extend(config_differences(stored[key], declared[key], replace, where))
        elif not same_data(stored[key], declared[key]):
            paths.append(where)
    return sorted(paths)


def removed_paths(before, config):
    """The paths of ``before`` (a stored configuration) that ``config`` leaves out and that hold something, with
    the value each held: what a PUT of ``config`` removes."""
    return dict((path, _at(before, path)) for path in config_differences(before, config, replace=True)
                if _at(config, path) is None)


def _at(config, path):
    value = config
    for key in path.split('.'):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def unshown_paths(facts, config, removed=None):
    """The sorted paths that an evaluator as read does not show as a PUT of ``config`` left them: a field sent that
    reads show with another value (or not at all), or a field the PUT removed (``removed``: path -> the value it
    held before) that still holds its old value. Fields the server adds or fills in itself are no such path: they
    are its defaults, not a write not shown yet. None when ``facts`` is None (nothing read)."""
    if facts is None:
        return None
    shown = stored_config(facts)
    paths = set(config_differences(shown, config))
    paths.update(path for path, old in (removed or {}).items() if same_data(_at(shown, path), old))
    return sorted(paths)


def shows_config(facts, config, removed=None):
    """Whether an evaluator as read shows every field of ``config`` (what a PUT sent) with its value, and none of
    the ``removed`` fields with the value it held before (see unshown_paths)."""
    return unshown_paths(facts, config, removed) == []


def listed_paths(paths):
    """'a', 'a and b', 'a, b and c': the paths that differ, for messages."""
    paths = list(paths)
    if len(paths) < 2:
        return ''.join(paths)
    return '%s and %s' % (', '.join(paths[:-1]), paths[-1])


def _gone_already(exc):
    """A delete sent again after an answer was lost, refused with 404: the first one took it."""
    return True if exc.status == 404 else None


class Evaluators(object):
    """Requests about custom LLM Observability evaluators, over one Transport."""

    def __init__(self, transport, names=None):
        self.transport = transport
        self.names = names if names is not None else Names()

    @staticmethod
    def _path(name):
        return '%s/%s' % (EVALUATORS_PATH, path_segment(name))

    def list(self):
        """Every custom evaluator of the organization, once each. The spec gives the list no paging; a
        ``meta.after`` cursor is followed all the same (bounded as every list is), and no page size is sent."""
        return list(self.transport.pages(EVALUATORS_PATH, 'Listing custom evaluators', {}, None,
                                         key=evaluator_name, noun='evaluator'))

    def get(self, name):
        """The evaluator called ``name``, or None when there is none (404)."""
        try:
            document = self.transport.request('GET', self._path(name), 'Reading evaluator %r' % name)
        except APIError as exc:
            if exc.status == 404:
                return None
            raise
        data = document.get('data') if isinstance(document, dict) else None
        return data if isinstance(data, dict) else None

    def put(self, name, config, settle_timeout, wait=True, before=None):
        """Create or replace the evaluator with exactly ``config`` (a PUT, answered with an empty body), then read
        it back until it shows ``config`` (for at most ``settle_timeout`` seconds; once, without ``wait``) and
        return the facts read, with ``config`` over them when the read still lags (a warning says so). Fields the
        server adds or fills in are its own: the read shows the write once every field sent is there and no field
        the write removed still holds its old value.

        A PUT whose answer was lost is not sent again blindly: it is sent through ``write_once``, whose lookup is
        "the evaluator shows the configuration sent", and no longer the fields of ``before`` (the evaluator's
        facts before the PUT) that ``config`` leaves out. An error after the write was answered (reading it back)
        carries ``changed`` and the evaluator as sent in its result.
        """
        attributes = dict(copy.deepcopy(config), eval_name=name)
        operation = 'Writing evaluator %r' % name
        removed = removed_paths(stored_config(before), config)
        last = {}

        def shown():
            item = self.get(name)
            facts = evaluator_facts(item) if item is not None else None
            if facts is not None:
                last['facts'] = facts
            return facts if shows_config(facts, config, removed) else None

        def as_sent():
            facts = dict(last.get('facts') or evaluator_facts({'id': name, 'attributes': {}}), eval_name=name)
            facts.update((key, copy.deepcopy(config.get(key))) for key in CONFIG_KEYS)  # what was sent, and only that
            return facts

        try:
            # The answer is never the result (the spec gives it no body): None, unless a lookup found it done.
            found = self.transport.write_once(
                'PUT', self._path(name), operation,
                {'data': {'type': EVALUATOR_TYPE, 'id': name, 'attributes': attributes}},
                shown, settle_timeout, 'the evaluator was not written', parse=lambda answer: None, expect_body=False)
        except LLMObsError as exc:
            if exc.outcome_unknown:  # it may have been written: a report must not say it was not
                exc.result_extras['changed'] = True
            raise
        try:
            if found is None:
                found = self.transport.poll(shown, settle_timeout if wait else 0)
        except LLMObsError as exc:
            exc.extend_message(' %s was answered before this, so the evaluator was written; it could not be read '
                               'back.' % operation)
            exc.result_extras.update(changed=True, evaluator=as_sent())
            raise
        if found is not None:
            return found
        if wait:
            unshown = unshown_paths(last.get('facts'), config, removed)
            self.transport.warn(
                '%s was answered, but reads still did not show the configuration sent after %s%s: reads may lag '
                'behind writes, or Datadog may store these fields in a form of its own (then declare them as it '
                'stores them). A run started right away may find the one from before and write it again. Raise '
                'wait_timeout to wait longer.'
                % (operation, counted(settle_timeout, 'second'),
                   ' (%s)' % listed_paths(unshown) if unshown else ''))
        return as_sent()

    def delete(self, name, settle_timeout, wait=True):
        """Delete the evaluator. A delete whose answer was lost is looked up before it is sent again, and a 404 to
        a delete sent again means the first one took it. With ``wait``, reads it until it is gone (at most
        ``settle_timeout`` seconds); returns whether it was seen gone (None when it was not waited for)."""
        def gone():
            return True if self.get(name) is None else None

        operation = 'Deleting evaluator %r' % name
        try:
            self.transport.write_once('DELETE', self._path(name), operation, None, gone, settle_timeout,
                                      'nothing was deleted', hints=EVALUATOR_HINTS, expect_body=False,
                                      landed=_gone_already)
        except LLMObsError as exc:
            if exc.outcome_unknown:  # it may have been deleted: a report must not say it was not
                exc.result_extras['changed'] = True
            raise
        if not wait:
            return None
        try:
            return bool(self.transport.poll(gone, settle_timeout))
        except LLMObsError as exc:
            exc.extend_message(' %s was answered before this, so the evaluator was deleted; reading it to see it gone '
                               'failed.' % operation)
            exc.result_extras['changed'] = True
            raise
