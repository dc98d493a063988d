"""Grants and refresh tokens: what survives beyond one access token.

A grant is one authorization of one client by one account, created at the code
exchange. Every access and refresh token issued from it belongs to it, so revoking
the grant (a reused code, a reused refresh token, sign-out) revokes them all.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .account import Account
from .base import Base, utcnow


class Grant(Base):
    __tablename__ = "oauth_grant"

    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    #: Hub session the grant was made in; sign-out revokes grants without offline access.
    sid: Mapped[str] = mapped_column(String(43), index=True)
    scope: Mapped[str] = mapped_column(String(500))
    offline: Mapped[bool] = mapped_column(default=False)
    auth_time: Mapped[int] = mapped_column()
    acr: Mapped[str] = mapped_column(String(100), default="")
    amr: Mapped[list[str]] = mapped_column(default=list)
    #: The bound subsystem account the person signed in as at this client, if any.
    subsystem_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("subsystem_account.id"), index=True, default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_reason: Mapped[str] = mapped_column(String(100), default="")

    account: Mapped[Account] = relationship(lazy="joined")


class RefreshToken(Base):
    __tablename__ = "refresh_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    grant_id: Mapped[str] = mapped_column(ForeignKey("oauth_grant.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    #: Set when the token was exchanged (rotation); a second use revokes the grant.
    used_at: Mapped[datetime | None] = mapped_column(default=None)

    grant: Mapped[Grant] = relationship(lazy="joined")

    __table_args__ = (Index("ix_refresh_token_expires_at", "expires_at"),)
