# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Files of the repository that a module reads: found on the controller, read where the module runs.

A module declares its file options (``LLMObsModule(controller_files=('src',))``). The collection's
action looks for each one on the controller as ``ansible.builtin.copy`` looks for its ``src``
(plugins/plugin_utils/_controller_files.py), gives the module the path it can read (the file
itself in the controller, a copy in the remote temporary directory on the module path), and tells it
how the user named the file and where it was found (``files``: per option, ``given`` and ``found``, or
``searched``, or the ``kind`` of what is not a regular file), so that messages name that and never a
temporary copy. It tells it outside the module's options, which a user could set: straight to
``LLMObsModule.execute`` in the controller, in the environment variable ``LLMOBS_CONTROLLER_FILES``
(JSON) to a module process, replacing any value the task's environment gives it.

With ``remote_src: true``, or without the action's word (a module run by other means), nothing is
looked for: the path is read as given on the host that runs the module.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import json
import os
import stat

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import ValidationError

# The option a module with controller files gets: where its files are, as in ansible.builtin.copy.
CONTROLLER_FILE_OPTIONS = dict(remote_src=dict(type='bool', default=False))

# The environment variable by which the action tells a module process what it found (see above).
FILES_ENV = 'LLMOBS_CONTROLLER_FILES'

# Where a relative path is looked for, in the words of the documentation.
SEARCH_ORDER = ("in the order ansible.builtin.copy looks for its src: the role's files/ directory and the role's "
                "directory when the task is in a role, then the playbook's files/ directory and the playbook's directory")


class FileOrigin(object):
    """How messages name the file of an option: as given, and where it was found on the controller.

    ``label`` names the file before a line number (``label:12``): where it was found, relative to the
    playbook's directory, or the path as given when that is the same. ``named`` names it in a sentence.
    """

    def __init__(self, option, given, found=None):
        self.option = option
        self.given = given
        self.label = found or given
        self.named = '%s %r' % (option, given)
        if self.label != given:
            self.named += ' (found at %s)' % self.label


def files_from_environment():
    """What the action told a module process in ``LLMOBS_CONTROLLER_FILES``; {} when nothing or unreadable."""
    try:
        files = json.loads(os.environ.get(FILES_ENV) or '{}')
    except ValueError:
        return {}
    return files if isinstance(files, dict) else {}


def file_origin(params, option, files=None):
    """The FileOrigin of a file option, or a ValidationError when the action did not find the file.

    ``files``: what the action told the module (see above). Without its word for the option
    (``remote_src``, or a run that did not go through the action) the path is named as given. Raises
    before any request, naming the option, what was given and where it was looked for.
    """
    path = params.get(option)
    told = (files or {}).get(option) if not params.get('remote_src') else None
    if not isinstance(told, dict) or not told.get('given'):
        return FileOrigin(option, path)
    given = told['given']
    if told.get('searched') is not None:
        raise ValidationError(missing_message(option, given, told['searched']))
    origin = FileOrigin(option, given, told.get('found'))
    if told.get('kind'):
        raise ValidationError('%s is %s, not a regular file.' % (origin.named, told['kind']))
    return origin


def missing_message(option, given, searched):
    """The message of a file option whose file is not on the controller."""
    if searched:
        where = 'was not found on the controller: it was looked for at %s (%s)' % (', '.join(searched), SEARCH_ORDER)
    else:  # an absolute path: looked for as it is
        where = 'does not exist on the controller'
    return '%s %r %s. For a file on the host that runs the module, set remote_src: true.' % (option, given, where)


def file_type(mode):
    """What a file that is not a regular file is (``mode``: its ``st_mode``), for messages; None for a regular file."""
    for test, name in ((stat.S_ISDIR, 'a directory'), (stat.S_ISFIFO, 'a FIFO (named pipe)'),
                       (stat.S_ISCHR, 'a character device'), (stat.S_ISBLK, 'a block device'),
                       (stat.S_ISSOCK, 'a socket')):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else 'a special file'


def open_regular(path, named, max_bytes, too_large):
    """The file at ``path`` opened for reading (binary), once it is known to be a regular file of at most
    ``max_bytes`` (``too_large()``: the error otherwise); ``named``: how messages name it.

    Symlinks are followed. A FIFO would block the open and a device would never end, so the path is opened
    without blocking and what was opened is checked: a file swapped after the first look is caught too.
    """
    def unreadable(exc):
        if exc.errno == errno.ENOENT:
            return ValidationError('%s does not exist on the host that runs the module.' % (named,))
        return ValidationError('%s cannot be read: %s.' % (named, exc.strerror or exc))

    try:
        # A socket cannot be opened at all: look first, so that the message says what the path is.
        kind = file_type(os.stat(path).st_mode)
    except OSError as exc:
        raise unreadable(exc)
    if kind is not None:
        raise ValidationError('%s is %s, not a regular file.' % (named, kind))
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise unreadable(exc)
    try:
        info = os.fstat(descriptor)
        kind = file_type(info.st_mode)
        if kind is not None:
            raise ValidationError('%s is %s, not a regular file.' % (named, kind))
        if info.st_size > max_bytes:
            raise too_large()
        return os.fdopen(descriptor, 'rb')
    except BaseException:
        os.close(descriptor)
        raise
