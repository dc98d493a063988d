"""Signing keys (RS256 and ES256): generated on first start, rotated on demand.

Rotation is safe with several replicas: the new key is published in the JWKS at once but
signs only from its activation time (a lead time longer than the replicas' key reload
and the clients' JWKS caching), so no token is signed with a key a verifier cannot find
yet. The old key signs until then and stays published until every token it signed has
expired. Private keys are stored as PKCS#8 PEM encrypted with
AES-GCM under a key derived from the hub secret.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from joserfc.jwk import ECKey, Key, KeyParameters, KeySet, RSAKey
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from ...models import SigningKey, utcnow
from ..key_derivation import derive_key

ALGORITHMS = ("RS256", "ES256")
AnyKey = RSAKey | ECKey


class KeyBox:
    """Encrypts private keys at rest."""

    def __init__(self, secret: str) -> None:
        self._aead = AESGCM(derive_key(secret, "signing-key-encryption"))

    def seal(self, plaintext: bytes, kid: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plaintext, kid.encode())

    def open(self, sealed: bytes, kid: str) -> bytes:
        return self._aead.decrypt(sealed[:12], sealed[12:], kid.encode())


def _generate(alg: str) -> AnyKey:
    params: KeyParameters = {"alg": alg, "use": "sig"}
    key: AnyKey
    if alg == "RS256":
        key = RSAKey.generate_key(2048, parameters=params, private=True)
    elif alg == "ES256":
        key = ECKey.generate_key("P-256", parameters=params, private=True)
    else:
        raise ValueError(f"unsupported signing algorithm {alg}")
    # RFC 7638 thumbprint as kid: stable, unique, derived from the key itself.
    key.ensure_kid()
    return key


def create_key(
    db: Session, box: KeyBox, alg: str, activates_at: datetime | None = None
) -> SigningKey:
    key = _generate(alg)
    kid = key.kid
    assert kid is not None
    row = SigningKey(
        kid=kid,
        alg=alg,
        activates_at=activates_at,
        public_jwk=key.as_dict(private=False),
        private_key_encrypted=box.seal(key.as_pem(private=True), kid),
    )
    db.add(row)
    db.flush()
    return row


def ensure_keys(db: Session, box: KeyBox) -> list[SigningKey]:
    """Create a signing key for each algorithm that has none; return the new ones."""
    created = []
    for alg in ALGORITHMS:
        active = db.scalar(
            select(SigningKey).where(SigningKey.alg == alg, SigningKey.retired_at.is_(None))
        )
        if active is None:
            created.append(create_key(db, box, alg))
    return created


def rotate_keys(
    db: Session, box: KeyBox, lead: timedelta, keep_published: timedelta
) -> list[SigningKey]:
    """New keys for every algorithm, published now and signing after ``lead``; the keys
    they replace sign until then and stay published ``keep_published`` longer."""
    now = utcnow()
    switch = now + lead
    for old in db.scalars(select(SigningKey).where(SigningKey.retired_at.is_(None))):
        old.retired_at = switch
        old.expires_at = switch + keep_published
    return [create_key(db, box, alg, activates_at=switch) for alg in ALGORITHMS]


def signs_at(key: SigningKey, now: datetime) -> bool:
    """Whether ``key`` is the one to sign with at ``now`` (active, not yet replaced)."""
    return _signs(key.activates_at, key.retired_at, now)


def _signs(activates_at: datetime | None, retired_at: datetime | None, now: datetime) -> bool:
    active = activates_at is None or activates_at <= now
    return active and (retired_at is None or retired_at > now)


def _published(now: datetime) -> ColumnElement[bool]:
    return or_(SigningKey.expires_at.is_(None), SigningKey.expires_at > now)


def published_keys(db: Session, now: datetime | None = None) -> list[SigningKey]:
    return list(
        db.scalars(
            select(SigningKey)
            .where(_published(now or utcnow()))
            .order_by(SigningKey.created_at.desc(), SigningKey.id.desc())
        )
    )


def published_state(db: Session) -> tuple[tuple[str, bool], ...]:
    """Which keys are published and which of them sign now (a rotated key starts
    signing when its time comes, with nothing else changed): what the key ring is built
    from, read without the keys themselves."""
    now = utcnow()
    rows = db.execute(
        select(SigningKey.kid, SigningKey.activates_at, SigningKey.retired_at)
        .where(_published(now))
        .order_by(SigningKey.id)
    )
    return tuple((kid, _signs(start, end, now)) for kid, start, end in rows)


@dataclass(frozen=True)
class KeyRing:
    """A read-only view of the keys at one moment, shared by every request."""

    signers: dict[str, AnyKey]
    public: KeySet
    jwks_json: bytes
    etag: str

    def signer(self, alg: str) -> AnyKey:
        try:
            return self.signers[alg]
        except KeyError:
            raise LookupError(f"no active {alg} signing key; run 'idp init'") from None


def load_keyring(db: Session, box: KeyBox, now: datetime | None = None) -> KeyRing:
    now = now or utcnow()
    rows = published_keys(db, now)
    signers: dict[str, AnyKey] = {}
    public: list[Key] = []
    for row in rows:
        params: KeyParameters = {"kid": row.kid, "alg": row.alg, "use": "sig"}
        if row.alg not in signers and signs_at(row, now):
            pem = box.open(row.private_key_encrypted, row.kid)
            cls = RSAKey if row.alg == "RS256" else ECKey
            signers[row.alg] = cls.import_key(pem, parameters=params)
        public_cls = RSAKey if row.public_jwk["kty"] == "RSA" else ECKey
        public.append(public_cls.import_key(row.public_jwk, parameters=params))
    jwks = {"keys": [k.as_dict(private=False) for k in public]}
    body = json.dumps(jwks, separators=(",", ":"), sort_keys=True).encode()
    return KeyRing(
        signers=signers,
        public=KeySet(public),
        jwks_json=body,
        etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
    )
