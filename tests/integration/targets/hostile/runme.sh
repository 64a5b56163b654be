#!/usr/bin/env bash
# Every case of issue 16 as real playbooks, on both execution paths (docs/execution.md): deletes
# that take more than the user named, records files that must be refused before any write (data
# loss, a FIFO, /dev/zero, a bad line, a YAML "billion laughs", deep nesting), a dest that cannot
# be written, and hostile servers (answers dripped a few bytes at a time, endless lists, a lost
# batch_update answer while records reads lag, an error page that echoes the API key).
#   runme.yml     once in the controller (the default) and once as a module (LLMOBS_IN_PROCESS=0);
#                 what the file cases said must be the same on both paths
#   key_echo.yml  at -vvvv on both paths: no 4 characters of the start or the end of the key anywhere
# Every ansible-playbook run is bounded by `timeout`, every task that could hang by its own timeout.
# Works from ansible-test (cwd is this folder) and directly: tests/integration/targets/hostile/runme.sh
set -euo pipefail
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
unset LLMOBS_IN_PROCESS DD_API_KEY DD_APP_KEY DD_APPLICATION_KEY DD_SITE

here=$(cd "$(dirname "$0")" && pwd)
repo_root=$(cd "${here}/../../../.." && pwd)
python=${PYTHON:-python3}
# shellcheck source=tests/utils/integration_scope.sh
. "${repo_root}/tests/utils/integration_scope.sh"
# About 30 characters, distinctive at both ends: the echoing page cuts it after its first 10.
api_key=Zq7xHostileEchoKey41c0QxZwJvKp
app_key=Wv3kHostileAppKey70d2QpRjYtNb
run_seconds=300

# shellcheck source=tests/utils/ansible_dirs.sh
. "${repo_root}/tests/utils/ansible_dirs.sh"
# shellcheck source=tests/utils/emulator.sh
. "${repo_root}/tests/utils/emulator.sh"
start_emulator --no-demo-seed --seed "${here}/files/seed.json" --api-key "${api_key}" --app-key "${app_key}"
url=${EMULATOR_URL}
out=$(mktemp -d)
keep_ansible_dirs_in "${out}/ansible"
work=${out}/work
passed=false

cleanup() {
  # A reader still blocked on the FIFO (a regression) gets its end of file.
  # shellcheck disable=SC2016  # $1 is the inner shell's
  [ -p "${work}/fifo.jsonl" ] && timeout 2 sh -c ': > "$1"' sh "${work}/fifo.jsonl" 2>/dev/null || true
  [ -d "${out}/read-only" ] && chmod u+w "${out}/read-only"
  if "${passed}"; then rm -rf "${out}"; else echo "runs kept in ${out}"; fi
  stop_emulator
}
trap cleanup EXIT

# Files no repository should hold: a FIFO, a symlink to /dev/zero, and what a parser must not expand.
mkdir -p "${work}"
mkfifo "${work}/fifo.jsonl"
ln -s /dev/zero "${work}/zero.jsonl"
"${python}" - "${work}" <<'PYTHON'
import json
import sys

work = sys.argv[1]
first = json.dumps({'input': 'What is the capital of Laos?', 'expected_output': 'Vientiane'})
with open(work + '/deep.jsonl', 'w') as handle:  # line 2: 5000 levels
    handle.write(first + '\n{"input": ' + '[' * 5000 + '"deep"' + ']' * 5000 + '}\n')
with open(work + '/deep.yaml', 'w') as handle:
    handle.write('- input: shallow\n- input: ' + '[' * 5000 + 'deep' + ']' * 5000 + '\n')
with open(work + '/deep-50.yaml', 'w') as handle:
    handle.write('- id: deep-50-yaml\n  input: ' + '[' * 49 + '"fifty levels down"' + ']' * 49 + '\n')
# A "billion laughs": 9 levels of 9 aliases, about 400 bytes that expand to 387,420,489 strings.
lines = ['- input:', '    a: &a [%s]' % ', '.join(['lol'] * 9)]
for level, name in enumerate('bcdefghi'):
    anchor = '' if name == 'i' else '&%s ' % name
    lines.append('    %s: %s[%s]' % (name, anchor, ', '.join(['*' + 'abcdefgh'[level]] * 9)))
with open(work + '/laughs.yaml', 'w') as handle:
    handle.write('\n'.join(lines) + '\n')
PYTHON

# A directory that cannot be written. Root passes every permission check, so then a directory of
# /sys, which refuses new files to anyone; where even that is writable, the dest case is skipped.
if [ "$(id -u)" -ne 0 ]; then
  unwritable=${out}/read-only
  mkdir "${unwritable}"
  chmod 0555 "${unwritable}"
elif (: > /sys/.llmobs-hostile-probe) 2>/dev/null; then
  rm -f /sys/.llmobs-hostile-probe
  unwritable=
  echo "the dest case is skipped: running as root, and /sys accepts new files here"
else
  unwritable=/sys
fi

# The keys go in a vars file: Ansible itself prints the extra vars of its command line at -vvvv.
printf 'emulator_api_key: %s\nemulator_app_key: %s\n' "${api_key}" "${app_key}" > "${out}/keys.yml"
extra=(-e "emulator_url=${url}" -e "@${out}/keys.yml" -e "work_dir=${work}" -e "unwritable_dir=${unwritable}"
  -e "common_tasks=${repo_root}/tests/integration/common/tasks")

run() {  # run NAME PATH [ansible-playbook options...]: PATH is in_process or module
  local name=$1 path=$2 started
  shift 2
  local environment=()
  [ "${path}" = module ] && environment=(LLMOBS_IN_PROCESS=0)
  started=$(date +%s)
  env "${environment[@]}" timeout "${run_seconds}" ansible-playbook "${here}/${name}.yml" "${extra[@]}" "$@" \
    > "${out}/${name}-${path}.stdout" 2>&1 || { cat "${out}/${name}-${path}.stdout"; echo "== ${name}.yml failed on the ${path} path"; exit 1; }
  echo "== ${name}.yml on the ${path} path: passed in $(($(date +%s) - started)) s"
}

# With INTEGRATION_SCOPE=version (the older ansible-cores of `make test`), the module path runs only the
# records-file cases, where the action's side differs by path (it finds src on the controller and sends
# it to the module); the deletes, the servers and the lost answer are the module's own Python there,
# which the newest ansible-core runs on both paths. The in-process path runs every case on every version.
module_cases=()
[ "${scope}" = version ] && module_cases=(-e '{"hostile_cases": ["files", "dest"]}')
run runme in_process -e "messages_file=${out}/messages-in_process.json"
run runme module -e "messages_file=${out}/messages-module.json" "${module_cases[@]}"
diff -u "${out}/messages-in_process.json" "${out}/messages-module.json" \
  || { echo "the file cases were not reported the same on both paths"; exit 1; }

for path in in_process module; do
  run key_echo "${path}" -vvvv
  # Any 4 characters or more of the start or the end of either key: a whole key, or the part an excerpt cuts.
  for fragment in "${api_key:0:4}" "${api_key: -4}" "${app_key:0:4}" "${app_key: -4}"; do
    if grep -n -F -- "${fragment}" "${out}/key_echo-${path}.stdout"; then
      echo "key_echo.yml on the ${path} path printed ${fragment}, a part of a key, at -vvvv"
      exit 1
    fi
  done
done

passed=true
echo "hostile: every case passed on both paths"
