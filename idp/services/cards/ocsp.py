"""Revocation by OCSP (RFC 6960), when a responder is configured: a signed, fresh
answer for the card's certificate from its issuer or the issuer's delegated responder.
No usable answer means "unknown", and the CRL decides."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID

#: Clock difference with the responder that is still accepted.
SKEW = timedelta(minutes=5)


def _post(url: str, body: bytes) -> bytes:
    response = requests.post(
        url, data=body, headers={"Content-Type": "application/ocsp-request"}, timeout=10
    )
    response.raise_for_status()
    return response.content


class OcspResponder:
    def __init__(self, url: str, post: Callable[[str, bytes], bytes] | None = None) -> None:
        self.url = url
        self._post = post or _post

    def revoked(self, cert: x509.Certificate, issuer: x509.Certificate) -> bool | None:
        """True when revoked, False when good, None when no trustworthy answer came."""
        request = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA256()).build()
        try:
            answer = ocsp.load_der_ocsp_response(
                self._post(self.url, request.public_bytes(Encoding.DER))
            )
        except (requests.RequestException, ValueError):
            return None
        if answer.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
            return None
        if (
            answer.serial_number != cert.serial_number
            or answer.issuer_key_hash != request.issuer_key_hash
            or answer.issuer_name_hash != request.issuer_name_hash
        ):
            return None
        if not _signed_by_issuer(answer, issuer):
            return None
        now = datetime.now(UTC)
        if answer.this_update_utc > now + SKEW:
            return None
        if answer.next_update_utc is not None and answer.next_update_utc < now - SKEW:
            return None
        if answer.certificate_status is ocsp.OCSPCertStatus.GOOD:
            return False
        if answer.certificate_status is ocsp.OCSPCertStatus.REVOKED:
            return True
        return None


def _signed_by_issuer(answer: ocsp.OCSPResponse, issuer: x509.Certificate) -> bool:
    """Signed by the issuer itself, or by a responder certificate the issuer made for
    OCSP signing (RFC 6960 section 4.2.2.2)."""
    signer = issuer
    if answer.responder_name != issuer.subject:
        delegated = [c for c in answer.certificates if _delegated_by(c, issuer)]
        if not delegated:
            return False
        signer = delegated[0]
    key = signer.public_key()
    algorithm = answer.signature_hash_algorithm
    if algorithm is None:
        return False
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(answer.signature, answer.tbs_response_bytes, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(answer.signature, answer.tbs_response_bytes, ec.ECDSA(algorithm))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def _delegated_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
        usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except (ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
        return False
    now = datetime.now(UTC)
    valid = cert.not_valid_before_utc <= now <= cert.not_valid_after_utc
    return valid and ExtendedKeyUsageOID.OCSP_SIGNING in usage
