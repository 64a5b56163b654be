#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: llmobs_dataset_records
short_description: Keep the records of a Datadog LLM Observability dataset equal to declared records
version_added: 1.1.0
author:
  - llmobs.datadog maintainers (@llmobs)
description:
  - Makes a dataset hold the declared records, given as a list in O(records) or as a file in O(src), with the
    fewest requests; with O(state=absent), deletes them.
  - Reads every page of the dataset's current records once, compares them in memory with the declared records,
    and sends only the inserts, updates and deletes needed, packed into C(batch_update) requests of at most
    1,000 records and under 5 MiB each. A run that changes records makes exactly one new dataset version;
    a run where nothing differs sends no write and reports no change.
  - The key of a record is its C(id) when the declared records carry ids, otherwise its C(input). Either every
    declared record has an C(id) or none has. Values are compared as data; see O(records) for what counts
    as equal.
  - Every declared record is checked before any request is sent. A problem fails the task with a message that
    names the record (its index in O(records), from 0, or its line in O(src), from 1) and the field.
  - A request refused as too large (HTTP 413) is split in halves. A request whose answer was lost (HTTP 5xx,
    timeout, dropped connection) is not sent again blindly; the records are read again, and only what is still
    missing or different is sent. A run stopped half-way is finished by the next run, without duplicates.
  - Uses preview endpoints of Datadog's API, which may change at Datadog's discretion.
extends_documentation_fragment:
  - llmobs.datadog.connection
  - llmobs.datadog.addressing.PROJECT
  - llmobs.datadog.addressing.DATASET
  - llmobs.datadog.controller_files
  - llmobs.datadog.draft_lock
  - llmobs.datadog.attributes
  - llmobs.datadog.attributes.ACTIONGROUP
attributes:
  check_mode:
    support: full
    details:
      - Makes every read and no write, and returns the same counts as a real run would.
      - When there is something to write, also reads the draft state; a draft someone holds is a warning (the real
        run would fail unless O(force=true)), and O(lock) takes no lock.
  diff_mode:
    support: full
    details:
      - Shows the counts and the first 20 changed records, one entry per changed field named C([key] field)
        (the key is the record's id, or its input for records without ids), so that a record pairs with itself.
  idempotent:
    support: full
    details:
      - A second run with the same records sends no write and reports no change.
options:
  records:
    description:
      - The declared records, a list of mappings with the fields C(input) (required, and not V(null); any other
        JSON value), C(expected_output) (any JSON value), C(metadata) (a mapping), C(id) (letters, digits, C(.),
        C(_) and C(-), at most 128 characters) and C(tags) (a list of C(key:value) strings).
      - Records are compared as data. Key order does not matter, tags are a set, V(1) equals V(1.0), a missing
        C(metadata) equals V({}) and a missing C(expected_output) equals V(null).
      - Lists and mappings may nest at most 100 levels deep in a field.
      - Two records with the same key (the same C(id), or without ids the same C(input)) are an error.
      - V([]) with O(purge=true) empties the dataset. That is the way to do it on purpose; a file in O(src) that
        declares no records is an error.
      - Exactly one of O(records) and O(src) is required.
    type: list
    elements: raw
  src:
    description:
      - A records file of the repository, read instead of O(records), found on the controller as
        M(ansible.builtin.copy) finds its C(src). A relative path is looked for in the C(files/) directory of the
        task's role, the role's directory, the playbook's C(files/) directory and the playbook's directory, in
        that order; an absolute path is used as it is. When it is in none of them, the task fails before any
        request, naming the places looked at. When the task runs as a module elsewhere (a remote host, C(become),
        C(async)), the file found is copied to the task's temporary directory there. See O(remote_src) for a
        file on the host that runs the module.
      - The extension decides the format. C(.jsonl) is one record, a JSON object, per line (blank lines are skipped). C(.json) is a JSON
        array of records. C(.yaml) or C(.yml) is a YAML list of records (needs PyYAML, which comes with Ansible).
        C(.csv) has a header row naming its columns.
      - CSV columns are C(input) (required) and C(expected_output), both taken as text; C(metadata), the JSON
        text of an object; C(id); and C(tags), comma separated. An empty cell is a missing field.
      - The file is UTF-8 text. Messages about a record give the file (where it was found, relative to the
        playbook's directory) and the line where the record starts.
      - The file must declare at least one record. An empty file, or one with only blank lines, only a CSV header
        row or an empty list, is an error, so that it cannot empty a dataset by mistake with O(purge=true); to
        empty a dataset on purpose, give O(records=[]) with O(purge=true).
      - It must be a regular file (a symlink to one is followed) of at most 1 GiB; a FIFO, a device or a socket
        is refused. Lists and mappings may nest at most 100 levels deep in a field, and YAML aliases may expand
        one record to at most 1,000,000 values (and the whole file to at most 1,000,000 values, or 10 times the
        values it writes out if that is more).
      - Exactly one of O(records) and O(src) is required.
    type: path
  state:
    description:
      - V(present) makes every declared record exist with exactly its fields. Records of the dataset that are not
        declared are left as they are, unless O(purge=true).
      - V(absent) deletes the declared records, found by their key; their other fields do not matter, and records
        with an C(id) need no C(input).
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With O(state=present), also delete every record of the dataset that is not declared, so that the
        dataset then holds exactly the declared records.
      - O(records=[]) with O(purge=true) deletes every record of the dataset. A file in O(src) that declares no
        records is refused instead, so that an empty or truncated file never empties a dataset.
      - Ignored when O(state=absent).
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds a C(batch_update) that failed without a clear answer (HTTP 5xx, timeout, dropped
        connection) is looked for, by reading the records again, before it is sent again, so that no record
        is written twice. Datadog's reads can lag behind its writes by several seconds.
      - From 1 to 3600.
    type: int
    default: 30
notes:
  - The records are read from the current version of the dataset. Adding or deleting a record, or changing its
    C(input) or C(expected_output), makes a new version; changing only C(metadata) or C(tags) does not.
  - Server records that share one declared key (records without ids pushed twice by another tool) are reduced to
    one; the extra copies are deleted and counted in RV(deleted).
  - Datasets filled by Datadog's automations are read-only; clone them with M(llmobs.datadog.llmobs_dataset_clone)
    first.
  - One dataset is synced by one run at a time. Two runs that sync it at once both read it before either writes, so
    records without ids are inserted by both (a later run with O(purge=true) removes the copies). In CI, let one job
    at a time sync a dataset.
  - When the answer to a write is lost and its records do not show in the reads of the next O(wait_timeout) seconds,
    records without ids are not sent again, since they would be written twice; the task fails saying that the outcome is
    unknown, and a run after it converges. Records with ids are sent again; a refusal that names them as existing
    proves that the first attempt landed.
seealso:
  - module: llmobs.datadog.llmobs_dataset_records_info
  - module: llmobs.datadog.llmobs_dataset
  - module: llmobs.datadog.llmobs_dataset_clone
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

- name: Keep the capitals dataset equal to the file in the repository
  llmobs.datadog.llmobs_dataset_records:
    project_name: demo-project
    dataset_name: capitals
    src: "{{ playbook_dir }}/datasets/capitals.jsonl"
    purge: true
  register: synced

- name: Show what changed
  ansible.builtin.debug:
    msg: "{{ synced.created }} created, {{ synced.updated }} updated, {{ synced.deleted }} deleted, version {{ synced.dataset.current_version }}"

- name: Declare a few records inline, keyed by id
  llmobs.datadog.llmobs_dataset_records:
    project_name: demo-project
    dataset_name: support-tickets
    records:
      - id: refund-1
        input: {ticket: 'How do I get a refund?'}
        expected_output: {queue: billing}
        metadata: {difficulty: easy}
        tags: ['topic:billing']
      - id: reset-1
        input: {ticket: 'How do I reset my password?'}
        expected_output: {queue: how-to}

- name: Hold the dataset's draft lock while writing, so that nobody starts editing it in Datadog's UI meanwhile
  llmobs.datadog.llmobs_dataset_records:
    project_name: demo-project
    dataset_name: support-tickets
    lock: true
    records:
      - id: refund-1
        input: {ticket: 'How do I get a refund?'}
        expected_output: {queue: billing}
        metadata: {difficulty: easy, reviewed: true}
        tags: ['topic:billing']

- name: Remove a retired record (records with an id need no input here)
  llmobs.datadog.llmobs_dataset_records:
    project_name: demo-project
    dataset_name: support-tickets
    state: absent
    records:
      - id: reset-1
'''

RETURN = r'''
msg:
  description: What the module did or, in check mode, would do.
  returned: always
  type: str
  sample: "Dataset 'support-questions' (id 9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d): 12 records created, 3 updated, 1 deleted; 984 unchanged."
summary:
  description:
    - >-
      What the sync did (in check mode, would do) in one line for a pull request comment: the dataset, then the
      records created (C(+)), updated (C(~)) and deleted (C(-)), and whether a new version was made, for example
      C(dataset eval-questions: would change records +12 ~3 -1, new version) or C(dataset eval-questions: records
      unchanged) followed by the count of declared records.
    - The callback plugin C(llmobs.datadog.summary) shows it in a table at the end of the run (see the user guide).
  returned: success
  type: str
  sample: 'dataset eval-questions: records +12 ~3 -1, new version'
project_id:
  description:
    - The project of the dataset, as given in O(project_id) or found by O(project_name).
    - V(null) in check mode when an earlier task of the run would create the project.
  returned: when the project is known
  type: str
  sample: a33671aa-24fd-4dcd-9b33-a8ec7dde7751
created:
  description: How many declared records were (in check mode, would be) inserted.
  returned: success
  type: int
  sample: 12
updated:
  description: How many records were (in check mode, would be) changed to match their declaration.
  returned: success
  type: int
  sample: 3
deleted:
  description:
    - How many records were (in check mode, would be) deleted. With O(state=present), the records not declared
      when O(purge=true), and extra copies of declared records; with O(state=absent), the declared records found.
  returned: success
  type: int
  sample: 1
unchanged:
  description:
    - With O(state=present), how many declared records already matched. With O(state=absent), how many declared
      records were already absent.
  returned: success
  type: int
  sample: 984
records_digest:
  description:
    - A short hash of the declared records as data, 32 hexadecimal characters. The same records give the same
      digest whatever their file format, their order and the order of the keys in them, in check mode as in a
      real run, so it can name what is made from them (a frozen copy with M(llmobs.datadog.llmobs_dataset_clone))
      before the server numbers a version.
  returned: success
  type: str
  sample: 3fa2c1d09b7e4c55a1f0e2b8d6c4a9f1
draft_state:
  description:
    - The dataset's draft state, read before the first write (see O(force)). Who was editing the dataset in
      Datadog's UI and since when, or V(null) when nobody was.
    - Not read, and not returned, when there is nothing to write. Also returned when the task fails because someone
      holds the draft.
  returned: when there are records to write (in check mode too)
  type: dict
  version_added: 1.2.0
  sample: {"user": {"id": "00000000-0000-0000-0000-000000000010", "name": "Jane Doe",
           "email": "jane.doe@example.com", "handle": "jane.doe@example.com"},
           "drafting_since": "2026-12-01T10:30:00Z"}
  contains:
    user:
      description: The user who held the draft, as Datadog gives it (C(id), C(name), C(email), C(handle)).
      type: dict
      returned: when someone held the draft
      sample: {"id": "00000000-0000-0000-0000-000000000010", "name": "Jane Doe", "email": "jane.doe@example.com"}
    drafting_since:
      description: Since when (ISO 8601).
      type: str
      returned: when someone held the draft
      sample: '2026-12-01T10:30:00Z'
version_created:
  description:
    - Whether the run made a new dataset version (in check mode, whether it would). False when only C(metadata) or
      C(tags) changed, or nothing did.
  returned: success
  type: bool
  sample: true
dataset:
  description:
    - The facts of the dataset after the run (in check mode, as they are), read again after any write.
    - In check mode, for a dataset that an earlier task of the run would create, its name with RV(dataset.id),
      RV(dataset.current_version) and the other server-assigned fields V(null); every declared record is then
      counted as created (or, for a copy of an existing dataset, compared with that dataset's records).
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
      description: Current version number of the dataset, as the server reports it.
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

from ansible_collections.llmobs.datadog.plugins.module_utils._datasets import dataset_facts, summary_label
from ansible_collections.llmobs.datadog.plugins.module_utils._draft_lock import DRAFT_LOCK_OPTIONS, DraftGuardOnWrite
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import dataset_label, resolve_dataset, resolve_project
from ansible_collections.llmobs.datadog.plugins.module_utils._module import LLMObsModule
from ansible_collections.llmobs.datadog.plugins.module_utils._planned import is_planned
from ansible_collections.llmobs.datadog.plugins.module_utils._records import read_declared_records
from ansible_collections.llmobs.datadog.plugins.module_utils._records_results import (
    DIFF_RECORDS,
    records_diff,
    sync_counts,
    sync_message,
    sync_summary,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._validation import check_wait_timeout


def check_options(params, files):
    """Checks wait_timeout, then reads and checks every declared record, before the first request.

    ``files``: where the action found ``src`` on the controller. Returns the declared records
    (``task.checked``): a file is read once.
    """
    check_wait_timeout(params['wait_timeout'])
    return read_declared_records(params, files)


def run(task):
    params, api, declared = task.params, task.api, task.checked
    state, purge = params['state'], params['purge'] and params['state'] == 'present'
    keep_before = DIFF_RECORDS if task.diff else 0
    project_id, dummy = resolve_project(api, params, task.plan)
    result = dict(changed=False, project_id=project_id, records_digest=declared.records_digest())
    dataset_id, found = resolve_dataset(api, project_id, params, task.plan)
    label = dataset_label(params, dataset_id, found)
    # Entered by the sync only when it has something to write: a run with nothing to change reads no draft state.
    guard = DraftGuardOnWrite(task, project_id, dataset_id, label)
    if is_planned(found):  # check mode: an earlier task would create the dataset, so it would start empty or cloned
        plan, version_created = api.records.predict(found.get('source'), declared, state, purge, keep_before)
    else:
        plan, version_created = api.records.sync(project_id, dataset_id, declared, state, purge, task.check_mode,
                                                 keep_before=keep_before, settle_timeout=params['wait_timeout'],
                                                 label=summary_label(params, found, dataset_id), guard=guard)
        if found is None or (plan.changes and not task.check_mode):
            found = api.datasets.get(project_id, dataset_id) or found  # the version the writes made
    counts = sync_counts(plan)
    if guard.read:
        result['draft_state'] = guard.state
    result.update(counts, changed=bool(plan.changes), version_created=version_created,
                  dataset=dataset_facts(found) if found else None,
                  msg=sync_message(label, plan, state, purge, task.check_mode, version_created),
                  summary=sync_summary(summary_label(params, found, dataset_id), plan, task.check_mode, version_created))
    if task.diff:
        result['diff'] = records_diff(declared, plan, label, counts)
    return result


MODULE = LLMObsModule(
    options=dict(
        records=dict(type='list', elements='raw'),
        src=dict(type='path'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        purge=dict(type='bool', default=False),
        wait_timeout=dict(type='int', default=30),
        **DRAFT_LOCK_OPTIONS
    ),
    addresses=('project', 'dataset'),
    resources=('records',),
    controller_files=('src',),
    mutually_exclusive=[['records', 'src']],
    required_one_of=[['records', 'src']],
    check_options=check_options,
    run=run,
)


def main():
    MODULE.main()


if __name__ == '__main__':
    main()
