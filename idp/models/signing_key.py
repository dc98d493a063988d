"""Signing keys for ID tokens and logout tokens; private parts encrypted at rest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class SigningKey(Base):
    __tablename__ = "signing_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    alg: Mapped[str] = mapped_column(String(10))
    public_jwk: Mapped[dict[str, Any]] = mapped_column()
    #: AES-GCM encrypted PEM (PKCS#8) of the private key.
    private_key_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the key starts signing (``idp keys rotate`` publishes it ahead of that).
    activates_at: Mapped[datetime | None] = mapped_column(default=None)
    #: When a newer key takes over signing; the key stays published until ``expires_at``.
    retired_at: Mapped[datetime | None] = mapped_column(default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
