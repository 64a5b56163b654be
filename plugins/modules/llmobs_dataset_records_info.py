#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: llmobs_dataset_records_info
short_description: Read the records of a Datadog LLM Observability dataset, or write them to a JSONL or CSV file
version_added: 1.1.0
author:
  - llmobs.datadog maintainers (@llmobs)
description:
  - Reads every record of a dataset's current version, or of O(version), over every page with the largest page
    the API serves.
  - Returns them as RV(records), or with O(dest) writes them to a JSONL file instead, so that a large dataset does
    not travel in the task result. The file has one record a line, sorted by id, in the format that
    M(llmobs.datadog.llmobs_dataset_records) reads back with O(llmobs.datadog.llmobs_dataset_records#module:src).
  - With O(format=csv), writes Datadog's own CSV export of the version to O(dest) instead, streamed from the
    export endpoint into the file, never held whole in memory.
  - Never reports a change, except when it writes O(dest) and the file's content differs from what was there.
  - Uses preview endpoints of Datadog's API, which may change at Datadog's discretion.
extends_documentation_fragment:
  - llmobs.datadog.connection
  - llmobs.datadog.addressing.PROJECT
  - llmobs.datadog.addressing.DATASET
  - llmobs.datadog.attributes
  - llmobs.datadog.attributes.ACTIONGROUP
attributes:
  check_mode:
    support: full
    details:
      - Makes every read. With O(dest), tells whether the file would change and does not write it.
      - With O(format=csv), the export is still downloaded (a read), into a temporary file beside O(dest) that is
        removed once compared.
  diff_mode:
    support: full
    details:
      - With O(dest), shows the file before and after, its content up to 64 KiB, beyond that its size, line count
        and sha1 checksum. Without O(dest), nothing changes and there is no diff.
  idempotent:
    support: full
    details:
      - Reads only, and writes O(dest) only when its content differs.
options:
  format:
    description:
      - The form of O(dest).
      - V(jsonl) writes one record a line, sorted by id, in the format that
        M(llmobs.datadog.llmobs_dataset_records) reads back. Without O(dest), the records are returned instead.
      - V(csv) writes the CSV file of Datadog's export endpoint as it comes (columns C(id), C(input),
        C(expected_output), C(metadata), C(tags); the values as JSON text). It needs O(dest), since the file is the result,
        and RV(records) is not returned. The whole download, any retry of it included, is bounded by
        O(list_timeout); a retry starts the file over.
    type: str
    choices: [jsonl, csv]
    default: jsonl
    version_added: 1.2.0
  version:
    description:
      - The dataset version to read. The current version when not given.
      - The module fails when the dataset has no such version.
    type: int
  dest:
    description:
      - A file on the host that runs the module to write the records to, as JSONL or CSV (O(format)), instead of
        returning them. Required with O(format=csv).
        Unlike O(llmobs.datadog.llmobs_dataset_records#module:src), which is found on the controller, O(dest) is a
        path of the host that runs the module (the controller for a task on C(localhost)), relative to the
        directory the module runs in (the playbook's directory on the local connection).
      - The file is replaced as a whole (written to a temporary file in the same directory, synced to disk, then
        renamed over it), only when its content differs (compared by sha1 checksum and size); an unchanged file is
        left as it was, its modification time too. A failed or interrupted download leaves the old file as it was.
        An existing file keeps its permissions. Its directory must exist and be writable; that is checked before
        any request is sent.
      - A dataset without records makes an empty file, which M(llmobs.datadog.llmobs_dataset_records) refuses as
        O(llmobs.datadog.llmobs_dataset_records#module:src), so that an empty file never empties a dataset. Use
        O(llmobs.datadog.llmobs_dataset_records#module:records=[]) with
        O(llmobs.datadog.llmobs_dataset_records#module:purge=true) for that.
    type: path
seealso:
  - module: llmobs.datadog.llmobs_dataset_records
  - module: llmobs.datadog.llmobs_dataset_info
'''

EXAMPLES = r'''
# Connection: keys from DD_API_KEY and DD_APP_KEY, site from DD_SITE, or set once in the play's
# module_defaults. Against the local emulator (ansible-playbook llmobs.datadog.emulator), whose demo
# data these examples use, the play sets:
#   module_defaults:
#     group/llmobs.datadog.llmobs:
#       api_url: http://127.0.0.1:8126
#       api_key: local-api-key
#       app_key: local-app-key

- name: The records of the capitals dataset
  llmobs.datadog.llmobs_dataset_records_info:
    project_name: demo-project
    dataset_name: capitals
  register: capitals_records

- name: How many
  ansible.builtin.debug:
    msg: "{{ capitals_records.records | length }} records"

- name: Save its first version to a file that llmobs_dataset_records can load again
  llmobs.datadog.llmobs_dataset_records_info:
    project_name: demo-project
    dataset_name: capitals
    version: 0
    dest: "{{ playbook_dir }}/datasets/capitals-v0.jsonl"

- name: Save Datadog's CSV export of its current version
  llmobs.datadog.llmobs_dataset_records_info:
    project_name: demo-project
    dataset_name: capitals
    format: csv
    dest: "{{ playbook_dir }}/datasets/capitals.csv"
  register: capitals_csv

- name: Its size and checksum
  ansible.builtin.debug:
    msg: "{{ capitals_csv.count }} records, {{ capitals_csv.size }} bytes, sha1 {{ capitals_csv.checksum }}"
'''

RETURN = r'''
msg:
  description:
    - In check mode, when a dataset (or project) that an earlier task of the same run would create is named, says so; the
      answer is then empty.
  returned: in check mode, when a planned dataset is named
  type: str
  sample: "Dataset 'eval-questions' (an earlier task of this run would create it) has no records to read yet (check mode)."
project_id:
  description: The project of the dataset, as given in O(project_id) or found by O(project_name).
  returned: success
  type: str
  sample: a33671aa-24fd-4dcd-9b33-a8ec7dde7751
dataset:
  description: The facts of the dataset, with its current version.
  returned: success
  type: dict
  contains:
    id:
      description: ID of the dataset.
      type: str
      returned: success
      sample: 9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d
    name:
      description: Name of the dataset.
      type: str
      returned: success
      sample: eval-questions
    description:
      description: Description of the dataset.
      type: str
      returned: success
      sample: Questions the assistant must answer well
    metadata:
      description: Metadata of the dataset.
      type: dict
      returned: success
      sample: {"owner": "ml-platform"}
    current_version:
      description: Current version number of the dataset.
      type: int
      returned: success
      sample: 4
    created_at:
      description: When the dataset was created (ISO 8601).
      type: str
      returned: success
      sample: '2026-11-25T10:30:00+00:00'
    updated_at:
      description: When the dataset was last updated (ISO 8601).
      type: str
      returned: success
      sample: '2026-11-25T10:30:00+00:00'
version:
  description: The version that was read (O(version), or the dataset's current version).
  returned: success
  type: int
  sample: 4
count:
  description:
    - How many records the version holds. With O(format=csv), the rows of the export after its header.
  returned: success
  type: int
  sample: 1000
records:
  description: The records, in the order the API lists them (newest first). Not returned when O(dest) is given.
  returned: when O(dest) is not given
  type: list
  elements: dict
  contains:
    id:
      description: ID of the record (the one it was declared with, or the one the server gave it).
      type: str
      returned: success
      sample: refund-1
    input:
      description: Input of the record, any JSON value.
      type: raw
      returned: success
      sample: {"question": "How do I get a refund?"}
    expected_output:
      description: Expected output of the record, any JSON value, V(null) when it has none.
      type: raw
      returned: success
      sample: {"answer": "From the Orders page, within 30 days."}
    metadata:
      description: Metadata of the record; V({}) when it has none.
      type: dict
      returned: success
      sample: {"difficulty": "easy"}
    tags:
      description: Tags of the record, C(key:value) strings, sorted.
      type: list
      elements: str
      returned: success
      sample: ["topic:billing"]
dest:
  description: The file written, as given in O(dest).
  returned: when O(dest) is given
  type: str
  sample: /srv/ci/datasets/eval-questions-v3.jsonl
checksum:
  description: The sha1 checksum of the file's content (hex), as M(ansible.builtin.copy) reports it; in check mode, of
    the content it would have.
  returned: when O(dest) is given
  type: str
  sample: 6e3cb8f5b7c0a1d6f9e8d7c6b5a4f3e2d1c0b9a8
  version_added: 1.2.0
size:
  description:
    - The size of the file in bytes.
    - In check mode, of the file as it is now when there is one (Ansible reports the size of an existing O(dest), as
      for M(ansible.builtin.copy)), and of the content it would have otherwise; RV(checksum) is always that of the
      content it would have.
  returned: when O(dest) is given
  type: int
  sample: 104857
  version_added: 1.2.0
status:
  description: HTTP status of the failed request.
  returned: failure, when Datadog answered with an error status
  type: int
  sample: 404
errors:
  description: The raw C(errors) list of the failed response, in whichever of Datadog's two shapes it came.
  returned: failure, when Datadog answered with an error status
  type: list
  elements: raw
  sample: [{"status": "404", "title": "Not Found", "detail": "dataset not found"}]
'''

from contextlib import nullcontext

from ansible_collections.llmobs.datadog.plugins.module_utils._atomic_file import AtomicFile, check_destination
from ansible_collections.llmobs.datadog.plugins.module_utils._csv_export import CountedRows
from ansible_collections.llmobs.datadog.plugins.module_utils._datasets import dataset_facts, summary_label
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._jsonl_output import jsonl_lines
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import dataset_label, resolve_dataset, resolve_project
from ansible_collections.llmobs.datadog.plugins.module_utils._module import LLMObsModule
from ansible_collections.llmobs.datadog.plugins.module_utils._planned import is_planned
from ansible_collections.llmobs.datadog.plugins.module_utils._text import capitalized


def check_options(params):
    if params['version'] is not None and params['version'] < 0:
        raise ValidationError('version must be a dataset version number, 0 or more (got %d).' % params['version'])
    if params['format'] == 'csv' and params['dest'] is None:
        raise ValidationError('dest is required with format=csv: the export is written to a file, never returned.')
    if params['dest'] is not None:
        check_destination(params['dest'])


def run(task):
    params, api, dest, csv = task.params, task.api, task.params['dest'], task.params['format'] == 'csv'
    project_id, dummy = resolve_project(api, params, task.plan)
    dataset_id, found = resolve_dataset(api, project_id, params, task.plan)
    result = dict(changed=False, project_id=project_id)
    planned = is_planned(found)
    if planned:  # check mode: an earlier task would create it; its records are not known before the run
        result['msg'] = '%s has no records to read yet (check mode).' % capitalized(dataset_label(params, dataset_id, found))
    label = summary_label(params, found, dataset_id)
    # The file is only replaced by commit(), after every check: a failure leaves the old file as it was.
    with AtomicFile(dest) if dest is not None else nullcontext() as output:
        if csv:  # streamed from Datadog's export straight into the file, counted on the way
            rows = CountedRows(output)
            if not planned:
                api.versions.export(project_id, dataset_id, params['version'], rows, label=label)
            count = rows.count
        else:
            views = () if planned else api.records.views(project_id, dataset_id, params['version'], label=label)
            # With dest, only the lines of the file are kept: a large dataset is never held as Python objects.
            listed = list(views) if dest is None else jsonl_lines(views)
            count = len(listed)
            for line in listed if output is not None else ():
                output.write(line.encode('utf-8', 'surrogatepass'))
        found = found or api.datasets.get(project_id, dataset_id)
        facts = dataset_facts(found) if found else None
        api.records.check_version_exists(dataset_label(params, dataset_id, found), params['version'], facts, count)
        result.update(dataset=facts, count=count,
                      version=params['version'] if params['version'] is not None else (facts or {}).get('current_version'))
        if dest is None:
            result['records'] = listed
            return result
        if planned and csv:  # nothing to compare before the dataset exists: the run would write the file
            changed, diff = True, None
        else:
            changed, diff = output.commit(task.check_mode, task.diff)
            result.update(checksum=output.checksum, size=output.size)
    result.update(changed=changed, dest=dest)
    if diff is not None:
        result['diff'] = diff
    return result


MODULE = LLMObsModule(
    options=dict(version=dict(type='int'), dest=dict(type='path'),
                 format=dict(type='str', default='jsonl', choices=['jsonl', 'csv'])),
    addresses=('project', 'dataset'),
    resources=('records',),
    check_options=check_options,
    run=run,
)


def main():
    MODULE.main()


if __name__ == '__main__':
    main()
