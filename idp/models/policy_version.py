"""Versions of the security policy; the newest is in force."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class PolicyVersion(Base):
    __tablename__ = "policy_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    document: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    created_by_account_id: Mapped[int | None] = mapped_column(default=None)
    reason: Mapped[str] = mapped_column(String(500))
