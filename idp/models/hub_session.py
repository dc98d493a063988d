"""Hub sessions: one signed-in browser. The live state is in the short-lived store;
this durable record lists who, when, from where, and which subsystems took part."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .account import Account
from .base import Base, utcnow


class HubSession(Base):
    __tablename__ = "hub_session"

    #: The OpenID Connect ``sid``.
    sid: Mapped[str] = mapped_column(String(43), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    #: Key of the browser session in the store (a hash of the cookie, not the cookie).
    store_key: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    end_reason: Mapped[str] = mapped_column(String(50), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    acr: Mapped[str] = mapped_column(String(100), default="")
    amr: Mapped[list[str]] = mapped_column(default=list)

    account: Mapped[Account] = relationship()

    __table_args__ = (
        # One person's sign-ins newest first, and everyone's within dates (人員登入紀錄).
        Index("ix_hub_session_account_time", "account_id", "created_at"),
        Index("ix_hub_session_created_at", "created_at"),
    )


class SessionClient(Base):
    """A subsystem that received an ID token in a hub session (to be told at logout)."""

    __tablename__ = "session_client"

    id: Mapped[int] = mapped_column(primary_key=True)
    sid: Mapped[str] = mapped_column(ForeignKey("hub_session.sid"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("sid", "client_id"),)
