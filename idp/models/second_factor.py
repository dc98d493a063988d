"""Second factors a person holds beside the password (兩步驟驗證): passkeys and security
keys (WebAuthn credentials), an authenticator app (TOTP) and single-use recovery codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Passkey(Base):
    """A WebAuthn credential: a passkey on a phone or computer, or a security key."""

    __tablename__ = "passkey"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    #: The credential id, base64url (at most 1023 bytes before encoding).
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)
    #: COSE public key.
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(default=0)
    #: What the person called it ("公務筆電", "YubiKey").
    name: Mapped[str] = mapped_column(String(50))
    #: Backed up by its provider (a synced passkey, ``swk``) or bound to one device (``hwk``).
    synced: Mapped[bool] = mapped_column(default=False)
    transports: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


class AuthenticatorApp(Base):
    """An authenticator app's TOTP secret (RFC 6238), sealed; one per account."""

    __tablename__ = "authenticator_app"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), unique=True)
    secret_sealed: Mapped[str] = mapped_column(String(200))
    #: The last time step whose code was accepted: no code of it or before is taken again.
    last_step: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


class RecoveryCode(Base):
    """One of ten single-use codes for when the other factors are lost; kept as a keyed
    hash only."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(default=None)
