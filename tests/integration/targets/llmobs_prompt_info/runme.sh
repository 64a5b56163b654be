#!/usr/bin/env bash
# Generated from tests/integration/common/runme.sh by `python3 tests/utils/copy_integration_common.py`: edit that file, then run the command.
# Start the emulator, run this target's playbook against it, stop the emulator.
# shellcheck source=tests/utils/target.sh
. "$(dirname "$0")/../../../utils/target.sh"
run_target_against_emulator -- "$@"
