"""The unit picker (seed 002, 帳號申請: type the 醫事機構代碼, or choose 縣市 → 區域 → 單位).

``picker_state`` gives a form what to show, from what was posted: the page works without
JavaScript (the 查詢單位 button, named ``pick_unit``, re-renders the form with narrowed
choices). The JSON answers here let ``unit_picker.js`` narrow the choices as the person
types. They are public: applicants have not signed in yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import Blueprint, Response, jsonify, request
from sqlalchemy.orm import Session

from ..http.unit_of_work import db
from ..models import Unit
from ..services.errors import Text, text
from ..services.units.directory import UNIT_CODE_PATTERN, find_by_code, is_open, search_units
from ..services.units.districts import counties, districts

bp = Blueprint("units", __name__, url_prefix="/units")

#: Most units listed at once; more are found by typing part of the code or name.
LIST_LIMIT = 100
QUERY_MAX_LENGTH = 50


@dataclass(frozen=True)
class UnitChoice:
    code: str
    name: str
    county: str
    district: str

    @classmethod
    def of(cls, unit: Unit) -> UnitChoice:
        return cls(unit.code, unit.name, unit.county, unit.district)

    def as_json(self) -> dict[str, str]:
        return {
            "code": self.code,
            "name": self.name,
            "county": self.county,
            "district": self.district,
        }


@dataclass(frozen=True)
class PickerState:
    """What the picker shows. ``unit_code`` is the chosen unit: one that exists, is open
    and fits the chosen county and district; empty otherwise."""

    query: str
    county: str
    district: str
    unit_code: str
    counties: list[str]
    districts: list[str]
    units: list[UnitChoice]
    more: bool = False
    problem: Text | None = None

    @property
    def status(self) -> Text | None:
        if not (self.query or self.county or self.district):
            return None
        return list_status(len(self.units), self.more)


def list_status(count: int, more: bool) -> Text:
    if more:
        return text(
            "符合的單位超過 {count} 個，只列出前 {count} 個；請輸入代碼或名稱縮小範圍",
            count=count,
        )
    if count == 0:
        return text("查無符合的單位")
    return text("找到 {count} 個單位", count=count)


def picker_state(
    db: Session, form: Mapping[str, str], field_name: str = "unit_code"
) -> PickerState:
    """The picker after the person's input: ``{field_name}_query`` (code or part of a
    name), ``{field_name}_county``, ``{field_name}_district`` and ``{field_name}`` (the
    unit chosen in the list). A complete code typed in wins over the list."""
    query = form.get(f"{field_name}_query", "").strip()[:QUERY_MAX_LENGTH]
    county = _one_of(form.get(f"{field_name}_county", ""), counties())
    district = _one_of(form.get(f"{field_name}_district", ""), districts(county))
    typed = query.upper() if UNIT_CODE_PATTERN.fullmatch(query.upper()) else ""
    chosen = find_by_code(db, typed) if typed else None
    if chosen is None:
        picked = form.get(field_name, "").strip()[:QUERY_MAX_LENGTH]
        chosen = find_by_code(db, picked) if picked else None
    problem = None
    if chosen is not None and not is_open(chosen):
        problem = text("「{unit}」已終止合約或歇業，無法選擇", unit=chosen.name)
        chosen = None
    if chosen is not None and (
        county not in ("", chosen.county) or district not in ("", chosen.district)
    ):
        chosen = None  # the person has since chosen another county or district
    if chosen is not None:
        county = county or chosen.county
        district = district or _one_of(chosen.district, districts(county))
    found = search_units(db, query, county, district, limit=LIST_LIMIT + 1)
    units = [UnitChoice.of(unit) for unit in found[:LIST_LIMIT]]
    if chosen is not None and chosen.code not in {unit.code for unit in units}:
        units.insert(0, UnitChoice.of(chosen))
    return PickerState(
        query=query,
        county=county,
        district=district,
        unit_code=chosen.code if chosen is not None else "",
        counties=counties(),
        districts=districts(county),
        units=units,
        more=len(found) > LIST_LIMIT,
        problem=problem,
    )


def _one_of(value: str, allowed: list[str]) -> str:
    value = value.strip()
    return value if value in allowed else ""


@bp.get("/districts")
def districts_json() -> Response:
    """The districts of ``county``, in the national order."""
    county = request.args.get("county", "").strip()
    return jsonify(county=county, districts=districts(county))


@bp.get("/search")
def search_json() -> Response:
    """Open units matching ``q`` (code prefix or part of the name), ``county`` and
    ``district``; at most ``LIST_LIMIT``, and ``more`` when there are others."""
    found = search_units(
        db(),
        request.args.get("q", "")[:QUERY_MAX_LENGTH],
        request.args.get("county", "").strip()[:QUERY_MAX_LENGTH],
        request.args.get("district", "").strip()[:QUERY_MAX_LENGTH],
        limit=LIST_LIMIT + 1,
    )
    return jsonify(
        units=[UnitChoice.of(unit).as_json() for unit in found[:LIST_LIMIT]],
        more=len(found) > LIST_LIMIT,
    )
