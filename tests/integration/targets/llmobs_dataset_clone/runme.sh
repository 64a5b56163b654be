#!/usr/bin/env bash
# Start the emulator, run the target's playbook against it, stop the emulator.
# Works from ansible-test (cwd is this folder) and directly: tests/integration/targets/llmobs_dataset_clone/runme.sh
set -euo pipefail
# The implicit localhost is all these plays need; say nothing about the missing inventory.
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false

here=$(cd "$(dirname "$0")" && pwd)
repo_root=$(cd "${here}/../../../.." && pwd)
api_key=integration-api-key-7d1f0c
app_key=integration-app-key-93b2ae

# shellcheck source=tests/utils/emulator.sh
. "${repo_root}/tests/utils/emulator.sh"
start_emulator --api-key "${api_key}" --app-key "${app_key}"
url=${EMULATOR_URL}

ansible-playbook "${here}/runme.yml" \
  -e "emulator_url=${url}" -e "emulator_api_key=${api_key}" -e "emulator_app_key=${app_key}" "$@"
