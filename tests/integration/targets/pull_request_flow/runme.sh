#!/usr/bin/env bash
# The pull-request workflow as the docs show it: the README's Example, the sync.yml of docs/records.md
# and the playbooks of docs/user-guide.md that create things, taken from the docs as they are
# (docs_playbooks.py), each on an empty emulator: a --check --diff run (succeeds, reports changes,
# writes nothing), the real run, then --check again (no change); verify.py checks each. Every
# playbook runs in the controller; on the module path, the records sync (which has every kind of
# write module) runs too. plan.yml then checks, on both paths, what the plan of a dry run does and
# does not do: make a typo pass, cross endpoints, reach a real task or a later run's fact cache.
# With INTEGRATION_SCOPE=version (the older ansible-cores of `make test`) only plan.yml runs, on both
# paths: how the plan travels (facts, the environment) is what the action does per version; the
# docs' playbooks are the collection's own Python, which the newest ansible-core runs.
set -euo pipefail
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false

here=$(cd "$(dirname "$0")" && pwd)
repo_root=$(cd "${here}/../../../.." && pwd)
# shellcheck source=tests/utils/integration_scope.sh
. "${repo_root}/tests/utils/integration_scope.sh"
api_key=integration-api-key-7d1f0c
app_key=integration-app-key-93b2ae
# shellcheck source=tests/utils/emulator.sh
. "${repo_root}/tests/utils/emulator.sh"
start_emulator --no-demo-seed --api-key "${api_key}" --app-key "${app_key}"
work="${emulator_dir}/playbooks"   # removed with the emulator's files
# shellcheck source=tests/utils/ansible_dirs.sh
. "${repo_root}/tests/utils/ansible_dirs.sh"
keep_ansible_dirs_in "${emulator_dir}/ansible"
"${PYTHON:-python3}" "${here}/docs_playbooks.py" "${work}" "${EMULATOR_URL}" "${api_key}" "${app_key}" > "${emulator_dir}/list"

verify() {
  "${PYTHON:-python3}" "${here}/verify.py" "${EMULATOR_URL}" "$@"
}

# Runs a documented playbook where the docs keep it (its records file beside it), shows its output
# and prints its recap line, which verify.py reads.
run_playbook() {
  local log="${emulator_dir}/last.log"
  (cd "${work}" && ansible-playbook "$@") | tee "${log}" >&2
  grep -E '^localhost +: ' "${log}" | tail -n 1
}

for path in in_process module; do
  if [ "${path}" = module ]; then export LLMOBS_IN_PROCESS=false; else unset LLMOBS_IN_PROCESS; fi
  while read -r playbook; do
    if [ "${path}" = module ] && [ "${playbook}" != records_sync.yml ]; then continue; fi
    if [ "${scope}" = version ]; then continue; fi
    echo "=== ${playbook} on the ${path} path"
    verify reset
    recap=$(run_playbook "${playbook}" --check --diff -e release=2026-12 "$@")
    verify dry-run-empty "${recap}"
    recap=$(run_playbook "${playbook}" --diff -e release=2026-12 "$@")
    verify applied "${recap}"
    verify forget-requests
    recap=$(run_playbook "${playbook}" --check --diff -e release=2026-12 "$@")
    verify dry-run-again "${recap}"
  done < "${emulator_dir}/list"

  echo "=== plan.yml on the ${path} path"
  verify reset
  export ANSIBLE_CACHE_PLUGIN=jsonfile ANSIBLE_CACHE_PLUGIN_CONNECTION="${emulator_dir}/facts-${path}"
  plan_args=(-e "emulator_url=${EMULATOR_URL}" -e "emulator_api_key=${api_key}" -e "emulator_app_key=${app_key}")
  ansible-playbook "${here}/plan.yml" "${plan_args[@]}" -e stage=plan "$@"
  ansible-playbook "${here}/plan.yml" "${plan_args[@]}" -e stage=cached "$@"
  unset ANSIBLE_CACHE_PLUGIN ANSIBLE_CACHE_PLUGIN_CONNECTION
done
