# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Paging never hangs: every list ends, with a clear error when the server keeps pointing further.

A cursor the server ignores, the same cursor twice, empty pages that point further, anonymous items
page after page and a list past MAX_PAGES each end the list; pages that repeat some items are followed.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils import _transport
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import PROJECT, dataset, make_api, project
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    datasets_by_name,
    list_datasets,
    list_projects,
    projects_by_name,
)


def test_a_server_that_ignores_the_cursor_ends_after_three_repeated_pages(http):
    items = [dataset('a', 'copy-1'), dataset('b', 'copy-1 (old)')]
    http.expect(datasets_by_name('copy-1').reply_page(*items, after='c1'))
    for number in (1, 2, 3):
        http.expect(datasets_by_name('copy-1', cursor='c%d' % number).reply_page(*items, after='c%d' % (number + 1)))

    with pytest.raises(LLMObsError) as info:
        make_api().datasets.find_by_name(PROJECT, 'copy-1')

    assert info.value.message == (
        'Listing datasets of project proj-1: 3 pages in a row brought only items already listed (or nothing) and '
        'pointed to yet another page; the server or a proxy seems to ignore page[cursor]. Stopping rather than '
        'looping forever.')
    assert len(http.seen) == 4


def test_a_page_of_items_listed_already_is_followed_when_new_ones_come_after(http):
    # Records shifting between pages (an offset cursor while the list grows) can repeat a whole page once.
    http.expect(
        datasets_by_name('x').reply_page(dataset('a', 'x'), after='c1'),
        datasets_by_name('x', cursor='c1').reply_page(dataset('a', 'x'), after='c2'),
        datasets_by_name('x', cursor='c2').reply_page(dataset('b', 'x')),
    )

    assert [item['id'] for item in make_api().datasets.find_by_name(PROJECT, 'x')] == ['a', 'b']


def test_an_empty_last_page_that_repeats_its_cursor_ends_the_list(http):
    http.expect(
        datasets_by_name('x').reply_page(dataset('a', 'x'), after='c1'),
        datasets_by_name('x', cursor='c1').reply_page(after='c1'),
    )

    assert [item['id'] for item in make_api().datasets.find_by_name(PROJECT, 'x')] == ['a']


def test_project_lists_are_bounded_the_same_way(http):
    http.expect(projects_by_name('p').reply_page(project('p1', 'p'), after='c1'))
    for number in (1, 2, 3):
        http.expect(projects_by_name('p', cursor='c%d' % number).reply_page(project('p1', 'p'), after='c%d' % (number + 1)))

    with pytest.raises(LLMObsError, match='Listing projects: 3 pages in a row brought only items already listed'):
        make_api().projects.find_by_name('p')


def test_empty_pages_that_point_further_end_after_three(http):
    http.expect(
        datasets_by_name('x').reply_page(after='c1'),
        datasets_by_name('x', cursor='c1').reply_page(after='c2'),
        datasets_by_name('x', cursor='c2').reply_page(after='c3'),
    )

    with pytest.raises(LLMObsError) as info:
        make_api().datasets.find_by_name(PROJECT, 'x')

    assert info.value.message == ('Listing datasets of project proj-1: 3 empty pages in a row still pointed to '
                                  'another page; stopping rather than looping forever.')
    assert _transport.MAX_EMPTY_PAGES == 3


def test_an_empty_page_between_full_ones_is_followed(http):
    http.expect(
        datasets_by_name('x').reply_page(dataset('a', 'x'), after='c1'),
        datasets_by_name('x', cursor='c1').reply_page(after='c2'),
        datasets_by_name('x', cursor='c2').reply_page(after='c3'),
        datasets_by_name('x', cursor='c3').reply_page(dataset('b', 'x')),
    )

    assert [item['id'] for item in make_api().datasets.find_by_name(PROJECT, 'x')] == ['a', 'b']


def test_a_list_longer_than_max_pages_ends_with_a_clear_error(http, monkeypatch):
    monkeypatch.setattr(_transport, 'MAX_PAGES', 4)
    http.expect(datasets_by_name('x').reply_page(dataset('d0', 'x'), after='c1'))
    for number in range(1, 4):
        http.expect(datasets_by_name('x', cursor='c%d' % number)
                    .reply_page(dataset('d%d' % number, 'x'), after='c%d' % (number + 1)))

    with pytest.raises(LLMObsError) as info:
        make_api().datasets.find_by_name(PROJECT, 'x')

    assert info.value.message == ('Listing datasets of project proj-1: the list went on past 4 pages; stopping rather '
                                  'than looping forever. The server or a proxy may be ignoring page[cursor].')
    assert len(http.seen) == 4


def test_the_documented_page_ceiling():
    assert _transport.MAX_PAGES == 10000


def test_items_without_an_id_repeated_page_after_page_end_at_the_second_page(http):
    # Items that cannot be told apart are kept, but a page equal to the one before is the same page again.
    anonymous = {'type': 'datasets', 'attributes': {'name': 'x'}}
    http.expect(datasets_by_name('x').reply_page(anonymous, after='c1'),
                datasets_by_name('x', cursor='c1').reply_page(anonymous, after='c2'))

    with pytest.raises(LLMObsError, match='page 2 was the same as the page before'):
        make_api().datasets.list(PROJECT, name='x')


def test_items_without_an_id_are_bounded_by_the_page_ceiling(http, monkeypatch):
    # Different anonymous items on every page: only the ceiling stops them.
    monkeypatch.setattr(_transport, 'MAX_PAGES', 3)
    pages = [{'type': 'datasets', 'attributes': {'name': 'x%d' % n}} for n in range(3)]
    http.expect(datasets_by_name('x').reply_page(pages[0], after='c1'),
                datasets_by_name('x', cursor='c1').reply_page(pages[1], after='c2'),
                datasets_by_name('x', cursor='c2').reply_page(pages[2], after='c3'))

    with pytest.raises(LLMObsError, match='went on past 3 pages'):
        make_api().datasets.list(PROJECT, name='x')


def test_the_same_cursor_twice_ends(http):
    http.expect(
        list_projects().reply_page(project('p1', 'a'), after='same'),
        list_projects(cursor='same').reply_page(project('p2', 'b'), after='same'),
    )

    with pytest.raises(LLMObsError) as info:
        make_api().projects.list()

    assert info.value.message == ('Listing projects: the API returned the same page cursor twice; stopping rather '
                                  'than looping forever.')


def test_items_repeated_across_pages_count_once(http):
    http.expect(
        list_datasets().reply_page(dataset('a', 'x'), dataset('b', 'y'), after='c1'),
        list_datasets(cursor='c1').reply_page(dataset('b', 'y'), dataset('c', 'z'), after='c2'),
        list_datasets(cursor='c2').reply_page(dataset('a', 'x'), dataset('d', 'w')),
    )

    assert [item['id'] for item in make_api().datasets.list(PROJECT)] == ['a', 'b', 'c', 'd']
