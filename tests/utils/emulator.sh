# shellcheck shell=bash
# Sourced by the scripts that need the emulator in the background (runme.sh of the integration
# target, demo.sh). `start_emulator [run.py options...]` starts it on a free port of 127.0.0.1,
# sets EMULATOR_URL, and stops it (and removes its files) when the calling script exits.
# It also gives the playbooks of the calling script the emulator_request action
# (tests/integration/common/action_plugins).
# Users start it with `ansible-playbook llmobs.datadog.emulator` instead (docs/emulator.md).

start_emulator() {
  local repo_root
  repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  # The playbooks send their own requests to the emulator (resets, faults) with the emulator_request
  # action, in the controller: ansible.builtin.uri would start a module process for each.
  export ANSIBLE_ACTION_PLUGINS="${repo_root}/tests/integration/common/action_plugins${ANSIBLE_ACTION_PLUGINS:+:${ANSIBLE_ACTION_PLUGINS}}"
  emulator_dir=$(mktemp -d)
  "${PYTHON:-python3}" "${repo_root}/tests/emulator/run.py" --port 0 "$@" \
    > "${emulator_dir}/url" 2> "${emulator_dir}/emulator.log" &
  emulator_pid=$!
  trap 'stop_emulator' EXIT
  for _ in $(seq 200); do
    [ -s "${emulator_dir}/url" ] && break
    kill -0 "${emulator_pid}" 2>/dev/null || break   # it stopped: bad options, a busy port (one line in the log)
    sleep 0.1
  done
  EMULATOR_URL=$(head -n 1 "${emulator_dir}/url")
  if [ -z "${EMULATOR_URL}" ]; then
    echo "the emulator did not start:" >&2
    cat "${emulator_dir}/emulator.log" >&2
    exit 1
  fi
}

stop_emulator() {
  kill "${emulator_pid}" 2>/dev/null || true
  wait "${emulator_pid}" 2>/dev/null || true
  rm -rf "${emulator_dir}"
  if [ -n "${EMULATOR_STOP_MESSAGE:-}" ]; then
    printf '\n%s\n' "${EMULATOR_STOP_MESSAGE}"
  fi
}
