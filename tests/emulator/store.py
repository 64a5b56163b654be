# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator's state: projects, datasets with their record versions, and how lists see them.

Everything here is plain Python with one lock; server.py turns HTTP into calls on Store.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import copy
import datetime
import itertools
import json
import threading
import time
import uuid


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + '+00:00'


def new_id():
    return str(uuid.uuid4())


class NotFound(Exception):
    """The project, dataset or record does not exist."""


class Store(object):
    """Projects and datasets, newest first, with the read lag of Datadog's lists.

    ``lag`` seconds: a dataset created (or cloned) now appears in dataset lists only after that
    long, while the write itself answers at once. ``inexact_name_filter``: ``filter[name]``
    matches any name that contains the text, case-insensitively, as a search box would.
    """

    def __init__(self, lag=0.0, inexact_name_filter=False, clock=time.monotonic):
        self.lock = threading.RLock()
        self.clock = clock
        self.lag = lag
        self.inexact_name_filter = inexact_name_filter
        self.projects = {}
        self.datasets = {}
        self._sequence = itertools.count(1)

    # ------------------------------------------------------------------ seeds

    def load_seed(self, seed):
        """Add the projects, datasets and records of a seed document (see docs/emulator.md)."""
        with self.lock:
            for project in seed.get('projects', []):
                project_id = self.add_project(project['name'], project.get('description', ''), project.get('id'))
                for dataset in project.get('datasets', []):
                    dataset_id = self.add_dataset(project_id, dataset['name'], dataset.get('description', ''),
                                                  dataset.get('metadata'), dataset.get('id'), visible_now=True)
                    if dataset.get('records'):
                        self.append_records(project_id, dataset_id, dataset['records'], bump_version=False)

    # ------------------------------------------------------------------ projects

    def add_project(self, name, description='', project_id=None):
        with self.lock:
            project_id = project_id or new_id()
            now = utc_now()
            self.projects[project_id] = dict(id=project_id, name=name, description=description,
                                             created_at=now, updated_at=now, seq=next(self._sequence))
            return project_id

    def get_or_create_project(self, name, description=''):
        """Datadog returns the existing project when the name is taken."""
        with self.lock:
            for project in self.projects.values():
                if project['name'] == name:
                    return project, False
            return self.projects[self.add_project(name, description)], True

    def list_projects(self, name=None, project_id=None):
        with self.lock:
            items = [p for p in self.projects.values()
                     if (name is None or self._name_matches(p['name'], name))
                     and (project_id is None or p['id'] == project_id)]
            return sorted(items, key=lambda p: -p['seq'])

    def delete_projects(self, project_ids):
        with self.lock:
            for project_id in project_ids:
                self.projects.pop(project_id, None)
                for dataset_id in [d for d, v in self.datasets.items() if v['project_id'] == project_id]:
                    del self.datasets[dataset_id]

    # ------------------------------------------------------------------ datasets

    def _require_project(self, project_id):
        if project_id not in self.projects:
            raise NotFound('project %s not found' % project_id)

    def add_dataset(self, project_id, name, description='', metadata=None, dataset_id=None, visible_now=False):
        with self.lock:
            self._require_project(project_id)
            dataset_id = dataset_id or new_id()
            now = utc_now()
            self.datasets[dataset_id] = dict(
                id=dataset_id, project_id=project_id, name=name, description=description, metadata=metadata,
                current_version=0, created_at=now, updated_at=now, seq=next(self._sequence),
                visible_at=self.clock() + (0 if visible_now else self.lag),
                versions={0: []},
            )
            return dataset_id

    def dataset(self, project_id, dataset_id):
        """A dataset for writes and direct reads: visible at once, as the write paths are."""
        self._require_project(project_id)
        dataset = self.datasets.get(dataset_id)
        if dataset is None or dataset['project_id'] != project_id:
            raise NotFound('dataset %s not found in project %s' % (dataset_id, project_id))
        return dataset

    def _name_matches(self, name, wanted):
        if self.inexact_name_filter:
            return wanted.lower() in name.lower()
        return name == wanted

    def list_datasets(self, project_id, name=None, dataset_id=None):
        """What a dataset list shows now: visible datasets, filtered, newest first."""
        with self.lock:
            self._require_project(project_id)
            now = self.clock()
            items = [d for d in self.datasets.values()
                     if d['project_id'] == project_id and d['visible_at'] <= now
                     and (name is None or self._name_matches(d['name'], name))
                     and (dataset_id is None or d['id'] == dataset_id)]
            return sorted(items, key=lambda d: -d['seq'])

    def update_dataset(self, project_id, dataset_id, attributes):
        with self.lock:
            dataset = self.dataset(project_id, dataset_id)
            for key in ('name', 'description', 'metadata'):
                if key in attributes:
                    dataset[key] = attributes[key]
            dataset['updated_at'] = utc_now()
            return dataset

    def delete_datasets(self, project_id, dataset_ids):
        with self.lock:
            self._require_project(project_id)
            for dataset_id in dataset_ids:
                dataset = self.datasets.get(dataset_id)
                if dataset is not None and dataset['project_id'] == project_id:
                    del self.datasets[dataset_id]

    def clone_dataset(self, project_id, source_id, name, description=None):
        """A new dataset holding copies of the source's current records, at version 0."""
        with self.lock:
            source = self.dataset(project_id, source_id)
            clone_id = self.add_dataset(project_id, name, description if description is not None else '')
            clone = self.datasets[clone_id]
            now = utc_now()
            clone['versions'][0] = [
                dict(record, id=new_id(), dataset_id=clone_id, created_at=now, updated_at=now)
                for record in copy.deepcopy(source['versions'][source['current_version']])
            ]
            return clone

    # ------------------------------------------------------------------ records

    def records(self, project_id, dataset_id, version=None):
        with self.lock:
            dataset = self.dataset(project_id, dataset_id)
            version = dataset['current_version'] if version is None else version
            if version not in dataset['versions']:
                raise NotFound('version %s of dataset %s not found' % (version, dataset_id))
            return sorted(dataset['versions'][version], key=lambda r: r['created_at'], reverse=True)

    def append_records(self, project_id, dataset_id, items, bump_version=True):
        """Append records; every append makes a new version unless ``bump_version`` is false."""
        with self.lock:
            dataset = self.dataset(project_id, dataset_id)
            now = utc_now()
            added = [dict(id=new_id(), dataset_id=dataset_id, input=item.get('input'),
                          expected_output=item.get('expected_output'), metadata=item.get('metadata'),
                          created_at=now, updated_at=now) for item in items]
            current = list(dataset['versions'][dataset['current_version']])
            if bump_version:
                dataset['current_version'] += 1
            dataset['versions'][dataset['current_version']] = current + added
            dataset['updated_at'] = now
            return added

    # ------------------------------------------------------------------ views

    def snapshot(self):
        """Everything, including datasets that lists do not show yet: for tests and the control API."""
        with self.lock:
            now = self.clock()
            return {
                'projects': [dict((k, v) for k, v in p.items() if k != 'seq') for p in self.list_projects()],
                'datasets': [
                    dict(id=d['id'], project_id=d['project_id'], name=d['name'], description=d['description'],
                         metadata=d['metadata'], current_version=d['current_version'], created_at=d['created_at'],
                         updated_at=d['updated_at'], listed=d['visible_at'] <= now,
                         records=[dict((k, r[k]) for k in ('id', 'input', 'expected_output', 'metadata'))
                                  for r in d['versions'][d['current_version']]])
                    for d in sorted(self.datasets.values(), key=lambda d: -d['seq'])
                ],
            }


def encode_cursor(position):
    return base64.urlsafe_b64encode(json.dumps({'after': position}).encode()).decode().rstrip('=')


def decode_cursor(cursor):
    """The position of a cursor, or None when it is not one of ours."""
    try:
        padded = cursor + '=' * (-len(cursor) % 4)
        return int(json.loads(base64.urlsafe_b64decode(padded.encode()).decode())['after'])
    except (ValueError, KeyError, TypeError):
        return None
