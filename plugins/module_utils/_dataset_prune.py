# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The guard of llmobs_dataset_prune, as pure functions: a dataset that the rules (``_prune``) would delete is kept
when an experiment created within ``protect_used_within`` uses it.

The module reads the experiments of each dataset the rules would delete and passes them here with the time.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import ValidationError
from ansible_collections.llmobs.datadog.plugins.module_utils._prune import (
    DURATION_FORM,
    check_rules,
    created_text,
    experiment_label,
    parse_duration,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._timestamps import parse_time


def check_options(params):
    """``(rules, window)``: the shared Rules, then ``protect_used_within`` (a Duration, or None when ``0`` turns the
    guard off); raises ValidationError naming the option, in the order the options are documented."""
    rules = check_rules(params)
    if params['protect_used_within'] is None:
        raise ValidationError('protect_used_within must be a duration, %s, or 0 to turn the guard off (got None).'
                              % DURATION_FORM)
    window = parse_duration('0s' if params['protect_used_within'].strip() == '0' else params['protect_used_within'],
                            'protect_used_within')
    return rules, (window if window.seconds else None)


def recent_use(dataset_id, experiments, window, now):
    """Why the experiments keep the dataset (``window``: protect_used_within), or None when none is recent.

    ``experiments`` are facts (id, name, dataset_id, created_at) as the list filtered by the dataset returned them;
    one that names another dataset is left out (a server that ignored the filter), one that names none is counted.
    The newest recent one is named; one whose created_at cannot be read counts as recent: its use may be.
    """
    newest, unreadable = None, None
    for experiment in experiments:
        if experiment.get('dataset_id') not in (None, dataset_id):
            continue
        when = parse_time(experiment.get('created_at'))
        if when is None:
            unreadable = unreadable or experiment
        elif now - when <= window.seconds and (newest is None or when > newest[0]):
            newest = (when, experiment)
    if newest is not None:
        return 'used by %s %s, within %s (protect_used_within)' % (
            experiment_label(newest[1]), created_text(now - newest[0]), window.text)
    if unreadable is not None:
        return ('used by %s, whose created_at %r cannot be read: it may be recent (protect_used_within)'
                % (experiment_label(unreadable), unreadable.get('created_at')))
    return None


def guarded(decisions, uses, window, now):
    """The Decisions once the guard has kept what recent experiments use; ``uses`` maps the id of each dataset of
    ``decisions.deleting`` to its experiments (facts)."""
    return decisions.keeping(lambda item: recent_use(item['id'], uses.get(item['id'], ()), window, now))
