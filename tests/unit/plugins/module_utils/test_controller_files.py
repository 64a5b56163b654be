# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How the module names a file its action found on the controller, and refuses one it did not find."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._controller_files import FileOrigin, file_origin
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._record_readers import MAX_SRC_BYTES, from_file
from ansible_collections.llmobs.datadog.plugins.module_utils._records import read_declared_records
from ansible_collections.llmobs.datadog.plugins.modules import llmobs_dataset_records

FOUND = FileOrigin('src', 'r.jsonl', 'roles/data/files/r.jsonl')


def refused(call, *args, **kwargs):
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.message


def test_without_the_action_s_word_the_path_is_named_as_it_is():
    origin = file_origin(dict(src='/data/r.jsonl'), 'src')
    assert (origin.named, origin.label) == ("src '/data/r.jsonl'", '/data/r.jsonl')


def test_a_file_found_elsewhere_is_named_as_given_and_where_found():
    origin = file_origin(dict(src='/tmp/ansible-tmp-1/src-r.jsonl', controller_files=dict(
        src=dict(given='r.jsonl', found='roles/data/files/r.jsonl'))), 'src')
    assert origin.named == "src 'r.jsonl' (found at roles/data/files/r.jsonl)"
    assert origin.label == 'roles/data/files/r.jsonl'


def test_a_file_found_where_the_path_says_is_named_once():
    origin = file_origin(dict(src='/pb/files/r.jsonl', controller_files=dict(
        src=dict(given='files/r.jsonl', found='files/r.jsonl'))), 'src')
    assert (origin.named, origin.label) == ("src 'files/r.jsonl'", 'files/r.jsonl')


def test_a_file_not_found_is_refused_with_the_places_looked_at():
    params = dict(src='r.jsonl', controller_files=dict(src=dict(given='r.jsonl', searched=['/pb/files/r.jsonl', '/pb/r.jsonl'])))
    assert refused(file_origin, params, 'src') == (
        "src 'r.jsonl' was not found on the controller: it was looked for at /pb/files/r.jsonl, /pb/r.jsonl (the role's "
        "files/ directory, the role's directory, the playbook's files/ directory and the playbook's directory, as "
        "ansible.builtin.copy looks for its src). For a file on the host that runs the module, set remote_src: true.")


def test_with_remote_src_the_action_s_word_does_not_count():
    params = dict(src='r.jsonl', remote_src=True, controller_files=dict(src=dict(given='r.jsonl', searched=[])))
    assert file_origin(params, 'src').named == "src 'r.jsonl'"


def test_records_read_through_the_module_s_options_are_named_as_found(tmp_path):
    path = tmp_path / 'src-r.jsonl'
    path.write_text(u'{"id": "a", "input": "x"}\n{"id": "b", "input": }\n')
    params = dict(src=str(path), state='present', controller_files=dict(
        src=dict(given='r.jsonl', found='roles/data/files/r.jsonl')))
    assert refused(read_declared_records, params).startswith('roles/data/files/r.jsonl:2: not valid JSON')


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


def test_the_records_module_declares_src_a_controller_file():
    assert llmobs_dataset_records.MODULE.controller_files == ('src',)
    spec = llmobs_dataset_records.MODULE.argument_spec()
    assert spec['remote_src'] == dict(type='bool', default=False) and spec['controller_files'] == dict(type='dict')
