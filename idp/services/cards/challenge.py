"""The hub's challenge for a card to sign: single use, two minutes, bound to one
browser session, and domain-separated so a signature made for it means nothing
anywhere else. Its text format is in ``idp.card_challenge_format``, which the card
agent shares."""

from __future__ import annotations

import enum
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from cryptography import x509

from ...card_challenge_format import TTL_SECONDS, format_challenge, parse_challenge
from ...store import Store
from .certificates import CardHolder, CardKind, CardRefused, CardTrust, check_certificate
from .signature import SignatureFormat, verify_signature


class Purpose(enum.StrEnum):
    SIGNIN = "signin"  # 憑證登入
    VERIFY = "verify"  # 醫事機構卡驗證 of a unit-admin application
    ENROL = "enrol"  # a personnel card added to one's own account


def _key(nonce: str) -> str:
    return f"cardchallenge:{nonce}"


def issue(store: Store, issuer: str, purpose: Purpose, session_key: str) -> str:
    nonce = secrets.token_urlsafe(24)
    challenge = format_challenge(issuer, purpose.value, nonce, int(time.time()))
    record = {"challenge": challenge, "session": session_key}
    store.set(_key(nonce), json.dumps(record).encode(), TTL_SECONDS)
    return challenge


def take(store: Store, challenge: str, issuer: str, purpose: Purpose, session_key: str) -> None:
    """Use up a challenge this hub issued to this browser session for this purpose, within
    its two minutes; refuses otherwise (also when it was used already)."""
    parts = parse_challenge(challenge)
    if parts is None:
        raise CardRefused("challenge_format", "驗證已逾時，請重新操作")
    raw = store.take(_key(parts.nonce))
    if raw is None:
        raise CardRefused("challenge_unknown", "驗證已逾時，請重新操作")
    record = json.loads(raw)
    fresh = time.time() - parts.issued_at <= TTL_SECONDS
    same = (
        hmac.compare_digest(record["challenge"], challenge)
        and hmac.compare_digest(record["session"], session_key)
        and parts.issuer == issuer
        and parts.purpose == purpose.value
    )
    if not (fresh and same):
        raise CardRefused("challenge_mismatch", "驗證已逾時，請重新操作")


@dataclass(frozen=True)
class CardProof:
    """What the page sends back: the challenge, the card's certificate and the signature
    the card agent made over the challenge with the card's key."""

    challenge: str
    certificate: bytes  # DER
    signature: bytes
    signature_format: str


def verify_proof(
    store: Store,
    trust: CardTrust,
    proof: CardProof,
    *,
    issuer: str,
    purpose: Purpose,
    session_key: str,
    kind: CardKind,
) -> CardHolder:
    """The holder of the card that signed this session's challenge."""
    take(store, proof.challenge, issuer, purpose, session_key)
    try:
        cert = x509.load_der_x509_certificate(proof.certificate)
        fmt = SignatureFormat(proof.signature_format)
    except ValueError as exc:
        raise CardRefused("malformed") from exc
    verify_signature(cert, proof.challenge.encode(), proof.signature, fmt)
    return check_certificate(trust, cert, kind)
