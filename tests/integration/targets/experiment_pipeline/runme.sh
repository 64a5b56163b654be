#!/usr/bin/env bash
# The experiments pipeline of docs/experiments.md, taken from the page as it is (pipeline.py write), on an
# emulator seeded with months of history: old runs of the experiment, the old baseline among them, a run of
# another logical experiment, old frozen copies. First a good model's run: the gate passes, the baseline
# mark moves to it, the old runs and copies beyond the rules go. Then a pull request's dry run (--check),
# its run made beforehand as its job's ddtrace step would: the gate passes on real scores and nothing is
# written. Then a worse model's run: the play fails at the gate with its message, and nothing is marked or
# deleted. pipeline.py checks the emulator after each.
set -euo pipefail
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false

here=$(cd "$(dirname "$0")" && pwd)
repo_root=$(cd "${here}/../../../.." && pwd)
# The keys as users give them against Datadog: the documented playbook sets none.
export DD_API_KEY=integration-api-key-7d1f0c DD_APP_KEY=integration-app-key-93b2ae
# shellcheck source=tests/utils/emulator.sh
. "${repo_root}/tests/utils/emulator.sh"
start_emulator --no-demo-seed --api-key "${DD_API_KEY}" --app-key "${DD_APP_KEY}"
# shellcheck source=tests/utils/ansible_dirs.sh
. "${repo_root}/tests/utils/ansible_dirs.sh"
keep_ansible_dirs_in "${emulator_dir}/ansible"   # removed with the emulator's files
work="${emulator_dir}/evals"

pipeline() {
  "${PYTHON:-python3}" "${here}/pipeline.py" "$@"
}

# Runs the documented playbook where the docs keep it (its records file beside it), its output in a log.
evaluate() {
  local log="$1"
  shift
  (cd "${work}" && ansible-playbook evaluate.yml -e "emulator_url=${EMULATOR_URL}" "$@") > "${log}" 2>&1
}

pipeline write "${work}"
pipeline seed "${EMULATOR_URL}"

echo "=== a good model: the gate passes"
status=0
evaluate "${emulator_dir}/good.log" -e commit=9f0e8d7c6b5a4f3e "$@" || status=$?
cat "${emulator_dir}/good.log"
pipeline passed "${EMULATOR_URL}" "${work}" "${emulator_dir}/good.log" "${status}"

echo "=== a pull request: its run made by the job before the playbook, which runs in check mode"
pipeline pull-request-run "${EMULATOR_URL}"
status=0
evaluate "${emulator_dir}/dry-run.log" --check --diff -e commit=c0ffee000000aaaa "$@" || status=$?
cat "${emulator_dir}/dry-run.log"
pipeline dry-run "${EMULATOR_URL}" "${work}" "${emulator_dir}/dry-run.log" "${status}"

echo "=== a worse model: the play fails at the gate"
status=0
evaluate "${emulator_dir}/bad.log" -e commit=0b1c2d3e4f5a6b7c -e simulated_seed=8 "$@" || status=$?
cat "${emulator_dir}/bad.log"
pipeline failed "${EMULATOR_URL}" "${work}" "${emulator_dir}/bad.log" "${status}"
