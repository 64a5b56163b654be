# shellcheck shell=bash
# Sourced by the runme.sh of each emulator integration target:
#   run_target_against_emulator [run.py options...] -- [ansible-playbook options...]
# starts the emulator (tests/utils/emulator.sh) with the target's keys, runs the target's runme.yml
# against it with emulator_url, emulator_api_key and emulator_app_key set, and common_tasks: the
# folder of the task files every target shares (tests/integration/common/tasks), and stops the
# emulator on exit. Every directory Ansible writes in is a temporary one of the run (ansible_dirs.sh).
# Works from ansible-test (cwd is the target folder) and directly.
set -euo pipefail
# The implicit localhost is all these plays need; say nothing about the missing inventory.
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false

run_target_against_emulator() {
  local here repo_root api_key=integration-api-key-7d1f0c app_key=integration-app-key-93b2ae
  local emulator_args=()
  here=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
  repo_root=$(cd "${here}/../../../.." && pwd)
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    emulator_args+=("$1")
    shift
  done
  [ $# -gt 0 ] && shift
  # shellcheck source=tests/utils/ansible_dirs.sh
  . "${repo_root}/tests/utils/ansible_dirs.sh"
  # shellcheck source=tests/utils/emulator.sh
  . "${repo_root}/tests/utils/emulator.sh"
  start_emulator --api-key "${api_key}" --app-key "${app_key}" "${emulator_args[@]}"
  ansible_dirs=$(mktemp -d)
  trap 'stop_emulator; rm -rf "${ansible_dirs}"' EXIT
  keep_ansible_dirs_in "${ansible_dirs}"
  ansible-playbook "${here}/runme.yml" \
    -e "emulator_url=${EMULATOR_URL}" -e "emulator_api_key=${api_key}" -e "emulator_app_key=${app_key}" \
    -e "common_tasks=${repo_root}/tests/integration/common/tasks" "$@"
}
