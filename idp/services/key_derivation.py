"""Keys derived from the one hub secret, each for one purpose; sealing small secrets at
rest with such a key; and token hashing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12


def derive_key(secret: str, purpose: str, length: int = 32) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=length, salt=b"onedoor", info=purpose.encode()
    ).derive(secret.encode())


def token_hash(token: str) -> str:
    """Storage key for a high-entropy token: SHA-256 is enough, no salt or stretching."""
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_hash(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class Sealer:
    """Seals short texts at rest (AES-GCM, a fresh nonce each time) with a key derived
    from the hub secret for one ``purpose``: 身分證 numbers, authenticator-app secrets."""

    def __init__(self, secret: str, purpose: str) -> None:
        self._cipher = AESGCM(derive_key(secret, purpose))

    def seal(self, value: str) -> str:
        """``value`` encrypted, as base64 text (nonce first)."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._cipher.encrypt(nonce, value.encode(), None)
        return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def open(self, sealed: str) -> str:
        """The text back; ValueError if ``sealed`` was altered or sealed with another key."""
        try:
            raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
            plain = self._cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None)
        except (ValueError, InvalidTag):
            raise ValueError("sealed value cannot be opened") from None
        return plain.decode()
