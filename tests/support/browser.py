"""A person at the hub's pages in Chromium (Playwright). The captcha is answered the way a
person would not: by reading the answer from the store, which leaves the product
exactly as deployed (captcha on)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from idp.services.applications.submission import CONFIRM_PATH
from idp.services.signin import captcha

from .applications import confirmation_token
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


def send_application(page: Page, live: LiveHub, address: str) -> None:
    """送出申請 on the filled-in 帳號申請 form, then open the link mailed to ``address``:
    the page is 申請進度 after that."""
    answer_captcha(page, live)
    page.get_by_role("button", name="送出申請").click()
    expect(page.get_by_role("heading", name="請確認電子郵件")).to_be_visible()
    with live.hub.database.unit_of_work() as db:
        token = confirmation_token(db, address)
    page.goto(live.url + CONFIRM_PATH + token)
