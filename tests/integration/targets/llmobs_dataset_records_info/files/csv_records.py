# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Print the records of an export CSV file as JSON, in the shape llmobs_dataset_records_info returns them, sorted by
id: read with Python's csv module, its cells parsed as the JSON text they hold (an empty cell is null)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import csv
import json
import sys


def cell(text, empty=None):
    return json.loads(text) if text != '' else empty


def main():
    with open(sys.argv[1], newline='', encoding='utf-8') as handle:
        rows = list(csv.DictReader(handle))
    records = [dict(id=row['id'], input=cell(row['input']), expected_output=cell(row['expected_output']),
                    metadata=cell(row['metadata'], {}), tags=sorted(cell(row['tags'], [])))
               for row in rows]
    print(json.dumps(sorted(records, key=lambda record: record['id'])))


if __name__ == '__main__':
    main()
