#!/usr/bin/env bash
# Every module of the collection on both execution paths, compared (see docs/execution.md):
#   in_process   the builtin local connection: the modules run inside the controller
#   module_env   the same, opted out with LLMOBS_IN_PROCESS=0 in the controller's environment
#   elsewhere    a connection that is not the builtin local one (connection_plugins/): the module path
#                (with INTEGRATION_SCOPE=version, on the older ansible-cores of `make test`, only paths.yml
#                takes that connection: the module path itself is module_env's, and the connection is the
#                local one under another name, so the whole of cases.yml through it again on every version
#                would prove nothing that the newest does not)
# Each run of cases.yml starts from a freshly reset emulator; check.py then compares what Ansible
# printed (-v), what the tasks registered, every result with its invocation and every request the
# emulator received. paths.yml (at -vvv) checks which path each kind of task takes (the opt-out
# variable llmobs_in_process=false at every level included), relative.yml that relative paths
# mean the same on both paths, and a -vvvv run
# of the in-process path must not print the keys anywhere.
# Works from ansible-test (cwd is this folder) and directly: tests/integration/targets/in_process/runme.sh
set -euo pipefail
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
unset LLMOBS_IN_PROCESS DD_API_KEY DD_APP_KEY DD_APPLICATION_KEY DD_SITE

here=$(cd "$(dirname "$0")" && pwd)
repo_root=$(cd "${here}/../../../.." && pwd)
python=${PYTHON:-python3}
# shellcheck source=tests/utils/integration_scope.sh
. "${repo_root}/tests/utils/integration_scope.sh"
api_key=in-process-api-key-4e81d2a7
app_key=in-process-app-key-c3f95b06

# shellcheck source=tests/utils/ansible_dirs.sh
. "${repo_root}/tests/utils/ansible_dirs.sh"
# shellcheck source=tests/utils/emulator.sh
. "${repo_root}/tests/utils/emulator.sh"
start_emulator --api-key "${api_key}" --app-key "${app_key}"
url=${EMULATOR_URL}
out=$(mktemp -d)
keep_ansible_dirs_in "${out}/ansible"
# The runs of the two paths are compared line by line: progress lines, which only the in-process path
# prints (after 5 s of a task on a loaded machine), would tell them apart.
export LLMOBS_PROGRESS_SECONDS=3600
passed=false
trap '"${passed}" || echo "runs kept in ${out}"; stop_emulator' EXIT

# The keys go in a vars file: Ansible itself prints the extra vars of its command line at -vvvv.
printf 'emulator_api_key: %s\nemulator_app_key: %s\n' "${api_key}" "${app_key}" > "${out}/keys.yml"
extra=(-e "emulator_url=${url}" -e "@${out}/keys.yml" -e "records_dest=${out}/records.jsonl")

run_cases() {  # run_cases MODE INVENTORY [env NAME=VALUE...] -- [ansible-playbook options...]
  local mode=$1 inventory=$2
  shift 2
  local environment=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do environment+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  mkdir -p "${out}/${mode}"
  rm -f "${out}/records.jsonl"  # every run writes it anew, at the same path
  "${python}" "${here}/check.py" reset "${url}"
  echo "== cases.yml: ${mode}"
  env "${environment[@]}" LLMOBS_RECORD_FILE="${out}/${mode}/results.jsonl" ANSIBLE_CALLBACKS_ENABLED=llmobs_record \
    ansible-playbook -i "${here}/${inventory}" "${here}/cases.yml" "${extra[@]}" -e "record_dir=${out}/${mode}" -v "$@" \
    > "${out}/${mode}/stdout" 2>&1 || { cat "${out}/${mode}/stdout"; exit 1; }
  tail -n 3 "${out}/${mode}/stdout"
  "${python}" "${here}/check.py" requests "${url}" "${out}/${mode}/requests.json"
}

run_cases in_process inventory.local.yml
run_cases module_env inventory.local.yml LLMOBS_IN_PROCESS=0 --
if [ "${scope}" = full ]; then
  run_cases elsewhere inventory.elsewhere.yml
  "${python}" "${here}/check.py" compare "${out}" in_process module_env elsewhere
else
  "${python}" "${here}/check.py" compare "${out}" in_process module_env
fi

echo "== relative.yml from another directory, on both paths"
for opt_out in 1 0; do
  (cd "${out}" && LLMOBS_IN_PROCESS=${opt_out} ansible-playbook -i "${here}/inventory.local.yml" "${here}/relative.yml" \
    "${extra[@]}" > "${out}/relative-${opt_out}.stdout" 2>&1) || { cat "${out}/relative-${opt_out}.stdout"; exit 1; }
done

echo "== paths.yml at -vvv, with a HOME that is not the user's home directory"
# Its async task once looked for its job in the user's home directory while the job was written under
# $HOME: nothing may depend on HOME, nor be written there.
discovered=$(command -v "${python}")
mkdir "${out}/foreign-home"
HOME="${out}/foreign-home" ansible-playbook -i "${here}/inventory.paths.yml" "${here}/paths.yml" "${extra[@]}" -vvv \
  -e "{\"ansible_interpreter_python_fallback\": [\"${discovered}\"]}" > "${out}/paths.stdout" 2>&1 \
  || { cat "${out}/paths.stdout"; exit 1; }
if [ -n "$(ls -A "${out}/foreign-home")" ]; then
  echo "paths.yml wrote in HOME:"; find "${out}/foreign-home"; exit 1
fi
LLMOBS_IN_PROCESS=0 ansible-playbook -i "${here}/inventory.paths.yml" "${here}/paths.yml" "${extra[@]}" --tags opt_out -vvv \
  > "${out}/paths-opt-out.stdout" 2>&1 || { cat "${out}/paths-opt-out.stdout"; exit 1; }
"${python}" "${here}/check.py" paths "${out}/paths.stdout"
"${python}" "${here}/check.py" paths "${out}/paths-opt-out.stdout"

echo "== the keys at -vvvv"
"${python}" "${here}/check.py" reset "${url}"
ansible-playbook -i "${here}/inventory.local.yml" "${here}/cases.yml" "${extra[@]}" -e "record_dir=${out}" -vvvv \
  > "${out}/in_process-vvvv.stdout" 2>&1 || { cat "${out}/in_process-vvvv.stdout"; exit 1; }
"${python}" "${here}/check.py" secrets "${out}/in_process-vvvv.stdout" "${api_key}" "${app_key}"
echo "no key in $(wc -l < "${out}/in_process-vvvv.stdout") lines of -vvvv output on the in-process path"

rm -rf "${out}"
passed=true
echo "in_process: every case identical on both paths"
