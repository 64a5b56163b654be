#!/usr/bin/env bash
# Every module's EXAMPLES, as written, against the emulator's demo data: tests/utils/module_examples.py
# refuses examples that set connection options on a task or a block, then writes one playbook that,
# for each module of plugins/modules, resets the emulator, runs the module's EXAMPLES under the
# play's module_defaults (the emulator's URL and keys, which it checks), and checks that their
# requests reached it. files/ holds what the examples read, copied beside the playbook
# ({{ playbook_dir }} in the examples). A new module's EXAMPLES are run as soon as its file exists.
# Works from ansible-test (cwd is this folder) and directly: tests/integration/targets/module_examples/runme.sh
set -euo pipefail
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
# Connection settings come from the play only: none from the environment.
unset DD_API_KEY DD_APP_KEY DD_APPLICATION_KEY DD_SITE

here=$(cd "$(dirname "$0")" && pwd)
repo_root=$(cd "${here}/../../../.." && pwd)
api_key=examples-api-key-5b0e93
app_key=examples-app-key-2c7d41

# shellcheck source=tests/utils/emulator.sh
. "${repo_root}/tests/utils/emulator.sh"
start_emulator --api-key "${api_key}" --app-key "${app_key}"
work=$(mktemp -d)
trap 'rm -rf "${work}"; stop_emulator' EXIT
# shellcheck source=tests/utils/ansible_dirs.sh
. "${repo_root}/tests/utils/ansible_dirs.sh"
keep_ansible_dirs_in "${work}"
cp -R "${here}/files/." "${work}/"

"${PYTHON:-python3}" "${repo_root}/tests/utils/module_examples.py" "${work}/examples.yml"
ansible-playbook "${work}/examples.yml" \
  -e "emulator_url=${EMULATOR_URL}" -e "emulator_api_key=${api_key}" -e "emulator_app_key=${app_key}" \
  -e "common_tasks=${repo_root}/tests/integration/common/tasks" "$@"
