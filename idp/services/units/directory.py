"""Units (單位): finding them, describing them, and who administers them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ...models import Account, Unit, UnitKind, utcnow
from .. import permissions
from ..errors import InvalidInput

UNIT_CODE_PATTERN = re.compile(r"^[0-9A-Z]{10}$")

KIND_LABELS = {
    UnitKind.HOSPITAL: "醫院",
    UnitKind.CLINIC: "診所",
    UnitKind.HEALTH_STATION: "衛生所",
    UnitKind.HEALTH_BUREAU: "衛生局",
    UnitKind.AUTHORITY: "國民健康署",
    UnitKind.VENDOR: "廠商",
}


def kind_label(kind: UnitKind) -> str:
    return KIND_LABELS[kind]


def find_by_code(db: Session, code: str) -> Unit | None:
    return db.scalar(select(Unit).where(Unit.code == code.strip().upper()))


def ensure_unit(db: Session, code: str, name: str | None) -> Unit:
    """The unit with this code, created or renamed to ``name``; without a name an existing
    unit keeps its own and a new one is named by its code."""
    code = code.strip().upper()
    if not UNIT_CODE_PATTERN.fullmatch(code):
        raise InvalidInput("unit_code", "單位代碼須為 10 碼英數字")
    unit = find_by_code(db, code)
    if unit is None:
        unit = Unit(code=code, name=name or code)
        db.add(unit)
        db.flush()
    elif name is not None:
        unit.name = name
    return unit


def is_open(unit: Unit, today: date | None = None) -> bool:
    """A unit is open until its 終止合約或歇業日期."""
    return unit.closed_on is None or unit.closed_on > (today or utcnow().date())


@dataclass(frozen=True)
class UnitSummary:
    code: str
    name: str
    kind: UnitKind
    county: str
    district: str
    phone: str
    address: str
    closed_on: date | None
    bureau_code: str
    bureau_name: str
    admins: list[Account]

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


def unit_summary(db: Session, unit: Unit) -> UnitSummary:
    bureau = db.get(Unit, unit.bureau_id) if unit.bureau_id is not None else None
    return UnitSummary(
        code=unit.code,
        name=unit.name,
        kind=unit.kind,
        county=unit.county,
        district=unit.district,
        phone=unit.phone,
        address=unit.address,
        closed_on=unit.closed_on,
        bureau_code=bureau.code if bureau else "",
        bureau_name=bureau.name if bureau else "",
        admins=permissions.unit_admins(db, unit.id),
    )


def search_units(
    db: Session,
    query: str,
    county: str = "",
    district: str = "",
    limit: int = 20,
    *,
    today: date | None = None,
) -> list[Unit]:
    """Open units whose code starts with ``query`` or whose name contains it, in the
    county and district when given, ordered by code; none when nothing narrows the
    search."""
    query = query.strip()
    if not (query or county or district):
        return []
    conditions = [or_(Unit.closed_on.is_(None), Unit.closed_on > (today or utcnow().date()))]
    if query:
        conditions.append(
            or_(
                Unit.code.startswith(query.upper(), autoescape=True),
                Unit.name.contains(query, autoescape=True),
            )
        )
    if county:
        conditions.append(Unit.county == county)
    if district:
        conditions.append(Unit.district == district)
    return list(db.scalars(select(Unit).where(*conditions).order_by(Unit.code).limit(limit)))
