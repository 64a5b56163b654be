# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Seed documents: the projects, datasets and records the emulator starts with (docs/emulator.md).

A seed is checked whole before anything is loaded, and every problem is reported with the place
it was found, for example ``projects[0].datasets[1].records[3].input: missing``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from .registry import EVALUATOR_ATTRIBUTES, InvalidConfig, check_evaluator, check_labels, check_template
from .store import InvalidRecord, check_experiment, check_record, dotted, format_time, parse_time

SEED_KEYS = ('projects', 'evaluators', 'prompts')
EVALUATOR_KEYS = EVALUATOR_ATTRIBUTES + ('created_at', 'updated_at')
PROMPT_KEYS = ('prompt_id', 'title', 'description', 'created_at', 'versions')
VERSION_KEYS = ('template', 'config', 'description', 'labels', 'created_at', 'user_version')
PROJECT_KEYS = ('id', 'name', 'description', 'datasets', 'experiments')
DATASET_KEYS = ('id', 'name', 'description', 'metadata', 'records', 'created_at')


class SeedError(ValueError):
    """A seed that cannot be loaded; the message says where and why."""


def _object(value, where, keys):
    if not isinstance(value, dict):
        raise SeedError('%s: must be a JSON object' % where)
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise SeedError('%s: unknown key(s) %s (known: %s)' % (where, ', '.join(unknown), ', '.join(keys)))
    return value


def _list(value, where):
    if not isinstance(value, list):
        raise SeedError('%s: must be a JSON list' % where)
    return value


def _text(container, key, where, required=False):
    if key not in container:
        if required:
            raise SeedError('%s.%s: missing' % (where, key))
        return
    value = container[key]
    if not isinstance(value, str) or (required and not value.strip()):
        raise SeedError('%s.%s: must be a %sstring' % (where, key, 'non-empty ' if required else ''))


def check_seed(document, name='the seed'):
    """Raise SeedError unless ``document`` is a seed the store can load; return it otherwise.

    ``name`` says what the document is in messages (a file name, ...).
    """
    try:
        return _check_seed(document)
    except SeedError as error:
        raise SeedError('%s: %s' % (name, error))


def _time(item, key, where):
    """An item's ``key`` (ISO 8601) as the emulator writes times, or None when it is left out."""
    if item.get(key) is None:
        return None
    try:
        return format_time(parse_time(item[key], '%s.%s' % (where, key)))
    except ValueError as problem:
        raise SeedError(str(problem))


def check_evaluator_item(item, where):
    """A seeded evaluator ({eval_name, category, target, llm_provider, llm_judge_config, created_at, updated_at})
    checked as a PUT is; returns it normalised (the same shape: checking it again gives it back)."""
    _object(item, where, EVALUATOR_KEYS)
    _text(item, 'eval_name', where, required=True)
    try:
        checked = check_evaluator(dict((k, v) for k, v in item.items() if k in EVALUATOR_ATTRIBUTES and k != 'eval_name'))
    except InvalidConfig as problem:
        raise SeedError('%s: %s' % (dotted(where + problem.field), problem))
    checked['eval_name'] = item['eval_name']
    for key in ('created_at', 'updated_at'):
        if item.get(key) is not None:
            checked[key] = _time(item, key, where)
    return checked


class _Compiled(object):
    def __init__(self, template):
        self.template = template


def check_prompt_item(item, where, earlier):
    """A seeded prompt ({prompt_id, title, description, created_at, versions: [{template, config, description, labels,
    created_at, user_version}]}) checked; ``earlier``: prompt_id -> compiled templates of the prompts before it in the
    seed, which its includes may name. Returns it normalised and records its own compiled templates in ``earlier``."""
    _object(item, where, PROMPT_KEYS)
    _text(item, 'prompt_id', where, required=True)
    if '/' in item['prompt_id']:
        raise SeedError('%s.prompt_id: must not hold "/"' % where)
    _text(item, 'title', where)
    _text(item, 'description', where)
    versions = _list(item.get('versions'), where + '.versions')
    if not versions:
        raise SeedError('%s.versions: a prompt needs one version or more' % where)

    checked = dict(item, versions=[])
    compiled = []

    def resolve(prompt_id, number, pointer):
        made = compiled if prompt_id == item['prompt_id'] else earlier.get(prompt_id, [])
        if not 1 <= number <= len(made):
            raise InvalidConfig('include: prompt %s has no version %d earlier in the seed' % (prompt_id, number), pointer)
        return _Compiled(made[number - 1])

    for index, version in enumerate(versions):
        v_where = '%s.versions[%d]' % (where, index)
        _object(version, v_where, VERSION_KEYS)
        if 'template' not in version:
            raise SeedError('%s.template: missing' % v_where)
        try:
            compiled.append(check_template(version['template'], '', resolve)[0])
            if 'labels' in version:
                check_labels(version['labels'], '/labels')
        except InvalidConfig as problem:
            field = problem.field if problem.field.startswith('/labels') else '/template' + problem.field
            raise SeedError('%s: %s' % (dotted(v_where + field), problem))
        if 'config' in version and not isinstance(version['config'], dict):
            raise SeedError('%s.config: must be a JSON object' % v_where)
        _text(version, 'description', v_where)
        _text(version, 'user_version', v_where)
        fields = dict(version)
        if version.get('created_at') is not None:
            fields['created_at'] = _time(version, 'created_at', v_where)
        checked['versions'].append(fields)
    if item.get('created_at') is not None:
        checked['created_at'] = _time(item, 'created_at', where)
    earlier[item['prompt_id']] = compiled
    return checked


def _check_seed(document):
    _object(document, 'the document', SEED_KEYS)
    checked = dict(document)
    names = set()
    evaluators = []
    for index, item in enumerate(_list(document.get('evaluators', []), 'evaluators')):
        evaluators.append(check_evaluator_item(item, 'evaluators[%d]' % index))
        if item['eval_name'] in names:
            raise SeedError('evaluators[%d].eval_name: %s is used twice' % (index, item['eval_name']))
        names.add(item['eval_name'])
    earlier, prompts = {}, []
    for index, item in enumerate(_list(document.get('prompts', []), 'prompts')):
        if isinstance(item, dict) and item.get('prompt_id') in earlier:
            raise SeedError('prompts[%d].prompt_id: %s is used twice' % (index, item['prompt_id']))
        prompts.append(check_prompt_item(item, 'prompts[%d]' % index, earlier))
    if 'evaluators' in document:
        checked['evaluators'] = evaluators
    if 'prompts' in document:
        checked['prompts'] = prompts
    _check_projects(document)
    return checked


def _check_projects(document):
    project_ids, dataset_ids, experiment_ids = set(), set(), set()
    for p_index, project in enumerate(_list(document.get('projects', []), 'projects')):
        p_where = 'projects[%d]' % p_index
        _object(project, p_where, PROJECT_KEYS)
        _text(project, 'name', p_where, required=True)
        _text(project, 'description', p_where)
        _text(project, 'id', p_where)
        if project.get('id') in project_ids:
            raise SeedError('%s.id: %s is used twice' % (p_where, project['id']))
        project_ids.add(project.get('id'))
        names = set()
        for d_index, dataset in enumerate(_list(project.get('datasets', []), p_where + '.datasets')):
            d_where = '%s.datasets[%d]' % (p_where, d_index)
            _object(dataset, d_where, DATASET_KEYS)
            _text(dataset, 'name', d_where, required=True)
            _text(dataset, 'description', d_where)
            _text(dataset, 'id', d_where)
            if dataset.get('id') is not None:
                if dataset['id'] in dataset_ids:
                    raise SeedError('%s.id: %s is used twice' % (d_where, dataset['id']))
                dataset_ids.add(dataset['id'])
            if dataset.get('metadata') is not None and not isinstance(dataset['metadata'], dict):
                raise SeedError('%s.metadata: must be a JSON object or null' % d_where)
            if 'created_at' in dataset:
                try:
                    parse_time(dataset['created_at'], '%s.created_at' % d_where)
                except ValueError as problem:
                    raise SeedError(str(problem))
            names.update([dataset['name'], dataset.get('id')])
            record_ids = set()
            for r_index, record in enumerate(_list(dataset.get('records', []), d_where + '.records')):
                r_where = '%s.records[%d]' % (d_where, r_index)
                try:
                    check_record(record)
                except InvalidRecord as problem:
                    field = problem.field.lstrip('/').replace('/', '.')
                    raise SeedError('%s%s: %s' % (r_where, '.' + field if field else '', problem))
                if record.get('id') is not None:
                    if record['id'] in record_ids:
                        raise SeedError('%s.id: %s is used twice in this dataset' % (r_where, record['id']))
                    record_ids.add(record['id'])
        for e_index, experiment in enumerate(_list(project.get('experiments', []), p_where + '.experiments')):
            e_where = '%s.experiments[%d]' % (p_where, e_index)
            try:
                check_experiment(experiment, e_where, ('dataset',))
            except ValueError as problem:
                raise SeedError(str(problem))
            if experiment['dataset'] not in names:
                raise SeedError('%s.dataset: %s is not the name or id of a dataset of this project in the seed'
                                % (e_where, experiment['dataset']))
            if experiment.get('id') is not None:
                if experiment['id'] in experiment_ids:
                    raise SeedError('%s.id: %s is used twice' % (e_where, experiment['id']))
                experiment_ids.add(experiment['id'])
            if experiment.get('dataset_version', 0) != 0:
                raise SeedError('%s.dataset_version: a seeded dataset has only version 0' % e_where)


def read_seed_file(path):
    """The checked seed in the JSON file at ``path``; SeedError names the file and the problem."""
    try:
        with open(path, 'rb') as handle:
            raw = handle.read()
    except (IOError, OSError) as error:
        raise SeedError('cannot read seed file %s: %s' % (path, error.strerror or error))
    try:
        document = json.loads(raw.decode('utf-8'))
    except UnicodeDecodeError:
        raise SeedError('seed file %s is not UTF-8 text' % path)
    except ValueError as error:
        raise SeedError('seed file %s is not valid JSON: %s' % (path, error))
    return check_seed(document, name='seed file %s' % path)
