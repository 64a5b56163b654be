# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every module's EXAMPLES as one playbook, to run as written against the emulator's demo data.

    python tests/utils/module_examples.py PLAYBOOK

writes PLAYBOOK: for each module of plugins/modules, a play that resets the emulator to its demo
seed, a play of the module's EXAMPLES (their text as it is, under `tasks:`) whose only connection
settings are the play's `module_defaults` pointing at the emulator, and a play that checks that
the examples' requests reached the emulator with its keys. The integration target module_examples
runs it (the files the examples read are in its files/, copied beside PLAYBOOK).

Examples take their connection settings from the environment or the play, never from a task or a
block: a task's `api_url` or `site` sends that task elsewhere than the play says, and a block's or
task's `module_defaults` for the group replaces the play's whole entry, `api_url` included (so a
rehearsal against the emulator sent a task to Datadog). Such examples are refused, naming the
module and the task, before anything runs.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast
import os
import sys

import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTION = 'llmobs.datadog'
GROUP = 'group/llmobs.datadog.llmobs'
# The options that decide where a request goes and with which keys.
CONNECTION_OPTIONS = ('api_url', 'site', 'api_key', 'app_key')
TASK_LISTS = ('block', 'rescue', 'always')


def module_names(root=REPO_ROOT):
    folder = os.path.join(root, 'plugins', 'modules')
    return sorted(name[:-3] for name in os.listdir(folder) if name.endswith('.py') and name != '__init__.py')


def examples_of(module, root=REPO_ROOT):
    """The EXAMPLES text of a module, read from its file without importing it."""
    path = os.path.join(root, 'plugins', 'modules', module + '.py')
    with open(path) as handle:
        tree = ast.parse(handle.read(), path)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(target, 'id', None) == 'EXAMPLES' for target in node.targets):
            return ast.literal_eval(node.value)
    return None


def _is_collection_action(name):
    return name.startswith(COLLECTION + '.')


def _task_problems(task, where):
    problems = []
    for key, value in (task.get('module_defaults') or {}).items():
        if key == GROUP:
            problems.append("%s sets module_defaults for %s: on a task or a block that replaces the play's whole "
                            "entry for those tasks, api_url included; set connection options once for the play, "
                            "or take them from DD_API_KEY, DD_APP_KEY and DD_SITE" % (where, GROUP))
        elif _is_collection_action(key) and isinstance(value, dict):
            problems.extend('%s sets %s in module_defaults for %s: connection options come from the play or the '
                            'environment' % (where, option, key) for option in CONNECTION_OPTIONS if option in value)
    for key, value in task.items():
        if _is_collection_action(key) and isinstance(value, dict):
            problems.extend('%s sets %s on %s: connection options come from the play or the environment'
                            % (where, option, key) for option in CONNECTION_OPTIONS if option in value)
    for key in TASK_LISTS:
        problems.extend(_tasks_problems(task.get(key) or [], '%s, %s' % (where, key)))
    return problems


def _tasks_problems(tasks, where):
    problems = []
    for index, task in enumerate(tasks):
        if not isinstance(task, dict):
            problems.append('%s: entry %d is not a task' % (where, index))
            continue
        problems.extend(_task_problems(task, '%s: task %r' % (where, task.get('name', index))))
    return problems


def example_problems(module, text):
    """What keeps a module's EXAMPLES from running against the emulator as written, one line each."""
    where = 'plugins/modules/%s.py EXAMPLES' % module
    if not text or not text.strip():
        return ['%s: there are none; give examples that run against the emulator\'s demo data' % where]
    try:
        tasks = yaml.safe_load(text)
    except yaml.YAMLError as error:
        return ['%s: not YAML: %s' % (where, error)]
    if not isinstance(tasks, list) or not tasks:
        return ['%s: must be a list of tasks' % where]
    problems = _tasks_problems(tasks, where)
    if not any(_uses_collection(task) for task in tasks):
        problems.append('%s: no task uses a module of %s' % (where, COLLECTION))
    return problems


def _uses_collection(task):
    return isinstance(task, dict) and (any(_is_collection_action(key) for key in task)
                                       or any(_uses_collection(inner) for key in TASK_LISTS for inner in task.get(key) or []))


def _indent(text, spaces):
    return ''.join((' ' * spaces + line) if line.strip() else line for line in text.strip('\n').splitlines(True)) + '\n'


PLAY = '''
- name: Reset the emulator to its demo data for the EXAMPLES of {module}
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Reset the emulator
      ansible.builtin.include_tasks: "{{{{ common_tasks }}}}/reset.yml"

- name: EXAMPLES of {module}, as written
  hosts: localhost
  gather_facts: false
  # The only connection settings: the play's, as a user's rehearsal against the emulator sets them.
  module_defaults:
    {group}:
      api_url: "{{{{ emulator_url }}}}"
      api_key: "{{{{ emulator_api_key }}}}"
      app_key: "{{{{ emulator_app_key }}}}"
  tasks:
{tasks}
- name: The EXAMPLES of {module} reached the emulator with its keys
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Read the emulator's request log
      ansible.builtin.include_tasks: "{{{{ common_tasks }}}}/emulator_state.yml"

    - name: Check the requests
      ansible.builtin.assert:
        that:
          - emulator_log | length > 0
          - emulator_log | selectattr('status', 'in', [401, 403]) | list | length == 0
        fail_msg: >-
          The EXAMPLES of {module} sent {{{{ emulator_log | length }}}} requests to the emulator, refused:
          {{{{ emulator_log | selectattr('status', 'in', [401, 403]) | map(attribute='path') | list }}}}
        quiet: true
'''


def playbook(examples):
    """The playbook text of {module: EXAMPLES text}, modules in order."""
    return '---\n# Written by tests/utils/module_examples.py: every module\'s EXAMPLES against the emulator.\n' + ''.join(
        PLAY.format(module=module, group=GROUP, tasks=_indent(text, 4)) for module, text in examples)


def main(argv):
    if len(argv) != 1:
        sys.stderr.write('usage: module_examples.py PLAYBOOK\n')
        return 2
    examples = [(module, examples_of(module)) for module in module_names()]
    problems = [problem for module, text in examples for problem in example_problems(module, text)]
    if problems:
        print('\n'.join(problems))
        return 1
    with open(argv[0], 'w') as handle:
        handle.write(playbook(examples))
    print('%s: the EXAMPLES of %s' % (argv[0], ', '.join(module for module, dummy in examples)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
