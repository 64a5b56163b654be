# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The JSONL file that llmobs_dataset_records_info writes (its ``dest``), in the form a records file is read back.

The file is checked before any request, and replaced as a whole only when its content differs (``_atomic_file``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.llmobs.datadog.plugins.module_utils._atomic_file import AtomicFile
from ansible_collections.llmobs.datadog.plugins.module_utils._declared_records import RECORD_FIELDS


def jsonl_line(view):
    """One record as a JSONL line: its fields in the order of RECORD_FIELDS, keys inside values sorted, so that
    the same records always make the same bytes."""
    return '{%s}\n' % ', '.join('"%s": %s' % (name, json.dumps(view.get(name), sort_keys=True, ensure_ascii=False))
                                for name in RECORD_FIELDS)


def jsonl_lines(views):
    """Records (as ``_records.record_view`` shows them) as JSONL lines sorted by id, so that a file of them is stable."""
    keyed = [(view['id'] is None, view['id'] or '', jsonl_line(view)) for view in views]
    keyed.sort()
    return [line for dummy, dummy2, line in keyed]


def write_lines(path, lines, check_mode=False, diff=False):
    """Make the file at ``path`` hold exactly ``lines`` (text, each ending in a newline), through an AtomicFile:
    written only when its content differs, replaced as a whole. Returns ``(changed, diff or None)``."""
    with AtomicFile(path) as output:
        for line in lines:
            output.write(line.encode('utf-8', 'surrogatepass'))
        return output.commit(check_mode, diff)
