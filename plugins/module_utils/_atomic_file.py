# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""A file a module writes (``dest``), replaced as a whole and only when its content changes.

The content goes to a temporary file in the destination's directory as it comes (a download is never held whole),
then ``commit`` compares it with the file there by digest and size: the same content leaves the file untouched
(its mtime too); other content is fsynced and renamed over it, so that a reader sees the old file or the new one,
never half of one. Whatever does not commit (a failed download, an error, an interrupt, check mode) leaves the old
file as it was and no temporary file behind.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os
import tempfile

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError, ValidationError

# A diff shows a file's content up to this size; beyond it, its size, line count and checksum.
DIFF_MAX_BYTES = 64 * 1024
_BLOCK = 1024 * 1024


def check_destination(path, option='dest'):
    """Refuse a file path that cannot be written (blank, a directory, in a missing or read-only directory), before
    any request is sent; returns its directory."""
    if not path or not path.strip():
        raise ValidationError('%s must not be blank: give the path of the file to write.' % option)
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise ValidationError('%s %r is a directory; give the path of a file.' % (option, path))
    if not os.path.isdir(directory):
        raise ValidationError('%s %r: the directory %s does not exist.' % (option, path, directory))
    # The file is written as a new file in its directory, then renamed: the directory must be writable.
    # (As root, access says yes even where writing fails: AtomicFile says it in the same words then.)
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ValidationError(_unwritable(option, path, directory, 'permission denied'))
    return directory


def _unwritable(option, path, directory, reason):
    return '%s %r cannot be written: %s in %s.' % (option, path, reason, directory)


def _reason(exc):
    """An OSError's reason as words of a sentence: 'permission denied'."""
    reason = exc.strerror or str(exc)
    return reason[:1].lower() + reason[1:]


def file_facts(path):
    """``(sha1 hex, size in bytes, lines)`` of the file at ``path`` (read in blocks), or None when there is none."""
    if not os.path.exists(path):
        return None
    hasher = hashlib.sha1()
    size = lines = 0
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(_BLOCK), b''):
            hasher.update(block)
            size += len(block)
            lines += block.count(b'\n')
    return hasher.hexdigest(), size, lines


class AtomicFile(object):
    """The next content of the file at ``path``: ``write`` it in pieces, ``restart`` to drop what was written
    (a download that starts over), then ``commit``. Use it in a ``with`` block: leaving the block without a
    commit discards the temporary file. ``checksum`` (sha1 hex, as ansible.builtin.copy reports it), ``size``
    and ``lines`` describe what was written so far."""

    def __init__(self, path, option='dest'):
        self.path = path
        self.option = option
        self.directory = check_destination(path, option)
        self._stream = None
        self._temporary = None
        self._reset()

    def _reset(self):
        self._hasher = hashlib.sha1()
        self.size = 0
        self.lines = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.discard()
        return False

    @property
    def checksum(self):
        return self._hasher.hexdigest()

    def _open(self):
        try:
            handle, self._temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(self.path), suffix='.tmp',
                                                       dir=self.directory)
        except (IOError, OSError) as exc:
            raise LLMObsError(_unwritable(self.option, self.path, self.directory, _reason(exc)))
        self._stream = os.fdopen(handle, 'w+b')

    def _failed(self, exc):
        return LLMObsError('%s %r could not be written: %s.' % (self.option, self.path, exc.strerror or exc))

    def write(self, data):
        """Append ``data`` (bytes) to the next content."""
        if self._stream is None:
            self._open()
        try:
            self._stream.write(data)
        except (IOError, OSError) as exc:
            raise self._failed(exc)
        self._hasher.update(data)
        self.size += len(data)
        self.lines += data.count(b'\n')

    def restart(self):
        """Drop everything written so far."""
        if self._stream is not None:
            try:
                self._stream.seek(0)
                self._stream.truncate()
            except (IOError, OSError) as exc:
                raise self._failed(exc)
        self._reset()

    def commit(self, check_mode=False, diff=False):
        """Make the file hold what was written, unless it holds it already or in check mode.

        Returns ``(changed, diff or None)``; the temporary file is gone either way. An existing file keeps its
        permissions; a new one gets the umask's.
        """
        if self._stream is None:
            self._open()  # nothing written is an empty file
        try:
            before = file_facts(self.path)
        except (IOError, OSError) as exc:
            raise ValidationError('%s %r cannot be read: %s.' % (self.option, self.path, exc.strerror or exc))
        changed = before is None or before[:2] != (self.checksum, self.size)
        shown = self._diff(before) if diff and changed else None
        if changed and not check_mode:
            self._replace(before is not None)
        self.discard()
        return changed, shown

    def _replace(self, exists):
        try:
            self._stream.flush()
            os.fsync(self._stream.fileno())
            self._stream.close()
            if exists:
                mode = os.stat(self.path).st_mode & 0o7777
            else:
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
            os.chmod(self._temporary, mode)
            os.replace(self._temporary, self.path)
        except (IOError, OSError) as exc:
            raise self._failed(exc)
        self._temporary = None

    def discard(self):
        """Remove the temporary file (also when the run is interrupted); the file at ``path`` stays as it was."""
        stream, temporary = self._stream, self._temporary
        self._stream = self._temporary = None
        if stream is not None:
            stream.close()
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)

    def _diff(self, before):
        """Before and after for diff mode: the content of small files, the size, lines and checksum of others."""
        shown = dict(before_header=self.path, after_header=self.path)
        if before is not None and before[1] > DIFF_MAX_BYTES or self.size > DIFF_MAX_BYTES:
            shown['before'] = _too_large(before) if before is not None else ''
            shown['after'] = _too_large((self.checksum, self.size, self.lines))
            return shown
        shown['before'] = ''
        if before is not None:
            with open(self.path, 'rb') as handle:
                shown['before'] = handle.read().decode('utf-8', 'replace')
        self._stream.flush()
        self._stream.seek(0)
        shown['after'] = self._stream.read().decode('utf-8', 'replace')
        self._stream.seek(0, os.SEEK_END)
        return shown


def _too_large(facts):
    checksum, size, lines = facts
    return '(%d bytes, %d lines, sha1 %s: too large to show)\n' % (size, lines, checksum)
