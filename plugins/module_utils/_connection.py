# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils is PRIVATE and should only be used by this collection.
# Breaking changes can occur at any time.

"""The connection options every module shares: argument spec, checks and resolved settings.

The matching documentation is the doc fragment ``llmobs.datadog.connection``; keep both in step.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import difflib
import math
import os
import re

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.six.moves.urllib.parse import urlsplit

from ansible_collections.llmobs.datadog.plugins.module_utils._errors import ValidationError

DEFAULT_SITE = 'datadoghq.com'

# The sites a site option may name. Anything else is refused before a request: a typo (us55.)
# would otherwise fail only after retries on a name that does not resolve. A site not listed yet
# is reached with api_url.
KNOWN_SITES = (
    'datadoghq.com', 'us3.datadoghq.com', 'us5.datadoghq.com', 'ap1.datadoghq.com',
    'ap2.datadoghq.com', 'uk1.datadoghq.com', 'datadoghq.eu', 'ddog-gov.com', 'us2.ddog-gov.com',
)

API_KEY_ENV = ('DD_API_KEY',)
APP_KEY_ENV = ('DD_APP_KEY', 'DD_APPLICATION_KEY')
SITE_ENV = ('DD_SITE',)
# The prefix of the web app's address on a site (app.datadoghq.eu): what a browser shows.
WEB_APP_PREFIX = 'app.'
# How alike a mistyped site must be to a known one (difflib's ratio) to be suggested.
SITE_SUGGESTION_CUTOFF = 0.85
MAX_RETRIES = 20
# How long one list (every page of it) may take: a dataset of 1,000,000 records is 200 pages of
# 5,000, which fit at up to 9 seconds a page. Documented in doc_fragments/connection.py.
DEFAULT_LIST_TIMEOUT = 1800.0

_SITE_LABELS = re.compile(r'^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\Z')
_KEY_CHARS = re.compile(r'^[\x21-\x7e]+\Z')  # printable ASCII, no spaces: a header value as-is


def connection_argument_spec():
    """The argument spec of the shared connection options (documented in doc_fragments/connection.py)."""
    return dict(
        api_key=dict(type='str', no_log=True, fallback=(env_fallback, list(API_KEY_ENV))),
        app_key=dict(type='str', no_log=True, fallback=(env_fallback, list(APP_KEY_ENV))),
        site=dict(type='str', fallback=(env_fallback, list(SITE_ENV)), default=DEFAULT_SITE),
        api_url=dict(type='str'),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        timeout=dict(type='float', default=30.0),
        retries=dict(type='int', default=3),
        list_timeout=dict(type='float', default=DEFAULT_LIST_TIMEOUT),
    )


class ConnectionSettings(object):
    """Checked connection options: what the client needs to reach Datadog."""

    def __init__(self, base_url, api_key, app_key, verify, timeout, retries, list_timeout=DEFAULT_LIST_TIMEOUT):
        self.base_url = base_url
        self.api_key = api_key
        self.app_key = app_key
        self.verify = verify
        self.timeout = timeout
        self.retries = retries
        self.list_timeout = list_timeout

    @property
    def secrets(self):
        """The values that must never be shown, whole or in part."""
        return tuple(secret for secret in (self.api_key, self.app_key) if secret)

    def __repr__(self):
        # Never let the keys reach a log line or a traceback through repr().
        return 'ConnectionSettings(base_url=%r, verify=%r, timeout=%r, retries=%r, list_timeout=%r)' % (
            self.base_url, self.verify, self.timeout, self.retries, self.list_timeout)


def _check_key(value, option, env_names):
    if value is None or not value.strip():
        raise ValidationError(
            'Missing Datadog %s: set the %s option or the %s environment variable.'
            % ('API key' if option == 'api_key' else 'application key', option, ' or '.join(env_names)))
    if not _KEY_CHARS.match(value):
        # The value itself is never quoted: it is a secret.
        raise ValidationError(
            '%s must be a Datadog key: printable ASCII characters with no spaces or line breaks '
            '(check for a stray newline or quote in the variable that sets it).' % option)
    return value


def closest_site(value):
    """The known site ``value`` most likely means, or None when no single one stands out."""
    ranked = sorted(((difflib.SequenceMatcher(None, value, site).ratio(), site) for site in KNOWN_SITES), reverse=True)
    best, runner_up = ranked[0], ranked[1]
    if best[0] >= SITE_SUGGESTION_CUTOFF and best[0] > runner_up[0]:
        return best[1]
    return None


def _site_of_host(host):
    """The known site whose API or web app host ``host`` is, or None."""
    for prefix in ('api.', WEB_APP_PREFIX, ''):
        if host.startswith(prefix) and host[len(prefix):] in KNOWN_SITES:
            return host[len(prefix):]
    return None


def _env_note(site):
    """' (from DD_SITE)' when the value came from the environment, so that the user knows where to fix it."""
    names = [name for name in SITE_ENV if site is not None and os.environ.get(name) == site]
    return ' (from %s)' % ' or '.join(names) if names else ''


def check_site(site):
    """Return the normalised site, or raise ValidationError naming the option (and DD_SITE when it set it)."""
    note = _env_note(site)
    if site is None or not site.strip():
        raise ValidationError('site%s must not be blank: give a Datadog site such as %s, or leave it unset for %s.'
                              % (note, ', '.join(KNOWN_SITES[:3]), DEFAULT_SITE))
    named = 'site %r%s' % (site, note)
    value = site.strip().lower().rstrip('.')
    if '://' in value or '/' in value:
        meant = _site_of_host(value.split('://', 1)[-1].split('/', 1)[0].split(':', 1)[0])
        raise ValidationError(
            "site%s must be a bare Datadog site such as %r, not a URL (got %r); "
            'to send requests to a full URL such as a proxy, use api_url.' % (note, meant or 'datadoghq.eu', site))
    if value.startswith('api.'):
        raise ValidationError(
            "site%s is the Datadog site, not the API host: use %r instead of %r." % (note, value[len('api.'):], site))
    if value.startswith(WEB_APP_PREFIX) and value[len(WEB_APP_PREFIX):] in KNOWN_SITES:
        raise ValidationError("%s is the address of the Datadog web app; the API site is %r."
                              % (named, value[len(WEB_APP_PREFIX):]))
    if not _SITE_LABELS.match(value):
        raise ValidationError('%s is not a valid host name; Datadog sites look like %s.'
                              % (named, ', '.join(KNOWN_SITES)))
    if value not in KNOWN_SITES:
        closest = closest_site(value)
        raise ValidationError(
            '%s is not a known Datadog site%s; known sites are %s. For a site not in this list, a proxy or a '
            "private link, set api_url instead (for a Datadog site, api_url: 'https://api.<site>')."
            % (named, (" (did you mean %r?)" % closest) if closest else '', ', '.join(KNOWN_SITES)))
    return value


def check_api_url(api_url):
    """Return the base URL without a trailing slash, or raise ValidationError naming the option."""
    value = api_url.strip()
    if not value:
        raise ValidationError('api_url must not be blank: leave it unset to use site, or give a URL such as '
                              'https://api.datadoghq.eu.')
    if '@' in value:
        # Credentials in a URL end up in logs and in proxies' access logs; the value is not quoted.
        raise ValidationError('api_url must not contain credentials (user:password@host); '
                              'set the Datadog keys with api_key and app_key.')
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValidationError('api_url must not contain spaces or control characters.')
    try:
        parts = urlsplit(value)
        hostname = parts.hostname  # a malformed IPv6 address ("http://[::1") fails here or above
    except ValueError as exc:
        raise ValidationError('api_url is not a valid URL (%s; got %r).' % (exc, value))
    if parts.scheme.lower() not in ('http', 'https') or not parts.netloc:
        raise ValidationError(
            'api_url must be an absolute http:// or https:// URL such as https://api.datadoghq.eu (got %r).'
            % value)
    try:
        parts.port
    except ValueError:
        raise ValidationError('api_url has an invalid port (got %r).' % value)
    if not hostname:
        raise ValidationError('api_url has no host name (got %r).' % value)
    if parts.query or parts.fragment or value.endswith(('?', '#')):
        raise ValidationError('api_url must not contain a query string or fragment (got %r).' % value)
    return value.rstrip('/')


def connection_settings(params):
    """Check the connection options of ``params`` and return ConnectionSettings.

    Raises ValidationError, naming the option, before any request is sent.
    """
    api_key = _check_key(params.get('api_key'), 'api_key', API_KEY_ENV)
    app_key = _check_key(params.get('app_key'), 'app_key', APP_KEY_ENV)

    if params.get('api_url') is not None:
        base_url = check_api_url(params['api_url'])
    else:
        base_url = 'https://api.%s' % check_site(params.get('site'))

    timeout = params.get('timeout')
    if timeout is None or not math.isfinite(timeout) or timeout <= 0:
        raise ValidationError('timeout must be a number of seconds greater than 0 (got %r).' % (timeout,))

    retries = params.get('retries')
    if retries is None or retries < 1:
        raise ValidationError('retries must be at least 1 (got %r): a retriable failure (a rate limit, a 5xx, a '
                              'timeout) needs at least one more try to be told apart from a real one.' % (retries,))
    if retries > MAX_RETRIES:
        raise ValidationError('retries must be at most %d (got %r).' % (MAX_RETRIES, retries))

    list_timeout = params.get('list_timeout', DEFAULT_LIST_TIMEOUT)
    if list_timeout is None or not math.isfinite(list_timeout) or list_timeout <= 0:
        raise ValidationError('list_timeout must be a number of seconds greater than 0 (got %r).' % (list_timeout,))

    verify = bool(params.get('validate_certs', True))
    ca_path = params.get('ca_path')
    if ca_path is not None:
        if not ca_path.strip():
            raise ValidationError('ca_path must not be blank: leave it unset to use the system CA bundle.')
        if not os.path.exists(ca_path):
            raise ValidationError('ca_path %r does not exist: give a CA bundle file (PEM) or a directory '
                                  'of certificates.' % ca_path)
        if verify:
            verify = ca_path

    return ConnectionSettings(base_url, api_key, app_key, verify, float(timeout), int(retries), float(list_timeout))
