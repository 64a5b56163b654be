# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Write the reference page of each module named (`make docs`, `make docs-check`).

    python tests/utils/module_docs.py DEST_DIR MODULE...

Each page is DEST_DIR/llmobs.datadog.<module>_module.rst, exactly what
`antsibull-docs plugin --fail-on-error --no-add-antsibull-docs-version --output-format simplified-rst
--plugin-type module --dest-dir DEST_DIR llmobs.datadog.<module>` writes: the same command, run for
every module in one Python process rather than one process each (the start of antsibull-docs is
most of what a page costs). Exits with the first non-zero status of a page.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import sys

from antsibull_docs.cli.antsibull_docs import run

OPTIONS = ['--fail-on-error', '--no-add-antsibull-docs-version', '--output-format', 'simplified-rst',
           '--plugin-type', 'module']


def main(argv):
    if len(argv) < 2:
        raise SystemExit('usage: module_docs.py DEST_DIR MODULE...')
    dest_dir = argv[0]
    for module in argv[1:]:
        status = run(['antsibull-docs', 'plugin'] + OPTIONS + ['--dest-dir', dest_dir, 'llmobs.datadog.%s' % module])
        if status:
            print('antsibull-docs failed on llmobs.datadog.%s' % module)
            return status
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
