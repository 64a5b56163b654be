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
itself in the controller, a copy in the remote temporary directory on the module path), and tells it in
the option ``controller_files`` how the user named the file and where it was found, so that
messages name that and never a temporary copy. With ``remote_src: true`` nothing is looked for:
the path is read on the host that runs the module.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import ValidationError

# The options a module with controller files gets: the switch, and what the action found.
CONTROLLER_FILE_OPTIONS = dict(
    remote_src=dict(type='bool', default=False),
    controller_files=dict(type='dict'),
)

# Where a relative path is looked for, in the words of the documentation.
SEARCH_ORDER = ("the role's files/ directory, the role's directory, the playbook's files/ directory and the "
                "playbook's directory, as ansible.builtin.copy looks for its src")


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


def file_origin(params, option):
    """The FileOrigin of a file option, or a ValidationError when the action did not find the file.

    Without the action's word (``remote_src``, or a run that did not go through the action) the path is
    named as given. Raises before any request, naming the option, what was given and where it was looked for.
    """
    path = params.get(option)
    told = (params.get('controller_files') or {}).get(option) if not params.get('remote_src') else None
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
