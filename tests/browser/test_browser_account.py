"""Account and admin pages in headless Chromium: the strength meter agrees with the
server, a forced password change, the idle warning, 忘記密碼, profile, sessions, and
the security admin's pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from idp.models import Account, MailMessage, utcnow
from idp.services import policy
from idp.services.signin.credentials import personal_data
from idp.services.signin.password_rules import evaluate

from ..support.browser import answer_captcha
from ..support.helpers import PASSWORD, add_account, wait_for_reset_requests
from ..support.hub import LiveHub, start_live_hub

NEW = "Harbor~Lantern7Quiet"


@pytest.fixture
def live(settings_for) -> Iterator[LiveHub]:  # type: ignore[no-untyped-def]
    yield from start_live_hub(settings_for, env="development")


def sign_in(
    page: Page,
    live: LiveHub,
    username: str = "tester01",
    password: str = PASSWORD,
) -> None:
    page.goto(live.url + "/signin")
    page.get_by_label("帳號", exact=True).fill(username)
    page.get_by_label("密碼", exact=True).fill(password)
    answer_captcha(page, live)
    page.get_by_role("button", name="登入").click()


STRENGTH_TABLE = [
    "abc",
    "Passw0rd~123",
    "tester01~Harbor7",
    "Harbor~Lantern7Quiet",
    "harborlantern7quiet",
    "Aa1~Aa1~Aa1~",
    "Zq8^river^Mango",
    "wang@example.org7~A",
]


def test_strength_meter_agrees_with_the_server(page: Page, live: LiveHub) -> None:
    add_account(live.hub)
    sign_in(page, live)
    page.goto(live.url + "/account/password")
    field = page.get_by_label("新密碼", exact=True)
    with live.hub.database.unit_of_work() as db:
        rules = policy.current_policy(db).password
        personal = personal_data(db.query(Account).one())
    for password in STRENGTH_TABLE:
        field.fill(password)
        server = evaluate(rules, password, personal)
        expect(page.locator("[data-strength-level]")).to_have_text(server.level_text)
        problems = page.locator("[data-strength-problems] li")
        expect(problems).to_have_count(len(server.problems))
        if server.problems:
            expect(problems).to_have_text([str(p) for p in server.problems])
    # The page says strong enough; the server accepts it.
    field.fill(NEW)
    page.get_by_label("再輸入一次新密碼", exact=True).fill(NEW)
    page.get_by_label("目前的密碼", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="修改").click()
    expect(page.get_by_role("heading", name="密碼已更新")).to_be_visible()


def test_forced_password_change_at_first_sign_in(page: Page, live: LiveHub) -> None:
    add_account(live.hub)
    with live.hub.database.unit_of_work() as db:
        db.query(Account).one().must_change_password = True
    sign_in(page, live)
    expect(page.get_by_role("heading", name="修改密碼")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("請先設定新密碼")
    page.goto(live.url + "/account/profile")  # every other page waits
    expect(page.get_by_role("heading", name="修改密碼")).to_be_visible()
    page.get_by_label("目前的密碼", exact=True).fill(PASSWORD)
    page.get_by_label("新密碼", exact=True).fill(NEW)
    page.get_by_label("再輸入一次新密碼", exact=True).fill(NEW)
    page.get_by_role("button", name="修改").click()
    expect(page.get_by_role("heading", name="密碼已更新")).to_be_visible()
    page.goto(live.url + "/")
    expect(page.get_by_role("heading", name=re.compile("您好"))).to_be_visible()


def test_idle_time_and_warning(page: Page, live: LiveHub) -> None:
    add_account(live.hub)
    page.clock.install()
    sign_in(page, live)
    expect(page.locator("[data-idle-minutes]")).to_have_text("0")
    page.clock.run_for("05:00")
    expect(page.locator("[data-idle-minutes]")).to_have_text("5")
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_hidden()
    page.clock.run_for("23:30")  # 28.5 minutes idle: 2 minutes' warning before 30
    expect(dialog).to_be_visible()
    expect(page.get_by_role("button", name="繼續使用")).to_be_focused()
    page.get_by_role("button", name="繼續使用").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("[data-idle-minutes]")).to_have_text("0")


def test_forgot_password_pages(page: Page, live: LiveHub) -> None:
    add_account(live.hub)
    page.goto(live.url + "/")
    page.get_by_role("link", name="忘記密碼").click()
    expect(page.get_by_role("heading", name="忘記密碼")).to_be_visible()
    # Sent empty: each field says what it needs, announced; the captcha is not blamed.
    page.get_by_role("button", name="確定").click()
    expect(page.get_by_role("alert")).to_contain_text("資料有誤")
    for label in ("（必填）帳號", "（必填）電子郵件"):
        expect(page.get_by_label(label)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("驗證碼", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("驗證碼錯誤")).to_have_count(0)
    page.get_by_label("（必填）帳號").fill("tester01")
    page.get_by_label("（必填）電子郵件").fill("wang@example.org")
    answer_captcha(page, live)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("若帳號與電子郵件相符")
    page.reload()  # POST/redirect/GET: a reload sends nothing again
    wait_for_reset_requests(live.hub)
    with live.hub.database.unit_of_work() as db:
        body = db.query(MailMessage).one().body
    link = re.search(r"http://\S+", body)
    assert link
    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="設定新密碼")).to_be_visible()
    page.get_by_label("新密碼", exact=True).fill(NEW)
    expect(page.locator("[data-strength-level]")).to_have_text("強")
    page.get_by_label("再輸入一次新密碼", exact=True).fill(NEW)
    page.get_by_role("button", name="確定").click()
    expect(page.get_by_role("heading", name="密碼已更新")).to_be_visible()
    sign_in(page, live, password=NEW)
    expect(page.get_by_role("heading", name=re.compile("您好"))).to_be_visible()


def test_profile_and_sessions_pages(page: Page, live: LiveHub) -> None:
    add_account(live.hub)
    sign_in(page, live)
    page.get_by_role("link", name="個人資料").click()
    page.get_by_label("職稱", exact=True).fill("護理師")
    page.get_by_label("手機", exact=True).fill("0812345678")
    page.get_by_role("button", name="儲存").click()
    expect(page.locator("#mobile-error")).to_contain_text("09 開頭")
    expect(page.get_by_label("手機", exact=True)).to_have_attribute("aria-invalid", "true")
    page.get_by_label("手機", exact=True).fill("0912345678")  # any usual spelling
    page.get_by_label("市話", exact=True).fill("0212345678")
    page.get_by_role("button", name="儲存").click()
    expect(page.get_by_role("status")).to_contain_text("已儲存")
    expect(page.get_by_label("手機", exact=True)).to_have_value("0912-345678")
    expect(page.get_by_label("市話", exact=True)).to_have_value("02-12345678")
    page.get_by_role("link", name="登入裝置").click()
    expect(page.get_by_role("heading", name="登入裝置")).to_be_visible()
    expect(page.get_by_text("本裝置")).to_be_visible()
    page.get_by_role("button", name="登出").last.click()
    expect(page.get_by_role("heading", name="服務登入")).to_be_visible()


def test_security_admin_pages(page: Page, live: LiveHub) -> None:
    add_account(live.hub)
    add_account(live.hub, username="secadmin1")
    with live.hub.database.unit_of_work() as db:
        db.query(Account).filter_by(username="secadmin1").one().is_security_admin = True
        db.query(Account).filter_by(username="tester01").one().password_changed_at = (
            utcnow() - timedelta(days=1)
        )
    for _ in range(3):
        sign_in(page, live, password="Wrong~Password9")
    sign_in(page, live, username="secadmin1")
    page.get_by_role("link", name="系統管理設定").click()
    page.get_by_role("link", name=re.compile("安全政策")).click()
    page.get_by_label(re.compile("^最短長度")).fill("14")
    page.get_by_label("變更原因", exact=True).fill("稽核建議")
    page.get_by_role("button", name="儲存", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已儲存為新版本")
    expect(page.get_by_role("cell", name="稽核建議")).to_be_visible()
    page.goto(live.url + "/admin/accounts")
    page.get_by_label("帳號或姓名", exact=True).fill("tester")
    page.get_by_role("button", name="查詢").click()
    page.get_by_role("link", name="tester01").click()
    expect(page.locator("[data-locked]")).to_have_text("鎖定中")
    page.get_by_role("button", name="解除鎖定").click()
    expect(page.locator("[data-locked]")).to_have_text("未鎖定")
    page.goto(live.url + "/admin/outbox")
    expect(page.get_by_role("heading", name=re.compile("郵件寄件匣"))).to_be_visible()


def test_email_change_confirmation_page(page: Page, live: LiveHub) -> None:
    add_account(live.hub)
    sign_in(page, live)
    page.goto(live.url + "/account/profile")
    page.get_by_label("職稱", exact=True).fill("護理師")
    page.get_by_label("市話", exact=True).fill("02-12345678#9")
    page.get_by_label("電子郵件", exact=True).fill("new.wang@example.org")
    page.get_by_label("目前的密碼（變更電子郵件時必填）").fill(PASSWORD)
    page.get_by_role("button", name="儲存").click()
    expect(page.get_by_role("status").filter(has_text="new.wang@example.org")).to_be_visible()
    with live.hub.database.unit_of_work() as db:
        body = db.query(MailMessage).filter_by(kind="email_confirm").one().body
    link = re.search(r"http://\S+", body)
    assert link
    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="電子郵件已確認")).to_be_visible()
    expect(page.get_by_text("new.wang@example.org")).to_be_visible()


def test_sign_out_confirmation_page(page: Page, live: LiveHub) -> None:
    add_account(live.hub)
    sign_in(page, live)
    page.goto(live.url + "/signout")
    expect(page.get_by_role("heading", name="確定要登出嗎？")).to_be_visible()
    page.get_by_role("button", name="登出").last.click()
    expect(page.get_by_role("heading", name="您已登出")).to_be_visible()
