# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Stand-in for the get-pip.py that ansible-test downloads to bootstrap pip in its venvs.

ansible-test fetches that script from a host outside the package registries. This one installs
the requested pip from a pip wheel kept beside it (tests/utils/run-sanity.sh downloads it from the
package index once), running pip straight from that wheel: one step per venv. Without the wheel
it gets pip from the Python standard library (ensurepip) and then the requested version from the
package index. run-sanity.sh puts this script where ansible-test looks for its cached copy.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import glob
import os
import subprocess
import sys

IGNORED_OPTIONS = ('--no-setuptools', '--no-wheel')


def main():
    arguments = [arg for arg in sys.argv[1:] if arg not in IGNORED_OPTIONS]
    here = os.path.dirname(os.path.abspath(__file__))
    wheels = sorted(glob.glob(os.path.join(here, 'pip-*-py3-none-any.whl')))
    if wheels:
        # pip runs from its own wheel; it finds what it is asked for among the wheels beside it.
        command = [sys.executable, os.path.join(wheels[-1], 'pip'), 'install', '--no-index', '--find-links', here]
        if subprocess.call(command + arguments) == 0:
            return
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
    subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--upgrade'] + arguments)


if __name__ == '__main__':
    main()
