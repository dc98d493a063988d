"""Role changes (帳號/權限異動, A–D) and privilege requests (系統權限申請), which the
authority (國健署) approves.

A. 管理者新申請 is the application of a unit admin (``Application``); this table holds the
others: B. 管理者註銷, C. 一般使用者轉為管理者, D. 管理者轉為一般使用者, and the two
privilege requests 管理員超額申請 and 增加業務選單. A change names either the hub account's
own role (no subsystem account) or one subsystem account's.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .account import Account
from .application import ApplicationStatus
from .attachment import AttachedScan
from .base import Base, utcnow
from .enums import ReviewTier, enum_column
from .subsystem_account import SubsystemAccount
from .unit import Unit


class RoleChangeKind(enum.StrEnum):
    CANCEL_ADMIN = "cancel_admin"  # B. 管理者註銷: the admin account is disabled
    PROMOTE = "promote"  # C. 已有帳號需申請管理者權限
    DEMOTE = "demote"  # D. 管理者權限異動為使用者
    OVER_QUOTA = "over_quota"  # 管理員超額申請: a member becomes admin beyond the quota
    EXTRA_MENU = "extra_menu"  # 增加業務選單: more menu roles for a subsystem account


class RoleChange(Base):
    __tablename__ = "role_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RoleChangeKind] = mapped_column(enum_column(RoleChangeKind))
    #: Whose role changes.
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    #: The subsystem account whose role or menu changes; none for the hub account's role.
    subsystem_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("subsystem_account.id"), default=None
    )
    #: 增加業務選單: the menu roles to add.
    menu_roles: Mapped[list[str]] = mapped_column(default=list)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    #: Who decides it, fixed when it is submitted (a later table does not move it).
    tier: Mapped[ReviewTier] = mapped_column(enum_column(ReviewTier), default=ReviewTier.AUTHORITY)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus), default=ApplicationStatus.PENDING
    )
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), default=None)
    decision_reason: Mapped[str] = mapped_column(Text, default="")

    account: Mapped[Account] = relationship(foreign_keys=[account_id])
    unit: Mapped[Unit] = relationship()
    subsystem_account: Mapped[SubsystemAccount | None] = relationship()
    requested_by: Mapped[Account] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[Account | None] = relationship(foreign_keys=[decided_by_id])
    #: 單位切結書 with its 授權使用人員一覽表, licences: what seed 001 asks to be sent along.
    attachments: Mapped[list[RoleChangeAttachment]] = relationship(
        order_by="RoleChangeAttachment.id", back_populates="change"
    )

    __table_args__ = (Index("ix_role_change_review", "status", "unit_id"),)


class RoleChangeAttachment(AttachedScan, Base):
    __tablename__ = "role_change_attachment"

    change_id: Mapped[int] = mapped_column(ForeignKey("role_change.id"), index=True)

    change: Mapped[RoleChange] = relationship(back_populates="attachments")
