# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Connection options: sites, base URLs, certificates; what is accepted and what is refused."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.llmobs.datadog.plugins.module_utils._connection import (
    KNOWN_SITES,
    check_api_url,
    check_site,
    connection_argument_spec,
    connection_settings,
)
from ansible_collections.llmobs.datadog.plugins.module_utils._errors import ValidationError


def params(**overrides):
    spec = connection_argument_spec()
    values = dict((name, option.get('default')) for name, option in spec.items())
    values.update(api_key='a' * 32, app_key='b' * 40)
    values.update(overrides)
    return values


@pytest.mark.parametrize('site', KNOWN_SITES + ('us7.datadoghq.com', 'DatadogHQ.EU', ' datadoghq.com ', 'datadoghq.com.'))
def test_every_datadog_site_gives_its_api_host(site):
    settings = connection_settings(params(site=site))
    assert settings.base_url == 'https://api.%s' % site.strip().lower().rstrip('.')


def test_api_url_wins_over_site_and_loses_its_trailing_slash():
    settings = connection_settings(params(site='datadoghq.eu', api_url='https://proxy.internal:8443/datadog/'))
    assert settings.base_url == 'https://proxy.internal:8443/datadog'


@pytest.mark.parametrize('url', ['http://127.0.0.1:8126', 'https://[::1]:8126', 'HTTPS://API.DATADOGHQ.COM'])
def test_plain_urls_are_accepted(url):
    assert check_api_url(url) == url


def test_ca_path_is_used_for_verification(tmp_path):
    bundle = tmp_path / 'ca.pem'
    bundle.write_text(u'-----BEGIN CERTIFICATE-----\n')
    assert connection_settings(params(ca_path=str(bundle))).verify == str(bundle)
    assert connection_settings(params(ca_path=str(bundle), validate_certs=False)).verify is False
    assert connection_settings(params()).verify is True


def test_settings_repr_hides_the_keys():
    settings = connection_settings(params(api_key='visible-api-key', app_key='visible-app-key'))
    assert 'visible' not in repr(settings)


@pytest.mark.parametrize('retries', [0, -1, 21])
def test_retries_are_bounded(retries):
    with pytest.raises(ValidationError, match='retries must be at'):
        connection_settings(params(retries=retries))


@pytest.mark.parametrize('value', ['nan', 'inf'])
def test_timeout_must_be_finite(value):
    with pytest.raises(ValidationError, match='timeout must be a number of seconds greater than 0'):
        connection_settings(params(timeout=float(value)))


@pytest.mark.parametrize('value', [0.0, -5.0, float('nan'), float('inf')])
def test_list_timeout_must_be_a_positive_number_of_seconds(value):
    with pytest.raises(ValidationError, match='list_timeout must be a number of seconds greater than 0'):
        connection_settings(params(list_timeout=value))


def test_list_timeout_defaults_to_what_a_million_records_need():
    settings = connection_settings(params())
    assert settings.list_timeout == 1800.0 and 'list_timeout=1800.0' in repr(settings)
    assert 'a' * 32 not in repr(settings)


def test_site_errors_never_suggest_a_url_as_site():
    with pytest.raises(ValidationError, match='use api_url'):
        check_site('https://api.datadoghq.com')
