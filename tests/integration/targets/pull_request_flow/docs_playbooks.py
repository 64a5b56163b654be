#!/usr/bin/env python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Write the playbooks of the documentation, exactly as the docs show them, pointed at the emulator.

    python3 docs_playbooks.py OUTPUT_DIR EMULATOR_URL API_KEY APP_KEY

Takes the README's Example, the sync.yml of docs/records.md (with the records file it shows, as
datasets/support-questions.jsonl beside it) and the playbooks of docs/user-guide.md that create
things by name. The only change: the action group's module_defaults get api_url and the keys of the
emulator (api_url overrides site). Prints the names of the playbooks written, one a line.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import sys

import yaml

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..'))
GROUP = 'group/llmobs.datadog.llmobs'
BLOCK = re.compile(r'^```(\w+)\n(.*?)^```', re.M | re.S)


def blocks(doc, kind, after=None):
    """The fenced blocks of ``kind`` in the document ``doc`` (relative to the repository), after the text ``after``."""
    with open(os.path.join(REPO_ROOT, doc)) as handle:
        text = handle.read()
    if after is not None:
        text = text[text.index(after):]
    return [body for language, body in BLOCK.findall(text) if language == kind]


def creating_playbooks(doc, after=None):
    """The playbooks among a document's yaml blocks that create something by name (a project task)."""
    found = []
    for body in blocks(doc, 'yaml', after):
        plays = yaml.safe_load(body)
        if isinstance(plays, list) and plays and all(isinstance(play, dict) and 'hosts' in play for play in plays):
            if 'llmobs.datadog.llmobs_project:' in body:
                found.append(plays)
    return found


def pointed_at(plays, url, api_key, app_key):
    for play in plays:
        defaults = play.setdefault('module_defaults', {}).setdefault(GROUP, {})
        defaults.update(api_url=url, api_key=api_key, app_key=app_key)
    return plays


def main(out, url, api_key, app_key):
    playbooks = {
        'readme_example.yml': creating_playbooks('README.md', '## Example')[0],
        'records_sync.yml': creating_playbooks('docs/records.md')[0],
    }
    for number, plays in enumerate(creating_playbooks('docs/user-guide.md')):
        playbooks['user_guide_%d.yml' % number] = plays
    os.makedirs(os.path.join(out, 'datasets'))
    with open(os.path.join(out, 'datasets', 'support-questions.jsonl'), 'w') as handle:
        handle.write(blocks('docs/records.md', 'json')[0])
    for name, plays in sorted(playbooks.items()):
        with open(os.path.join(out, name), 'w') as handle:
            yaml.safe_dump(pointed_at(plays, url, api_key, app_key), handle, sort_keys=False)
        print(name)


if __name__ == '__main__':
    main(*sys.argv[1:])
