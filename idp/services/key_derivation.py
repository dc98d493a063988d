"""Keys derived from the one hub secret, each for one purpose, and token hashing."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def derive_key(secret: str, purpose: str, length: int = 32) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=length, salt=b"onedoor", info=purpose.encode()
    ).derive(secret.encode())


def token_hash(token: str) -> str:
    """Storage key for a high-entropy token: SHA-256 is enough, no salt or stretching."""
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_hash(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
