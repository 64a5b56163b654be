#!/usr/bin/env bash
# The evaluation playbook of docs/evaluators.md and docs/prompts.md (its role and two variable files, checked to be
# the pages' own by evaluation.py write), as the pages' workflow runs it on an empty emulator: staging, then
# production, each a --check --diff run (no write) and the real run with --diff; a re-run that changes nothing; the
# pull request that changes the prompt's file (exactly one new version, on staging's label); the pull request that
# promotes that version to production (dry run, then applied). evaluation.py checks the emulator, the writes, the
# recap and the summary after each run.
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
work="${emulator_dir}/llmobs"
export LLMOBS_API_URL="${EMULATOR_URL}"
# As the pages' workflow runs it: with --diff, and the summary table of the collection's callback.
export ANSIBLE_CALLBACKS_ENABLED=llmobs.datadog.summary LLMOBS_SUMMARY_GITHUB=false

evaluation() {
  "${PYTHON:-python3}" "${here}/evaluation.py" "$@"
}

# One run of the documented playbook where the docs keep it, for one environment, then the checks of STAGE.
run() {
  local stage="$1" environment="$2" status=0
  shift 2
  echo "=== ${stage}"
  (cd "${work}" && ansible-playbook evaluation.yml -e "@vars/${environment}.yml" --diff "$@") > "${emulator_dir}/${stage}.log" 2>&1 || status=$?
  cat "${emulator_dir}/${stage}.log"
  evaluation "${stage}" "${EMULATOR_URL}" "${work}" "${emulator_dir}/${stage}.log" "${status}"
}

evaluation write "${work}"
run staging-dry-run staging --check "$@"
run staging-applied staging "$@"
run production-dry-run production --check "$@"
run production-applied production "$@"
run production-again production "$@"
evaluation change "${work}" roles/evaluation/files/prompts/support-answer.yml
run prompt-changed staging "$@"
evaluation change "${work}" vars/production.yml
run promotion-dry-run production --check "$@"
run promoted production "$@"
