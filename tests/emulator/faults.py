# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Injected faults and rate limits: how the emulator misbehaves on purpose.

A fault is a JSON object (docs/emulator.md lists every field):

    {"operation": "CloneLLMObsDataset", "status": 500, "body": "html", "commit": true,
     "drop": false, "delay": 0, "times": 1, "skip": 0, "reset": 1, "errors": null,
     "drip": null, "endless": false, "key_at": 190, "cut_after": null}

Besides wrong answers, a fault can make a hostile server: ``drip`` sends the whole answer a few
bytes at a time, ``endless`` makes a list that never ends, ``body: "echo_key"`` echoes the
caller's API key in an HTML error page, at a place where a client's excerpt of the page cuts it,
``cut_after`` sends the headers and only the first bytes of the body, then closes the connection.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import math
import threading
import time

BODY_KINDS = ('json', 'strings', 'html', 'malformed', 'empty', 'echo_key')
FAULT_FIELDS = ('operation', 'status', 'body', 'commit', 'drop', 'delay', 'times', 'skip', 'reset', 'errors',
                'drip', 'endless', 'key_at', 'cut_after')
# The operations an ``endless`` fault applies to.
LIST_OPERATIONS = ('ListLLMObsProjects', 'ListLLMObsDatasets', 'ListLLMObsDatasetRecords', 'ListLLMObsExperiments',
                   'ListLLMObsExperimentEvents', 'ListLLMObsCustomEvalConfigs', 'ListLLMObsPrompts')
# Where the key starts in the text of an ``echo_key`` page once its tags are dropped and its
# whitespace folded: 10 characters before a 200-character excerpt ends.
ECHO_KEY_AT = 190


class FaultError(ValueError):
    """A fault description that cannot be used."""


class Fault(object):
    def __init__(self, operation='*', status=None, body='json', commit=False, drop=False, delay=0.0, times=1,
                 skip=0, reset=1, errors=None, drip=None, endless=False, key_at=ECHO_KEY_AT, cut_after=None):
        if body not in BODY_KINDS:
            raise FaultError('body must be one of %s' % ', '.join(BODY_KINDS))
        if status is not None and not (isinstance(status, int) and 100 <= status <= 599):
            raise FaultError('status must be an HTTP status code')
        if status is None and not drop and not delay and body == 'json' and drip is None and not endless \
                and cut_after is None:
            raise FaultError('a fault needs a status, drop, delay, body, drip, endless or cut_after')
        if cut_after is not None:
            if isinstance(cut_after, bool) or not isinstance(cut_after, int) or cut_after < 0:
                raise FaultError('cut_after must be a whole number of bytes, 0 or more')
            if drop or drip is not None or endless:
                raise FaultError('cut_after sends part of an answer: it does not go with drop, drip or endless')
        if drip is not None:
            drip = _check_drip(drip)
            if drop:
                raise FaultError('drip sends an answer and drop sends none: choose one')
        if not isinstance(endless, bool):
            raise FaultError('endless must be true or false')
        if endless and (operation not in LIST_OPERATIONS or status is not None or drop or commit or body != 'json'):
            raise FaultError('endless goes with the operation of a list (%s) and no status, drop, commit or body'
                             % ', '.join(LIST_OPERATIONS))
        if isinstance(key_at, bool) or not isinstance(key_at, int) or key_at < 0 or key_at == 1:
            raise FaultError('key_at must be 0 or a whole number of 2 or more (a space comes before the key)')
        if errors is not None and not isinstance(errors, list):
            raise FaultError('errors must be a list, the "errors" of the answer')
        if times is not None and (not isinstance(times, int) or times < 1):
            raise FaultError('times must be a positive whole number, or null for every request')
        self.operation = operation
        self.status = status
        self.body = body
        self.commit = bool(commit)
        self.drop = bool(drop)
        self.delay = float(delay or 0)
        self.times = times
        self.skip = int(skip or 0)
        self.reset = reset
        self.errors = errors
        self.drip = drip
        self.endless = endless
        self.key_at = key_at
        self.cut_after = cut_after

    @classmethod
    def from_json(cls, document):
        if not isinstance(document, dict):
            raise FaultError('a fault is a JSON object')
        unknown = sorted(set(document) - set(FAULT_FIELDS))
        if unknown:
            raise FaultError('unknown fault field(s): %s' % ', '.join(unknown))
        return cls(**document)

    def to_json(self):
        return dict((name, getattr(self, name)) for name in FAULT_FIELDS)

    @property
    def acts(self):
        """Whether the real handler runs: when committing, or when the fault only delays."""
        return self.commit or (self.status is None and not self.drop)

    def error_body(self, status, api_key=None):
        """(content type, bytes) of the answer this fault gives; ``api_key``: the caller's, for ``echo_key``."""
        if self.body == 'echo_key':
            return 'text/html; charset=utf-8', echo_key_page(status, api_key or '', self.key_at).encode('utf-8')
        if self.body == 'empty':
            return 'application/json', b''
        if self.body == 'html':
            page = '<html><head><title>%d</title></head><body><h1>%d Bad Gateway</h1><p>upstream fault</p></body></html>'
            return 'text/html; charset=utf-8', (page % (status, status)).encode()
        if self.body == 'malformed':
            return 'application/json', b'{"errors": [{"status": "%d", "title": ' % status
        if self.errors is not None:
            return 'application/json', json.dumps({'errors': self.errors}).encode()
        if self.body == 'strings':
            return 'application/json', json.dumps({'errors': ['Injected fault (HTTP %d)' % status]}).encode()
        return 'application/json', json.dumps({'errors': [{
            'status': str(status), 'title': 'Injected fault', 'detail': 'fault injected by the emulator'}]}).encode()


def _check_drip(drip):
    """``[bytes, seconds]``: how many bytes each write sends, and the pause after each."""
    if not isinstance(drip, (list, tuple)) or len(drip) != 2:
        raise FaultError('drip is [bytes, seconds]: how many bytes each write sends and the pause between writes')
    size, pause = drip
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise FaultError('drip: the bytes per write must be a whole number of 1 or more')
    if isinstance(pause, bool) or not isinstance(pause, (int, float)) or math.isnan(pause) or not 0 < pause <= 60:
        raise FaultError('drip: the pause must be more than 0 and at most 60 seconds')
    return [size, float(pause)]


def echo_key_page(status, api_key, key_at=ECHO_KEY_AT):
    """An HTML error page, as a misconfigured proxy might send, that repeats the API key it was given.

    Once its tags are replaced by spaces and its whitespace folded (what a client does to show an
    excerpt of an HTML body), the key starts at character ``key_at`` of the text: 190 puts the
    first 10 characters of a key inside a 200-character excerpt and cuts off the rest.
    """
    words = ('%d Forbidden. The gateway refused this request: the credentials it carries are not allowed on this '
             'route. Contact your administrator and quote the key that was sent. ' % status)
    padding = (words * (key_at // len(words) + 1))[:max(0, key_at - 1)]
    if padding.endswith(' '):
        padding = padding[:-1] + '.'  # one space, not two, before the key: folding would move it
    return ('<html><head><title></title></head>\n<body>\n<p>%s %s</p>\n<p>was the key sent.</p>\n</body></html>\n'
            % (padding, api_key))


class FaultBook(object):
    """The active faults, consumed in order as matching requests arrive."""

    def __init__(self):
        self.lock = threading.Lock()
        self.faults = []

    def add(self, fault):
        with self.lock:
            self.faults.append(fault)

    def clear(self):
        with self.lock:
            self.faults = []

    def take(self, operation):
        """The fault that applies to this request, if any, counting it as used."""
        with self.lock:
            for fault in self.faults:
                if fault.operation not in ('*', operation):
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                    return None
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                return fault
            return None

    def to_json(self):
        with self.lock:
            return [fault.to_json() for fault in self.faults]


class RateLimiter(object):
    """A fixed window of ``limit`` API requests per ``period`` seconds, as Datadog's headers describe."""

    name = 'llmobs_api'

    def __init__(self, limit, period, clock=time.monotonic):
        self.limit = int(limit)
        self.period = float(period)
        self.clock = clock
        self.lock = threading.Lock()
        self.window_start = clock()
        self.used = 0

    def check(self):
        """(allowed, headers) for one more request."""
        with self.lock:
            now = self.clock()
            if now - self.window_start >= self.period:
                self.window_start, self.used = now, 0
            self.used += 1
            remaining = max(0, self.limit - self.used)
            reset = max(1, int(math.ceil(self.window_start + self.period - now)))
            headers = {
                'X-RateLimit-Limit': str(self.limit),
                'X-RateLimit-Period': str(int(self.period)),
                'X-RateLimit-Remaining': str(remaining),
                'X-RateLimit-Reset': str(reset),
                'X-RateLimit-Name': self.name,
            }
            return self.used <= self.limit, headers

    def to_json(self):
        return {'limit': self.limit, 'period': self.period}
