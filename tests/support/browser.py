"""A person at the hub's pages in Chromium (Playwright). The captcha is answered the way a
person would not: by reading the answer from the store, which leaves the product
exactly as deployed (captcha on)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from idp.services.signin import captcha

from .helpers import PASSWORD
from .hub import LiveHub


def answer_captcha(page: Page, live: LiveHub) -> None:
    """Fills in the captcha with its answer, read from the hub's store."""
    challenge = page.locator("input[name=captcha_id]").input_value()
    page.get_by_label("驗證碼", exact=True).fill(captcha.answer_of(live.hub.store, challenge) or "")


def sign_in_on_page(page: Page, live: LiveHub) -> None:
    """Signs tester01 in on the sign-in page already open."""
    page.get_by_label("帳號", exact=True).fill("tester01")
    page.get_by_label("密碼", exact=True).fill(PASSWORD)
    answer_captcha(page, live)
    page.get_by_role("button", name="登入").click()


def sign_in(page: Page, live: LiveHub, username: str, password: str = PASSWORD) -> None:
    """Signs in on the hub's sign-in page and waits for the home page."""
    page.goto(live.url + "/signin")
    page.get_by_label("帳號", exact=True).fill(username)
    page.get_by_label("密碼", exact=True).fill(password)
    challenge = page.locator("input[name=captcha_id]").input_value()
    answer = captcha.answer_of(live.hub.store, challenge) or ""
    page.get_by_label("驗證碼", exact=True).fill(answer)
    page.get_by_role("button", name="登入").click()
    expect(page.get_by_text("上次登入時間")).to_be_visible()
