# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The llmobs.datadog.prompt lookup: its options checked as the modules check theirs, and the requests it sends.

Every test states the exact HTTP calls (tests/unit/plugins/http_calls.py); a test that expects none fails on any
request, which is how the checks before any request are proven.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import API_KEY, APP_KEY
from ansible_collections.llmobs.datadog.tests.unit.plugins.http_calls import (
    get_prompt_version,
    list_prompt_versions,
    prompt_version,
    prompt_versions_page,
)

PROMPT = 'support-answer'
CHAT_1 = [{'role': 'system', 'content': 'You are a support assistant for {{company}}.'},
          {'role': 'user', 'content': '{{question}}'}]
CHAT_2 = [{'role': 'system', 'content': 'You are a concise support assistant for {{company}}. Cite the help-center '
                                        'article.'},
          {'role': 'user', 'content': '{{question}}'}]
CONFIG_2 = {'model': 'gpt-4o-mini', 'temperature': 0.2}
KEYS = dict(api_key=API_KEY, app_key=APP_KEY)


class Warnings(object):
    def __init__(self):
        self.texts = []

    def warning(self, msg, **kwargs):
        self.texts.append(msg)


@pytest.fixture
def plugin():
    """The lookup's Python module, imported inside the controller side (see conftest.py)."""
    from ansible_collections.llmobs.datadog.plugins.lookup import prompt  # pylint: disable=import-outside-toplevel
    return prompt


@pytest.fixture
def warnings(plugin, monkeypatch):
    shown = Warnings()
    monkeypatch.setattr(plugin, 'display', shown)
    return shown.texts


@pytest.fixture
def lookup(plugin, warnings):
    """``lookup(terms, **options)``: what the lookup returns, as Ansible calls it."""

    def run(terms, **options):
        return plugin.LookupModule().run(list(terms), variables={}, **options)

    return run


@pytest.fixture
def failure(plugin, lookup):
    """``failure(terms, **options)``: the message of the AnsibleLookupError the lookup raises."""
    from ansible.errors import AnsibleLookupError  # pylint: disable=import-outside-toplevel

    def run(terms, **options):
        with pytest.raises(AnsibleLookupError) as info:
            lookup(terms, **options)
        return info.value.message

    return run


def nothing_after(prompt_id, number):
    """The read of the version after ``number``: there is none (the versions list is up to date)."""
    return get_prompt_version(prompt_id, number + 1).reply_error(404, {'status': '404', 'title': 'Not Found'})


def the_demo_versions(prompt_id=PROMPT):
    """The versions list of the demo prompt, and the read that finds no version after its newest."""
    return [list_prompt_versions(prompt_id).reply(json=prompt_versions_page(
        prompt_id, (2, ['development']), (1, ['production']))), nothing_after(prompt_id, 2)]


def version_1(prompt_id=PROMPT):
    return get_prompt_version(prompt_id, 1).reply_data(prompt_version(prompt_id, 1, CHAT_1, labels=['production']))


def version_2(prompt_id=PROMPT):
    return get_prompt_version(prompt_id, 2).reply_data(
        prompt_version(prompt_id, 2, CHAT_2, config=CONFIG_2, labels=['development'], description='Concise'))


# ---------------------------------------------------------------- which version, which field


def test_the_latest_version_s_template_by_default(http, lookup):
    http.expect(the_demo_versions(), version_2())

    assert lookup([PROMPT], **KEYS) == [CHAT_2]


def test_the_version_a_label_is_on(http, lookup):
    http.expect(the_demo_versions(), version_1())

    assert lookup([PROMPT], label='production', **KEYS) == [CHAT_1]


def test_a_version_by_number_and_its_config(http, lookup):
    http.expect(the_demo_versions(), version_2())

    assert lookup([PROMPT], version=2, field='config', **KEYS) == [CONFIG_2]


def test_a_version_without_config_gives_an_empty_config(http, lookup):
    http.expect(the_demo_versions(), version_1())

    assert lookup([PROMPT], version='1', field='config', **KEYS) == [{}]


def test_the_whole_version(http, lookup):
    http.expect(the_demo_versions(), version_2())

    assert lookup([PROMPT], field='version', **KEYS) == [dict(
        id='v2-support-answer', version=2, labels=['development'], description='Concise',
        created_at='2026-11-25T10:00:00+00:00', template=CHAT_2, authoring_template=None, config=CONFIG_2,
        user_version=None)]


COMPOSED = {'messages': [{'include': {'prompt_id': 'intro', 'version': 1}}, {'role': 'user', 'content': '{{q}}'}]}
COMPILED = [{'role': 'system', 'content': 'Be kind.'}, {'role': 'user', 'content': '{{q}}'}]


@pytest.mark.parametrize('field, value', [('template', COMPILED), ('authoring_template', COMPOSED)])
def test_a_composed_version_gives_its_compiled_template_and_its_authored_one(http, lookup, field, value):
    http.expect(list_prompt_versions('composed').reply(json=prompt_versions_page('composed', 1)), nothing_after('composed', 1),
                get_prompt_version('composed', 1).reply_data(prompt_version('composed', 1, COMPILED,
                                                                            authoring=COMPOSED)))

    assert lookup(['composed'], field=field, **KEYS) == [value]


def test_a_text_template_is_returned_as_text(http, lookup):
    http.expect(list_prompt_versions('greeting').reply(json=prompt_versions_page('greeting', 1)), nothing_after('greeting', 1),
                get_prompt_version('greeting', 1).reply_data(prompt_version('greeting', 1, 'Hello {{name}}!')))

    assert lookup(['greeting'], **KEYS) == ['Hello {{name}}!']


def test_one_result_per_term_in_order(http, lookup):
    http.expect(
        list_prompt_versions('greeting').reply(json=prompt_versions_page('greeting', (1, ['production']))),
        nothing_after('greeting', 1),
        get_prompt_version('greeting', 1).reply_data(prompt_version('greeting', 1, 'Hello!', labels=['production'])),
        the_demo_versions(), version_1(),
    )

    assert lookup(['greeting', PROMPT], label='production', **KEYS) == ['Hello!', CHAT_1]


def test_the_latest_is_a_version_the_lagging_list_does_not_show_yet(http, lookup):
    http.expect(list_prompt_versions(PROMPT).reply(json=prompt_versions_page(PROMPT, (1, ['production']))),
                version_2(), nothing_after(PROMPT, 2))

    assert lookup([PROMPT], **KEYS) == [CHAT_2]


def test_a_label_on_a_version_the_lagging_list_does_not_show_yet(http, lookup):
    http.expect(list_prompt_versions(PROMPT).reply(json=prompt_versions_page(PROMPT, (1, ['production']))),
                version_2(), nothing_after(PROMPT, 2))

    assert lookup([PROMPT], label='development', field='config', **KEYS) == [CONFIG_2]


def test_no_terms_no_request(http, lookup):
    assert lookup([], **KEYS) == []


# ---------------------------------------------------------------- what is not there


def test_a_missing_prompt_fails_naming_it(http, failure):
    http.expect(list_prompt_versions('nope').reply(json=prompt_versions_page('nope')), nothing_after('nope', 0))

    assert failure(['nope'], **KEYS) == (
        "No prompt with prompt_id 'nope' was found in the prompt registry (prompt ids are compared exactly; a "
        "deleted prompt is not listed).")


def test_a_missing_label_names_the_labels_that_exist(http, failure):
    http.expect(the_demo_versions())

    assert failure([PROMPT], label='staging', **KEYS) == (
        "Prompt 'support-answer' has no version labelled 'staging'; its labels: production (version 1), "
        "development (version 2).")


def test_a_missing_version_names_the_versions_that_exist(http, failure):
    http.expect(the_demo_versions())

    assert failure([PROMPT], version=7, **KEYS) == "Prompt 'support-answer' has no version 7; its versions: 1, 2."


def test_a_later_term_that_fails_fails_the_lookup(http, failure):
    http.expect(the_demo_versions(), version_2(), list_prompt_versions('nope').reply(json=prompt_versions_page('nope')), nothing_after('nope', 0))

    assert "prompt_id 'nope'" in failure([PROMPT, 'nope'], **KEYS)


# ---------------------------------------------------------------- options checked before any request


@pytest.mark.parametrize('options, message', [
    (dict(label='production', version=1), 'parameters are mutually exclusive: label|version'),
    (dict(version=0), 'version must be a version number, 1 or more (got 0).'),
    (dict(version='two'), "argument 'version' is of type "),
    (dict(label=' '), 'label must not be blank'),
    (dict(field='title'), 'value of field must be one of: template, authoring_template, config, version, got: title'),
    (dict(lable='production'), 'Unsupported parameters for the llmobs.datadog.prompt lookup: lable. Supported '
                               'parameters include: '),
    (dict(site='us55.datadoghq.com'), "site 'us55.datadoghq.com' is not a known Datadog site (did you mean "
                                      "'us5.datadoghq.com'?)"),
    (dict(api_url='ftp://example.com'), 'api_url must be an absolute http:// or https:// URL'),
    (dict(timeout=0), 'timeout must be a number of seconds greater than 0'),
    (dict(retries=0), 'retries must be at least 1'),
], ids=['label-and-version', 'version-0', 'version-text', 'blank-label', 'field', 'unknown', 'site', 'api_url',
        'timeout', 'retries'])
def test_bad_options_fail_before_any_request(http, failure, options, message):
    assert failure([PROMPT], **dict(KEYS, **options)).startswith(message)


@pytest.mark.parametrize('term', ['', '  ', 7, {'prompt_id': PROMPT}])
def test_a_term_that_is_not_a_prompt_id_fails_before_any_request(http, failure, term):
    assert failure([PROMPT, term], **KEYS) == (
        'each term of the llmobs.datadog.prompt lookup is the prompt_id of a prompt, a non-empty string; term 2 is '
        '%r.' % (term,))


def test_missing_keys_fail_naming_the_option_and_the_variables(http, failure):
    assert failure([PROMPT], app_key=APP_KEY) == (
        'Missing Datadog API key: set the api_key option or the DD_API_KEY environment variable.')
    assert failure([PROMPT], api_key=API_KEY) == (
        'Missing Datadog application key: set the app_key option or the DD_APP_KEY or DD_APPLICATION_KEY environment '
        'variable.')


def test_without_requests_a_clear_error(http, failure, plugin, monkeypatch):
    monkeypatch.setattr(plugin, 'HAS_REQUESTS', False)

    assert failure([PROMPT], **KEYS) == ('The llmobs.datadog.prompt lookup needs the Python library requests on the '
                                         'controller, in the Python that runs Ansible: pip install requests.')


# ---------------------------------------------------------------- the environment, as for the modules


@pytest.mark.parametrize('app_key_variable', ['DD_APP_KEY', 'DD_APPLICATION_KEY'])
def test_keys_and_site_from_the_environment(http, lookup, monkeypatch, app_key_variable):
    monkeypatch.setenv('DD_API_KEY', API_KEY)
    monkeypatch.setenv(app_key_variable, APP_KEY)
    monkeypatch.setenv('DD_SITE', 'datadoghq.eu')
    http.expect([call.base('https://api.datadoghq.eu') for call in the_demo_versions()], version_1().base('https://api.datadoghq.eu'))

    assert lookup([PROMPT], label='production') == [CHAT_1]


def test_options_win_over_the_environment(http, lookup, monkeypatch):
    monkeypatch.setenv('DD_API_KEY', 'another-api-key-from-env')
    monkeypatch.setenv('DD_SITE', 'datadoghq.eu')
    http.expect([call.base('http://127.0.0.1:8126') for call in the_demo_versions()], version_1().base('http://127.0.0.1:8126'))

    assert lookup([PROMPT], version=1, api_url='http://127.0.0.1:8126', **KEYS) == [CHAT_1]


def test_a_bad_site_from_the_environment_is_named(http, failure, monkeypatch):
    monkeypatch.setenv('DD_SITE', 'app.datadoghq.eu')

    assert failure([PROMPT], **KEYS) == (
        "site 'app.datadoghq.eu' (from DD_SITE) is the address of the Datadog web app; the API site is 'datadoghq.eu'.")


# ---------------------------------------------------------------- keys never shown


ECHO_PAGE = '<html><body><h1>403 Forbidden</h1><p>Bad key %s for %s</p></body></html>' % (API_KEY, APP_KEY)


def test_an_error_page_that_echoes_the_keys_is_masked(http, failure):
    http.expect(list_prompt_versions(PROMPT).reply(403, body=ECHO_PAGE, content_type='text/html'))

    message = failure([PROMPT], **KEYS)

    assert 'HTTP 403' in message and '********' in message
    assert API_KEY not in message and APP_KEY not in message


def test_a_retry_warning_that_echoes_a_key_is_masked(http, lookup, warnings, monkeypatch):
    monkeypatch.setenv('DD_API_KEY', API_KEY)  # from the environment: masked all the same
    http.expect(list_prompt_versions(PROMPT).reply(503, body=ECHO_PAGE, content_type='text/html'),
                the_demo_versions(), version_2())

    assert lookup([PROMPT], app_key=APP_KEY) == [CHAT_2]
    assert len(warnings) == 1 and '503' in warnings[0]
    assert API_KEY not in warnings[0] and APP_KEY not in warnings[0]


def test_a_key_given_in_the_wrong_option_is_masked(http, failure):
    message = failure([PROMPT], field=APP_KEY, **KEYS)

    assert message == 'value of field must be one of: template, authoring_template, config, version, got: ********'
