"""權限管理 in a real browser: a unit's admin opens a member's 婦幼 account from the
account page, adds a menu role the unit holds and suspends nothing; then ticks one the unit
has not applied for without a reason, is told why with every choice kept, and sends it
with a reason as a request; then asks for a role change with a scan attached and finds it
on the change's page. Every page passes the axe check."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from ..support.applications import HOSPITAL, add_admin
from ..support.browser import sign_in
from ..support.files import make_pdf
from ..support.helpers import add_account
from ..support.hub import LiveHub
from ..support.switch_in import hold


def test_a_unit_admin_grants_a_menu_and_asks_for_a_new_one(page: Page, live_hub: LiveHub) -> None:
    hub = live_hub.hub
    add_account(hub)
    add_admin(
        hub,
        "hospadmin",
        HOSPITAL,
        subsystems={"mch": ("medical_institution", ["prenatal_care", "child_preventive_care"])},
    )
    hold(hub, "tester01", "mch", "mch_member")
    sign_in(page, live_hub, "hospadmin")
    page.get_by_role("link", name="人員帳號管理").click()
    page.get_by_role("link", name="tester01").click()
    page.get_by_role("link", name="修改 mch_member").click()
    expect(page.get_by_role("heading", name="子系統帳號權限管理")).to_be_visible()
    page.get_by_label("兒健特約醫事機構", exact=False).first.check()
    page.get_by_role("button", name="儲存").click()
    expect(page.get_by_role("status")).to_contain_text("權限已變更")

    page.get_by_label("聽力篩檢醫事機構", exact=False).first.check()
    page.get_by_role("button", name="儲存").click()
    expect(page.get_by_role("alert")).to_contain_text("申請說明")
    expect(page.get_by_label("聽力篩檢醫事機構", exact=False).first).to_be_checked()
    page.get_by_label("申請說明").fill("新增聽力篩檢業務")
    page.get_by_role("button", name="儲存").click()
    expect(page.get_by_role("status")).to_contain_text("已送出申請")
    page.get_by_role("link", name="帳號/權限異動", exact=True).click()
    expect(page.get_by_role("table")).to_contain_text("增加業務選單")

    # A role change of the hub account, with the 單位切結書 scanned.
    page.get_by_role("link", name="人員帳號管理").click()
    page.get_by_role("link", name="tester01").click()
    page.get_by_label("（必填）申請項目").select_option(label="一般使用者轉為管理者")
    page.get_by_label("（必填）申請說明").fill("升為管理者")
    page.get_by_label("附件（選填）").set_input_files(
        files=[{"name": "單位切結書.pdf", "mimeType": "application/pdf", "buffer": make_pdf()}]
    )
    page.get_by_role("button", name="送出申請").click()
    expect(page.get_by_role("status")).to_contain_text("異動申請已送出")
    page.get_by_role("link", name="帳號/權限異動", exact=True).click()
    page.get_by_role("row", name="一般使用者轉為管理者").get_by_role("link").first.click()
    expect(page.get_by_role("link", name="單位切結書.pdf")).to_be_visible()
