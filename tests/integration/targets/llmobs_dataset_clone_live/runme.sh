#!/usr/bin/env bash
# The emulator target's check / apply / re-run cycle, against real Datadog. Opt-in: it needs
#   DD_API_KEY, DD_APP_KEY            keys of an organisation where you may create datasets
#   DD_SITE                           when it is not datadoghq.com
#   LLMOBS_TEST_PROJECT_ID            a project of that organisation
#   LLMOBS_TEST_DATASET_ID            a dataset of that project, to clone
# Without them it says so and skips. The clone it makes is deleted at the end.
set -euo pipefail

missing=()
for name in DD_API_KEY DD_APP_KEY LLMOBS_TEST_PROJECT_ID LLMOBS_TEST_DATASET_ID; do
  [ -n "${!name:-}" ] || missing+=("${name}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "SKIPPED llmobs_dataset_clone_live: set ${missing[*]} to run it against real Datadog."
  exit 0
fi

here=$(cd "$(dirname "$0")" && pwd)
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
# shellcheck source=tests/utils/ansible_dirs.sh
. "${here}/../../../utils/ansible_dirs.sh"
ansible_dirs=$(mktemp -d)
trap 'rm -rf "${ansible_dirs}"' EXIT
keep_ansible_dirs_in "${ansible_dirs}"
ANSIBLE_ROLES_PATH="${here}/.." ansible-playbook "${here}/runme.yml" "$@"
