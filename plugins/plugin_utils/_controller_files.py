# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This plugin_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The files of the repository a task names, found on the controller as ``ansible.builtin.copy`` finds its ``src``.

A module declares its file options (``LLMObsModule(controller_files=('src',))``). For each one given
as text, unless ``remote_src`` is true, the action looks on the controller with ``_find_needle('files', ...)``:
a relative path in the role's ``files/``, the role, the playbook's ``files/`` and the playbook's
directory (Ansible's own order); an absolute path as it is. The module gets:

* in the controller, the path of the file found;
* on the module path, the path of a copy sent to the task's remote temporary directory (removed with it);
* in both, what was found (``told``): per option, the path as given and where it was found
  (relative to the playbook's directory when it is inside), or the places looked at, or what the
  path found is when it is not a regular file (a directory, a FIFO: then nothing is sent). The module
  names the file so in its messages, and fails before any request when it was not found
  (module_utils/_controller_files.py), after the checks of its arguments, as on any other bad option.
  It is no option of the module, which a user could set: the action hands it to ``LLMObsModule.execute``
  in the controller, and to a module process in the environment variable ``LLMOBS_CONTROLLER_FILES``,
  set for every task of a module that declares files so that a value from the task's or the
  controller's environment never counts.

The results show the arguments as the task gave them: the ``invocation`` gets the path as given back,
so that no temporary path reaches the user and both paths show the same.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

from ansible.errors import AnsibleFileNotFound
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.module_utils.six import string_types

from ansible_collections.llmobs.datadog.plugins.plugin_utils._controller_imports import FILES_ENV, file_type


class ControllerFiles(object):
    """The declared file options of one task: found on the controller, then given to the module."""

    def __init__(self, action, module):
        self.action = action
        self.task_args = action._task.args
        self.told = {}  # option: what the module is told about the file
        self.found = {}  # option: the absolute path on the controller
        self.declared = getattr(module, 'controller_files', ()) if module is not None else ()
        if self.declared and not _is_true(self.task_args.get('remote_src')):
            for option in self.declared:
                given = self.task_args.get(option)
                if isinstance(given, string_types) and given.strip():
                    self._look_for(option, given)

    def _look_for(self, option, given):
        try:
            path = self.action._find_needle('files', os.path.expandvars(given))
        except AnsibleFileNotFound as exc:
            # Ansible lists a place once per search path that holds it (the play's and the task's directory are often one).
            searched = []
            for place in (str(place) for place in exc.paths or ()):
                if place not in searched:
                    searched.append(place)
            self.told[option] = dict(given=given, searched=searched)
            return
        path = os.path.abspath(path)
        self.found[option] = path
        self.told[option] = dict(given=given, found=_shown(given, path, self.action._loader.get_basedir()))
        kind = _not_a_file(path)
        if kind:  # refused by the module on both paths, never sent: a FIFO would block the transfer
            self.told[option]['kind'] = kind
            del self.found[option]

    def __enter__(self):
        """The task's arguments for the controller's run: each file option is the file found."""
        if self.found:
            self.action._task.args = dict(self.task_args, **self.found)
        return self

    def __exit__(self, *exc_info):
        self.action._task.args = self.task_args

    def send(self):
        """For the module path: each file found is copied to the remote temporary directory, which the module reads."""
        if not self.found:
            return
        action = self.action
        shell = action._connection._shell
        if shell.tmpdir is None:
            action._make_tmp_path()
        remote = {}
        for option, path in self.found.items():
            remote[option] = shell.join_path(shell.tmpdir, '%s-%s' % (option, os.path.basename(path)))
            action._transfer_file(path, remote[option])  # streamed by the connection, never read whole here
        action._fixup_perms2([shell.tmpdir] + list(remote.values()))
        action._task.args.update(remote)

    def environment(self):
        """What a module process is told, as environment variables ({} for a module that declares no file)."""
        return {FILES_ENV: json.dumps(self.told, separators=(',', ':'))} if self.declared else {}

    def shown_as_given(self, result):
        """The result with its invocation naming each file as the task gave it."""
        arguments = (result.get('invocation') or {}).get('module_args')
        if self.found and isinstance(arguments, dict):
            for option in self.found:
                if option in arguments:
                    arguments[option] = self.task_args.get(option)
        return result


def _not_a_file(path):
    """What a path that is not a regular file (symlinks followed) is, in words; None for a regular file."""
    try:
        mode = os.stat(path).st_mode
    except OSError:  # gone since it was found: the reader or the transfer says so
        return None
    return file_type(mode)


def _is_true(value):
    try:
        return boolean(value, strict=False)
    except TypeError:
        return False


def _shown(given, path, basedir):
    """Where a file was found, as messages show it: relative to the playbook's directory when inside it.

    The path as given when it already says that (an absolute path, or one relative to the playbook's directory).
    """
    if os.path.isabs(os.path.expanduser(given)):
        return given
    inside = os.path.relpath(path, basedir)
    if inside.startswith(os.pardir + os.sep) or inside == os.pardir:
        return path
    return given if os.path.normpath(given) == inside else inside
