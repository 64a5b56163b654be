# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""llmobs_prompt's logic: the declared template (its checks, its file), how it compares with a stored version, and
what a run writes: the prompt, one new version when the template or the config differ, its title and description,
and the labels moved onto the version they should name.

Everything is read and checked before the first write; check mode makes the same reads and predicts the rest.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re

from ansible_collections.llmobs.datadog.plugins.module_utils._controller_files import file_origin
from ansible_collections.llmobs.datadog.plugins.module_utils._data_file import parse_data, read_text
from ansible_collections.llmobs.datadog.plugins.module_utils._diff import same_data
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError, ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._jsonapi import attributes_of
from ansible_collections.llmobs.datadog.plugins.module_utils._prompts import (
    authored_template,
    labels_of,
    listed_numbers,
    missing_prompt_message,
    newest_first,
    prompt_facts,
    same_template,
    version_number,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._text import counted
from ansible_collections.llmobs.datadog.plugins.module_utils._validation import (
    check_description,
    check_name,
    check_wait_timeout,
)

PLACEHOLDER_NAME = re.compile(r'^[A-Za-z0-9_]+$')
DATA_EXTENSIONS = ('.yml', '.yaml', '.json')
LATEST = 'latest'


# ---------------------------------------------------------------------------------------- the declared template

def _type_name(value):
    return {dict: 'a mapping', list: 'a list', bool: 'a boolean', int: 'a number', float: 'a number',
            type(None): 'null'}.get(type(value), type(value).__name__)


def _check_keys(item, allowed, where):
    unknown = sorted(str(key) for key in item if key not in allowed)
    if unknown:
        raise ValidationError('%s has %s %s; a message has only %s.'
                              % (where, 'keys' if len(unknown) > 1 else 'the key', ', '.join(unknown),
                                 ' and '.join(sorted(allowed))))


def _check_message(item, where, placeholders):
    if not isinstance(item, dict):
        raise ValidationError('%s must be a mapping, not %s.' % (where, _type_name(item)))
    if placeholders and item.get('type') == 'placeholder':
        _check_keys(item, ('type', 'name'), where)
        name = item.get('name')
        if not isinstance(name, str) or not PLACEHOLDER_NAME.match(name):
            raise ValidationError('%s is a placeholder: its name must be letters, digits and _ only (got %r).'
                                  % (where, name))
        return
    _check_keys(item, ('role', 'content'), where)
    for key in ('role', 'content'):
        if not isinstance(item.get(key), str):
            raise ValidationError('%s needs a %s, as text (got %s).' % (where, key, _type_name(item.get(key))))
    if not item['role'].strip():
        raise ValidationError('%s has a blank role.' % where)


def _check_include(item, where):
    _check_keys(item, ('include',), where)
    include = item['include']
    if not isinstance(include, dict):
        raise ValidationError('%s: include must be a mapping with prompt_id and version.' % where)
    _check_keys(include, ('prompt_id', 'version', 'items'), where + ' include')
    if not isinstance(include.get('prompt_id'), str) or not include['prompt_id'].strip():
        raise ValidationError('%s: include needs a prompt_id.' % where)
    version = include.get('version')
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValidationError('%s: include needs a version, a number from 1 (got %r).' % (where, version))
    items = include.get('items')
    if items is not None and (not isinstance(items, list) or
                              any(isinstance(i, bool) or not isinstance(i, int) or i < 0 for i in items)):
        raise ValidationError('%s: include items must be a list of message indexes (numbers from 0).' % where)


def check_template(template, where):
    """``template`` if it is a template the API takes: text with a character other than a space, a list of chat
    messages (``{role, content}`` or ``{type: placeholder, name}``), or ``{messages: [...]}`` whose items are
    messages or ``{include: {prompt_id, version, items}}``. A ValidationError otherwise, naming ``where`` (the
    option, or the file) and the message, counted from 1."""
    if isinstance(template, str):
        if not template.strip():
            raise ValidationError('%s: a text template must hold a character other than spaces.' % where)
        return template
    if isinstance(template, dict):
        if list(template) != ['messages']:
            raise ValidationError('%s: a template given as a mapping is an authored chat template, {messages: [...]}; '
                                  'it has %s.' % (where, ', '.join(sorted(str(k) for k in template)) or 'no keys'))
        messages = template['messages']
        if not isinstance(messages, list) or not messages:
            raise ValidationError('%s: messages must be a list of at least one message.' % where)
        for index, item in enumerate(messages):
            place = '%s message %d' % (where, index + 1)
            if isinstance(item, dict) and 'include' in item:
                _check_include(item, place)
            else:
                _check_message(item, place, placeholders=False)
        return template
    if isinstance(template, list):
        if not template:
            raise ValidationError('%s: a chat template needs at least one message.' % where)
        for index, item in enumerate(template):
            _check_message(item, '%s message %d' % (where, index + 1), placeholders=True)
        return template
    raise ValidationError('%s must be text, a list of chat messages or {messages: [...]}, not %s.'
                          % (where, _type_name(template)))


def read_template_file(path, named):
    """The template in the file at ``path`` (``named``: how messages name it). ``.yml``, ``.yaml`` and ``.json``
    files are parsed as data (a list, a mapping or a string); any other file is a text template, whose last line
    break is not part of it."""
    text = read_text(path, named, 'a template file')
    extension = os.path.splitext(path)[1].lower()
    if extension in DATA_EXTENSIONS:
        return parse_data(text, named, 'a template file', as_json=extension == '.json')
    return text[:-2] if text.endswith('\r\n') else text[:-1] if text.endswith('\n') else text


def check_options(params, files):
    """Every check of llmobs_prompt's options, before any request; returns the declared template (None when none)."""
    check_name(params['prompt_id'], 'the prompt_id of the prompt', option='prompt_id')
    check_description(params['description'])
    check_wait_timeout(params['wait_timeout'])
    label_version = params['label_version']
    if label_version != LATEST and (version_number(label_version) is None or version_number(label_version) < 1):
        raise ValidationError("label_version must be 'latest' or a version number from 1 (got %r)." % label_version)
    if params['template'] is not None:
        return check_template(params['template'], 'template')
    if params['template_src'] is not None:
        origin = file_origin(params, 'template_src', files)
        return check_template(read_template_file(params['template_src'], origin.named), origin.named)
    return None


# ---------------------------------------------------------------------------------------- the run

def _state(prompt, latest, labels):
    """What a diff shows of the prompt: its template as its author declared it."""
    if prompt is None:
        return dict(state='absent')
    latest = latest or {}
    return dict(state='present', title=prompt.get('title'), description=prompt.get('description'),
                template=authored_template(latest), config=latest.get('config'), labels=dict(labels))


def _planned_version(number, template, config, description):
    """The facts of a version this run makes, as far as they are known before it is read."""
    return dict(version=number, template=template, authoring_template=None, config=config or {}, labels=[],
                description=description, user_version=None, created_at=None, id=None)


class PromptRun(object):
    """One run of llmobs_prompt with ``state: present``: ``result()`` reads, plans, writes (not in check mode) and
    returns the module's result."""

    def __init__(self, task):
        self.task = task
        self.params = task.params
        self.prompts = task.api.prompts
        self.prompt_id = task.params['prompt_id']
        self.declared = task.checked
        self.timeout = task.params['wait_timeout']
        self.check = task.check_mode
        self.done = []      # what was (or would be) done, for msg and summary
        self.changed = False
        self.labels_set = False  # whether a label PATCH was sent
        self.listed = None  # the versions list as read after the last label PATCH, None when none was since

    def say(self, done, would):
        """Note what was done (``done``) or, in check mode, what would be (``would``)."""
        self.done.append(would if self.check else done)
        self.changed = True

    # ------------------------------------------------------------------ the plan, before any write

    def new_version_reason(self, latest):
        """Why a new version is needed ('template', 'config', both), or '' when the latest version matches."""
        reasons = []
        if self.declared is not None and not same_template(self.declared, authored_template(latest)):
            reasons.append('template')
        config = self.params['config']
        if config is not None and not same_data(config, latest.get('config') or {}):
            reasons.append('config')
        return ' and '.join(reasons)

    def metadata_changes(self, prompt):
        return dict((key, self.params[key]) for key in ('title', 'description')
                    if self.params[key] is not None and self.params[key] != prompt.get(key))

    def label_target(self, numbers, planned=None):
        """The version number the declared labels go on, None for the latest after this run. ``numbers`` are those
        of the versions there are, ``planned`` the number of the version this run makes (None: none); they count
        both: a number that names none of them fails, naming them."""
        if self.params['label_version'] == LATEST:
            return None
        number = version_number(self.params['label_version'])
        if number in numbers or number == planned:
            return number
        if not numbers:
            there = 'it does not exist yet, and this task creates its version %s' % planned
        elif planned is not None:
            there = 'its versions: %s, and %s that this task creates' % (listed_numbers(numbers), planned)
        else:
            there = 'its versions: %s' % listed_numbers(numbers)
        raise LLMObsError('label_version: Prompt %r has no version %s; %s.' % (self.prompt_id, number, there))

    # ------------------------------------------------------------------ the run

    def result(self):
        """The run; an error after a write says what was done and that the task changed something."""
        try:
            return self.run()
        except LLMObsError as exc:
            if not self.check and (self.changed or getattr(exc, 'outcome_unknown', False)):
                exc.result_extras['changed'] = True
                if self.done:
                    exc.extend_message(' Before this failure, prompt %r: %s.' % (self.prompt_id, ', '.join(self.done)))
            raise

    def run(self):
        prompt = self.prompts.find(self.prompt_id)
        if prompt is None:
            if self.declared is None:
                raise LLMObsError('%s template or template_src is required to create it.'
                                  % missing_prompt_message(self.prompt_id))
            target = self.label_target([], planned=1)  # fails before the create
            made = self.create()
            if made is not None:
                return self.finish(made, None, [], target)
            prompt = self.prompts.find(self.prompt_id) or self.prompts.get(self.prompt_id)
            if prompt is None:
                raise LLMObsError('Creating prompt %r was refused because it exists, but it cannot be read; try again.'
                                  % self.prompt_id)
        # The list lags behind writes: the versions made since it was last updated are read by their numbers.
        versions = self.prompts.versions_up_to_date(self.prompt_id)
        if not versions:
            raise LLMObsError('Prompt %r is listed but has no version to compare with; it may have just been deleted.'
                              % self.prompt_id)
        return self.update(prompt, versions)

    def create(self):
        """Create the prompt (in check mode, predict it) and return it; None when the API refused because it exists
        (made since the lookup): it is then compared as an existing one."""
        params = self.params
        if self.check:
            self.say('', 'would be created')
            return {'id': None, 'attributes': dict(prompt_id=self.prompt_id, title=params['title'],
                                                   description=params['description'], num_versions=1)}
        # An empty config is what an omitted one stores, and an organization without versioned configuration
        # refuses any config, even an empty one: it is sent only when it holds something.
        made = self.prompts.create(self.prompt_id, self.declared, self.timeout, title=params['title'],
                                   description=params['description'], config=params['config'] or None)
        if made is None:
            self.task.warn('Prompt %r did not exist when it was looked up, but creating it was refused because it '
                           'exists (made in parallel); it is compared with what is there instead.' % self.prompt_id)
            return None
        self.say('created', '')
        return made

    def update(self, prompt, versions):
        """The prompt exists: a new version when needed, the title and description, the labels."""
        latest = versions[0]  # read in full when the list did not show it yet
        if 'template' not in latest:
            latest = self.prompts.version(self.prompt_id, latest['version'])
        if latest is None:
            raise LLMObsError('Version %s of prompt %r is listed but reading it answered 404.'
                              % (versions[0]['version'], self.prompt_id))
        # Its labels as reading it gives them: the list may show them as they were before the last writes.
        versions = [latest if entry['version'] == latest['version'] else entry for entry in versions]
        before = _state(prompt_facts(prompt), latest, labels_of(versions))
        changes = self.metadata_changes(prompt_facts(prompt))
        reason = self.new_version_reason(latest)
        target = self.label_target([v['version'] for v in versions if v['version'] is not None],
                                   planned=latest['version'] + 1 if reason else None)
        if changes:
            if not self.check:
                prompt = self.prompts.update(self.prompt_id, changes) or prompt
            what = ' and '.join(sorted(changes))
            self.say('%s updated' % what, '%s would be updated' % what)
        new = None
        if reason:
            new = self.new_version(latest, reason)
        return self.finish(prompt, latest, versions, target, new=new, before=before, changes=changes)

    def new_version(self, latest, reason):
        """POST one new version (never twice), or in check mode predict it; returns its (predicted) facts, with its
        number."""
        template = self.declared if self.declared is not None else authored_template(latest)
        config = self.params['config']
        if config is not None and same_data(config, latest.get('config') or {}):
            config = None  # the same as the latest's: omitted, it is carried forward (and needs no config access)
        if self.check:
            self.say('', 'a new version would be created (%s changed)' % reason)
            return _planned_version(latest['version'] + 1, template,
                                    config if config is not None else latest.get('config'),
                                    self.params['version_description'])
        made = self.prompts.create_version(self.prompt_id, template, latest['version'], self.timeout,
                                           config=config, description=self.params['version_description'])
        self.say('version %s created (%s changed)' % (made['version'], reason), '')
        return made

    # ------------------------------------------------------------------ labels, and the result

    def wait_for_version(self, number):
        """The versions list once it shows version ``number`` (reads lag behind writes), within wait_timeout; the
        list as last read, with a warning, when it does not show it by then."""
        last = []

        def shows():
            last[:] = [self.prompts.versions(self.prompt_id)]
            return last[0] if any(v['version'] == number for v in last[0]) else None

        versions = self.prompts.transport.poll(shows, self.timeout)
        if versions is None:
            self.task.warn('Version %s of prompt %r was created, but the versions list did not show it after %s '
                           '(reads lag behind writes); labels were set on versions by their numbers, with the labels '
                           'of the other versions as the list showed them.'
                           % (number, self.prompt_id, counted(self.timeout, 'second')))
            return last[0] if last else []
        return versions

    def move_labels(self, versions, target, made=None):
        """Put every declared label on version ``target``, and take it off every other version that holds it after
        that. Returns the versions as they end (predicted in check mode).

        The versions list may show labels as they were before the last writes (it lags): a label is set, or taken
        off, only once a read of the version itself (which does not lag) shows it is needed. Versions read in full
        (with their template) and the version ``made`` by this run (no label is sent with it) need no such read."""
        versions = [dict(v, labels=list(v['labels'])) for v in versions]
        written = set()  # versions whose labels this run set: their labels are known, whatever a lagging list shows
        read = set(v['version'] for v in versions if 'template' in v) | set([made] if made is not None else [])

        def numbered(number):
            return next((v for v in versions if v['version'] == number), None)

        def confirmed(entry):
            """``entry`` with its labels as reading the version gives them, unless they are known already."""
            if entry['version'] not in read and entry['version'] not in written:
                facts = self.prompts.version(self.prompt_id, entry['version'])
                if facts is not None:
                    entry['labels'] = list(facts['labels'])
                read.add(entry['version'])
            return entry

        for label in dict.fromkeys(self.params['labels'] or ()):
            holder = numbered(target)
            if holder is None:
                raise LLMObsError('Version %s of prompt %r is not in its versions list; the labels %s were not set.'
                                  % (target, self.prompt_id, ', '.join(self.params['labels'])))
            moved = label not in holder['labels'] and label not in confirmed(holder)['labels']
            if moved:
                if not self.check:
                    self.prompts.set_labels(self.prompt_id, target, holder['labels'] + [label])
                    written.add(target)
                    self.labels_set = True
                    self.listed = None
                holder['labels'].append(label)
                self.say('label %s set on version %s' % (label, target),
                         'label %s would be set on version %s' % (label, target))
                if not self.check:  # whether the server took it off the version that held it: the list tells
                    self.listed = self.prompts.versions(self.prompt_id)
                    for entry in self.listed:
                        known = numbered(entry['version'])
                        if known is None:
                            versions.append(dict(entry, labels=list(entry['labels'])))
                        elif entry['version'] not in written:
                            known['labels'] = list(entry['labels'])
                            read.discard(entry['version'])  # the label just set may have left it
            for entry in versions:
                if entry is holder or label not in entry['labels'] or label not in confirmed(entry)['labels']:
                    continue
                remaining = [other for other in entry['labels'] if other != label]
                if not self.check:
                    self.prompts.set_labels(self.prompt_id, entry['version'], remaining)
                    written.add(entry['version'])
                    self.labels_set = True
                    self.listed = None  # read before this write
                entry['labels'] = remaining
                if not moved:  # a label already on the target, and on another version too
                    self.say('label %s removed from version %s' % (label, entry['version']),
                             'label %s would be removed from version %s' % (label, entry['version']))
        return newest_first(versions)

    # ------------------------------------------------------------------ waits after the writes

    def wait_for_labels(self, target):
        """With ``wait``, after label PATCHes: read the versions list until it shows every declared label on version
        ``target`` and on no other (reads lag behind writes), within wait_timeout; a warning when it does not by
        then, since a run started right away would set them again."""
        declared = list(dict.fromkeys(self.params['labels'] or ()))

        def shown(listed):
            holder = next((v for v in listed if v['version'] == target), None)
            if holder is None or any(label not in holder['labels'] for label in declared):
                return None
            if any(label in v['labels'] for v in listed if v is not holder for label in declared):
                return None
            return listed

        if self.listed is not None and shown(self.listed) is not None:
            return  # the list read after the last PATCH shows them already
        if self.prompts.transport.poll(lambda: shown(self.prompts.versions(self.prompt_id)), self.timeout) is None:
            self.task.warn('The labels %s of prompt %r were set, but the versions list did not show them on version %s '
                           'alone after %s (reads lag behind writes); a run started right away may set them again. '
                           'Raise wait_timeout to wait longer.'
                           % (', '.join(declared), self.prompt_id, target, counted(self.timeout, 'second')))

    def settled_prompt(self, prompt, changes):
        """The prompt as the prompts list shows it after this run's writes, with the title and description it was
        given (``changes``). With ``wait`` and ``changes``, the list is read until it shows them (it lags behind
        writes), within wait_timeout, with a warning when it does not by then; otherwise it is read once."""
        if not changes or not self.params['wait']:
            found = self.prompts.find(self.prompt_id)
        else:
            last = []

            def shows():
                item = self.prompts.find(self.prompt_id)
                if item is not None:
                    last[:] = [item]
                    if all(attributes_of(item).get(key) == value for key, value in changes.items()):
                        return item
                return None

            found = self.prompts.transport.poll(shows, self.timeout)
            if found is None:
                self.task.warn('Prompt %r was updated (%s), but the prompts list still showed the values from '
                               'before after %s (reads lag behind writes); a run started right away may update it '
                               'again. Raise wait_timeout to wait longer.'
                               % (self.prompt_id, ' and '.join(sorted(changes)), counted(self.timeout, 'second')))
                found = last[0] if last else None
        return found or prompt

    def finish(self, prompt, latest, versions, target, new=None, before=None, changes=None):
        """Labels, then the result: the prompt as it ends, its latest version, its labels, msg, summary and diff."""
        created = latest is None
        check = self.check
        if created:
            new = _planned_version(1, self.declared, self.params['config'], None)
            before = dict(state='absent')
        if new is not None:
            number = new['version']
            if not check and (self.params['wait'] or self.params['labels']):
                versions = self.wait_for_version(number)
            if not any(v['version'] == number for v in versions):
                # Not listed yet: it is known by its number, and holds no label (none is sent with it).
                versions = newest_first([dict(version=number, labels=[], description=new.get('description'),
                                              user_version=new.get('user_version'), created_at=new.get('created_at'),
                                              id=new.get('id'))] + list(versions))
            if target is None:
                target = number
        if target is None:
            target = versions[0]['version']
        versions = self.move_labels(versions, target, made=new['version'] if new is not None else None)
        if self.labels_set and self.params['wait']:
            self.wait_for_labels(target)
        if new is not None and not check:
            latest = self.prompts.version(self.prompt_id, new['version']) or dict(new)
        elif new is not None:
            latest = new
        latest = dict(latest, labels=next((v['labels'] for v in versions if v['version'] == latest['version']),
                                          latest.get('labels') or []))
        if self.changed and not check:
            prompt = self.settled_prompt(prompt, changes)
        facts = prompt_facts(prompt)
        facts.update(changes or {})  # what was sent, whatever a lagging read still shows
        if check:
            if new is not None and isinstance(facts.get('num_versions'), int) and not created:
                facts['num_versions'] += 1
        labels = labels_of(versions)
        after = _state(facts, latest, labels)
        title = 'Prompt %r%s' % (self.prompt_id, ' (id %s)' % facts['id'] if facts.get('id') else '')
        if self.changed:
            msg = '%s: %s%s.' % (title, ', '.join(d for d in self.done if d),
                                 ' (check mode: nothing was sent)' if check else '')
        else:
            msg = '%s: nothing to change.' % title
        result = dict(changed=self.changed, prompt=facts, latest_version=latest['version'],
                      version_created=new is not None, version=latest, labels=labels, msg=msg,
                      summary='prompt %s: %s' % (self.prompt_id, '; '.join(d for d in self.done if d) or 'unchanged'))
        if self.task.diff:
            result['diff'] = dict(before=before, after=after)
        return result
