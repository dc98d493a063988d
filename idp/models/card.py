"""Personnel cards (醫事人員卡) enrolled by their holders to sign in with alone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .account import Account
from .base import Base, utcnow


class CardEnrolment(Base):
    __tablename__ = "card_enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    #: Keyed hash of the person's identity in the certificate: a renewed card of the same
    #: person still matches, and the identity itself is not kept.
    person_key: Mapped[str] = mapped_column(String(64), unique=True)
    #: SHA-256 of the certificate enrolled, and what it said, for the account page and audit.
    fingerprint: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(500))
    not_after: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[Account] = relationship()
