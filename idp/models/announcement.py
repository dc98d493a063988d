"""Announcements (公告事項): notices with a publish window, audience, order and files."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .account import Account
from .base import Base, utcnow
from .unit import Unit


class Announcement(Base):
    __tablename__ = "announcement"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    #: Rich text, sanitised when saved (``services.portal.rich_text``).
    body: Mapped[str] = mapped_column(Text, default="")
    #: 分類: a code of ``services.portal.announcements.CATEGORIES``.
    category: Mapped[str] = mapped_column(String(20))
    #: 系統: a subsystem's code, or "" for the hub (單一入口系統).
    subsystem: Mapped[str] = mapped_column(String(40), default="")
    #: Account roles it is meant for, as ``,unit_admin,member,``; empty: everyone. Kept as
    #: text so that "meant for this person" is a plain ``LIKE`` on every database.
    audience_roles: Mapped[str] = mapped_column(String(40), default="")
    #: Duties it is meant for, as ``,mch:medical_institution,cancer:hospital,``; empty:
    #: every duty.
    audience_duties: Mapped[str] = mapped_column(Text, default="")
    #: Shown before sign-in too: the authority's, for everyone (no audience).
    public: Mapped[bool] = mapped_column(default=False)
    #: The publishing unit when not the authority's: shown to that unit and, for a
    #: 衛生局, the units it oversees. None: everyone (and, with no audience, the public).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), default=None, index=True)
    starts_at: Mapped[datetime] = mapped_column()
    #: None: until taken down.
    ends_at: Mapped[datetime | None] = mapped_column(default=None)
    #: 排序: smaller first, after the pinned ones.
    sort_order: Mapped[int] = mapped_column(default=100)
    pinned: Mapped[bool] = mapped_column(default=False)
    published: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[Account] = relationship()
    unit: Mapped[Unit | None] = relationship()
    attachments: Mapped[list[AnnouncementAttachment]] = relationship(
        back_populates="announcement",
        order_by="AnnouncementAttachment.id",
        cascade="all, delete-orphan",
    )

    __table_args__ = (Index("ix_announcement_listing", "published", "starts_at"),)


class AnnouncementAttachment(Base):
    __tablename__ = "announcement_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcement.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    announcement: Mapped[Announcement] = relationship(back_populates="attachments")
