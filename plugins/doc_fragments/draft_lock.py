# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    """Options of the modules that write a dataset's records: the draft lock of Datadog's UI."""

    DOCUMENTATION = r'''
options:
  force:
    description:
      - Before its first records write (never when there is nothing to write), the module reads the dataset's draft
        state. While someone edits the dataset in Datadog's UI (holds its draft lock), the task fails before
        writing, naming who holds it and since when, so that neither edit overwrites the other.
      - With C(true), write anyway, with a warning naming the holder. A lock held by someone else is never taken
        nor released.
      - Also the way out when the holder is this API key's own user, left locked by a run that was killed before it
        could release the lock.
      - In check mode a draft in progress is a warning, not a failure.
    type: bool
    default: false
  lock:
    description:
      - Hold the dataset's draft lock for the duration of the write, so that nobody starts editing it in the UI
        meanwhile, and release it at the end, also when the write fails or the run is interrupted (Ctrl-C) where
        Python can run its cleanup. A release that fails is a warning.
      - Only taken when there is something to write, and never in check mode.
    type: bool
    default: false
'''
