# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The versions resource: the versions list, restore (an empty 200 is success), export (streamed CSV), draft state."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest
import requests

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import APIError, LLMObsError, TransportError
from ansible_collections.llmobs.datadog.plugins.module_utils._versions import (
    draft_state_facts,
    holder_text,
    version_numbers_text,
)
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import PROJECT, make_api
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    draft_state_document,
    export_dataset,
    get_draft_state,
    list_versions,
    lock_draft,
    probe_version,
    restore_version,
    unlock_draft,
    versions,
)

JANE = {'id': 'u-1', 'name': 'Jane Doe', 'email': 'jane@example.com', 'handle': 'jane@example.com', 'icon': None}


class Sink(object):
    """What the export writes into: the chunks, and how often it was made to start over."""

    def __init__(self):
        self.data = b''
        self.restarts = 0

    def write(self, chunk):
        self.data += chunk

    def restart(self):
        self.data = b''
        self.restarts += 1


def test_versions_are_listed_newest_first_with_what_the_api_gives(http):
    http.expect(list_versions('ds-1').reply(json={'data': (
        versions('ds-1', 1, last_used='2026-11-30T10:00:00Z') + versions('ds-1', 3, created_at='2026-12-01T00:00:00Z')
        + versions('ds-1', 2, record_count=7))}))

    listed = make_api().versions.list(PROJECT, 'ds-1')

    assert [v['version'] for v in listed] == [3, 2, 1]
    assert listed[0] == dict(version=3, id='ds-1-v3', last_used=None, created_at='2026-12-01T00:00:00Z', record_count=None)
    assert listed[1]['record_count'] == 7 and listed[2]['last_used'] == '2026-11-30T10:00:00Z'
    assert version_numbers_text(listed) == '3, 2, 1' and version_numbers_text([]) == 'none'


def test_a_versions_answer_without_a_list_is_an_error(http):
    http.expect(list_versions('ds-1').reply(json={'data': None}))
    with pytest.raises(LLMObsError, match='without a "data" list'):
        make_api().versions.list(PROJECT, 'ds-1')


def test_find_returns_the_version_and_every_version(http):
    http.expect(list_versions('ds-1').reply(json={'data': versions('ds-1', 0, 1)}))
    found, listed = make_api().versions.find(PROJECT, 'ds-1', 0)
    assert found['version'] == 0 and len(listed) == 2


def test_restore_takes_an_empty_200_as_success(http):
    http.expect(restore_version('ds-1', 2).reply(body=''))
    assert make_api().versions.restore(PROJECT, 'ds-1', 2, lambda: None, 10) is None


def test_a_restore_whose_answer_was_lost_is_looked_up_and_not_sent_again(http):
    warnings = []
    http.expect(restore_version('ds-1', 2).raises(requests.exceptions.ReadTimeout('read timed out')))
    assert make_api(warnings=warnings).versions.restore(PROJECT, 'ds-1', 2, lambda: 'moved', 10) == 'moved'
    assert http.count('POST') == 1 and 'a lookup shows it was done' in warnings[0]


def test_a_refused_restore_says_nothing_was_restored(http):
    http.expect(restore_version('ds-1', 9).reply_error(404, {'detail': 'version not found'}))
    with pytest.raises(APIError, match='nothing was restored'):
        make_api().versions.restore(PROJECT, 'ds-1', 9, lambda: None, 10)


def test_export_streams_csv_into_the_sink(http):
    body = b'id,input,expected_output,metadata,tags\r\n' + b'r1,"""q""",,,\r\n' * 50000
    http.expect(export_dataset('ds-1', 3).reply(body=body, content_type='text/csv; charset=utf-8'))
    sink = Sink()
    assert make_api().versions.export(PROJECT, 'ds-1', 3, sink) == len(body)
    assert sink.data == body and sink.restarts == 0


def test_export_of_the_current_version_sends_no_version(http):
    http.expect(export_dataset('ds-1').reply(body=b'id,input\r\n', content_type='text/csv'))
    assert make_api().versions.export(PROJECT, 'ds-1', None, Sink()) == 10


def test_an_export_retried_starts_the_sink_over(http):
    warnings = []
    http.expect(
        export_dataset('ds-1', 1).reply_error(503, {'detail': 'unavailable'}),
        export_dataset('ds-1', 1).reply(body=b'id,input\r\nr1,1\r\n', content_type='text/csv'),
    )
    sink = Sink()
    sink.write(b'partial')
    make_api(warnings=warnings).versions.export(PROJECT, 'ds-1', 1, sink)
    assert sink.data == b'id,input\r\nr1,1\r\n' and sink.restarts == 1 and 'retrying' in warnings[0]


def test_an_export_answered_with_another_media_type_is_not_taken(http):
    page = b'<html>Sign in</html>'
    http.expect(export_dataset('ds-1', 1).reply(body=page, content_type='text/html'))  # not sent again: a page stays one
    sink = Sink()
    with pytest.raises(TransportError, match='text/html where text/csv was asked for'):
        make_api(retries=1).versions.export(PROJECT, 'ds-1', 1, sink)
    assert sink.data == b''


@pytest.mark.parametrize('content_type', ['application/octet-stream', 'text/plain', 'application/csv', None])
def test_an_export_labelled_loosely_is_taken(http, content_type):
    http.expect(export_dataset('ds-1', 1).reply(body=b'id,input\r\n', content_type=content_type))
    sink = Sink()
    make_api().versions.export(PROJECT, 'ds-1', 1, sink)
    assert sink.data == b'id,input\r\n'


def test_an_export_refused_names_the_status_and_the_version_hint(http):
    http.expect(export_dataset('ds-1', 7).reply_error(404, {'detail': 'no such version'}))
    with pytest.raises(APIError) as raised:
        make_api().versions.export(PROJECT, 'ds-1', 7, Sink())
    assert raised.value.status == 404 and 'no such version' in raised.value.message


def test_a_shorter_body_than_its_content_length_is_a_cut_off_export():
    api = make_api(retries=0)

    class Response(object):
        status_code = 200
        headers = {'Content-Type': 'text/csv', 'Content-Length': '100'}

        def iter_content(self, size):
            yield b'id,input\r\n'

        def close(self):
            pass

    api.transport._send = lambda *args, **kwargs: Response()
    with pytest.raises(TransportError, match=r'cut off: 10 of 100 bytes'):
        api.versions.export(PROJECT, 'ds-1', 1, Sink())


def test_a_connection_dropped_midway_is_retried_from_the_start():
    api = make_api(retries=1)
    answers = []

    class Response(object):
        status_code = 200
        headers = {'Content-Type': 'text/csv'}

        def __init__(self, cut):
            self.cut = cut

        def iter_content(self, size):
            yield b'id,input\r\n'
            if self.cut:
                raise requests.exceptions.ChunkedEncodingError('Connection broken: IncompleteRead')
            yield b'r1,1\r\n'

        def close(self):
            pass

    def send(*args, **kwargs):
        answers.append(kwargs)
        return Response(cut=len(answers) == 1)

    api.transport._send = send
    sink = Sink()
    api.versions.export(PROJECT, 'ds-1', 1, sink)
    assert sink.data == b'id,input\r\nr1,1\r\n' and sink.restarts == 1 and len(answers) == 2
    assert answers[0] == {'accept': 'text/csv', 'stream': True}


def test_nobody_holds_a_draft_in_any_of_the_shapes_that_say_so(http):
    http.expect(
        get_draft_state('ds-1').reply(json=draft_state_document('ds-1')),
        get_draft_state('ds-1').reply(json={'data': {'id': 'ds-1', 'type': 'draft_state_data'}}),
        get_draft_state('ds-1').reply_error(404, {'detail': 'no draft'}),
    )
    api = make_api()
    assert [api.versions.draft_state(PROJECT, 'ds-1') for dummy in range(3)] == [None, None, None]


def test_a_held_draft_names_its_holder(http):
    http.expect(get_draft_state('ds-1').reply(json=draft_state_document('ds-1', JANE, '2026-12-01T10:00:00Z')))
    state = make_api().versions.draft_state(PROJECT, 'ds-1')
    assert state == dict(user=JANE, drafting_since='2026-12-01T10:00:00Z')
    assert holder_text(state) == 'Jane Doe <jane@example.com> since 2026-12-01T10:00:00Z'
    assert holder_text(dict(user={'id': 'u-9'}, drafting_since=None)) == 'u-9'
    assert draft_state_facts({'data': {'attributes': {'user': {}, 'drafting_since': 'x'}}}) == dict(
        user=None, drafting_since='x')


def test_a_draft_state_failure_other_than_404_is_raised(http):
    http.expect(get_draft_state('ds-1').reply_error(403, {'detail': 'forbidden'}))
    with pytest.raises(APIError, match='forbidden'):
        make_api().versions.draft_state(PROJECT, 'ds-1')


def test_lock_and_unlock_send_no_body_and_take_an_empty_answer(http):
    http.expect(
        lock_draft('ds-1').reply(json=draft_state_document('ds-1', JANE, '2026-12-07T00:00:00Z')),
        unlock_draft('ds-1').reply(body=''),
        lock_draft('ds-1').reply(body=''),
    )
    api = make_api()
    assert api.versions.lock(PROJECT, 'ds-1')['user'] == JANE
    assert api.versions.unlock(PROJECT, 'ds-1') is None
    assert api.versions.lock(PROJECT, 'ds-1') is None


def test_an_unlock_that_timed_out_is_sent_again(http):
    http.expect(
        unlock_draft('ds-1').raises(requests.exceptions.ReadTimeout('read timed out')),
        unlock_draft('ds-1').reply(body=''),
    )
    make_api().versions.unlock(PROJECT, 'ds-1')
    assert http.count('PATCH') == 2


def test_the_current_version_exists_even_when_the_list_leaves_it_out(http):
    # The spec calls the list one of "active" versions: one no experiment used may be missing.
    http.expect([list_versions('ds-1').reply(json={'data': versions('ds-1', 1, 2)})] * 2)
    api = make_api()
    found, listed = api.versions.find(PROJECT, 'ds-1', 3, current_version=3)
    assert found == dict(version=3, id=None, last_used=None, created_at=None, record_count=None)
    assert [v['version'] for v in listed] == [2, 1]
    assert api.versions.require(PROJECT, 'ds-1', 2, 'dataset x', current_version=3)['id'] == 'ds-1-v2'


def test_a_version_required_but_not_listed_names_those_there_are(http):
    http.expect(list_versions('ds-1').reply(json={'data': versions('ds-1', 4, 5)}),
                probe_version('ds-1', 1).reply_error(404, {'detail': 'version not found'}))
    with pytest.raises(LLMObsError) as raised:
        make_api().versions.require(PROJECT, 'ds-1', 1, "dataset 'eval' (id ds-1)", current_version=5,
                                    result=dict(project_id=PROJECT))
    assert raised.value.message == ("Dataset 'eval' (id ds-1) has no version 1: its versions are 5, 4 (Datadog keeps "
                                    "old versions 90 days, then they expire).")
    assert raised.value.result_extras['project_id'] == PROJECT
    assert [v['version'] for v in raised.value.result_extras['versions']] == [5, 4]


def test_a_version_the_list_leaves_out_is_there_when_its_records_can_be_read(http):
    http.expect(list_versions('ds-1').reply(json={'data': versions('ds-1', 5)}),
                probe_version('ds-1', 2).reply_page({'id': 'r1', 'type': 'records', 'attributes': {'input': 'q'}}))
    found, dummy = make_api().versions.find(PROJECT, 'ds-1', 2, current_version=5)
    assert found['version'] == 2 and found['id'] is None


def test_a_version_the_list_leaves_out_with_no_record_is_not_there(http):
    # An expired version may be answered with an empty list: cloning it would empty the copy.
    http.expect(list_versions('ds-1').reply(json={'data': versions('ds-1', 5)}), probe_version('ds-1', 2).reply_page())
    assert make_api().versions.find(PROJECT, 'ds-1', 2, current_version=5)[0] is None


def test_a_version_past_the_current_one_is_not_probed(http):
    http.expect(list_versions('ds-1').reply(json={'data': versions('ds-1', 5)}))
    assert make_api().versions.find(PROJECT, 'ds-1', 6, current_version=5)[0] is None


@pytest.mark.parametrize('document, holder', [
    ({'data': {'id': 'ds-1', 'user': JANE, 'drafting_since': 'T'}}, 'Jane Doe <jane@example.com> since T'),
    ({'data': {'attributes': {'user': 'jane@example.com'}}}, 'jane@example.com'),
    ({'user': JANE, 'drafting_since': 'T'}, 'Jane Doe <jane@example.com> since T'),
    ({'data': [{'attributes': {'user': JANE}}]}, 'Jane Doe <jane@example.com>'),
    ({'data': {'attributes': {'locked': True}}}, 'someone'),
])
def test_a_held_draft_is_seen_in_the_shapes_a_preview_answer_may_take(document, holder):
    assert holder_text(draft_state_facts(document)) == holder


@pytest.mark.parametrize('document', [{'data': None}, {}, {'data': {'attributes': {'user': None, 'locked': False}}},
                                      {'data': []}, None])
def test_nobody_holds_a_draft_when_the_answer_names_nobody(document):
    assert draft_state_facts(document) is None
