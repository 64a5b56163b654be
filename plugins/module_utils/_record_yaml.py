# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""Reading a YAML records file, bounded: YAML aliases may expand a record to at most MAX_YAML_NODES values.

A file is composed to nodes first; aliases are shared node objects, so each node is measured once
and a record that expands too much, nests too deep or contains itself is refused before any Python
value is built from it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.plugins.module_utils._declared_records import MAX_NESTING, too_deep_message
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import ValidationError

YAML_IMPORT_ERROR = None
try:
    import yaml
except ImportError as exc:  # PyYAML comes with ansible-core; a module host may lack it
    HAS_YAML = False
    YAML_IMPORT_ERROR = str(exc)
else:
    HAS_YAML = True

# How many values (each scalar, list and mapping counts one) one record of a YAML file may expand to through
# aliases; the whole file may expand to this many, or YAML_EXPANSION times the values it writes out if more.
MAX_YAML_NODES = 1000 * 1000
YAML_EXPANSION = 10

_YAML_MERGE = 'tag:yaml.org,2002:merge'
_YAML_SIZE_CAP = 1 << 62  # sizes are counted up to here: a chain of aliases may expand beyond any number


def read_yaml(text, declared):
    """The records of a YAML records file's text, added to ``declared``; raises ValidationError."""
    if not HAS_YAML:
        raise ValidationError('%s: reading a YAML records file needs the PyYAML library on the host that runs the '
                              'module (%s); use a .json, .jsonl or .csv file instead.' % (declared.source, YAML_IMPORT_ERROR))
    loader = yaml.SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:  # the composer recurses once a level: text far deeper than MAX_NESTING
            line, field = _deep_yaml_place(text)
            raise ValidationError(too_deep_message(declared.label(line), field))
        except yaml.YAMLError as exc:
            raise ValidationError('%s: not valid YAML: %s.' % (declared.source, _yaml_reason(exc)))
        if node is None:
            return  # no records: refused by from_file
        if not isinstance(node, yaml.SequenceNode):
            raise ValidationError('%s: a YAML records file holds a list of records, not %s.'
                                  % (declared.source, 'a mapping' if isinstance(node, yaml.MappingNode) else 'a single value'))
        _check_yaml_graph(node, declared)  # before any Python value is made
        for item in node.value:
            where = declared.label(item.start_mark.line + 1)
            try:
                fields = loader.construct_object(item, deep=True)
            except RecursionError:  # not with MAX_NESTING levels, whatever the caller's stack: a last defence
                raise ValidationError(too_deep_message(where, None))
            except yaml.YAMLError as exc:
                raise ValidationError('%s: not valid YAML: %s.' % (where, _yaml_reason(exc)))
            declared.add(item.start_mark.line + 1, fields)
    finally:
        loader.dispose()


def _yaml_children(node):
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    return ()


def _yaml_measure(node, sizes):
    """The expanded size and the depth of a node whose children are measured; a merge key (<<) lifts its mapping."""
    size, depth = 1, 0
    for child in _yaml_children(node):
        size += sizes[id(child)][0]
    if isinstance(node, yaml.SequenceNode):
        depth = max([sizes[id(child)][1] for child in node.value] + [0]) + 1
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            depth = max(depth, sizes[id(key)][1])
            if key.tag == _YAML_MERGE:
                # The merged mappings' pairs become this mapping's own: their values sit at this level.
                parts = value.value if isinstance(value, yaml.SequenceNode) else [value]
                depth = max([depth] + [sizes[id(part)][1] - 1 for part in parts])
            else:
                depth = max(depth, sizes[id(value)][1])
        depth += 1
    return min(size, _YAML_SIZE_CAP), depth


def _check_yaml_graph(root, declared):
    """Refuse a record that YAML aliases expand past MAX_YAML_NODES, one nested deeper than MAX_NESTING or one
    that contains itself, before anything is built from it; and a file that aliases expand too much in all.

    Aliases are shared node objects: each node is measured once, by identity, so the walk is linear in the
    nodes the file writes out, whatever they expand to, and it recurses not at all.
    """
    sizes = {}  # id(node): (expanded size, depth); None while the node's children are being measured
    checked = []
    for item in root.value:
        where = declared.label(item.start_mark.line + 1)
        stack = [item]
        while stack:
            node = stack[-1]
            if id(node) not in sizes:
                sizes[id(node)] = None
                for child in _yaml_children(node):
                    if id(child) not in sizes:
                        stack.append(child)
                    elif sizes[id(child)] is None:  # a node being measured is one this node is inside of
                        raise ValidationError('%s: the record contains itself through a YAML alias; a record must '
                                              'be a finite value.' % where)
                continue
            stack.pop()
            if sizes[id(node)] is None:
                sizes[id(node)] = _yaml_measure(node, sizes)
        size, depth = sizes[id(item)]
        if size > MAX_YAML_NODES:
            raise ValidationError('%s: the record expands to more than %d values through YAML aliases, more than a '
                                  'record may hold.' % (where, MAX_YAML_NODES))
        if depth > MAX_NESTING + 1:  # the record itself is one level
            field = None
            if isinstance(item, yaml.MappingNode):
                field = next((key.value for key, value in item.value
                              if isinstance(key, yaml.ScalarNode) and key.tag != _YAML_MERGE
                              and sizes[id(value)][1] > MAX_NESTING), None)
            raise ValidationError(too_deep_message(where, field))
        checked.append((where, size))
    limit = max(MAX_YAML_NODES, YAML_EXPANSION * len(sizes))
    total = 0
    for where, size in checked:
        total += size
        if total > limit:
            raise ValidationError('%s: with this record, the file expands to more than %d values through YAML '
                                  'aliases (%d times the %d it writes out), more than a records file may hold.'
                                  % (where, limit, YAML_EXPANSION, len(sizes)))


def _deep_yaml_place(text):
    """The line and field of the first record nested deeper than MAX_NESTING, from the YAML events.

    For text too deep to compose: the parser does not recurse. Field None: the record itself, or not found.
    """
    frames = []  # one a collection open: [is a mapping, the next node is a key]
    line, field = 1, None
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                frames.pop()
                continue
            if not isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                continue
            if len(frames) == 1:  # a record of the top list
                line, field = event.start_mark.line + 1, None
            elif frames and frames[-1][0]:
                if len(frames) == 2 and frames[-1][1]:  # a key of the record
                    field = event.value if isinstance(event, yaml.ScalarEvent) else None
                frames[-1][1] = not frames[-1][1]
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                frames.append([isinstance(event, yaml.MappingStartEvent), True])
                if len(frames) > MAX_NESTING + 2:  # the top list and the record are two levels
                    return line, field
    except yaml.YAMLError:
        pass
    return line, field


def _yaml_reason(exc):
    mark = getattr(exc, 'problem_mark', None)
    problem = getattr(exc, 'problem', None) or str(exc)
    if mark is not None:
        return '%s (line %d, column %d)' % (problem, mark.line + 1, mark.column + 1)
    return problem
