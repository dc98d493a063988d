"""Audit log: every sign-in and every administrative decision, each record chained to the
one before it by a keyed hash, so that an edited or a deleted record shows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: e.g. ``signin.success``, ``signin.failure``, ``client.create``, ``key.rotate``.
    action: Mapped[str] = mapped_column(String(50))
    #: Who acted: an account name, a client id, or ``system`` / ``cli``.
    actor: Mapped[str] = mapped_column(String(100), default="")
    actor_account_id: Mapped[int | None] = mapped_column(default=None, index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: Place in the chain: 1, 2, 3 … with no gap, given when the record is committed.
    #: Records written before the chain began have none.
    seq: Mapped[int | None] = mapped_column(default=None, unique=True)
    #: ``hash`` of the record before this one ("" for the first).
    prev_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    #: HMAC-SHA-256 over this record's fields and ``prev_hash``.
    hash: Mapped[str] = mapped_column(String(64), default="", server_default="")

    # One kind of event newest first (登入失敗紀錄: ``signin.failure``).
    __table_args__ = (Index("ix_audit_event_action_at", "action", "at"),)


class AuditMark(Base):
    """A named position in the chain: ``head`` (the last record written, locked while a
    record is chained, so that two writers never fork the chain) and ``sink`` (the last
    record sent to the collector)."""

    __tablename__ = "audit_mark"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64), default="")
