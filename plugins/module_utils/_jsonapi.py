# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The shape of the LLM Observability API, shared by the resources: where its paths start, and how
its JSON:API documents are read.

The transport sends requests and knows HTTP only; the resources build their paths from API_PREFIX
and read answers with these helpers, leniently: a field that is missing is None, never a failure.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import TransportError

API_PREFIX = '/api/v2/llm-obs/v1'


def attributes_of(item):
    """The ``attributes`` of a JSON:API object, or {} when it has none: answers are read leniently."""
    attributes = item.get('attributes') if isinstance(item, dict) else None
    return attributes if isinstance(attributes, dict) else {}


def single_object(operation, what):
    """A parser of an answer that holds one object: its ``data``, or a TransportError naming ``what``.

    An answer without the object is treated as a lost answer, so a safe write looks its result up.
    """
    def parse(document):
        data = document.get('data') if isinstance(document, dict) else None
        if not isinstance(data, dict) or not data.get('id'):
            raise TransportError('%s returned a response without the %s.' % (operation, what))
        return data
    return parse
