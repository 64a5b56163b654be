#!/usr/bin/env bash
# The llmobs.datadog.summary callback and the progress lines of long syncs, on both execution paths
# (see docs/user-guide.md and docs/execution.md):
#   for the in-process path and the module path (-e llmobs_in_process=false), from a freshly reset
#   emulator: runme.yml with --check, then for real, the callback enabled by ANSIBLE_CALLBACKS_ENABLED
#   and GITHUB_STEP_SUMMARY pointed at a file, and LLMOBS_PROGRESS_SECONDS=0 so that every step of the
#   1,205 changes shows (on the in-process path only);
#   then runme.yml again (nothing left to change) with the callback enabled in an ansible.cfg whose
#   [callback_llmobs_summary] path names the file and github_step_summary is off;
#   and no_llmobs.yml, which must print and write nothing of the callback.
# check.py compares what each run printed and wrote with what it must.
# With INTEGRATION_SCOPE=version (the older ansible-cores of `make test`) the module path skips its
# --check run: a dry run differs from a real one in the module's own Python, not in how the callback
# gets a result; the in-process path runs both.
# Works from ansible-test (cwd is this folder) and directly: tests/integration/targets/summary_callback/runme.sh
set -euo pipefail
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_NOCOLOR=true
unset LLMOBS_IN_PROCESS LLMOBS_PROGRESS_SECONDS LLMOBS_SUMMARY_PATH LLMOBS_SUMMARY_GITHUB GITHUB_STEP_SUMMARY \
  ANSIBLE_CALLBACKS_ENABLED ANSIBLE_CONFIG DD_API_KEY DD_APP_KEY DD_APPLICATION_KEY DD_SITE

here=$(cd "$(dirname "$0")" && pwd)
repo_root=$(cd "${here}/../../../.." && pwd)
python=${PYTHON:-python3}
# shellcheck source=tests/utils/integration_scope.sh
. "${repo_root}/tests/utils/integration_scope.sh"
api_key=summary-api-key-5b07e1c4
app_key=summary-app-key-82d9f3a6

# shellcheck source=tests/utils/ansible_dirs.sh
. "${repo_root}/tests/utils/ansible_dirs.sh"
# shellcheck source=tests/utils/emulator.sh
. "${repo_root}/tests/utils/emulator.sh"
start_emulator --api-key "${api_key}" --app-key "${app_key}"
out=$(mktemp -d)
keep_ansible_dirs_in "${out}/ansible"
passed=false
trap '"${passed}" || echo "runs kept in ${out}"; stop_emulator' EXIT

# The keys go in a vars file: Ansible prints the extra vars of its command line at -vvvv.
printf 'emulator_api_key: %s\nemulator_app_key: %s\n' "${api_key}" "${app_key}" > "${out}/keys.yml"
"${python}" "${here}/check.py" records "${out}/records.jsonl" 1200
extra=(-e "emulator_url=${EMULATOR_URL}" -e "@${out}/keys.yml" -e "records_src=${out}/records.jsonl")

play() {  # play NAME PLAYBOOK [env NAME=VALUE...] -- [ansible-playbook options...]: stdout and stderr kept apart
  local name=$1 playbook=$2
  shift 2
  local environment=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do environment+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  echo "== ${name}"
  env "${environment[@]}" ansible-playbook "${here}/${playbook}" "${extra[@]}" "$@" \
    > "${out}/${name}.stdout" 2> "${out}/${name}.stderr" \
    || { cat "${out}/${name}.stdout" "${out}/${name}.stderr"; exit 1; }
}

for path in in_process module; do
  options=()
  [ "${path}" = module ] && options=(-e llmobs_in_process=false)
  runs=(check applied)
  [ "${path}" = module ] && [ "${scope}" = version ] && runs=(applied)
  "${python}" "${here}/check.py" reset "${EMULATOR_URL}"
  for run in "${runs[@]}"; do
    check=()
    [ "${run}" = check ] && check=(--check)
    play "${path}-${run}" runme.yml ANSIBLE_CALLBACKS_ENABLED=llmobs.datadog.summary \
      GITHUB_STEP_SUMMARY="${out}/${path}-step-summary.md" LLMOBS_PROGRESS_SECONDS=0 -- "${options[@]}" "${check[@]}"
  done
  "${python}" "${here}/check.py" path "${out}" "${path}" "${api_key}" "${app_key}" "$(IFS=,; echo "${runs[*]}")"
done

printf '[defaults]\ncallbacks_enabled = llmobs.datadog.summary\n\n[callback_llmobs_summary]\npath = %s\ngithub_step_summary = false\n' \
  "${out}/cfg-summary.md" > "${out}/ansible.cfg"
play again runme.yml ANSIBLE_CONFIG="${out}/ansible.cfg" GITHUB_STEP_SUMMARY="${out}/again-step-summary.md" --
play no_llmobs no_llmobs.yml ANSIBLE_CALLBACKS_ENABLED=llmobs.datadog.summary \
  GITHUB_STEP_SUMMARY="${out}/no-llmobs-step-summary.md" --
"${python}" "${here}/check.py" rest "${out}"

rm -rf "${out}"
passed=true
echo "summary_callback: the tables, the Markdown and the progress lines are as they must be on both paths"
