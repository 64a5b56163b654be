# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Hostile records files and values: null inputs, files that declare nothing, special files, huge or endless
files, bad JSON positions, YAML alias bombs, deep nesting, and a dest that cannot be written."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import socket
import sys
import tempfile
import threading
import time

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils import _atomic_file, _controller_files, _record_readers, _record_yaml
from ansible_collections.llmobs.datadog.plugins.module_utils._declared_records import MAX_NESTING
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError, ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._atomic_file import check_destination
from ansible_collections.llmobs.datadog.plugins.module_utils._jsonl_output import write_lines
from ansible_collections.llmobs.datadog.plugins.module_utils._record_readers import MAX_SRC_BYTES, from_file, from_list, read_declared
from ansible_collections.llmobs.datadog.plugins.module_utils._record_yaml import MAX_YAML_NODES


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(text.encode('utf-8') if isinstance(text, str) else text)
    return str(path)


def refused(call, *args, **kwargs):
    with pytest.raises(ValidationError) as info:
        call(*args, **kwargs)
    return info.value.message


def bodies(declared):
    return [(record.position, declared.body(record)) for record in declared]


class OsWith(object):
    """The os module with some functions replaced, for one module alone."""

    def __init__(self, **replaced):
        self.__dict__.update(replaced)

    def __getattr__(self, name):
        return getattr(os, name)


# ---------------------------------------------------------------- a null input


@pytest.mark.parametrize('name, text, line', [
    ('recs.jsonl', '{"input": 1}\n\n{"input": null, "expected_output": 2}\n', 3),
    ('recs.json', '[\n{"input": 1},\n{"input": null}\n]', 3),
    ('recs.yaml', '- input: 1\n- input: ~\n', 2),
    ('recs.yaml', '- input: 1\n- input: null\n', 2),
    ('recs.yaml', '- input: 1\n- expected_output: 2\n  input:\n', 2),
])
def test_a_null_input_is_refused(tmp_path, name, text, line):
    path = write(tmp_path, name, text)
    assert refused(from_file, path) == '%s:%d: input is null; every record needs an input (Datadog requires one).' % (
        path, line)


def test_a_null_input_in_the_records_list_is_refused():
    assert refused(from_list, [{'input': 'x'}, {'input': None}]) == (
        'records[1]: input is null; every record needs an input (Datadog requires one).')


def test_for_deletion_a_null_input_is_no_input():
    # state: absent, records with ids: the input does not matter (the module's own example writes input: null).
    declared = read_declared(records=[{'id': 'a', 'input': None}], require_input=False)
    assert [record.key for record in declared] == ['a']
    assert refused(read_declared, records=[{'input': None}], require_input=False) == (
        'records[0]: input is null; a record without an id needs an input.')


# ---------------------------------------------------------------- a file that declares no records


@pytest.mark.parametrize('name, text', [
    ('r.jsonl', ''),
    ('r.jsonl', '\n\n   \n\t\n'),
    ('r.jsonl', u'\ufeff'),
    ('r.jsonl', u'\ufeff\n\n'),
    ('r.csv', ''),
    ('r.csv', 'input\n'),
    ('r.csv', 'id,input,expected_output\r\n'),
    ('r.csv', 'input,expected_output\n\n,\n  ,  \n'),
    ('r.json', ''),
    ('r.json', '  \n'),
    ('r.json', '[]'),
    ('r.json', u'\ufeff [\n ]\n'),
    ('r.yaml', ''),
    ('r.yml', '# no records yet\n'),
    ('r.yaml', '[]\n'),
])
def test_a_file_that_declares_no_records_is_refused(tmp_path, name, text):
    # With purge, such a file deleted every record of the dataset.
    path = write(tmp_path, name, text)
    message = 'src %r declares no records. To empty a dataset on purpose, give records: [] with purge: true.' % path
    assert refused(from_file, path) == message
    assert refused(read_declared, src=path, require_input=False) == message


def test_an_empty_records_list_is_the_way_to_empty_a_dataset():
    assert len(read_declared(records=[])) == 0
    assert len(read_declared(records=[], require_input=False)) == 0


def test_a_blank_csv_header_row_is_refused(tmp_path):
    assert 'r.csv:1: the header row is blank' in refused(from_file, write(tmp_path, 'r.csv', ',\ninput\na\n'))


# ---------------------------------------------------------------- CSV rows of the wrong length


def test_a_csv_row_with_fewer_cells_than_the_header_is_refused(tmp_path):
    path = write(tmp_path, 'r.csv', 'input,expected_output\na,b\nc\n')
    assert refused(from_file, path) == '%s:3: 1 cell, but the header row names 2 columns.' % path
    path = write(tmp_path, 'r.csv', 'id,input,expected_output\nx,a,b\n\ny,c\n')
    assert refused(from_file, path) == '%s:4: 2 cells, but the header row names 3 columns.' % path


def test_blank_csv_rows_are_still_skipped(tmp_path):
    path = write(tmp_path, 'r.csv', 'input,expected_output\na,b\n\n,\n , \nc,d\n')
    assert bodies(from_file(path)) == [(2, {'input': 'a', 'expected_output': 'b'}),
                                       (6, {'input': 'c', 'expected_output': 'd'})]


# ---------------------------------------------------------------- src must be a regular file


def in_thread(call, timeout=10):
    """The thread that runs ``call()``, and its error's message; the thread is still alive when ``call`` blocked."""
    outcome = {}

    def target():
        try:
            call()
        except LLMObsError as exc:
            outcome['message'] = exc.message
        except Exception as exc:  # pylint: disable=broad-except
            outcome['error'] = exc

    thread = threading.Thread(target=target)
    thread.daemon = True
    thread.start()
    thread.join(timeout)
    return thread, outcome


def test_a_fifo_is_refused_without_blocking(tmp_path):
    path = str(tmp_path / 'r.jsonl')
    os.mkfifo(path)
    thread, outcome = in_thread(lambda: from_file(path))
    if thread.is_alive():  # blocked in open: give it a writer, so that the thread ends, then fail
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail('reading a FIFO blocked')
    assert outcome == {'message': 'src %r is a FIFO (named pipe), not a regular file.' % path}


def test_a_fifo_swapped_in_after_the_first_look_is_refused(tmp_path, monkeypatch):
    # What was opened is checked, not only what the path was a moment before.
    regular = write(tmp_path, 'regular.jsonl', '{"input": 1}\n')
    path = str(tmp_path / 'r.jsonl')
    os.mkfifo(path)
    monkeypatch.setattr(_record_readers, 'os', OsWith(stat=lambda name: os.stat(regular)))
    thread, outcome = in_thread(lambda: from_file(path))
    if thread.is_alive():
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail('opening a FIFO blocked')
    assert outcome == {'message': 'src %r is a FIFO (named pipe), not a regular file.' % path}


@pytest.mark.parametrize('target, kind', [('/dev/zero', 'a character device'), ('/dev/null', 'a character device')])
def test_a_symlink_to_a_device_is_refused(tmp_path, target, kind):
    if not os.path.exists(target):
        pytest.skip('no %s here' % target)
    path = str(tmp_path / 'r.jsonl')
    os.symlink(target, path)
    assert refused(from_file, path) == 'src %r is %s, not a regular file.' % (path, kind)


def test_a_socket_and_a_directory_are_refused(tmp_path):
    path = str(tmp_path / 's.jsonl')
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(path)
        assert refused(from_file, path) == 'src %r is a socket, not a regular file.' % path
    finally:
        server.close()
    os.mkdir(str(tmp_path / 'd.json'))
    assert refused(from_file, str(tmp_path / 'd.json')) == 'src %r is a directory, not a regular file.' % str(
        tmp_path / 'd.json')


def test_a_symlink_to_a_regular_file_is_read(tmp_path):
    target = write(tmp_path, 'real.jsonl', '{"input": 1}\n{"input": 2}\n')
    path = str(tmp_path / 'link.jsonl')
    os.symlink(target, path)
    declared = from_file(path)
    assert bodies(declared) == [(1, {'input': 1}), (2, {'input': 2})]
    broken = str(tmp_path / 'broken.jsonl')
    os.symlink(str(tmp_path / 'nowhere'), broken)
    assert 'does not exist on the host that runs the module' in refused(from_file, broken)


def test_the_size_bound_is_one_gib():
    assert MAX_SRC_BYTES == 1024 ** 3   # a 200 MB file is well within it


def test_a_file_larger_than_the_bound_is_refused_before_it_is_read(tmp_path):
    path = str(tmp_path / 'big.jsonl')
    with open(path, 'wb') as handle:   # sparse: nothing of it is written, or read
        handle.truncate(MAX_SRC_BYTES + 1)
    assert refused(from_file, path) == 'src %r is larger than 1 GiB, the most a records file may hold.' % path


@pytest.mark.parametrize('name, record', [('r.jsonl', '{"input": "%s"}\n'), ('r.json', '[{"input": "%s"}]'),
                                          ('r.yaml', '- input: %s\n'), ('r.csv', 'input\n%s\n')])
def test_the_bound_holds_exactly(tmp_path, monkeypatch, name, record):
    text = record % ('x' * (102 - len(record)))
    assert len(text) == 100
    monkeypatch.setattr(_record_readers, 'MAX_SRC_BYTES', 100)
    assert len(from_file(write(tmp_path, name, text))) == 1
    path = write(tmp_path, name, record % ('x' * (103 - len(record))))
    assert refused(from_file, path) == 'src %r is larger than 100 bytes, the most a records file may hold.' % path


@pytest.mark.parametrize('name', ['r.jsonl', 'r.json'])
def test_a_file_that_grows_is_read_no_further_than_the_bound(tmp_path, monkeypatch, name):
    # /dev/zero as a file whose size said nothing: the bound is kept while reading, one byte past it at most.
    path = str(tmp_path / name)
    os.symlink('/dev/zero', path)
    monkeypatch.setattr(_controller_files, 'file_type', lambda mode: None)  # opened by the shared reader
    monkeypatch.setattr(_record_readers, 'MAX_SRC_BYTES', 4096)
    reads = []
    real_open = _record_readers.open_src

    def counting_open(*args):
        handle = real_open(*args)
        read, readline = handle.read, handle.readline

        class Counted(object):
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                handle.close()

            def read(self, size):
                reads.append(size)
                return read(size)

            def readline(self, size):
                reads.append(size)
                return readline(size)
        return Counted()

    monkeypatch.setattr(_record_readers, 'open_src', counting_open)
    assert refused(from_file, path) == 'src %r is larger than 4 KiB, the most a records file may hold.' % path
    assert sum(reads) <= 4097


def test_records_of_a_jsonl_file_are_read_again_through_the_same_checks(tmp_path):
    path = write(tmp_path, 'r.jsonl', '{"id": "a", "input": 1}\n')
    declared = from_file(path)
    os.unlink(path)
    os.mkfifo(path)
    thread, outcome = in_thread(lambda: declared.body(declared.entries[0]))
    if thread.is_alive():
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail('reading a FIFO blocked')
    assert outcome == {'message': 'src %r is a FIFO (named pipe), not a regular file.' % path}


# ---------------------------------------------------------------- one position in a JSON error


@pytest.mark.parametrize('text, message', [
    ('{"input": 1}\n{"input": 2}\n{"a":\n', 'r.jsonl:3: not valid JSON: Expecting value at column 6.'),
    ('{"input": 1}\nnot json\n', 'r.jsonl:2: not valid JSON: Expecting value at column 1.'),
    ('{"input": 1 "id": "a"}\n', "r.jsonl:1: not valid JSON: Expecting ',' delimiter at column 13."),
    ('{"input": 1} x\n', 'r.jsonl:1: not valid JSON: Extra data at column 14.'),
    (u'\ufeff{"input": }\r\n', 'r.jsonl:1: not valid JSON: Expecting value at column 11.'),
    ('{"input": NaN}\n', 'r.jsonl:1: not valid JSON: NaN is not a JSON number.'),
])
def test_a_bad_jsonl_line_gives_the_file_line_and_the_column_in_it(tmp_path, text, message):
    assert refused(from_file, write(tmp_path, 'r.jsonl', text)) == '%s/%s' % (tmp_path, message)


@pytest.mark.parametrize('text, message', [
    ('[\n  {"input": 1},\n  {"input": tru}\n]', 'r.json:3: not valid JSON: Expecting value at column 13.'),
    ('[{"input": 1},\n\n {"input": "a\n"}]', 'r.json:3: not valid JSON: Invalid control character at column 14.'),
    ('{"input": }', 'r.json:1: not valid JSON: Expecting value at column 11.'),
    ('\n\n{"input": ', 'r.json:3: not valid JSON: Expecting value at column 11.'),
    ('[\n{"input": 1},\n{"input": NaN}]', 'r.json:3: not valid JSON: NaN is not a JSON number.'),
])
def test_a_bad_json_file_gives_the_file_line_and_column_once(tmp_path, text, message):
    assert refused(from_file, write(tmp_path, 'r.json', text)) == '%s/%s' % (tmp_path, message)


def test_a_bad_csv_metadata_cell_gives_a_position_in_the_cell(tmp_path):
    path = write(tmp_path, 'r.csv', 'input,metadata\na,"{""k"":\n }"\n')
    assert refused(from_file, path) == ('%s:2: metadata must be the JSON text of an object: Expecting value at '
                                        'character 8 of the metadata cell.' % path)


# ---------------------------------------------------------------- YAML aliases


def laughs(levels, width=9):
    """A YAML records file whose record ``k`` (line 2k + 1) expands to about width ** (k + 1) values."""
    lines = ['- id: r0', '  input: &a0 [%s]' % ', '.join(['lol'] * width)]
    for level in range(1, levels):
        lines.append('- id: r%d' % level)
        lines.append('  input: &a%d [%s]' % (level, ', '.join(['*a%d' % (level - 1)] * width)))
    return '\n'.join(lines) + '\n'


def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path):
    path = write(tmp_path, 'r.yaml', laughs(12))    # record r11 alone would be 9 ** 12 (282 billion) values
    assert os.path.getsize(path) < 2048
    started = time.time()
    message = refused(from_file, path)
    assert time.time() - started < 5
    # r6, on line 13, is the first record past the bound (5,380,844 values; r5 has 597,875).
    assert MAX_YAML_NODES == 1000000
    assert message == ('%s:13: the record expands to more than 1000000 values through YAML aliases, more than a '
                       'record may hold.' % path)


def test_yaml_aliases_within_the_bound_are_read(tmp_path):
    declared = from_file(write(tmp_path, 'r.yaml', laughs(5)))   # the largest record: 66,434 values
    assert len(declared) == 5
    assert declared.body(declared.entries[1])['input'] == [['lol'] * 9] * 9


def test_a_file_that_aliases_expand_too_much_in_all_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(_record_yaml, 'MAX_YAML_NODES', 1000)
    # One anchor of 300 values, then records of 2 + 1 + 300 + ... values each: a few records fit, 100 do not.
    lines = ['- id: r0', '  input: 0', '  metadata: {shared: &s [%s]}' % ', '.join(['x'] * 299)]
    for number in range(1, 100):
        lines.append('- {id: r%d, input: %d, metadata: {shared: *s}}' % (number, number))
    path = write(tmp_path, 'r.yaml', '\n'.join(lines) + '\n')
    message = refused(from_file, path)
    assert message.startswith('%s:' % path)
    assert 'with this record, the file expands to more than ' in message
    assert ' values through YAML aliases (10 times the ' in message
    monkeypatch.undo()
    assert len(from_file(path)) == 100   # within the real bound


def test_yaml_merge_keys_are_read(tmp_path):
    path = write(tmp_path, 'r.yaml', '- &base {input: a, metadata: {team: ml, deep: [[1]]}}\n'
                                     '- {<<: *base, input: b}\n')
    assert bodies(from_file(path)) == [(1, {'input': 'a', 'metadata': {'team': 'ml', 'deep': [[1]]}}),
                                       (2, {'input': 'b', 'metadata': {'team': 'ml', 'deep': [[1]]}})]


@pytest.mark.parametrize('text, line', [
    ('- input: 1\n- &r {input: [*r]}\n', 2),
    ('- {input: 1}\n- input: &x [1, [*x]]\n', 2),
    ('&r [*r]\n', 1),
])
def test_a_recursive_yaml_alias_is_refused(tmp_path, text, line):
    path = write(tmp_path, 'r.yaml', text)
    assert refused(from_file, path) == ('%s:%d: the record contains itself through a YAML alias; a record must be a '
                                        'finite value.' % (path, line))


# ---------------------------------------------------------------- deep nesting


def nested(levels, inner='1'):
    return '[' * levels + inner + ']' * levels


def nested_mappings(levels):
    return '{"k": ' * levels + '1' + '}' * levels


def too_deep(where, field):
    return '%s: %s nests lists and mappings more than 100 levels deep, more than a record may hold.' % (where, field)


def test_the_nesting_bound():
    assert MAX_NESTING == 100


@pytest.mark.parametrize('name, make', [
    ('r.jsonl', lambda value: '{"input": 1}\n{"input": %s}\n' % value),
    ('r.json', lambda value: '[{"input": 1},\n {"input": %s}]' % value),
    ('r.yaml', lambda value: '- input: 1\n- {input: %s}\n' % value),
])
@pytest.mark.parametrize('shape', [nested, nested_mappings])
def test_nesting_up_to_the_bound_is_read_and_one_level_more_refused(tmp_path, name, make, shape):
    assert len(from_file(write(tmp_path, name, make(shape(MAX_NESTING))))) == 2
    path = write(tmp_path, name, make(shape(MAX_NESTING + 1)))
    assert refused(from_file, path) == too_deep('%s:2' % path, 'input')


def test_nesting_in_a_yaml_block_list_names_the_field(tmp_path):
    text = '- id: x\n  input: 1\n  metadata:\n' + ''.join('%s    k:\n' % ('  ' * level) for level in range(MAX_NESTING))
    text += '%s    k: 1\n' % ('  ' * MAX_NESTING)
    path = write(tmp_path, 'r.yaml', text)
    assert refused(from_file, path) == too_deep('%s:1' % path, 'metadata')


@pytest.mark.parametrize('name, make', [
    ('r.jsonl', lambda value: '{"input": 1}\n{"input": 2, "metadata": {"m": %s}}\n' % value),
    ('r.json', lambda value: '[{"input": 1},\n {"input": 2, "metadata": {"m": %s}}]' % value),
])
@pytest.mark.parametrize('levels', [MAX_NESTING + 1, 600, 100000])
def test_json_nested_far_too_deep_gives_the_same_clean_error(tmp_path, name, make, levels):
    # Deep enough for the decoder to meet Python's limit (100,000), or not (600): one message either way.
    path = write(tmp_path, name, make(nested(levels - 1)))
    assert refused(from_file, path) == too_deep('%s:2' % path, 'metadata')


def test_a_jsonl_line_of_brackets_only(tmp_path):
    path = write(tmp_path, 'r.jsonl', '{"input": 1}\n%s\n' % nested(100000, ''))
    assert refused(from_file, path) == too_deep('%s:2' % path, 'the record')


def test_yaml_nested_far_too_deep_gives_a_clean_error(tmp_path):
    path = write(tmp_path, 'r.yaml', '- input: 1\n- input: 2\n  metadata: %s\n' % nested(5000))
    assert refused(from_file, path) == too_deep('%s:2' % path, 'metadata')


def test_csv_metadata_nesting(tmp_path):
    def csv_file(levels):
        return 'input,metadata\na,"%s"\n' % nested_mappings(levels).replace('"', '""')

    assert len(from_file(write(tmp_path, 'r.csv', csv_file(MAX_NESTING)))) == 1
    for levels in (MAX_NESTING + 1, 100000):
        path = write(tmp_path, 'r.csv', csv_file(levels))
        assert refused(from_file, path) == too_deep('%s:2' % path, 'metadata')


def deep_list(levels):
    value = 1
    for dummy in range(levels):
        value = [value]
    return value


def deep_dict(levels):
    value = 1
    for dummy in range(levels):
        value = {'k': value}
    return value


@pytest.mark.parametrize('make', [deep_list, deep_dict])
def test_records_list_nesting(make):
    assert len(from_list([{'input': make(MAX_NESTING), 'metadata': {'m': make(MAX_NESTING - 1)}}])) == 1
    assert refused(from_list, [{'input': 1}, {'input': make(MAX_NESTING + 1)}]) == too_deep('records[1]', 'input')
    assert refused(from_list, [{'input': 1, 'metadata': {'m': make(MAX_NESTING)}}]) == too_deep('records[0]', 'metadata')
    # Far deeper than Python's limit: the walk stops at the bound, before Python's limit can trip.
    assert refused(from_list, [{'input': 1, 'expected_output': make(100000)}]) == too_deep('records[0]', 'expected_output')


def with_stack(frames, call):
    """``call()`` with ``frames`` more frames on the stack: as in the controller, whose stack is already deep."""
    if frames:
        return with_stack(frames - 1, call)
    return call()


def stack_depth():
    frame, depth = sys._getframe(), 0  # pylint: disable=protected-access
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return depth


@pytest.mark.parametrize('name, make', [
    ('r.jsonl', lambda levels: '{"id": "x", "input": %s}\n' % nested(levels)),
    ('r.json', lambda levels: '[{"id": "x", "input": %s}]' % nested(levels)),
    ('r.yaml', lambda levels: '- {id: x, input: %s}\n' % nested(levels)),
    ('r.yml', lambda levels: '- id: x\n  input: %s\n' % nested_mappings(levels).replace('"', '')),
    ('r.csv', lambda levels: 'id,input,metadata\nx,1,"{""k"": %s}"\n' % nested(levels - 1)),
])
def test_the_same_on_a_deep_stack(tmp_path, name, make):
    # Ansible runs the module's code in the controller too, under a few hundred frames of its own.
    padding = max(0, 400 - stack_depth())
    assert len(with_stack(padding, lambda: from_file(write(tmp_path, name, make(MAX_NESTING))))) == 1
    for levels in (MAX_NESTING + 1, 300, 600):
        path = write(tmp_path, name, make(levels))
        alone = refused(from_file, path)
        assert 'nests lists and mappings more than 100 levels deep' in alone
        assert with_stack(padding, lambda: refused(from_file, path)) == alone


def test_the_records_list_the_same_on_a_deep_stack():
    padding = max(0, 400 - stack_depth())
    assert len(with_stack(padding, lambda: from_list([{'input': deep_list(MAX_NESTING)}]))) == 1
    for levels in (MAX_NESTING + 1, 600, 5000):
        alone = refused(from_list, [{'input': deep_dict(levels)}])
        assert alone == too_deep('records[0]', 'input')
        assert with_stack(padding, lambda: refused(from_list, [{'input': deep_dict(levels)}])) == alone


# ---------------------------------------------------------------- a dest that cannot be written


def test_a_dest_in_a_directory_that_cannot_be_written_is_refused_before_any_request(tmp_path, monkeypatch):
    path = str(tmp_path / 'out.jsonl')
    monkeypatch.setattr(_atomic_file, 'os', OsWith(access=lambda name, mode: False))
    assert refused(check_destination, path) == "dest %r cannot be written: permission denied in %s." % (path, tmp_path)
    assert refused(write_lines, path, ['x\n'], check_mode=True) == (
        "dest %r cannot be written: permission denied in %s." % (path, tmp_path))


@pytest.mark.skipif(not hasattr(os, 'geteuid') or os.geteuid() == 0, reason='root may write anywhere')
def test_a_read_only_directory(tmp_path):
    directory = tmp_path / 'ro'
    directory.mkdir()
    directory.chmod(0o500)
    try:
        path = str(directory / 'out.jsonl')
        assert refused(check_destination, path) == "dest %r cannot be written: permission denied in %s." % (
            path, directory)
    finally:
        directory.chmod(0o700)


def test_a_refused_temporary_file_is_said_in_the_collections_words(tmp_path, monkeypatch):
    # As root, access() says yes where writing fails: the failure itself is worded the same.
    def refuse(**kwargs):
        raise PermissionError(13, 'Permission denied', os.path.join(kwargs['dir'], '.out.jsonl.x.tmp'))

    monkeypatch.setattr(tempfile, 'mkstemp', refuse)
    path = str(tmp_path / 'out.jsonl')
    with pytest.raises(LLMObsError) as info:
        write_lines(path, ['x\n'])
    assert info.value.message == "dest %r cannot be written: permission denied in %s." % (path, tmp_path)
    assert os.listdir(str(tmp_path)) == []


def test_an_interrupted_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    def interrupt(descriptor):
        raise KeyboardInterrupt()

    monkeypatch.setattr(os, 'fsync', interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_lines(str(tmp_path / 'out.jsonl'), ['x\n'])
    assert os.listdir(str(tmp_path)) == []
