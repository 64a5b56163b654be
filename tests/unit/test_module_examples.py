# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The modules' EXAMPLES take their connection from the play or the environment, and the playbook of
the integration target module_examples runs them as written (tests/utils/module_examples.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import yaml

from ansible_collections.llmobs.datadog.tests.utils.module_examples import (
    GROUP,
    example_problems,
    examples_of,
    module_names,
    playbook,
)

GOOD = '''
- name: Clone it
  llmobs.datadog.llmobs_dataset_clone:
    project_name: demo-project
    dataset_name: capitals
    name: capitals-v2
'''

# The example that sent a rehearsal's task to Datadog: the block's module_defaults replaced the
# play's entry for the group, api_url included.
BLOCK_DEFAULTS = '''
- name: Clone by ids, with the connection set once for every module of the collection
  module_defaults:
    group/llmobs.datadog.llmobs:
      site: datadoghq.eu
  block:
    - name: Clone the evaluation set for this release
      llmobs.datadog.llmobs_dataset_clone:
        project_id: a33671aa-24fd-4dcd-9b33-a8ec7dde7751
        dataset_id: 9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d
        name: eval
'''


def test_every_module_has_examples_that_take_the_connection_from_the_play():
    modules = module_names()
    assert 'llmobs_dataset_clone' in modules and 'llmobs_dataset_records' in modules
    for module in modules:
        assert example_problems(module, examples_of(module)) == []


def test_a_blocks_module_defaults_for_the_group_is_refused_whatever_it_sets():
    assert example_problems('m', BLOCK_DEFAULTS) == [
        "plugins/modules/m.py EXAMPLES: task 'Clone by ids, with the connection set once for every module of the "
        "collection' sets module_defaults for group/llmobs.datadog.llmobs: on a task or a block that replaces the "
        "play's whole entry for those tasks, api_url included; set connection options once for the play, or take "
        "them from DD_API_KEY, DD_APP_KEY and DD_SITE"]
    timeout_only = BLOCK_DEFAULTS.replace('site: datadoghq.eu', 'timeout: 60')
    assert len(example_problems('m', timeout_only)) == 1


@pytest.mark.parametrize('option', ['api_url', 'site', 'api_key', 'app_key'])
def test_connection_options_on_a_task_are_refused(option):
    text = GOOD.replace('    name: capitals-v2', '    name: capitals-v2\n    %s: x' % option)
    assert example_problems('m', text) == [
        "plugins/modules/m.py EXAMPLES: task 'Clone it' sets %s on llmobs.datadog.llmobs_dataset_clone: connection "
        "options come from the play or the environment" % option]


def test_connection_options_are_found_in_rescue_and_in_an_actions_module_defaults():
    text = '''
- name: Try
  block:
    - name: Read
      llmobs.datadog.llmobs_project_info:
  rescue:
    - name: Again, elsewhere
      module_defaults:
        llmobs.datadog.llmobs_project_info:
          api_url: http://127.0.0.1:8126
          timeout: 60
      llmobs.datadog.llmobs_project_info:
'''
    assert example_problems('m', text) == [
        "plugins/modules/m.py EXAMPLES: task 'Try', rescue: task 'Again, elsewhere' sets api_url in module_defaults "
        "for llmobs.datadog.llmobs_project_info: connection options come from the play or the environment"]


@pytest.mark.parametrize('text, problem', [
    (None, 'there are none'),
    ('  \n', 'there are none'),
    ('name: not a list', 'must be a list of tasks'),
    ('- name: [unclosed', 'not YAML'),
    ('- name: Only a debug\n  ansible.builtin.debug:\n    msg: hi\n', 'no task uses a module of llmobs.datadog'),
])
def test_examples_that_cannot_be_run_are_named(text, problem):
    found = example_problems('m', text)
    assert len(found) == 1 and found[0].startswith('plugins/modules/m.py EXAMPLES: ') and problem in found[0]


def test_the_playbook_holds_each_modules_examples_as_written_under_the_plays_connection():
    text = '# How to clone' + GOOD
    plays = yaml.safe_load(playbook([('first', text), ('second', GOOD)]))
    assert [play['name'] for play in plays] == [
        'Reset the emulator to its demo data for the EXAMPLES of first', 'EXAMPLES of first, as written',
        'The EXAMPLES of first reached the emulator with its keys',
        'Reset the emulator to its demo data for the EXAMPLES of second', 'EXAMPLES of second, as written',
        'The EXAMPLES of second reached the emulator with its keys']
    examples = plays[1]
    assert examples['tasks'] == yaml.safe_load(GOOD)
    connection = {'api_url': '{{ emulator_url }}', 'api_key': '{{ emulator_api_key }}', 'app_key': '{{ emulator_app_key }}'}
    assert examples['module_defaults'] == {GROUP: connection}
    assert '    # How to clone\n    - name: Clone it\n      llmobs.datadog.llmobs_dataset_clone:\n' in playbook([('m', text)])


def test_a_new_module_is_found_by_its_file(tmp_path):
    folder = tmp_path / 'plugins' / 'modules'
    folder.mkdir(parents=True)
    (folder / '__init__.py').write_text('')
    (folder / 'llmobs_new.py').write_text("DOCUMENTATION = ''\nEXAMPLES = r'''%s'''\n" % GOOD)
    (folder / 'llmobs_bare.py').write_text("DOCUMENTATION = ''\n")
    root = str(tmp_path)
    assert module_names(root) == ['llmobs_bare', 'llmobs_new']
    assert examples_of('llmobs_new', root) == GOOD
    assert examples_of('llmobs_bare', root) is None
    assert 'there are none' in example_problems('llmobs_bare', examples_of('llmobs_bare', root))[0]
