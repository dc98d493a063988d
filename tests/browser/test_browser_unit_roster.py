"""授權使用人員一覽表 in a real browser: a unit admin downloads their unit's list from
人員帳號管理 as PDF and Excel, the authority after searching a unit code; the page with
the links passes the axe check (every page a test loads does)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from idp.models import UnitKind

from ..support.applications import AUTHORITY, HOSPITAL, OTHER_HOSPITAL, add_admin, add_unit
from ..support.browser import sign_in
from ..support.hub import LiveHub, start_live_hub
from ..support.pdf import extracted_text
from ..support.roster import MEMBER_ID, add_unit_people


@pytest.fixture
def live(settings_for) -> Iterator[LiveHub]:  # type: ignore[no-untyped-def]
    for live_hub in start_live_hub(settings_for):
        add_unit(live_hub.hub, HOSPITAL, "示範綜合醫院")
        add_unit(live_hub.hub, OTHER_HOSPITAL, "他院醫院")
        add_unit(live_hub.hub, AUTHORITY, "國民健康署", UnitKind.AUTHORITY)
        add_admin(live_hub.hub, "hospadmin", HOSPITAL)
        add_admin(live_hub.hub, "hpaadmin", AUTHORITY)
        add_unit_people(live_hub.hub, HOSPITAL, OTHER_HOSPITAL)
        yield live_hub


def test_a_unit_admin_downloads_the_list_as_pdf_and_excel(page: Page, live: LiveHub) -> None:
    sign_in(page, live, "hospadmin")
    page.get_by_role("link", name="人員帳號管理").click()
    roster = page.get_by_role("region", name="授權使用人員一覽表")
    expect(roster).to_contain_text("示範綜合醫院")

    with page.expect_download() as pdf:
        roster.get_by_role("link", name="下載授權使用人員一覽表（PDF）").click()
    assert pdf.value.suggested_filename.startswith(f"roster-{HOSPITAL}-")
    assert pdf.value.suggested_filename.endswith(".pdf")
    content = extracted_text(Path(pdf.value.path()).read_bytes())
    assert "王小明" in content and "wangxm01" in content and "婦幼" in content
    assert "離職者" not in content and "他院人員" not in content and MEMBER_ID not in content

    with page.expect_download() as xlsx:
        roster.get_by_role("link", name="下載授權使用人員一覽表（Excel）").click()
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序號", "姓名", "身分證字號")
    assert [row[1] for row in rows[1:]] == ["管理者hospadmin", "王小明"]


def test_the_authority_downloads_a_searched_units_list(page: Page, live: LiveHub) -> None:
    sign_in(page, live, "hpaadmin")
    page.get_by_role("link", name="人員帳號管理").click()
    roster = page.get_by_role("region", name="授權使用人員一覽表")
    expect(roster).to_contain_text("以單位代碼查詢後")
    page.get_by_label("單位代碼").fill(HOSPITAL)
    page.get_by_role("button", name="查詢").click()
    expect(roster).to_contain_text("示範綜合醫院")

    with page.expect_download() as pdf:
        roster.get_by_role("link", name="下載授權使用人員一覽表（PDF）").click()
    assert "王小明" in extracted_text(Path(pdf.value.path()).read_bytes())
