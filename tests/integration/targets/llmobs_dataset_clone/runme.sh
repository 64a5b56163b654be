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

workdir=$(mktemp -d)
"${PYTHON:-python3}" "${repo_root}/tests/emulator/run.py" --port 0 --api-key "${api_key}" --app-key "${app_key}" \
  > "${workdir}/url" 2> "${workdir}/emulator.log" &
emulator_pid=$!
trap 'kill "${emulator_pid}" 2>/dev/null || true; wait "${emulator_pid}" 2>/dev/null || true; rm -rf "${workdir}"' EXIT

for _ in $(seq 100); do
  [ -s "${workdir}/url" ] && break
  sleep 0.1
done
url=$(head -n 1 "${workdir}/url")
if [ -z "${url}" ]; then
  echo "the emulator did not start:" >&2
  cat "${workdir}/emulator.log" >&2
  exit 1
fi

ansible-playbook "${here}/runme.yml" \
  -e "emulator_url=${url}" -e "emulator_api_key=${api_key}" -e "emulator_app_key=${app_key}" "$@"
