# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The state engine on its own: a NamedResource whose find and writes are recorded, no HTTP at all.

Each test states what the name lookups return, in order, and checks every call the engine made:
which lookups, which writes with which arguments, and none in check mode. Waiting runs on the
transport's poll with the virtual clock of the ``clock`` fixture.

Every branch of the engine is tested here, once; the module tests keep what is theirs (their
options, their resource's requests, their messages).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import LLMObsError
from ansible_collections.llmobs.datadog.plugins.module_utils._state import Contents, NamedResource, amount, ensure
from ansible_collections.llmobs.datadog.tests.unit.plugins.helpers import make_api


def item(item_id, name='eval', description='', metadata=None):
    return {'id': item_id, 'name': name, 'description': description, 'metadata': metadata, 'created_at': 't0'}


class Resource(object):
    """Fake find and writes: ``finds`` are the answers of successive name lookups; ``calls`` records everything."""

    def __init__(self, finds, created=None, updated=None, counts=None, guarded=None):
        self.finds = list(finds)
        self.counts = counts
        self.guarded = guarded
        self.created = created
        self.updated = updated
        self.calls = []

    def find(self, name):
        self.calls.append(('find', name))
        assert self.finds, 'a name lookup more than the test expected'
        return self.finds.pop(0)

    def create(self, fields):
        self.calls.append(('create', fields))
        return self.created

    def update(self, item_id, changes):
        self.calls.append(('update', item_id, changes))
        return self.updated

    def delete(self, item_id):
        self.calls.append(('delete', item_id))

    def count(self, item_id):
        self.calls.append(('count', item_id))
        return self.counts

    @property
    def writes(self):
        return [call for call in self.calls if call[0] not in ('find', 'count')]

    def declared(self, where='in project p', **options):
        contents = None
        if self.counts is not None:
            contents = Contents(self.count, list(self.counts), guarded=self.guarded)  # keys in the order given
        return NamedResource('dataset', find=self.find, facts=dict, create=self.create, update=self.update,
                             delete=self.delete, diff_keys=('name', 'description', 'metadata'),
                             server_assigned=('id', 'created_at'), where=where, contents=contents, **options)


class Task(object):
    def __init__(self, state='present', check_mode=False, diff=False, wait=True, wait_timeout=30, force=None):
        self.params = dict(state=state, wait=wait, wait_timeout=wait_timeout)
        if force is not None:
            self.params['force'] = force
        self.check_mode = check_mode
        self.diff = diff
        self.warnings = []
        self.warn = self.warnings.append
        self.api = make_api()


def run(resource, task, desired=None, name='eval', extras=None, create_only=False, update_only=False, **options):
    result = dict(changed=False)
    result.update(extras or {})
    return ensure(task, resource.declared(**options), name, desired if desired is not None else {}, result,
                  create_only=create_only, update_only=update_only)


def raising_failed_lookups(find):
    """A find whose answers may be exceptions: an LLMObsError among ``finds`` is raised, as a failed lookup."""
    def answer(name):
        found = find(name)
        if isinstance(found, LLMObsError):
            raise found
        return found
    return answer


# ---------------------------------------------------------------- create


def test_create_sends_the_given_fields_with_the_name_and_waits_until_listed(clock):
    created = item('d1', description='d')
    resource = Resource([[], [], [created]], created=created)
    task = Task(diff=True)

    result = run(resource, task, dict(description='d', metadata=None), extras=dict(project_id='p'))

    assert resource.calls == [('find', 'eval'), ('create', {'name': 'eval', 'description': 'd'}),
                              ('find', 'eval'), ('find', 'eval')]
    assert result == {
        'changed': True, 'project_id': 'p', 'dataset': created,
        'msg': "Dataset 'eval' in project p created (id d1).", 'summary': 'dataset eval: created',
        'diff': {'before': {'state': 'absent'},
                 'after': {'state': 'present', 'name': 'eval', 'description': 'd', 'metadata': None}},
    }
    assert clock.sleeps == [0.5]
    assert task.warnings == []


def test_create_without_wait_does_not_look_again(clock):
    resource = Resource([[]], created=item('d1'))

    result = run(resource, Task(wait=False))

    assert resource.calls == [('find', 'eval'), ('create', {'name': 'eval'})]
    assert result['changed'] is True and 'diff' not in result
    assert clock.sleeps == []


def test_create_never_listed_fails_with_the_result_and_creates_once(clock):
    resource = Resource([[]] + [[item('other')]] * 3, created=item('d1'))

    with pytest.raises(LLMObsError) as info:
        run(resource, Task(wait_timeout=1), extras=dict(project_id='p'))

    assert info.value.message == ("Created dataset 'eval' in project p (id d1), but it was still missing from the "
                                  "list after 1 second. A run started before it appears may create it again; raise "
                                  "wait_timeout.")
    assert info.value.result_extras['changed'] is True
    assert info.value.result_extras['dataset'] == item('d1')
    assert info.value.result_extras['project_id'] == 'p'
    assert [call[0] for call in resource.calls] == ['find', 'create', 'find', 'find', 'find']
    assert clock.sleeps == [0.5, 0.5]


def test_create_warns_about_a_twin_listed_with_it(clock):
    resource = Resource([[], [item('twin'), item('d1')]], created=item('d1'))
    task = Task()

    result = run(resource, task)

    assert result['changed'] is True and result['dataset']['id'] == 'd1'
    assert len(task.warnings) == 1
    assert "Another dataset named 'eval' appeared at the same time (ids: twin)" in task.warnings[0]


def test_check_mode_create_predicts_and_writes_nothing(clock):
    resource = Resource([[]])

    result = run(resource, Task(check_mode=True, diff=True), dict(description=None, metadata={'k': 1}))

    assert resource.writes == []
    assert result['dataset'] == {'id': None, 'created_at': None, 'name': 'eval', 'description': None,
                                 'metadata': {'k': 1}}
    assert result['msg'] == "Dataset 'eval' in project p would be created (check mode: nothing was sent)."
    assert result['diff']['after'] == {'state': 'present', 'name': 'eval', 'description': None, 'metadata': {'k': 1}}
    assert clock.sleeps == []


def test_create_polls_at_growing_intervals_until_listed(clock):
    resource = Resource([[], [], [], [item('d1')]], created=item('d1'))
    task = Task()

    result = run(resource, task)

    assert [call[0] for call in resource.calls] == ['find', 'create', 'find', 'find', 'find']
    assert result['changed'] is True
    assert clock.sleeps == [0.5, 1.0]
    assert task.warnings == []


def test_a_failed_wait_after_a_create_still_reports_the_create(clock):
    resource = Resource([[], LLMObsError('Listing datasets failed with HTTP 403', status=403)], created=item('d1'))
    resource.find = raising_failed_lookups(resource.find)

    with pytest.raises(LLMObsError) as info:
        run(resource, Task(), extras=dict(project_id='p'))

    assert info.value.message == ("Dataset 'eval' in project p was created (id d1), but the lookup that waits for the "
                                  "list to show it failed: Listing datasets failed with HTTP 403")
    assert info.value.result_extras == {'changed': True, 'project_id': 'p', 'dataset': item('d1'), 'status': 403,
                                        'summary': 'dataset eval: created'}
    assert resource.writes == [('create', {'name': 'eval'})]


# ---------------------------------------------------------------- exists and update


def test_existing_with_nothing_given_is_unchanged():
    existing = item('d1', description='kept', metadata={'a': 1})
    resource = Resource([[existing]])

    result = run(resource, Task(diff=True), dict(description=None, metadata=None))

    assert resource.writes == []
    assert result['changed'] is False
    assert result['msg'] == "Dataset 'eval' in project p already exists (id d1); nothing to do."
    assert result['diff']['before'] == result['diff']['after']


@pytest.mark.parametrize('given, listed', [
    ({'b': {'c': [1, 2]}, 'a': 1}, {'a': 1.0, 'b': {'c': [1, 2]}}),
    ({'b': [1, {'y': 2, 'x': 1}], 'a': 1}, {'a': 1, 'b': [1, {'x': 1, 'y': 2}]}),
    ({'n': 1, 'm': {'k': 2}}, {'m': {'k': 2.0}, 'n': 1.0}),
], ids=['nested', 'key-order', 'int-vs-float'])
def test_data_equal_values_are_no_change(given, listed):
    resource = Resource([[item('d1', metadata=listed)]])

    result = run(resource, Task(), dict(metadata=given))

    assert resource.writes == [] and result['changed'] is False


def test_only_the_given_fields_that_differ_are_updated():
    existing = item('d1', description='same', metadata={'a': 1})
    resource = Resource([[existing]], updated=item('d1', description='same', metadata={'a': 2}))

    result = run(resource, Task(diff=True), dict(description='same', metadata={'a': 2}))

    assert resource.writes == [('update', 'd1', {'metadata': {'a': 2}})]
    assert result['msg'] == "Dataset 'eval' in project p (id d1): updated metadata."
    assert result['dataset']['metadata'] == {'a': 2}
    assert result['diff']['before']['metadata'] == {'a': 1} and result['diff']['after']['metadata'] == {'a': 2}


def test_several_changes_are_named_together_and_a_sparse_answer_keeps_them():
    resource = Resource([[item('d1', description='old', metadata=None)]], updated={'id': 'd1'})

    result = run(resource, Task(), dict(description='new', metadata={'x': 1}))

    assert resource.writes == [('update', 'd1', {'description': 'new', 'metadata': {'x': 1}})]
    assert result['msg'].endswith('(id d1): updated description and metadata.')
    assert result['dataset']['description'] == 'new' and result['dataset']['metadata'] == {'x': 1}
    assert result['dataset']['name'] == 'eval'


def test_check_mode_update_predicts_and_writes_nothing():
    resource = Resource([[item('d1', description='old')]])

    result = run(resource, Task(check_mode=True), dict(description='new'))

    assert resource.writes == []
    assert result['changed'] is True
    assert result['dataset']['description'] == 'new'
    assert result['msg'] == "Dataset 'eval' in project p (id d1): would update description (check mode: nothing was sent)."


def test_an_update_is_not_waited_for(clock):
    resource = Resource([[item('d1', description='old')]], updated=item('d1', description='new'))

    run(resource, Task(), dict(description='new'))

    assert [call[0] for call in resource.calls] == ['find', 'update']
    assert clock.sleeps == []


# ---------------------------------------------------------------- several


@pytest.mark.parametrize('check_mode', [False, True])
@pytest.mark.parametrize('state', ['present', 'absent'])
def test_several_of_the_name_fail_listing_their_ids_and_write_nothing(state, check_mode):
    resource = Resource([[item('a'), item('b')]])

    with pytest.raises(LLMObsError) as info:
        run(resource, Task(state=state, check_mode=check_mode), dict(description='x'), extras=dict(project_id='p'))

    assert info.value.message.startswith("Several datasets named 'eval' exist in project p (ids: a, b)")
    assert info.value.result_extras == {'changed': False, 'project_id': 'p'}
    assert resource.writes == []


# ---------------------------------------------------------------- absent


def test_absent_deletes_the_one_and_waits_until_unlisted(clock):
    existing = item('d1', description='x')
    resource = Resource([[existing], [existing], [existing], []])
    task = Task(state='absent', diff=True)

    result = run(resource, task)

    assert resource.writes == [('delete', 'd1')]
    assert [call[0] for call in resource.calls] == ['find', 'delete', 'find', 'find', 'find']
    assert result['changed'] is True and result['dataset'] == existing
    assert result['msg'] == "Dataset 'eval' in project p (id d1) deleted."
    assert result['diff'] == {'before': {'state': 'present', 'name': 'eval', 'description': 'x', 'metadata': None},
                              'after': {'state': 'absent'}}
    assert clock.sleeps == [0.5, 1.0]
    assert task.warnings == []


def test_absent_still_listed_after_the_wait_warns_but_succeeds(clock):
    existing = item('d1')
    resource = Resource([[existing]] * 4)
    task = Task(state='absent', wait_timeout=1)

    result = run(resource, task)

    assert result['changed'] is True
    assert resource.writes == [('delete', 'd1')]
    assert len(task.warnings) == 1
    assert "Deleted dataset 'eval' in project p (id d1), but it was still listed after 1 second" in task.warnings[0]


def test_absent_without_wait_does_not_look_again(clock):
    resource = Resource([[item('d1')]])

    run(resource, Task(state='absent', wait=False))

    assert [call[0] for call in resource.calls] == ['find', 'delete']
    assert clock.sleeps == []


def test_absent_when_there_is_none_does_nothing():
    resource = Resource([[]])

    result = run(resource, Task(state='absent', diff=True))

    assert resource.writes == []
    assert result == {'changed': False, 'dataset': None, 'msg': "Dataset 'eval' in project p is absent; nothing to do.",
                      'summary': 'dataset eval: already absent',
                      'diff': {'before': {'state': 'absent'}, 'after': {'state': 'absent'}}}


def test_check_mode_absent_predicts_the_delete_and_writes_nothing(clock):
    resource = Resource([[item('d1')]])

    result = run(resource, Task(state='absent', check_mode=True))

    assert resource.writes == []
    assert result['changed'] is True
    assert result['msg'] == "Dataset 'eval' in project p (id d1) would be deleted (check mode: nothing was sent)."
    assert clock.sleeps == []


def test_a_failed_wait_after_a_delete_still_reports_the_delete(clock):
    resource = Resource([[item('d1')], LLMObsError('Listing datasets was rate limited (HTTP 429)', status=429)])
    resource.find = raising_failed_lookups(resource.find)

    with pytest.raises(LLMObsError) as info:
        run(resource, Task(state='absent'))

    assert info.value.message == ("Dataset 'eval' in project p (id d1) was deleted, but the lookup that waits for the "
                                  "list to show it failed: Listing datasets was rate limited (HTTP 429)")
    assert info.value.result_extras['changed'] is True and info.value.result_extras['dataset'] == item('d1')
    assert resource.writes == [('delete', 'd1')]


@pytest.mark.parametrize('state, listed', [('present', [item('d1')]), ('absent', [])])
def test_check_mode_with_nothing_to_do_is_unchanged(state, listed):
    resource = Resource([listed])

    result = run(resource, Task(state=state, check_mode=True))

    assert result['changed'] is False
    assert resource.writes == []


# ---------------------------------------------------------------- what a delete takes with it


def test_contents_are_counted_before_the_delete_and_reported(clock):
    existing = item('d1', description='x')
    resource = Resource([[existing]], counts={'records': 1200})

    result = run(resource, Task(state='absent', diff=True, wait=False))

    assert resource.calls == [('find', 'eval'), ('count', 'd1'), ('delete', 'd1')]
    assert result['contents'] == {'records': 1200}
    assert result['msg'] == "Dataset 'eval' in project p (id d1) deleted with its 1,200 records."
    assert result['diff'] == {'before': {'state': 'present', 'name': 'eval', 'description': 'x', 'metadata': None,
                                         'contents': {'records': 1200}},
                              'after': {'state': 'absent'}}


def test_contents_in_check_mode_are_counted_and_nothing_is_written(clock):
    resource = Resource([[item('d1')]], counts={'records': 0})

    result = run(resource, Task(state='absent', check_mode=True))

    assert resource.writes == []
    assert result['changed'] is True and result['contents'] == {'records': 0}
    assert result['msg'] == "Dataset 'eval' in project p (id d1) would be deleted; it holds no records (check mode: nothing was sent)."


@pytest.mark.parametrize('check_mode', [False, True])
@pytest.mark.parametrize('force', [None, False])
def test_guarded_contents_refuse_the_delete_before_any_write(clock, check_mode, force):
    resource = Resource([[item('d1')]], counts={'versions': 3, 'records': 40000}, guarded='versions')

    with pytest.raises(LLMObsError) as info:
        run(resource, Task(state='absent', check_mode=check_mode, diff=True, force=force), extras=dict(project_id='p'))

    assert info.value.message == ("Dataset 'eval' in project p (id d1) still holds 3 versions with 40,000 records in "
                                  "all; deleting it deletes them too. Set force: true to delete it with them, or "
                                  "delete the versions first.")
    assert info.value.result_extras == {'changed': False, 'project_id': 'p', 'dataset': item('d1'),
                                        'contents': {'versions': 3, 'records': 40000}}
    assert resource.writes == []


def test_guarded_contents_go_with_force(clock):
    resource = Resource([[item('d1')]], counts={'versions': 1, 'records': 1}, guarded='versions')

    result = run(resource, Task(state='absent', wait=False, force=True))

    assert resource.writes == [('delete', 'd1')]
    assert result['msg'] == "Dataset 'eval' in project p (id d1) deleted with its 1 version and 1 record."


def test_guarded_contents_at_zero_need_no_force(clock):
    resource = Resource([[item('d1')]], counts={'versions': 0, 'records': 0}, guarded='versions')

    result = run(resource, Task(state='absent', wait=False))

    assert resource.writes == [('delete', 'd1')]
    assert result['msg'] == "Dataset 'eval' in project p (id d1) deleted; it held no versions."


def test_contents_are_not_counted_when_present_or_absent_already():
    present = Resource([[item('d1')]], counts={'records': 5})
    absent = Resource([[]], counts={'records': 5})

    present_result = run(present, Task(force=True))
    absent_result = run(absent, Task(state='absent'))

    assert [call[0] for call in present.calls + absent.calls] == ['find', 'find']
    assert 'contents' not in present_result and 'contents' not in absent_result


@pytest.mark.parametrize('count, noun, text', [
    (0, 'records', '0 records'), (1, 'records', '1 record'), (2, 'datasets', '2 datasets'),
    (40000, 'records', '40,000 records'), (1234567, 'records', '1,234,567 records'),
])
def test_amounts(count, noun, text):
    assert amount(count, noun) == text


def test_held_says_in_all_only_for_several():
    contents = Contents(None, ('datasets', 'records'))

    assert contents.held({'datasets': 1, 'records': 5}) == '1 dataset with 5 records'
    assert contents.held({'datasets': 2, 'records': 1}) == '2 datasets with 1 record in all'
    assert Contents(None, ('records',)).held({'records': 3}) == '3 records'


# ---------------------------------------------------------------- labels


def test_labels_with_and_without_where():
    with_where = Resource([]).declared('in project p')
    without = Resource([]).declared('')

    assert with_where.label('x') == "dataset 'x' in project p"
    assert with_where.title('x') == "Dataset 'x' in project p"
    assert without.title('x') == "Dataset 'x'"


# ---------------------------------------------------------------- create-only mode


def test_create_only_creates_when_the_name_is_missing_and_shows_the_extras_in_the_diff(clock):
    created = item('d1', description='d')
    resource = Resource([[], [created]], created=created)
    task = Task(diff=True)
    del task.params['state']  # a create-only module has no state option

    result = run(resource, task, dict(description='d'), create_only=True, create_diff_extras={'source': 's1'})

    assert resource.calls == [('find', 'eval'), ('create', {'name': 'eval', 'description': 'd'}), ('find', 'eval')]
    assert result['changed'] is True and result['dataset'] == created
    assert result['msg'] == "Dataset 'eval' in project p created (id d1)."
    assert result['diff'] == {'before': {'state': 'absent'},
                              'after': {'state': 'present', 'name': 'eval', 'description': 'd', 'metadata': None,
                                        'source': 's1'}}


@pytest.mark.parametrize('check_mode', [False, True])
def test_create_only_keeps_an_existing_one_as_it_is_and_warns_of_the_values_that_differ(check_mode):
    existing = item('d1', description='old', metadata={'a': 1})
    resource = Resource([[existing]], updated=item('d1'))
    task = Task(state='absent', check_mode=check_mode, diff=True)  # create-only: state is not read

    result = run(resource, task, dict(description='new', metadata={'a': 1.0}), create_only=True)

    assert resource.writes == []
    assert result['changed'] is False and result['dataset'] == existing
    assert result['msg'] == "Dataset 'eval' in project p already exists (id d1); nothing to do."
    assert result['diff']['before'] == result['diff']['after']
    assert task.warnings == ["Dataset 'eval' in project p already exists with another description; this module does "
                             "not update it."]


def test_create_only_without_differences_does_not_warn():
    resource = Resource([[item('d1', description='same')]])
    task = Task()

    result = run(resource, task, dict(description='same'), create_only=True)

    assert result['changed'] is False and task.warnings == []


def test_a_module_says_the_create_texts_its_own_way(clock):
    texts = dict(created='Made {name!r} from {source} (id {id}).', would_create='Would make {name!r} {where}.',
                 exists='{name!r} is there (id {id}).', written='Made {name!r} (id {id})',
                 never_listed='Made {label} (id {id}) but not listed after {timeout}.',
                 kept_other='{title}: other {fields} kept.')
    options = dict(create_only=True, texts=texts, text_fields={'source': 's1'})

    assert run(Resource([[]]), Task(check_mode=True), **options)['msg'] == "Would make 'eval' in project p."
    assert run(Resource([[], [item('d1')]], created=item('d1')), Task(), **options)['msg'] == "Made 'eval' from s1 (id d1)."
    task = Task()
    assert run(Resource([[item('d1')]]), task, dict(description='x'), **options)['msg'] == "'eval' is there (id d1)."
    assert task.warnings == ["Dataset 'eval' in project p: other description kept."]
    with pytest.raises(LLMObsError) as never:
        run(Resource([[]] * 4, created=item('d1')), Task(wait_timeout=1), **options)
    assert never.value.message == "Made dataset 'eval' in project p (id d1) but not listed after 1 second."
    failing = Resource([[], LLMObsError('boom')], created=item('d1'))
    failing.find = raising_failed_lookups(failing.find)
    with pytest.raises(LLMObsError) as lost:
        run(failing, Task(), **options)
    assert lost.value.message == "Made 'eval' (id d1), but the lookup that waits for the list to show it failed: boom"


def test_a_check_mode_refusal_fails_the_dry_run_before_any_write(clock):
    resource = Resource([[]])
    reads = []

    def refusal():
        reads.append('source')
        return 'Source s1 was not found.'

    with pytest.raises(LLMObsError) as info:
        run(resource, Task(check_mode=True, diff=True), extras=dict(project_id='p'), create_only=True,
            check_mode_refusal=refusal)

    assert info.value.message == 'Source s1 was not found.'
    assert info.value.result_extras['changed'] is False and info.value.result_extras['project_id'] == 'p'
    assert reads == ['source'] and resource.writes == []


def test_a_check_mode_refusal_is_not_read_outside_check_mode_or_when_it_allows(clock):
    reads = []

    def refusal():
        reads.append('source')

    run(Resource([[]], created=item('d1')), Task(wait=False), check_mode_refusal=refusal)
    result = run(Resource([[]]), Task(check_mode=True), check_mode_refusal=refusal)

    assert reads == ['source']
    assert result['changed'] is True and result['dataset']['id'] is None


# ---------------------------------------------------------------- summary: one line per resource


def summary_of(finds, task, desired=None, create_only=False, counts=None, guarded=None, **options):
    fake = Resource(finds, created=item('d1'), updated=item('d1', description='new'), counts=counts, guarded=guarded)
    return run(fake, task, desired, create_only=create_only, **options)['summary']


@pytest.mark.parametrize('check_mode, expected', [(False, 'dataset eval: created'),
                                                  (True, 'dataset eval: would be created')])
def test_the_summary_of_a_create(clock, check_mode, expected):
    assert summary_of([[], [item('d1')]], Task(check_mode=check_mode), dict(description='d')) == expected


@pytest.mark.parametrize('check_mode, expected', [(False, 'dataset eval: description and metadata updated'),
                                                  (True, 'dataset eval: description and metadata would be updated')])
def test_the_summary_of_an_update_names_the_fields(check_mode, expected):
    desired = dict(description='new', metadata={'a': 1})
    assert summary_of([[item('d1')]], Task(check_mode=check_mode), desired) == expected


def test_the_summary_of_nothing_to_do():
    assert summary_of([[item('d1')]], Task(), dict(description='')) == 'dataset eval: unchanged'
    assert summary_of([[]], Task(state='absent')) == 'dataset eval: already absent'


@pytest.mark.parametrize('check_mode, expected', [(False, 'dataset eval: deleted (3 datasets, 200 records)'),
                                                  (True, 'dataset eval: would be deleted (3 datasets, 200 records)')])
def test_the_summary_of_a_delete_counts_what_went(clock, check_mode, expected):
    task = Task(state='absent', check_mode=check_mode, wait=False, force=True)
    assert summary_of([[item('d1')]], task, counts={'datasets': 3, 'records': 200}, guarded='datasets') == expected


def test_the_summary_of_a_delete_without_contents(clock):
    assert summary_of([[item('d1')]], Task(state='absent', wait=False)) == 'dataset eval: deleted'


def test_the_summary_of_create_only_names_the_resource_its_own_way_and_what_was_kept(clock):
    task = Task(check_mode=True)
    assert summary_of([[]], task, create_only=True, summary_kind='clone') == 'clone eval: would be created'
    assert summary_of([[item('d1')]], task, create_only=True, summary_kind='clone') == 'clone eval: already exists'
    assert (summary_of([[item('d1')]], task, dict(description='other'), create_only=True, summary_kind='clone')
            == 'clone eval: already exists with another description, not updated')


@pytest.mark.parametrize('check_mode', [False, True])
def test_update_only_fails_on_a_missing_name_and_writes_nothing(check_mode):
    resource = Resource([[]])

    with pytest.raises(LLMObsError) as error:
        run(resource, Task(check_mode=check_mode), dict(description='d'), update_only=True,
            texts={'missing': '{title} was not found; something else makes it.'})

    assert error.value.message == "Dataset 'eval' in project p was not found; something else makes it."
    assert resource.writes == []


def test_update_only_updates_and_deletes_as_usual(clock):
    resource = Resource([[item('d1', description='old')]], updated=item('d1', description='new'))

    result = run(resource, Task(), dict(description='new'), update_only=True)

    assert result['changed'] is True and resource.writes == [('update', 'd1', {'description': 'new'})]
    absent = run(Resource([[]]), Task(state='absent'), update_only=True)
    assert absent['changed'] is False and absent['msg'] == "Dataset 'eval' in project p is absent; nothing to do."


# ---------------------------------------------------------------- check mode: names an earlier task plans


def planned_resource(resource, plan, **options):
    from ansible_collections.llmobs.datadog.plugins.module_utils._planned import Slot
    return resource.declared(plan=Slot(plan, 'dataset', 'p', None), **options)


def a_plan(*names):
    from ansible_collections.llmobs.datadog.plugins.module_utils._planned import Plan
    plan = Plan([], 'https://api.datadoghq.com')
    for name in names:
        plan.add_dataset('p', None, name)
    plan.changed = False
    return plan


def test_a_create_in_check_mode_is_planned_for_later_tasks():
    resource, plan = Resource([[]]), a_plan()

    result = ensure(Task(check_mode=True), planned_resource(resource, plan), 'eval', {'description': 'd'},
                    dict(changed=False))

    assert resource.writes == [] and result['changed'] is True and result['dataset']['id'] is None
    assert plan.changed is True and plan.dataset('p', None, 'eval') is not None


def test_a_planned_name_present_again_is_nothing_more_to_do():
    resource, plan = Resource([[]]), a_plan('eval')

    result = ensure(Task(check_mode=True, diff=True), planned_resource(resource, plan), 'eval', {'description': 'd'},
                    dict(changed=False))

    assert resource.writes == [] and plan.changed is False
    assert result['changed'] is False and result['dataset'] == {'id': None, 'created_at': None, 'name': 'eval',
                                                                'description': 'd', 'metadata': None}
    assert result['msg'] == ("Dataset 'eval' in project p does not exist yet, but an earlier task of this run would "
                             "create it; nothing more to do (check mode: nothing was sent).")
    assert result['diff']['before'] == result['diff']['after']


def test_a_planned_name_deleted_would_be_deleted_and_is_planned_no_more():
    resource, plan = Resource([[]]), a_plan('eval')

    result = ensure(Task(state='absent', check_mode=True), planned_resource(resource, plan), 'eval', {},
                    dict(changed=False))

    assert resource.calls == [('find', 'eval')]
    assert result['changed'] is True and 'contents' not in result
    assert result['msg'] == ("Dataset 'eval' in project p does not exist yet: an earlier task of this run would create "
                             "it, and this task would then delete it (check mode: nothing was sent).")
    assert plan.dataset('p', None, 'eval') is None and plan.changed is True


def test_a_planned_project_with_planned_datasets_is_not_deleted_without_force():
    from ansible_collections.llmobs.datadog.plugins.module_utils._planned import Plan, Slot
    plan = Plan([], 'https://api.datadoghq.com')
    plan.add_project('bot')
    plan.add_dataset(None, 'bot', 'eval')
    resource = Resource([[], []], counts={'datasets': 0, 'records': 0}, guarded='datasets')
    project = NamedResource('project', find=resource.find, facts=dict, create=resource.create,
                            diff_keys=('name',), server_assigned=('id',), contents=resource.declared().contents,
                            plan=Slot(plan, 'project'))

    with pytest.raises(LLMObsError) as info:
        ensure(Task(state='absent', check_mode=True), project, 'bot', {}, dict(changed=False))
    assert info.value.message == ("Project 'bot' does not exist yet, but earlier tasks of this run would create it "
                                  "with 1 dataset; deleting it deletes them too. Set force: true to delete it with "
                                  "them, or delete the datasets first.")
    result = ensure(Task(state='absent', check_mode=True, force=True), project, 'bot', {}, dict(changed=False))
    assert result['changed'] is True and plan.entries == [] and resource.writes == []


def test_a_real_run_never_uses_the_plan():
    created = item('d1')
    resource, plan = Resource([[], [created]], created=created), a_plan('eval')

    result = ensure(Task(), planned_resource(resource, plan), 'eval', {}, dict(changed=False))

    assert resource.writes == [('create', {'name': 'eval'})] and result['dataset'] == created
