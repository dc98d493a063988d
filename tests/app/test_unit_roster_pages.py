"""授權使用人員一覽表 through the pages: a unit admin downloads their unit's list from
人員帳號管理 as PDF and xlsx, the authority any unit's; another unit's admin finds no
such unit, a member is refused; each download is in the audit log."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from flask import Flask
from openpyxl import load_workbook

from idp.http.i18n import COOKIE
from idp.hub import Hub
from idp.models import AuditEvent, utcnow
from idp.models.base import TAIPEI
from idp.services.units.directory import find_by_code

from ..support.pdf import extracted_text
from ..support.portal import BUREAU, HOSPITAL, ROLES, Visitor, make_people, visitor
from ..support.roster import MEMBER_ID, add_unit_people

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def people(app: Flask, hub: Hub) -> dict[str, Visitor]:
    make_people(hub)
    add_unit_people(hub, HOSPITAL, BUREAU)
    return {role: visitor(app, hub, username) for role, username in ROLES.items()}


def unit_id(hub: Hub, code: str) -> int:
    with hub.database.unit_of_work() as db:
        unit = find_by_code(db, code)
        assert unit is not None
        return unit.id


def downloads(hub: Hub, username: str) -> list[tuple[str, object]]:
    with hub.database.unit_of_work() as db:
        return [
            (event.target, event.details.get("format"))
            for event in db.query(AuditEvent)
            .filter_by(action="report.unit_roster", actor=username)
            .order_by(AuditEvent.id)
        ]


def test_a_unit_admin_downloads_their_units_list(hub: Hub, people: dict[str, Visitor]) -> None:
    admin = people["unit_admin"].client
    hospital = unit_id(hub, HOSPITAL)
    page = admin.get("/unit/accounts").get_data(as_text=True)
    pdf_link = f"/unit/units/{hospital}/roster.pdf"
    xlsx_link = f"/unit/units/{hospital}/roster.xlsx"
    assert f'href="{pdf_link}"' in page and f'href="{xlsx_link}"' in page

    day = utcnow().astimezone(TAIPEI).strftime("%Y%m%d")
    pdf = admin.get(pdf_link)
    assert pdf.status_code == 200
    assert pdf.mimetype == PDF
    assert pdf.headers["Content-Disposition"].startswith(
        f'attachment; filename="roster-{HOSPITAL}-{day}.pdf"'
    )
    assert pdf.headers["Cache-Control"] == "no-store"
    content = extracted_text(pdf.get_data())
    assert "王小明" in content and "wangxm01" in content and "hospadmin" in content
    assert "婦幼" in content and "產檢院所" in content
    assert "離職者" not in content and "他院人員" not in content
    assert MEMBER_ID not in content

    xlsx = admin.get(xlsx_link)
    assert xlsx.status_code == 200
    assert xlsx.mimetype == XLSX
    assert f'filename="roster-{HOSPITAL}-{day}.xlsx"' in xlsx.headers["Content-Disposition"]
    rows = list(load_workbook(BytesIO(xlsx.get_data())).active.iter_rows(values_only=True))
    assert [row[5] for row in rows[1:]] == ["hospadmin", "member01", "wangxm01"]

    assert downloads(hub, ROLES["unit_admin"]) == [(HOSPITAL, "pdf"), (HOSPITAL, "xlsx")]


def test_another_units_admin_finds_no_such_unit(hub: Hub, people: dict[str, Visitor]) -> None:
    bureau_admin = people["bureau_admin"].client
    hospital, bureau = unit_id(hub, HOSPITAL), unit_id(hub, BUREAU)

    for kind in ("pdf", "xlsx"):
        assert bureau_admin.get(f"/unit/units/{hospital}/roster.{kind}").status_code == 404
    own = bureau_admin.get(f"/unit/units/{bureau}/roster.pdf")
    assert own.status_code == 200
    assert "他院人員" in extracted_text(own.get_data())
    assert "王小明" not in extracted_text(own.get_data())
    assert downloads(hub, ROLES["bureau_admin"]) == [(BUREAU, "pdf")]


@pytest.mark.parametrize("role", ["member", "security_admin"])
def test_a_member_is_refused(hub: Hub, people: dict[str, Visitor], role: str) -> None:
    hospital = unit_id(hub, HOSPITAL)
    person = people[role].client

    for kind in ("pdf", "xlsx"):
        assert person.get(f"/unit/units/{hospital}/roster.{kind}").status_code == 403
    assert downloads(hub, ROLES[role]) == []


def test_the_authority_downloads_any_units_list(hub: Hub, people: dict[str, Visitor]) -> None:
    authority = people["authority"].client
    hospital = unit_id(hub, HOSPITAL)

    unsearched = authority.get("/unit/accounts").get_data(as_text=True)
    assert "以單位代碼查詢後" in unsearched and "roster.pdf" not in unsearched
    searched = authority.get(f"/unit/accounts?unit_code={HOSPITAL}").get_data(as_text=True)
    assert f'href="/unit/units/{hospital}/roster.pdf"' in searched
    response = authority.get(f"/unit/units/{hospital}/roster.pdf")
    assert response.status_code == 200
    assert "王小明" in extracted_text(response.get_data())
    assert authority.get("/unit/units/999999/roster.xlsx").status_code == 404
    assert downloads(hub, ROLES["authority"]) == [(HOSPITAL, "pdf")]


def test_the_list_in_english_pages_is_still_the_forms_own(
    hub: Hub, people: dict[str, Visitor]
) -> None:
    """The page's links follow the language; the list is the seed's form, in zh-TW."""
    admin = people["unit_admin"].client
    admin.set_cookie(COOKIE, "en")
    page = admin.get("/unit/accounts").get_data(as_text=True)
    assert "Download the list of authorised users (PDF)" in page
    link = re.search(r'href="(/unit/units/\d+/roster\.pdf)"', page)
    assert link is not None
    content = extracted_text(admin.get(link.group(1)).get_data())
    assert "本單位授權使用人員一覽表" in content and "姓名" in content
