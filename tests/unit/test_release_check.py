# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The release check of `make changelog-lint` (tests/utils/release_check.py), on made-up trees."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import shutil

import pytest
import yaml
from packaging.version import Version

from ansible_collections.llmobs.datadog.tests.utils.release_check import (
    REPO_ROOT,
    read_yaml,
    changelog_problems,
    generated_changelog,
    plugin_versions_added,
    problems,
    released_versions,
    version_problems,
)

V = Version
MODULE = '''
DOCUMENTATION = r"""
module: thing
short_description: A thing
version_added: %s
"""
'''


def make_tree(root, version='1.2.0', releases=(), version_added='1.2.0'):
    """A collection with the repository's changelog config, galaxy.yml's version and the given releases."""
    os.makedirs(os.path.join(root, 'changelogs', 'fragments'))
    os.makedirs(os.path.join(root, 'plugins', 'modules'))
    shutil.copy(os.path.join(REPO_ROOT, 'changelogs', 'config.yaml'), os.path.join(root, 'changelogs'))
    with open(os.path.join(root, 'galaxy.yml'), 'w') as handle:
        yaml.safe_dump({'namespace': 'llmobs', 'name': 'datadog', 'version': version}, handle)
    history = {'ancestor': None, 'releases': dict(
        (name, {'release_date': '2026-12-07', 'changes': {'minor_changes': ['thing - release %s.' % name]}})
        for name in releases)}
    with open(os.path.join(root, 'changelogs', 'changelog.yaml'), 'w') as handle:
        yaml.safe_dump(history, handle)
    with open(os.path.join(root, 'plugins', 'modules', 'thing.py'), 'w') as handle:
        handle.write(MODULE % version_added)
    return root


NEEDS_ANTSIBULL_CHANGELOG = pytest.mark.skipif(not shutil.which('antsibull-changelog'),
                                               reason='antsibull-changelog is in the newest virtualenv')


def no_generate(root):
    raise AssertionError('nothing to generate before the first release')


def test_the_repositorys_versions_agree():
    galaxy = read_yaml(REPO_ROOT, 'galaxy.yml')['version']
    assert version_problems(V(galaxy), released_versions(REPO_ROOT), plugin_versions_added(REPO_ROOT)) == []
    # The check reads the modules' version_added (an empty list would pass the line above).
    assert 'plugins/modules/llmobs_dataset_clone.py' in [path for path, dummy in plugin_versions_added(REPO_ROOT)]


@NEEDS_ANTSIBULL_CHANGELOG
def test_the_repositorys_changelog_is_the_generated_one():
    assert changelog_problems(REPO_ROOT, released_versions(REPO_ROOT)) == []


@pytest.mark.parametrize('galaxy, released, wrong', [
    ('1.1.0', [], False),                   # before the first release
    ('1.1.0', ['1.1.0'], False),            # the newest release
    ('1.2.0', ['1.0.0', '1.1.0'], False),   # being prepared
    ('1.0.0', ['1.0.0', '1.1.0'], True),    # released, but older than the newest
    ('1.0.5', ['1.0.0', '1.1.0'], True),    # neither released nor newer
])
def test_galaxy_version_is_the_newest_release_or_newer(galaxy, released, wrong):
    found = version_problems(V(galaxy), [V(name) for name in released], [])
    assert bool(found) == wrong
    if wrong:
        assert found == ['galaxy.yml: version %s is older than the newest release, 1.1.0, of changelogs/changelog.yaml: '
                         'set it to 1.1.0, or to the next version and release it with `antsibull-changelog release`'
                         % galaxy]


def test_version_added_names_a_release_or_the_version_being_prepared():
    released = [V('1.1.0')]
    assert version_problems(V('1.2.0'), released, [('a.py', '1.1.0'), ('b.py', '1.2.0')]) == []
    found = version_problems(V('1.2.0'), released, [('c.py', '1.0.0'), ('d.py', 'soon')])
    assert len(found) == 2
    assert found[0].startswith("c.py: version_added 1.0.0 is neither a release of changelogs/changelog.yaml (1.1.0) "
                               "nor the version being prepared, galaxy.yml's 1.2.0")
    assert found[1].startswith('d.py: version_added soon')


def test_a_plugin_with_an_unreleased_version_added_is_found(tmp_path):
    root = make_tree(str(tmp_path), version='1.1.0', version_added='1.0.0')
    assert problems(root, generate=no_generate) == [
        "plugins/modules/thing.py: version_added 1.0.0 is neither a release of changelogs/changelog.yaml (none yet) "
        "nor the version being prepared, galaxy.yml's 1.1.0"]


def test_no_changelog_before_the_first_release(tmp_path):
    root = make_tree(str(tmp_path))
    assert problems(root, generate=no_generate) == []
    with open(os.path.join(root, 'CHANGELOG.rst'), 'w') as handle:
        handle.write('made by hand\n')
    assert changelog_problems(root, [], generate=no_generate) == [
        'CHANGELOG.rst exists but changelogs/changelog.yaml has no release yet: remove it '
        '(`antsibull-changelog release` makes it)']


@NEEDS_ANTSIBULL_CHANGELOG
def test_changelog_must_be_what_antsibull_changelog_generates(tmp_path):
    root = make_tree(str(tmp_path), version='1.2.0', releases=['1.1.0', '1.2.0'])
    assert problems(root) == ['CHANGELOG.rst is missing though changelogs/changelog.yaml has releases: '
                              'run `antsibull-changelog generate`']
    text = generated_changelog(root)
    assert 'v1.2.0' in text and 'thing - release 1.1.0.' in text
    assert sorted(os.listdir(root)) == ['changelogs', 'galaxy.yml', 'plugins']  # nothing written in the tree
    with open(os.path.join(root, 'CHANGELOG.rst'), 'w') as handle:
        handle.write(text)
    assert problems(root) == []
    with open(os.path.join(root, 'CHANGELOG.rst'), 'w') as handle:
        handle.write(text.replace('release 1.1.0', 'release 1.1.0, edited by hand'))
    found = problems(root)
    assert len(found) == 1
    assert found[0].startswith('CHANGELOG.rst is not what `antsibull-changelog generate` makes from '
                               'changelogs/changelog.yaml: run it and commit the result')
    assert '\n-- thing - release 1.1.0, edited by hand.\n+- thing - release 1.1.0.\n' in found[0]  # the diff
