# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Words of the collection's messages: a count of things, in the singular or the plural; a sentence's first word."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


def plural(noun, count=2):
    """``noun`` as said of ``count`` things: 'record' for 1, 'records' otherwise (and with no count)."""
    return noun if count == 1 else noun + 's'


def counted(count, noun):
    """'1 record', '3 records': a count and its noun (given in the singular)."""
    return '%d %s' % (count, plural(noun, count))


def counted_large(count, noun):
    """'12,000 records': ``counted`` with the thousands separated, for counts that can run high."""
    return '{0:,} {1}'.format(count, plural(noun, count))


def capitalized(text):
    """``text`` with its first letter in upper case, the rest as it is: a label that opens a sentence."""
    return text[:1].upper() + text[1:]
