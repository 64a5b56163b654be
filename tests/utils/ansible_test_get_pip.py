# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Stand-in for the get-pip.py that ansible-test downloads to bootstrap pip in its venvs.

ansible-test fetches that script from a host outside the package registries; this one gets pip
from the Python standard library (ensurepip) and then installs the requested version from the
package index. tests/utils/run-sanity.sh puts it where ansible-test looks for its cached copy.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import subprocess
import sys

IGNORED_OPTIONS = ('--no-setuptools', '--no-wheel')


def main():
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
    arguments = [arg for arg in sys.argv[1:] if arg not in IGNORED_OPTIONS]
    subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--upgrade'] + arguments)


if __name__ == '__main__':
    main()
