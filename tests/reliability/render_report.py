# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Write docs/reliability.md from the outcomes the reliability run recorded in build/reliability/.

Run by `make reliability` after the suite (tests/reliability/) and the concurrency measurement;
nothing in the tables is typed by hand. ``--section hostile`` rewrites only the section "Hostile
files and servers" of the existing report, from the outcomes of a run of
tests/reliability/test_hostile.py alone (the other sections stay as they are); ``--section versions``
likewise the section "Restore, export and prune, by fault class", from a run of
tests/reliability/test_version_writes.py alone; ``--section experiments`` the section "Experiment
updates, deletes, prunes and scores, by fault", from a run of tests/reliability/test_experiment_writes.py alone;
``--section evaluators-prompts`` the section "Evaluators and prompts, by fault class", from a run of
tests/reliability/test_evaluator_prompt_writes.py alone.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import datetime
import json
import os
import platform
import sys

HERE = os.path.dirname(os.path.realpath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
RESULTS = os.path.join(REPO_ROOT, 'build', 'reliability')
REPORT = os.path.join(REPO_ROOT, 'docs', 'reliability.md')

RETRY_POLICY = """\
## The retry policy, in plain words

- **Nothing is sent until every option checks out.** Bad input fails at once with a message that
  names the option; the tables below show that no request reaches the server.
- **A rate limit (HTTP 429) is waited out.** The request was refused, so nothing happened: the
  module waits the number of seconds Datadog gives in `X-RateLimit-Reset` (at least 1, at most
  60; 1, 2, 4 ... seconds when the header is missing) and sends the same request again.
- **Reads are simply tried again.** A lookup that gets HTTP 408, 500, 502, 503 or 504, times out,
  loses its connection, or gets a 2xx it cannot read (empty or broken JSON) is sent again after
  1, 2, 4 ... seconds (at most 30).
- **Updates are tried again too.** A `PATCH` sets values, so sending it twice is harmless.
- **Creates, clones and deletes are never sent twice blindly.** When the answer is lost or is a
  5xx, the write may have happened anyway. The module looks the result up (the name after a
  create or a clone, the id after a delete), for up to `wait_timeout` seconds because lists lag
  behind writes. If the lookup shows it was done, that is the result (with a warning); only if it
  was not is the write sent again. If every try fails, the message says that a lookup found
  nothing, so nothing was created (or deleted). If the lookup itself cannot read, the failure is
  the write's, and says that it may have been carried out: its outcome is unknown. A write whose earlier try got no clear answer is
  never reported as not done: a later refusal leaves its outcome unknown. Records without ids are
  not sent again at all after a lost answer (they would be written twice): the run stops, saying
  the outcome is unknown, and the next run converges.
- **Every request and every list is bounded in time.** `timeout` bounds a request from
  connecting to its last byte, so a server that drips its answer fails it; `list_timeout` bounds
  every page of a list together, so a list that never ends stops, saying what was read.
- **Some failures are final at once:** HTTP 400, 401, 403 and 404 (another try gives the same
  answer), a redirect (never followed, so the keys only go to the configured host), and a TLS
  certificate that does not verify.
- `retries` (default 3, from 1 to 20) bounds the re-sends of each request, whichever step
  retries it. Every retry is reported as a warning with its reason and its delay.
"""


def load(name):
    path = os.path.join(RESULTS, name + '.json')
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        return json.load(handle)


def cell(text, limit=None):
    text = str(text).replace('|', '\\|').replace('\n', ' ')
    if limit and len(text) > limit:
        text = text[:limit].rstrip() + '...'
    return text


def table(headers, rows):
    lines = ['| ' + ' | '.join(headers) + ' |', '|' + '|'.join([' --- '] * len(headers)) + '|']
    lines.extend('| ' + ' | '.join(cell(value) for value in row) + ' |' for row in rows)
    return '\n'.join(lines)


HOSTILE_TITLE = '## Hostile files and servers'
# The section that follows it in the report: where it goes when the report has none yet.
HOSTILE_BEFORE = '## Bad input'


def _paths_of(rows, key):
    """Rows of both paths merged where they agree on ``key``: (row, 'both' or the path)."""
    merged, order = {}, []
    for row in rows:
        if row['case'] not in merged:
            merged[row['case']] = []
            order.append(row['case'])
        merged[row['case']].append(row)
    out = []
    for case in order:
        same = merged[case]
        if len(same) > 1 and len(set(r[key] for r in same)) == 1:
            out.append((same[0], 'both'))
        else:
            out.extend((r, r['path']) for r in same)
    return out


def hostile_section(servers, files, file_runs, ansible_version):
    """The section "Hostile files and servers" (a list of lines), from tests/reliability/test_hostile.py."""
    lost = [r for r in servers if r['case'].startswith('lost answer')]
    bounded = [r for r in servers if not r['case'].startswith('lost answer')]
    out = [HOSTILE_TITLE, '',
           'What a server or a records file may do to a playbook that trusts it, from '
           '`tests/reliability/test_hostile.py` (ansible-core %s, %s). Every case is a real `ansible-playbook '
           '-vvvv --diff` run, once in the controller (the default path) and once as a module '
           '(`LLMOBS_IN_PROCESS=0`); the integration target `tests/integration/targets/hostile` runs the same cases, '
           'and the deletes that take more than the user named, on every ansible-core of the matrix. The hostile '
           'servers are faults of the emulator (`docs/emulator.md`, "Hostile servers"). In every run the suite '
           'searched stdout, stderr and the registered results for the keys: none was found.'
           % (ansible_version, datetime.date.today().isoformat()), '']
    if bounded:
        longest = max(r['seconds'] for r in bounded)
        out += ['### Servers that never finish an answer, or repeat the key', '',
                'Options: `timeout: 2`, `retries: 1`, and `list_timeout: 1` for the endless lists. "Seconds" is the '
                'whole `ansible-playbook` run, its start included; "requests" counts the API requests the emulator '
                'received. For the echoed key the suite also searched for its first and its last 4 characters, a '
                'part that an excerpt of the page could cut: neither was printed.', '']
        out.append(table(['case', 'what the server does', 'path', 'outcome', 'seconds', 'requests', 'message'],
                         [[r['case'], r['what'], r['path'], '**%s**' % r['outcome'], r['seconds'], r['requests'],
                           cell(r['message'], 480)] for r in bounded]))
        out += ['', '%d runs; each ended with a clear failure, the longest after %s seconds (before, a server that '
                'dripped its answers held a task past 90 seconds, and an endless list ran for 10,000 pages).'
                % (len(bounded), longest), '']
    if lost:
        out += ['### A lost batch_update answer while reads lag longer than wait_timeout', '',
                lost[0]['what'][0].upper() + lost[0]['what'][1:] + '. A batch of records keyed by input cannot '
                'be proven written, and sending it again would write every record twice: the run stops and says '
                'so. With ids, a batch sent again is refused for ids of its own, which proves the first attempt '
                'landed. Then, once the records show, the same task runs again. In every case the dataset holds '
                'each record once, the run reports `changed`, and no message says "not written".', '']
        out.append(table(['case', 'path', 'expected', 'outcome', 'batch_update requests', 'first run', 'the re-run'],
                         [[r['case'], r['path'], r['expected'],
                           '**%s**' % r['outcome'] + (' (changed)' if r['changed'] else ''), r['requests'],
                           cell(' '.join([r['message']] + ['Warning: %s' % w for w in r.get('warnings') or []])),
                           cell(r['rerun'], 160)] for r in lost]))
        out.append('')
    if files:
        seconds = ', '.join('%s s on the %s path' % (r['seconds'], r['path']) for r in file_runs or [])
        out += ['### Records files that must be refused', '',
                'Each file is synced with `purge: true` into a dataset of 5 records, every case in one playbook run '
                'per path%s. Each is refused before any request: the emulator\'s request log stays empty and the '
                'dataset keeps its records and its version. "Both" means the two paths said exactly the same.'
                % (' (%s)' % seconds if seconds else ''), '']
        out.append(table(['case', 'the file', 'path', 'message'],
                         [[r['case'], r['what'], path, cell(r['message'], 240)] for r, path in _paths_of(files, 'message')]))
        out.append('')
    return out


VERSIONS_TITLE = '## Restore, export and prune, by fault class'


def versions_section(rows, check_rows, bounds, ansible_version):
    """The section "Restore, export and prune, by fault class" (a list of lines), from
    tests/reliability/test_version_writes.py."""
    cases = []
    for row in rows:
        if row['case'] not in cases:
            cases.append(row['case'])
    reruns = sorted(set(r['case'] for r in rows if r['outcome'] == 'failure'))
    out = [VERSIONS_TITLE, '',
           'From `tests/reliability/test_version_writes.py` (ansible-core %s, %s): %d fault classes, each one '
           '`ansible-playbook -vvvv --diff` run of three tasks, with the fault on each task\'s own requests (the '
           'operations of one module are never those of another, so the faults do not meet the other tasks; two faults '
           'on one operation are met in turn):'
           % (ansible_version, datetime.date.today().isoformat(), len(cases)), '',
           '- `llmobs_dataset_restore` brings a dataset of 20 records back to its version 1 (2 records back, 2 changed '
           'back, 2 removed), holding the draft lock (`lock: true`);',
           '- `llmobs_dataset_records_info` writes version 1 of a dataset of 600 records (about 110 KB of CSV, with '
           'commas, quotes, line breaks and non-ASCII text in its cells) with `format: csv` over an existing file;',
           '- `llmobs_dataset_prune` applies `keep: 1`, `older_than: 1d` and `protect_used_within: 30d` to six datasets '
           'matching `rel-prune-*`, beside their source `rel-prune`: three to delete (10, 20 and 30 days old, the last '
           'used by an experiment 60 days ago) and three to keep (the newest, one 2 hours old, one an experiment used '
           'yesterday).', '',
           'Options: `timeout: 1`, `retries: 2`, `wait_timeout: 2` (4 in the class `timeout`), and for the export '
           '`list_timeout: 4` (2 in the class `drip`). After each run the suite checks the emulator\'s state and the '
           'file: **restore**, the dataset\'s versions show exactly one restore landed and its records equal version '
           '1\'s, or after a failure none landed; the draft lock is free either way. **Export**, the file is the old '
           'one, byte for byte and with its modification time, or the whole export, parsed and compared record by '
           'record with version 1\'s, never part of one; no temporary file is left in its directory. **Prune**, none '
           'of the datasets the rules keep is gone; after a success exactly the three the rules delete are gone, after '
           'a failure exactly those its result says were deleted. After a success the same task runs again in the same '
           'playbook and must report no change; after a failure, a second run without the fault must finish the job '
           '(column "the re-run"). "Requests" counts the task\'s restores, downloads or deletes in the faulty run, '
           'refused, dropped and late ones included. No run printed a traceback or a key.', '']
    out.append(table(['case', 'module', 'fault', 'expected', 'outcome', 'requests', 'after the run', 'the re-run',
                      'message'],
                     [[r['case'], r['module'], r['what'], r['expected'],
                       '**%s**' % r['outcome'] + ('' if r['changed'] else ' (unchanged)'), r['requests'], r['after'],
                       r['rerun'], cell(' '.join([r['message']] + ['Warning: %s' % w for w in r['warnings'][-1:]]), 320)]
                      for r in rows]))
    wrong = [r for r in rows if r['outcome'] != r['expected']]
    out += ['', '%d task and fault pairs in %d playbook runs (%d of them the second run after a failure); %d as '
            'expected. In none did a restore land twice, a file hold part of an export, or a dataset the rules keep '
            'go.' % (len(rows), len(cases) + len(reruns), len(reruns), len(rows) - len(wrong)), '']
    if check_rows:
        out += ['In check mode the same three tasks read and send no write (no restore, no lock, no delete; the file '
                'untouched and no temporary file left):', '']
        out.append(table(['module', 'message'], [[r['module'], cell(r['msg'], 320)] for r in check_rows]))
        out.append('')
    for bound in bounds or []:
        late = bound['seconds'] > bound['list_timeout'] + 8
        out += ['A server that drips the export (%s), with `list_timeout: %s`: the task failed as it should, the old '
                'file untouched ("%s"), after %s s of `ansible-playbook`.%s'
                % (bound['case'], bound['list_timeout'], cell(bound['message'], 240), bound['seconds'],
                   ' **A known bug**: the download stops waiting at the deadline, but closing the answer then waits '
                   'for the next 64 KiB of it (or its end), so the bound does not hold; the suite marks it as an '
                   'expected failure until it is fixed.' if late else ''), '']
    return out


EXPERIMENTS_TITLE = '## Experiment updates, deletes, prunes and scores, by fault'


def experiments_section(rows, ansible_version):
    """The section "Experiment updates, deletes, prunes and scores, by fault" (a list of lines), from
    tests/reliability/test_experiment_writes.py."""
    runs = sum(r.get('runs', 1) for r in rows)
    out = [EXPERIMENTS_TITLE, '',
           'From `tests/reliability/test_experiment_writes.py` (ansible-core %s, %s): %d cases, each one '
           '`ansible-playbook -vvvv --diff` run with the module run as a module (`LLMOBS_IN_PROCESS=0`; the controller '
           'path runs the same engine), with the faults on the requests of its task (two faults on one operation are '
           'met in turn). Options: `timeout: 1`, `retries: 3` (2 where the case says so). The emulator answers an '
           'experiment update with 200 and an empty body, as the live API does.'
           % (ansible_version, datetime.date.today().isoformat(), len(rows)), '',
           '- `llmobs_experiment` renames an experiment and sets its description and metadata (`wait_timeout: 10`), '
           'or deletes one (`state: absent`);',
           '- `llmobs_experiment_prune` applies `keep: 2` and `older_than: 7d` to 230 runs matching `rel-nightly-*`, '
           'one a day: 220 to delete, in three requests (100, 100 and 20), among them a failed run; 10 to keep: the 2 '
           'newest, 5 younger than 7 days, one still running, and the parent and grandparent of a release run of '
           'another name;',
           '- `llmobs_experiment_info` with `scores: true` reads the events of two runs of one logical experiment: '
           'a completed one of 3,500 spans (4 pages of 1,000), 7 of them failed, with score, boolean, categorical '
           'and json metrics and a summary metric, and a newer one still running (40 spans).', '',
           'After each run the suite checks the emulator\'s state and request log. **Update**: the experiment holds '
           'the values sent and the result shows them, or after a failure it is untouched. **Delete** and **prune**: '
           'each experiment deleted by exactly one request that the emulator carried out; none that the rules keep '
           'touched, nor the experiments of other names; a failure says what was deleted, what may have been (a '
           'request whose answer was lost and whose lookup failed too) and what was not, and the emulator agrees; a '
           'second run without the fault finishes the job. **Scores**: every figure equal to the emulator\'s own '
           'statistics of the events, or a clear failure with no figures. After a success the same task runs again '
           'in the same playbook and must report no change. "Requests" counts the task\'s PATCHes, deletes or events '
           'pages, refused, dropped and late ones included. No run printed a traceback or a key.', '']
    out.append(table(['case', 'module', 'fault', 'expected', 'outcome', 'requests', 'after the run', 'message'],
                     [[r['case'], r['module'], r['what'], r['expected'],
                       '**%s**' % r['outcome'] + ('' if r['changed'] else ' (unchanged)'), r['requests'], r['after'],
                       cell(' '.join([r['message']] + ['Warning: %s' % w for w in r['warnings'][-1:]]), 360)]
                      for r in rows]))
    wrong = [r for r in rows if r['outcome'] != r['expected']]
    out += ['', '%d cases in %d playbook runs; %d as expected. In none was an experiment deleted twice, one that the '
            'rules keep deleted, or a score given that differs from the events.'
            % (len(rows), runs, len(rows) - len(wrong)), '']
    return out


def render_experiments_only():
    rows = load('experiment_writes') or []
    if not rows:
        sys.exit('no recorded outcomes of the experiment writes in build/reliability/: run pytest '
                 'tests/reliability/test_experiment_writes.py')
    import ansible  # pylint: disable=import-outside-toplevel
    replace_section(EXPERIMENTS_TITLE, experiments_section(rows, ansible.__version__), [HOSTILE_TITLE, HOSTILE_BEFORE])


EVALUATORS_PROMPTS_TITLE = '## Evaluators and prompts, by fault class'


def evaluators_prompts_section(rows, check_rows, bad_rows, ansible_version):
    """The section "Evaluators and prompts, by fault class" (a list of lines), from
    tests/reliability/test_evaluator_prompt_writes.py."""
    classes = []
    for row in rows:
        if row['case'] not in classes:
            classes.append(row['case'])
    out = [EVALUATORS_PROMPTS_TITLE, '',
           'From `tests/reliability/test_evaluator_prompt_writes.py` (ansible-core %s, %s). Every write of '
           '`llmobs_evaluator` and `llmobs_prompt` meets each class of fault on its own requests; both modules are in '
           'preview, like the endpoints they call. A class is two `ansible-playbook -vvvv --diff` runs (the operations '
           'of one write are never those of another in the same run, so the faults do not meet the other tasks; two '
           'faults on one operation are met in turn):' % (ansible_version, datetime.date.today().isoformat()), '',
           '- the first creates an evaluator (a PUT) and deletes another, creates a prompt with its first version, '
           'makes a new version of a second prompt, sets the title and description of a third, moves the label '
           '`production` from version 1 to version 2 of a fourth (the emulator moves it: it takes it off version 1 '
           'itself) and deletes a fifth;',
           '- the second, with the emulator keeping a label on the version that had it (`prompt_labels_move: '
           'false`, so the module takes it off itself with a second PATCH), changes `target.sampling_percentage` of '
           'a stored evaluator (a PUT of the stored configuration merged with the declared one) and moves a label '
           'the same way.', '',
           'Options: `timeout: 1`, `retries: 2`, `wait_timeout: 2` (1 in the classes `lost-before` and '
           '`always-5xx`, 4 in `timeout`, 10 in `lag`). After each run the suite reads the emulator: the evaluator '
           'stored exactly as declared (or merged, for the update), the prompt with exactly the versions it must '
           'have (the version count: a new version is never made twice), each label on the version it was declared '
           'on and on that one only, the labels not declared left where they were; or, after a failure, everything '
           'as before. A write that is not idempotent (the PUT, the creates, the new version, the deletes) whose '
           'answer was lost after it was done must be found by a lookup and not sent again. After a success the '
           'same task runs again in the same playbook and must report no change; after a failure a second run '
           'without the fault must finish the job. "Requests" counts the write\'s own requests in the faulty run, '
           'refused, dropped and late ones included. No run printed a traceback or a key.', '']
    out.append(table(['case', 'write', 'fault', 'expected', 'outcome', 'requests', 'after the run', 'message'],
                     [[r['case'], '%s (%s)' % (r['write'], r['module']), r['what'], r['expected'],
                       '**%s**' % r['outcome'] + ('' if r['changed'] else ' (unchanged)'), r['requests'], r['after'],
                       _clip(' '.join([r['message']] + ['Warning: %s' % w for w in r['warnings'][-1:]]), 280)]
                      for r in rows]))
    wrong = [r for r in rows if (r['expected'] in ('success', 'failure') and r['outcome'] != r['expected'])
             or r['after'].startswith('NOT AS PROMISED')]
    known = [r for r in wrong if r['after'].startswith('NOT AS PROMISED (a known bug')]
    if any(r['case'] == 'lost-lagging' for r in rows):
        out += ['', 'In the case `lost-lagging` (one more run, and the run after it) every write that is not '
                'idempotent is carried out and its answer lost while reads show it only after 6 seconds, longer than '
                '`wait_timeout: 1`: the lookup cannot prove the write was done. Whatever the module does then, '
                'nothing may be done twice (a PUT sent again replaces the configuration with the same one, which is '
                'harmless; a second prompt version is not), a failure must say that its outcome is unknown, and the '
                'next run, once the reads show the writes, must find nothing to do.']
    out += ['', '%d write and fault pairs in %d cases and %d playbook runs; %d as promised.'
            % (len(rows), len(classes), evaluators_prompts_runs(rows), len(rows) - len(wrong)) + (
                ' In none was a prompt version made twice, a label left on two versions, or a failed write left half '
                'done.' if not wrong else ' **Not as promised**: %s.' % '; '.join(
                    '%s under `%s`' % (r['write'], r['case']) for r in wrong)), '']
    if known:
        out += ['Known bugs, which the suite reports here without failing (an entry of `KNOWN_BUGS` in the test file; '
                'once a bug no longer shows, the suite fails until its entry is removed):', '']
        for r in known:
            reason = r['after'][len('NOT AS PROMISED (a known bug: '):].split('): ')[0]
            out.append('- `%s` under `%s`: %s' % (r['write'], r['case'], reason))
        out.append('')
    if check_rows:
        out += ['In check mode the same writes read and predict, and the emulator\'s log holds no write:', '']
        out.append(table(['write', 'module', 'message'], [[r['write'], r['module'], _clip(r['msg'], 240)]
                                                          for r in check_rows]))
        out.append('')
    if bad_rows:
        out += ['Bad input, in one playbook run: each task fails with a message naming the option (and the file '
                'and the message\'s index where there is one). No request was sent, but the reads of the cases that '
                'need what is stored (a create missing an option the create needs, a label on a version that does '
                'not exist), and no write at all:', '']
        out.append(table(['module', 'case', 'message'], [[r['module'], r['case'], _clip(r['message'], 240)]
                                                         for r in bad_rows]))
        out.append('')
    return out


def _clip(text, limit):
    """``text`` cut to ``limit`` characters, for a cell that table() escapes."""
    text = str(text)
    return text if len(text) <= limit else text[:limit].rstrip() + '...'


def evaluators_prompts_runs(rows):
    """The playbook runs behind the rows of test_evaluator_prompt_writes.py: those of each case (``run``: which
    of its runs, each counted once with its ``runs``, 2 when a second one finished the job)."""
    return sum(dict(((r['case'], r.get('run')), r.get('runs', 1)) for r in rows).values())


def render_evaluators_prompts_only():
    rows = load('evaluator_prompt_writes') or []
    if not rows:
        sys.exit('no recorded outcomes of the evaluator and prompt writes in build/reliability/: run pytest '
                 'tests/reliability/test_evaluator_prompt_writes.py')
    import ansible  # pylint: disable=import-outside-toplevel
    replace_section(EVALUATORS_PROMPTS_TITLE, evaluators_prompts_section(
        rows, load('evaluator_prompt_check_mode'), load('evaluator_prompt_bad_input'), ansible.__version__),
        [HOSTILE_TITLE, HOSTILE_BEFORE])


def replace_section(title, lines, before_titles):
    """Rewrite the section ``title`` of the existing report in place, or add it before the first of
    ``before_titles`` that the report has."""
    section = '\n'.join(lines).rstrip() + '\n'
    with open(REPORT) as handle:
        report = handle.read()
    start = report.find(title + '\n')
    if start >= 0:
        end = report.find('\n## ', start + len(title))
        report = report[:start] + section + (report[end:] if end >= 0 else '')
    else:
        at = next((found for found in (report.find(t + '\n') for t in before_titles) if found >= 0), -1)
        if at < 0:
            sys.exit('%s has none of the sections %s to put the section "%s" before'
                     % (REPORT, ', '.join('"%s"' % t[3:] for t in before_titles), title[3:]))
        report = report[:at] + section + '\n' + report[at:]
    with open(REPORT, 'w') as handle:
        handle.write(report)
    print('wrote the section "%s" of %s' % (title[3:], os.path.relpath(REPORT, REPO_ROOT)))


def version_runs(rows):
    """The playbook runs of test_version_writes.py behind ``rows``: one per class, a second after a failure, the
    check-mode run and the bound's run."""
    if not rows:
        return 0
    cases = set(r['case'] for r in rows)
    failed = set(r['case'] for r in rows if r['outcome'] == 'failure')
    return len(cases) + len(failed) + (1 if load('version_check_mode') else 0) + len(load('version_bounds') or [])


def render_versions_only():
    rows = load('version_writes') or []
    if not rows:
        sys.exit('no recorded outcomes of restore, export and prune in build/reliability/: run pytest '
                 'tests/reliability/test_version_writes.py')
    import ansible  # pylint: disable=import-outside-toplevel
    replace_section(VERSIONS_TITLE, versions_section(rows, load('version_check_mode'), load('version_bounds'),
                                                     ansible.__version__), [HOSTILE_TITLE, HOSTILE_BEFORE])


def render_hostile_only():
    """Rewrite the hostile section of the existing report in place (or add it before "Bad input")."""
    servers, files = load('hostile_servers') or [], load('hostile_files') or []
    if not servers and not files:
        sys.exit('no recorded hostile outcomes in build/reliability/: run pytest tests/reliability/test_hostile.py')
    import ansible  # pylint: disable=import-outside-toplevel
    section = '\n'.join(hostile_section(servers, files, load('hostile_files_runs'), ansible.__version__)).rstrip() + '\n'
    with open(REPORT) as handle:
        report = handle.read()
    start = report.find(HOSTILE_TITLE + '\n')
    if start >= 0:
        end = report.find('\n## ', start + len(HOSTILE_TITLE))
        report = report[:start] + section + (report[end:] if end >= 0 else '')
    else:
        at = report.find(HOSTILE_BEFORE + '\n')
        if at < 0:
            sys.exit('%s has no section "%s" to put the hostile section before' % (REPORT, HOSTILE_BEFORE[3:]))
        report = report[:at] + section + '\n' + report[at:]
    with open(REPORT, 'w') as handle:
        handle.write(report)
    print('wrote the section "%s" of %s' % (HOSTILE_TITLE[3:], os.path.relpath(REPORT, REPO_ROOT)))


def main():
    parser = argparse.ArgumentParser(description='Write docs/reliability.md from build/reliability/.')
    parser.add_argument('--section', choices=['hostile', 'versions', 'experiments', 'evaluators-prompts'],
                        help='rewrite only this section of the existing report, from a run of its test file alone')
    section = parser.parse_args().section
    if section == 'hostile':
        return render_hostile_only()
    if section == 'versions':
        return render_versions_only()
    if section == 'experiments':
        return render_experiments_only()
    if section == 'evaluators-prompts':
        return render_evaluators_prompts_only()
    matrix = load('fault_matrix') or []
    bad_input = load('bad_input') or []
    tls = load('tls') or []
    concurrency = load('concurrency') or []
    family = load('family_writes') or []
    family_check = load('family_check_mode') or []
    records = load('records_writes') or []
    records_check = load('records_check_mode') or []
    hostile_servers, hostile_files = load('hostile_servers') or [], load('hostile_files') or []
    versions = load('version_writes') or []
    experiments = load('experiment_writes') or []
    evaluators_prompts = load('evaluator_prompt_writes') or []
    if not matrix or not bad_input:
        sys.exit('no recorded outcomes in build/reliability/: run `make reliability`')

    import ansible  # pylint: disable=import-outside-toplevel
    out = ['# Reliability and security of the collection\'s writes', '',
           'Generated by `make reliability` on %s (ansible-core %s, Python %s) from the outcomes '
           'that the suite in `tests/reliability/` recorded; do not edit by hand.'
           % (datetime.date.today().isoformat(), ansible.__version__, platform.python_version()), '',
           'Every case is a real `ansible-playbook -vvvv --diff` run against the local emulator '
           '(`docs/emulator.md`), once with the keys as module options and once with the keys in '
           '`DD_API_KEY`/`DD_APP_KEY`. After each run the suite asserts the emulator\'s state. The '
           'promise checked in every case: **success with the write done exactly once, or a clear '
           'failure with no traceback and no duplicate**; and the distinctive keys appear nowhere in '
           'stdout, stderr, the registered results or the warnings.', '',
           'Every module stands on one engine (`plugins/module_utils/_transport.py`), so the fault '
           'matrix drives that engine through every fault once, with the clone; then each write of '
           '`llmobs_project` and `llmobs_dataset` (create, update, delete) meets each class of fault, '
           'the records sync of `llmobs_dataset_records` meets every fault of its batches, the restore, '
           'the CSV export and the prune meet each class of fault on their own requests, and so do the experiment '
           'update, delete and prune, the scores of the experiment events, and every write of the evaluators and '
           'prompts.',
           '', RETRY_POLICY, '## Fault matrix (the engine, through llmobs_dataset_clone)', '',
           'Module options: `timeout: 1`, `retries: 2`, `wait_timeout: 3` (15 where a lag is set). '
           '"Clone requests" counts the POSTs the emulator received; "retries" counts the warnings '
           'the module gave.', '']
    out.append(table(
        ['case', 'fault', 'expected', 'outcome', 'clones', 'clone requests', 'requests', 'retries', 'seconds',
         'message'],
        [[r['case'], r['what'], r['expected'], '**%s**' % r['outcome'] + ('' if r['changed'] else ' (unchanged)'),
          r['clones'], r['clone_requests'], r['requests'], r['retries'], r['seconds'], cell(r['message'], 160)]
         for r in matrix]))
    failures = [r for r in matrix if r['outcome'] == 'failure']
    duplicates = sum(max(0, r['clones'] - 1) for r in matrix)
    out += ['', '%d cases; %d end in success with exactly one clone, %d in a clear failure with no clone. '
            'Duplicates: %d.' % (len(matrix), len(matrix) - len(failures), len(failures), duplicates), '']

    if family:
        out += ['## Every write of llmobs_project and llmobs_dataset, by fault class', '',
                'Each class of fault meets every write in one playbook run per class (twice: keys as '
                'options, keys from the environment): a refusal that asks to wait (429 with '
                '`X-RateLimit-Reset: 1`), an answer lost before the write was done (503), an answer lost '
                'after it was done (connection dropped once the emulator acted), and a server that always '
                'fails (500). Options: `timeout: 1`, `retries: 2`, `wait_timeout: 1`. After each success '
                'the same task runs again and must report no change. "Write requests" counts the write '
                'requests the emulator received, refused and dropped ones included.', '']
        out.append(table(['write', 'fault class', 'expected', 'outcome', 'write requests', 'retries', 'message'],
                         [[r['write'], r['fault'], r['expected'],
                           '**%s**' % r['outcome'] + ('' if r['changed'] else ' (unchanged)'),
                           r['write_requests'], r['retries'], cell(r['message'], 200)] for r in family]))
        wrong = [r for r in family if r['outcome'] != r['expected']]
        out += ['', '%d write and fault pairs; %d as expected.' % (len(family), len(family) - len(wrong)), '']
    if family_check:
        out += ['In check mode every one of these writes reads and predicts, and sends no write:', '']
        out.append(table(['write', 'message'], [[r['write'], r['msg']] for r in family_check]))
        out.append('')

    if records:
        out += ['## The records sync of llmobs_dataset_records, by fault', '',
                'One sync of a JSONL file of 2,200 records keyed by id, with `purge: true`, against a dataset '
                'holding 1,100: 1,200 inserts, 200 updates of `expected_output`, 100 deletes and 800 records '
                'already as declared, sent as two `batch_update` requests (1,000 changes, then 500). Each case '
                'does one thing to those requests, in one playbook run. Options: `timeout: 1`, `retries: 2`, '
                '`wait_timeout: 2` (how long the records are read again after a lost answer). After each success '
                'the same task runs again and must report no change and send no write; after each failure a '
                'second run without the fault must make the dataset equal to the file. In every case the suite '
                'checks that no record id is held twice, that a successful run made exactly one dataset '
                'version, and that the dataset then holds exactly the records of the file. "Write requests" '
                'counts the `batch_update` requests of the faulty run, refused, dropped and late ones included; '
                '"versions" the dataset versions it made.', '']
        out.append(table(['case', 'what happens to the batch_update requests', 'expected', 'outcome',
                          'write requests', 'versions', 'records after', 'message'],
                         [[r['case'], r['what'], r['expected'],
                           '**%s**' % r['outcome'] + ('' if r['changed'] else ' (unchanged)'),
                           r['write_requests'], r['versions'], r['records'], cell(r['message'], 240)] for r in records]))
        wrong = [r for r in records if r['outcome'] != r['expected']]
        out += ['', '%d cases; %d as expected; no record written twice in any.' % (len(records), len(records) - len(wrong)),
                '']
    if records_check:
        out += ['In check mode the same sync reads every record, reports the same counts and sends no write: '
                '"%s"' % records_check[0]['msg'], '']
    if versions:
        out += versions_section(versions, load('version_check_mode'), load('version_bounds'), ansible.__version__)
    if experiments:
        out += experiments_section(experiments, ansible.__version__)
    if evaluators_prompts:
        out += evaluators_prompts_section(evaluators_prompts, load('evaluator_prompt_check_mode'),
                                          load('evaluator_prompt_bad_input'), ansible.__version__)
    if hostile_servers or hostile_files:
        out += hostile_section(hostile_servers, hostile_files, load('hostile_files_runs'), ansible.__version__)

    out += ['## Bad input', '',
            '%d invalid arguments, all in one playbook run (twice: keys as options, keys from the '
            'environment). Each task fails with a message naming the option; the emulator\'s request '
            'log is empty afterwards. Cases that leave `api_url` out (the `site` ones) run behind a '
            'dead proxy, so that nothing could leave the machine even if a check were missing.'
            % len(bad_input), '']
    out.append(table(['case', 'option named', 'message'], [[r['case'], r['option'], r['message']] for r in bad_input]))

    if tls:
        out += ['', '## TLS', '',
                '`validate_certs` is on by default. The emulator serves HTTPS with a self-signed '
                'certificate that the test makes.', '']
        out.append(table(['case', 'outcome', 'message'], [[r['case'], r['outcome'], r['message']] for r in tls]))

    out += ['', '## Secrets', '',
            'Every run above (%d fault runs, %d family runs, %d records runs, %d restore, export and prune runs, '
            '%d experiment runs, %d evaluator and prompt runs, 2 bad-input runs, %d TLS runs) used the distinctive keys '
            '`ReliabilityApiKey...` and `ReliabilityAppKey...` at `-vvvv` with `--diff`. The suite '
            'searched stdout, stderr and every registered result (warnings included) for them: none '
            'was found. The emulator\'s request log records only whether each key header was sent.'
            % (2 * len(matrix), 2 * len(set(r['fault'] for r in family)), len(records), version_runs(versions),
               sum(r.get('runs', 1) for r in experiments),
               evaluators_prompts_runs(evaluators_prompts) + (1 if load('evaluator_prompt_check_mode') else 0) +
               (1 if load('evaluator_prompt_bad_input') else 0), len(tls)), '']

    if concurrency:
        out += ['## Concurrency: the limit', '',
                'Parallel runs cloning to the same new name at the same moment, measured with '
                '`tests/reliability/concurrency.py` (not a test: it only measures):', '']
        out.append(table(['parallel runs', 'lag (s)', 'wait', 'clones per round', 'runs that warned', 'seconds'],
                         [[r['parallel_runs'], r['lag'], r['wait'], ', '.join(map(str, r['clones_per_round'])),
                           ', '.join(map(str, r['runs_warned_per_round'])), r['seconds']] for r in concurrency]))
        out += ['', """\
The module makes its decision from a lookup: runs that look up the name before any of them has
cloned all see "absent", and all clone. Datadog offers no conditional create and no 409 for a
taken name, so no client can close that window; the consistency lag widens it from the
fraction of a second between lookup and clone to several seconds. With `wait: true` every run
that sees another dataset of its name appear while it waits says so in a warning, and the next
run fails with the list of duplicates instead of guessing.

What to do:

- Run one play per dataset name at a time: `throttle: 1` or `run_once: true` on the task when
  the play targets many hosts, `serial: 1`, or a concurrency group / lock in CI so that two
  pipelines never run the same clone together.
- Put something unique to the run in the name (a release, a pipeline id) when parallel runs are
  expected to make different datasets.
- If duplicates were made, delete all but one: the module fails, listing their ids, until one
  is left.
"""]
    with open(REPORT, 'w') as handle:
        handle.write('\n'.join(out).rstrip() + '\n')
    print('wrote %s' % os.path.relpath(REPORT, REPO_ROOT))


if __name__ == '__main__':
    main()
