# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Regression tests of the engine for the defects of issue 8, one section per defect.

1. Retries multiplied: ``retries`` must bound the sends of any one request, whichever layer retries it.
2. A list that never ends hung the lookup: every paging loop ends in a clear error.
3. Hints misled: key hints follow the header an error names; 404 hints belong to the resource.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

import pytest
import requests

from ansible_collections.llmobs.datadog.plugins.module_utils import _transport
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import APIError, LLMObsError, TransportError
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import PROJECT, SOURCE, dataset, make_api, project
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    Call,
    clone_dataset,
    create_project,
    datasets_by_name,
    delete_dataset,
    list_datasets,
    list_projects,
    projects_by_name,
    update_dataset,
    update_project,
)

REFUSED = ("HTTPSConnectionPool(host='api.datadoghq.com', port=443): Max retries exceeded with url: /x "
           "(Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f>: "
           "Failed to establish a new connection: [Errno 111] Connection refused'))")
DROPPED = "('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))"


def refused():
    return requests.exceptions.ConnectionError(REFUSED)


def clone(api, settle_timeout=1):
    return api.datasets.clone(PROJECT, SOURCE, 'copy-1', None, settle_timeout)


def backoffs(clock):
    """The waits between sends; the lookups' poll waits are the ones below one second."""
    return [seconds for seconds in clock.sleeps if seconds >= 1]


# ---------------------------------------------------------------- 1. retries bound every re-send


@pytest.mark.parametrize('retries', [1, 2, 3, 5])
def test_a_write_that_never_connects_is_sent_retries_plus_one_times(http, clock, retries):
    warnings = []
    http.expect(clone_dataset('copy-1').raises(refused()).times(retries + 1))

    with pytest.raises(TransportError) as info:
        clone(make_api(retries, warnings))

    assert http.count('POST') == retries + 1
    assert len(warnings) == retries
    assert [w.split('(retry ')[1] for w in warnings] == ['%d of %d).' % (n, retries) for n in range(1, retries + 1)]
    assert clock.sleeps == [float(2 ** n) for n in range(retries)]  # 1, 2, 4, ... and nothing else
    assert info.value.message.endswith('The request was not carried out, so nothing was created.')


def test_a_server_gone_right_after_the_lookup_costs_three_seconds_with_retries_2(http, clock):
    # Was 13 s and 3 x 3 sends: the request's own retry loop ran inside write_once's.
    http.expect(clone_dataset('copy-1').raises(refused()).times(3))

    with pytest.raises(TransportError):
        clone(make_api(2))

    assert sum(clock.sleeps) == 3.0


@pytest.mark.parametrize('lost', ['500', '503', 'dropped', 'read-timeout', 'empty-200'])
def test_a_lost_answer_is_looked_up_before_every_send_again(http, clock, lost):
    answers = {
        '500': lambda call: call.reply_error(500, {'title': 'Internal Server Error'}),
        '503': lambda call: call.reply(503, body='<html>unavailable</html>', content_type='text/html'),
        'dropped': lambda call: call.raises(requests.exceptions.ConnectionError(DROPPED)),
        'read-timeout': lambda call: call.raises(requests.exceptions.ReadTimeout('read timed out')),
        'empty-200': lambda call: call.reply(200, body=''),
    }
    warnings = []
    for dummy in range(4):
        http.expect(answers[lost](clone_dataset('copy-1')), datasets_by_name('copy-1').reply_page().times(3))

    with pytest.raises(LLMObsError) as info:
        clone(make_api(3, warnings), settle_timeout=1)

    methods = http.methods
    assert methods.count('POST') == 4
    assert all(methods[i + 1] == 'GET' for i, method in enumerate(methods) if method == 'POST')
    assert backoffs(clock) == [1.0, 2.0, 4.0]
    assert sum(clock.sleeps) == pytest.approx(7 + 4 * 1)  # the backoff, and four lookups of settle_timeout
    assert len(warnings) == 3 and all('a lookup shows it was not done' in w for w in warnings)
    assert 'A lookup found no trace of it, so nothing was created.' in info.value.message


def test_lost_answers_and_refused_connections_share_one_budget(http, clock):
    warnings = []
    http.expect(
        clone_dataset('copy-1').reply_error(502, 'bad gateway'),
        datasets_by_name('copy-1').reply_page().times(3),
        clone_dataset('copy-1').raises(refused()).times(3),
    )

    with pytest.raises(TransportError):
        clone(make_api(3, warnings), settle_timeout=1)

    assert http.count('POST') == 4
    assert backoffs(clock) == [1.0, 2.0, 4.0]
    assert len(warnings) == 3


def test_a_lost_answer_found_by_the_lookup_is_not_sent_again(http, clock):
    warnings = []
    http.expect(
        clone_dataset('copy-1').raises(requests.exceptions.ConnectionError(DROPPED)),
        datasets_by_name('copy-1').reply_page(),
        datasets_by_name('copy-1').reply_page(dataset('new-1', 'copy-1')),
    )

    assert clone(make_api(3, warnings))['id'] == 'new-1'
    assert http.count('POST') == 1 and backoffs(clock) == []
    assert len(warnings) == 1 and 'a lookup shows it was done; not sending it again' in warnings[0]


@pytest.mark.parametrize('retries', [1, 3])
def test_a_rate_limited_write_is_sent_retries_plus_one_times(http, clock, retries):
    http.expect(clone_dataset('copy-1').reply_error(429, 'slow down', headers={'X-RateLimit-Reset': '5'}).times(retries + 1))

    with pytest.raises(APIError) as info:
        clone(make_api(retries))

    assert http.count('POST') == retries + 1
    assert clock.sleeps == [5.0] * retries
    assert info.value.status == 429


@pytest.mark.parametrize('retries', [1, 2, 3])
@pytest.mark.parametrize('failure', ['503', 'refused', 'dropped', 'read-timeout', '429'])
def test_a_read_is_sent_at_most_retries_plus_one_times(http, clock, retries, failure):
    answers = {
        '503': lambda call: call.reply_error(503, 'unavailable'),
        'refused': lambda call: call.raises(refused()),
        'dropped': lambda call: call.raises(requests.exceptions.ConnectionError(DROPPED)),
        'read-timeout': lambda call: call.raises(requests.exceptions.ReadTimeout('read timed out')),
        '429': lambda call: call.reply_error(429, 'slow down'),
    }
    warnings = []
    http.expect(answers[failure](projects_by_name('p')).times(retries + 1))

    with pytest.raises(LLMObsError):
        make_api(retries, warnings).projects.find_by_name('p')

    assert http.count('GET') == retries + 1
    assert len(warnings) == retries
    assert clock.sleeps == [float(2 ** n) for n in range(retries)]


def test_a_patch_is_sent_at_most_retries_plus_one_times(http, clock):
    http.expect(update_dataset('d1', {'name': 'n'}).reply_error(500, 'boom').times(3))

    with pytest.raises(APIError):
        make_api(2).datasets.update(PROJECT, 'd1', {'name': 'n'})

    assert http.count('PATCH') == 3 and clock.sleeps == [1.0, 2.0]


def test_a_lookup_that_fails_inside_a_write_is_bounded_too(http, clock):
    # The POST's answer is lost; the lookup that would decide cannot read either: it fails after
    # its own retries, and the POST is not sent again blindly.
    http.expect(
        clone_dataset('copy-1').reply_error(500, 'boom'),
        datasets_by_name('copy-1').reply_error(503, 'unavailable').times(3),
    )

    with pytest.raises(APIError) as info:
        clone(make_api(2))

    assert http.count('POST') == 1 and http.count('GET') == 3
    assert info.value.status == 503


# ---------------------------------------------------------------- 2. paging never hangs


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


# ---------------------------------------------------------------- 3. hints fit the header and the resource


def forbidden(header=None):
    entry = {'status': '403', 'title': 'Forbidden', 'detail': 'Forbidden request'}
    if header is not None:
        entry['source'] = {'header': header}
    return entry


def failure(action):
    with pytest.raises(APIError) as info:
        action(make_api(1))
    return info.value.message


@pytest.mark.parametrize('header', ['DD-API-KEY', 'dd-api-key'])
def test_403_on_the_api_key_gives_the_api_key_hint(http, header):
    http.expect(projects_by_name('p').reply_error(403, forbidden(header)))

    message = failure(lambda api: api.projects.find_by_name('p'))

    assert message.endswith("Check api_key (DD_API_KEY): Datadog refused it; it must be an API key of the organisation "
                            "that site or api_url points at.")
    assert 'llmobs_data_read' not in message and 'application key' not in message


def test_403_on_the_application_key_gives_the_scopes_hint(http):
    http.expect(datasets_by_name('x').reply_error(403, forbidden('DD-APPLICATION-KEY')))

    message = failure(lambda api: api.datasets.find_by_name(PROJECT, 'x'))

    assert message.endswith('Check that the application key is allowed llmobs_data_read and llmobs_data_write, and '
                            'that site or api_url points at the organisation the keys belong to.')
    assert 'Check api_key' not in message


@pytest.mark.parametrize('entries', [
    [forbidden()],
    [forbidden('DD-API-KEY'), forbidden('DD-APPLICATION-KEY')],
    ['Forbidden'],
], ids=['no-header', 'both-headers', 'plain-string'])
def test_403_naming_no_single_key_gives_a_neutral_hint_naming_both(http, entries):
    http.expect(clone_dataset('copy-1').reply_error(403, *entries))

    message = failure(clone)

    assert message.endswith('Check that api_key and app_key belong to the organisation that site or api_url points '
                            'at, and that the application key is allowed llmobs_data_read and llmobs_data_write.')


def test_a_resource_404_hint_does_not_replace_the_key_hints(http):
    http.expect(clone_dataset('copy-1').reply_error(403, forbidden('DD-API-KEY')))

    message = failure(clone)

    assert 'Check api_key (DD_API_KEY)' in message and 'dataset_id' not in message


PROJECT_HINT = 'Check project_id or project_name: the project does not exist for these keys.'
DATASET_HINT = 'Check project_id and dataset_id: the project or dataset does not exist for these keys.'


@pytest.mark.parametrize('call, action, hint', [
    (projects_by_name('p'), lambda api: api.projects.find_by_name('p'), PROJECT_HINT),
    (update_project('p1', {'description': 'd'}), lambda api: api.projects.update('p1', {'description': 'd'}),
     PROJECT_HINT),
    (create_project('p'), lambda api: api.projects.create('p', None, 1), PROJECT_HINT),
    (datasets_by_name('x'), lambda api: api.datasets.find_by_name(PROJECT, 'x'), PROJECT_HINT),
    (delete_dataset('d1'), lambda api: api.datasets.delete(PROJECT, 'd1', 1), PROJECT_HINT),
    (clone_dataset('copy-1'), clone, DATASET_HINT),
    (update_dataset('d1', {'name': 'n'}), lambda api: api.datasets.update(PROJECT, 'd1', {'name': 'n'}), DATASET_HINT),
], ids=['project-lookup', 'project-update', 'project-create', 'dataset-lookup', 'dataset-delete', 'clone',
        'dataset-update'])
def test_404_hints_come_from_the_resource(http, call, action, hint):
    http.expect(call.reply_error(404, {'status': '404', 'title': 'Not Found'}))

    message = failure(action)

    assert message.endswith(' ' + hint)
    if call.method == 'GET' or call.method == 'PATCH':
        assert message.endswith('Not Found (status 404). ' + hint)
    else:
        # A refused create, clone or delete says what did not happen, before what to check.
        assert re.search(r'Not Found \(status 404\)\. The request was refused, so nothing was (created|deleted)\. ',
                         message)
    if hint == PROJECT_HINT:
        assert 'dataset_id' not in message


def test_shared_code_gives_no_404_hint_of_its_own(http):
    http.expect(Call('GET', '/api/v2/llm-obs/v1/anything').reply_error(404, 'not found'))

    with pytest.raises(APIError) as info:
        make_api().transport.request('GET', '/api/v2/llm-obs/v1/anything', 'Reading anything')

    assert info.value.message == 'Reading anything failed with HTTP 404 Not Found: not found.'
