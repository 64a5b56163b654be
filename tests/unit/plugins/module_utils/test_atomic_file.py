# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The atomic file sink: written in pieces, started over, replaced only when its content changes, never half done."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._atomic_file import AtomicFile, file_facts
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError


def names(folder):
    return sorted(os.listdir(str(folder)))


def test_pieces_make_a_new_file_with_its_checksum_and_size(tmp_path):
    path = str(tmp_path / 'out.csv')
    with AtomicFile(path) as output:
        output.write(b'id,input\r\n')
        output.write(b'a,1\r\n')
        assert names(tmp_path) != [] and not os.path.exists(path)   # a temporary file until the commit
        assert output.commit() == (True, None)
    assert open(path, 'rb').read() == b'id,input\r\na,1\r\n' and names(tmp_path) == ['out.csv']
    assert output.checksum == hashlib.sha1(b'id,input\r\na,1\r\n').hexdigest() and output.size == 15
    assert file_facts(path) == (output.checksum, 15, 2)


def test_a_restart_drops_what_was_written(tmp_path):
    path = str(tmp_path / 'out.csv')
    with AtomicFile(path) as output:
        output.write(b'half of a first att')
        output.restart()
        output.write(b'whole\n')
        output.commit()
    assert open(path, 'rb').read() == b'whole\n' and output.size == 6 and output.lines == 1
    assert output.checksum == hashlib.sha1(b'whole\n').hexdigest()


def test_the_same_content_leaves_the_file_as_it_was(tmp_path):
    path = tmp_path / 'out.csv'
    path.write_bytes(b'same\n')
    os.utime(str(path), (1000000000, 1000000000))
    before = os.stat(str(path))
    with AtomicFile(str(path)) as output:
        output.write(b'same\n')
        assert output.commit(diff=True) == (False, None)
    after = os.stat(str(path))
    assert (after.st_ino, after.st_mtime) == (before.st_ino, before.st_mtime) and names(tmp_path) == ['out.csv']


def test_check_mode_compares_and_leaves_nothing(tmp_path):
    path = tmp_path / 'out.csv'
    path.write_bytes(b'old\n')
    with AtomicFile(str(path)) as output:
        output.write(b'new\n')
        changed, diff = output.commit(check_mode=True, diff=True)
    assert changed is True and diff == dict(before='old\n', after='new\n', before_header=str(path),
                                            after_header=str(path))
    assert path.read_bytes() == b'old\n' and names(tmp_path) == ['out.csv']


def test_nothing_written_is_an_empty_file(tmp_path):
    path = str(tmp_path / 'empty.csv')
    with AtomicFile(path) as output:
        assert output.commit() == (True, None)
    assert open(path, 'rb').read() == b'' and output.checksum == hashlib.sha1(b'').hexdigest()


def test_leaving_without_a_commit_keeps_the_old_file(tmp_path):
    path = tmp_path / 'out.csv'
    path.write_bytes(b'old\n')
    with pytest.raises(KeyboardInterrupt):
        with AtomicFile(str(path)) as output:
            output.write(b'part of the new')
            raise KeyboardInterrupt()
    assert path.read_bytes() == b'old\n' and names(tmp_path) == ['out.csv']


def test_a_failed_write_says_so_and_leaves_nothing(tmp_path, monkeypatch):
    path = tmp_path / 'out.csv'
    path.write_bytes(b'old\n')

    class Full(object):
        def write(self, data):
            raise OSError(28, 'No space left on device')

        def close(self):
            pass

    with pytest.raises(LLMObsError) as info:
        with AtomicFile(str(path)) as output:
            output.write(b'first')
            temporary = output._stream
            output._stream = Full()
            temporary.close()
            output.write(b'second')
    assert info.value.message == "dest %r could not be written: No space left on device." % str(path)
    assert path.read_bytes() == b'old\n' and names(tmp_path) == ['out.csv']


def test_a_failed_rename_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / 'out.csv'
    path.write_bytes(b'old\n')

    def fail(source, target):
        raise OSError(16, 'Device or resource busy')

    monkeypatch.setattr(os, 'replace', fail)
    with pytest.raises(LLMObsError) as info:
        with AtomicFile(str(path)) as output:
            output.write(b'new\n')
            output.commit()
    assert 'could not be written: Device or resource busy' in info.value.message
    assert path.read_bytes() == b'old\n' and names(tmp_path) == ['out.csv']
