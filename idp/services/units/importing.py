"""Units (單位) loaded from the national open data of contracted medical institutions
(健保特約醫事機構): a UTF-8 CSV file with a fixed header.

Loading again updates units by their code and never duplicates them. A bad row is
reported with its line number and the others still load; a file whose header is wrong
loads nothing. Each unit is linked to the 衛生局 of its county once that is known.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Unit, UnitKind, utcnow
from ..errors import DomainError, Text, text
from ..import_report import ImportReport, RejectedRow
from .directory import UNIT_CODE_PATTERN, is_open
from .districts import place_of

HEADER = (
    "醫事機構代碼",
    "醫事機構名稱",
    "醫事機構種類",
    "電話",
    "地址",
    "分區業務組",
    "特約類別",
    "服務項目",
    "診療科別",
    "終止合約或歇業日期",
    "固定看診時段",
    "備註",
)
CODE, NAME, KIND, PHONE, ADDRESS, CONTRACT, CLOSED_ON = 0, 1, 2, 3, 4, 6, 9
#: Longest value kept, by column (the lengths of the unit's columns).
LIMITS = {NAME: 200, PHONE: 40, ADDRESS: 300}

#: Words of 醫事機構種類 (or else 特約類別) that decide the kind; anything else is a clinic.
KIND_WORDS = (
    ("衛生局", UnitKind.HEALTH_BUREAU),
    ("衛生所", UnitKind.HEALTH_STATION),
    ("國民健康署", UnitKind.AUTHORITY),
    ("醫學中心", UnitKind.HOSPITAL),
    ("醫院", UnitKind.HOSPITAL),
)
NOT_OVERSEEN = (UnitKind.HEALTH_BUREAU, UnitKind.AUTHORITY)

WESTERN_DATE = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})|(\d{4})(\d{2})(\d{2})")
ROC_DATE = re.compile(r"(\d{2,3})/(\d{1,2})/(\d{1,2})|(\d{2,3})(\d{2})(\d{2})")
ROC_YEAR_ONE = 1911

DEMO_UNITS = Path(__file__).resolve().parents[2] / "data" / "demo_units.csv"

Source = str | os.PathLike[str] | Iterable[str]


class UnitFileRefused(DomainError):
    """The file as a whole cannot be loaded; nothing was."""


@dataclass(frozen=True)
class UnitRow:
    """One valid row, as the unit's values."""

    code: str
    name: str
    kind: UnitKind
    county: str
    district: str
    phone: str
    address: str
    closed_on: date | None

    def values(self) -> dict[str, object]:
        return {
            "name": self.name,
            "kind": self.kind,
            "county": self.county,
            "district": self.district,
            "phone": self.phone,
            "address": self.address,
            "closed_on": self.closed_on,
        }


def load_demo_units(db: Session) -> ImportReport:
    """The demo's units: ``idp/data/demo_units.csv``."""
    return import_units(db, DEMO_UNITS)


def import_units(db: Session, source: Source) -> ImportReport:
    """Load the rows of a file (a path) or of its lines, and report what happened."""
    report = ImportReport()
    rows = _valid_rows(_records(_lines(source)), report)
    _store(db, rows, report)
    return report


def _lines(source: Source) -> Iterable[str]:
    if not isinstance(source, (str, os.PathLike)):
        return source
    try:
        content = Path(source).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnitFileRefused("檔案須為 UTF-8 編碼") from exc
    except OSError as exc:
        raise UnitFileRefused("無法讀取檔案：{reason}", reason=exc.strerror or str(exc)) from exc
    return io.StringIO(content, newline="")


def _records(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, its fields); a quoted field may span lines."""
    reader = csv.reader(lines)
    start = 1
    try:
        for fields in reader:
            yield start, fields
            start = reader.line_num + 1
    except csv.Error as exc:
        raise UnitFileRefused(
            "第 {line} 行的 CSV 格式有誤：{reason}", line=start, reason=str(exc)
        ) from exc


def _valid_rows(records: Iterator[tuple[int, list[str]]], report: ImportReport) -> list[UnitRow]:
    header = next(records, (1, []))[1]
    if [name.strip().removeprefix("\ufeff") for name in header] != list(HEADER):
        raise UnitFileRefused("檔案第一行須為標題列：{header}", header=",".join(HEADER))
    rows: list[UnitRow] = []
    first_line: dict[str, int] = {}
    for line, fields in records:
        if not any(value.strip() for value in fields):
            continue
        parsed = parse_row(fields)
        if isinstance(parsed, UnitRow) and parsed.code in first_line:
            parsed = text("與第 {line} 行的醫事機構代碼重複", line=first_line[parsed.code])
        if isinstance(parsed, Text):
            report.rejected.append(RejectedRow(line, parsed))
            continue
        first_line[parsed.code] = line
        rows.append(parsed)
    return rows


def parse_row(fields: Sequence[str]) -> UnitRow | Text:
    """The row's unit values, or why the row is refused."""
    if len(fields) != len(HEADER):
        return text(
            "此行有 {count} 欄，應為 {expected} 欄", count=len(fields), expected=len(HEADER)
        )
    values = [value.strip() for value in fields]
    code = values[CODE].upper()
    if not UNIT_CODE_PATTERN.fullmatch(code):
        return text("醫事機構代碼「{code}」須為 10 碼英數字", code=values[CODE])
    if not values[NAME]:
        return text("醫事機構名稱必填")
    for column, limit in LIMITS.items():
        if len(values[column]) > limit:
            return text("{column}過長（最多 {limit} 字）", column=HEADER[column], limit=limit)
    try:
        closed_on = parse_date(values[CLOSED_ON])
    except ValueError:
        return text(
            "終止合約或歇業日期「{value}」無法辨識，"
            "請寫民國年月日（如 1120630）或西元日期（如 2023-06-30）",
            value=values[CLOSED_ON],
        )
    county, district = place_of(values[ADDRESS])
    return UnitRow(
        code=code,
        name=values[NAME],
        kind=kind_of(values[KIND], values[CONTRACT]),
        county=county,
        district=district,
        phone=values[PHONE],
        address=values[ADDRESS],
        closed_on=closed_on,
    )


def kind_of(described: str, contract: str) -> UnitKind:
    """The kind named by 醫事機構種類, or else by 特約類別; a clinic otherwise."""
    for words in (described, contract):
        for word, kind in KIND_WORDS:
            if word in words:
                return kind
    return UnitKind.CLINIC


def parse_date(value: str) -> date | None:
    """A date as the open data writes it: ROC calendar (1120630, 112/06/30) or western
    (2023-06-30, 20230630); None when empty."""
    if not value:
        return None
    value = value.replace("-", "/")
    for pattern, offset in ((WESTERN_DATE, 0), (ROC_DATE, ROC_YEAR_ONE)):
        found = pattern.fullmatch(value)
        if found:
            year, month, day = (int(part) for part in found.groups() if part is not None)
            return date(year + offset, month, day)
    raise ValueError(value)


def _store(db: Session, rows: list[UnitRow], report: ImportReport) -> None:
    """Create or update the units, with one query for the existing ones."""
    units = {unit.code: unit for unit in db.scalars(select(Unit))}
    now = utcnow()
    outcome: dict[str, str] = {}
    for row in rows:
        unit = units.get(row.code)
        if unit is None:
            unit = Unit(code=row.code, **row.values())
            db.add(unit)
            units[row.code] = unit
            outcome[row.code] = "created"
        elif _apply(unit, row.values()):
            unit.updated_at = now
            outcome[row.code] = "updated"
        else:
            outcome[row.code] = "unchanged"
    db.flush()
    for code in _link_bureaus(list(units.values()), now):
        if outcome.get(code) == "unchanged":
            outcome[code] = "updated"
    counts = Counter(outcome.values())
    report.created, report.updated = counts["created"], counts["updated"]
    report.unchanged = counts["unchanged"]


def _apply(unit: Unit, values: dict[str, object]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(unit, name) != value:
            setattr(unit, name, value)
            changed = True
    return changed


def _link_bureaus(units: list[Unit], now: datetime) -> set[str]:
    """Point every unit of a county at the county's 衛生局 (the open one with the lowest
    code); the codes of the units whose bureau changed."""
    bureaus: dict[str, int] = {}
    for unit in sorted(units, key=lambda u: u.code):
        if unit.kind is UnitKind.HEALTH_BUREAU and unit.county and is_open(unit):
            bureaus.setdefault(unit.county, unit.id)
    changed = set()
    for unit in units:
        if not unit.county:
            continue
        wanted = None if unit.kind in NOT_OVERSEEN else bureaus.get(unit.county)
        if unit.bureau_id != wanted:
            unit.bureau_id = wanted
            unit.updated_at = now
            changed.add(unit.code)
    return changed
