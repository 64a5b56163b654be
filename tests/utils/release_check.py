# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Check that the release history and the version agree (run by `make changelog-lint`).

    python tests/utils/release_check.py [ROOT]

- galaxy.yml's version is the newest release of changelogs/changelog.yaml, or newer than every
  release (the version being prepared); an older one is an error, released or not.
- CHANGELOG.rst is exactly what `antsibull-changelog generate` makes from changelogs/changelog.yaml,
  and exists once there is a release (none before).
- Each plugin's version_added names a release or the version being prepared.

Every problem is one line naming the file and the command that fixes it; exit code 1 if any.
docs/releasing.md is the procedure this guards.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast
import difflib
import glob
import os
import shutil
import subprocess
import sys
import tempfile

import yaml
from packaging.version import InvalidVersion, Version

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHANGELOG = 'CHANGELOG.rst'
CHANGES = 'changelogs/changelog.yaml'
GENERATE = 'antsibull-changelog generate'
RELEASE = 'antsibull-changelog release'


def read_yaml(root, path):
    with open(os.path.join(root, path)) as handle:
        return yaml.safe_load(handle) or {}


def _version(text, where):
    try:
        return Version(str(text))
    except InvalidVersion:
        raise ValueError('%s: %r is not a version' % (where, text))


def released_versions(root):
    """The versions of changelogs/changelog.yaml, oldest first."""
    releases = read_yaml(root, CHANGES).get('releases') or {}
    return sorted(_version(name, '%s: release' % CHANGES) for name in releases)


def plugin_versions_added(root):
    """(path, version_added) of every plugin that declares one in its DOCUMENTATION."""
    for path in sorted(glob.glob(os.path.join(root, 'plugins', '*', '*.py'))):
        with open(path) as handle:
            tree = ast.parse(handle.read(), path)
        for node in tree.body:
            if (isinstance(node, ast.Assign) and any(getattr(target, 'id', None) == 'DOCUMENTATION' for target in node.targets)
                    and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
                added = (yaml.safe_load(node.value.value) or {}).get('version_added')
                if added is not None:
                    yield os.path.relpath(path, root), str(added)


def version_problems(galaxy_version, released, versions_added):
    """What is wrong with galaxy.yml's version and the plugins' version_added, one line each."""
    problems = []
    newest = released[-1] if released else None
    if newest is not None and galaxy_version < newest:
        problems.append('galaxy.yml: version %s is older than the newest release, %s, of %s: set it to %s, or to the '
                        'next version and release it with `%s`' % (galaxy_version, newest, CHANGES, newest, RELEASE))
    known = set(released) | {galaxy_version}
    for path, added in versions_added:
        try:
            valid = _version(added, path) in known
        except ValueError:
            valid = False
        if not valid:
            releases = ', '.join(map(str, released)) or 'none yet'
            problems.append('%s: version_added %s is neither a release of %s (%s) nor the version being prepared, '
                            'galaxy.yml\'s %s' % (path, added, CHANGES, releases, galaxy_version))
    return problems


def generated_changelog(root):
    """The text `antsibull-changelog generate` makes from changelogs/changelog.yaml (nothing is written in root)."""
    work = tempfile.mkdtemp(prefix='release-check-')
    try:
        output = os.path.join(work, CHANGELOG)
        subprocess.run(['antsibull-changelog', 'generate', '--output', output, '--output-format', 'rst'], cwd=root,
                       check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
        with open(output) as handle:
            return handle.read()
    finally:
        shutil.rmtree(work)


def changelog_problems(root, released, generate=generated_changelog):
    path = os.path.join(root, CHANGELOG)
    if not released:
        if os.path.exists(path):
            return ['%s exists but %s has no release yet: remove it (`%s` makes it)' % (CHANGELOG, CHANGES, RELEASE)]
        return []
    if not os.path.exists(path):
        return ['%s is missing though %s has releases: run `%s`' % (CHANGELOG, CHANGES, GENERATE)]
    with open(path) as handle:
        committed = handle.read()
    expected = generate(root)
    if committed == expected:
        return []
    diff = ''.join(difflib.unified_diff(committed.splitlines(True), expected.splitlines(True), CHANGELOG,
                                        'generated from %s' % CHANGES, n=1))
    return ['%s is not what `%s` makes from %s: run it and commit the result\n%s' % (CHANGELOG, GENERATE, CHANGES, diff)]


def problems(root, generate=generated_changelog):
    try:
        galaxy_version = _version(read_yaml(root, 'galaxy.yml').get('version'), 'galaxy.yml: version')
        released = released_versions(root)
    except ValueError as error:
        return [str(error)]
    return (version_problems(galaxy_version, released, plugin_versions_added(root))
            + changelog_problems(root, released, generate))


def main(argv):
    root = os.path.abspath(argv[0] if argv else REPO_ROOT)
    found = problems(root)
    for problem in found:
        print(problem)
    if not found:
        released = released_versions(root)
        print('release history: %s; galaxy.yml version %s' % (
            'releases %s, %s up to date' % (', '.join(map(str, released)), CHANGELOG) if released else 'no release yet',
            read_yaml(root, 'galaxy.yml').get('version')))
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
