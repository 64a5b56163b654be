#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: llmobs_experiment
short_description: Update or delete an existing Datadog LLM Observability experiment
version_added: 1.2.0
author:
  - llmobs.datadog maintainers (@llmobs)
description:
  - Manages one existing experiment of a Datadog LLM Observability project, found by O(experiment_id) or by
    its exact O(name).
  - With O(state=present), makes the experiment's name, description and metadata those given (only the given
    ones that differ are sent), for example to mark a run as the baseline that later runs are compared with.
    With O(state=absent), deletes it.
  - This module does not create or run experiments. The Datadog SDK does (C(LLMObs.experiment) of the
    C(ddtrace) Python library, for example in a CI job); this module manages the runs it made. An experiment
    that is not found is a failure with O(state=present), and nothing to do with O(state=absent).
  - Datadog answers an update with an empty body, so the experiment is read again after the update until it
    shows the values sent (for at most O(wait_timeout) seconds); RV(experiment) is that read.
  - An experiment that is still running (RV(experiment.status) V(running)) can be updated. It can also be
    deleted, with a warning, since the events its run still sends are then lost.
  - Use M(llmobs.datadog.llmobs_experiment_info) to read experiments and their scores, and
    M(llmobs.datadog.llmobs_experiment_prune) to delete old runs by rule.
  - Uses preview endpoints of Datadog's API, which may change at Datadog's discretion.
extends_documentation_fragment:
  - llmobs.datadog.connection
  - llmobs.datadog.addressing.PROJECT
  - llmobs.datadog.attributes
  - llmobs.datadog.attributes.STATE
  - llmobs.datadog.attributes.ACTIONGROUP
options:
  experiment_id:
    description:
      - ID of the experiment, in the project. The experiment is looked up by this ID (the project's list,
        filtered by it).
      - With O(experiment_id), O(name) is the name the experiment should have, so giving it renames the
        experiment when its name differs.
      - Letters, digits, V(-) and V(_) only.
      - At least one of O(experiment_id) and O(name) is required.
    type: str
  name:
    description:
      - Without O(experiment_id), the name of the experiment (of the run, as Datadog lists it; the SDK may add a
        suffix to make it unique), looked up over every page of the project's experiments and compared exactly
        (case and spaces count). If several experiments of the project have this name, the module fails and lists
        their IDs; give O(experiment_id) instead.
      - With O(experiment_id), the name the experiment should have (a rename). Ignored when O(state=absent).
      - Printable ASCII only, at most 255 characters, not blank and without leading or trailing spaces.
      - At least one of O(experiment_id) and O(name) is required.
    type: str
  description:
    description:
      - Description of the experiment. When given and it differs, it is updated; when not given, it is left as
        it is.
      - Ignored when O(state=absent).
    type: str
  metadata:
    description:
      - Metadata of the experiment, the whole desired object. Compared as data (key order does not matter, V(1)
        and V(1.0) are equal); when it differs, it replaces the experiment's metadata. When not given, metadata
        is left as it is.
      - The SDK keeps the run's tags and config in the metadata. To add a key and keep the rest, give the
        current metadata with it (see the examples).
      - Ignored when O(state=absent).
    type: dict
  state:
    description:
      - V(present) updates the given fields that differ. The experiment must exist.
      - V(absent) deletes the experiment when there is one.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - Whether to wait, after a delete, until the project's experiment list (looked up as this task looked
        it up) no longer shows the experiment, so that the next task or run does not find it still there.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait for the experiment list to stop showing a deleted experiment, when O(wait=true).
      - Also how long the experiment is read again after an update until it shows the values sent (reads lag
        behind writes), and how long a delete that failed without a clear answer (HTTP 5xx, timeout, dropped
        connection) is looked for before it is sent again.
      - From 1 to 3600.
    type: int
    default: 30
notes:
  - Deleting an experiment deletes its results (its events and their evaluations) with it.
seealso:
  - module: llmobs.datadog.llmobs_experiment_info
  - module: llmobs.datadog.llmobs_experiment_prune
  - module: llmobs.datadog.llmobs_dataset_version_info
  - name: Datadog LLM Observability experiments
    description: How experiments are run with the SDK.
    link: https://docs.datadoghq.com/llm_observability/experiments/
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

- name: Read a run as it is (nothing given to change)
  llmobs.datadog.llmobs_experiment:
    project_name: demo-project
    name: capitals-candidate
  register: candidate

- name: Make it the baseline, keeping the rest of its metadata (the SDK keeps the run's tags and config there)
  llmobs.datadog.llmobs_experiment:
    project_name: demo-project
    experiment_id: "{{ candidate.experiment.id }}"
    description: Baseline of the capitals questions since the December release
    metadata: "{{ candidate.experiment.metadata | default({}, true) | combine({'baseline': 'true'}) }}"

- name: Rename the previous baseline, found by its id
  llmobs.datadog.llmobs_experiment:
    project_name: demo-project
    experiment_id: 3fd6b5e0-8910-4b1c-a7d0-5b84de329012
    name: capitals-baseline-november

- name: Delete it (nothing to do when it is already gone)
  llmobs.datadog.llmobs_experiment:
    project_name: demo-project
    name: capitals-baseline-november
    state: absent
'''

RETURN = r'''
msg:
  description: What the module did or, in check mode, would do.
  returned: always
  type: str
  sample: >-
    Experiment 'capitals-gpt-4o' in project a33671aa-24fd-4dcd-9b33-a8ec7dde7751 (id 3fd6b5e0-8910-4b1c-a7d0-5b84de329012):
    updated description and metadata.
summary:
  description:
    - >-
      What the task did (in check mode, would do) in one line for a pull request comment: C(experiment), its name
      (its ID when it was given by ID and not found), and what happened to it, one of C(unchanged),
      C(name updated), C(description and metadata updated) (the fields that differed), C(... would be updated),
      C(deleted), C(would be deleted) or C(already absent).
    - The callback plugin C(llmobs.datadog.summary) shows it in a table at the end of the run (see the user guide).
  returned: success
  type: str
  sample: 'experiment capitals-gpt-4o: metadata updated'
project_id:
  description: The project of the experiment, as given in O(project_id) or found by O(project_name).
  returned: when the project is known
  type: str
  sample: a33671aa-24fd-4dcd-9b33-a8ec7dde7751
experiment:
  description:
    - The facts of the experiment after the run (read again after an update), or in check mode the facts it
      would have.
    - With O(state=absent), the experiment that was (or would be) deleted, and V(null) when there was none.
  returned: success
  type: dict
  contains:
    id:
      description: ID of the experiment.
      type: str
      returned: success
      sample: 3fd6b5e0-8910-4b1c-a7d0-5b84de329012
    name:
      description: Name of the experiment (of this run).
      type: str
      returned: success
      sample: capitals-gpt-4o
    experiment:
      description: The logical name of the experiment, which every run of the same pipeline shares.
      type: str
      returned: success
      sample: capitals
    description:
      description: Description of the experiment.
      type: str
      returned: success
      sample: Baseline of the capitals questions
    metadata:
      description: Metadata of the experiment (the SDK stores the run's tags and config there).
      type: dict
      returned: success
      sample: {"baseline": true, "tags": ["model:gpt-4o"]}
    project_id:
      description: ID of the project of the experiment.
      type: str
      returned: success
      sample: a33671aa-24fd-4dcd-9b33-a8ec7dde7751
    dataset_id:
      description: ID of the dataset the experiment ran on.
      type: str
      returned: success
      sample: 9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d
    dataset_version:
      description: Version of the dataset the experiment ran on.
      type: int
      returned: success
      sample: 3
    parent_experiment_id:
      description: ID of the experiment this one was run against (its baseline), if any.
      type: str
      returned: success
      sample: null
    status:
      description:
        - How the run went, as Datadog says, one of V(running), V(completed), V(failed) and V(interrupted).
      type: str
      returned: success
      sample: completed
    error:
      description: Why the run failed, when it did.
      type: str
      returned: success
      sample: null
    aggregate_data:
      description: The metrics Datadog computed over the whole run (scores of its evaluations, costs, error rates).
      type: dict
      returned: success
      sample: {"exact_match": {"mean": 0.92}}
    config:
      description: The configuration the experiment was run with.
      type: dict
      returned: success
      sample: {"model": "gpt-4o"}
    run_count:
      description: How many runs over the dataset the experiment was to make.
      type: int
      returned: success
      sample: 1
    created_at:
      description: When the experiment was created (ISO 8601).
      type: str
      returned: success
      sample: '2026-11-25T10:30:00+00:00'
    updated_at:
      description: When the experiment was last updated (ISO 8601).
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
  sample: [{"status": "404", "title": "Not Found", "detail": "experiment not found"}]
'''

from ansible_collections.llmobs.datadog.plugins.module_utils._experiments import (
    RUNNING,
    experiment_facts,
    experiment_name,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._lookup import project_where, resolve_project
from ansible_collections.llmobs.datadog.plugins.module_utils._module import LLMObsModule
from ansible_collections.llmobs.datadog.plugins.module_utils._state import NamedResource, ensure
from ansible_collections.llmobs.datadog.plugins.module_utils._validation import (
    check_description,
    check_id,
    check_name,
    check_wait_timeout,
)

DIFF_KEYS = ('name', 'description', 'metadata')
NOT_MADE_HERE = ("this module does not create experiments: ddtrace's LLMObs.experiment() runs them (and makes them), "
                 "then this module can update or delete them.")
TEXTS = dict(exists='{title} (id {id}): nothing to change.',
             missing='{title} was not found (names are compared exactly); ' + NOT_MADE_HERE)
TEXTS_BY_ID = dict(TEXTS, missing='No experiment with id {name} was found {where}; ' + NOT_MADE_HERE)


def check_options(params):
    if params['experiment_id'] is not None:
        check_id(params['experiment_id'], 'experiment_id')
    if params['name'] is not None:
        check_name(params['name'], 'the name of the experiment')
    check_description(params['description'])
    check_wait_timeout(params['wait_timeout'])


def lookup(api, project_id, params):
    """The name the state engine keys the experiment by, and its ``find``.

    By name: the name, and the project's experiments of that name. By id: the experiment's name as read now (its id
    when it has none or is missing), so that messages name it; the engine's first lookup gets this read, not another.
    A project that an earlier task of a dry run would create (``project_id`` None) holds no experiment yet.
    """
    experiment_id = params['experiment_id']
    if project_id is None:
        return params['name'] if experiment_id is None else experiment_id, lambda name: []
    if experiment_id is None:
        return params['name'], lambda name: api.experiments.find_by_name(project_id, name)

    def by_id():
        item = api.experiments.get(project_id, experiment_id)
        return [item] if item is not None else []

    first = by_id()
    key = (experiment_name(first[0]) if first else None) or experiment_id
    api.names.found('experiment', first, key)  # messages of its requests name it
    reads = [first]
    return key, lambda name: reads.pop() if reads else by_id()


def run(task):
    params, experiments, timeout = task.params, task.api.experiments, task.params['wait_timeout']
    project_id, project = resolve_project(task.api, params, task.plan)
    key, find = lookup(task.api, project_id, params)
    experiment = NamedResource(
        'experiment', find=find, facts=experiment_facts, create=None,
        update=lambda experiment_id, changes: experiments.update(project_id, experiment_id, changes, timeout),
        delete=lambda experiment_id: experiments.delete(project_id, [experiment_id], timeout),
        diff_keys=DIFF_KEYS, server_assigned=(), where=project_where(params, project_id, project),
        texts=TEXTS_BY_ID if params['experiment_id'] is not None else TEXTS)
    desired = dict(description=params['description'], metadata=params['metadata'])
    if params['experiment_id'] is not None:
        desired['name'] = params['name']  # found by id, so a name given is the one it should have
    result = ensure(task, experiment, key, desired, dict(changed=False, project_id=project_id), update_only=True)
    deleting = params['state'] == 'absent' and result['changed']
    if deleting and (result.get('experiment') or {}).get('status') == RUNNING:
        what = '%s (id %s)' % (experiment.title(key), result['experiment']['id'])
        task.warn(('%s is still running: deleting it loses the events its run still sends, and the run may fail.'
                   if task.check_mode else '%s was still running when it was deleted: the events its run still sends '
                   'are lost, and the run may fail.') % what)
    return result


MODULE = LLMObsModule(
    options=dict(
        experiment_id=dict(type='str'),
        name=dict(type='str'),
        description=dict(type='str'),
        metadata=dict(type='dict'),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=30),
    ),
    addresses=('project',),
    required_one_of=[['experiment_id', 'name']],
    check_options=check_options,
    run=run,
)


def main():
    MODULE.main()


if __name__ == '__main__':
    main()
