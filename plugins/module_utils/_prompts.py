# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The prompts resource (the prompt registry): its paths, bodies and facts, and every request made about prompts.

A prompt is addressed by its ``prompt_id``, the identifier its owner chose; the API's own ``id`` (a UUID) is a
fact only. Every prompt has versions numbered from 1; each version holds a template (text, a list of chat
messages, or an authored object whose messages may include other prompts) and a ``config``, and may carry labels
(``production``, ``development``). Every endpoint is in preview.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.plugins.module_utils._diff import same_data
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import APIError, LLMObsError, OptionHint
from ansible_collections.llmobs.datadog.plugins.module_utils._jsonapi import API_PREFIX, attributes_of, single_object
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import Names
from ansible_collections.llmobs.datadog.plugins.module_utils._text import counted
from ansible_collections.llmobs.datadog.plugins.module_utils._transport import path_segment

PROMPTS_PATH = API_PREFIX + '/prompts'
PROMPT_TYPE = 'prompt-templates'
VERSION_TYPE = 'prompt-template-versions'
# The labels the API knows (the spec's enum).
LABELS = ('production', 'development')
# How many versions past the latest one known a lookup after a lost answer reads, one by one, for the one it sent.
MAX_VERSIONS_AHEAD = 20
# How many versions past the newest one the versions list shows a read of the versions reads, one by one by number:
# the list lags behind writes, a read of one version does not.
READ_AHEAD = 10

PROMPT_HINTS = {404: OptionHint(('prompt_id',), 'no prompt of the registry has this prompt_id (or it was deleted).')}
VERSION_HINTS = {404: OptionHint(('prompt_id', 'version', 'label_version'),
                                 'the prompt or that version of it does not exist.')}


def prompt_path(prompt_id):
    return '%s/%s' % (PROMPTS_PATH, path_segment(prompt_id))


def versions_path(prompt_id):
    return prompt_path(prompt_id) + '/versions'


def version_number(value):
    """A version number as an int, from an int or a text of digits (the API gives both); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def prompt_facts(item):
    """The metadata of one prompt as modules return them, read leniently from a JSON:API object."""
    attributes = attributes_of(item)
    return dict(
        id=item.get('id'),
        prompt_id=attributes.get('prompt_id'),
        title=attributes.get('title'),
        description=attributes.get('description'),
        num_versions=attributes.get('num_versions'),
        created_at=attributes.get('created_at'),
        last_version_created_at=attributes.get('last_version_created_at'),
        source=attributes.get('source'),
        in_registry=attributes.get('in_registry'),
        created_from=attributes.get('created_from'),
    )


def _labels(attributes):
    labels = attributes.get('labels')
    return [label for label in labels if isinstance(label, str)] if isinstance(labels, list) else []


def version_list_facts(item):
    """The facts of one version as the versions list gives them (no template)."""
    attributes = attributes_of(item)
    return dict(
        id=item.get('id'),
        version=version_number(attributes.get('version')),
        labels=_labels(attributes),
        description=attributes.get('description'),
        user_version=attributes.get('user_version'),
        created_at=attributes.get('created_at') or attributes.get('version_created_at'),
    )


def as_listed(facts):
    """Version facts as the versions list gives them (no template, no config), from full ones."""
    keys = ('id', 'version', 'labels', 'description', 'user_version', 'created_at')
    return dict((key, facts.get(key)) for key in keys)


def version_facts(item):
    """The full facts of one version: ``template``, the usable template the API gives (compiled, for a composed
    version), ``authoring_template``, the form its author declared, for a composed version (None otherwise), and
    its ``config`` ({} when the answer leaves it out)."""
    attributes = attributes_of(item)
    facts = version_list_facts(item)
    facts['template'] = attributes.get('template')
    facts['authoring_template'] = attributes.get('authoring_template')
    config = attributes.get('config')
    facts['config'] = config if isinstance(config, dict) else {}
    return facts


def authored_template(facts):
    """The template of version facts as its author declared it: ``authoring_template`` when there is one."""
    authored = facts.get('authoring_template')
    return authored if authored is not None else facts.get('template')


def comparable(template):
    """The template as it is compared: an authored ``{messages: [...]}`` without includes is the plain list of its
    messages (the API may store it either way)."""
    if isinstance(template, dict) and isinstance(template.get('messages'), list) and \
            not any(isinstance(item, dict) and 'include' in item for item in template['messages']):
        return template['messages']
    return template


def same_template(declared, stored):
    """Whether a declared template and a stored one (in its authored form) are the same, as data."""
    return same_data(comparable(declared), comparable(stored))


def newest_first(versions):
    """Version facts ordered by number, newest first (any without a number last)."""
    return sorted(versions, key=lambda v: (v['version'] is None, -(v['version'] or 0)))


def labels_of(versions):
    """``{label: version number}`` for every label on the versions (newest first: a label shown on two versions at
    once, while it moves, counts for the newer)."""
    found = {}
    for entry in newest_first(versions):
        for label in entry['labels']:
            found.setdefault(label, entry['version'])
    return found


def listed_numbers(numbers):
    """'1, 2, 3' (sorted), or 'none'."""
    return ', '.join(str(number) for number in sorted(numbers)) if numbers else 'none'


def labels_text(versions):
    """The labels that exist, for a message: "production (version 1), development (version 2)" or "none"."""
    labels = labels_of(versions)
    if not labels:
        return 'none'
    return ', '.join('%s (version %s)' % (label, number) for label, number in sorted(labels.items(), key=lambda p: p[1]))


def missing_prompt_message(prompt_id):
    return ('No prompt with prompt_id %r was found in the prompt registry (prompt ids are compared exactly; a '
            'deleted prompt is not listed).' % prompt_id)


class PromptReads(object):
    """The reads of the prompts resource."""

    def __init__(self, transport, names=None):
        self.transport = transport
        self.names = names if names is not None else Names()

    # ------------------------------------------------------------------ reads

    def list(self, prompt_id=None):
        """Every prompt the list returns (filtered by ``prompt_id`` when given: not trusted to be exact), followed
        by its cursor if it gives one."""
        params = {} if prompt_id is None else {'filter[prompt_id]': prompt_id}
        return list(self.transport.pages(PROMPTS_PATH, 'Listing prompts', params, None, noun='prompt'))

    def find(self, prompt_id):
        """The one prompt of the registry whose prompt_id is exactly ``prompt_id``, or None."""
        matches = [item for item in self.list(prompt_id) if attributes_of(item).get('prompt_id') == prompt_id]
        if len(matches) > 1:
            raise LLMObsError('Several prompts with prompt_id %r are listed (ids: %s); the module cannot tell which '
                              'one is meant.' % (prompt_id, ', '.join(str(m.get('id')) for m in matches)))
        return matches[0] if matches else None

    def get(self, prompt_id):
        """The prompt as ``GET /prompts/{prompt_id}`` gives it (its id, its prompt_id and its latest version,
        flattened), or None on 404. Unlike the list, this read does not lag behind a create."""
        operation = 'Reading prompt %r' % prompt_id
        try:
            document = self.transport.request('GET', prompt_path(prompt_id), operation, hints=PROMPT_HINTS)
        except APIError as exc:
            if exc.status == 404:
                return None
            raise
        return _item_or_none(document)

    def versions(self, prompt_id):
        """The facts of every version of the prompt (no template), newest first; [] when the prompt is missing."""
        operation = 'Listing the versions of prompt %r' % prompt_id
        items = self.transport.pages(versions_path(prompt_id), operation, {}, None, noun='version',
                                     hints=PROMPT_HINTS)
        return newest_first([version_list_facts(item) for item in items])

    def versions_up_to_date(self, prompt_id, versions=None):
        """The versions of the prompt, newest first: those the versions list shows (``versions`` when already read)
        and those made since that it does not show yet, as it lags behind writes. These are read one by one by
        number past the newest listed (a read of one version does not lag), while they exist, up to READ_AHEAD of
        them; they are full facts (template, config, labels). [] when the prompt is missing."""
        if versions is None:
            versions = self.versions(prompt_id)
        numbers = [entry['version'] for entry in versions if entry['version'] is not None]
        following = (max(numbers) if numbers else 0) + 1
        found = []
        for number in range(following, following + READ_AHEAD):
            facts = self.version(prompt_id, number)
            if facts is None:
                break
            found.append(dict(facts, version=facts['version'] if facts['version'] is not None else number))
        return newest_first(found + list(versions))

    def version(self, prompt_id, number):
        """The full facts of version ``number`` of the prompt (template, config, labels...), or None when missing."""
        operation = 'Reading version %s of prompt %r' % (number, prompt_id)
        try:
            document = self.transport.request('GET', '%s/%s' % (versions_path(prompt_id), path_segment(number)),
                                              operation, hints=VERSION_HINTS)
        except APIError as exc:
            if exc.status == 404:
                return None
            raise
        data = document.get('data') if isinstance(document, dict) else None
        if not isinstance(data, dict):
            raise LLMObsError('%s returned a response without the version; the API may have changed.' % operation)
        return version_facts(data)

    def resolve(self, prompt_id, label=None, version=None):
        """The full facts of one version of the prompt: the one numbered ``version``, the one labelled ``label``, or
        the latest. Fails naming the versions or labels that exist when the one asked for is not there, and when
        the prompt itself is missing."""
        if label is not None and version is not None:
            raise LLMObsError('Give label or version for prompt %r, not both.' % prompt_id)
        number = None
        if version is not None:
            number = version_number(version)
            if number is None or number < 1:
                raise LLMObsError('version must be a version number (1 or more) of prompt %r, not %r.'
                                  % (prompt_id, version))
        versions = self.versions_up_to_date(prompt_id)
        if not versions:
            raise LLMObsError(missing_prompt_message(prompt_id))
        entry = pick_version(prompt_id, versions, label=label, number=number)
        facts = dict(entry) if 'template' in entry else self.version(prompt_id, entry['version'])
        if facts is None:
            raise LLMObsError('Version %s of prompt %r is listed but reading it answered 404; it may have just been '
                              'deleted.' % (entry['version'], prompt_id), versions=versions)
        if not facts['labels']:
            facts['labels'] = list(entry['labels'])
        return facts


def pick_version(prompt_id, versions, label=None, number=None):
    """The entry of ``versions`` (newest first) numbered ``number``, labelled ``label`` (the newest that holds it),
    or the latest; an LLMObsError naming what exists (and with ``versions`` in its result) otherwise."""
    if number is not None:
        for entry in versions:
            if entry['version'] == number:
                return entry
        raise LLMObsError('Prompt %r has no version %s; its versions: %s.'
                          % (prompt_id, number, listed_numbers([v['version'] for v in versions if v['version'] is not None])),
                          versions=versions)
    if label is not None:
        for entry in versions:
            if label in entry['labels']:
                return entry
        raise LLMObsError('Prompt %r has no version labelled %r; its labels: %s.'
                          % (prompt_id, label, labels_text(versions)), versions=versions)
    return versions[0]


def _gone_already(exc):
    """A delete sent again after an answer was lost, refused with 404: the first one took it."""
    return True if exc.status == 404 else None


def _attributes(**values):
    return dict((key, value) for key, value in values.items() if value is not None)


def _item_or_none(document):
    data = document.get('data') if isinstance(document, dict) else None
    return data if isinstance(data, dict) else None


class PromptWrites(object):
    """The writes of the prompts resource (mixed into Prompts)."""

    def create(self, prompt_id, template, settle_timeout, title=None, description=None, config=None):
        """Create the prompt with its first version; return the prompt as the answer gives it, or None when the API
        refuses with 409 because a prompt with this prompt_id exists already (made since it was looked up).

        A create whose answer was lost is looked up (the registry lists the prompt, or reading it by its prompt_id,
        which does not lag, finds it) before it is sent again, and a 409 to a create sent again proves the first one
        landed.
        """
        operation = 'Creating prompt %r' % prompt_id
        body = {'data': {'type': PROMPT_TYPE, 'attributes': _attributes(
            prompt_id=prompt_id, template=template, title=title, description=description, config=config)}}

        def find_made():
            return self.find(prompt_id) or self.get(prompt_id)

        def landed(exc):
            if exc.status != 409:
                return None
            # The refusal itself proves it: the facts are the best a read gives, or the prompt_id alone.
            return find_made() or {'id': None, 'type': PROMPT_TYPE, 'attributes': {'prompt_id': prompt_id}}

        try:
            return self.transport.write_once(
                'POST', PROMPTS_PATH, operation, body, find_made, settle_timeout, 'nothing was created',
                parse=single_object(operation, 'prompt'), landed=landed)
        except APIError as exc:
            if exc.status == 409 and not getattr(exc, 'outcome_unknown', False):
                return None
            raise

    def create_version(self, prompt_id, template, before, settle_timeout, config=None, description=None):
        """Add a version to the prompt and return its facts as the answer gives them, with its number.

        Every POST makes a version, so one is never sent twice blindly: when the answer is lost, version
        ``before + 1`` (``before``: the latest before the POST) is read by its number, a read that does not lag: it
        is this one when its template is the one sent. Failing that, the versions list is read until it shows a
        version newer than ``before``. ``config`` None carries the latest version's config forward.
        """
        operation = 'Creating a new version of prompt %r' % prompt_id
        body = {'data': {'type': VERSION_TYPE, 'attributes': _attributes(
            template=template, config=config, description=description)}}
        following = (before or 0) + 1
        others = set()  # versions made since ``before`` that hold another template: made by someone else

        def read_following():
            for number in range(following, following + MAX_VERSIONS_AHEAD):
                facts = self.version(prompt_id, number)
                if facts is None:
                    return None
                if same_template(template, authored_template(facts)):
                    return dict(facts, version=facts['version'] if facts['version'] is not None else number)
                others.add(number)
            return None

        def find_new():
            found = read_following()
            if found is not None:
                return found
            newer = [entry for entry in self.versions(prompt_id) if entry['version'] is not None and
                     entry['version'] > (before or 0) and entry['version'] not in others]
            return newer[-1] if newer else None

        def parse(document):
            return version_facts(single_object(operation, 'version')(document))

        facts = self.transport.write_once('POST', versions_path(prompt_id), operation, body, find_new,
                                          settle_timeout, 'no version was created', parse=parse, hints=PROMPT_HINTS)
        if facts.get('version') is None:  # an answer without its number: the version after ``before`` tells
            found = self.transport.poll(find_new, settle_timeout)
            if found is None or found.get('version') is None:
                raise LLMObsError('Version created for prompt %r, but its answer did not give its number and neither '
                                  'version %d nor the versions list showed it after %s.'
                                  % (prompt_id, following, counted(settle_timeout, 'second')), changed=True)
            facts = dict(facts, version=found['version'])
        return facts

    def update(self, prompt_id, attributes):
        """PATCH the prompt's title and description (setting a value twice is harmless: retried like a read);
        returns the prompt as the answer gives it, or None when it gives none."""
        operation = 'Updating prompt %r' % prompt_id
        document = self.transport.request(
            'PATCH', prompt_path(prompt_id), operation, body={'data': {'type': PROMPT_TYPE, 'attributes': attributes}},
            idempotent=True, hints=PROMPT_HINTS, expect_body=False)
        return _item_or_none(document)

    def set_labels(self, prompt_id, number, labels):
        """Make ``labels`` the whole list of labels of version ``number`` (retried like a read: the same list twice
        is harmless); returns the version's facts as the answer gives them, or None."""
        operation = 'Setting the labels of version %s of prompt %r' % (number, prompt_id)
        document = self.transport.request(
            'PATCH', '%s/%s' % (versions_path(prompt_id), path_segment(number)), operation,
            body={'data': {'type': VERSION_TYPE, 'attributes': {'labels': list(labels)}}},
            idempotent=True, hints=VERSION_HINTS, expect_body=False)
        item = _item_or_none(document)
        return version_facts(item) if item is not None else None

    def delete(self, prompt_id, settle_timeout):
        """Delete the prompt (Datadog keeps it, soft deleted, out of every list). A delete whose answer was lost is
        looked up before it is sent again; a 404 means it is gone already."""
        def find_gone():
            return True if self.find(prompt_id) is None else None

        try:
            self.transport.write_once('DELETE', prompt_path(prompt_id), 'Deleting prompt %r' % prompt_id, None,
                                      find_gone, settle_timeout, 'nothing was deleted', landed=_gone_already,
                                      expect_body=False)
        except APIError as exc:
            if exc.status != 404 or getattr(exc, 'outcome_unknown', False):
                raise


class Prompts(PromptReads, PromptWrites):
    """Requests about the prompt registry, over one Transport: the reads and the writes."""
