"""Requests under the Personal Data Protection Act (個資法): a person asks the hub to stop
processing their data, or to delete it; the authority decides."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .account import Account
from .base import Base, utcnow
from .enums import enum_column


class PrivacyRequestKind(enum.StrEnum):
    STOP = "stop"  # 停止蒐集、處理或利用: the account is disabled, its data kept
    DELETE = "delete"  # 刪除: the account's personal data is erased


class PrivacyRequestStatus(enum.StrEnum):
    PENDING = "pending"  # 審核中
    APPROVED = "approved"  # 允許 (結案)
    REFUSED = "refused"  # 不允許 (結案)


class PrivacyRequest(Base):
    __tablename__ = "privacy_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PrivacyRequestKind] = mapped_column(enum_column(PrivacyRequestKind))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[PrivacyRequestStatus] = mapped_column(
        enum_column(PrivacyRequestStatus), default=PrivacyRequestStatus.PENDING
    )
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), default=None)
    decision_reason: Mapped[str] = mapped_column(Text, default="")

    account: Mapped[Account] = relationship(foreign_keys=[account_id])
    decided_by: Mapped[Account | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (Index("ix_privacy_request_status", "status", "submitted_at"),)
