# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The records of a CSV export counted as it streams into a file, without parsing or holding it."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class CountedRows(object):
    """A download sink that passes every chunk on to ``sink`` and counts the CSV's records: its rows after the
    header. A row ends at a line feed outside quotes (RFC 4180: a quoted cell may hold line feeds, and its quotes
    are doubled, which toggles the quoting twice); a last row without a line end counts too."""

    def __init__(self, sink):
        self.sink = sink
        self._reset()

    def _reset(self):
        self._ends = 0
        self._quoted = False
        self._last = b''

    def write(self, chunk):
        if not chunk:
            return
        self.sink.write(chunk)
        for index, part in enumerate(chunk.split(b'"')):
            if index:
                self._quoted = not self._quoted
            if not self._quoted:
                self._ends += part.count(b'\n')
        self._last = chunk[-1:]

    def restart(self):
        self.sink.restart()
        self._reset()

    @property
    def count(self):
        """Records after the header; 0 for an empty export or a header alone."""
        rows = self._ends + (1 if self._last not in (b'', b'\n') else 0)
        return max(rows - 1, 0)
