# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Exceptions of the collection, and the one place where an error response becomes a message."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re

# How much of a non-JSON body (a proxy's HTML page, say) is quoted in a message.
BODY_EXCERPT_CHARS = 200
# What a key is replaced with wherever a message could quote it, and the shortest piece of a key,
# cut by an excerpt's boundary, that is masked too: four characters already narrow a key down.
SECRET_MASK = '********'
MIN_SECRET_PIECE = 4

_HTML_TAG = re.compile(r"<[^>]*>")
_WHITESPACE = re.compile(r"\s+")


class LLMObsError(Exception):
    """Base error: a message for the user plus extra keys for the module result."""

    def __init__(self, message, **result_extras):
        super(LLMObsError, self).__init__(message)
        self.message = message
        # The message is the failure's msg: a msg among the extras (a result built before the failure) gives way.
        result_extras.pop('msg', None)
        self.result_extras = result_extras
        # True when a write may or may not have been carried out: a later run must read to know.
        self.outcome_unknown = False

    def extend_message(self, text):
        """Add a sentence to the message, for example what a follow-up lookup found."""
        self.message = self.message.rstrip() + text
        self.args = (self.message,)


class ValidationError(LLMObsError):
    """An option value was refused before any request was sent."""


class APIError(LLMObsError):
    """Datadog answered with a non-2xx status.

    ``retry_after`` is the number of seconds a 429 asks to wait (None when it gave none).
    """

    def __init__(self, status, errors, message, retry_after=None, hint=None):
        super(APIError, self).__init__(message + (' ' + hint if hint else ''), status=status, errors=errors)
        self.status = status
        self.errors = errors
        self.retry_after = retry_after
        self.hint = hint

    def extend_message(self, text):
        """Add a sentence about what happened; the hint (what to do) stays last."""
        if not self.hint:
            return super(APIError, self).extend_message(text)
        base = self.message[:-len(self.hint)].rstrip()
        self.message = base + text + ' ' + self.hint
        self.args = (self.message,)


class TransportError(LLMObsError):
    """No usable answer: connection refused or dropped, timeout, TLS failure.

    ``may_have_arrived`` tells whether the server could have acted on the request: false only
    when the connection was never made, so a write can be sent again without a lookup.
    ``retriable`` is false for failures that another try cannot fix, such as a bad certificate.
    """

    def __init__(self, message, may_have_arrived=True, retriable=True):
        super(TransportError, self).__init__(message)
        self.may_have_arrived = may_have_arrived
        self.retriable = retriable


def _describe_error_object(item):
    """One JSON:API error object as text: 'title: detail (status 400, at /data/attributes/name)'."""
    title = item.get('title')
    detail = item.get('detail')
    parts = [str(p) for p in (title, detail) if p not in (None, '')]
    if title and detail and str(title) == str(detail):
        parts = [str(title)]
    text = ': '.join(parts)

    context = []
    source = item.get('source')
    if isinstance(source, dict):
        for key, label in (('pointer', 'at'), ('parameter', 'parameter'), ('header', 'header')):
            if source.get(key):
                context.append('%s %s' % (label, source[key]))
    if item.get('status') not in (None, ''):
        context.insert(0, 'status %s' % item['status'])
    if context:
        text = ('%s (%s)' % (text, ', '.join(context))) if text else ', '.join(context)
    if not text:
        text = json.dumps(item, sort_keys=True, default=str)
    return text


def describe_error_entry(entry):
    """Any entry of an ``errors`` list as one line of text, whatever its shape."""
    if isinstance(entry, dict):
        return _describe_error_object(entry)
    if isinstance(entry, str):
        return entry
    return json.dumps(entry, sort_keys=True, default=str)


def mask_secrets(text, secrets):
    """``text`` with every whole occurrence of each secret replaced by SECRET_MASK."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, SECRET_MASK)
    return text


def _mask_cut_secrets(text, secrets):
    """An excerpt of a longer text can end with the start of a secret or begin with its end: mask those pieces."""
    for secret in secrets:
        for size in range(min(len(secret) - 1, len(text)), MIN_SECRET_PIECE - 1, -1):
            if text.endswith(secret[:size]):
                text = text[:-size] + SECRET_MASK
                break
        for size in range(min(len(secret) - 1, len(text)), MIN_SECRET_PIECE - 1, -1):
            if text.startswith(secret[-size:]):
                text = SECRET_MASK + text[size:]
                break
    return text


def _excerpt(text, secrets=()):
    text = mask_secrets(_WHITESPACE.sub(' ', _HTML_TAG.sub(' ', text)).strip(), secrets)
    if len(text) > BODY_EXCERPT_CHARS:
        text = _mask_cut_secrets(text[:BODY_EXCERPT_CHARS].rstrip(), secrets) + '...'
    return text


def parse_error_body(body, content_type=None, secrets=()):
    """Turn the raw bytes of an error response into ``(summary, errors)``.

    ``errors`` is the decoded ``errors`` list when there is one (else an empty list) and
    ``summary`` is always a non-empty string. Never raises, whatever the bytes. ``secrets`` are
    masked in the summary, whole and where an excerpt cuts them.
    """
    if body is None or not body.strip():
        return 'the response body was empty', []
    if isinstance(body, bytes):
        text = body.decode('utf-8', errors='replace')
    else:
        text = str(body)
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        kind = (content_type or 'unknown content type').split(';')[0].strip() or 'unknown content type'
        excerpt = _excerpt(text, secrets)
        if excerpt:
            return 'the response was not JSON (%s): %s' % (kind, excerpt), []
        return 'the response was not JSON (%s)' % kind, []

    errors = document.get('errors') if isinstance(document, dict) else None
    if isinstance(errors, list) and errors:
        lines = [describe_error_entry(e) for e in errors]
        return mask_secrets('; '.join(line for line in lines if line), secrets) or 'the error list was empty', errors
    if isinstance(errors, (str, dict)):
        return mask_secrets(describe_error_entry(errors), secrets), [errors]
    return 'no error list in the response: %s' % _excerpt(json.dumps(document, default=str), secrets), []


# What a user can do about an authentication failure, by the header the error names. A hint
# never guesses: when the answer names no header, it speaks of both keys.
KEY_HEADER_HINTS = {
    401: {
        'dd-api-key': 'Check api_key (DD_API_KEY): it must be a valid API key of the organisation on the site called.',
        'dd-application-key': 'Check app_key (DD_APP_KEY): it must be a valid application key of the organisation '
                              'on the site called.',
        None: 'Check api_key and app_key (DD_API_KEY, DD_APP_KEY) and that they belong to the site called.',
    },
    403: {
        'dd-api-key': 'Check api_key (DD_API_KEY): Datadog refused it; it must be an API key of the organisation '
                      'that site or api_url points at.',
        'dd-application-key': 'Check that the application key is allowed llmobs_data_read and llmobs_data_write, '
                              'and that site or api_url points at the organisation the keys belong to.',
        None: 'Check that api_key and app_key belong to the organisation that site or api_url points at, and that '
              'the application key is allowed llmobs_data_read and llmobs_data_write.',
    },
}


def named_key_header(errors, summary):
    """The key header ('dd-api-key' or 'dd-application-key') an error names, or None when it names neither or both."""
    named = set()
    for entry in errors:
        source = entry.get('source') if isinstance(entry, dict) else None
        header = source.get('header') if isinstance(source, dict) else None
        if isinstance(header, str) and header.strip().lower() in ('dd-api-key', 'dd-application-key'):
            named.add(header.strip().lower())
    if not named:
        text = summary.lower()
        named = set(h for h in ('dd-api-key', 'dd-application-key') if h in text)
    return named.pop() if len(named) == 1 else None


# What a 404 says when the task set none of the options the request could be about: the address
# the requests go to is not the API (a wrong api_url path, a proxy that does not pass the route).
ROUTE_NOT_FOUND_HINT = ('Check that site or api_url points at the Datadog API: the route of this request was not found '
                        'there.')


class OptionHint(object):
    """What to check after a failure status, about options of the task: it names only those the task set.

    ``options`` are the options the failure may come from (``project_id``, ``project_name``, ...);
    ``reason`` follows them ("Check project_name: <reason>"). When the task set none of them, the
    hint is ``otherwise``: a message never points at an option the user did not give.
    """

    def __init__(self, options, reason, otherwise=ROUTE_NOT_FOUND_HINT):
        self.options = tuple(options)
        self.reason = reason
        self.otherwise = otherwise

    def text(self, given):
        named = [option for option in self.options if option in given]
        if not named:
            return self.otherwise
        listed = named[0] if len(named) == 1 else '%s and %s' % (', '.join(named[:-1]), named[-1])
        return 'Check %s: %s' % (listed, self.reason)


def status_hint(status, errors, summary, hints=None, given=()):
    """What the user can do about ``status``: the resource's own hint first, then the key hints.

    ``given``: the options the task set, which an OptionHint may name.
    """
    if hints and status in hints:
        hint = hints[status]
        return hint.text(given) if isinstance(hint, OptionHint) else hint
    if status in KEY_HEADER_HINTS:
        return KEY_HEADER_HINTS[status][named_key_header(errors, summary)]
    return None


def api_error(operation, status, reason, body, content_type=None, retry_after=None, hints=None, secrets=(), given=()):
    """Build the APIError for a non-2xx answer to ``operation``: the one place such messages are made.

    ``hints`` maps a status to what the user can check (text, or an OptionHint that names only the
    options in ``given``, those the task set); resources pass their own (a 404 means a different
    thing for a project than for a record). ``secrets`` (the keys) never reach the message, not
    even a piece of one that an excerpt of the body cuts.
    """
    summary, errors = parse_error_body(body, content_type, secrets)
    status_text = 'HTTP %s' % status
    if reason:
        status_text += ' %s' % reason
    message = '%s failed with %s: %s.' % (operation, status_text, summary.rstrip('.'))
    return APIError(status, errors, message, retry_after=retry_after,
                    hint=status_hint(status, errors, summary, hints, given))


def redirect_error(operation, status, location):
    """A 3xx is never followed: it could carry the key headers to another host."""
    return APIError(status, [], '%s failed: the API answered HTTP %s, a redirect to %s, which is not followed so '
                    'that the keys stay with the configured host; set api_url to the final address.'
                    % (operation, status, location or 'an unknown location'))
