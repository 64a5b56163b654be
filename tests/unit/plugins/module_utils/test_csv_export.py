# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The records of a CSV export counted as it streams, whatever the chunks cut."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import csv
import io
import json

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._csv_export import CountedRows


class Sink(object):
    def __init__(self):
        self.data = b''
        self.restarts = 0

    def write(self, chunk):
        self.data += chunk

    def restart(self):
        self.data = b''
        self.restarts += 1


def exported(rows, terminator='\r\n'):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=terminator)
    writer.writerow(('id', 'input', 'expected_output', 'metadata', 'tags'))
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode('utf-8')


ROWS = [('a', json.dumps({'q': 'line one\nline two "quoted"'}), '', '{}', '[]'),   # a line feed inside quotes
        ('b', json.dumps('plain'), json.dumps('B'), json.dumps({'m': 1}), json.dumps(['t:1'])),
        ('c', 'x\r\ny', '', '{}', '[]')]


@pytest.mark.parametrize('size', [1, 2, 3, 7, 64, 100000])
def test_rows_are_counted_across_any_chunking(size):
    data = exported(ROWS)
    counted = CountedRows(Sink())
    for start in range(0, len(data), size):
        counted.write(data[start:start + size])
    assert counted.count == 3 and counted.sink.data == data


def test_a_last_row_without_a_line_end_counts():
    counted = CountedRows(Sink())
    counted.write(exported(ROWS[:2]) + b'c,1,,{},[]')
    assert counted.count == 3


@pytest.mark.parametrize('data', [b'', b'id,input\r\n', b'id,input'])
def test_no_rows(data):
    counted = CountedRows(Sink())
    counted.write(data)
    assert counted.count == 0


def test_a_restart_starts_the_count_and_the_sink_over():
    counted = CountedRows(Sink())
    counted.write(b'id,input\r\na,"half\n')
    counted.restart()
    counted.write(exported(ROWS[1:2]))
    assert counted.count == 1 and counted.sink.restarts == 1 and counted.sink.data == exported(ROWS[1:2])
