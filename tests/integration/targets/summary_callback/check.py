# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What runme.sh's runs must have printed and written (each command exits 1 with the differences).

    check.py records FILE COUNT               write COUNT records with ids to FILE (JSON lines)
    check.py reset URL                        reset the emulator to its demo seed
    check.py path OUT PATH API_KEY APP_KEY [RUNS]
                                              the runs of one execution path: RUNS is check,applied
                                              (the default), or applied alone
    check.py rest OUT                         the run configured in ansible.cfg, and the run without llmobs tasks
"""

import json
import os
import re
import sys
import urllib.request

BANNER = 'LLMOBS.DATADOG SUMMARY'
FAILED_LOOKUP = ('failed (ignored)', 'Look up a project that does not exist')
DRY_RUN = 'dry run (check mode: nothing was sent)'

CHECK_ROWS = [
    ('ok', 'Keep the project', 'project demo-project: unchanged'),
    ('changed', 'Describe the dataset', 'dataset capitals: description would be updated'),
    ('changed', 'Sync the records', 'dataset capitals: would change records +1,200 ~0 -5, new version'),
    ('changed', 'Clone for the experiments', 'clone capitals-v2: would be created'),
    ('changed', 'Clone for the experiments', 'clone capitals-v3: would be created'),
]
APPLIED_ROWS = [
    ('ok', 'Keep the project', 'project demo-project: unchanged'),
    ('changed', 'Describe the dataset', 'dataset capitals: description updated'),
    ('changed', 'Sync the records', 'dataset capitals: records +1,200 ~0 -5, new version'),
    ('changed', 'Clone for the experiments', 'clone capitals-v2: created'),
    ('changed', 'Clone for the experiments', 'clone capitals-v3: created'),
]
AGAIN_ROWS = [
    ('ok', 'Keep the project', 'project demo-project: unchanged'),
    ('ok', 'Describe the dataset', 'dataset capitals: unchanged'),
    ('ok', 'Sync the records', 'dataset capitals: records unchanged (1,200 declared records)'),
    ('ok', 'Clone for the experiments', 'clone capitals-v2: already exists'),
    ('ok', 'Clone for the experiments', 'clone capitals-v3: already exists'),
]
# The read of the seed's 5 records, then 1,200 inserts and the 5 deletes: two requests of at most 1,000 changes.
PROGRESS_LINES = ['dataset capitals: 5 records read in all.',
                  'dataset capitals: 1,000 of 1,205 changes written in 1 request so far.',
                  'dataset capitals: 1,205 of 1,205 changes written in 2 requests.']

problems = []


def expect(condition, message):
    if not condition:
        problems.append(message)


def read(path):
    with open(path, encoding='utf-8') as handle:
        return handle.read()


def printed_table(stdout):
    """(heading, rows) of the table the callback printed at the end of the run, or None."""
    lines = stdout.splitlines()
    starts = [number for number, line in enumerate(lines) if line.startswith(BANNER)]
    if not starts:
        return None
    body = [line for line in lines[starts[-1] + 1:] if line.strip()]
    return body[0], [tuple(re.split(r'\s{2,}', line.strip(), maxsplit=2)) for line in body[1:]]


def markdown_sections(text):
    """Every table the callback appended: (heading, tally, rows)."""
    sections = []
    for block in text.split('### llmobs.datadog: ')[1:]:
        lines = block.strip().splitlines()
        rows = [tuple(cell.strip().replace('\\|', '|') for cell in re.split(r'(?<!\\)\|', line)[1:-1])
                for line in lines[6:]]
        sections.append((lines[0], lines[2], lines[4:6], rows))
    return sections


def check_rows(name, rows, expected):
    expect(rows[:-1] == expected, '%s: rows %r, expected %r' % (name, rows[:-1], expected))
    last = rows[-1] if rows else ()
    expect(last[:2] == FAILED_LOOKUP and 'no-such-project' in last[2],
           '%s: the last row must be the failed lookup naming no-such-project, got %r' % (name, last))


def check_run(out, name, mode, tally, expected):
    table = printed_table(read(os.path.join(out, name + '.stdout')))
    if table is None:
        problems.append('%s: no %s table in stdout' % (name, BANNER))
        return
    heading, rows = table
    expect(heading == '%s: %s' % (mode, tally), '%s: heading %r' % (name, heading))
    check_rows(name, rows, expected)


def check_markdown(name, section, mode, tally, column, expected):
    heading, found_tally, header, rows = section
    expect(heading == mode, '%s: Markdown heading %r, expected %r' % (name, heading, mode))
    expect(found_tally == tally, '%s: Markdown tally %r' % (name, found_tally))
    expect(header == ['| | Task | %s |' % column, '| --- | --- | --- |'], '%s: Markdown header %r' % (name, header))
    check_rows(name + ' (Markdown)', rows, expected)


RUNS = {
    'check': (DRY_RUN, 'What it would do', CHECK_ROWS),
    'applied': ('applied', 'What it did', APPLIED_ROWS),
}


def check_path(out, path, api_key, app_key, runs='check,applied'):
    runs = runs.split(',')
    for run in runs:
        mode, dummy, rows = RUNS[run]
        check_run(out, '%s-%s' % (path, run), mode, '4 changed, 1 ok, 1 failed', rows)
    sections = markdown_sections(read(os.path.join(out, path + '-step-summary.md')))
    expect(len(sections) == len(runs), '%s: %d tables in the step summary, expected %d' % (path, len(sections), len(runs)))
    if len(sections) == len(runs):
        for run, section in zip(runs, sections):
            mode, column, rows = RUNS[run]
            check_markdown('%s-%s' % (path, run), section, mode, '4 changed, 1 ok, 1 failed', column, rows)
    stderr = read(os.path.join(out, path + '-applied.stderr')).splitlines()
    progress = [line for line in stderr if line.startswith('dataset capitals: ')]
    listed = [line for line in stderr if line.startswith('Listing ') and ' read in all.' in line]
    if path == 'in_process':
        expect(progress == PROGRESS_LINES, 'in_process: progress lines %r, expected %r' % (progress, PROGRESS_LINES))
        expect(listed, 'in_process: no progress line of the lookups (Listing ...: read in all.)')
    else:
        expect(progress == listed == [], 'module path: progress lines %r, expected none (it cannot show any)'
               % (progress + listed))
    for name in ['%s-%s.%s' % (path, run, stream) for run in runs for stream in ('stdout', 'stderr')] + [path + '-step-summary.md']:
        text = read(os.path.join(out, name))
        expect(api_key not in text and app_key not in text, '%s: a key was printed' % name)


def check_rest(out):
    check_run(out, 'again', 'applied', '5 ok, 1 failed', AGAIN_ROWS)
    sections = markdown_sections(read(os.path.join(out, 'cfg-summary.md')))
    expect(len(sections) == 1, 'ansible.cfg path: %d tables, expected 1' % len(sections))
    if sections:
        check_markdown('again', sections[0], 'applied', '5 ok, 1 failed', 'What it did', AGAIN_ROWS)
    expect(not os.path.exists(os.path.join(out, 'again-step-summary.md')),
           'github_step_summary = false in ansible.cfg, but the step summary was written')
    expect(BANNER not in read(os.path.join(out, 'no_llmobs.stdout')), 'no_llmobs: the callback printed a table')
    expect(not os.path.exists(os.path.join(out, 'no-llmobs-step-summary.md')), 'no_llmobs: a step summary was written')


def main(argv):
    command = argv[0]
    if command == 'records':
        with open(argv[1], 'w', encoding='utf-8') as handle:
            for number in range(int(argv[2])):
                handle.write(json.dumps({'id': 'q-%05d' % number, 'input': {'question': 'Question %d?' % number},
                                         'expected_output': {'answer': 'Answer %d' % number}}) + '\n')
        return 0
    if command == 'reset':
        request = urllib.request.Request(argv[1] + '/_emulator/reset', data=b'', method='POST')
        with urllib.request.urlopen(request, timeout=10) as answer:
            return 0 if answer.status == 200 else 1
    if command == 'path':
        check_path(*argv[1:])
    elif command == 'rest':
        check_rest(argv[1])
    else:
        raise SystemExit(__doc__)
    for problem in problems:
        print('FAILED: ' + problem)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
