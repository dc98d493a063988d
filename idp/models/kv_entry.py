"""Rows of the SQL short-lived store (used when no Redis is configured)."""

from __future__ import annotations

from sqlalchemy import Float, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class KvEntry(Base):
    __tablename__ = "kv_entry"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    counter: Mapped[int] = mapped_column(default=0)
    #: Unix time after which the row is as good as absent.
    expires_at: Mapped[float] = mapped_column(Float, index=True)
