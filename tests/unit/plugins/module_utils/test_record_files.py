# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Declared records: each file format, the checks and their messages, the canonical form, and writing a JSONL file."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json
import os

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils import _record_yaml
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError, ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._jsonl_output import jsonl_line, write_lines
from ansible_collections.llmobs.datadog.plugins.module_utils._record_canonical import (
    body_fields,
    canonical,
    canonical_json,
    differing_fields,
    plain,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._record_readers import from_file, from_list, read_declared


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(text.encode('utf-8') if isinstance(text, str) else text)
    return str(path)


def bodies(declared):
    return [(record.position, declared.body(record)) for record in declared]


def refused(call, *args, **kwargs):
    with pytest.raises(ValidationError) as info:
        call(*args, **kwargs)
    return info.value.message


# ---------------------------------------------------------------- formats


def test_jsonl_one_record_a_line_blank_lines_skipped(tmp_path):
    path = write(tmp_path, 'r.jsonl', '\ufeff{"id": "a", "input": "x", "expected_output": "y"}\n\n'
                                      '{"id": "b", "input": {"q": 1}, "metadata": {"k": [1, 2]}, "tags": ["t:1"]}\r\n')
    declared = from_file(path)
    assert declared.keyed_by == 'id'
    assert bodies(declared) == [(1, {'id': 'a', 'input': 'x', 'expected_output': 'y'}),
                                (3, {'id': 'b', 'input': {'q': 1}, 'metadata': {'k': [1, 2]}, 'tags': ['t:1']})]


def test_jsonl_keeps_unicode_line_separators_inside_strings(tmp_path):
    path = write(tmp_path, 'r.jsonl', '{"input": "one\u2028two\u0085three"}\n')
    assert bodies(from_file(path)) == [(1, {'input': 'one\u2028two\u0085three'})]


def test_json_array_with_line_numbers(tmp_path):
    path = write(tmp_path, 'r.JSON', '[\n  {"input": 1},\n\n  {"input":\n   2}, {"input": 3}\n]\n')
    declared = from_file(path)
    assert declared.keyed_by == 'input'
    assert bodies(declared) == [(2, {'input': 1}), (4, {'input': 2}), (5, {'input': 3})]


def test_json_empty_array_is_refused(tmp_path):
    # A file that declares no records would, with purge, delete every record: records: [] says it on purpose.
    path = write(tmp_path, 'r.json', ' [ ] ')
    assert refused(from_file, path) == ('src %r declares no records. To empty a dataset on purpose, give records: [] '
                                        'with purge: true.' % path)


@pytest.mark.parametrize('text, message', [
    ('', 'declares no records'),
    ('{"input": 1}', 'holds an array of records, not a mapping'),
    ('"text"', 'holds an array of records, not text'),
    ('[{"input": 1}', "expected ',' or ']' after the record that starts on line 1"),
    ('[{"input": 1},\n {"input": }]', 'r.json:2: not valid JSON: Expecting value at column 12.'),
    ('[{"input": 1}] x', 'r.json:1: not valid JSON: extra data after the array'),
    ('[{"input": NaN}]', 'NaN is not a JSON number'),
    ('[\n1]', 'r.json:2: a record must be a mapping'),
])
def test_json_problems(tmp_path, text, message):
    assert message in refused(from_file, write(tmp_path, 'r.json', text))


def test_yaml_list_with_line_numbers(tmp_path):
    path = write(tmp_path, 'r.yml', '# records\n- input: {question: "Why?"}\n  expected_output: Because.\n'
                                    '  tags: [topic:why]\n- {input: 2, metadata: {when: 2026-11-25}}\n')
    assert bodies(from_file(path)) == [
        (2, {'input': {'question': 'Why?'}, 'expected_output': 'Because.', 'tags': ['topic:why']}),
        (5, {'input': 2, 'metadata': {'when': '2026-11-25'}}),
    ]


def test_yaml_numeric_ids_are_text(tmp_path):
    path = write(tmp_path, 'r.yaml', '- {id: 17, input: a}\n- {id: x-2, input: b}\n')
    assert [record.key for record in from_file(path)] == ['17', 'x-2']


@pytest.mark.parametrize('text, message', [
    ('', 'declares no records'),
    ('input: 1\n', 'holds a list of records, not a mapping'),
    ('just text\n', 'holds a list of records, not a single value'),
    ('- input: [1\n', 'not valid YAML'),
    ('- input: 1\n- expected_output: 2\n', 'r.yaml:2: the input field is missing'),
    ('- input: 1\n- input: 1.0\n', 'r.yaml:1 and '),
])
def test_yaml_problems(tmp_path, text, message):
    assert message in refused(from_file, write(tmp_path, 'r.yaml', text))


def test_csv_columns_and_line_numbers(tmp_path):
    path = write(tmp_path, 'r.csv', 'id,input,expected_output,metadata,tags\r\n'
                                    'a,"Hello, world",Hi,"{""lang"": ""en""}","lang:en, kind:greeting"\r\n'
                                    'b,"two\r\nlines",,,\r\n'
                                    ',,,,\r\n'
                                    'c,42,,{},\r\n')
    assert bodies(from_file(path)) == [
        (2, {'id': 'a', 'input': 'Hello, world', 'expected_output': 'Hi', 'metadata': {'lang': 'en'},
             'tags': ['kind:greeting', 'lang:en']}),
        (3, {'id': 'b', 'input': 'two\r\nlines'}),
        (6, {'id': 'c', 'input': '42'}),     # text, as the issue says: not a number
    ]


def test_csv_with_only_an_input_column(tmp_path):
    path = write(tmp_path, 'r.csv', 'input\nfirst\nsecond\n')
    declared = from_file(path)
    assert declared.keyed_by == 'input' and bodies(declared) == [(2, {'input': 'first'}), (3, {'input': 'second'})]


def test_csv_cells_larger_than_the_csv_default_limit(tmp_path):
    big = 'x' * 300000
    declared = from_file(write(tmp_path, 'r.csv', 'input\n%s\n' % big))
    assert declared.body(declared.entries[0]) == {'input': big}


@pytest.mark.parametrize('text, message', [
    ('', 'declares no records'),
    ('id,expected_output\na,b\n', 'r.csv:1: the header row has no input column'),
    ('input,answer\na,b\n', "r.csv:1: unknown column 'answer'"),
    ('input,input\na,b\n', "the column 'input' appears more than once"),
    ('input,metadata\na,[1]\n', 'r.csv:2: metadata must be the JSON text of an object (found a list)'),
    ('input,metadata\na,{oops}\n', 'r.csv:2: metadata must be the JSON text of an object: Expecting property name'),
    ('input,tags\na,nocolon\n', "r.csv:2: tags[0] 'nocolon' is not of the form"),
    ('input,expected_output\n,b\n', 'r.csv:2: the input cell is empty'),
    ('input\na\nb,c\n', 'r.csv:3: 2 cells, but the header row names 1 column.'),
    ('input,id\na,x y\n', "r.csv:2: id 'x y' may contain only"),
    ('input\n"a\n', 'r.csv:2: not valid CSV'),
])
def test_csv_problems(tmp_path, text, message):
    assert message in refused(from_file, write(tmp_path, 'r.csv', text))


@pytest.mark.parametrize('name, text, message', [
    ('r.jsonl', '{"input": 1}\nnot json\n', 'r.jsonl:2: not valid JSON: Expecting value at column 1.'),
    ('r.jsonl', '{"input": 1}\n\xff\n'.encode('latin-1'), 'r.jsonl:2: not UTF-8 text'),
    ('r.json', b'[{"input": "\xff"}]', 'is not UTF-8 text'),
    ('r.csv', b'input\n\xff\n', 'is not UTF-8 text'),
    ('records', 'input\n', "unknown file type '(no extension)'"),
])
def test_file_problems(tmp_path, name, text, message):
    assert message in refused(from_file, write(tmp_path, name, text))


def test_missing_file_and_directory(tmp_path):
    assert 'does not exist on the host that runs the module' in refused(from_file, str(tmp_path / 'no.jsonl'))
    os.mkdir(str(tmp_path / 'dir.jsonl'))
    assert 'is a directory' in refused(from_file, str(tmp_path / 'dir.jsonl'))


def test_blank_src_and_nothing_given():
    assert 'src must not be blank' in refused(read_declared, src='  ')
    assert 'either as records' in refused(read_declared)


def test_yaml_without_pyyaml(tmp_path, monkeypatch):
    monkeypatch.setattr(_record_yaml, 'HAS_YAML', False)
    assert 'needs the PyYAML library' in refused(from_file, write(tmp_path, 'r.yaml', '- input: 1\n'))


# ---------------------------------------------------------------- checks of one record


@pytest.mark.parametrize('records, message', [
    (['text'], 'records[0]: a record must be a mapping with at least an input field (found text)'),
    ([{'input': 1, 'id': ''}], 'records[0]: id must not be empty'),
    ([{'input': 1, 'id': True}], 'records[0]: id must be text (found a boolean)'),
    ([{'input': 1, 'id': 'a/b'}], "records[0]: id 'a/b' may contain only letters, digits, '.', '_' and '-'"),
    ([{'input': 1, 'tags': 'a:1'}], 'records[0]: tags must be a list of "key:value" strings (found text)'),
    ([{'input': 1, 'tags': [3]}], 'records[0]: tags[0] must be a "key:value" string (found a number)'),
    ([{'input': 1, 'tags': [':v']}], "records[0]: tags[0] ':v' is not of the form"),
    ([{'input': {'a': [1, float('inf')]}}], 'records[0]: input holds a value that is not JSON at a[1]: inf is not a JSON number'),
    ([{'input': 1, 'expected_output': {1, 2}}], 'records[0]: expected_output holds a value that is not JSON: a set is not'),
    ([{'input': 1, 'metadata': {None: 1}}], 'records[0]: metadata holds a value that is not JSON: the key None is not text'),
])
def test_record_problems(records, message):
    assert message in refused(from_list, records)


def test_ids_all_or_none_names_the_first_record_without_one():
    records = [{'input': 1, 'id': 'a'}, {'input': 2, 'id': 'b'}, {'input': 3}, {'input': 4}]
    assert refused(from_list, records) == ('records[2] has no id, but records[0] has one: either every record '
                                           'carries an id or none does.')


def test_duplicates_name_both_records():
    records = [{'input': 1, 'id': 'a'}, {'input': 2, 'id': 'b'}, {'input': 3, 'id': 'a'}]
    assert refused(from_list, records) == ("records[0] and records[2] have the same id 'a': each record must be "
                                           'declared once.')
    same_input = [{'input': {'x': 1, 'y': [1.0]}}, {'input': {'y': [1], 'x': 1}}]
    assert 'records[0] and records[1] have the same input' in refused(from_list, same_input)


def test_for_deletion_a_record_with_an_id_needs_no_input():
    declared = read_declared(records=[{'id': 'a'}], require_input=False)
    assert declared.entries[0].key == 'a'
    assert 'every record needs an input or an id' in refused(read_declared, records=[{'tags': []}], require_input=False)


# ---------------------------------------------------------------- canonical form


def test_values_are_compared_as_data():
    left = from_list([{'input': {'b': [1.0, {'d': None}], 'a': 'x'}, 'tags': ['z:1', 'a:1', 'a:1'], 'metadata': None}])
    right = from_list([{'input': {'a': 'x', 'b': [1, {'d': None}]}, 'tags': ['a:1', 'z:1'], 'metadata': {},
                        'expected_output': None}])
    assert left.entries[0].digest == right.entries[0].digest
    assert left.entries[0].key == right.entries[0].key


def test_differing_fields_name_each_field():
    base = body_fields({'input': 1, 'expected_output': 2, 'metadata': {'m': 1.0}, 'tags': ['t:1']})
    other = body_fields({'input': 1.0, 'expected_output': 3, 'metadata': {'m': 1}, 'tags': ['t:2']})
    assert differing_fields(base, other) == ['expected_output', 'tags']
    assert differing_fields(base, base) == []
    assert body_fields({'input': 'x'}) == {'input': 'x', 'expected_output': None, 'metadata': {}, 'tags': []}


def test_floats_are_walked_only_when_their_text_needs_it():
    assert canonical_json({'a': 1.0, 'b': 'v1.0'}) == b'{"a":1,"b":"v1.0"}'
    assert canonical_json({'a': 1.5, 'b': 10}) == b'{"a":1.5,"b":10}'
    # Integral floats of any size are integers: a server that holds doubles may print 1e16 either way.
    assert canonical_json([1e16, 2.0 ** 60, 1.5e-7]) == b'[10000000000000000,1152921504606846976,1.5e-07]'
    assert canonical_json([1e16, 'e+']) == canonical_json([10 ** 16, 'e+'])


def test_plain_values():
    assert plain({'a': (1, 2.5, 3.0), 2: datetime.date(2026, 11, 25)}) == {'a': [1, 2.5, 3], '2': '2026-11-25'}
    assert plain(2.0 ** 60) == 2 ** 60 and isinstance(plain(2.0 ** 60), int)   # exactly that integer
    assert canonical({'b': 1, 'a': 'é'}) == u'{"a":"é","b":1}'.encode('utf-8')


def test_text_that_differs_is_not_equal():
    records = from_list([{'input': 'A'}, {'input': 'a'}, {'input': '1'}, {'input': 1}, {'input': True}, {'input': False}])
    assert len(records) == 6


# ---------------------------------------------------------------- writing a JSONL file


def test_jsonl_line_has_a_fixed_field_order_and_sorted_keys():
    line = jsonl_line({'tags': ['a:1'], 'metadata': {'z': 1, 'a': 2}, 'input': 'é', 'id': 'r1', 'expected_output': None})
    assert line == u'{"id": "r1", "input": "é", "expected_output": null, "metadata": {"a": 2, "z": 1}, "tags": ["a:1"]}\n'
    assert json.loads(line)['input'] == u'é'


def test_write_lines_only_when_the_content_differs(tmp_path):
    path = str(tmp_path / 'out.jsonl')
    lines = ['{"id": "a"}\n', '{"id": "b"}\n']

    assert write_lines(path, lines, check_mode=True) == (True, None)
    assert not os.path.exists(path)

    changed, diff = write_lines(path, lines, diff=True)
    assert changed is True
    assert diff == {'before': '', 'after': ''.join(lines), 'before_header': path, 'after_header': path}
    with open(path) as handle:
        assert handle.read() == ''.join(lines)
    os.chmod(path, 0o640)

    assert write_lines(path, lines, diff=True) == (False, None)
    changed, diff = write_lines(path, lines[:1], diff=True)
    assert changed is True and diff['before'] == ''.join(lines) and diff['after'] == lines[0]
    assert os.stat(path).st_mode & 0o777 == 0o640      # permissions kept
    assert os.listdir(str(tmp_path)) == ['out.jsonl']   # no temporary file left


def test_write_lines_large_files_show_their_size_only(tmp_path):
    path = str(tmp_path / 'out.jsonl')
    lines = ['{"id": "%06d", "pad": "%s"}\n' % (n, 'x' * 100) for n in range(1000)]
    changed, diff = write_lines(path, lines, check_mode=True, diff=True)
    assert changed is True
    assert diff['after'].startswith('(') and 'too large to show' in diff['after'] and diff['before'] == ''


def test_write_lines_problems(tmp_path):
    assert 'does not exist' in refused(write_lines, str(tmp_path / 'no' / 'out.jsonl'), [])
    assert 'is a directory' in refused(write_lines, str(tmp_path), [])


def test_write_lines_failure_removes_the_temporary_file(tmp_path, monkeypatch):
    def fail(source, target):
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(os, 'replace', fail)
    with pytest.raises(LLMObsError) as info:
        write_lines(str(tmp_path / 'out.jsonl'), ['x\n'])
    assert 'could not be written: No space left on device' in info.value.message
    assert os.listdir(str(tmp_path)) == []


def test_jsonl_records_are_read_again_from_their_line(tmp_path):
    path = write(tmp_path, 'r.jsonl', '{"id": "a", "input": 1.0}\n{"id": "b", "input": {"q": "x"}, "tags": ["t:1"]}\n')
    declared = from_file(path)
    assert [isinstance(record.text, int) for record in declared] == [True, True]   # offsets, not texts
    assert declared.body(declared.entries[1]) == {'id': 'b', 'input': {'q': 'x'}, 'tags': ['t:1']}
    assert declared.body(declared.entries[0]) == {'id': 'a', 'input': 1}


def test_a_jsonl_file_changed_during_the_run_is_an_error(tmp_path):
    path = write(tmp_path, 'r.jsonl', '{"id": "a", "input": 1}\n{"id": "b", "input": 2}\n')
    declared = from_file(path)
    write(tmp_path, 'r.jsonl', '{"id": "a", "input": 1}\n{"id": "b", "input": 3}\n')
    assert declared.body(declared.entries[0]) == {'id': 'a', 'input': 1}
    with pytest.raises(LLMObsError) as info:
        declared.body(declared.entries[1])
    assert info.value.message == '%s changed while the task ran: line 2 is no longer the record that was compared. ' \
        'Run the task again.' % path


def test_records_too_large_to_send_are_refused_as_read(tmp_path):
    big = '{"input": "%s"}\n' % ('\\u00e9' * 2000)
    assert 'r.jsonl:2: the record is 12013 bytes of JSON, more than one request can carry (10000 bytes)' in refused(
        from_file, write(tmp_path, 'r.jsonl', '{"input": 1}\n' + big), max_record_bytes=10000)
    assert len(from_list([{'input': 'x' * 1000}], max_record_bytes=10000)) == 1
