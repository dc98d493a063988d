"""Subsystem accounts (業務子系統帳號) and their bindings (綁定) to hub accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship()
    binding: Mapped[Binding | None] = relationship(back_populates="subsystem_account")

    __table_args__ = (UniqueConstraint("subsystem", "username"),)


class Binding(Base):
    __tablename__ = "binding"

    id: Mapped[int] = mapped_column(primary_key=True)
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
