#!/usr/bin/env bash
# Run `ansible-test sanity` on a real copy of the collection.
#
# ansible-test refuses to work through a symlink and wants the collection at
# <dir>/ansible_collections/<namespace>/<name>; it also bootstraps pip in its own venvs with a
# script it downloads from outside the package registries, so a stand-in is put in its cache.
# Usage: tests/utils/run-sanity.sh <venv bin dir> [ansible-test sanity options...]
set -euo pipefail

bin_dir=$1
shift
repo_root=$(cd "$(dirname "$0")/../.." && pwd)
# The copy must live outside this git checkout, or ansible-test lists files with the checkout's
# git and skips everything that build/ hides. Its HOME (venv cache) may stay under build/.
work_root=$(mktemp -d "${TMPDIR:-/tmp}/llmobs-datadog-sanity.XXXXXX")
trap 'rm -rf "${work_root}"' EXIT
collection_dir="${work_root}/ansible_collections/llmobs/datadog"
test_home="${repo_root}/build/ansible-test-home"

pip_version=$("${bin_dir}/python" -c 'from ansible_test._internal.python_requirements import get_venv_packages
from types import SimpleNamespace
print(get_venv_packages(SimpleNamespace(version="3.11"))["pip"])')
cache_dir="${test_home}/.ansible/test/cache"
mkdir -p "${cache_dir}"
cp "${repo_root}/tests/utils/ansible_test_get_pip.py" "${cache_dir}/get_pip_${pip_version//./_}.py"
# The pip wheel it installs in each of ansible-test's venvs, fetched once from the package index.
if [ ! -e "${cache_dir}/pip-${pip_version}-py3-none-any.whl" ]; then
  "${bin_dir}/python" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --dest "${cache_dir}" "pip==${pip_version}"
fi

# A fresh copy of the files git knows about (tracked, or new and not ignored).
mkdir -p "${collection_dir}"
cd "${repo_root}"
while IFS= read -r -d '' path; do
  [ -e "${path}" ] && cp --parents -- "${path}" "${collection_dir}"
done < <(git ls-files -z --cached --others --exclude-standard)

cd "${collection_dir}"
# ansible-test keeps its venvs under $HOME; a private HOME keeps the user's own untouched. It tests
# this copy alone: the checkout's editable link (ANSIBLE_COLLECTIONS_PATH, PYTHONPATH) stays out.
env -u ANSIBLE_COLLECTIONS_PATH -u PYTHONPATH HOME="${test_home}" PATH="${bin_dir}:${PATH}" \
  "${bin_dir}/ansible-test" sanity --venv --python 3.11 "$@"
