"""Audit log: every sign-in and every administrative decision."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: e.g. ``signin.success``, ``signin.failure``, ``client.create``, ``key.rotate``.
    action: Mapped[str] = mapped_column(String(50), index=True)
    #: Who acted: an account name, a client id, or ``system`` / ``cli``.
    actor: Mapped[str] = mapped_column(String(100), default="")
    actor_account_id: Mapped[int | None] = mapped_column(default=None, index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
