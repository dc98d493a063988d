"""個資權利 in a real browser: a member asks for deletion, the authority allows it, and
the member's data is gone; both pages pass the axe check."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from idp.services.accounts.privacy import ERASED_NAME

from ..support.browser import sign_in
from ..support.helpers import PASSWORD
from ..support.hub import LiveHub
from ..support.portal import ROLES, account, make_people


def test_a_member_asks_for_deletion_and_the_authority_allows_it(
    page: Page, live_hub: LiveHub
) -> None:
    make_people(live_hub.hub)
    sign_in(page, live_hub, ROLES["member"])
    page.get_by_role("link", name="個資權利", exact=True).click()
    expect(page.get_by_role("heading", name="個資權利", exact=True)).to_be_visible()
    page.get_by_label("刪除我的個人資料").check()
    page.get_by_label("說明（選填）").fill("已離職")
    page.get_by_role("button", name="送出申請").click()
    expect(page.locator("#current_password-error")).to_have_text("請輸入目前的密碼")
    expect(page.get_by_label("說明（選填）")).to_have_value("已離職")  # nothing typed is lost
    page.get_by_label("目前的密碼").fill(PASSWORD)
    page.get_by_role("button", name="送出申請").click()
    record = page.get_by_role("table")
    expect(record).to_contain_text("刪除我的個人資料")
    expect(record).to_contain_text("審核中")

    page.context.clear_cookies()
    sign_in(page, live_hub, ROLES["authority"])
    page.get_by_role("link", name="個資權利申請審核").click()
    request = page.get_by_role("article")
    expect(request).to_contain_text("member01姓名")
    expect(request).to_contain_text("已離職")
    request.get_by_label("允許", exact=True).check()
    request.get_by_label("審核理由").fill("依個資法辦理")
    request.get_by_role("button", name="送出審核").click()
    expect(page.get_by_role("article")).to_contain_text("結案：允許")
    expect(page.get_by_role("article")).to_contain_text(ERASED_NAME)
    assert account(live_hub.hub, ROLES["member"]).email == ""
