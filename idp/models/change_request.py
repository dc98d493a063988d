"""資料異動申請 (change requests): a person asks for a change of their account, profile or
duty data; the request walks an approval chain of reviewer tiers (單位管理者, 衛生局,
國健署), one decision per step."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .account import Account
from .attachment import AttachedScan
from .base import Base, utcnow
from .enums import ReviewTier, enum_column
from .unit import Unit


class ChangeRequestKind(enum.StrEnum):
    ACCOUNT = "account"  # 帳號異動
    PROFILE = "profile"  # 個人資料異動
    DUTY = "duty"  # 業務異動
    IDENTITY = "identity"  # 身分證或所屬單位異動 (not on the profile page)
    OTHER = "other"  # 其他


class ChangeRequestStatus(enum.StrEnum):
    PENDING = "pending"  # 審核中
    APPROVED = "approved"  # 結案：允許
    REFUSED = "refused"  # 結案：不允許


class ChangeStepOutcome(enum.StrEnum):
    ALLOWED = "allowed"  # 允許
    REFUSED = "refused"  # 不允許
    SKIPPED = "skipped"  # 此關無其他審核者，移至下一關


class ChangeRequest(Base):
    __tablename__ = "change_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ChangeRequestKind] = mapped_column(enum_column(ChangeRequestKind))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    #: The requester's unit when they asked: its reviewers decide.
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    #: Contact details as the requester gave them (聯絡人, 連絡電話, 電子郵件).
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(40))
    email: Mapped[str] = mapped_column(String(254))
    content: Mapped[str] = mapped_column(Text)
    #: The chain's tiers (``ReviewTier`` values) as the policy gave them when asked.
    chain: Mapped[list[str]] = mapped_column(default=list)
    #: The step now deciding (0-based), and its tier; the tier is None once closed.
    step: Mapped[int] = mapped_column(default=0)
    tier: Mapped[ReviewTier | None] = mapped_column(enum_column(ReviewTier), default=None)
    status: Mapped[ChangeRequestStatus] = mapped_column(
        enum_column(ChangeRequestStatus), default=ChangeRequestStatus.PENDING
    )
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)

    account: Mapped[Account] = relationship(foreign_keys=[account_id])
    unit: Mapped[Unit] = relationship()
    decisions: Mapped[list[ChangeRequestDecision]] = relationship(
        order_by="ChangeRequestDecision.id", back_populates="request"
    )
    attachments: Mapped[list[ChangeRequestAttachment]] = relationship(
        order_by="ChangeRequestAttachment.id", back_populates="request"
    )

    __table_args__ = (Index("ix_change_request_tier", "tier", "unit_id"),)


class ChangeRequestDecision(Base):
    """One step's outcome: who decided, when and why (or that the step had nobody)."""

    __tablename__ = "change_request_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("change_request.id"), index=True)
    step: Mapped[int] = mapped_column()
    tier: Mapped[ReviewTier] = mapped_column(enum_column(ReviewTier))
    outcome: Mapped[ChangeStepOutcome] = mapped_column(enum_column(ChangeStepOutcome))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), default=None)
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[ChangeRequest] = relationship(back_populates="decisions")
    reviewer: Mapped[Account | None] = relationship()


class ChangeRequestAttachment(AttachedScan, Base):
    """A scan sent with the request (保密切結書, 單位切結書, a licence …)."""

    __tablename__ = "change_request_attachment"

    request_id: Mapped[int] = mapped_column(ForeignKey("change_request.id"), index=True)

    request: Mapped[ChangeRequest] = relationship(back_populates="attachments")
