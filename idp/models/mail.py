"""The mail outbox: every message is written here with the change that caused it and
sent (SMTP) by the background worker, retried until the mail server takes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class MailMessage(Base):
    __tablename__ = "mail_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: What the message is about (``password_reset``, …), for the outbox page and tests.
    kind: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    #: Words of the body (a first password) masked once the mail server has the message.
    redact: Mapped[list[str]] = mapped_column(default=list)

    __table_args__ = (Index("ix_mail_message_pending", "sent_at", "next_attempt_at"),)
