"""Binding and switch-in in a real browser: bind a legacy 婦幼 account with its old
password, jump into 婦幼 as one binding, switch to the other, then into 癌整 — the hub's
password typed once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from idp.models import AccountRole

from ..support.browser import sign_in_on_page
from ..support.helpers import add_account
from ..support.hub import LiveHub
from ..support.rps import LiveRP, start_rps
from ..support.switch_in import LEGACY_PASSWORD, hold, legacy_account


@pytest.fixture
def rps(live_hub: LiveHub) -> Iterator[list[LiveRP]]:
    add_account(live_hub.hub)
    hold(live_hub.hub, "tester01", "mch", "mch_admin", role=AccountRole.UNIT_ADMIN)
    hold(live_hub.hub, "tester01", "cancer", "cancer_member", menu_roles=())
    legacy_account(live_hub.hub, "mch_old01")
    yield from start_rps(live_hub, ("mch", "cancer"))


def test_bind_switch_in_and_switch_between_bindings(
    page: Page, live_hub: LiveHub, rps: list[LiveRP]
) -> None:
    mch, cancer = rps
    page.goto(live_hub.url + "/")
    sign_in_on_page(page, live_hub)
    page.get_by_role("link", name="業務子系統帳號管理").click()

    page.get_by_label("（必填）綁定名稱：").fill("婦幼舊帳號")
    page.get_by_label("（必填）業務子系統：").select_option("mch")
    page.get_by_label("（必填）請輸入子系統帳號：").fill("mch_old01")
    page.get_by_label("（必填）請輸入子系統密碼：").fill(LEGACY_PASSWORD)
    page.get_by_role("button", name="驗證綁定").click()
    expect(page.get_by_role("status")).to_contain_text("已完成綁定")
    expect(page.locator("table.bindings")).to_contain_text("mch_old01")

    # 帳號簽入 in the header menu, opened from the keyboard.
    page.locator("details.switch-in-menu > summary").focus()
    page.keyboard.press("Enter")
    menu = page.locator("details.switch-in-menu")
    expect(menu).to_contain_text("婦幼健康管理整合系統")
    expect(menu).to_contain_text("癌症篩檢與追蹤管理資訊整合系統")
    menu.get_by_role("link", name="婦幼單位業務管理者").click()
    expect(page.locator("[data-subsystem-account]")).to_have_text("mch_admin")
    assert page.url.startswith(mch.url)
    expect(page.locator("[data-role]")).to_have_text("unit_admin")

    # Switch account through the hub: the subsystem's session is replaced.
    page.get_by_role("link", name="切換帳號（經單一入口）· Switch account").click()
    expect(page.get_by_role("heading", name="帳號簽入")).to_be_visible()
    page.locator("main").get_by_role("link", name="婦幼舊帳號").click()
    expect(page.locator("[data-subsystem-account]")).to_have_text("mch_old01")
    expect(page.locator("[data-role]")).to_have_text("member")

    page.get_by_role("link", name="切換帳號（經單一入口）· Switch account").click()
    page.locator("main").get_by_role("link", name="癌整一般使用者").click()
    expect(page.locator("[data-subsystem-account]")).to_have_text("cancer_member")
    assert page.url.startswith(cancer.url)

    # Still signed in at the hub.
    page.goto(live_hub.url + "/")
    expect(page.get_by_role("button", name="登出")).to_be_visible()


@pytest.fixture
def chooser_rps(live_hub: LiveHub) -> Iterator[list[LiveRP]]:
    add_account(live_hub.hub)
    hold(live_hub.hub, "tester01", "mch", "mch_admin", role=AccountRole.UNIT_ADMIN)
    hold(live_hub.hub, "tester01", "mch", "mch_member")
    yield from start_rps(live_hub, ("mch", "cessation"))


def test_a_subsystem_started_sign_in_offers_the_chooser_or_explains(
    page: Page, live_hub: LiveHub, chooser_rps: list[LiveRP]
) -> None:
    mch, cessation = chooser_rps
    page.goto(mch.url + "/login")
    sign_in_on_page(page, live_hub)
    expect(page.get_by_role("heading", name="選擇子系統帳號")).to_be_visible()
    # A step of the subsystem's sign-in: no portal menu to leave the paused request by.
    expect(page.get_by_role("navigation", name="選單")).to_have_count(0)
    page.get_by_label("婦幼一般使用者", exact=False).check()
    page.get_by_role("button", name="簽入").click()
    expect(page.locator("[data-subsystem-account]")).to_have_text("mch_member")

    # No 戒菸 binding: a page that says how to apply or bind, and the way back.
    page.goto(cessation.url + "/login")
    expect(page.get_by_role("heading", name="尚無此子系統的帳號")).to_be_visible()
    expect(page.get_by_role("link", name="業務子系統帳號管理").last).to_be_visible()
    page.get_by_role("button", name="回到原系統").click()
    page.wait_for_url(cessation.url + "/**")
