# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Write the runme.sh of the emulator integration targets from tests/integration/common/runme.sh.

Every target needs a runme.sh of its own (ansible-test and the Makefile find a target by it), and
the emulator targets all need the same one. Each copy is marked as generated on its second line;
tests/unit/test_integration_common.py fails when a marked copy differs from what this script
writes, or when a target holds an unmarked copy.

    python3 tests/utils/copy_integration_common.py            rewrite every marked copy
    python3 tests/utils/copy_integration_common.py TARGET...  also give these targets a copy
    python3 tests/utils/copy_integration_common.py --check    list the copies that are not up to date

A target with a runme.sh of its own (no mark) is left alone unless it is named.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import stat
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = 'tests/integration/common/runme.sh'
TARGETS = 'tests/integration/targets'
COMMAND = 'python3 tests/utils/copy_integration_common.py'
MARK = '# Generated from %s by `%s`: edit that file, then run the command.\n' % (SOURCE, COMMAND)
EXECUTABLE = stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH


def read(root, path):
    with open(os.path.join(root, path)) as handle:
        return handle.read()


def generated_copy(root):
    """The text of a target's runme.sh: the source, with the mark after its shebang line."""
    shebang, rest = read(root, SOURCE).split('\n', 1)
    return shebang + '\n' + MARK + rest


def runme_of(target):
    return '%s/%s/runme.sh' % (TARGETS, target)


def runme_scripts(root):
    """(target, text of its runme.sh) for every target that has one."""
    for target in sorted(os.listdir(os.path.join(root, TARGETS))):
        if os.path.isfile(os.path.join(root, runme_of(target))):
            yield target, read(root, runme_of(target))


def marked_targets(root):
    """The targets whose runme.sh is a generated copy, by name."""
    return [target for target, text in runme_scripts(root) if MARK in text]


def stale_copies(root):
    """What is wrong with the copies, one sentence each naming the file; empty when all is well."""
    expected = generated_copy(root)
    source = read(root, SOURCE)
    problems = []
    for target, text in runme_scripts(root):
        path = runme_of(target)
        if MARK in text:
            if text != expected:
                problems.append('%s differs from %s: run `%s`' % (path, SOURCE, COMMAND))
            elif not os.stat(os.path.join(root, path)).st_mode & stat.S_IXUSR:
                problems.append('%s is not executable: run `%s`' % (path, COMMAND))
        elif text == source:
            problems.append('%s is a copy of %s without the mark of a generated file: run `%s %s`'
                            % (path, SOURCE, COMMAND, target))
    return problems


def write_copy(root, target):
    path = os.path.join(root, runme_of(target))
    with open(path, 'w') as handle:
        handle.write(generated_copy(root))
    os.chmod(path, os.stat(path).st_mode | EXECUTABLE)


def main(arguments):
    if arguments == ['--check']:
        problems = stale_copies(REPO_ROOT)
        for problem in problems:
            print(problem)
        sys.exit(1 if problems else 0)
    for target in sorted(set(marked_targets(REPO_ROOT)) | set(arguments)):
        if not os.path.isdir(os.path.join(REPO_ROOT, TARGETS, target)):
            sys.exit('no such integration target: %s' % target)
        write_copy(REPO_ROOT, target)
        print(runme_of(target))


if __name__ == '__main__':
    main(sys.argv[1:])
