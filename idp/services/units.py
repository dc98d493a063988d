"""Units (單位)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Unit
from .errors import InvalidInput

UNIT_CODE_PATTERN = re.compile(r"^[0-9A-Z]{10}$")


def find_by_code(db: Session, code: str) -> Unit | None:
    return db.scalar(select(Unit).where(Unit.code == code.strip().upper()))


def ensure_unit(db: Session, code: str, name: str) -> Unit:
    """The unit with this code, created or renamed to ``name``."""
    code = code.strip().upper()
    if not UNIT_CODE_PATTERN.fullmatch(code):
        raise InvalidInput("unit_code", "單位代碼須為 10 碼英數字")
    unit = find_by_code(db, code)
    if unit is None:
        unit = Unit(code=code, name=name)
        db.add(unit)
        db.flush()
    else:
        unit.name = name
    return unit
