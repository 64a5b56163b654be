# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The files the integration targets share have one source: tests/integration/common.

The task files are used from there (target.sh passes their folder as common_tasks); the runme.sh
each target needs is a generated copy (tests/utils/copy_integration_common.py).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import shutil

from ansible_collections.llmobs.datadog.tests.utils.copy_integration_common import (
    MARK,
    REPO_ROOT,
    SOURCE,
    TARGETS,
    marked_targets,
    runme_of,
    stale_copies,
    write_copy,
)

COMMON_TASKS = 'tests/integration/common/tasks'


def test_every_generated_runme_is_up_to_date():
    assert stale_copies(REPO_ROOT) == []


def test_the_emulator_targets_run_the_generated_runme():
    assert 'llmobs_project' in marked_targets(REPO_ROOT)
    assert 'llmobs_dataset_clone' in marked_targets(REPO_ROOT)


def test_no_target_keeps_a_copy_of_a_common_task_file():
    shared = {}
    for name in os.listdir(os.path.join(REPO_ROOT, COMMON_TASKS)):
        with open(os.path.join(REPO_ROOT, COMMON_TASKS, name), 'rb') as handle:
            shared[handle.read()] = name
    copies = []
    for folder, dummy, names in os.walk(os.path.join(REPO_ROOT, TARGETS)):
        for name in names:
            with open(os.path.join(folder, name), 'rb') as handle:
                if handle.read() in shared:
                    copies.append(os.path.relpath(os.path.join(folder, name), REPO_ROOT))
    assert copies == [], 'include "{{ common_tasks }}/<file>" instead of a copy'


def copy_of_the_source_tree(tmp_path, targets):
    """A tree with the common runme.sh and targets whose runme.sh are fresh generated copies."""
    os.makedirs(str(tmp_path / os.path.dirname(SOURCE)))
    shutil.copy(os.path.join(REPO_ROOT, SOURCE), str(tmp_path / SOURCE))
    for target in targets:
        os.makedirs(str(tmp_path / TARGETS / target))
        write_copy(str(tmp_path), target)
    return str(tmp_path)


def test_an_edited_copy_is_named(tmp_path):
    root = copy_of_the_source_tree(tmp_path, ['kept', 'edited'])
    with open(os.path.join(root, runme_of('edited')), 'a') as handle:
        handle.write('echo edited by hand\n')

    assert stale_copies(root) == [
        '%s differs from %s: run `python3 tests/utils/copy_integration_common.py`' % (runme_of('edited'), SOURCE)]


def test_a_copy_without_its_mark_is_named(tmp_path):
    root = copy_of_the_source_tree(tmp_path, ['unmarked'])
    shutil.copy(os.path.join(root, SOURCE), os.path.join(root, runme_of('unmarked')))

    assert stale_copies(root) == [
        '%s is a copy of %s without the mark of a generated file: run '
        '`python3 tests/utils/copy_integration_common.py unmarked`' % (runme_of('unmarked'), SOURCE)]


def test_a_copy_that_cannot_run_is_named(tmp_path):
    root = copy_of_the_source_tree(tmp_path, ['plain'])
    os.chmod(os.path.join(root, runme_of('plain')), 0o644)

    assert stale_copies(root) == ['%s is not executable: run `python3 tests/utils/copy_integration_common.py`'
                                  % runme_of('plain')]


def test_a_runme_of_its_own_is_left_alone(tmp_path):
    root = copy_of_the_source_tree(tmp_path, [])
    os.makedirs(os.path.join(root, TARGETS, 'own'))
    with open(os.path.join(root, runme_of('own')), 'w') as handle:
        handle.write('#!/usr/bin/env bash\necho a target of its own\n')

    assert stale_copies(root) == [] and marked_targets(root) == []
    assert MARK.startswith('# Generated from tests/integration/common/runme.sh')
