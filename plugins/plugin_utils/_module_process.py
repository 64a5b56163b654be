# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This plugin_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The worker made to look like a module's own process while the module's code runs in it:
the playbook's directory as working directory, the task's environment, nothing on stderr."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import logging
import os
import re
import warnings
from contextlib import contextmanager

from ansible.module_utils.six import string_types

# An environment variable the in-process path can set as the module path's shell would.
_ENV_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*\Z')


def environment_strings(environment):
    """The task's environment as the module's process gets it (values through str()); None if it cannot be set here."""
    strings = {}
    for name, value in environment.items():
        if not isinstance(name, string_types) or not _ENV_NAME.match(name):
            return None
        text = u'%s' % (value,)
        if u'\x00' in text:
            return None
        strings[u'%s' % (name,)] = text
    return strings


@contextmanager
def working_directory(path):
    """Run in ``path``, as the local connection runs a module in the playbook's directory
    (``ActionBase._low_level_execute_command``): relative paths (``src``, ``dest``, ``ca_path``) and
    ``$PWD`` mean the same on both paths. The directory before is restored afterwards."""
    before = os.getcwd()
    pwd = os.environ.get('PWD')
    os.chdir(path)
    os.environ['PWD'] = os.getcwd()
    try:
        yield
    finally:
        os.chdir(before)
        if pwd is None:
            os.environ.pop('PWD', None)
        else:
            os.environ['PWD'] = pwd


@contextmanager
def applied_environment(environment):
    """Set the task's environment in os.environ while the module's code runs; restore it afterwards."""
    saved = dict((name, os.environ.get(name)) for name in environment)
    try:
        for name, value in environment.items():
            os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def quiet_stderr():
    """What a module process writes to stderr is not shown when it answers: Python warnings (urllib3's
    InsecureRequestWarning with validate_certs: false) and log records of libraries without a handler
    (which Python's last-resort handler would print). Keep both out of the terminal here too."""
    root = logging.getLogger()
    handler = logging.NullHandler()
    root.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter('default')
            yield
    finally:
        root.removeHandler(handler)
