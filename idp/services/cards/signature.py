"""Whether a card's signature over the hub's challenge was made with the key of the
certificate it came with, in the forms card components return: PKCS#1 v1.5 and raw
ECDSA from a PKCS#11 module, or CMS SignedData."""

from __future__ import annotations

import enum

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from .certificates import CardRefused
from .cms import CmsError, verify_signed_data


class SignatureFormat(enum.StrEnum):
    RSA_PKCS1_SHA256 = "rsa-pkcs1-sha256"  # PKCS#1 v1.5, as CKM_SHA256_RSA_PKCS returns
    ECDSA_SHA256 = "ecdsa-sha256"  # r || s, as CKM_ECDSA_SHA256 returns
    CMS = "cms"  # CMS SignedData (PKCS#7), DER, content attached or detached


def verify_signature(
    cert: x509.Certificate, data: bytes, signature: bytes, fmt: SignatureFormat
) -> None:
    """Refuses unless ``signature`` over ``data`` was made with the certificate's key."""
    if fmt is SignatureFormat.CMS:
        try:
            verify_signed_data(signature, data, cert)
        except CmsError as exc:
            raise CardRefused("signature") from exc
        return
    key = cert.public_key()
    try:
        if fmt is SignatureFormat.RSA_PKCS1_SHA256 and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
            return
        if fmt is SignatureFormat.ECDSA_SHA256 and isinstance(key, ec.EllipticCurvePublicKey):
            size = (key.curve.key_size + 7) // 8
            if len(signature) != 2 * size:
                raise CardRefused("signature")
            r = int.from_bytes(signature[:size], "big")
            s = int.from_bytes(signature[size:], "big")
            key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
            return
    except InvalidSignature as exc:
        raise CardRefused("signature") from exc
    raise CardRefused("signature_format")
