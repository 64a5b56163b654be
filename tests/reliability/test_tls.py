# -*- coding: utf-8 -*-

# Copyright (c) llmobs.datadog contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""TLS: certificates are checked by default; a self-signed server is refused clearly, and trusted
through ca_path."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import ipaddress

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.llmobs.datadog.tests.support.emulator import EmulatorProcess
from ansible_collections.llmobs.datadog.tests.support.demo import DEMO_DATASET as SOURCE, DEMO_PROJECT as PROJECT
from ansible_collections.llmobs.datadog.tests.support.playbook import API_KEY, APP_KEY, run_tasks


def make_self_signed(directory):
    """A certificate for 127.0.0.1 that signs itself, and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, u'llmobs emulator test CA')])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(u'127.0.0.1'))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / 'cert.pem', directory / 'key.pem'
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


@pytest.fixture
def tls_emulator(tmp_path):
    cert, key = make_self_signed(tmp_path)
    emulator = EmulatorProcess(['--tls-cert', cert, '--tls-key', key, '--api-key', API_KEY, '--app-key', APP_KEY])
    emulator.verify = cert
    yield emulator, cert
    emulator.stop()


def test_certificates_are_checked_by_default_and_ca_path_trusts_one(tls_emulator, record):
    emulator, cert = tls_emulator
    assert emulator.url.startswith('https://127.0.0.1:')
    base = dict(api_url=emulator.url, project_id=PROJECT, dataset_id=SOURCE)
    run = run_tasks([
        dict(base, name='tls-default'),
        dict(base, name='tls-ca-path', ca_path=cert),
        dict(base, name='tls-ca-path-again', ca_path=cert, validate_certs=True),
    ])
    refused, trusted, trusted_again = run.results

    assert refused['failed'] is True
    assert 'TLS verification failed for %s' % emulator.url in refused['msg']
    assert 'ca_path' in refused['msg']
    assert [d['name'] for d in emulator.state()['datasets'] if d['name'].startswith('tls-')] == \
        ['tls-ca-path-again', 'tls-ca-path']
    assert not any(e['path'].endswith('/clone') and e['body']['data']['attributes']['name'] == 'tls-default'
                   for e in emulator.requests_log())
    assert trusted['changed'] is True and trusted_again['changed'] is True
    assert run.leaks() == [] and run.tracebacks() == []
    record('tls', {'case': 'self-signed server, default validate_certs', 'outcome': 'failure', 'message': refused['msg']})
    record('tls', {'case': 'self-signed server, ca_path set to its certificate', 'outcome': 'success',
                   'message': trusted['msg']})


def test_validate_certs_false_reaches_a_self_signed_server(tls_emulator, record):
    emulator, dummy = tls_emulator
    run = run_tasks([dict(api_url=emulator.url, project_id=PROJECT, dataset_id=SOURCE, name='tls-unchecked',
                          validate_certs=False)])
    assert run.result['changed'] is True
    assert run.leaks() == [] and run.tracebacks() == []
    record('tls', {'case': 'self-signed server, validate_certs: false', 'outcome': 'success', 'message': run.result['msg']})
