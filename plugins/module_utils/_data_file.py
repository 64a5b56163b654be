# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""A small file of the repository read as text or data: a judge's messages, a prompt's template.

One reader for every such option, so that each refuses the same things before any request: a path
that is not a regular file (a FIFO would block the read), a file larger than what it can hold, text
that is not UTF-8, and YAML aliases (a few lines could expand without end). Messages name the file
as the task gave it (``named``) and, for YAML, the line.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.llmobs.datadog.plugins.module_utils._controller_files import open_regular
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import ValidationError

try:
    import yaml
except ImportError as exc:  # PyYAML comes with ansible-core; a module host may lack it
    HAS_YAML = False
    YAML_IMPORT_ERROR = str(exc)
else:
    HAS_YAML = True
    YAML_IMPORT_ERROR = None

# A template or a judge's messages are text someone writes: anything larger is a wrong path.
MAX_DATA_FILE_BYTES = 1024 * 1024


def read_text(path, named, what):
    """The text of the file at ``path`` (``what``: "a prompt template file", for messages)."""
    handle = open_regular(path, named, MAX_DATA_FILE_BYTES,
                          lambda: ValidationError('%s is larger than 1 MiB, the most %s may hold.' % (named, what)))
    with handle:
        data = handle.read(MAX_DATA_FILE_BYTES + 1)
    if len(data) > MAX_DATA_FILE_BYTES:  # grown since it was opened
        raise ValidationError('%s is larger than 1 MiB, the most %s may hold.' % (named, what))
    try:
        return data.decode('utf-8-sig')
    except UnicodeDecodeError as exc:
        raise ValidationError('%s is not UTF-8 text (byte %d).' % (named, exc.start))


def parse_data(text, named, what, as_json):
    """The document ``text`` holds: JSON when ``as_json``, else YAML without aliases."""
    if as_json:
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ValidationError('%s: not valid JSON: %s.' % (named, exc))
    if not HAS_YAML:
        raise ValidationError('%s: reading YAML needs the PyYAML library on the host that runs the module (%s); '
                              'use a .json file instead.' % (named, YAML_IMPORT_ERROR))
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                raise ValidationError('%s:%d: YAML aliases are not supported in %s.'
                                      % (named, event.start_mark.line + 1, what))
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationError('%s: not valid YAML: %s' % (named, str(exc).replace('\n', ' ')))
