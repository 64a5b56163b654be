# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The records file in ``src`` is found on the controller as ansible.builtin.copy finds its ``src``.

Each test builds a playbook directory (and a role) in tmp_path and runs the action of
llmobs_dataset_records: in the controller, the module's own checks read the file found; on the module
path (``become``) the file is sent to the remote temporary directory, stood in for by a folder, and what
was found goes to the module process in the environment variable LLMOBS_CONTROLLER_FILES. No option of
the module carries it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib
import json
import shutil

import pytest

from ansible_collections.llmobs.datadog.plugins.modules import llmobs_dataset_records
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import records_module_args
from ansible_collections.llmobs.datadog.tests.unit.plugins.plugin_utils.in_process_support import make_action

RECORDS = '{"id": "a", "input": "x"}\n'
FILES_ENV = 'LLMOBS_CONTROLLER_FILES'
# What a user might put in a task's environment: it must never count.
FORGED = json.dumps({'src': {'given': 'forged.jsonl', 'searched': ['/nowhere/forged.jsonl']}})
# Controller code is imported inside each test only (see in_process_support).
CONTROLLER_FILES = 'ansible_collections.llmobs.datadog.plugins.plugin_utils._controller_files'


@pytest.fixture(autouse=True)
def no_opt_out(monkeypatch):
    monkeypatch.delenv('LLMOBS_IN_PROCESS', raising=False)


@pytest.fixture
def playbook(tmp_path):
    """A playbook directory with files/, and a role ``data`` with its own files/."""
    for folder in ('files', 'roles/data/files', 'roles/data/tasks'):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / 'roles/data/tasks/main.yml').write_text(u'---\n[]\n')
    return tmp_path


def put(path, text=RECORDS):
    path.write_text(text)
    return str(path)


def records_action(playbook_dir, role=None, **args):
    """The action of llmobs_dataset_records for one task of the playbook (of ``role`` when given)."""
    # As Task.get_search_path has it for a task of a role: the role's path, then the folder of the task's file.
    search = [str(playbook_dir / 'roles' / role), str(playbook_dir / 'roles' / role / 'tasks')] if role else []
    become, environment = args.pop('become', False), args.pop('environment', None)
    action = make_action('llmobs_dataset_records', records_module_args(**args), search_path=search, become=become,
                         environment=environment)
    action._loader.set_basedir(str(playbook_dir))
    return action


class Seen(object):
    """Stands in for the module's run: what it was given, once its checks read the file."""

    def __init__(self):
        self.tasks = []

    def __call__(self, task):
        self.tasks.append(task)
        return dict(changed=False)


@pytest.fixture
def seen(monkeypatch):
    recorder = Seen()
    monkeypatch.setattr(llmobs_dataset_records.MODULE, 'run', recorder)
    return recorder


# ---------------------------------------------------------------------------------- in the controller


def test_a_role_s_files_come_first(playbook, seen):
    role_file = put(playbook / 'roles/data/files/r.jsonl')
    put(playbook / 'files/r.jsonl', '{"id": "b", "input": "y"}\n')
    action = records_action(playbook, role='data', src='r.jsonl')
    result = action.run(task_vars=action.task_vars)
    assert 'failed' not in result
    task = seen.tasks[0]
    assert task.params['src'] == role_file and 'controller_files' not in task.params
    assert task.checked.label(1) == 'roles/data/files/r.jsonl:1'
    assert [record.key for record in task.checked] == ['a']


def test_the_playbook_s_files_then_its_directory(playbook, seen):
    put(playbook / 'files/r.jsonl')
    put(playbook / 'next.jsonl')
    action = records_action(playbook, src='r.jsonl')
    action.run(task_vars=action.task_vars)
    action = records_action(playbook, src='next.jsonl')
    action.run(task_vars=action.task_vars)
    assert [task.params['src'] for task in seen.tasks] == [str(playbook / 'files/r.jsonl'), str(playbook / 'next.jsonl')]
    assert [task.checked.source for task in seen.tasks] == ['files/r.jsonl', 'next.jsonl']


def test_the_invocation_shows_src_as_the_task_gave_it(playbook, seen):
    put(playbook / 'files/r.jsonl')
    action = records_action(playbook, src='r.jsonl')
    result = action.run(task_vars=action.task_vars)
    arguments = result['invocation']['module_args']
    assert arguments['src'] == 'r.jsonl' and arguments['remote_src'] is False and 'controller_files' not in arguments
    assert action._task.args == records_module_args(src='r.jsonl')


def test_an_absolute_path_is_used_as_it_is(playbook, seen, tmp_path_factory):
    path = put(tmp_path_factory.mktemp('elsewhere') / 'abs.jsonl')
    action = records_action(playbook, src=path)
    action.run(task_vars=action.task_vars)
    assert seen.tasks[0].params['src'] == path and seen.tasks[0].checked.source == path


def test_variables_in_the_path_are_expanded(playbook, seen, monkeypatch):
    put(playbook / 'files/r.jsonl')
    monkeypatch.setenv('LLMOBS_UNIT_NAME', 'r')
    action = records_action(playbook, src='$LLMOBS_UNIT_NAME.jsonl')
    action.run(task_vars=action.task_vars)
    assert seen.tasks[0].params['src'] == str(playbook / 'files/r.jsonl')


def test_a_missing_file_fails_naming_src_and_every_place_looked_at(playbook, seen):
    action = records_action(playbook, role='data', src='gone.jsonl')
    result = action.run(task_vars=action.task_vars)  # no HTTP call is expected: any would fail the test
    assert result['failed'] is True and seen.tasks == []
    assert result['msg'].startswith("src 'gone.jsonl' was not found on the controller: it was looked for at %s, "
                                    % (playbook / 'roles/data/files/gone.jsonl'))
    for place in ('roles/data/gone.jsonl', 'files/gone.jsonl', 'gone.jsonl'):
        assert str(playbook / place) in result['msg']
    assert result['msg'].endswith('For a file on the host that runs the module, set remote_src: true.')


def test_a_missing_absolute_path(playbook, seen):
    action = records_action(playbook, src=str(playbook / 'nowhere.jsonl'))
    result = action.run(task_vars=action.task_vars)
    assert result['msg'] == ("src '%s' does not exist on the controller. For a file on the host that runs the module, "
                             "set remote_src: true." % (playbook / 'nowhere.jsonl'))


def test_a_directory_is_refused_by_name(playbook, seen):
    (playbook / 'files/dir.jsonl').mkdir()
    action = records_action(playbook, src='dir.jsonl')
    result = action.run(task_vars=action.task_vars)
    assert result['msg'] == "src 'dir.jsonl' (found at files/dir.jsonl) is a directory, not a regular file."


def test_the_option_s_other_checks_come_first(playbook, seen):
    # records and src together: the arguments are refused as before, whatever the file.
    action = records_action(playbook, src='gone.jsonl', records=[{'input': 'x'}])
    result = action.run(task_vars=action.task_vars)
    assert result['msg'] == 'parameters are mutually exclusive: records|src'


def test_remote_src_reads_the_path_where_the_module_runs(playbook, seen):
    put(playbook / 'files/r.jsonl')
    action = records_action(playbook, src='files/r.jsonl', remote_src=True)
    action.run(task_vars=action.task_vars)
    assert seen.tasks[0].params['src'] == 'files/r.jsonl' and seen.tasks[0].checked.source == 'files/r.jsonl'
    action = records_action(playbook, src='r.jsonl', remote_src=True)
    result = action.run(task_vars=action.task_vars)
    assert result['msg'] == "src 'r.jsonl' does not exist on the host that runs the module."


def test_the_action_s_word_is_no_option_a_task_can_give(playbook, seen):
    put(playbook / 'files/r.jsonl')
    action = records_action(playbook, src='r.jsonl', controller_files={'src': {'given': 'x', 'searched': []}})
    result = action.run(task_vars=action.task_vars)
    assert result['failed'] is True and seen.tasks == []
    assert result['msg'].startswith('Unsupported parameters') and 'controller_files' in result['msg']


@pytest.mark.parametrize('remote_src', [False, True])
def test_the_word_in_the_task_s_environment_does_not_count_in_the_controller(playbook, seen, remote_src):
    put(playbook / 'files/r.jsonl')
    action = records_action(playbook, src='files/r.jsonl', remote_src=remote_src, environment=[{FILES_ENV: FORGED}])
    result = action.run(task_vars=action.task_vars)
    assert 'failed' not in result and seen.tasks[0].checked.source == 'files/r.jsonl'


def test_records_given_inline_need_no_file(playbook, seen):
    action = records_action(playbook, records=[{'input': 'x'}])
    action.run(task_vars=action.task_vars)
    assert seen.tasks[0].params['records'] == [{'input': 'x'}] and seen.tasks[0].params['src'] is None


# ---------------------------------------------------------------------------------- the module path


class RemoteHost(object):
    """Stands in for the connection's side of the module path: a temporary directory, transfers, the module."""

    def __init__(self, action, folder, monkeypatch):
        self.action, self.folder = action, folder
        self.transferred, self.fixed, self.executed, self.environments = [], [], [], []
        for name in ('_make_tmp_path', '_transfer_file', '_fixup_perms2', '_execute_module'):
            monkeypatch.setattr(action, name, getattr(self, name))

    def _make_tmp_path(self, remote_user=None):
        self.folder.mkdir()
        self.action._connection._shell.tmpdir = str(self.folder)
        return str(self.folder)

    def _transfer_file(self, local, remote):
        self.transferred.append((local, remote))
        shutil.copy(local, remote)
        return remote

    def _fixup_perms2(self, paths, *args, **kwargs):
        self.fixed.append(list(paths))

    def _execute_module(self, **kwargs):
        self.executed.append(dict(self.action._task.args))
        environment = {}
        self.action._compute_environment_string(environment)
        self.environments.append(environment)
        args = self.action._task.args
        return dict(changed=False, invocation=dict(module_args=dict(args, remote_src=False)))


def test_the_module_path_sends_the_file_found_to_the_remote_temporary_directory(playbook, tmp_path_factory, monkeypatch):
    found = put(playbook / 'roles/data/files/r.jsonl')
    action = records_action(playbook, role='data', src='r.jsonl', become=True)
    remote = RemoteHost(action, tmp_path_factory.mktemp('host') / 'ansible-tmp', monkeypatch)
    result = action.run(task_vars=action.task_vars)
    sent = str(remote.folder / 'src-r.jsonl')
    assert remote.transferred == [(found, sent)]
    assert remote.fixed == [[str(remote.folder), sent]]
    assert remote.executed[0] == records_module_args(src=sent)
    told = json.loads(remote.environments[0][FILES_ENV])
    assert told == {'src': {'given': 'r.jsonl', 'found': 'roles/data/files/r.jsonl'}}
    assert result['invocation']['module_args']['src'] == 'r.jsonl'  # never the temporary copy
    assert 'controller_files' not in result['invocation']['module_args']
    assert action._task.args['src'] == 'r.jsonl'


@pytest.mark.parametrize('args', [dict(src='gone.jsonl'), dict(src='dir.jsonl'), dict(src='r.jsonl', remote_src=True),
                                  dict(records=[{'input': 'x'}])])
def test_the_module_path_sends_nothing_it_need_not_send(playbook, tmp_path_factory, monkeypatch, args):
    (playbook / 'files/dir.jsonl').mkdir()
    put(playbook / 'files/r.jsonl')
    action = records_action(playbook, become=True, **args)
    remote = RemoteHost(action, tmp_path_factory.mktemp('host') / 'ansible-tmp', monkeypatch)
    action.run(task_vars=action.task_vars)
    assert remote.transferred == [] and len(remote.executed) == 1
    assert remote.executed[0].get('src') == args.get('src')


def module_path_environment(playbook, tmp_path_factory, monkeypatch, **args):
    """The environment a module process of the task gets, whose own environment holds a forged word."""
    put(playbook / 'files/r.jsonl')
    action = records_action(playbook, become=True, environment=[{FILES_ENV: FORGED, 'OTHER': 'kept'}], **args)
    remote = RemoteHost(action, tmp_path_factory.mktemp('host') / 'ansible-tmp', monkeypatch)
    action.run(task_vars=action.task_vars)
    assert remote.environments[0]['OTHER'] == 'kept'
    return remote.environments[0]


@pytest.mark.parametrize('args, told', [
    (dict(src='r.jsonl'), {'src': {'given': 'r.jsonl', 'found': 'files/r.jsonl'}}),
    (dict(src='r.jsonl', remote_src=True), {}),
    (dict(records=[{'input': 'x'}]), {}),
])
def test_on_the_module_path_the_action_s_word_replaces_the_task_s_environment(playbook, tmp_path_factory, monkeypatch,
                                                                              args, told):
    environment = module_path_environment(playbook, tmp_path_factory, monkeypatch, **args)
    assert json.loads(environment[FILES_ENV]) == told


def test_on_the_module_path_a_missing_file_is_told_with_the_places_looked_at(playbook, tmp_path_factory, monkeypatch):
    environment = module_path_environment(playbook, tmp_path_factory, monkeypatch, src='gone.jsonl')
    told = json.loads(environment[FILES_ENV])['src']
    assert told['given'] == 'gone.jsonl' and str(playbook / 'files/gone.jsonl') in told['searched']


def test_a_module_that_declares_no_file_is_told_nothing_about_files(monkeypatch):
    action = make_action('llmobs_dataset_clone', records_module_args(), connection='ssh',
                         environment=[{FILES_ENV: FORGED}])
    monkeypatch.setattr(action, '_execute_module', lambda **kwargs: dict(changed=False))
    action.run(task_vars=action.task_vars)
    environment = {}
    action._compute_environment_string(environment)
    assert FILES_ENV not in environment


def test_a_place_ansible_lists_twice_is_named_once(playbook, monkeypatch):
    from ansible.errors import AnsibleFileNotFound
    action = records_action(playbook, src='gone.jsonl')
    places = [str(playbook / 'files/gone.jsonl'), str(playbook / 'gone.jsonl')]

    def not_found(*args):
        raise AnsibleFileNotFound(file_name='gone.jsonl', paths=places + places)

    monkeypatch.setattr(action, '_find_needle', not_found)
    files = importlib.import_module(CONTROLLER_FILES).ControllerFiles(action, action.module_file.MODULE)
    assert files.told['src'] == dict(given='gone.jsonl', searched=places)


def test_a_module_that_declares_no_file_is_left_alone(monkeypatch):
    action = make_action('llmobs_dataset_clone', records_module_args(src='r.jsonl'))
    files = importlib.import_module(CONTROLLER_FILES).ControllerFiles(action, action.module_file.MODULE)
    assert files.told == {} and files.found == {} and files.environment() == {}


# ---------------------------------------------------------------------------------- how a file is shown


@pytest.mark.parametrize('given, found, shown', [
    ('r.jsonl', '/pb/files/r.jsonl', 'files/r.jsonl'),
    ('files/r.jsonl', '/pb/files/r.jsonl', 'files/r.jsonl'),
    ('./files/r.jsonl', '/pb/files/r.jsonl', './files/r.jsonl'),
    ('r.jsonl', '/pb/roles/data/files/r.jsonl', 'roles/data/files/r.jsonl'),
    ('r.jsonl', '/roles/data/files/r.jsonl', '/roles/data/files/r.jsonl'),
    ('/data/r.jsonl', '/data/r.jsonl', '/data/r.jsonl'),
])
def test_where_a_file_was_found_is_shown_from_the_playbook_s_directory(given, found, shown):
    assert importlib.import_module(CONTROLLER_FILES)._shown(given, found, '/pb') == shown
