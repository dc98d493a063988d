"""CMS SignedData (RFC 5652), as some card components return their signature: one
signer, SHA-2 digests, RSA PKCS#1 v1.5 or ECDSA, with or without signed attributes,
the content attached or detached. Only what a card's answer to a challenge needs."""

from __future__ import annotations

import hmac

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtensionOID

from .der import OID, SEQUENCE, SET, DerError, children, decode_oid, elements, encode_oid

SIGNED_DATA = "1.2.840.113549.1.7.2"
DATA = "1.2.840.113549.1.7.1"
CONTENT_TYPE = "1.2.840.113549.1.9.3"
MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
DIGESTS: dict[str, type[hashes.HashAlgorithm]] = {
    "2.16.840.1.101.3.4.2.1": hashes.SHA256,
    "2.16.840.1.101.3.4.2.2": hashes.SHA384,
    "2.16.840.1.101.3.4.2.3": hashes.SHA512,
}
RSA_ALGORITHMS = {
    "1.2.840.113549.1.1.1",  # rsaEncryption: the digest algorithm says which hash
    "1.2.840.113549.1.1.11",
    "1.2.840.113549.1.1.12",
    "1.2.840.113549.1.1.13",
}
ECDSA_ALGORITHMS = {"1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4"}
OCTET_STRING = 0x04
CONTEXT_0 = 0xA0
IMPLICIT_0 = 0x80


class CmsError(ValueError):
    pass


def _digest(algorithm: type[hashes.HashAlgorithm], data: bytes) -> bytes:
    h = hashes.Hash(algorithm())
    h.update(data)
    return h.finalize()


def _algorithm(identifier: bytes) -> str:
    parts = children(identifier)
    if not parts or parts[0][0] != OID:
        raise CmsError("not an AlgorithmIdentifier")
    return decode_oid(parts[0][1])


def _signer_is(sid_tag: int, sid: bytes, cert: x509.Certificate) -> bool:
    if sid_tag == SEQUENCE:  # issuerAndSerialNumber
        parts = elements(sid)
        if len(parts) != 2:
            return False
        issuer_raw, serial = parts[0][2], parts[1][1]
        return (
            issuer_raw == cert.issuer.public_bytes()
            and int.from_bytes(serial, "big", signed=True) == cert.serial_number
        )
    if sid_tag == IMPLICIT_0:  # subjectKeyIdentifier
        try:
            ski = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_KEY_IDENTIFIER)
        except x509.ExtensionNotFound:
            return False
        return isinstance(ski.value, x509.SubjectKeyIdentifier) and ski.value.digest == sid
    return False


def verify_signed_data(der: bytes, content: bytes, cert: x509.Certificate) -> None:
    """Raises CmsError unless ``der`` is SignedData over ``content`` by ``cert``'s key."""
    try:
        _verify(der, content, cert)
    except (DerError, IndexError, ValueError, InvalidSignature) as exc:
        raise CmsError(str(exc) or "invalid SignedData") from exc


def _verify(der: bytes, content: bytes, cert: x509.Certificate) -> None:
    [(tag, content_info)] = children(der)
    parts = children(content_info)
    if tag != SEQUENCE or decode_oid(parts[0][1]) != SIGNED_DATA or parts[1][0] != CONTEXT_0:
        raise CmsError("not SignedData")
    [(_, signed_data)] = children(parts[1][1])
    fields = children(signed_data)
    encap = children(fields[2][1])
    if decode_oid(encap[0][1]) != DATA:
        raise CmsError("content is not data")
    if len(encap) > 1:
        [(octet_tag, attached)] = children(encap[1][1])
        if octet_tag != OCTET_STRING or not hmac.compare_digest(attached, content):
            raise CmsError("signed content is not the challenge")
    signer_infos = children(fields[-1][1])
    if fields[-1][0] != SET or len(signer_infos) != 1:
        raise CmsError("exactly one signer expected")
    signer = elements(signer_infos[0][1])
    sid_tag, sid = signer[1][0], signer[1][1]
    if not _signer_is(sid_tag, sid, cert):
        raise CmsError("signed by another certificate")
    digest = DIGESTS.get(_algorithm(signer[2][1]))
    if digest is None:
        raise CmsError("unsupported digest")
    rest = signer[3:]
    if rest[0][0] == CONTEXT_0:
        attributes = _attributes(rest[0][1])
        if attributes.get(CONTENT_TYPE) != [encode_oid(DATA)]:
            raise CmsError("content type attribute is not data")
        digests = [children(raw) for raw in attributes.get(MESSAGE_DIGEST) or []]
        wanted = _digest(digest, content)
        if len(digests) != 1 or not hmac.compare_digest(digests[0][0][1], wanted):
            raise CmsError("message digest does not match")
        signed = bytes([SET]) + rest[0][2][1:]  # signed over as a SET OF, not [0] IMPLICIT
        rest = rest[1:]
    else:
        signed = content
    algorithm = _algorithm(rest[0][1])
    signature = rest[1][1]
    key = cert.public_key()
    if algorithm in RSA_ALGORITHMS and isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, signed, padding.PKCS1v15(), digest())
    elif algorithm in ECDSA_ALGORITHMS and isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(signature, signed, ec.ECDSA(digest()))
    else:
        raise CmsError("unsupported signature algorithm")


def _attributes(data: bytes) -> dict[str, list[bytes]]:
    """Signed attributes: type → the whole encodings of its values."""
    found: dict[str, list[bytes]] = {}
    for _, attribute in children(data):
        kind, values = children(attribute)
        found[decode_oid(kind[1])] = [raw for _, _, raw in elements(values[1])]
    return found
