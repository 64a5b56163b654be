# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""records_digest: the declared records as data, whatever their form, and nothing else."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.llmobs.datadog.plugins.module_utils._record_readers import read_declared

RECORDS = [
    {'id': 'refund', 'input': {'question': 'Refund?', 'lang': 'en'}, 'expected_output': '30 days',
     'metadata': {'difficulty': 'easy'}, 'tags': ['topic:billing', 'tier:pro']},
    {'id': 'export', 'input': {'question': 'Export?'}, 'expected_output': 1.0},
]


def digest_of_list(records):
    return read_declared(records=records).records_digest()


def digest_of_file(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return read_declared(src=str(path)).records_digest()


def test_the_same_records_in_any_format_and_order_have_one_digest(tmp_path):
    expected = digest_of_list(RECORDS)
    reordered = [
        {'tags': ['tier:pro', 'topic:billing', 'tier:pro'], 'metadata': {'difficulty': 'easy'},
         'expected_output': '30 days', 'input': {'lang': 'en', 'question': 'Refund?'}, 'id': 'refund'},
        {'input': {'question': 'Export?'}, 'expected_output': 1, 'metadata': {}, 'id': 'export'},
    ]
    jsonl = ''.join(json.dumps(record) + '\n' for record in reversed(RECORDS))
    yaml_text = ''.join('- %s\n' % json.dumps(record) for record in reordered)

    assert len(expected) == 32 and int(expected, 16) >= 0
    assert digest_of_list(list(reversed(RECORDS))) == expected
    assert digest_of_list(reordered) == expected
    assert digest_of_file(tmp_path, 'records.jsonl', jsonl) == expected
    assert digest_of_file(tmp_path, 'records.json', json.dumps(RECORDS)) == expected
    assert digest_of_file(tmp_path, 'records.yaml', yaml_text) == expected


def test_any_change_of_a_record_changes_the_digest():
    expected = digest_of_list(RECORDS)
    changes = [
        [dict(RECORDS[0], expected_output='60 days'), RECORDS[1]],
        [dict(RECORDS[0], tags=['topic:billing']), RECORDS[1]],
        [dict(RECORDS[0], metadata={}), RECORDS[1]],
        [dict(RECORDS[0], id='refund-2'), RECORDS[1]],
        [RECORDS[0]],
        RECORDS + [{'id': 'new', 'input': 'x'}],
    ]
    digests = [digest_of_list(records) for records in changes]

    assert expected not in digests and len(set(digests)) == len(digests)


def test_records_keyed_by_input_have_a_digest_of_their_own():
    without_ids = [dict((key, value) for key, value in record.items() if key != 'id') for record in RECORDS]

    assert digest_of_list(without_ids) == digest_of_list(list(reversed(without_ids)))
    assert digest_of_list(without_ids) != digest_of_list(RECORDS)
