"""A unit's 授權使用人員一覽表, made from the hub's data: who is listed, in words, as a PDF
to sign and as an xlsx workbook; never a full 身分證, never another unit's people."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from idp.hub import Hub
from idp.models import AuditEvent, UnitKind
from idp.services.accounts.directory import find_by_username
from idp.services.errors import NotFound
from idp.services.reports.roster import (
    HEADINGS,
    SIGNATURES,
    Roster,
    RosterEntry,
    render_roster_pdf,
    render_roster_xlsx,
    unit_roster,
)
from idp.services.units.directory import find_by_code

from ..support.applications import AUTHORITY, HOSPITAL, OTHER_HOSPITAL, add_admin, add_unit
from ..support.pdf import extracted_text
from ..support.roster import MEMBER_ID, add_unit_people

LISTED = ("王小明", "wangxm01", "個案管理師", "家庭醫學科", "管理者hospadmin", "hospadmin")
#: The listed member's subsystem accounts in words: 婦幼 and 癌整, duty, role, menu role.
HELD_IN_WORDS = ("婦幼", "H0001", "產檢院所", "癌整", "C0001", "大腸癌—採檢機構", "醫事機構")
NOT_LISTED = ("離職者", "leftuser01", "D0001", "他院人員", "otheruser1", "X0009")
RAW_CODES = ("mch", "cancer", "medical_institution", "prenatal_care", "colorectal", "member")


@pytest.fixture
def people(hub: Hub) -> Hub:
    add_unit(hub, HOSPITAL, "示範綜合醫院")
    add_unit(hub, OTHER_HOSPITAL, "他院醫院")
    add_unit(hub, AUTHORITY, "國民健康署", UnitKind.AUTHORITY)
    add_admin(hub, "hospadmin", HOSPITAL)
    add_admin(hub, "otheradmin", OTHER_HOSPITAL)
    add_admin(hub, "hpaadmin1", AUTHORITY)
    add_unit_people(hub, HOSPITAL, OTHER_HOSPITAL)
    return hub


def roster_for(hub: Hub, viewer: str, unit_code: str = HOSPITAL) -> Roster:
    with hub.database.unit_of_work() as db:
        me = find_by_username(db, viewer)
        unit = find_by_code(db, unit_code)
        assert me is not None and unit is not None
        return unit_roster(db, hub.catalogues, hub.national_ids, me, unit.id, ip="10.0.0.1")


def test_the_list_holds_the_units_active_people_admins_first(people: Hub) -> None:
    roster = roster_for(people, "hospadmin")

    assert [e.account_name for e in roster.entries] == ["hospadmin", "wangxm01"]
    assert [e.number for e in roster.entries] == [1, 2]
    assert [e.role for e in roster.entries] == ["單位業務管理者", "一般使用者"]
    member = roster.entries[1]
    assert member.masked_national_id == "F******702"
    assert [str(held) for held in member.subsystems] == [
        "癌整（C0001）：醫事機構／一般使用者；大腸癌—採檢機構",
        "婦幼（H0001）：醫事機構／一般使用者；產檢院所",
    ]


def test_the_pdf_lists_them_in_words_with_places_to_sign(people: Hub) -> None:
    document = render_roster_pdf(roster_for(people, "hospadmin"))
    content = extracted_text(document)

    for shown in (*LISTED, *HELD_IN_WORDS, "F******702", "示範綜合醫院", HOSPITAL):
        assert shown in content, shown
    for hidden in NOT_LISTED:
        assert hidden not in content, hidden
    for code in RAW_CODES:
        assert code not in content, code
    assert MEMBER_ID not in content
    assert MEMBER_ID.encode() not in document
    for heading in ("姓名", "身分證字號", "職稱", "備註", *SIGNATURES, "本單位授權使用人員一覽表"):
        assert heading in content, heading
    assert "日期：中華民國年月日" in content


def test_the_xlsx_has_a_heading_row_and_one_row_per_person(people: Hub) -> None:
    workbook = load_workbook(BytesIO(render_roster_xlsx(roster_for(people, "hospadmin"))))
    rows = [
        ["" if value is None else str(value) for value in row]
        for row in workbook.active.iter_rows(values_only=True)
    ]

    assert rows[0] == list(HEADINGS)
    assert [row[:2] for row in rows[1:]] == [["1", "管理者hospadmin"], ["2", "王小明"]]
    member = dict(zip(HEADINGS, rows[2], strict=True))
    assert member["帳號"] == "wangxm01"
    assert member["身分證字號"] == "F******702"
    assert member["職稱"] == "個案管理師" and member["所屬部門"] == "家庭醫學科"
    for shown in HELD_IN_WORDS:
        assert shown in member["子系統權限"], shown
    cells = "\n".join("\n".join(row) for row in rows)
    for hidden in (*NOT_LISTED, MEMBER_ID, *RAW_CODES):
        assert hidden not in cells, hidden


def test_an_empty_unit_says_so(people: Hub) -> None:
    roster = roster_for(people, "hpaadmin1", OTHER_HOSPITAL)
    assert [e.account_name for e in roster.entries] == ["otheradmin", "otheruser1"]
    with people.database.unit_of_work() as db:
        for username in ("otheradmin", "otheruser1"):
            account = find_by_username(db, username)
            assert account is not None
            db.delete(account)
    empty = roster_for(people, "hpaadmin1", OTHER_HOSPITAL)

    assert empty.entries == ()
    assert "本單位目前沒有啟用中的帳號" in extracted_text(render_roster_pdf(empty))


def test_the_authority_gets_any_units_list(people: Hub) -> None:
    roster = roster_for(people, "hpaadmin1")

    assert "wangxm01" in [e.account_name for e in roster.entries]


@pytest.mark.parametrize("viewer", ["otheradmin", "wangxm01"])
def test_another_units_admin_or_a_member_finds_no_such_unit(people: Hub, viewer: str) -> None:
    with pytest.raises(NotFound):
        roster_for(people, viewer)


def test_each_national_id_shown_is_audited_as_viewed(people: Hub) -> None:
    roster_for(people, "hospadmin")

    with people.database.unit_of_work() as db:
        viewed = db.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "personal_data.view", AuditEvent.actor == "hospadmin"
            )
        ).all()
        assert [(e.target, e.details.get("report")) for e in viewed] == [
            ("wangxm01", "unit_roster")
        ]


def test_a_long_list_runs_over_landscape_pages_each_with_the_headings() -> None:
    entries = tuple(
        RosterEntry(n, f"人員{n}", "", "護理師", "", f"staff{n:03d}", "一般使用者")
        for n in range(1, 61)
    )
    roster = Roster(1, HOSPITAL, "示範綜合醫院", datetime(2026, 3, 4, 18, 30, tzinfo=UTC), entries)
    reader = PdfReader(BytesIO(render_roster_pdf(roster)))

    assert len(reader.pages) > 1
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (842, 595)
        shown = "".join(page.extract_text().replace("\x00", "").split())
        assert f"第{number}頁" in shown
        if number < len(reader.pages):
            assert "身分證字號" in shown and "子系統權限" in shown
    assert "staff060" in "".join(page.extract_text() for page in reader.pages).replace("\x00", "")
