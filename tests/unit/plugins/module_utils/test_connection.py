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


@pytest.mark.parametrize('site', KNOWN_SITES + ('DatadogHQ.EU', ' datadoghq.com ', 'datadoghq.com.'))
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


@pytest.mark.parametrize('address, site', [
    ('app.datadoghq.eu', 'datadoghq.eu'),
    ('app.datadoghq.com', 'datadoghq.com'),
    ('App.DDOG-GOV.com', 'ddog-gov.com'),
    ('app.us3.datadoghq.com', 'us3.datadoghq.com'),
])
def test_the_web_apps_address_is_refused_with_the_api_site_it_means(address, site):
    with pytest.raises(ValidationError) as info:
        connection_settings(params(site=address))
    assert info.value.message == ("site %r is the address of the Datadog web app; the API site is %r." % (address, site))


@pytest.mark.parametrize('site', ['us3.datadoghq.com', 'us5.datadoghq.com', 'ap1.datadoghq.com'])
def test_a_site_that_is_also_its_browser_address_is_accepted(site):
    assert connection_settings(params(site=site)).base_url == 'https://api.' + site


def test_a_browser_address_from_dd_site_names_the_variable(monkeypatch):
    monkeypatch.setenv('DD_SITE', 'app.datadoghq.eu')
    with pytest.raises(ValidationError) as info:
        connection_settings(params(site='app.datadoghq.eu'))
    assert info.value.message.startswith("site 'app.datadoghq.eu' (from DD_SITE) is the address of the Datadog web app")


def test_a_site_given_as_an_option_does_not_blame_dd_site(monkeypatch):
    monkeypatch.setenv('DD_SITE', 'datadoghq.eu')
    with pytest.raises(ValidationError) as info:
        connection_settings(params(site='us55.datadoghq.com'))
    assert 'DD_SITE' not in info.value.message


@pytest.mark.parametrize('typo, meant', [
    ('us55.datadoghq.com', 'us5.datadoghq.com'),
    ('datadoghq.co', 'datadoghq.com'),
    ('datadog.eu', 'datadoghq.eu'),
    ('uk.datadoghq.com', 'uk1.datadoghq.com'),
])
def test_a_typo_is_refused_with_the_closest_site(typo, meant):
    with pytest.raises(ValidationError) as info:
        connection_settings(params(site=typo))
    message = info.value.message
    assert message.startswith("site %r is not a known Datadog site (did you mean %r?); known sites are " % (typo, meant))
    assert ', '.join(KNOWN_SITES) in message
    assert 'set api_url instead' in message


@pytest.mark.parametrize('site', ['us7.datadoghq.com', 'example.com', 'datadoghq.com.evil.io'])
def test_an_unknown_site_without_an_obvious_match_suggests_none_and_points_to_api_url(site):
    with pytest.raises(ValidationError) as info:
        check_site(site)
    assert info.value.message.startswith("site %r is not a known Datadog site; known sites are" % site)
    assert "api_url: 'https://api.<site>'" in info.value.message


def test_api_url_reaches_a_site_not_in_the_list():
    settings = connection_settings(params(site='us55.datadoghq.com', api_url='https://api.us7.datadoghq.com'))
    assert settings.base_url == 'https://api.us7.datadoghq.com'


def test_a_web_app_url_as_site_names_the_site_it_means():
    with pytest.raises(ValidationError) as info:
        check_site('https://app.us5.datadoghq.com/llm/datasets')
    assert "such as 'us5.datadoghq.com', not a URL" in info.value.message
