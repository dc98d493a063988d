"""Accounts (帳號): one person's portal login, the principal of every hub session."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, trigram_index, utcnow
from .enums import enum_column
from .unit import Unit


class AccountStatus(enum.StrEnum):
    PENDING = "pending"  # 待審核
    ACTIVE = "active"  # 啟用
    RETURNED = "returned"  # 退回
    DISABLED = "disabled"  # 停用
    DORMANT = "dormant"  # 待復權


class AccountRole(enum.StrEnum):
    UNIT_ADMIN = "unit_admin"  # 單位業務管理者
    MEMBER = "member"  # 一般使用者


def _new_subject() -> str:
    return uuid.uuid4().hex


class Account(Base):
    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The OpenID Connect ``sub``: random, never reassigned, never the account name.
    subject: Mapped[str] = mapped_column(String(32), unique=True, default=_new_subject)
    #: Account name, stored lower-case; sign-in is case-insensitive.
    username: Mapped[str] = mapped_column(String(20), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when someone else chose the password, or a policy change expired it: the next
    #: sign-in must change it before anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    name: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(String(100), default="")  # 職稱
    #: 所屬部門: the department within the unit (seeds 000 and 001).
    department: Mapped[str] = mapped_column(String(100), default="", server_default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    email_backup: Mapped[str] = mapped_column(String(254), default="")
    #: When ``email`` / ``email_backup`` was confirmed by a link mailed to it; None while
    #: unconfirmed. Only a confirmed address receives a reset link (and ``email_verified``).
    email_confirmed_at: Mapped[datetime | None] = mapped_column(default=None)
    email_backup_confirmed_at: Mapped[datetime | None] = mapped_column(default=None)
    #: 市話, e.g. ``02-12345678#123``.
    phone: Mapped[str] = mapped_column(String(40), default="")
    phone_backup: Mapped[str] = mapped_column(String(40), default="")
    #: 手機, e.g. ``0912-345678``.
    mobile: Mapped[str] = mapped_column(String(20), default="")
    #: 機構電話: the unit's number as the person gave it.
    unit_phone: Mapped[str] = mapped_column(String(40), default="")
    #: 身分證, encrypted (``national_id.NationalIdBox``); found by its keyed hash.
    national_id_sealed: Mapped[str] = mapped_column(String(200), default="")
    national_id_hash: Mapped[str] = mapped_column(String(64), default="", index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    role: Mapped[AccountRole] = mapped_column(
        enum_column(AccountRole),
        default=AccountRole.MEMBER,
    )
    status: Mapped[AccountStatus] = mapped_column(
        enum_column(AccountStatus),
        default=AccountStatus.PENDING,
    )
    #: Sets security policy, manages subsystems and keys, reads the audit log.
    is_security_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Last change of the person's own data (the ``updated_at`` claim), not of sign-ins.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_signin_at: Mapped[datetime | None] = mapped_column(default=None)
    #: Dormancy (待復權) counts from here: creation, the last sign-in or the last restore.
    idle_since: Mapped[datetime] = mapped_column(default=utcnow)
    #: 停用日期: a leaving member's account is disabled when this day begins (Taipei time).
    disable_on: Mapped[date | None] = mapped_column(default=None)
    #: From this time the person must hold a second factor the policy counts for their
    #: role (the end of the enrolment grace period, or at once after a reset).
    second_factor_due_at: Mapped[datetime | None] = mapped_column(default=None)

    unit: Mapped[Unit | None] = relationship()

    __table_args__ = (
        # A unit's accounts, in the lists' default order.
        Index("ix_account_unit_username", "unit_id", "username"),
        # 管理首頁's figures: counted from the index alone.
        Index("ix_account_role_status", "role", "status"),
        # The sweep's two conditions: few rows match either, so it reads only those.
        Index(
            "ix_account_idle",
            "idle_since",
            postgresql_where=text("status = 'active' AND NOT is_security_admin"),
            sqlite_where=text("status = 'active' AND NOT is_security_admin"),
        ),
        Index(
            "ix_account_disable_on",
            "disable_on",
            postgresql_where=text("disable_on IS NOT NULL"),
            sqlite_where=text("disable_on IS NOT NULL"),
        ),
        trigram_index("ix_account_name_trgm", "name"),
        trigram_index("ix_account_username_trgm", "username"),
    )

    # What Flask-Login reads of a signed-in principal; the model imports nothing of the web.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.status is AccountStatus.ACTIVE

    def get_id(self) -> str:
        return str(self.id)
