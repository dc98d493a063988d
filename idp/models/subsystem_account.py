"""Subsystem accounts (業務子系統帳號), their bindings (綁定) to hub accounts, and sign-ins
into subsystems as one of them (子系統登入紀錄)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .account import Account, AccountRole, AccountStatus
from .base import Base, utcnow
from .enums import enum_column
from .unit import Unit


class SubsystemAccount(Base):
    __tablename__ = "subsystem_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    subsystem: Mapped[str] = mapped_column(String(40))
    #: The account name inside the subsystem.
    username: Mapped[str] = mapped_column(String(60))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    role: Mapped[AccountRole] = mapped_column(enum_column(AccountRole))
    duty: Mapped[str] = mapped_column(String(40))
    menu_roles: Mapped[list[str]] = mapped_column(default=list)
    status: Mapped[AccountStatus] = mapped_column(
        enum_column(AccountStatus), default=AccountStatus.ACTIVE
    )
    #: The legacy subsystem's password hash, kept to prove ownership at binding; empty
    #: for accounts the hub created. Never shown.
    legacy_password_hash: Mapped[str] = mapped_column(String(255), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship()
    binding: Mapped[Binding | None] = relationship(back_populates="subsystem_account")

    __table_args__ = (UniqueConstraint("subsystem", "username"),)


#: Public ids of bindings start with this, so a ``login_hint`` naming a binding is told
#: apart from one naming a hub account.
BINDING_ID_PREFIX = "bnd_"


def new_binding_public_id() -> str:
    return BINDING_ID_PREFIX + secrets.token_urlsafe(16)


class Binding(Base):
    __tablename__ = "binding"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Opaque random id that names the binding outside the hub (``login_hint``, links).
    public_id: Mapped[str] = mapped_column(String(40), unique=True, default=new_binding_public_id)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    #: One subsystem account is bound to one hub account at most.
    subsystem_account_id: Mapped[int] = mapped_column(
        ForeignKey("subsystem_account.id"), unique=True
    )
    #: 綁定名稱: at most 10 characters.
    label: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[Account] = relationship()
    subsystem_account: Mapped[SubsystemAccount] = relationship(back_populates="binding")


class SubsystemSignin(Base):
    """One sign-in into a subsystem as a bound subsystem account (子系統登入紀錄)."""

    __tablename__ = "subsystem_signin"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    subsystem_account_id: Mapped[int] = mapped_column(
        ForeignKey("subsystem_account.id"), index=True
    )
    #: The subsystem (its client id).
    client_id: Mapped[str] = mapped_column(String(64))
    #: The binding's label at the time, as the person knew it.
    label: Mapped[str] = mapped_column(String(10))
    ip: Mapped[str] = mapped_column(String(45), default="")
    signed_in_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[Account] = relationship()
    subsystem_account: Mapped[SubsystemAccount] = relationship()

    __table_args__ = (
        Index("ix_subsystem_signin_client_time", "client_id", "signed_in_at"),
        # One person's sign-ins newest first, and everyone's within dates (子系統登入查詢).
        Index("ix_subsystem_signin_account_time", "account_id", "signed_in_at"),
        Index("ix_subsystem_signin_signed_in_at", "signed_in_at"),
    )
