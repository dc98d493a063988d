"""下載專區: public files (forms, manuals) by subsystem and category; replacing a file adds a
version and keeps the earlier ones."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .account import Account
from .base import Base, utcnow


class DownloadFile(Base):
    __tablename__ = "download_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 所屬系統: a subsystem's code, or "" for the hub.
    subsystem: Mapped[str] = mapped_column(String(40), default="", index=True)
    #: 所屬分類: a code of ``services.portal.downloads.CATEGORIES``.
    category: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Taken down: no longer listed or served.
    removed_at: Mapped[datetime | None] = mapped_column(default=None)

    versions: Mapped[list[DownloadVersion]] = relationship(
        back_populates="file", order_by="DownloadVersion.id.desc()"
    )


class DownloadVersion(Base):
    __tablename__ = "download_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("download_file.id"), index=True)
    #: 版本, as the publisher names it (``v2``, ``2024-03``).
    version: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("account.id"))

    file: Mapped[DownloadFile] = relationship(back_populates="versions")
    uploaded_by: Mapped[Account] = relationship()
