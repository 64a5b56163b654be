# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    # The connection options every module shares; the argument spec is
    # plugins/module_utils/_connection.py:connection_argument_spec().
    DOCUMENTATION = r'''
options:
  api_key:
    description:
      - Datadog API key, sent as the C(DD-API-KEY) header.
      - If not set, the value of the E(DD_API_KEY) environment variable is used.
      - The module fails before sending any request if neither is set.
    type: str
  app_key:
    description:
      - Datadog application key, sent as the C(DD-APPLICATION-KEY) header.
      - A scoped key needs the C(llmobs_data_read) and C(llmobs_data_write) permissions.
      - If not set, the value of the E(DD_APP_KEY) environment variable is used, then E(DD_APPLICATION_KEY).
      - The module fails before sending any request if none is set.
    type: str
  site:
    description:
      - The Datadog site of your organisation, one of V(datadoghq.com), V(us3.datadoghq.com),
        V(us5.datadoghq.com), V(ap1.datadoghq.com), V(ap2.datadoghq.com), V(uk1.datadoghq.com),
        V(datadoghq.eu), V(ddog-gov.com) or V(us2.ddog-gov.com). Requests go to C(https://api.<site>).
      - Any other value fails before any request. That covers a typo such as V(us55.datadoghq.com) (the message
        names the closest site when one stands out), the web app's address as the browser shows it
        (V(app.datadoghq.eu), and the message gives the site it means), a URL, or a host starting with C(api.).
        For a Datadog site not in this list, set O(api_url) to C(https://api.<site>).
      - If not set, the value of the E(DD_SITE) environment variable is used, then V(datadoghq.com).
      - Ignored when O(api_url) is set.
    type: str
    default: datadoghq.com
  api_url:
    description:
      - Base URL of the API, overriding O(site). For a proxy, a private link, or a local emulator
        such as V(http://127.0.0.1:8126).
      - Must be an C(http://) or C(https://) URL with a host, without credentials, query or fragment.
        A path prefix is kept.
    type: str
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate.
      - Set to V(false) only for a server you trust, such as a local test server.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file (or a directory of certificates) of the certificate authorities that sign the
        server's certificate, for a proxy or private link with its own CA.
      - Used only when O(validate_certs=true). The system bundle is used when not set.
    type: path
  timeout:
    description:
      - Seconds one request may take, from connecting to the last byte of its answer. A server
        that answers a few bytes at a time fails the request when this time is up, like one that
        does not answer at all.
      - Must be greater than 0 (fractions allowed).
    type: float
    default: 30
  list_timeout:
    description:
      - Seconds one list may take, every page of it (the projects, the datasets of a project, the
        records of a dataset). A list that is still going after this time fails with an error that
        says how many pages and items were read, rather than running on; a server or proxy that keeps
        handing out new pages would otherwise hold the task for a long time.
      - The default fits a dataset of 1,000,000 records (200 pages of 5,000) at up to 9 seconds a page.
      - Must be greater than 0 (fractions allowed).
    type: float
    default: 1800
  retries:
    description:
      - How many times a request is sent again after a retriable failure.
      - A rate-limited request (HTTP 429) is retried after the number of seconds in C(X-RateLimit-Reset), at most 60.
      - Reads are retried after HTTP 408, 500, 502, 503 and 504, timeouts and dropped connections, waiting 1, 2, 4,
        ... seconds (at most 30).
      - A write that may have reached Datadog is sent again only after a lookup shows that it did not happen.
      - Each retry is reported as a warning. From 1 to 20.
    type: int
    default: 3
requirements:
  - requests (Python library, on the host that runs the module)
notes:
  - The LLM Observability endpoints are in preview at Datadog and may change.
  - The keys are never written to the output, logs or diffs.
'''
