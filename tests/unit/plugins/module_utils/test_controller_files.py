# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How the module names a file its action found on the controller, and refuses one it did not find.

The action tells the module what it found outside the module's options: ``files`` of ``execute``, or the
environment variable LLMOBS_CONTROLLER_FILES of a module process.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._controller_files import (
    FILES_ENV,
    FileOrigin,
    file_origin,
    files_from_environment,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._record_readers import MAX_SRC_BYTES, from_file
from ansible_collections.llmobs.datadog.plugins.module_utils._records import read_declared_records
from ansible_collections.llmobs.datadog.plugins.modules import llmobs_dataset_records
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import records_module_args

FOUND = FileOrigin('src', 'r.jsonl', 'roles/data/files/r.jsonl')


def refused(call, *args, **kwargs):
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.message


def test_without_the_action_s_word_the_path_is_named_as_it_is():
    origin = file_origin(dict(src='/data/r.jsonl'), 'src')
    assert (origin.named, origin.label) == ("src '/data/r.jsonl'", '/data/r.jsonl')


def test_a_file_found_elsewhere_is_named_as_given_and_where_found():
    origin = file_origin(dict(src='/tmp/ansible-tmp-1/src-r.jsonl'), 'src',
                         dict(src=dict(given='r.jsonl', found='roles/data/files/r.jsonl')))
    assert origin.named == "src 'r.jsonl' (found at roles/data/files/r.jsonl)"
    assert origin.label == 'roles/data/files/r.jsonl'


def test_a_file_found_where_the_path_says_is_named_once():
    origin = file_origin(dict(src='/pb/files/r.jsonl'), 'src', dict(src=dict(given='files/r.jsonl', found='files/r.jsonl')))
    assert (origin.named, origin.label) == ("src 'files/r.jsonl'", 'files/r.jsonl')


def test_a_file_not_found_is_refused_with_the_places_looked_at():
    files = dict(src=dict(given='r.jsonl', searched=['/pb/files/r.jsonl', '/pb/r.jsonl']))
    assert refused(file_origin, dict(src='r.jsonl'), 'src', files) == (
        "src 'r.jsonl' was not found on the controller: it was looked for at /pb/files/r.jsonl, /pb/r.jsonl (in the "
        "order ansible.builtin.copy looks for its src: the role's files/ directory and the role's directory when the "
        "task is in a role, then the playbook's files/ directory and the playbook's directory). For a file on the host "
        "that runs the module, set remote_src: true.")


def test_with_remote_src_the_action_s_word_does_not_count():
    files = dict(src=dict(given='r.jsonl', searched=[]))
    assert file_origin(dict(src='r.jsonl', remote_src=True), 'src', files).named == "src 'r.jsonl'"


def test_records_read_through_the_module_s_options_are_named_as_found(tmp_path):
    path = tmp_path / 'src-r.jsonl'
    path.write_text(u'{"id": "a", "input": "x"}\n{"id": "b", "input": }\n')
    files = dict(src=dict(given='r.jsonl', found='roles/data/files/r.jsonl'))
    assert refused(read_declared_records, dict(src=str(path), state='present'), files).startswith(
        'roles/data/files/r.jsonl:2: not valid JSON')


@pytest.mark.parametrize('given, content, message', [
    ('r.jsonl', b'', "src 'r.jsonl' (found at roles/data/files/r.jsonl) declares no records."),
    ('r.json', b'\xff', "src 'r.json' (found at roles/data/files/r.jsonl) is not UTF-8 text"),
    ('r.csv', b'input\n"a', 'roles/data/files/r.jsonl:2: not valid CSV'),
])
def test_file_level_messages_name_the_file_as_given(tmp_path, given, content, message):
    path = tmp_path / ('copy-' + given)  # the copy the module reads keeps the extension of the name given
    path.write_bytes(content)
    text = refused(from_file, str(path), origin=FileOrigin('src', given, 'roles/data/files/r.jsonl'))
    assert text.startswith(message)
    assert str(tmp_path) not in text


def test_the_regular_file_and_size_checks_name_the_file_as_given(tmp_path, monkeypatch):
    assert refused(from_file, str(tmp_path), origin=FOUND) == (
        "src 'r.jsonl' (found at roles/data/files/r.jsonl) is a directory, not a regular file.")
    assert refused(from_file, str(tmp_path / 'gone.jsonl'), origin=FOUND) == (
        "src 'r.jsonl' (found at roles/data/files/r.jsonl) does not exist on the host that runs the module.")
    big = tmp_path / 'big.jsonl'
    with open(str(big), 'wb') as handle:
        handle.truncate(MAX_SRC_BYTES + 1)  # sparse: no disk used
    assert refused(from_file, str(big), origin=FOUND) == (
        "src 'r.jsonl' (found at roles/data/files/r.jsonl) is larger than 1 GiB, the most a records file may hold.")


def test_the_records_module_declares_src_a_controller_file_and_no_option_for_the_action_s_word():
    assert llmobs_dataset_records.MODULE.controller_files == ('src',)
    spec = llmobs_dataset_records.MODULE.argument_spec()
    assert spec['remote_src'] == dict(type='bool', default=False) and 'controller_files' not in spec


# ---------------------------------------------------------------------------------- the module process


def test_a_module_process_reads_the_action_s_word_in_its_environment(monkeypatch):
    told = dict(src=dict(given='r.jsonl', found='files/r.jsonl'))
    monkeypatch.setenv(FILES_ENV, json.dumps(told))
    assert files_from_environment() == told


@pytest.mark.parametrize('value', [None, '', 'not json', '["src"]', '"src"'])
def test_without_a_readable_word_in_the_environment_nothing_was_told(monkeypatch, value):
    if value is None:
        monkeypatch.delenv(FILES_ENV, raising=False)
    else:
        monkeypatch.setenv(FILES_ENV, value)
    assert files_from_environment() == {}


def _module_process(run_module, monkeypatch, args, environment=None):
    """Run llmobs_dataset_records as a module process: AnsibleModule, and what the action put in the environment."""
    monkeypatch.delenv(FILES_ENV, raising=False)
    for name, value in (environment or {}).items():
        monkeypatch.setenv(name, value)
    return run_module(llmobs_dataset_records, args)[0]


def test_a_module_process_names_the_file_as_the_action_says_and_refuses_what_it_did_not_find(run_module, monkeypatch):
    searched = dict(src=dict(given='r.jsonl', searched=['/pb/files/r.jsonl', '/pb/r.jsonl']))
    result = _module_process(run_module, monkeypatch, records_module_args(src='/tmp/src-r.jsonl'),
                             {FILES_ENV: json.dumps(searched)})
    assert result['failed'] is True  # before any request: none is expected
    assert result['msg'].startswith("src 'r.jsonl' was not found on the controller: it was looked for at /pb/files/r.jsonl")


def test_a_module_process_reads_the_file_and_names_it_where_the_action_found_it(run_module, monkeypatch, tmp_path):
    path = tmp_path / 'src-r.jsonl'
    path.write_text(u'{"id": "a", "input": "x"}\n{"id": "b", "input": }\n')
    found = dict(src=dict(given='r.jsonl', found='roles/data/files/r.jsonl'))
    result = _module_process(run_module, monkeypatch, records_module_args(src=str(path)), {FILES_ENV: json.dumps(found)})
    assert result['msg'].startswith('roles/data/files/r.jsonl:2: not valid JSON')
    assert result['invocation']['module_args']['src'] == str(path)  # the action shows it as given (plugin_utils tests)


def test_a_module_process_without_the_action_s_word_reads_the_path_as_given(run_module, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    result = _module_process(run_module, monkeypatch, records_module_args(src='r.jsonl'))
    assert result['msg'] == "src 'r.jsonl' does not exist on the host that runs the module."


def test_the_action_s_word_is_no_option_of_the_module(run_module, monkeypatch):
    result = _module_process(run_module, monkeypatch, records_module_args(src='r.jsonl', controller_files={}))
    assert result['failed'] is True and result['msg'].startswith('Unsupported parameters')
    assert 'controller_files' in result['msg']
