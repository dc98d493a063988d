"""Authenticator-app codes and recovery codes in headless Chromium: set the app up from
the QR code's page (its setup key typed into a TOTP generator, as an app would), sign in
with a code; a code used once and a code two steps away are refused; a recovery code
signs in once and not twice, and its use is mailed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from idp.models import AuditEvent, MailMessage

from ..support.factors import code_at, secret_from_page
from ..support.helpers import PASSWORD, add_account
from ..support.hub import LiveHub, start_live_hub


@pytest.fixture
def live(settings_for) -> Iterator[LiveHub]:  # type: ignore[no-untyped-def]
    yield from start_live_hub(settings_for, captcha=False)


def password_step(page: Page, live: LiveHub) -> None:
    page.context.clear_cookies()
    page.goto(live.url + "/signin")
    page.get_by_label("帳號", exact=True).fill("member01")
    page.get_by_label("密碼", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登入", exact=True).click()
    expect(page.get_by_role("heading", name="兩步驟驗證")).to_be_visible()


def type_code(page: Page, code: str) -> None:
    page.get_by_label("驗證碼（6 位數字）").fill(code)
    page.get_by_role("button", name="驗證", exact=True).click()


def type_recovery_code(page: Page, code: str) -> None:
    page.locator("summary", has_text="使用復原碼").click()
    page.get_by_label("復原碼", exact=True).fill(code)
    page.get_by_role("button", name="以復原碼登入").click()


def test_authenticator_app_and_recovery_codes(page: Page, live: LiveHub) -> None:
    add_account(live.hub, "member01", name="林成員")
    page.goto(live.url + "/signin")
    page.get_by_label("帳號", exact=True).fill("member01")
    page.get_by_label("密碼", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登入", exact=True).click()
    page.get_by_role("link", name="兩步驟驗證").click()
    page.get_by_role("link", name="設定驗證器 App").click()

    # The QR code is drawn by the hub; the same key is shown for typing by hand.
    expect(page.get_by_role("img", name="驗證器 App 設定用 QR Code")).to_be_visible()
    secret = secret_from_page(page.locator("[data-totp-secret]").inner_text())
    page.get_by_label("驗證碼（6 位數字）").fill(
        "000000" if code_at(secret) != "000000" else "111111"
    )
    page.get_by_role("button", name="完成設定").click()
    expect(page.get_by_role("alert")).to_contain_text("驗證碼不正確")
    page.get_by_label("驗證碼（6 位數字）").fill(code_at(secret))
    page.get_by_role("button", name="完成設定").click()
    codes = page.get_by_role("list", name="您的復原碼").get_by_role("listitem").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="我已保存，繼續").click()
    expect(page.get_by_role("term").filter(has_text="設定時間")).to_be_visible()
    expect(page.get_by_text("尚有 10 組可用的復原碼")).to_be_visible()

    # The code of the next step (within the window; the enrolment used this one).
    password_step(page, live)
    next_code = code_at(secret, 1)
    type_code(page, next_code)
    expect(page.get_by_role("heading", name="您好，林成員")).to_be_visible()

    password_step(page, live)
    type_code(page, next_code)  # used already
    expect(page.get_by_role("alert")).to_contain_text("驗證碼不正確或已使用過")
    type_code(page, code_at(secret, 2))  # two steps away: outside the window of ±1
    expect(page.get_by_role("alert")).to_contain_text("驗證碼不正確或已使用過")

    # A recovery code (a complete sign-in forgets the failures above) ...
    type_recovery_code(page, codes[0].upper())
    expect(page.get_by_role("heading", name="您好，林成員")).to_be_visible()
    page.get_by_role("link", name="兩步驟驗證").click()
    expect(page.get_by_text("尚有 9 組可用的復原碼")).to_be_visible()
    # ... and not twice.
    password_step(page, live)
    type_code(page, code_at(secret, -2))  # two steps back
    expect(page.get_by_role("alert")).to_contain_text("驗證碼不正確或已使用過")
    type_recovery_code(page, codes[0])
    expect(page.get_by_role("alert")).to_contain_text("復原碼不正確或已使用過")

    with live.hub.database.unit_of_work() as db:
        mailed = db.scalars(select(MailMessage).where(MailMessage.kind == "recovery_code_used"))
        (message,) = mailed.all()
        assert message.to == "wang@example.org" and "尚餘 9 組" in message.body
        reasons = [
            e.details["reason"]
            for e in db.scalars(select(AuditEvent).where(AuditEvent.action == "signin.failure"))
        ]
        assert reasons == [
            "second_factor:totp",
            "second_factor:totp",
            "second_factor:totp",
            "second_factor:recovery_code",
        ]
        used = db.scalars(
            select(AuditEvent).where(AuditEvent.action == "second_factor.recovery_code_used")
        ).one()
        assert used.details["remaining"] == 9


def test_wrong_codes_lock_the_account_like_wrong_passwords(page: Page, live: LiveHub) -> None:
    add_account(live.hub, "member01", name="林成員")
    page.goto(live.url + "/signin")
    page.get_by_label("帳號", exact=True).fill("member01")
    page.get_by_label("密碼", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登入", exact=True).click()
    page.goto(live.url + "/account/factors/totp")
    secret = secret_from_page(page.locator("[data-totp-secret]").inner_text())
    page.get_by_label("驗證碼（6 位數字）").fill(code_at(secret))
    page.get_by_role("button", name="完成設定").click()
    expect(page.get_by_role("list", name="您的復原碼")).to_be_visible()

    password_step(page, live)
    type_code(page, code_at(secret, 5))
    password_step(page, live)  # the password again does not wipe the count
    type_code(page, code_at(secret, 5))
    expect(page.get_by_role("alert")).to_contain_text("驗證碼不正確")
    type_code(page, code_at(secret, 5))  # the third: the account is locked, until when is said
    expect(page.get_by_role("alert")).to_contain_text("此帳號因連續登入失敗，暫停登入至")
    type_code(page, code_at(secret, 1))  # right, but too late
    expect(page.get_by_role("alert")).to_contain_text("暫停登入至")
    expect(page.get_by_label("密碼", exact=True)).to_be_visible()
    with live.hub.database.unit_of_work() as db:
        assert db.scalars(select(AuditEvent).where(AuditEvent.action == "account.locked")).one()
