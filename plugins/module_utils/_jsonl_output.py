# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The JSONL file that llmobs_dataset_records_info writes (its ``dest``), in the form a records file is read back.

The file is checked before any request, and replaced as a whole only when its content differs.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os
import tempfile

from ansible_collections.llmobs.datadog.plugins.module_utils._declared_records import RECORD_FIELDS
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError, ValidationError

# A diff shows a file's content up to this size; beyond it, only its size and line count.
DIFF_MAX_BYTES = 64 * 1024


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


def _file_digest(path):
    hasher = hashlib.sha256()
    size = 0
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b''):
            hasher.update(block)
            size += len(block)
    return hasher.digest(), size


def _content_diff(path, before_exists, before_size, content_size, lines):
    diff = dict(before_header=path, after_header=path)
    if before_exists and before_size > DIFF_MAX_BYTES or content_size > DIFF_MAX_BYTES:
        diff['before'] = ('(%d bytes: too large to show)\n' % before_size) if before_exists else ''
        diff['after'] = '(%d bytes, %d lines: too large to show)\n' % (content_size, len(lines))
        return diff
    before = ''
    if before_exists:
        with open(path, 'rb') as handle:
            before = handle.read().decode('utf-8', 'replace')
    diff['before'] = before
    diff['after'] = ''.join(lines)
    return diff


def check_destination(path):
    """Refuse a file path that cannot be written (blank, a directory, in a missing or read-only directory), before
    any request is sent; returns its directory."""
    if not path or not path.strip():
        raise ValidationError('dest must not be blank: give the path of the file to write.')
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise ValidationError('dest %r is a directory; give the path of a file.' % (path,))
    if not os.path.isdir(directory):
        raise ValidationError('dest %r: the directory %s does not exist.' % (path, directory))
    # The file is written as a new file in its directory, then renamed: the directory must be writable.
    # (As root, access says yes even where writing fails: write_lines says it in the same words then.)
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ValidationError(_unwritable(path, directory, 'permission denied'))
    return directory


def _unwritable(path, directory, reason):
    return 'dest %r cannot be written: %s in %s.' % (path, reason, directory)


def _reason(exc):
    """An OSError's reason as words of a sentence: 'permission denied'."""
    reason = exc.strerror or str(exc)
    return reason[:1].lower() + reason[1:]


def write_lines(path, lines, check_mode=False, diff=False):
    """Make the file at ``path`` hold exactly ``lines`` (text, each ending in a newline).

    Returns ``(changed, diff or None)``. The file is written only when its content differs, through
    a temporary file in the same directory renamed over it, so that a reader never sees half a
    file; an existing file keeps its permissions. Check mode compares and writes nothing.
    """
    directory = check_destination(path)
    encoded = [line.encode('utf-8', 'surrogatepass') for line in lines]
    hasher = hashlib.sha256()
    for data in encoded:
        hasher.update(data)
    content_size = sum(len(data) for data in encoded)
    exists = os.path.exists(path)
    try:
        before_digest, before_size = _file_digest(path) if exists else (None, 0)
    except (IOError, OSError) as exc:
        raise ValidationError('dest %r cannot be read: %s.' % (path, exc.strerror or exc))
    changed = not exists or before_digest != hasher.digest() or before_size != content_size
    shown = _content_diff(path, exists, before_size, content_size, lines) if diff and changed else None
    if not changed or check_mode:
        return changed, shown
    mode = (os.stat(path).st_mode & 0o7777) if exists else None
    try:
        handle, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.tmp', dir=directory)
    except (IOError, OSError) as exc:
        raise LLMObsError(_unwritable(path, directory, _reason(exc)))
    replaced = False
    try:
        with os.fdopen(handle, 'wb') as stream:
            for data in encoded:
                stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temporary, mode)
        os.replace(temporary, path)
        replaced = True
    except (IOError, OSError) as exc:
        raise LLMObsError('dest %r could not be written: %s.' % (path, exc.strerror or exc))
    finally:
        if not replaced and os.path.exists(temporary):  # also when the run is interrupted
            os.unlink(temporary)
    return changed, shown
