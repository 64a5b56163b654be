# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # What each attribute means; every module uses this and declares its own support.
    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
  idempotent:
    description:
      - When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
      - This assumes that the system controlled/queried by the module has not changed in a relevant way.
'''

    # Every module of the collection is in the llmobs action group.
    ACTIONGROUP = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/llmobs.datadog.llmobs) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - llmobs.datadog.llmobs
'''

    # Modules that change projects, datasets or records.
    STATE = r'''
options: {}
attributes:
  check_mode:
    support: full
    details:
      - Makes every read and no write, and predicts the result (server-assigned values such as the id are V(null)).
  diff_mode:
    support: full
    details:
      - Shows the resource before and after a create, an update or a delete.
  idempotent:
    support: full
    details:
      - Reads before it writes and compares exactly; a second identical run reports no change and sends no write.
'''

    # Modules that only read.
    INFO = r'''
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This action does not modify state, so it runs in check mode as it does otherwise.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
  idempotent:
    support: full
    details:
      - This action does not modify state.
'''
