# shellcheck shell=bash
# Sourced by the runme.sh of the targets that run on every ansible-core of the matrix (the line
# `all_ansible_versions` in their aliases). Sets `scope` from INTEGRATION_SCOPE, which the Makefile
# gives every integration run (docs/testing.md):
#   full      everything the target checks: the newest ansible-core, and any run outside make
#   version   on the older ansible-cores: what depends on ansible-core's version (the action and the
#             in-process path, callbacks, both execution paths where the action's side differs); the
#             runs that only repeat the collection's own Python, which the newest makes, may be left out
# Anything else fails, rather than silently running less.
scope=${INTEGRATION_SCOPE:-full}
case "${scope}" in
  full | version) ;;
  *) echo "INTEGRATION_SCOPE must be full or version, not '${scope}'" >&2; exit 2 ;;
esac
echo "== integration scope: ${scope}"
