#!/usr/bin/env bash
# Start the emulator, run this target's playbook against it, stop the emulator.
# shellcheck source=tests/utils/target.sh
. "$(dirname "$0")/../../../utils/target.sh"
run_target_against_emulator -- "$@"
