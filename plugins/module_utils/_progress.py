# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Progress lines of a task's long operations (reading pages, writing batches), throttled.

The engine reports every step (``step``) and the end of an operation (``done``); a Progress decides
what is worth a line, and hands it to ``emit``. Without ``emit`` (the module path, where nothing can
be shown before the module ends) it says nothing. It knows no Ansible: the in-process action gives
it an ``emit`` that prints through Ansible's Display.

What is shown: nothing in the first ``quiet`` seconds of the task, so that a short task prints
nothing extra; after that, a step or an end at most every ``every`` seconds; and the end of every
operation whose progress was shown, so that its last line says where it finished.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

# Seconds of a task before its first progress line, and between two lines.
QUIET_SECONDS = 5.0
EVERY_SECONDS = 5.0


class Progress(object):
    """The throttle between a task's engine and whatever shows its progress (``emit(text)``)."""

    def __init__(self, emit=None, quiet=QUIET_SECONDS, every=EVERY_SECONDS, clock=None):
        self.emit = emit
        self.quiet = quiet
        self.every = every
        self.clock = clock or time.monotonic
        self.started = self.clock()
        self.last_line = None
        self.shown = set()  # the operations a line was shown for, and that have not ended

    def step(self, operation, text):
        """``operation`` (any key that names it) has come so far: ``text`` says how far."""
        if self._due():
            self.shown.add(operation)
            self._emit(text)

    def done(self, operation, text):
        """``operation`` has ended: ``text`` is its last line, shown if any of its progress was, or if a line is
        due (many short operations in a long task, such as counting the records of every dataset of a project)."""
        if operation in self.shown:
            self.shown.discard(operation)
            self._emit(text)
        elif self._due():
            self._emit(text)

    def _due(self):
        if self.emit is None:
            return False
        now = self.clock()
        if now - self.started < self.quiet:
            return False
        return self.last_line is None or now - self.last_line >= self.every

    def _emit(self, text):
        self.last_line = self.clock()
        self.emit(text)
