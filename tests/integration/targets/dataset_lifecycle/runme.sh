#!/usr/bin/env bash
# playbooks/dataset_lifecycle.yml as users run it, by names only, against the emulator: apply,
# re-run, a --check --diff run, tear down; verify.py checks the emulator after each run.
set -euo pipefail
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false

here=$(cd "$(dirname "$0")" && pwd)
repo_root=$(cd "${here}/../../../.." && pwd)
playbook="${repo_root}/playbooks/dataset_lifecycle.yml"
# shellcheck source=tests/utils/ansible_dirs.sh
. "${repo_root}/tests/utils/ansible_dirs.sh"
# shellcheck source=tests/utils/emulator.sh
. "${repo_root}/tests/utils/emulator.sh"
# shellcheck disable=SC2119 # no options: the demo seed, any keys
start_emulator
ansible_dirs=$(mktemp -d)
trap 'stop_emulator; rm -rf "${ansible_dirs}"' EXIT
keep_ansible_dirs_in "${ansible_dirs}"
export LLMOBS_API_URL=${EMULATOR_URL} DD_API_KEY=integration-api-key-7d1f0c DD_APP_KEY=integration-app-key-93b2ae
export LLMOBS_PROJECT_NAME=lifecycle-project

verify() { "${PYTHON:-python3}" "${here}/verify.py" "${EMULATOR_URL}" "$1"; }

ansible-playbook "${playbook}" "$@"
verify created
ansible-playbook "${playbook}" "$@"
verify unchanged
ansible-playbook --check --diff "${playbook}" -e "dataset_description='Reviewed questions, v2'" "$@"
verify unchanged
ansible-playbook "${playbook}" -e lifecycle_state=absent "$@"
verify removed
