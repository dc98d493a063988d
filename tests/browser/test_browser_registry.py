"""子系統介接設定 in a real browser (every page checked by axe-core): the authority
registers a subsystem and reads its secret once, a refused edit is said beside its
field, the secret is rotated, and the subsystem is disabled."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from idp.models import Client

from ..support.browser import sign_in
from ..support.hub import LiveHub
from ..support.portal import ROLES, make_people


@pytest.fixture
def live(live_hub: LiveHub) -> LiveHub:
    make_people(live_hub.hub)
    return live_hub


def test_the_authority_registers_edits_rotates_and_disables(page: Page, live: LiveHub) -> None:
    sign_in(page, live, ROLES["authority"])
    page.get_by_role("link", name="子系統介接設定").click()
    page.get_by_role("link", name="註冊子系統").click()
    page.get_by_label("（必填）名稱").fill("婦幼測試")
    page.get_by_label("用戶端代碼（留空則自動產生）").fill("mch-test")
    page.get_by_label("登入導回網址（redirect URI，每行一個）").fill("https://mch.example/cb")
    page.get_by_label("聯絡窗口（姓名、電話、電子郵件）").fill("王小明 02-1234-5678")
    page.get_by_role("button", name="註冊", exact=True).click()
    first = page.locator("[data-client-secret]").inner_text()
    assert len(first) >= 40

    page.get_by_role("link", name="回子系統設定").click()
    page.get_by_label("背景登出通知網址（留空為不通知）").fill("http://evil.example/bcl")
    page.get_by_role("button", name="儲存設定").click()
    expect(page.locator("#backchannel_logout_uri-error")).to_contain_text("https")
    expect(page.get_by_label("背景登出通知網址（留空為不通知）")).to_have_attribute(
        "aria-invalid", "true"
    )

    page.get_by_label("舊密鑰的寬限期").select_option("1")
    page.get_by_role("button", name="產生新密鑰").click()
    second = page.locator("[data-client-secret]").inner_text()
    assert second != first
    expect(page.get_by_text("舊密鑰可使用至")).to_be_visible()

    page.get_by_role("link", name="回子系統設定").click()
    page.get_by_role("button", name="停用子系統").click()
    expect(page.get_by_role("status")).to_contain_text("子系統已停用")
    with live.hub.database.unit_of_work() as db:
        row = db.query(Client).filter_by(client_id="mch-test").one()
        assert row.disabled_at is not None and row.contact == "王小明 02-1234-5678"
