"""資料異動申請 in a real browser: a member files a 業務異動 request with a scan from
業務子系統帳號管理, the unit admin allows the first step, the authority the second, and
the member follows 申請進度 to 結案：允許 with each step listed; every page passes axe."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from ..support.browser import sign_in
from ..support.files import make_pdf
from ..support.hub import LiveHub
from ..support.portal import ROLES, make_people

CONTENT = "請將婦幼選單角色改為產檢院所"


def record_row(page: Page):  # type: ignore[no-untyped-def]
    page.get_by_role("link", name="資料異動申請", exact=True).click()
    expect(page.get_by_role("heading", name="資料異動紀錄")).to_be_visible()
    return page.get_by_role("table").get_by_role("row").filter(has_text=CONTENT)


def decide_first(page: Page, live_hub: LiveHub, username: str, reason: str) -> None:
    page.context.clear_cookies()
    sign_in(page, live_hub, username)
    page.get_by_role("link", name="資料異動審核").click()
    request = page.get_by_role("article").filter(has_text=CONTENT)
    expect(request).to_contain_text("member01姓名")
    with page.expect_download() as download:
        request.get_by_role("link", name="單位切結書.pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    request.get_by_label("允許", exact=True).check()
    request.get_by_label("審核理由（不允許時必填）").fill(reason)
    request.get_by_role("button", name="送出審核").click()
    expect(page.get_by_text("已完成審核。")).to_be_visible()
    expect(page.get_by_text("目前沒有待您審核的資料異動申請。")).to_be_visible()


def test_a_duty_change_walks_two_steps_to_allowed(page: Page, live_hub: LiveHub) -> None:
    make_people(live_hub.hub)
    sign_in(page, live_hub, ROLES["member"])
    page.get_by_role("link", name="業務子系統帳號管理").click()
    page.get_by_role("link", name="異動申請", exact=True).click()
    expect(page.get_by_role("heading", name="申請資料異動")).to_be_visible()
    expect(page.get_by_label("申請異動類別")).to_have_value("duty")
    expect(page.get_by_label("聯絡人")).to_have_value("member01姓名")
    page.get_by_label("申請異動內容").fill(CONTENT)
    page.get_by_role("button", name="送出申請").click()
    expect(page.locator("#phone-error")).to_have_text("此欄位必填")
    expect(page.get_by_label("申請異動內容")).to_have_value(CONTENT)  # nothing typed is lost
    page.get_by_label("連絡電話").fill("0912-345678")
    page.get_by_label("聯絡人").fill("林小美")  # the test account's name holds digits
    page.get_by_label("附件（選填）").set_input_files(
        files=[{"name": "單位切結書.pdf", "mimeType": "application/pdf", "buffer": make_pdf()}]
    )
    page.get_by_role("button", name="送出申請").click()
    expect(page.get_by_text("已送出資料異動申請")).to_be_visible()
    row = page.get_by_role("table").get_by_role("row").filter(has_text=CONTENT)
    expect(row).to_contain_text("業務異動")
    expect(row).to_contain_text("審核中（第 1 關／共 2 關：單位管理者）")

    decide_first(page, live_hub, ROLES["unit_admin"], "單位已確認")
    page.context.clear_cookies()
    sign_in(page, live_hub, ROLES["member"])
    row = record_row(page)
    expect(row).to_contain_text("審核中（第 2 關／共 2 關：國健署）")
    expect(row).to_contain_text("第 1 關：單位管理者 — 允許")
    expect(row).to_contain_text("單位已確認")

    decide_first(page, live_hub, ROLES["authority"], "同意異動")
    page.context.clear_cookies()
    sign_in(page, live_hub, ROLES["member"])
    row = record_row(page)
    expect(row).to_contain_text("結案：允許")
    expect(row).to_contain_text("第 1 關：單位管理者 — 允許")
    expect(row).to_contain_text("第 2 關：國健署 — 允許")
    expect(row).to_contain_text("同意異動")
