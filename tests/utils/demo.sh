#!/usr/bin/env bash
# `make demo`: the whole life of a dataset, by names, with playbooks/dataset_lifecycle.yml: create
# a project and a dataset, clone it, read their facts, run again (no change), a --check --diff run,
# then clean up. Against the local emulator, or against real Datadog when DD_API_KEY and
# DD_APP_KEY are set (it then makes, and removes again, the project LLMOBS_PROJECT_NAME,
# default llmobs-demo).
set -euo pipefail
# The implicit localhost is all these plays need; say nothing about the missing inventory.
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
# Only what the run does: the lifecycle playbook skips the half that does not apply.
export ANSIBLE_DISPLAY_SKIPPED_HOSTS=false

repo_root=$(cd "$(dirname "$0")/../.." && pwd)
playbook="${repo_root}/playbooks/dataset_lifecycle.yml"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if [ -n "${DD_API_KEY:-}" ] && [ -n "${DD_APP_KEY:-}" ]; then
  live=1
  step "Real Datadog (site ${DD_SITE:-datadoghq.com}), project ${LLMOBS_PROJECT_NAME:-llmobs-demo}; unset DD_API_KEY to use the local emulator"
else
  live=0
  # shellcheck source=tests/utils/emulator.sh
  . "${repo_root}/tests/utils/emulator.sh"
  export EMULATOR_STOP_MESSAGE="Emulator stopped: nothing is left running."
  # shellcheck disable=SC2119 # no options: the demo seed, any keys
  start_emulator
  LLMOBS_API_URL=${EMULATOR_URL}
  # Local stand-ins for the keys: the emulator accepts any; real keys are never needed here.
  export LLMOBS_API_URL DD_API_KEY=local-demo-api-key DD_APP_KEY=local-demo-app-key
  step "Local Datadog emulator at ${LLMOBS_API_URL} (set DD_API_KEY and DD_APP_KEY to use real Datadog)"
fi

step "1. Create the project, a dataset and a frozen copy, by names only: changed"
ansible-playbook "${playbook}"

step "2. Run the same playbook again: everything exists, nothing changes"
ansible-playbook "${playbook}"

step "3. Dry run of a new description, with --check --diff: every read, no write"
ansible-playbook --check --diff "${playbook}" -e "dataset_description='Reviewed questions, v2'"

step "4. Clean up: delete the copy, the dataset and the project"
ansible-playbook "${playbook}" -e lifecycle_state=absent

if [ "${live}" = 0 ]; then
  step "The emulator after the demo: the seed's projects and datasets, nothing left over"
  "${PYTHON:-python3}" - "${LLMOBS_API_URL}" <<'PY'
import json, sys, urllib.request
state = json.load(urllib.request.urlopen(sys.argv[1] + '/_emulator/state'))
names = dict((project['id'], project['name']) for project in state['projects'])
for dataset in state['datasets']:
    print('  %-18s %-28s %d records' % (names.get(dataset['project_id']), dataset['name'], len(dataset['records'])))
PY
fi
