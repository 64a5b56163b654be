# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Times as the API writes them (``created_at``), read into seconds since the epoch to compare and order them."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import re

# An ISO 8601 time as the API writes it ('2026-11-25T10:00:00.123+00:00', '...Z'); a time without an offset
# is taken as UTC, the API's zone.
_TIMESTAMP = re.compile(r'^\s*(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?'
                        r'\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?\s*\Z')
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def parse_time(value):
    """Seconds since the epoch of an ISO 8601 time (no offset: UTC), or None when it is missing or unreadable."""
    match = _TIMESTAMP.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        zone = datetime.timezone.utc
        if offset and offset not in ('Z', 'z'):
            digits = offset[1:].replace(':', '')
            delta = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
            zone = datetime.timezone(-delta if offset[0] == '-' else delta)
        moment = datetime.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                                   int(second or 0), int((fraction or '0')[:6].ljust(6, '0')), tzinfo=zone)
    except ValueError:  # a month 13, an offset of 25 hours
        return None
    return (moment - _EPOCH).total_seconds()
