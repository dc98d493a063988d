"""Outbox of back-channel logout notifications: written with the sign-out, delivered
and retried until the subsystem answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class LogoutDelivery(Base):
    __tablename__ = "logout_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    uri: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(32))
    sid: Mapped[str] = mapped_column(String(43))
    #: The logout token's ``jti``; the same on every retry so a subsystem can de-duplicate.
    jti: Mapped[str] = mapped_column(String(43))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    abandoned_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    #: ``X-Request-Id`` of the request that ended the session, sent with every attempt.
    request_id: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (Index("ix_logout_delivery_pending", "delivered_at", "next_attempt_at"),)
