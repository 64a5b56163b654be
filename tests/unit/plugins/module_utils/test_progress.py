# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Progress lines: the throttle on its own, then what the transport's paging and the records writer report."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.plugins.module_utils._module import API
from ansible_collections.llmobs.datadog.plugins.module_utils._progress import Progress
from ansible_collections.llmobs.datadog.plugins.module_utils._record_readers import read_declared
from ansible_collections.llmobs.datadog.plugins.module_utils._transport import Transport
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import PROJECT, settings
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    RECORDS_DATASET,
    batch_update,
    record,
    records_page,
)


class Clock(object):
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def throttle(quiet=5.0, every=5.0):
    clock, lines = Clock(), []
    return Progress(lines.append, quiet=quiet, every=every, clock=clock), clock, lines


def test_a_short_task_shows_nothing():
    progress, clock, lines = throttle()
    for second in range(5):
        clock.now = 100.0 + second
        progress.step('read', 'read %d' % second)
    progress.done('read', 'read all')
    assert lines == []


def test_a_long_task_shows_a_line_every_few_seconds_and_where_it_ended():
    progress, clock, lines = throttle()
    for tenth in range(0, 200, 5):  # a step every half second for 20 seconds
        clock.now = 100.0 + tenth / 10.0
        progress.step('write', 'at %.1f' % (tenth / 10.0))
    progress.done('write', 'all written')
    assert lines == ['at 5.0', 'at 10.0', 'at 15.0', 'all written']


def test_the_end_of_an_operation_is_shown_when_its_progress_was_or_a_line_is_due():
    progress, clock, lines = throttle(every=10.0)
    clock.now = 106.0
    progress.step('read', 'read 1')
    clock.now = 107.0
    progress.step('count', 'counted 1')  # too soon after the line of 'read'
    progress.done('count', 'counted all')  # and nothing of it was shown
    progress.done('read', 'read all')
    assert lines == ['read 1', 'read all']


def test_many_short_operations_of_a_long_task_show_an_end_now_and_then():
    progress, clock, lines = throttle()
    for number in range(20):  # one dataset counted a second, each in one page
        clock.now = 100.0 + number
        progress.done(number, 'dataset %d: 3 records read in all.' % number)
    assert lines == ['dataset 5: 3 records read in all.', 'dataset 10: 3 records read in all.',
                     'dataset 15: 3 records read in all.']


def test_without_emit_nothing_is_shown():
    progress = Progress(quiet=0, every=0)
    progress.step('read', 'read 1')
    progress.done('read', 'read all')  # and nothing fails


def api_with(progress):
    return API(Transport(settings(), progress=progress))


def test_paging_reports_the_records_read_after_each_page(http):
    http.expect(
        records_page([record('a', 'x'), record('b', 'y')], after='c1'),
        records_page([record('c', 'z')], cursor='c1', after='c2'),
        records_page([record('d', 'w')], cursor='c2'),
    )
    progress, dummy, lines = throttle(quiet=0, every=0)

    listed = api_with(progress).records.list(PROJECT, RECORDS_DATASET)

    assert len(listed) == 4
    assert lines == ['dataset ds-1: 2 records read so far.', 'dataset ds-1: 3 records read so far.',
                     'dataset ds-1: 4 records read in all.']


def test_the_records_writer_reports_each_batch_and_the_end(http):
    wanted = [{'id': 'q-%d' % n, 'input': 'question %d' % n} for n in range(2500)]
    http.expect(
        records_page([]),
        batch_update(inserts=wanted[:1000], create=True),
        batch_update(inserts=wanted[1000:2000], create=False),
        batch_update(inserts=wanted[2000:], create=False),
    )
    progress, dummy, lines = throttle(quiet=0, every=0)

    api_with(progress).records.sync(PROJECT, RECORDS_DATASET, read_declared(wanted, None), label='dataset eval-set')

    assert lines == ['dataset eval-set: 0 records read in all.',
                     'dataset eval-set: 1,000 of 2,500 changes written in 1 request so far.',
                     'dataset eval-set: 2,000 of 2,500 changes written in 2 requests so far.',
                     'dataset eval-set: 2,500 of 2,500 changes written in 3 requests.']


def test_the_reads_of_a_wait_report_no_progress(http):
    http.expect(records_page([], after='c1'), records_page([], cursor='c1'))
    progress, dummy, lines = throttle(quiet=0, every=0)
    api = api_with(progress)

    assert api.transport.poll(lambda: api.records.list(PROJECT, RECORDS_DATASET) or None, 0) is None

    assert lines == []
    assert api.transport.progress is progress  # and after the wait, the task's reads report again
