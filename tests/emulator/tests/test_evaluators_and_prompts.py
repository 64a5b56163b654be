# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Custom evaluators and registry prompts: what each route stores and answers, the spec's checks, the
settings, the lag of reads, faults on the new routes, the control routes and seeds."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

import pytest
import requests

from ansible_collections.llmobs.datadog.tests.emulator.seeds import SeedError, check_seed
from ansible_collections.llmobs.datadog.tests.support.demo import DEMO_EVALUATOR, DEMO_PROJECT, DEMO_PROMPT

EVALUATORS = '/api/unstable/llm-obs/config/evaluators/custom'
TARGET = {'application_name': 'support-bot', 'enabled': True}


@pytest.fixture
def emulator(in_process):
    return in_process()


class Clock(object):
    """The store's clock, moved by hand: lag tests without sleeping."""

    def __init__(self):
        self.now = time.monotonic()

    def __call__(self):
        return self.now


def with_clock(emulator):
    clock = Clock()
    emulator.emulator.store.clock = clock
    return clock


# ---------------------------------------------------------------------- evaluators


def put(emulator, name, expect=200, body=None, **attributes):
    body = body or {'data': {'type': 'evaluator_config', 'id': name, 'attributes': attributes}}
    answer = emulator.api('PUT', EVALUATORS + '/' + name, json=body)
    assert answer.status_code == expect, answer.text
    return answer


def get(emulator, name, expect=200):
    answer = emulator.api('GET', EVALUATORS + '/' + name)
    assert answer.status_code == expect, answer.text
    return answer.json()['data']['attributes'] if expect == 200 else answer.json()


def listed_evaluators(emulator, **params):
    answer = emulator.api('GET', EVALUATORS, params=params)
    assert answer.status_code == 200
    return answer.json()


def test_the_demo_evaluator_is_served_as_design_gives_it(emulator):
    judge = get(emulator, DEMO_EVALUATOR)
    assert judge['eval_name'] == DEMO_EVALUATOR and judge['category'] == 'Custom'
    assert judge['target'] == {'application_name': 'support-bot', 'enabled': True, 'sampling_percentage': 50.0,
                               'eval_scope': 'span', 'root_spans_only': True}
    assert judge['llm_provider']['integration_account_id'] == 'demo-openai-account'
    assert judge['llm_judge_config']['inference_params'] == {'temperature': 0.0, 'max_tokens': 256}
    assert judge['llm_judge_config']['prompt_template'][1]['content'] == 'Question: {{span_input}}\nAnswer: {{span_output}}'
    assert judge['created_by'] == judge['last_updated_by'] == {'email': 'api-user@example.com'}
    assert [e['id'] for e in listed_evaluators(emulator)['data']] == [DEMO_EVALUATOR]


def test_put_creates_then_replaces_the_whole_configuration(emulator):
    answer = put(emulator, 'tone-judge', category='Custom', target=dict(TARGET, sampling_percentage=10),
                 llm_provider={'integration_provider': 'anthropic', 'model_name': 'claude'},
                 llm_judge_config={'inference_params': {'max_tokens': 100}})
    # The spec's PUT answers 200 with no body at all.
    assert answer.content == b'' and 'Content-Type' not in answer.headers
    first = get(emulator, 'tone-judge')
    assert first['target']['sampling_percentage'] == 10.0 and first['llm_provider']['model_name'] == 'claude'
    put(emulator, 'tone-judge', target=dict(TARGET, enabled=False))
    second = get(emulator, 'tone-judge')
    # A field not sent is gone; the creation is kept.
    assert 'llm_provider' not in second and 'llm_judge_config' not in second and 'category' not in second
    assert second['target'] == dict(TARGET, enabled=False)
    assert second['created_at'] == first['created_at'] and second['created_by'] == first['created_by']
    assert sorted(e['id'] for e in listed_evaluators(emulator)['data']) == [DEMO_EVALUATOR, 'tone-judge']


def test_put_may_leave_out_data_id_and_eval_name_and_names_are_url_decoded(emulator):
    answer = emulator.api('PUT', EVALUATORS + '/tone%20judge', json={'data': {'type': 'evaluator_config', 'attributes': {
        'target': TARGET}}})
    assert answer.status_code == 200
    assert get(emulator, 'tone%20judge')['eval_name'] == 'tone judge'


@pytest.mark.parametrize('change, pointer', [
    ({'target': dict(TARGET, sampling_percentage=0)}, '/data/attributes/target/sampling_percentage'),
    ({'target': dict(TARGET, sampling_percentage=100.5)}, '/data/attributes/target/sampling_percentage'),
    ({'target': dict(TARGET, sampling_percentage='50')}, '/data/attributes/target/sampling_percentage'),
    ({'target': dict(TARGET, sampling_percentage=True)}, '/data/attributes/target/sampling_percentage'),
    ({'target': None}, '/data/attributes/target'),
    ({'target': {'enabled': True}}, '/data/attributes/target/application_name'),
    ({'target': {'application_name': ' ', 'enabled': True}}, '/data/attributes/target/application_name'),
    ({'target': {'application_name': 'a'}}, '/data/attributes/target/enabled'),
    ({'target': dict(TARGET, enabled='yes')}, '/data/attributes/target/enabled'),
    ({'target': dict(TARGET, eval_scope='request')}, '/data/attributes/target/eval_scope'),
    ({'target': dict(TARGET, experiment_project_ids=['demo-project'])}, '/data/attributes/target/experiment_project_ids/0'),
    ({'target': dict(TARGET, sample_rate=5)}, '/data/attributes/target/sample_rate'),
    ({'llm_provider': {'integration_provider': 'mistral'}}, '/data/attributes/llm_provider/integration_provider'),
    ({'llm_provider': {'bedrock': {'region': 1}}}, '/data/attributes/llm_provider/bedrock/region'),
    ({'llm_judge_config': {}}, '/data/attributes/llm_judge_config/inference_params'),
    ({'llm_judge_config': {'inference_params': {'max_tokens': 1.5}}},
     '/data/attributes/llm_judge_config/inference_params/max_tokens'),
    ({'llm_judge_config': {'inference_params': {}, 'parsing_type': 'regex'}}, '/data/attributes/llm_judge_config/parsing_type'),
    ({'llm_judge_config': {'inference_params': {}, 'output_schema': []}}, '/data/attributes/llm_judge_config/output_schema'),
    ({'llm_judge_config': {'inference_params': {}, 'prompt_template': [{'content': 'x'}]}},
     '/data/attributes/llm_judge_config/prompt_template/0/role'),
    ({'llm_judge_config': {'inference_params': {}, 'prompt_template': [{'role': 'user', 'contents': [{'type': 'text'}]}]}},
     '/data/attributes/llm_judge_config/prompt_template/0/contents/0/value'),
    ({'llm_judge_config': {'inference_params': {}, 'assessment_criteria': {'pass_values': 'yes'}}},
     '/data/attributes/llm_judge_config/assessment_criteria/pass_values'),
    ({'eval_name': 'another-name'}, '/data/attributes/eval_name'),
    ({'created_at': '2024-01-15T10:30:00Z'}, '/data/attributes/created_at'),
])
def test_bad_configurations_are_400s_naming_the_field_and_store_nothing(emulator, change, pointer):
    attributes = dict({'target': TARGET}, **change)
    if attributes['target'] is None:
        del attributes['target']
    answer = put(emulator, 'bad-judge', expect=400, **attributes)
    assert answer.json()['errors'][0]['source']['pointer'] == pointer
    get(emulator, 'bad-judge', expect=404)


@pytest.mark.parametrize('body, pointer', [
    ({'data': {'type': 'evaluators', 'attributes': {'target': TARGET}}}, '/data/type'),
    ({'data': {'type': 'evaluator_config', 'id': 'other', 'attributes': {'target': TARGET}}}, '/data/id'),
    ({'data': {'type': 'evaluator_config'}}, '/data/attributes'),
])
def test_bad_envelopes_are_400s(emulator, body, pointer):
    answer = put(emulator, 'bad-judge', expect=400, body=body)
    assert answer.json()['errors'][0]['source']['pointer'] == pointer


def test_sampling_percentage_takes_the_top_of_its_range_and_nulls_where_nullable(emulator):
    put(emulator, 'full', target=dict(TARGET, sampling_percentage=100, eval_scope=None, filter=None, root_spans_only=None),
        llm_judge_config={'inference_params': {}, 'output_schema': None, 'context_query': None})
    stored = get(emulator, 'full')
    assert stored['target']['sampling_percentage'] == 100.0 and stored['target']['eval_scope'] is None
    assert stored['llm_judge_config']['output_schema'] is None


def test_delete_answers_204_then_404(emulator):
    assert emulator.api('DELETE', EVALUATORS + '/' + DEMO_EVALUATOR).status_code == 204
    get(emulator, DEMO_EVALUATOR, expect=404)
    assert emulator.api('DELETE', EVALUATORS + '/' + DEMO_EVALUATOR).status_code == 404
    assert listed_evaluators(emulator)['data'] == []


def test_settings_answer_the_put_with_the_object_and_unset_nullable_fields_as_null(emulator):
    emulator.configure(evaluator_put_body=True, evaluator_null_fields=True)
    answer = put(emulator, 'tone-judge', target=TARGET, llm_judge_config={'inference_params': {}})
    attributes = answer.json()['data']['attributes']
    assert attributes['target'] == dict(TARGET, eval_scope=None, filter=None, root_spans_only=None, sampling_percentage=None)
    assert attributes['llm_judge_config']['output_schema'] is None and attributes['eval_name'] == 'tone-judge'
    assert get(emulator, 'tone-judge') == attributes
    # What is stored is what was sent: the control view has no nulls added.
    assert [e for e in emulator.control('GET', '/evaluators')['evaluators'] if e['eval_name'] == 'tone-judge'][0][
        'target'] == TARGET


def test_a_setting_answers_with_the_defaults_and_read_only_fields_a_server_adds(emulator):
    emulator.configure(evaluator_server_fields=True)
    put(emulator, 'tone-judge', target=TARGET, llm_provider={'integration_provider': 'openai'},
        llm_judge_config={'inference_params': {}})
    attributes = get(emulator, 'tone-judge')
    assert attributes['category'] == 'Custom' and attributes['target']['experiment_project_ids'] == []
    assert attributes['target']['query'] and attributes['llm_provider']['integration_account_name']
    assert attributes['llm_judge_config']['modified_library_prompt_template'] is False
    # Only the answers carry them: what is stored is what was sent, and a field that was sent is shown as sent.
    stored = [e for e in emulator.control('GET', '/evaluators')['evaluators'] if e['eval_name'] == 'tone-judge'][0]
    assert 'category' not in stored and 'query' not in stored['target']
    put(emulator, 'tone-judge', target=TARGET, category='Quality', llm_judge_config={'inference_params': {}})
    assert get(emulator, 'tone-judge')['category'] == 'Quality'


def test_evaluator_lists_can_be_paged_by_a_setting(emulator):
    emulator.control('POST', '/evaluators', json={'evaluators': [
        {'eval_name': 'judge-%d' % n, 'target': TARGET} for n in range(4)]})
    assert 'meta' not in listed_evaluators(emulator)
    emulator.configure(evaluators_page_size=2)
    seen, cursor, pages = [], None, 0
    while True:
        page = listed_evaluators(emulator, **({'page[cursor]': cursor} if cursor else {}))
        seen += [e['id'] for e in page['data']]
        pages += 1
        cursor = page['meta']['after']
        if not cursor:
            break
    assert (pages, seen) == (3, [DEMO_EVALUATOR, 'judge-0', 'judge-1', 'judge-2', 'judge-3'])
    assert emulator.api('GET', EVALUATORS, params={'page[cursor]': 'nonsense'}).status_code == 400


def test_lag_shows_an_evaluator_as_it_was_before_the_writes_for_a_while(in_process):
    emulator = in_process(lag=5)
    clock = with_clock(emulator)
    put(emulator, 'new-judge', target=TARGET)
    get(emulator, 'new-judge', expect=404)
    assert 'new-judge' not in [e['id'] for e in listed_evaluators(emulator)['data']]
    assert [e['listed'] for e in emulator.state()['evaluators'] if e['eval_name'] == 'new-judge'] == [False]
    put(emulator, DEMO_EVALUATOR, target=dict(TARGET, sampling_percentage=5))
    clock.now += 3
    put(emulator, DEMO_EVALUATOR, target=dict(TARGET, sampling_percentage=7))
    clock.now += 3
    # Five seconds after the last write, not the first.
    assert get(emulator, DEMO_EVALUATOR)['target']['sampling_percentage'] == 50.0
    assert get(emulator, 'new-judge')['target'] == TARGET
    clock.now += 2
    assert get(emulator, DEMO_EVALUATOR)['target']['sampling_percentage'] == 7.0
    assert emulator.api('DELETE', EVALUATORS + '/new-judge').status_code == 204
    assert get(emulator, 'new-judge')['eval_name'] == 'new-judge'
    # Writes see the delete at once.
    assert emulator.api('DELETE', EVALUATORS + '/new-judge').status_code == 404
    clock.now += 5
    get(emulator, 'new-judge', expect=404)


def test_a_put_whose_answer_is_lost_is_stored(emulator):
    emulator.add_fault(operation='UpdateLLMObsCustomEvalConfig', drop=True, commit=True)
    with pytest.raises(requests.ConnectionError):
        put(emulator, 'lost-answer', target=TARGET)
    assert get(emulator, 'lost-answer')['target'] == TARGET
    emulator.add_fault(operation='DeleteLLMObsCustomEvalConfig', status=502, body='html', commit=True)
    assert emulator.api('DELETE', EVALUATORS + '/lost-answer').status_code == 502
    get(emulator, 'lost-answer', expect=404)
    log = emulator.requests_log()
    assert [(e['operation'], e['status']) for e in log] == [
        ('UpdateLLMObsCustomEvalConfig', 'dropped'), ('GetLLMObsCustomEvalConfig', 200),
        ('DeleteLLMObsCustomEvalConfig', 502), ('GetLLMObsCustomEvalConfig', 404)]


def test_evaluator_control_routes(emulator):
    made = emulator.control('POST', '/evaluators', json={'evaluators': [
        {'eval_name': DEMO_EVALUATOR, 'target': dict(TARGET, enabled=False), 'created_at': '2024-01-15T10:30:00Z'}]})
    assert made['evaluators'][0]['target'] == dict(TARGET, enabled=False)
    assert get(emulator, DEMO_EVALUATOR)['created_at'] == '2024-01-15T10:30:00.000+00:00'
    assert emulator.control('GET', '/evaluators/' + DEMO_EVALUATOR)['listed'] is True
    emulator.control('DELETE', '/evaluators/' + DEMO_EVALUATOR)
    get(emulator, DEMO_EVALUATOR, expect=404)
    for method, path, body in (('POST', '/evaluators', {'evaluators': [{'eval_name': 'x', 'target': {'enabled': True}}]}),
                               ('GET', '/evaluators/nope', None)):
        with pytest.raises(requests.HTTPError) as failed:
            emulator.control(method, path, json=body)
        assert failed.value.response.status_code in (400, 404)
    assert 'evaluators[0].target.application_name' in emulator_error(emulator, 'POST', '/evaluators', {'evaluators': [
        {'eval_name': 'x', 'target': {'enabled': True}}]})


def emulator_error(emulator, method, path, body):
    return requests.request(method, emulator.url + '/_emulator' + path, json=body, timeout=10).json()['error']


# ---------------------------------------------------------------------- prompts


def create_prompt(emulator, prompt_id, template, expect=200, **attributes):
    answer = emulator.api('POST', '/prompts', json={'data': {'type': 'prompt-templates', 'attributes': dict(
        attributes, prompt_id=prompt_id, template=template)}})
    assert answer.status_code == expect, answer.text
    return answer.json()


def new_version(emulator, prompt_id, template, expect=200, **attributes):
    answer = emulator.api('POST', '/prompts/%s/versions' % prompt_id, json={'data': {
        'type': 'prompt-template-versions', 'attributes': dict(attributes, template=template)}})
    assert answer.status_code == expect, answer.text
    return answer.json()


def label(emulator, prompt_id, number, labels, expect=200):
    answer = emulator.api('PATCH', '/prompts/%s/versions/%d' % (prompt_id, number), json={'data': {
        'type': 'prompt-template-versions', 'attributes': {'labels': labels}}})
    assert answer.status_code == expect, answer.text
    return answer.json()


def versions(emulator, prompt_id):
    answer = emulator.api('GET', '/prompts/%s/versions' % prompt_id)
    assert answer.status_code == 200
    return [(v['attributes']['version'], v['attributes']['labels']) for v in answer.json()['data']]


def version(emulator, prompt_id, number, expect=200):
    answer = emulator.api('GET', '/prompts/%s/versions/%s' % (prompt_id, number))
    assert answer.status_code == expect, answer.text
    return answer.json()['data']['attributes'] if expect == 200 else answer.json()


def prompt_ids(emulator, **params):
    answer = emulator.api('GET', '/prompts', params=params)
    assert answer.status_code == 200
    return [p['attributes']['prompt_id'] for p in answer.json()['data']]


def test_the_demo_prompt_is_served_as_design_gives_it(emulator):
    listed = emulator.api('GET', '/prompts').json()['data']
    assert [p['attributes']['prompt_id'] for p in listed] == [DEMO_PROMPT]
    assert (listed[0]['attributes']['title'], listed[0]['attributes']['num_versions']) == ('Support answer', 2)
    assert versions(emulator, DEMO_PROMPT) == [(2, ['development']), (1, ['production'])]
    first = version(emulator, DEMO_PROMPT, 1)
    assert first['template'][0] == {'role': 'system', 'content': 'You are a support assistant for {{company}}.'}
    assert 'config' not in first     # stored {}: left out of answers
    assert version(emulator, DEMO_PROMPT, 2)['config'] == {'model': 'gpt-4o-mini', 'temperature': 0.2}
    latest = emulator.api('GET', '/prompts/' + DEMO_PROMPT).json()['data']
    assert latest['id'] == listed[0]['id'] and latest['attributes']['version'] == '2'
    assert 'template' not in latest['attributes'] and len(latest['attributes']['chat_template']) == 2
    production = emulator.api('GET', '/prompts/' + DEMO_PROMPT, params={'label': 'production'}).json()['data']['attributes']
    assert production['version'] == '1'
    assert emulator.api('GET', '/prompts/' + DEMO_PROMPT, params={'label': 'staging'}).status_code == 404


def test_create_then_409_then_delete_and_create_again_from_version_1(emulator):
    made = create_prompt(emulator, 'greeting', 'Hello {{name}}', title='Greeting', description='Says hello')['data']
    assert made['attributes']['num_versions'] == 1 and 'config' not in made['attributes']
    again = create_prompt(emulator, 'greeting', 'Hi', expect=409)
    assert again['errors'][0]['source']['pointer'] == '/data/attributes/prompt_id'
    new_version(emulator, 'greeting', 'Hello there {{name}}')
    deleted = emulator.api('DELETE', '/prompts/greeting')
    assert deleted.status_code == 200 and deleted.json()['data']['attributes']['prompt_id'] == 'greeting'
    assert deleted.json()['data']['id'] == made['id'] and deleted.json()['data']['attributes']['deleted_at']
    assert emulator.api('GET', '/prompts/greeting').status_code == 404
    assert versions(emulator, 'greeting') == [] and 'greeting' not in prompt_ids(emulator)
    version(emulator, 'greeting', 1, expect=404)
    assert emulator.api('DELETE', '/prompts/greeting').status_code == 404
    remade = create_prompt(emulator, 'greeting', 'Hey')['data']
    assert remade['id'] != made['id'] and versions(emulator, 'greeting') == [(1, [])]
    views = [p for p in emulator.control('GET', '/prompts')['prompts'] if p['prompt_id'] == 'greeting']
    assert [(p['deleted'], len(p['versions'])) for p in views] == [(False, 1), (True, 2)]


def test_the_filter_is_exact_unless_a_setting_makes_it_a_prefix(emulator):
    create_prompt(emulator, 'support-answer-v2', 'x')
    create_prompt(emulator, 'support', 'y')
    assert prompt_ids(emulator, **{'filter[prompt_id]': 'support'}) == ['support']
    emulator.configure(prompt_filter_prefix=True)
    assert prompt_ids(emulator, **{'filter[prompt_id]': 'support'}) == ['support', 'support-answer-v2', DEMO_PROMPT]
    emulator.configure(prompts_page_size=2)
    first = emulator.api('GET', '/prompts').json()
    assert len(first['data']) == 2 and first['meta']['after']
    rest = emulator.api('GET', '/prompts', params={'page[cursor]': first['meta']['after']}).json()
    assert len(rest['data']) == 1 and rest['meta']['after'] is None


def test_config_is_carried_forward_when_left_out_and_cleared_by_an_empty_one(emulator):
    third = new_version(emulator, DEMO_PROMPT, 'A text now', description='text')['data']['attributes']
    assert third['config'] == {'model': 'gpt-4o-mini', 'temperature': 0.2} and third['version'] == 3
    fourth = new_version(emulator, DEMO_PROMPT, 'A text now', config={})['data']['attributes']
    assert 'config' not in fourth
    fifth = new_version(emulator, DEMO_PROMPT, 'A text now', config={'model': 'x'}, labels=['production'])
    assert fifth['data']['attributes']['labels'] == ['production']
    assert versions(emulator, DEMO_PROMPT) == [(5, ['production']), (4, []), (3, []), (2, ['development']), (1, [])]
    latest = emulator.api('GET', '/prompts/' + DEMO_PROMPT).json()['data']['attributes']
    assert (latest['template'], latest['version'], latest['config']) == ('A text now', '5', {'model': 'x'})
    assert 'chat_template' not in latest
    listed = emulator.api('GET', '/prompts').json()['data'][0]['attributes']
    assert listed['num_versions'] == 5
    new_version(emulator, 'no-such-prompt', 'x', expect=404)


def test_a_label_moves_unless_a_setting_keeps_it_on_both(emulator):
    answer = label(emulator, DEMO_PROMPT, 2, ['production', 'development'])
    assert answer['data']['attributes']['labels'] == ['production', 'development']
    assert versions(emulator, DEMO_PROMPT) == [(2, ['production', 'development']), (1, [])]
    label(emulator, DEMO_PROMPT, 2, [])                      # labels replace that version's labels
    assert versions(emulator, DEMO_PROMPT) == [(2, []), (1, [])]
    emulator.control('POST', '/reset')
    emulator.configure(prompt_labels_move=False)
    label(emulator, DEMO_PROMPT, 2, ['development', 'production'])
    assert versions(emulator, DEMO_PROMPT) == [(2, ['development', 'production']), (1, ['production'])]
    # The label query answers the newest version holding it.
    assert emulator.api('GET', '/prompts/' + DEMO_PROMPT, params={'label': 'production'}).json()['data']['attributes'][
        'version'] == '2'
    assert emulator.state()['prompts'][0]['labels'] == {'development': 2, 'production': 2}


@pytest.mark.parametrize('body, status, pointer', [
    ({'data': {'type': 'prompt-templates', 'attributes': {}}}, 400, '/data/attributes'),
    ({'data': {'type': 'prompt-templates', 'attributes': {'name': 'x'}}}, 400, '/data/attributes/name'),
    ({'data': {'type': 'prompt-templates', 'attributes': {'title': 3}}}, 400, '/data/attributes/title'),
    ({'data': {'type': 'prompt-template-versions', 'attributes': {'title': 'x'}}}, 400, '/data/type'),
])
def test_bad_prompt_updates_are_400s(emulator, body, status, pointer):
    answer = emulator.api('PATCH', '/prompts/' + DEMO_PROMPT, json=body)
    assert answer.status_code == status and answer.json()['errors'][0]['source']['pointer'] == pointer


def test_prompt_updates_change_title_and_description(emulator):
    answer = emulator.api('PATCH', '/prompts/' + DEMO_PROMPT, json={'data': {'type': 'prompt-templates', 'attributes': {
        'description': 'New words'}}})
    assert answer.status_code == 200
    attributes = answer.json()['data']['attributes']
    assert (attributes['title'], attributes['description']) == ('Support answer', 'New words')
    assert emulator.api('PATCH', '/prompts/nope', json={'data': {'type': 'prompt-templates', 'attributes': {
        'title': 'x'}}}).status_code == 404


@pytest.mark.parametrize('attributes, pointer', [
    ({}, '/data/attributes'),
    ({'template': 'x'}, '/data/attributes/template'),
    ({'labels': ['staging']}, '/data/attributes/labels/0'),
    ({'labels': 'production'}, '/data/attributes/labels'),
    ({'env_ids': [1]}, '/data/attributes/env_ids'),
])
def test_bad_version_updates_are_400s_and_change_nothing(emulator, attributes, pointer):
    answer = emulator.api('PATCH', '/prompts/%s/versions/1' % DEMO_PROMPT, json={'data': {
        'type': 'prompt-template-versions', 'attributes': attributes}})
    assert answer.status_code == 400 and answer.json()['errors'][0]['source']['pointer'] == pointer
    assert versions(emulator, DEMO_PROMPT) == [(2, ['development']), (1, ['production'])]


def test_version_numbers_in_the_path_are_checked(emulator):
    for bad in ('0', 'two', '-1'):
        answer = version(emulator, DEMO_PROMPT, bad, expect=400)
        assert answer['errors'][0]['source']['parameter'] == 'version'
    assert 'versions: 1 to 2' in version(emulator, DEMO_PROMPT, 3, expect=404)['errors'][0]['detail']
    label(emulator, DEMO_PROMPT, 3, ['production'], expect=404)


CHAT = [{'role': 'user', 'content': '{{q}}'}]


@pytest.mark.parametrize('template, pointer', [
    ('', '/data/attributes/template'),
    (' \n\t', '/data/attributes/template'),
    (5, '/data/attributes/template'),
    ([], '/data/attributes/template'),
    ([{'role': 'user'}], '/data/attributes/template/0/content'),
    ([{'content': 'x'}], '/data/attributes/template/0/role'),
    ([{'role': 'user', 'content': 'x', 'name': 'n'}], '/data/attributes/template/0/name'),
    ([{'role': 'user', 'content': 3}], '/data/attributes/template/0/content'),
    (CHAT + [{'type': 'placeholder', 'name': 'chat history'}], '/data/attributes/template/1/name'),
    (CHAT + [{'type': 'placeholder', 'name': 'h', 'role': 'user'}], '/data/attributes/template/1/name'),
    ([{'include': {'prompt_id': DEMO_PROMPT, 'version': 1}}], '/data/attributes/template/0/include'),
    ({'messages': []}, '/data/attributes/template/messages'),
    ({'messages': CHAT, 'title': 'x'}, '/data/attributes/template'),
    ({'msgs': CHAT}, '/data/attributes/template'),
    ({'messages': [{'include': {'prompt_id': 'nope', 'version': 1}}]}, '/data/attributes/template/messages/0/include'),
    ({'messages': [{'include': {'prompt_id': DEMO_PROMPT, 'version': 3}}]}, '/data/attributes/template/messages/0/include'),
    ({'messages': [{'include': {'prompt_id': DEMO_PROMPT, 'version': 0}}]},
     '/data/attributes/template/messages/0/include/version'),
    ({'messages': [{'include': {'prompt_id': DEMO_PROMPT, 'version': 1, 'items': [2]}}]},
     '/data/attributes/template/messages/0/include/items/0'),
    ({'messages': [{'include': {'prompt_id': DEMO_PROMPT, 'version': 1, 'items': []}}]},
     '/data/attributes/template/messages/0/include/items'),
    ({'messages': [{'include': {'prompt_id': DEMO_PROMPT, 'version': 1}, 'role': 'user', 'content': 'x'}]},
     '/data/attributes/template/messages/0'),
    ({'messages': [{'include': {'prompt_id': DEMO_PROMPT, 'version': 1, 'label': 'production'}}]},
     '/data/attributes/template/messages/0/include/label'),
    ('{{>support-answer version=1}} and more', '/data/attributes/template'),
    ('{{>nope version=1}} and more', '/data/attributes/template'),
])
def test_bad_templates_are_400s_naming_where_and_store_nothing(emulator, template, pointer):
    answer = emulator.api('POST', '/prompts', json={'data': {'type': 'prompt-templates', 'attributes': {
        'prompt_id': 'bad-template', 'template': template}}})
    assert answer.status_code == 400, answer.text
    assert answer.json()['errors'][0]['source']['pointer'] == pointer
    assert 'bad-template' not in prompt_ids(emulator) and emulator.api('GET', '/prompts/bad-template').status_code == 404
    answer = new_version(emulator, DEMO_PROMPT, template, expect=400)
    assert answer['errors'][0]['source']['pointer'] == pointer
    assert len(versions(emulator, DEMO_PROMPT)) == 2


def test_composed_versions_answer_the_compiled_and_the_authored_template(emulator):
    authored = {'messages': [{'include': {'prompt_id': DEMO_PROMPT, 'version': 1, 'items': [1, 0, 0]}},
                             {'type': 'placeholder', 'name': 'history'}, {'role': 'user', 'content': 'Be brief.'}]}
    made = new_version(emulator, DEMO_PROMPT, authored)['data']['attributes']
    system = {'role': 'system', 'content': 'You are a support assistant for {{company}}.'}
    compiled = [{'role': 'user', 'content': '{{question}}'}, system, system, {'type': 'placeholder', 'name': 'history'},
                {'role': 'user', 'content': 'Be brief.'}]
    assert (made['template'], made['authoring_template']) == (compiled, authored)
    assert version(emulator, DEMO_PROMPT, 3)['authoring_template'] == authored
    assert emulator.api('GET', '/prompts/' + DEMO_PROMPT).json()['data']['attributes']['chat_template'] == compiled
    # Authored messages without an include are an ordinary chat version.
    plain = new_version(emulator, DEMO_PROMPT, {'messages': CHAT})['data']['attributes']
    assert plain['template'] == CHAT and 'authoring_template' not in plain
    create_prompt(emulator, 'policy', 'Be kind.')
    text = new_version(emulator, DEMO_PROMPT, '{{>policy version=1}} Answer {{q}}.')['data']['attributes']
    assert (text['template'], text['authoring_template']) == ('Be kind. Answer {{q}}.', '{{>policy version=1}} Answer {{q}}.')
    # {{>...}} without a version stays literal.
    literal = new_version(emulator, DEMO_PROMPT, '{{>policy}} stays')['data']['attributes']
    assert literal['template'] == '{{>policy}} stays' and 'authoring_template' not in literal


def test_without_configuration_authoring_a_config_is_a_403_and_nothing_is_made(emulator):
    emulator.configure(prompt_config_authoring=False)
    create_prompt(emulator, 'configured', 'x', config={'model': 'm'}, expect=403)
    assert 'configured' not in prompt_ids(emulator)
    new_version(emulator, DEMO_PROMPT, 'x', config={}, expect=403)
    assert new_version(emulator, DEMO_PROMPT, 'x')['data']['attributes']['config'] == {
        'model': 'gpt-4o-mini', 'temperature': 0.2}


def test_a_user_version_is_the_version_of_the_flattened_read(emulator):
    new_version(emulator, DEMO_PROMPT, 'x', user_version='2024-06-rc1')
    assert emulator.api('GET', '/prompts/' + DEMO_PROMPT).json()['data']['attributes']['version'] == '2024-06-rc1'
    assert version(emulator, DEMO_PROMPT, 3)['user_version'] == '2024-06-rc1'


def test_lag_shows_prompts_and_their_versions_as_they_were_before_the_writes(in_process):
    emulator = in_process(lag=5)
    clock = with_clock(emulator)
    create_prompt(emulator, 'fresh', 'x')
    assert 'fresh' not in prompt_ids(emulator) and versions(emulator, 'fresh') == []
    # Writes and direct reads see it at once.
    create_prompt(emulator, 'fresh', 'x', expect=409)
    assert version(emulator, 'fresh', 1)['template'] == 'x'
    new_version(emulator, DEMO_PROMPT, 'y')
    label(emulator, DEMO_PROMPT, 3, ['production'])
    assert versions(emulator, DEMO_PROMPT) == [(2, ['development']), (1, ['production'])]
    assert emulator.api('GET', '/prompts').json()['data'][0]['attributes']['num_versions'] == 2
    clock.now += 5
    assert versions(emulator, DEMO_PROMPT) == [(3, ['production']), (2, ['development']), (1, [])]
    assert sorted(prompt_ids(emulator)) == ['fresh', DEMO_PROMPT]
    assert emulator.api('DELETE', '/prompts/fresh').status_code == 200
    assert 'fresh' in prompt_ids(emulator) and emulator.api('GET', '/prompts/fresh').status_code == 404
    clock.now += 5
    assert prompt_ids(emulator) == [DEMO_PROMPT]


def test_a_version_whose_answer_is_lost_is_made_once(emulator):
    emulator.add_fault(operation='CreateLLMObsPromptVersion', drop=True, commit=True)
    with pytest.raises(requests.ConnectionError):
        new_version(emulator, DEMO_PROMPT, 'lost')
    assert versions(emulator, DEMO_PROMPT)[0] == (3, [])
    emulator.add_fault(operation='CreateLLMObsPrompt', status=500, commit=True)
    create_prompt(emulator, 'half-made', 'x', expect=500)
    assert 'half-made' in prompt_ids(emulator)
    emulator.add_fault(operation='ListLLMObsPromptVersions', status=429, reset=2)
    limited = emulator.api('GET', '/prompts/%s/versions' % DEMO_PROMPT)
    assert limited.status_code == 429 and limited.headers['X-RateLimit-Reset'] == '2'


def test_prompt_control_routes_and_state(emulator):
    made = emulator.control('POST', '/prompts', json={'prompts': [
        {'prompt_id': 'seeded', 'title': 'Seeded', 'created_at': '2024-01-15T10:30:00Z', 'versions': [
            {'template': 'one'}, {'template': {'messages': [{'include': {'prompt_id': DEMO_PROMPT, 'version': 1}}]},
                                  'labels': ['production'], 'config': {'k': 1}}]}]})['prompts'][0]
    assert [v['version'] for v in made['versions']] == [2, 1] and made['labels'] == {'production': 2}
    assert made['versions'][0]['authoring_template'] is not None and made['created_at'] == '2024-01-15T10:30:00.000+00:00'
    assert emulator.control('GET', '/prompts/seeded')['versions'][0]['config'] == {'k': 1}
    assert versions(emulator, 'seeded') == [(2, ['production']), (1, [])]
    state = emulator.state()
    assert [p['prompt_id'] for p in state['prompts']] == ['seeded', DEMO_PROMPT]
    assert [e['eval_name'] for e in state['evaluators']] == [DEMO_EVALUATOR]
    assert 'prompts[0].versions[0].template.messages[0].include' in emulator_error(emulator, 'POST', '/prompts', {
        'prompts': [{'prompt_id': 'x', 'versions': [{'template': {'messages': [{'include': {'prompt_id': 'nope',
                                                                                            'version': 1}}]}}]}]})
    emulator.control('POST', '/reset')
    assert [p['prompt_id'] for p in emulator.state()['prompts']] == [DEMO_PROMPT]


@pytest.mark.parametrize('seed, where', [
    ({'evaluators': [{'target': TARGET}]}, 'evaluators[0].eval_name: missing'),
    ({'evaluators': [{'eval_name': 'a', 'target': dict(TARGET, sampling_percentage=101)}]},
     'evaluators[0].target.sampling_percentage:'),
    ({'evaluators': [{'eval_name': 'a', 'target': TARGET}, {'eval_name': 'a', 'target': TARGET}]},
     'evaluators[1].eval_name: a is used twice'),
    ({'evaluators': [{'eval_name': 'a', 'target': TARGET, 'created_at': 'yesterday'}]}, 'evaluators[0].created_at'),
    ({'prompts': [{'prompt_id': 'p'}]}, 'prompts[0].versions: must be a JSON list'),
    ({'prompts': [{'prompt_id': 'p', 'versions': []}]}, 'prompts[0].versions: a prompt needs one version or more'),
    ({'prompts': [{'prompt_id': 'p', 'versions': [{'template': [{'role': 'user'}]}]}]}, 'prompts[0].versions[0].template[0].content'),
    ({'prompts': [{'prompt_id': 'p', 'versions': [{'template': 'x', 'labels': ['beta']}]}]}, 'prompts[0].versions[0].labels[0]'),
    ({'prompts': [{'prompt_id': 'p', 'versions': [{'template': 'x', 'tags': []}]}]}, 'prompts[0].versions[0]: unknown key(s) tags'),
    ({'prompts': [{'prompt_id': 'p', 'versions': [{'template': {'messages': [{'include': {'prompt_id': 'q', 'version': 1}}]}}]},
                  {'prompt_id': 'q', 'versions': [{'template': CHAT}]}]}, 'prompts[0].versions[0].template.messages[0].include'),
    ({'prompts': [{'prompt_id': 'p', 'versions': [{'template': 'x'}]}, {'prompt_id': 'p', 'versions': [{'template': 'y'}]}]},
     'prompts[1].prompt_id: p is used twice'),
])
def test_bad_seeds_of_evaluators_and_prompts_say_where(seed, where):
    with pytest.raises(SeedError) as failed:
        check_seed(seed)
    assert where in str(failed.value)


def test_a_checked_seed_checks_again_the_same(emulator):
    again = {'messages': [{'include': {'prompt_id': 'q', 'version': 1}}, {'role': 'user', 'content': 'again'}]}
    composed = {'messages': [{'include': {'prompt_id': 'q', 'version': 1}}]}
    seed = {
        'evaluators': [{'eval_name': 'a', 'created_at': '2024-01-15',
                        'target': dict(TARGET, sampling_percentage=5, experiment_project_ids=[DEMO_PROJECT])}],
        'prompts': [{'prompt_id': 'q', 'versions': [{'template': CHAT}, {'template': again}]},
                    {'prompt_id': 'p', 'versions': [{'template': composed}]}]}
    checked = check_seed(seed)
    assert check_seed(checked) == checked and checked['evaluators'][0]['target']['sampling_percentage'] == 5.0
    emulator.control('POST', '/seed', json=seed)
    assert version(emulator, 'p', 1)['template'] == CHAT
    assert version(emulator, 'q', 2)['template'] == CHAT + [{'role': 'user', 'content': 'again'}]
    assert get(emulator, 'a')['created_at'] == '2024-01-15T00:00:00.000+00:00'
