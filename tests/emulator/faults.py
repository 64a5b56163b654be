# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Injected faults and rate limits: how the emulator misbehaves on purpose.

A fault is a JSON object (docs/emulator.md lists every field):

    {"operation": "CloneLLMObsDataset", "status": 500, "body": "html", "commit": true,
     "drop": false, "delay": 0, "times": 1, "skip": 0, "reset": 1, "errors": null}
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import math
import threading
import time

BODY_KINDS = ('json', 'strings', 'html', 'malformed', 'empty')
FAULT_FIELDS = ('operation', 'status', 'body', 'commit', 'drop', 'delay', 'times', 'skip', 'reset', 'errors')


class FaultError(ValueError):
    """A fault description that cannot be used."""


class Fault(object):
    def __init__(self, operation='*', status=None, body='json', commit=False, drop=False, delay=0.0, times=1,
                 skip=0, reset=1, errors=None):
        if body not in BODY_KINDS:
            raise FaultError('body must be one of %s' % ', '.join(BODY_KINDS))
        if status is not None and not (isinstance(status, int) and 100 <= status <= 599):
            raise FaultError('status must be an HTTP status code')
        if status is None and not drop and not delay and body == 'json':
            raise FaultError('a fault needs a status, drop, delay or body')
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

    def error_body(self, status):
        """(content type, bytes) of the answer this fault gives."""
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
