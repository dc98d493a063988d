"""Units (單位): the medical institutions, health bureaus and the authority accounts belong to."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, trigram_index, utcnow
from .enums import enum_column


class UnitKind(enum.StrEnum):
    HOSPITAL = "hospital"  # 醫院
    CLINIC = "clinic"  # 診所 (and other contracted institutions: 藥局, 檢驗所 …)
    HEALTH_STATION = "health_station"  # 衛生所
    HEALTH_BUREAU = "health_bureau"  # 衛生局
    AUTHORITY = "authority"  # 國健署
    VENDOR = "vendor"  # 廠商


class Unit(Base):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 醫事機構代碼: ten characters, digits and capital letters.
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[UnitKind] = mapped_column(
        enum_column(UnitKind),
        default=UnitKind.CLINIC,
    )
    #: 縣市 and 區域, as named in ``idp/data/districts.yaml``; empty when unknown.
    county: Mapped[str] = mapped_column(String(10), default="", index=True)
    district: Mapped[str] = mapped_column(String(10), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    #: The 衛生局 that oversees this unit (none for bureaus themselves and the authority).
    bureau_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), default=None)
    #: 終止合約或歇業日期: a closed unit takes no new applications.
    closed_on: Mapped[date | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    bureau: Mapped[Unit | None] = relationship(remote_side=[id])

    __table_args__ = (trigram_index("ix_unit_name_trgm", "name"),)
