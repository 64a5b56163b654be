# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator started for tests: as a process (``run.py``, what users run) or in this process.

Both give the same client side: ``url``, ``api()`` for Datadog's routes, ``control()`` for the
emulator's own, and a few helpers over them.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import subprocess
import sys
import threading
import time

import requests

from ansible_collections.llmobs.datadog.tests.emulator.server import Emulator, make_server
from ansible_collections.llmobs.datadog.tests.support.demo import DEMO_SEED, REPO_ROOT

RUN_PY = os.path.join(REPO_ROOT, 'tests', 'emulator', 'run.py')
API_PREFIX = '/api/v2/llm-obs/v1'
HEADERS = {'DD-API-KEY': 'emulator-test-api-key', 'DD-APPLICATION-KEY': 'emulator-test-app-key'}


class EmulatorClient(object):
    """Requests to an emulator at ``self.url``."""

    url = None
    verify = True

    def api(self, method, path, headers=None, **kwargs):
        """A request to Datadog's API: ``path`` below API_PREFIX, or whole when it starts with /api/."""
        all_headers = dict(HEADERS)
        all_headers.update(headers or {})
        return requests.request(method, self.url + ('' if path.startswith('/api/') else API_PREFIX) + path, headers=all_headers,
                                timeout=kwargs.pop('timeout', 10), verify=self.verify, **kwargs)

    def control(self, method, path, **kwargs):
        response = requests.request(method, self.url + '/_emulator' + path, timeout=kwargs.pop('timeout', 30),
                                    verify=self.verify, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def requests_log(self):
        return self.control('GET', '/requests')['requests']

    def state(self):
        return self.control('GET', '/state')

    def datasets_named(self, name):
        return [d for d in self.state()['datasets'] if d['name'] == name]

    def add_fault(self, **fault):
        return self.control('POST', '/faults', json=fault)

    def configure(self, **changes):
        return self.control('PATCH', '/config', json=changes)


class EmulatorProcess(EmulatorClient):
    """``python tests/emulator/run.py --port 0 <options>`` in the background, as users start it."""

    def __init__(self, options=()):
        self.process = subprocess.Popen(
            [sys.executable, RUN_PY, '--port', '0'] + list(options),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith('http'):
            self.process.kill()
            self.process.wait()
            raise AssertionError('the emulator did not start: %s' % self.process.stderr.read())

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        self.process.stderr.close()


class InProcessEmulator(EmulatorClient):
    """The emulator on a thread of this process: starts in milliseconds, and ``emulator`` is its state.

    Takes the keyword arguments of ``server.Emulator``; the demo seed is loaded unless ``seeds``
    is given.
    """

    def __init__(self, seeds=None, **options):
        if seeds is None:
            seeds = [load_seed_file(DEMO_SEED)]
        self.emulator = Emulator(seeds=seeds, **options)
        self.server = make_server(self.emulator, port=0)
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={'poll_interval': 0.05})
        self.thread.daemon = True
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


def load_seed_file(path):
    from ansible_collections.llmobs.datadog.tests.emulator.seeds import read_seed_file  # pylint: disable=import-outside-toplevel
    return read_seed_file(path)


def wait_for(predicate, timeout=10.0, interval=0.05):
    """Poll ``predicate`` until it is true or ``timeout`` seconds have passed; its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
