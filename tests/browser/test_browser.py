"""Pages in a real browser: headless Chromium from Debian, driven by Playwright.

The captcha is answered the way a person would not: by reading the answer from the
store, which leaves the product exactly as deployed (captcha on)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from idp.services.signin import captcha

from ..support.browser import sign_in_on_page
from ..support.helpers import PASSWORD, add_account
from ..support.hub import LiveHub
from ..support.rps import LiveRP, start_rps
from ..support.switch_in import hold


@pytest.fixture
def rps(live_hub: LiveHub) -> Iterator[list[LiveRP]]:
    add_account(live_hub.hub)
    for subsystem in ("mch", "cancer"):  # the demo subsystems need a binding
        hold(live_hub.hub, "tester01", subsystem, f"tester01@{subsystem}", menu_roles=())
    yield from start_rps(live_hub, ("mch", "cancer"))


def test_sign_in_through_a_subsystem_with_the_captcha(
    page: Page, live_hub: LiveHub, rps: list[LiveRP]
) -> None:
    mch, cancer = rps
    page.goto(mch.url + "/")
    page.get_by_role("link", name=re.compile("經單一入口登入")).click()
    expect(page.get_by_role("heading", name="服務登入")).to_be_visible()
    expect(page.locator("img[data-captcha-image]")).to_have_js_property("complete", True)
    assert page.locator("img[data-captcha-image]").evaluate("img => img.naturalWidth") == 200
    sign_in_on_page(page, live_hub)
    expect(page.locator("#signed-in")).to_contain_text("王小明")
    # A second subsystem: no password asked.
    page.goto(cancer.url + "/")
    page.get_by_role("link", name=re.compile("經單一入口登入")).click()
    expect(page.locator("#signed-in")).to_contain_text("王小明")


def test_wrong_captcha_is_explained_and_the_account_kept(
    page: Page, live_hub: LiveHub, rps: list[LiveRP]
) -> None:
    page.goto(live_hub.url + "/")
    page.get_by_label("帳號", exact=True).fill("tester01")
    page.get_by_label("密碼", exact=True).fill(PASSWORD)
    page.get_by_label("驗證碼", exact=True).fill("wrong")
    page.get_by_role("button", name="登入").click()
    expect(page.get_by_role("alert")).to_contain_text("驗證碼錯誤")
    expect(page.get_by_label("帳號", exact=True)).to_have_value("tester01")
    expect(page.get_by_label("密碼", exact=True)).to_have_value("")


def test_captcha_refresh_and_audio(page: Page, live_hub: LiveHub, rps: list[LiveRP]) -> None:
    page.goto(live_hub.url + "/signin")
    first = page.locator("input[name=captcha_id]").input_value()
    page.get_by_role("button", name="更新驗證碼").click()
    expect(page.locator("input[name=captcha_id]")).not_to_have_value(first)
    second = page.locator("input[name=captcha_id]").input_value()
    expect(page.locator("img[data-captcha-image]")).to_have_attribute(
        "src", re.compile(re.escape(second))
    )
    audio_href = page.get_by_role("button", name="語音撥放").get_attribute("href")
    assert audio_href and second in audio_href
    response = page.request.get(live_hub.url + audio_href)
    assert response.headers["content-type"] == "audio/wav"
    sign_in_on_page(page, live_hub)  # the refreshed challenge is the one checked
    expect(page.get_by_role("heading", name=re.compile("您好"))).to_be_visible()


def test_keyboard_only_sign_in(page: Page, live_hub: LiveHub, rps: list[LiveRP]) -> None:
    page.goto(live_hub.url + "/signin")
    expect(
        page.get_by_label("帳號", exact=True)
    ).to_be_focused()  # the page opens on the account field
    page.keyboard.type("tester01")
    page.keyboard.press("Tab")
    expect(page.get_by_label("密碼", exact=True)).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_label("驗證碼", exact=True)).to_be_focused()
    challenge = page.locator("input[name=captcha_id]").input_value()
    page.keyboard.type(captcha.answer_of(live_hub.hub.store, challenge) or "")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("您好"))).to_be_visible()
    expect(page.locator("[data-previous-signin]")).to_have_text("這是您第一次登入")


def test_english_pages(page: Page, live_hub: LiveHub, rps: list[LiveRP]) -> None:
    page.goto(live_hub.url + "/signin")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Account", exact=True).fill("tester01")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    challenge = page.locator("input[name=captcha_id]").input_value()
    page.get_by_label("Verification code", exact=True).fill(
        captcha.answer_of(live_hub.hub.store, challenge) or ""
    )
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Hello, 王小明")).to_be_visible()


def test_hub_sign_out_signs_the_subsystem_out(
    page: Page, live_hub: LiveHub, rps: list[LiveRP]
) -> None:
    mch = rps[0]
    page.goto(mch.url + "/login")
    sign_in_on_page(page, live_hub)
    expect(page.locator("#signed-in")).to_be_visible()
    page.goto(live_hub.url + "/")
    page.get_by_role("button", name="登出").click()
    expect(page.get_by_role("heading", name="您已登出")).to_be_visible()
    for _ in range(50):
        page.goto(mch.url + "/")
        if page.locator("#signed-out").count():
            break
        page.wait_for_timeout(100)
    expect(page.locator("#signed-out")).to_be_visible()


def test_subsystem_sign_out_through_the_hub(
    page: Page, live_hub: LiveHub, rps: list[LiveRP]
) -> None:
    mch = rps[0]
    page.goto(mch.url + "/login")
    sign_in_on_page(page, live_hub)
    page.get_by_role("button", name=re.compile("登出")).click()
    expect(page.locator("#signed-out")).to_be_visible()
    page.goto(live_hub.url + "/")
    expect(page.get_by_role("heading", name="服務登入")).to_be_visible()


def test_consent_page(page: Page, live_hub: LiveHub, rps: list[LiveRP]) -> None:
    mch = rps[0]
    page.goto(mch.url + "/login")
    sign_in_on_page(page, live_hub)
    page.goto(
        live_hub.url
        + "/authorize?"
        + urlencode(
            {
                "client_id": "mch",
                "response_type": "code",
                "redirect_uri": mch.url + "/callback",
                "scope": "openid profile",
                "prompt": "consent",
                "state": "s",
                "code_challenge": "x" * 43,
                "code_challenge_method": "S256",
            }
        )
    )
    expect(page.get_by_role("heading", name="授權確認")).to_be_visible()
    expect(page.get_by_text("姓名與帳號")).to_be_visible()
    expect(page.get_by_role("navigation", name="選單")).to_have_count(0)
    page.get_by_role("button", name="拒絕").click()
    assert "error=access_denied" in page.url


def test_error_page_for_a_bad_request(page: Page, live_hub: LiveHub) -> None:
    page.goto(live_hub.url + "/authorize?client_id=nobody&response_type=code")
    expect(page.get_by_role("heading", name="無法完成此要求")).to_be_visible()
    expect(page.get_by_role("link", name="回首頁")).to_be_visible()
