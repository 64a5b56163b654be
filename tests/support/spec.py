# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Datadog's published OpenAPI spec, for the conformance tests.

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

from ansible_collections.llmobs.datadog.tests.support.demo import REPO_ROOT

SHARED_SPEC = os.path.join(os.path.dirname(REPO_ROOT), 'shared', 'datadog-llmobs-openapi.yaml')
SPEC_CACHE = os.path.join(REPO_ROOT, 'build', 'spec')
SDIST_MEMBER = '.generator/schemas/v2/openapi.yaml'
SDIST_SPEC_SHA256 = '8bf74f460c9d6238c47efc38ea1b171c2d03d8a0090315cc7ed6e184b5449f39'


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
