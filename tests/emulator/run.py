#!/usr/bin/env python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Start the local Datadog LLM Observability emulator (docs/emulator.md).

    python tests/emulator/run.py --port 8126 [--seed FILE] [--lag 2] [--inexact-name-filter]
                                 [--rate-limit 10/60] [--fault JSON] [--api-key K --app-key K]
                                 [--tls-cert CERT --tls-key KEY]

Prints its base URL on the first line of standard output once it accepts connections, then
serves until stopped (Ctrl-C or SIGTERM). Listens on 127.0.0.1 only.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import json
import os
import signal
import ssl
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from faults import Fault, FaultError  # noqa: E402 pylint: disable=wrong-import-position
from server import Emulator, make_server  # noqa: E402 pylint: disable=wrong-import-position

DEMO_SEED = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'demo-seed.json')


def parse_rate_limit(text):
    try:
        limit, period = text.split('/')
        return {'limit': int(limit), 'period': float(period)}
    except ValueError:
        raise argparse.ArgumentTypeError('use LIMIT/PERIOD_SECONDS, for example 10/60')


def parse_fault(text):
    try:
        return Fault.from_json(json.loads(text))
    except (ValueError, FaultError, TypeError) as error:
        raise argparse.ArgumentTypeError('bad fault %r: %s' % (text, error))


def build_parser():
    parser = argparse.ArgumentParser(description='Local emulator of the Datadog LLM Observability datasets API.')
    parser.add_argument('--port', type=int, default=8126, help='TCP port on 127.0.0.1 (0 picks a free one)')
    parser.add_argument('--seed', action='append', default=[], metavar='FILE',
                        help='JSON seed of projects, datasets and records (repeatable; default: the demo seed)')
    parser.add_argument('--no-demo-seed', action='store_true', help='start empty unless --seed is given')
    parser.add_argument('--lag', type=float, default=0.0, metavar='SECONDS',
                        help='eventual consistency: new datasets appear in lists only after this long')
    parser.add_argument('--inexact-name-filter', action='store_true',
                        help='filter[name] matches names containing the text, ignoring case')
    parser.add_argument('--rate-limit', type=parse_rate_limit, metavar='LIMIT/PERIOD',
                        help='answer 429 past LIMIT API requests per PERIOD seconds')
    parser.add_argument('--fault', type=parse_fault, action='append', default=[], metavar='JSON',
                        help='inject a fault (repeatable), e.g. \'{"operation": "CloneLLMObsDataset", "status": 500}\'')
    parser.add_argument('--api-key', help='only this DD-API-KEY is accepted (403 otherwise); default: any')
    parser.add_argument('--app-key', help='only this DD-APPLICATION-KEY is accepted (403 otherwise); default: any')
    parser.add_argument('--tls-cert', metavar='PEM', help='serve HTTPS with this certificate')
    parser.add_argument('--tls-key', metavar='PEM', help='private key of --tls-cert')
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    seeds = []
    for path in args.seed or ([] if args.no_demo_seed else [DEMO_SEED]):
        with open(path) as handle:
            seeds.append(json.load(handle))
    emulator = Emulator(seeds=seeds, lag=args.lag, inexact_name_filter=args.inexact_name_filter,
                        rate_limit=args.rate_limit, faults=args.fault, api_key=args.api_key, app_key=args.app_key)

    context = None
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
    server = make_server(emulator, port=args.port, ssl_context=context)

    def stop(signum, frame):  # pylint: disable=unused-argument
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    scheme = 'https' if context else 'http'
    print('%s://127.0.0.1:%d' % (scheme, server.server_address[1]), flush=True)
    print('llmobs emulator ready; control API under /_emulator/ (docs/emulator.md). Ctrl-C stops it.',
          file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
