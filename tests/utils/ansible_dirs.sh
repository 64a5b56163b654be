# shellcheck shell=bash
# Sourced by the test scripts that run Ansible. `keep_ansible_dirs_in DIR` points every directory
# Ansible writes in inside DIR, a temporary directory of the test: its home (local temp, galaxy
# cache, persistent connections), the remote temp, the async job files and ssh's control sockets.
# tests/support/ansible_dirs.py does the same for the Python suites; tests/unit/test_ansible_dirs.py
# keeps the two alike.
# Why: a test must not depend on HOME. When HOME is not the user's home directory, an async task
# on the local connection wrote its job file under $HOME while async_status looked for it in the
# home directory of the user, and failed with "could not find job".
keep_ansible_dirs_in() {
  export ANSIBLE_HOME="$1/ansible-home" ANSIBLE_LOCAL_TEMP="$1/local-tmp" \
    ANSIBLE_REMOTE_TEMP="$1/remote-tmp" ANSIBLE_ASYNC_DIR="$1/async" \
    ANSIBLE_SSH_CONTROL_PATH_DIR="$1/ssh-cp"
}
