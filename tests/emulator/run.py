#!/usr/bin/env python
# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Start the local Datadog LLM Observability emulator (docs/emulator.md).

    python3 tests/emulator/run.py [--port 8126] [--seed FILE] [--lag 2] [--records-lag 5] [--latency-ms 50]
                                  [--inexact-name-filter] [--rate-limit 10/60] [--fault JSON]
                                  [--experiment-create-status 200|201] [--experiment-patch-body]
                                  [--api-key K --app-key K] [--tls-cert CERT --tls-key KEY]
                                  [--detach [--pid-file FILE] [--log-file FILE]] [--stop --pid-file FILE]

In the foreground it prints its base URL on the first line of standard output once it accepts
connections, then serves until stopped (Ctrl-C or SIGTERM). With --detach it starts itself in
the background, waits until it answers, prints the same URL, where its pid file and log are, and
the run.py that serves (an emulator already running may be another install's), and returns;
--stop stops the one a pid file names. Listens on 127.0.0.1 only. Bad input
(options, seed files, TLS files, a port in use) ends it with a one-line message and exit code 2.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import errno
import importlib.machinery
import importlib.util
import json
import math
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

if not __package__:
    # Started as a script (python3 tests/emulator/run.py): make this directory the package
    # "llmobs_emulator" so that the relative imports below work without touching sys.path.
    _SPEC = importlib.machinery.ModuleSpec('llmobs_emulator', None, is_package=True)
    _SPEC.submodule_search_locations = [os.path.dirname(os.path.abspath(__file__))]
    sys.modules['llmobs_emulator'] = importlib.util.module_from_spec(_SPEC)
    __package__ = 'llmobs_emulator'  # pylint: disable=redefined-builtin

from .faults import Fault, FaultError  # noqa: E402 pylint: disable=wrong-import-position
from .seeds import SeedError, read_seed_file  # noqa: E402 pylint: disable=wrong-import-position
from .server import CREATE_STATUSES, RECORD_SHAPES, Emulator, make_server  # noqa: E402 pylint: disable=wrong-import-position

PROG = 'llmobs-emulator'
HERE = os.path.dirname(os.path.abspath(__file__))
DEMO_SEED = os.path.join(HERE, 'demo-seed.json')
DEFAULT_PORT = 8126
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0


class UsageError(Exception):
    """Bad input: reported on one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, '%s: %s (see --help)\n' % (PROG, message))


# ---------------------------------------------------------------------- option values


def _port(text):
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError('%r is not a port number' % text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError('%d is not a port number (0 to 65535; 0 picks a free one)' % port)
    return port


def _non_negative(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError('%r is not a number' % text)
    if math.isnan(value) or math.isinf(value) or value < 0:
        raise argparse.ArgumentTypeError('%r must be a number of 0 or more' % text)
    return value


def parse_rate_limit(text):
    try:
        limit, period = text.split('/')
        limit, period = int(limit), float(period)
    except ValueError:
        raise argparse.ArgumentTypeError('use LIMIT/PERIOD_SECONDS, for example 10/60, not %r' % text)
    if limit < 1 or math.isnan(period) or math.isinf(period) or period <= 0:
        raise argparse.ArgumentTypeError('%r: the limit must be 1 or more and the period more than 0 seconds' % text)
    return {'limit': limit, 'period': period}


def parse_fault(text):
    try:
        return Fault.from_json(json.loads(text))
    except (ValueError, FaultError, TypeError) as error:
        raise argparse.ArgumentTypeError('bad fault %r: %s' % (text, error))


def build_parser():
    parser = Parser(prog=PROG, allow_abbrev=False,
                    description='Local emulator of the Datadog LLM Observability projects, datasets, records and experiments API.')
    parser.add_argument('--port', type=_port, default=DEFAULT_PORT,
                        help='TCP port on 127.0.0.1 (default %d; 0 picks a free one)' % DEFAULT_PORT)
    parser.add_argument('--seed', action='append', default=[], metavar='FILE',
                        help='JSON seed of projects, datasets and records (repeatable; default: the demo seed)')
    parser.add_argument('--no-demo-seed', action='store_true', help='start empty unless --seed is given')
    parser.add_argument('--lag', type=_non_negative, default=0.0, metavar='SECONDS',
                        help='eventual consistency: creations and deletions show in lists only after this long')
    parser.add_argument('--records-lag', type=_non_negative, default=0.0, metavar='SECONDS',
                        help='the same for records: records written show in records lists only after this long')
    parser.add_argument('--latency-ms', type=_non_negative, default=0.0, metavar='MS',
                        help='wait this long before answering each API request (not the /_emulator/ routes)')
    parser.add_argument('--inexact-name-filter', action='store_true',
                        help='filter[name] matches names containing the text, ignoring case')
    parser.add_argument('--rate-limit', type=parse_rate_limit, metavar='LIMIT/PERIOD',
                        help='answer 429 past LIMIT API requests per PERIOD seconds')
    parser.add_argument('--fault', type=parse_fault, action='append', default=[], metavar='JSON',
                        help='inject a fault (repeatable), e.g. \'{"operation": "CloneLLMObsDataset", "status": 500}\'')
    parser.add_argument('--dataset-create-status', type=int, choices=CREATE_STATUSES, default=201,
                        help='status of a dataset create: 201 (default) or 200, both seen from Datadog')
    parser.add_argument('--records-shape', choices=RECORD_SHAPES, default='nested',
                        help='records list: nested under attributes as the live API answers (default), or flat as the spec shows')
    parser.add_argument('--experiment-create-status', type=int, choices=CREATE_STATUSES, default=200,
                        help='status of an experiment create: 200 (default, what ddtrace expects) or 201')
    parser.add_argument('--experiment-patch-body', action='store_true',
                        help='an experiment update answers the experiment, as the spec shows, not an empty body as live')
    parser.add_argument('--api-key', help='only this DD-API-KEY is accepted (403 otherwise); default: any')
    parser.add_argument('--app-key', help='only this DD-APPLICATION-KEY is accepted (403 otherwise); default: any')
    parser.add_argument('--tls-cert', metavar='PEM', help='serve HTTPS with this certificate')
    parser.add_argument('--tls-key', metavar='PEM', help='private key of --tls-cert (default: in the --tls-cert file)')
    background = parser.add_argument_group('background')
    background.add_argument('--detach', action='store_true',
                            help='start in the background, wait until it answers, print its URL and return')
    background.add_argument('--stop', action='store_true', help='stop the emulator that --pid-file names')
    background.add_argument('--pid-file', metavar='FILE',
                            help='with --detach or --stop (default: llmobs-emulator-PORT.pid in the temporary directory)')
    background.add_argument('--log-file', metavar='FILE', help='with --detach: its output (default: the pid file with .log)')
    return parser


# Options that only concern --detach/--stop, with whether they take a value.
BACKGROUND_OPTIONS = {'--detach': False, '--stop': False, '--pid-file': True, '--log-file': True}


def server_arguments(argv):
    """``argv`` without the background options: what the detached process is started with."""
    kept, skip = [], False
    for argument in argv:
        if skip:
            skip = False
            continue
        name = argument.split('=', 1)[0]
        if name in BACKGROUND_OPTIONS:
            skip = BACKGROUND_OPTIONS[name] and '=' not in argument
            continue
        kept.append(argument)
    return kept


# ---------------------------------------------------------------------- foreground


def load_seeds(args):
    try:
        return [read_seed_file(path) for path in args.seed or ([] if args.no_demo_seed else [DEMO_SEED])]
    except SeedError as error:
        raise UsageError(str(error))


def tls_context(args):
    if not args.tls_cert:
        if args.tls_key:
            raise UsageError('--tls-key needs --tls-cert')
        return None
    for option, path in (('--tls-cert', args.tls_cert), ('--tls-key', args.tls_key)):
        if path is not None and not os.path.isfile(path):
            raise UsageError('%s: no such file: %s' % (option, path))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(args.tls_cert, args.tls_key)
    except (ssl.SSLError, OSError) as error:
        raise UsageError('cannot use the certificate %s%s (PEM files of a certificate and its private key are '
                         'needed): %s' % (args.tls_cert, ' with the key %s' % args.tls_key if args.tls_key else '',
                                          getattr(error, 'reason', None) or error))
    return context


def bind(emulator, port, context):
    try:
        return make_server(emulator, port=port, ssl_context=context)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UsageError('port %d on 127.0.0.1 is already in use: stop what uses it, or choose another '
                             'with --port (0 picks a free one)' % port)
        if error.errno == errno.EACCES:
            raise UsageError('not allowed to listen on port %d of 127.0.0.1: choose a port above 1023' % port)
        raise UsageError('cannot listen on 127.0.0.1:%d: %s' % (port, error.strerror or error))


def serve(args):
    emulator = Emulator(seeds=load_seeds(args), lag=args.lag, records_lag=args.records_lag, latency_ms=args.latency_ms,
                        inexact_name_filter=args.inexact_name_filter, rate_limit=args.rate_limit, faults=args.fault,
                        api_key=args.api_key, app_key=args.app_key, dataset_create_status=args.dataset_create_status,
                        records_shape=args.records_shape, experiment_create_status=args.experiment_create_status,
                        experiment_patch_body=args.experiment_patch_body)
    context = tls_context(args)
    server = bind(emulator, args.port, context)

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


# ---------------------------------------------------------------------- background


def default_pid_file(port):
    if not port:
        raise UsageError('--detach with --port 0 needs --pid-file (the default pid file is named after the port)')
    return os.path.join(tempfile.gettempdir(), 'llmobs-emulator-%d.pid' % port)


def _state_file(pid_file):
    return pid_file + '.json'


def read_state(pid_file):
    """What the pid file's emulator was started with ({pid, url, arguments, log_file}), or None."""
    try:
        with open(pid_file) as handle:
            pid = int(handle.read().strip())
    except (IOError, OSError, ValueError):
        return None
    state = {'pid': pid}
    try:
        with open(_state_file(pid_file)) as handle:
            state.update(json.load(handle))
    except (IOError, OSError, ValueError):
        pass
    state['pid'] = pid
    return state


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _answers(url, timeout=1.0):
    context = ssl._create_unverified_context()  # pylint: disable=protected-access
    try:
        with urllib.request.urlopen(url + '/_emulator/health', timeout=timeout, context=context) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False


def is_emulator(state):
    """Whether the pid file names a running emulator (not a process that reused the pid)."""
    if state is None or not _alive(state['pid']):
        return False
    try:
        with open('/proc/%d/cmdline' % state['pid'], 'rb') as handle:
            arguments = handle.read().decode('utf-8', 'replace').split('\0')
    except (IOError, OSError):
        return bool(state.get('url')) and _answers(state['url'])
    script = os.path.join('emulator', 'run.py')
    return any(argument == script or argument.endswith(os.sep + script) or argument.endswith('.emulator.run')
               for argument in arguments[1:3])


def _remove(*paths):
    for path in paths:
        try:
            os.remove(path)
        except OSError:
            pass


def stop_emulator(pid_file):
    """Stop the emulator the pid file names; a message, and whether anything was stopped."""
    state = read_state(pid_file)
    if not is_emulator(state):
        _remove(pid_file, _state_file(pid_file))
        return 'not running (no emulator for pid file %s)' % pid_file, False
    pid = state['pid']
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
    _remove(pid_file, _state_file(pid_file))
    return 'stopped (pid %d, pid file %s)' % (pid, pid_file), True


def detach(args, arguments):
    """Start ``run.py <arguments>`` in the background and wait until it answers.

    Returns its URL, what happened, the run.py that serves and, when this call started it, how to stop it.
    """
    pid_file = os.path.abspath(args.pid_file or default_pid_file(args.port))
    log_file = os.path.abspath(args.log_file or os.path.splitext(pid_file)[0] + '.log')
    state = read_state(pid_file)
    restarted = False
    if is_emulator(state):
        if state.get('arguments') == arguments:
            # It may be another copy's emulator (another install of the collection): say which.
            return state['url'], 'already running (pid %d, pid file %s, log %s)' % (
                state['pid'], pid_file, state.get('log_file')), state.get('run_py') or 'unknown', None
        stop_emulator(pid_file)
        restarted = True
    for path in (pid_file, log_file):
        if os.path.dirname(path) and not os.path.isdir(os.path.dirname(path)):
            raise UsageError('no such directory for %s' % path)
    with open(log_file, 'w') as log:
        process = subprocess.Popen([sys.executable, os.path.abspath(__file__)] + arguments, stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=log, close_fds=True, start_new_session=True)
    url, deadline = None, time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            with open(log_file) as log:
                lines = [line.strip() for line in log if line.strip()]
            message = lines[-1] if lines else 'it ended with exit code %d' % process.returncode
            _remove(log_file)  # its one line is the message: nothing is left behind by a start that failed
            raise UsageError(message[len(PROG) + 2:] if message.startswith(PROG + ': ') else message)
        with open(log_file) as log:
            first = log.readline().strip()
        if first.startswith('http'):
            url = first
            if _answers(url):
                break
        time.sleep(0.05)
    else:
        process.kill()
        raise UsageError('the emulator did not answer within %d seconds; see %s' % (START_TIMEOUT, log_file))
    with open(pid_file, 'w') as handle:
        handle.write('%d\n' % process.pid)
    with open(_state_file(pid_file), 'w') as handle:
        json.dump({'url': url, 'arguments': arguments, 'log_file': log_file, 'run_py': os.path.abspath(__file__)}, handle)
    status = '%s in the background (pid %d, pid file %s, log %s)' % (
        'restarted' if restarted else 'started', process.pid, pid_file, log_file)
    run_py = os.path.abspath(__file__)
    return url, status, run_py, 'stop it with: %s %s --stop --pid-file %s' % (sys.executable, run_py, pid_file)


# ---------------------------------------------------------------------- entry point


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    try:
        if args.detach and args.stop:
            raise UsageError('--detach and --stop do not go together')
        if args.stop:
            message, dummy = stop_emulator(os.path.abspath(args.pid_file or default_pid_file(args.port)))
            print(message)
            return 0
        if args.detach:
            load_seeds(args)        # bad input is reported here, before anything starts
            tls_context(args)
            url, status, run_py, stop_hint = detach(args, server_arguments(argv))
            print(url)
            print(status)
            print('emulator: %s' % run_py)
            if stop_hint:
                print(stop_hint)
            return 0
        if args.pid_file or args.log_file:
            raise UsageError('--pid-file and --log-file go with --detach or --stop')
        return serve(args)
    except UsageError as error:
        sys.stderr.write('%s: %s\n' % (PROG, error))
        return 2


if __name__ == '__main__':
    sys.exit(main())
