#!/usr/bin/env bash
# `make demo`: run playbooks/clone_dataset.yml three times (clone, re-run, dry run) against the
# local emulator, or against real Datadog when DD_API_KEY and DD_APP_KEY are set.
set -euo pipefail
# The implicit localhost is all these plays need; say nothing about the missing inventory.
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false

repo_root=$(cd "$(dirname "$0")/../.." && pwd)
playbook="${repo_root}/playbooks/clone_dataset.yml"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if [ -n "${DD_API_KEY:-}" ] && [ -n "${DD_APP_KEY:-}" ]; then
  if [ -z "${LLMOBS_PROJECT_ID:-}" ] || [ -z "${LLMOBS_DATASET_ID:-}" ]; then
    echo "DD_API_KEY and DD_APP_KEY are set, so the demo runs against real Datadog (site ${DD_SITE:-datadoghq.com})." >&2
    echo "Set LLMOBS_PROJECT_ID and LLMOBS_DATASET_ID to the project and dataset to clone (and LLMOBS_CLONE_NAME to" >&2
    echo "choose the new name), or unset DD_API_KEY to use the local emulator." >&2
    exit 2
  fi
  step "Real Datadog (site ${DD_SITE:-datadoghq.com}): cloning ${LLMOBS_DATASET_ID} in project ${LLMOBS_PROJECT_ID}"
  live=1
else
  live=0
  # shellcheck source=tests/utils/emulator.sh
  . "${repo_root}/tests/utils/emulator.sh"
  export EMULATOR_STOP_MESSAGE="Emulator stopped: nothing is left running."
  start_emulator --seed "${repo_root}/tests/emulator/demo-seed.json"
  LLMOBS_API_URL=${EMULATOR_URL}
  # Local stand-ins for the keys: the emulator accepts any; real keys are never needed here.
  export LLMOBS_API_URL DD_API_KEY=demo-api-key DD_APP_KEY=demo-app-key
  export LLMOBS_PROJECT_ID=a33671aa-24fd-4dcd-9b33-a8ec7dde7751   # "demo-project" of tests/emulator/demo-seed.json
  export LLMOBS_DATASET_ID=9f64e5c7-dc5a-45c8-a17c-1b85f0bec97d   # its "capitals" dataset, 5 records
  step "Local Datadog emulator at ${LLMOBS_API_URL} (set DD_API_KEY and DD_APP_KEY to use real Datadog)"
fi

step "1. Clone the dataset: changed"
ansible-playbook "${playbook}"

step "2. Run the same playbook again: the dataset exists, nothing changes"
ansible-playbook "${playbook}"

step "3. Dry run of a clone into another name, with --check --diff: every read, no write"
LLMOBS_CLONE_NAME="${LLMOBS_CLONE_NAME:-capitals-working-copy}-dry-run" ansible-playbook --check --diff "${playbook}"

if [ "${live}" = 0 ]; then
  step "The emulator's datasets after the demo: the clone exists once, the dry run made nothing"
  "${PYTHON:-python3}" - "${LLMOBS_API_URL}" <<'PY'
import json, sys, urllib.request
state = json.load(urllib.request.urlopen(sys.argv[1] + '/_emulator/state'))
for dataset in state['datasets']:
    print('  %-28s %-38s %d records' % (dataset['name'], dataset['id'], len(dataset['records'])))
PY
fi
