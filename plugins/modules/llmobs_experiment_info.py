#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: llmobs_experiment_info
short_description: Read the experiments of a Datadog LLM Observability project, with their scores
version_added: 1.2.0
author:
  - llmobs.datadog maintainers (@llmobs)
description:
  - Returns the facts of the experiments of a project, newest first, read over every page of Datadog's
    experiments list, with each one's status, error, dataset and dataset version, metadata, C(aggregate_data) as
    Datadog gives it, and when it was created.
  - Filters by dataset (O(dataset_id) or O(dataset_name)), run name (O(name)), logical experiment name
    (O(experiment)), metadata (O(metadata)), baseline (O(parent_experiment_id)) or id (O(experiment_id)), in any
    combination. Each filter is sent to the API and checked again on every experiment it returns, so that nothing
    outside the filters is returned; a field that the API's answer leaves out cannot be checked, and the API's filter
    stands for it.
  - Returns an empty list, not a failure, when no experiment matches. A project or dataset given by name that does
    not exist is a failure.
  - With O(scores=true), also reads each experiment's events (one span per dataset record, with its evaluations),
    every page, and returns per experiment the statistics of each evaluation metric (RV(experiments[].scores)),
    how many records ran and how many failed. Gate a release on them with M(ansible.builtin.assert) (see the
    examples).
  - With O(dest), writes those events to a JSONL file, one span a line, for a CI artifact.
  - The events are read page by page and never held whole; only running figures per metric are kept, so memory
    does not grow with the number of records (except with the number of distinct values of categorical metrics).
  - The experiments themselves are created and run by Datadog's SDK (ddtrace); this module only reads them.
  - Uses preview endpoints of Datadog's API, which may change at Datadog's discretion.
extends_documentation_fragment:
  - llmobs.datadog.connection
  - llmobs.datadog.addressing.PROJECT
  - llmobs.datadog.addressing.DATASET_FILTER
  - llmobs.datadog.attributes
  - llmobs.datadog.attributes.ACTIONGROUP
attributes:
  check_mode:
    support: full
    details:
      - Makes every read. With O(dest), tells whether the file would change and does not write it.
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
  name:
    description:
      - Only the experiment runs with exactly this name (case and spaces count), such as the name of one CI run.
      - Printable ASCII only, with no spaces at either end.
    type: str
  experiment:
    description:
      - Only the runs of the experiment with exactly this logical name, the name that every run of the same
        pipeline shares (so that runs of different commits or branches can be compared).
      - Printable ASCII only, with no spaces at either end.
    type: str
  metadata:
    description:
      - Only the experiments whose metadata contains this mapping, sent as the API's C(filter[metadata]). Contains
        means every key given, with a value that contains the one given (nested mappings key by key, lists element
        by element).
      - Values are compared as data, types included. V("true") (a string) is not V(true) (a boolean), so quote them
        as they were stored; V(1) and V(1.0) are the same number.
      - An empty mapping filters nothing.
    type: dict
  parent_experiment_id:
    description:
      - Only the experiments run against this baseline experiment (their C(parent_experiment_id)).
      - Letters, digits, V(-) and V(_) only.
    type: str
  experiment_id:
    description:
      - Only the experiment with this ID.
      - Letters, digits, V(-) and V(_) only.
    type: str
  scores:
    description:
      - Also read the events of each experiment returned (one request per page of 500 spans) and return its
        RV(experiments[].scores), RV(experiments[].summary_metrics), RV(experiments[].span_count),
        RV(experiments[].error_count) and RV(experiments[].complete).
      - A span counts once per metric label. When it carries a label more than once (evaluated again), the
        evaluation with the latest C(timestamp_ms) counts; on a tie, the one listed last; one without a time is
        older than any with one.
      - Only usable values count. A C(score) is a finite number (not a boolean; a number written as text, such as
        V("0.9"), is read as that number), a C(boolean) a boolean (V(1) and V(0), V("true") and V("false") are
        read as booleans), a C(categorical) value a string, and a C(json) value anything but null. Other values
        (null, when an evaluator failed) are left out of the statistics and of the coverage.
      - A metric's type is its C(metric_type) (case and spaces aside), or when it has none, the type of the value
        field it fills.
      - When a label is seen with several types, its statistics are those of the type with the most usable
        values (on a tie, the type seen first), and C(other_types) in RV(experiments[].scores) counts the others.
      - The scores of an experiment that is not C(completed) (still running, failed or interrupted) cover only
        the records that ran. RV(experiments[].complete) and the C(complete) of each label are then V(false).
    type: bool
    default: false
  dest:
    description:
      - A file on the host that runs the module to write the events of every experiment returned to, as JSONL, one
        line per span, each the span as the API gives it (its input, output, evaluations, status and error) plus
        C(experiment_id) and C(experiment_name), keys sorted. Experiments come newest first, and spans in the
        order the API lists them. Reads the events even without O(scores).
      - The lines are written as the pages are read, never all held in memory.
      - O(dest) is a path of the host that runs the module (the controller for a task on C(localhost)), relative to
        the directory the module runs in (the playbook's directory on the local connection).
      - The file is replaced as a whole (written to a temporary file in the same directory, synced to disk, then
        renamed over it), only when its content differs (compared by sha1 checksum and size); an unchanged file is
        left as it was, its modification time too. A failed read leaves the old file as it was. An existing file
        keeps its permissions. Its directory must exist and be writable; that is checked before any request is
        sent.
      - When no experiment matches, the file is made empty.
    type: path
notes:
  - In check mode, a project or dataset that an earlier task of the same run would create has no experiments yet.
    The module then returns an empty RV(experiments) and says so in RV(msg), rather than failing.
seealso:
  - module: llmobs.datadog.llmobs_experiment
  - module: llmobs.datadog.llmobs_experiment_prune
  - module: llmobs.datadog.llmobs_dataset_info
  - module: llmobs.datadog.llmobs_dataset_version_info
  - module: llmobs.datadog.llmobs_dataset_records_info
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

- name: The experiments run on the capitals dataset, newest first
  llmobs.datadog.llmobs_experiment_info:
    project_name: demo-project
    dataset_name: capitals
  register: capitals_experiments

- name: Their names and statuses
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.status }}"
  loop: "{{ capitals_experiments.experiments }}"
  loop_control:
    label: "{{ item.id }}"

- name: The baseline (run with the metadata baseline "true"), with its scores
  llmobs.datadog.llmobs_experiment_info:
    project_name: demo-project
    dataset_name: capitals
    metadata:
      baseline: "true"
    scores: true
  register: baseline
  # Or the run of the previous commit, by its exact name:  name: "capitals-{{ previous_commit }}"

- name: The newest run against that baseline, with its scores, and its events in a file for the CI artifacts
  llmobs.datadog.llmobs_experiment_info:
    project_name: demo-project
    parent_experiment_id: "{{ baseline.experiments[0].id }}"
    scores: true
    dest: "{{ playbook_dir }}/capitals-events.jsonl"
  register: candidate

# The gate: fail when this run's correctness mean is more than 0.02 below the baseline's, when any
# record failed, or when the run is not complete (still running, failed or interrupted).
- name: Gate the release on the scores
  vars:
    this_run: "{{ candidate.experiments[0] }}"
    base_run: "{{ baseline.experiments[0] }}"
  ansible.builtin.assert:
    that:
      - this_run.complete
      - this_run.error_count == 0
      - this_run.scores.correctness.mean >= base_run.scores.correctness.mean - 0.02
    fail_msg: >-
      {{ this_run.name }}: correctness {{ this_run.scores.correctness.mean }} against the baseline's
      {{ base_run.scores.correctness.mean }}; {{ this_run.error_count }} of {{ this_run.span_count }} records
      failed; status {{ this_run.status }}.
'''

RETURN = r'''
msg:
  description:
    - In check mode, when a project or dataset that an earlier task of the same run would create is named, says so;
      RV(experiments) is then empty.
  returned: in check mode, when a planned project or dataset is named
  type: str
  sample: "Dataset 'eval-questions' (an earlier task of this run would create it) has no experiments yet (check mode)."
project_id:
  description:
    - The project, as given in O(project_id) or found by O(project_name).
    - V(null) in check mode when an earlier task of the run would create the project.
  returned: success
  type: str
  sample: a33671aa-24fd-4dcd-9b33-a8ec7dde7751
experiments:
  description:
    - The experiments that match every filter, newest first (by C(created_at)).
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: ID of the experiment (the run).
      type: str
      returned: success
      sample: 3fd6b5e0-8910-4b1c-a7d0-5b84de329012
    name:
      description: Name of the run.
      type: str
      returned: success
      sample: capitals-3f2a9c1
    experiment:
      description: The logical name of the experiment, shared by all its runs; V(null) when the API does not give it.
      type: str
      returned: success
      sample: capitals-pipeline
    description:
      description: Description of the experiment.
      type: str
      returned: success
      sample: Nightly run of the capitals pipeline
    metadata:
      description: Metadata of the experiment, V(null) when it has none.
      type: dict
      returned: success
      sample: {"baseline": "true", "commit": "3f2a9c1"}
    project_id:
      description: The project of the experiment.
      type: str
      returned: success
      sample: a33671aa-24fd-4dcd-9b33-a8ec7dde7751
    dataset_id:
      description: The dataset the experiment ran on.
      type: str
      returned: success
      sample: 9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d
    dataset_version:
      description: The version of the dataset the experiment ran on.
      type: int
      returned: success
      sample: 3
    parent_experiment_id:
      description: The baseline experiment this one ran against, V(null) when none.
      type: str
      returned: success
      sample: null
    status:
      description:
        - The status Datadog gives the experiment, as it gives it; one of V(running), V(completed), V(failed),
          V(interrupted), or V(null) when the API does not give one.
      type: str
      returned: success
      sample: completed
    error:
      description: Why the experiment failed, as Datadog gives it; V(null) when it did not fail.
      type: str
      returned: success
      sample: null
    aggregate_data:
      description: The summary Datadog computes for the run (score distributions, costs, error rates), as it gives it.
      type: dict
      returned: success
      sample: {"correctness": {"mean": 0.9}}
    config:
      description: The configuration parameters of the experiment, as Datadog gives them.
      type: dict
      returned: success
      sample: {"model": "gpt-4o-mini"}
    run_count:
      description: How many runs the experiment was set up with, V(null) when the API does not give it.
      type: int
      returned: success
      sample: 1
    created_at:
      description: When the experiment was created (ISO 8601).
      type: str
      returned: success
      sample: '2026-12-01T10:30:00+00:00'
    updated_at:
      description: When the experiment was last updated (ISO 8601).
      type: str
      returned: success
      sample: '2026-12-01T10:42:00+00:00'
    scores:
      description:
        - The statistics of each evaluation metric of the experiment's spans, by metric label.
        - Every label has C(type), C(count) (the spans with a usable value of that label), C(coverage) (C(count)
          divided by RV(experiments[].span_count), V(null) without spans) and C(complete) (the same as
          RV(experiments[].complete); V(false) means the figures cover only the records that ran).
        - A C(score) label adds C(mean), C(min) and C(max) (V(null) when C(count) is 0; C(mean) computed without
          rounding error, not rounded).
        - A C(boolean) label adds C(pass_rate), the share of its values that are V(true) (V(null) when C(count) is 0).
        - A C(categorical) label adds C(counts), how many spans have each value.
        - A C(json) label (or one of a type this module does not know) has nothing more.
        - A label seen with several types adds C(other_types), the number of usable values of each other type.
      type: dict
      returned: when O(scores=true)
      sample:
        correctness: {"type": "score", "count": 20, "mean": 0.91, "min": 0.5, "max": 1.0, "coverage": 1.0,
                      "complete": true}
        exact_match: {"type": "boolean", "count": 20, "pass_rate": 0.85, "coverage": 1.0, "complete": true}
        tone: {"type": "categorical", "count": 19, "counts": {"formal": 12, "neutral": 7}, "coverage": 0.95,
               "complete": true}
    summary_metrics:
      description: The experiment-level metrics (not tied to a span) as the events give them; V([]) when none.
      type: list
      elements: dict
      returned: when O(scores=true)
      sample: [{"label": "overall_accuracy", "metric_type": "score", "score_value": 0.9, "metric_source": "summary"}]
    span_count:
      description: How many spans (one per dataset record run) the events hold.
      type: int
      returned: when O(scores=true)
      sample: 20
    error_count:
      description: How many of those spans failed (status V(error), or an error in C(meta.error)).
      type: int
      returned: when O(scores=true)
      sample: 0
    complete:
      description:
        - V(true) only when the experiment's status is V(completed). V(false) when it is running, failed,
          interrupted or unknown; then the scores cover only the records that ran.
      type: bool
      returned: when O(scores=true)
      sample: true
dest:
  description: The file written, as given in O(dest).
  returned: when O(dest) is given
  type: str
  sample: /srv/ci/artifacts/capitals-events.jsonl
count:
  description: How many spans (lines) the file holds.
  returned: when O(dest) is given
  type: int
  sample: 40
checksum:
  description: The sha1 checksum of the file's content (hex), as M(ansible.builtin.copy) reports it; in check mode, of
    the content it would have.
  returned: when O(dest) is given
  type: str
  sample: 6e3cb8f5b7c0a1d6f9e8d7c6b5a4f3e2d1c0b9a8
size:
  description:
    - The size of the file in bytes.
    - In check mode, of the file as it is now when there is one (Ansible reports the size of an existing O(dest), as
      for M(ansible.builtin.copy)), and of the content it would have otherwise; RV(checksum) is always that of the
      content it would have.
  returned: when O(dest) is given
  type: int
  sample: 104857
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
  sample: [{"status": "404", "title": "Not Found", "detail": "experiment not found"}]
'''

import json
from contextlib import nullcontext

from ansible_collections.llmobs.datadog.plugins.module_utils._atomic_file import AtomicFile, check_destination
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._experiment_scores import ScoreSheet, event_line
from ansible_collections.llmobs.datadog.plugins.module_utils._experiments import experiment_facts, matches_filters
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import (
    dataset_label,
    project_where,
    resolve_dataset,
    resolve_project,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._module import LLMObsModule
from ansible_collections.llmobs.datadog.plugins.module_utils._planned import is_planned
from ansible_collections.llmobs.datadog.plugins.module_utils._text import capitalized
from ansible_collections.llmobs.datadog.plugins.module_utils._validation import check_id, check_name


def check_options(params):
    if params['name'] is not None:
        check_name(params['name'], 'the name of an experiment run', 'name')
    if params['experiment'] is not None:
        check_name(params['experiment'], 'the logical name of an experiment', 'experiment')
    try:
        json.dumps(params['metadata'], allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError('metadata must be a mapping of JSON values (%s).' % exc)
    for option in ('parent_experiment_id', 'experiment_id'):
        if params[option] is not None:
            check_id(params[option], option)
    if params['dest'] is not None:
        check_destination(params['dest'])


def read_events(api, facts, output):
    """Read one experiment's events once: into its ScoreSheet, and as lines into ``output`` (the dest file)."""
    sheet = ScoreSheet()
    if facts['id'] is None:  # listed without an id: there is no path to its events
        return sheet, []
    api.names.found('experiment', [facts], facts['name'])  # the requests' messages and progress lines name it
    events = api.experiments.events(facts['id'], label=api.names.label('experiment', facts['id']))
    for span in events:
        sheet.add(span)
        if output is not None:
            output.write(event_line(span, facts['id'], facts['name']).encode('utf-8', 'surrogatepass'))
    return sheet, events.summary_metrics


def run(task):
    params, api, dest = task.params, task.api, task.params['dest']
    project_id, project = resolve_project(api, params, task.plan)
    dataset_id, dataset = None, None
    if params['dataset_id'] is not None or params['dataset_name'] is not None:
        dataset_id, dataset = resolve_dataset(api, project_id, params, task.plan)
    result = dict(changed=False, project_id=project_id, experiments=[])
    if is_planned(dataset):  # check mode: an earlier task would create it; nothing can have run on it yet
        result['msg'] = '%s has no experiments yet (check mode).' % capitalized(dataset_label(params, dataset_id, dataset))
    elif is_planned(project):
        result['msg'] = 'No experiments yet %s (check mode).' % project_where(params, project_id, project)
    else:
        filters = dict(project_id=project_id, dataset_id=dataset_id, name=params['name'],
                       experiment=params['experiment'], metadata=params['metadata'] or None,
                       parent_experiment_id=params['parent_experiment_id'], experiment_id=params['experiment_id'])
        result['experiments'] = [experiment_facts(item) for item in api.experiments.list(**filters)
                                 if matches_filters(item, filters)]
    if not params['scores'] and dest is None:
        return result
    spans = 0
    # The file is only replaced by commit(), after every read: a failure leaves the old file as it was.
    with AtomicFile(dest) if dest is not None else nullcontext() as output:
        for facts in result['experiments']:
            sheet, summary_metrics = read_events(api, facts, output)
            spans += sheet.span_count
            if params['scores']:
                facts.update(sheet.result(facts['status'], summary_metrics))
        if output is None:
            return result
        changed, diff = output.commit(task.check_mode, task.diff)
        result.update(changed=changed, dest=dest, count=spans, checksum=output.checksum, size=output.size)
    if diff is not None:
        result['diff'] = diff
    return result


MODULE = LLMObsModule(
    options=dict(
        name=dict(type='str'),
        experiment=dict(type='str'),
        metadata=dict(type='dict'),
        parent_experiment_id=dict(type='str'),
        experiment_id=dict(type='str'),
        scores=dict(type='bool', default=False),
        dest=dict(type='path'),
    ),
    addresses=('project',),
    optional_addresses=('dataset',),
    check_options=check_options,
    run=run,
)


def main():
    MODULE.main()


if __name__ == '__main__':
    main()
