# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every module in plugins/modules/ (and every lookup of plugins/lookup/) has every part a user or a test relies on.

The checklist of docs/adding-a-module.md, as a test: a module that lacks a part fails here, in a
message that names the module and the part.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast
import glob
import os
import re
import shutil

import pytest
import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTION = 'llmobs.datadog'
ACTION_GROUP = 'llmobs'
IN_PROCESS_CASES = 'tests/integration/targets/in_process/cases.yml'
MODULE_TABLE_HEADER = re.compile(r'^\|\s*module\s*\|')
# What every module's action file holds: the one in-process action, for the module of the file's name.
ACTION_LINE = 'ActionModule = action_for(__name__)'


def read(root, path):
    with open(os.path.join(root, path)) as handle:
        return handle.read()


def modules_of(root):
    return sorted(os.path.basename(path)[:-3] for path in glob.glob(os.path.join(root, 'plugins/modules/*.py'))
                  if not path.endswith('/__init__.py'))


def runtime_of(root):
    return yaml.safe_load(read(root, 'meta/runtime.yml')) or {}


def action_file(root, module):
    """plugins/action/<module>.py: the collection's one action, named for the module (docs/adding-a-module.md says
    why a file of the module's name rather than a redirect in meta/runtime.yml)."""
    plugin = 'plugins/action/%s.py' % module
    if not os.path.isfile(os.path.join(root, plugin)):
        return 'no action: %s must name the in-process action (copy another module\'s action file)' % plugin
    if ACTION_LINE not in read(root, plugin):
        return 'its action %s is not the in-process action: it must hold %r' % (plugin, ACTION_LINE)
    return None


def action_group(root, module):
    members = (runtime_of(root).get('action_groups') or {}).get(ACTION_GROUP) or []
    if module not in members and '%s.%s' % (COLLECTION, module) not in members:
        return 'not in the %s action group: add it to action_groups.%s in meta/runtime.yml' % (ACTION_GROUP, ACTION_GROUP)
    return None


def integration_target(root, module):
    target = 'tests/integration/targets/%s' % module
    missing = [name for name in ('runme.sh', 'aliases') if not os.path.isfile(os.path.join(root, target, name))]
    if missing:
        return 'no integration target: %s/ needs %s' % (target, ' and '.join(missing))
    if not os.access(os.path.join(root, target, 'runme.sh'), os.X_OK):
        return 'its integration target cannot run: %s/runme.sh is not executable' % target
    return None


def doc_page(root, module):
    if not os.path.isfile(os.path.join(root, 'docs/%s_module.rst' % module)):
        return 'no generated doc page: run `make docs` to write docs/%s_module.rst' % module
    return None


def module_table_rows(text):
    """The rows of the table whose header begins with `| module |`."""
    rows, in_table = [], False
    for line in text.splitlines():
        if MODULE_TABLE_HEADER.match(line):
            in_table = True
        elif in_table and line.startswith('|'):
            rows.append(line)
        else:
            in_table = False
    return rows


def table_row(path):
    """A check that the module table of the file at path has a row naming the module and linking its doc page."""
    def check(root, module):
        row = re.compile(r'^\|\s*\[`(%s\.)?%s`\]\(([^)]*/)?%s_module\.rst\)\s*\|' % (
            re.escape(COLLECTION), re.escape(module), re.escape(module)))
        text = read(root, path) if os.path.isfile(os.path.join(root, path)) else ''
        if not any(row.match(line) for line in module_table_rows(text)):
            return 'no row in the module table of %s: | [`%s`](...%s_module.rst) | what it does |' % (path, module, module)
        return None
    return check


def changelog_mention(root, module):
    """A fragment names the module; once released, changelogs/changelog.yaml holds what the fragments said."""
    paths = sorted(glob.glob(os.path.join(root, 'changelogs/fragments/*.yml'))) + [
        os.path.join(root, 'changelogs/changelog.yaml')]
    mention = re.compile(r'\b%s\b' % re.escape(module))
    if not any(os.path.isfile(path) and mention.search(read(root, path)) for path in paths):
        return 'no changelog fragment mentions it: add one to changelogs/fragments/'
    return None


def task_modules(tasks):
    """The module names of the tasks, blocks included."""
    for task in tasks or []:
        for key in ('block', 'rescue', 'always'):
            yield from task_modules(task.get(key))
        yield from task


def in_process_cases(root, module):
    plays = yaml.safe_load(read(root, IN_PROCESS_CASES)) or []
    used = set(name for play in plays for section in ('pre_tasks', 'tasks', 'post_tasks')
               for name in task_modules(play.get(section)))
    if '%s.%s' % (COLLECTION, module) not in used:
        return 'not run on both execution paths: add a task of %s.%s to %s' % (COLLECTION, module, IN_PROCESS_CASES)
    return None


def return_doc(root, module):
    """The RETURN documentation of the module, as a mapping (empty when it has none)."""
    tree = ast.parse(read(root, 'plugins/modules/%s.py' % module))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(target, 'id', None) == 'RETURN' for target in node.targets):
            return yaml.safe_load(node.value.value) or {}
    return {}


def summary_return(root, module):
    """A write module returns ``summary``, the line of the llmobs.datadog.summary callback; an info module does not."""
    documented = 'summary' in return_doc(root, module)
    if module.endswith('_info') and documented:
        return 'an info module documents summary in RETURN: info modules change nothing and return no summary'
    if not module.endswith('_info') and not documented:
        return ('no summary in RETURN: a write module returns summary, one line of what it did (see _state.py), '
                'and documents it')
    return None


PARTS = (
    ('action', action_file),
    ('action group', action_group),
    ('integration target', integration_target),
    ('doc page', doc_page),
    ('README table row', table_row('README.md')),
    ('user guide table row', table_row('docs/user-guide.md')),
    ('changelog fragment', changelog_mention),
    ('in-process cases', in_process_cases),
    ('summary in RETURN', summary_return),
)


def missing_parts(root, module):
    """One message per part the module lacks, each naming the module."""
    return ['%s: %s' % (module, message) for dummy, check in PARTS for message in [check(root, module)] if message]


def test_the_modules_are_found():
    assert 'llmobs_project' in modules_of(REPO_ROOT) and len(modules_of(REPO_ROOT)) >= 7


@pytest.mark.parametrize('module', modules_of(REPO_ROOT))
def test_every_module_has_every_part(module):
    assert missing_parts(REPO_ROOT, module) == []


# ---------------------------------------------------------------- each check fails when its part is missing

MODULE = 'llmobs_widget'
COMPLETE_TREE = {
    'plugins/modules/%s.py' % MODULE: "RETURN = r'''\nsummary:\n  description: What it did.\n  type: str\n'''\n",
    'plugins/action/%s.py' % MODULE: 'from x import action_for\n\n%s\n' % ACTION_LINE,
    'meta/runtime.yml': yaml.safe_dump({'action_groups': {ACTION_GROUP: [MODULE]}}),
    'tests/integration/targets/%s/runme.sh' % MODULE: '#!/usr/bin/env bash\n',
    'tests/integration/targets/%s/aliases' % MODULE: 'context/controller\n',
    'docs/%s_module.rst' % MODULE: '',
    'README.md': '| module | what it does |\n| --- | --- |\n| [`%s.%s`](docs/%s_module.rst) | widgets |\n' % (
        COLLECTION, MODULE, MODULE),
    'docs/user-guide.md': '| module | what it does |\n| --- | --- |\n| [`%s`](%s_module.rst) | widgets |\n' % (MODULE, MODULE),
    'changelogs/fragments/widget.yml': 'minor_changes:\n  - %s - new module.\n' % MODULE,
    IN_PROCESS_CASES: yaml.safe_dump([{'hosts': 'target', 'tasks': [
        {'name': 'In a block', 'block': [{'name': 'A widget', '%s.%s' % (COLLECTION, MODULE): {'name': 'w'}}]},
    ]}]),
}


@pytest.fixture
def tree(tmp_path):
    """A tree in which the module has every part."""
    for path, text in COMPLETE_TREE.items():
        os.makedirs(str(tmp_path / os.path.dirname(path)), exist_ok=True)
        (tmp_path / path).write_text(text)
    os.chmod(str(tmp_path / 'tests/integration/targets' / MODULE / 'runme.sh'), 0o755)
    return tmp_path


def test_a_module_with_every_part_passes(tree):
    assert modules_of(str(tree)) == [MODULE]
    assert missing_parts(str(tree), MODULE) == []


def without_file(path):
    def damage(tree):
        os.remove(str(tree / path))
    return damage


def rewrite(path, old, new):
    def damage(tree):
        text = (tree / path).read_text()
        assert old in text
        (tree / path).write_text(text.replace(old, new))
    return damage


def not_executable(tree):
    os.chmod(str(tree / 'tests/integration/targets' / MODULE / 'runme.sh'), 0o644)


def without_action_group(tree):
    runtime = yaml.safe_load((tree / 'meta/runtime.yml').read_text())
    runtime['action_groups'][ACTION_GROUP] = ['llmobs_other']
    (tree / 'meta/runtime.yml').write_text(yaml.safe_dump(runtime))


@pytest.mark.parametrize('damage, expected', [
    (without_file('plugins/action/llmobs_widget.py'), 'no action: plugins/action/llmobs_widget.py must name the in-process'),
    (rewrite('plugins/action/llmobs_widget.py', ACTION_LINE, 'class ActionModule(object): pass'),
     'its action plugins/action/llmobs_widget.py is not the in-process action'),
    (without_action_group, 'not in the llmobs action group'),
    (without_file('tests/integration/targets/llmobs_widget/runme.sh'),
     'no integration target: tests/integration/targets/llmobs_widget/ needs runme.sh'),
    (without_file('tests/integration/targets/llmobs_widget/aliases'),
     'no integration target: tests/integration/targets/llmobs_widget/ needs aliases'),
    (not_executable, 'its integration target cannot run: tests/integration/targets/llmobs_widget/runme.sh is not executable'),
    (without_file('docs/llmobs_widget_module.rst'), 'no generated doc page: run `make docs`'),
    (rewrite('README.md', '(docs/llmobs_widget_module.rst)', '(docs/other_module.rst)'),
     'no row in the module table of README.md'),
    (rewrite('README.md', '| module | what it does |', '| plugin | what it does |'), 'no row in the module table of README.md'),
    (without_file('docs/user-guide.md'), 'no row in the module table of docs/user-guide.md'),
    (rewrite('docs/user-guide.md', '[`llmobs_widget`]', '[`llmobs_widget_info`]'),
     'no row in the module table of docs/user-guide.md'),
    (rewrite('changelogs/fragments/widget.yml', 'llmobs_widget -', 'llmobs_widget_info -'),
     'no changelog fragment mentions it'),
    (rewrite(IN_PROCESS_CASES, 'llmobs.datadog.llmobs_widget:', 'llmobs.datadog.llmobs_widget_info:'),
     'not run on both execution paths: add a task of llmobs.datadog.llmobs_widget'),
    (rewrite('plugins/modules/llmobs_widget.py', 'summary:', 'msg:'), 'no summary in RETURN'),
], ids=['action-file', 'action-text', 'action-group', 'runme', 'aliases', 'runme-mode', 'doc-page', 'readme-row',
        'readme-table', 'user-guide', 'user-guide-row', 'changelog', 'in-process-cases', 'summary'])
def test_a_missing_part_is_named(tree, damage, expected):
    damage(tree)

    problems = missing_parts(str(tree), MODULE)

    assert len(problems) == 1, problems
    assert problems[0].startswith('llmobs_widget: ' + expected)


def test_an_info_module_returns_no_summary(tree):
    info = 'plugins/modules/llmobs_widget_info.py'
    (tree / info).write_text((tree / ('plugins/modules/%s.py' % MODULE)).read_text())

    assert summary_return(str(tree), 'llmobs_widget_info').startswith('an info module documents summary in RETURN')
    (tree / info).write_text("RETURN = r'''\nmsg:\n  description: x\n'''\n")
    assert summary_return(str(tree), 'llmobs_widget_info') is None


def test_a_released_module_is_found_in_the_changelog(tree):
    shutil.rmtree(str(tree / 'changelogs/fragments'))
    (tree / 'changelogs/changelog.yaml').write_text('releases:\n  1.1.0:\n    modules:\n      - name: %s\n' % MODULE)

    assert missing_parts(str(tree), MODULE) == []


# ---------------------------------------------------------------- lookup plugins
#
# A lookup has no action, action group, in-process case nor summary; it has a doc page of its own
# (`make docs` writes docs/<lookup>_lookup.rst), rows in the tables of README.md and docs/user-guide.md,
# a changelog entry, and an integration target, tests/integration/targets/lookup_<lookup>/, that runs on
# every ansible-core version: a controller plugin, whose interfaces differ by version.

ALL_VERSIONS_LINE = 'all_ansible_versions'


def lookups_of(root):
    return sorted(os.path.basename(path)[:-3] for path in glob.glob(os.path.join(root, 'plugins/lookup/*.py'))
                  if not path.endswith('/__init__.py'))


def lookup_doc_page(root, lookup):
    if not os.path.isfile(os.path.join(root, 'docs/%s_lookup.rst' % lookup)):
        return 'no generated doc page: run `make docs` to write docs/%s_lookup.rst' % lookup
    return None


def lookup_table_row(path):
    """A check that the table of the file at path has a row naming the lookup and linking its doc page."""
    def check(root, lookup):
        row = re.compile(r'^\|\s*\[`(%s\.)?%s`\]\(([^)]*/)?%s_lookup\.rst\)' % (
            re.escape(COLLECTION), re.escape(lookup), re.escape(lookup)))
        text = read(root, path) if os.path.isfile(os.path.join(root, path)) else ''
        if not any(row.match(line) for line in module_table_rows(text)):
            return 'no row in the module table of %s: | [`%s.%s`](...%s_lookup.rst) (lookup) | what it does |' % (
                path, COLLECTION, lookup, lookup)
        return None
    return check


def lookup_changelog(root, lookup):
    """A fragment names the lookup by its full name; once released, changelogs/changelog.yaml lists it."""
    fqcn = re.compile(r'\b%s\.%s\b' % (re.escape(COLLECTION), re.escape(lookup)))
    if any(fqcn.search(read(root, path)) for path in glob.glob(os.path.join(root, 'changelogs/fragments/*.yml'))):
        return None
    changelog = os.path.join(root, 'changelogs/changelog.yaml')
    releases = (yaml.safe_load(read(root, changelog)) or {}).get('releases') or {} if os.path.isfile(changelog) else {}
    for release in releases.values():
        if any(entry.get('name') == lookup for entry in ((release or {}).get('plugins') or {}).get('lookup') or []):
            return None
    return 'no changelog fragment mentions it: add one to changelogs/fragments/ that names %s.%s' % (COLLECTION, lookup)


def lookup_target(root, lookup):
    target = 'tests/integration/targets/lookup_%s' % lookup
    missing = [name for name in ('runme.sh', 'aliases') if not os.path.isfile(os.path.join(root, target, name))]
    if missing:
        return 'no integration target: %s/ needs %s' % (target, ' and '.join(missing))
    if not os.access(os.path.join(root, target, 'runme.sh'), os.X_OK):
        return 'its integration target cannot run: %s/runme.sh is not executable' % target
    if ALL_VERSIONS_LINE not in read(root, target + '/aliases').splitlines():
        return 'its integration target %s runs on the newest ansible-core only: a lookup is a controller plugin, ' \
               'add the line %s to its aliases' % (target, ALL_VERSIONS_LINE)
    return None


LOOKUP_PARTS = (
    ('doc page', lookup_doc_page),
    ('README table row', lookup_table_row('README.md')),
    ('user guide table row', lookup_table_row('docs/user-guide.md')),
    ('changelog', lookup_changelog),
    ('integration target', lookup_target),
)


def missing_lookup_parts(root, lookup):
    return ['%s lookup: %s' % (lookup, message) for dummy, check in LOOKUP_PARTS
            for message in [check(root, lookup)] if message]


def test_the_lookups_are_found():
    assert 'prompt' in lookups_of(REPO_ROOT)


@pytest.mark.parametrize('lookup', lookups_of(REPO_ROOT))
def test_every_lookup_has_every_part(lookup):
    assert missing_lookup_parts(REPO_ROOT, lookup) == []


LOOKUP = 'widgets'
LOOKUP_TREE = {
    'plugins/lookup/%s.py' % LOOKUP: "DOCUMENTATION = ''\n",
    'docs/%s_lookup.rst' % LOOKUP: '',
    'README.md': '| module | what it does |\n| --- | --- |\n| [`%s.%s`](docs/%s_lookup.rst) (lookup) | widgets |\n' % (
        COLLECTION, LOOKUP, LOOKUP),
    'docs/user-guide.md': '| module | what it does |\n| --- | --- |\n| [`%s`](%s_lookup.rst) (lookup) | widgets |\n' % (
        LOOKUP, LOOKUP),
    'changelogs/fragments/widgets.yml': 'minor_changes:\n  - %s.%s - new lookup.\n' % (COLLECTION, LOOKUP),
    'tests/integration/targets/lookup_%s/runme.sh' % LOOKUP: '#!/usr/bin/env bash\n',
    'tests/integration/targets/lookup_%s/aliases' % LOOKUP: '# a controller plugin\n%s\n' % ALL_VERSIONS_LINE,
}


@pytest.fixture
def lookup_tree(tmp_path):
    """A tree in which the lookup has every part."""
    for path, text in LOOKUP_TREE.items():
        os.makedirs(str(tmp_path / os.path.dirname(path)), exist_ok=True)
        (tmp_path / path).write_text(text)
    os.chmod(str(tmp_path / 'tests/integration/targets/lookup_widgets/runme.sh'), 0o755)
    return tmp_path


def test_a_lookup_with_every_part_passes(lookup_tree):
    assert lookups_of(str(lookup_tree)) == [LOOKUP]
    assert missing_lookup_parts(str(lookup_tree), LOOKUP) == []


def released_lookup(tree):
    os.remove(str(tree / 'changelogs/fragments/widgets.yml'))
    (tree / 'changelogs/changelog.yaml').write_text(
        'releases:\n  1.2.0:\n    plugins:\n      lookup:\n        - name: %s\n          namespace: null\n' % LOOKUP)


def test_a_released_lookup_is_found_in_the_changelog(lookup_tree):
    released_lookup(lookup_tree)

    assert missing_lookup_parts(str(lookup_tree), LOOKUP) == []


@pytest.mark.parametrize('damage, expected', [
    (without_file('docs/widgets_lookup.rst'), 'no generated doc page: run `make docs` to write docs/widgets_lookup.rst'),
    (rewrite('README.md', '(docs/widgets_lookup.rst)', '(docs/widgets_module.rst)'),
     'no row in the module table of README.md'),
    (rewrite('docs/user-guide.md', '[`widgets`]', '[`gadgets`]'), 'no row in the module table of docs/user-guide.md'),
    (rewrite('changelogs/fragments/widgets.yml', 'llmobs.datadog.widgets', 'widgets'),
     'no changelog fragment mentions it'),
    (without_file('tests/integration/targets/lookup_widgets/runme.sh'),
     'no integration target: tests/integration/targets/lookup_widgets/ needs runme.sh'),
    (rewrite('tests/integration/targets/lookup_widgets/aliases', '\nall_ansible_versions', '\n'),
     'its integration target tests/integration/targets/lookup_widgets runs on the newest ansible-core only'),
], ids=['doc-page', 'readme-row', 'user-guide-row', 'changelog', 'target', 'all-versions'])
def test_a_missing_lookup_part_is_named(lookup_tree, damage, expected):
    damage(lookup_tree)

    problems = missing_lookup_parts(str(lookup_tree), LOOKUP)

    assert len(problems) == 1, problems
    assert problems[0].startswith('widgets lookup: ' + expected)
