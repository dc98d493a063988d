"""OCSP for card certificates, against a responder on 127.0.0.1 that signs real answers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from idp.services.cards.certificates import CardKind, CardRefused, check_certificate
from idp.services.cards.devcard import make_ca
from idp.services.cards.ocsp import OcspResponder

from ..support.pki import Pki


class Responder:
    """Answers every request with ``status``, signed by ``signer``."""

    def __init__(self, pki: Pki) -> None:
        self.pki = pki
        self.status = ocsp.OCSPCertStatus.GOOD
        self.signer: tuple[Any, x509.Certificate] = pki.ca
        self.extra: list[x509.Certificate] = []

    def answer(self, body: bytes) -> bytes:
        request = ocsp.load_der_ocsp_request(body)
        now = datetime.now(UTC)
        builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
            issuer_name_hash=request.issuer_name_hash,
            issuer_key_hash=request.issuer_key_hash,
            serial_number=request.serial_number,
            algorithm=request.hash_algorithm,
            cert_status=self.status,
            this_update=now - timedelta(minutes=1),
            next_update=now + timedelta(hours=1),
            revocation_time=now - timedelta(minutes=1)
            if self.status is ocsp.OCSPCertStatus.REVOKED
            else None,
            revocation_reason=None,
        )
        builder = builder.responder_id(ocsp.OCSPResponderEncoding.NAME, self.signer[1])
        if self.extra:
            builder = builder.certificates(self.extra)
        response = builder.sign(self.signer[0], hashes.SHA256())
        return response.public_bytes(Encoding.DER)


@pytest.fixture
def responder(pki: Pki) -> Iterator[tuple[Responder, str]]:
    state = Responder(pki)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            raw = state.answer(body)
            self.send_response(200)
            self.send_header("Content-Type", "application/ocsp-response")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def check(pki: Pki, url: str, cert: x509.Certificate) -> str:
    trust = replace(pki.trust(), ocsp=OcspResponder(url))
    try:
        check_certificate(trust, cert, CardKind.INSTITUTION)
    except CardRefused as refused:
        return refused.reason
    return "ok"


def test_good_answer_stands_in_for_a_missing_crl(
    pki: Pki, responder: tuple[Responder, str]
) -> None:
    _, url = responder
    _, cert = pki.card()
    (pki.folder / "ca.crl").unlink()
    assert check(pki, url, cert) == "ok"


def test_revoked_answer_refuses_whatever_the_crl_says(
    pki: Pki, responder: tuple[Responder, str]
) -> None:
    state, url = responder
    state.status = ocsp.OCSPCertStatus.REVOKED
    _, cert = pki.card()
    assert check(pki, url, cert) == "revoked"


def test_forged_or_missing_answer_leaves_it_to_the_crl(
    pki: Pki, responder: tuple[Responder, str]
) -> None:
    state, url = responder
    state.signer = make_ca("Test Card CA")  # same name, another key
    _, cert = pki.card()
    assert check(pki, url, cert) == "ok"  # the CRL vouches
    (pki.folder / "ca.crl").unlink()
    assert check(pki, url, cert) == "revoked"
    assert check(pki, "http://127.0.0.1:9/", cert) == "revoked"  # nobody answers


def test_delegated_responder_must_be_made_for_ocsp_signing(
    pki: Pki, responder: tuple[Responder, str]
) -> None:
    state, url = responder
    _, cert = pki.card()
    (pki.folder / "ca.crl").unlink()
    for usage, expected in (
        (ExtendedKeyUsageOID.OCSP_SIGNING, "ok"),
        (ExtendedKeyUsageOID.CLIENT_AUTH, "revoked"),
    ):
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        delegate = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "OCSP")]))
            .issuer_name(pki.ca[1].subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .sign(pki.ca[0], hashes.SHA256())
        )
        state.signer = (key, delegate)
        state.extra = [delegate]
        assert check(pki, url, cert) == expected
