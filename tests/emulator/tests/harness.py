# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Start and drive an emulator process, and find Datadog's published OpenAPI spec.

The spec is never committed here: it is read from ../shared/ beside the checkout when that is
present, else taken from the datadog-api-client 2.62.0 source release on PyPI (cached in build/).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os
import subprocess
import sys
import tarfile
import time

import requests

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.realpath(__file__)), '..', '..', '..'))
RUN_PY = os.path.join(REPO_ROOT, 'tests', 'emulator', 'run.py')
SHARED_SPEC = os.path.join(os.path.dirname(REPO_ROOT), 'shared', 'datadog-llmobs-openapi.yaml')
SPEC_CACHE = os.path.join(REPO_ROOT, 'build', 'spec')
SDIST_MEMBER = '.generator/schemas/v2/openapi.yaml'
SDIST_SPEC_SHA256 = '8bf74f460c9d6238c47efc38ea1b171c2d03d8a0090315cc7ed6e184b5449f39'
HEADERS = {'DD-API-KEY': 'emulator-test-api-key', 'DD-APPLICATION-KEY': 'emulator-test-app-key'}

DEMO_PROJECT = 'a33671aa-24fd-4dcd-9b33-a8ec7dde7751'
DEMO_DATASET = '9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d'


def openapi_spec_path():
    """Path of an OpenAPI document holding the LLM Observability paths of Datadog's v2 spec."""
    if os.path.exists(SHARED_SPEC):
        return SHARED_SPEC
    cached = os.path.join(SPEC_CACHE, 'openapi-v2-2.62.0.yaml')
    if os.path.exists(cached):
        return cached
    if not os.path.isdir(SPEC_CACHE):
        os.makedirs(SPEC_CACHE)
    subprocess.check_call([sys.executable, '-m', 'pip', 'download', '--quiet', '--no-deps', '--no-binary', ':all:',
                           '--dest', SPEC_CACHE, 'datadog-api-client==2.62.0'])
    sdist = os.path.join(SPEC_CACHE, 'datadog_api_client-2.62.0.tar.gz')
    with tarfile.open(sdist) as archive:
        member = archive.getmember('datadog_api_client-2.62.0/' + SDIST_MEMBER)
        content = archive.extractfile(member).read()
    digest = hashlib.sha256(content).hexdigest()
    if digest != SDIST_SPEC_SHA256:
        raise AssertionError('the spec in the datadog-api-client sdist has sha256 %s, expected %s'
                             % (digest, SDIST_SPEC_SHA256))
    with open(cached + '.tmp', 'wb') as handle:
        handle.write(content)
    os.rename(cached + '.tmp', cached)
    return cached


class EmulatorProcess(object):
    """``python tests/emulator/run.py --port 0 <options>`` in the background."""

    def __init__(self, options=()):
        self.process = subprocess.Popen(
            [sys.executable, RUN_PY, '--port', '0'] + list(options),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith('http'):
            self.process.kill()
            raise AssertionError('the emulator did not start: %s' % self.process.stderr.read())
        self.verify = True

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

    # API and control helpers

    def api(self, method, path, headers=None, **kwargs):
        all_headers = dict(HEADERS)
        all_headers.update(headers or {})
        return requests.request(method, self.url + '/api/v2/llm-obs/v1' + path, headers=all_headers,
                                timeout=kwargs.pop('timeout', 10), verify=self.verify, **kwargs)

    def control(self, method, path, **kwargs):
        response = requests.request(method, self.url + '/_emulator' + path, timeout=10, verify=self.verify, **kwargs)
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


def wait_for(predicate, timeout=10.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
