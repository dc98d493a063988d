"""The portal in a real browser: the public home with its announcements and the
maintenance banner, announcements by audience, the launcher into 婦幼 as the chosen
account, an announcement written with hostile HTML, a 下載專區 file round trip, and the
Excel and ODS exports of a filtered list."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from odfdo import Document
from playwright.sync_api import Dialog, Page, expect

from idp.models import AccountRole

from ..support.browser import sign_in
from ..support.files import make_pdf
from ..support.hub import LiveHub
from ..support.portal import ROLES, announce, make_people
from ..support.rps import LiveRP, start_rps
from ..support.switch_in import CLINIC, hold


@pytest.fixture
def live(live_hub: LiveHub) -> LiveHub:
    make_people(live_hub.hub)
    return live_hub


def rows_of(page: Page) -> list[str]:
    return page.locator("table.announcements tbody td:nth-child(3) a").all_inner_texts()


def test_public_home_shows_current_announcements_in_order_and_the_banner(
    page: Page, live: LiveHub
) -> None:
    authority = ROLES["authority"]
    announce(live.hub, authority, "第二則", sort_order=20)
    announce(live.hub, authority, "第一則", sort_order=10)
    announce(live.hub, authority, "未發布", published=False)
    announce(live.hub, authority, "已下檔", days=(-5, -1))
    announce(live.hub, authority, "明天才上", days=(1, None))
    announce(live.hub, authority, "只給管理者", audience_roles=("unit_admin",))
    announce(
        live.hub,
        authority,
        "每週六 22:00-02:00 例行維護",
        category="maintenance",
        pinned=True,
        days=(-1, 1),
    )
    page.goto(live.url + "/")
    expect(page.get_by_role("heading", name="服務登入")).to_be_visible()
    expect(page.locator("table.announcements tbody tr")).to_have_count(3)
    assert rows_of(page) == ["每週六 22:00-02:00 例行維護", "第一則", "第二則"]
    banner = page.get_by_role("note")
    expect(banner).to_contain_text("每週六 22:00-02:00 例行維護")
    page.get_by_role("link", name="下載專區", exact=True).click()
    expect(page.get_by_role("heading", name="下載專區")).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("例行維護")
    page.get_by_role("link", name="每週六 22:00-02:00 例行維護").click()
    expect(page.get_by_role("heading", name="每週六 22:00-02:00 例行維護")).to_be_visible()


def test_a_member_sees_announcements_for_their_role_only(page: Page, live: LiveHub) -> None:
    authority = ROLES["authority"]
    announce(live.hub, authority, "給一般使用者的說明", audience_roles=("member",))
    announce(live.hub, authority, "給管理者的提醒", audience_roles=("unit_admin",))
    announce(live.hub, authority, "給每個人")
    sign_in(page, live, ROLES["member"])
    notices = page.locator("table.announcements")
    expect(notices).to_contain_text("給一般使用者的說明")
    expect(notices).to_contain_text("給每個人")
    expect(notices).not_to_contain_text("給管理者的提醒")
    page.get_by_role("link", name="公告事項", exact=True).click()
    expect(page.locator("table.announcements")).not_to_contain_text("給管理者的提醒")
    # The menu groups what a member may use; no 管理 group.
    expect(page.get_by_role("group", name="前台")).to_be_visible()
    expect(page.get_by_role("group", name="個人")).to_be_visible()
    expect(page.get_by_role("group", name="管理")).to_have_count(0)


@pytest.fixture
def mch(live: LiveHub) -> Iterator[LiveRP]:
    hold(live.hub, ROLES["member"], "mch", "mch_hospital", role=AccountRole.UNIT_ADMIN)
    hold(live.hub, ROLES["member"], "mch", "mch_clinic", unit_code=CLINIC)
    for started in start_rps(live, ("mch",)):
        yield started[0]


def test_the_launcher_opens_mch_as_the_chosen_account(
    page: Page, live: LiveHub, mch: LiveRP
) -> None:
    sign_in(page, live, ROLES["member"])
    tile = page.locator("[data-tile=mch]")
    expect(tile).to_contain_text("婦幼健康管理整合系統")
    expect(tile.get_by_role("link")).to_have_count(2)
    tile.locator("[data-binding]").nth(1).focus()
    chosen = tile.locator("[data-binding]").nth(1).inner_text()
    page.keyboard.press("Enter")
    expected = "mch_clinic" if chosen == "婦幼一般使用者" else "mch_hospital"
    expect(page.locator("[data-subsystem-account]")).to_have_text(expected)
    assert page.url.startswith(mch.url)


def test_hostile_html_in_an_announcement_is_rendered_harmless(page: Page, live: LiveHub) -> None:
    dialogs: list[str] = []

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    sign_in(page, live, ROLES["authority"])
    page.get_by_role("link", name="公告設定").click()
    page.get_by_role("link", name="新增公告").click()
    page.get_by_label("（必填）標題").fill("系統更新說明")
    page.get_by_label("內容").fill(
        "<p>更新完成<script>alert('script')</script></p>"
        '<img src="nowhere.png" onerror="alert(\'onerror\')">'
        "<a href=\"javascript:alert('link')\">詳細說明</a>"
    )
    page.get_by_label("（必填）刊登開始").fill("2020-01-01T08:00")
    page.get_by_label("發布").check()
    page.get_by_role("button", name="儲存公告").click()
    expect(page.get_by_role("status")).to_contain_text("公告已儲存")
    page.get_by_role("link", name="預覽（已發布且在刊登期間內）").click()
    body = page.locator("[data-body]")
    expect(body).to_contain_text("更新完成")
    expect(body.locator("script, img, [onerror]")).to_have_count(0)
    link = body.get_by_role("link", name="詳細說明")
    if link.count():
        assert not (link.get_attribute("href") or "").lower().startswith("javascript")
        link.click()
    page.wait_for_timeout(300)
    assert dialogs == []


def test_a_file_uploaded_to_the_download_area_downloads_intact(
    page: Page, live: LiveHub, tmp_path: Path
) -> None:
    original = make_pdf("unit admin application form v2")
    upload = tmp_path / "管理者帳號申請表v2.pdf"
    upload.write_bytes(original)
    sign_in(page, live, ROLES["authority"])
    page.get_by_role("link", name="下載檔案管理").click()
    page.get_by_label("（必填）標題").fill("預防保健單一入口-管理者帳號申請表")
    page.get_by_label("所屬分類").select_option("form")
    page.get_by_label("（必填）版本").fill("v2")
    page.get_by_label("（必填）檔案").set_input_files(str(upload))
    page.get_by_role("button", name="上架", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("檔案已上架")

    page.goto(live.url + "/downloads?category=form")
    with page.expect_download() as download:
        page.get_by_role("link", name="預防保健單一入口-管理者帳號申請表").click()
    saved = tmp_path / "downloaded.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == original
    assert download.value.suggested_filename == "管理者帳號申請表v2.pdf"


def test_excel_and_ods_exports_hold_the_filtered_rows(
    page: Page, live: LiveHub, tmp_path: Path
) -> None:
    sign_in(page, live, ROLES["authority"])
    page.get_by_role("link", name="人員帳號管理").click()
    page.get_by_label("使用者角色").select_option("member")
    page.get_by_role("button", name="查詢").click()
    expect(page.get_by_role("table", name="帳號清單")).to_contain_text("member01")
    with page.expect_download() as xlsx:
        page.get_by_role("link", name="匯出Excel").click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][3] == "使用者帳號"
    assert sorted(r[3] for r in rows[1:]) == ["member01", "secadmin"]
    with page.expect_download() as ods:
        page.get_by_role("link", name="匯出ODS").click()
    table = Document(io.BytesIO(Path(ods.value.path()).read_bytes())).body.get_table(0)
    values = table.get_values()
    assert values[0][3] == "使用者帳號"
    assert sorted(r[3] for r in values[1:]) == ["member01", "secadmin"]


def test_the_grouped_menu_on_a_phone_and_from_the_keyboard(page: Page, live: LiveHub) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, live, ROLES["authority"])
    for group in ("前台", "個人", "管理"):
        expect(page.get_by_role("group", name=group)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    menu = page.get_by_role("group", name="管理")
    expect(menu.get_by_role("link", name="公告設定")).to_be_visible()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "公告設定":
            break
    else:
        raise AssertionError("公告設定 is not reached from the keyboard")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="公告設定")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
