"""Applications (帳號申請): a hub account waiting for its unit admin or the authority, and the
subsystem accounts (業務子系統帳號申請) requested with it or later."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .account import Account, AccountRole
from .base import Base, utcnow
from .enums import enum_column
from .unit import Unit


class ApplicationStatus(enum.StrEnum):
    UNCONFIRMED = "unconfirmed"  # 待確認電子郵件: the applicant has not opened the link yet
    WAITING = "waiting"  # 待前一關核定: a subsystem request whose hub account is not approved yet
    PENDING = "pending"  # 待審核
    APPROVED = "approved"  # 核定
    RETURNED = "returned"  # 退回


class ReviewRoute(enum.StrEnum):
    """How a unit admin's application is verified (seed 004)."""

    UNIT_ADMIN = "unit_admin"  # a member: the unit's admin reviews
    PAPER = "paper"  # 紙本審核: the authority reviews the signed, stamped scan
    CARD = "card"  # 醫事機構卡驗證: instant


class Application(Base):
    __tablename__ = "application"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    role: Mapped[AccountRole] = mapped_column(enum_column(AccountRole))
    route: Mapped[ReviewRoute] = mapped_column(enum_column(ReviewRoute))
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus), default=ApplicationStatus.PENDING
    )
    #: The same person (身分證 keyed hash) may have one pending application per unit.
    national_id_hash: Mapped[str] = mapped_column(String(64))
    consent_version: Mapped[str] = mapped_column(String(20))
    consent_accepted_at: Mapped[datetime] = mapped_column()
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), default=None)
    reason: Mapped[str] = mapped_column(Text, default="")
    #: The signed, stamped paper form (紙本審核), checked by content before it is kept.
    scan: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
    scan_media_type: Mapped[str] = mapped_column(String(40), default="")
    scan_sha256: Mapped[str] = mapped_column(String(64), default="")
    scan_uploaded_at: Mapped[datetime | None] = mapped_column(default=None)

    account: Mapped[Account] = relationship(foreign_keys=[account_id])
    unit: Mapped[Unit] = relationship()
    decided_by: Mapped[Account | None] = relationship(foreign_keys=[decided_by_id])
    subsystem_requests: Mapped[list[SubsystemRequest]] = relationship(
        back_populates="application", order_by="SubsystemRequest.id"
    )

    __table_args__ = (Index("ix_application_person", "national_id_hash", "unit_id", "status"),)

    @property
    def reference(self) -> str:
        """The number printed on the paper form and quoted to the applicant."""
        return f"A{self.submitted_at:%Y%m%d}{self.id:06d}"


class SubsystemRequest(Base):
    """A requested subsystem account: subsystem, unit, role, duty and menu roles."""

    __tablename__ = "subsystem_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"), default=None)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    #: The subsystem's short name, which is also its client id (``mch``, ``cancer`` …).
    subsystem: Mapped[str] = mapped_column(String(40))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    role: Mapped[AccountRole] = mapped_column(enum_column(AccountRole))
    duty: Mapped[str] = mapped_column(String(40))
    menu_roles: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[ApplicationStatus] = mapped_column(enum_column(ApplicationStatus))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), default=None)
    reason: Mapped[str] = mapped_column(Text, default="")
    subsystem_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("subsystem_account.id"), default=None
    )

    application: Mapped[Application | None] = relationship(back_populates="subsystem_requests")
    account: Mapped[Account] = relationship(foreign_keys=[account_id])
    unit: Mapped[Unit] = relationship()
    decided_by: Mapped[Account | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (Index("ix_subsystem_request_review", "subsystem", "status", "unit_id"),)
