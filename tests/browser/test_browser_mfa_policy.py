"""The second-factor policy in headless Chromium: a security admin requires it for unit
admins on the policy page; a unit admin without one is led to enrol at sign-in and
reaches no admin page until done (at once once the grace period is over, only the admin
pages before); a unit admin resets a member's second factor, who must then enrol again."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from idp.models import Account, AuditEvent, MailMessage
from idp.services import policy

from ..support.applications import add_admin
from ..support.factors import code_at, secret_from_page
from ..support.helpers import PASSWORD, add_account
from ..support.hub import LiveHub, start_live_hub

HOSPITAL = "0101090517"


@pytest.fixture
def live(settings_for) -> Iterator[LiveHub]:  # type: ignore[no-untyped-def]
    for live_hub in start_live_hub(settings_for, captcha=False):
        add_account(live_hub.hub, "member01", name="林成員")  # makes the unit too
        add_admin(live_hub.hub, "hospadmin", HOSPITAL)
        yield live_hub


def require_for_unit_admins(live: LiveHub, grace_days: int) -> None:
    with live.hub.database.unit_of_work() as db:
        policy.change_policy(
            db,
            {"mfa.unit_admin_required": "true", "mfa.unit_admin_grace_days": str(grace_days)},
            actor="test",
            reason="ASVS",
        )
    live.hub.policy.reload()


def password_sign_in(page: Page, live: LiveHub, username: str) -> None:
    page.context.clear_cookies()
    page.goto(live.url + "/signin")
    page.get_by_label("帳號", exact=True).fill(username)
    page.get_by_label("密碼", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登入", exact=True).click()


def set_up_app(page: Page) -> str:
    page.get_by_role("link", name="設定驗證器 App").click()
    secret = secret_from_page(page.locator("[data-totp-secret]").inner_text())
    page.get_by_label("驗證碼（6 位數字）").fill(code_at(secret))
    page.get_by_role("button", name="完成設定").click()
    page.get_by_role("link", name="我已保存，繼續").click()
    return secret


def test_security_admin_requires_it_for_unit_admins_on_the_policy_page(
    page: Page, live: LiveHub
) -> None:
    add_account(live.hub, "secadmin1", name="資安")
    with live.hub.database.unit_of_work() as db:
        db.scalars(
            select(Account).where(Account.username == "secadmin1")
        ).one().is_security_admin = True
    password_sign_in(page, live, "secadmin1")
    page.goto(live.url + "/admin/policy")
    second_factors = page.get_by_role("group", name="兩步驟驗證", exact=True)
    second_factors.get_by_label("單位業務管理者須設定兩步驟驗證").select_option("true")
    second_factors.get_by_label("單位業務管理者首次登入後幾天內須完成設定").fill("0")
    kinds = second_factors.get_by_role("group", name="單位業務管理者可用的方式")
    kinds.get_by_label("驗證器 App").uncheck()
    page.get_by_label("變更原因").fill("ASVS 第 2 級")
    page.get_by_role("button", name="儲存", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="已儲存為新版本")).to_be_visible()
    expect(kinds.get_by_label("驗證器 App")).not_to_be_checked()
    expect(kinds.get_by_label("通行密鑰或安全金鑰")).to_be_checked()
    with live.hub.database.unit_of_work() as db:
        rule = policy.current_policy(db).mfa.rule("unit_admin")
        assert rule.required and rule.kinds == ("passkey",) and rule.grace_days == 0
        assert policy.current_policy(db).mfa.rule("member").kinds == ("passkey", "totp")


def test_unit_admin_is_led_to_enrol_and_reaches_no_admin_page_until_done(
    page: Page, live: LiveHub
) -> None:
    require_for_unit_admins(live, grace_days=0)
    password_sign_in(page, live, "hospadmin")
    expect(page).to_have_url(re.compile(r"/account/factors$"))
    notice = page.locator("#factors-required")
    expect(notice).to_contain_text("您的角色須設定兩步驟驗證")
    expect(notice).to_contain_text("設定期限已過")
    for path in ("/unit/", "/unit/accounts", "/review/applications", "/", "/account/profile"):
        page.goto(live.url + path)
        expect(page).to_have_url(re.compile(r"/account/factors$"))
    set_up_app(page)
    expect(page.locator("#factors-required")).to_have_count(0)
    page.goto(live.url + "/unit/accounts")
    expect(page.get_by_role("heading", name="人員帳號管理")).to_be_visible()

    # Next time the second step is asked for.
    password_sign_in(page, live, "hospadmin")
    expect(page.get_by_role("heading", name="兩步驟驗證")).to_be_visible()


def test_within_the_grace_period_only_the_admin_pages_wait(page: Page, live: LiveHub) -> None:
    require_for_unit_admins(live, grace_days=14)
    password_sign_in(page, live, "hospadmin")
    expect(page).to_have_url(re.compile(r"/account/factors$"))
    expect(page.locator("#factors-required")).to_contain_text("前完成；完成前無法使用管理功能")
    page.get_by_role("link", name="稍後再設定").click()
    expect(page.get_by_role("heading", name="您好，管理者hospadmin")).to_be_visible()
    page.goto(live.url + "/account/profile")
    expect(page.get_by_role("heading", name="個人資料")).to_be_visible()
    page.goto(live.url + "/unit/accounts")
    expect(page).to_have_url(re.compile(r"/account/factors$"))
    with live.hub.database.unit_of_work() as db:
        admin = db.scalars(select(Account).where(Account.username == "hospadmin")).one()
        assert admin.second_factor_due_at is not None


def test_unit_admin_resets_a_members_second_factor(page: Page, live: LiveHub) -> None:
    password_sign_in(page, live, "member01")
    page.get_by_role("link", name="兩步驟驗證").click()
    set_up_app(page)

    password_sign_in(page, live, "hospadmin")
    page.get_by_role("link", name="人員帳號管理").click()
    page.get_by_role("link", name="member01").click()
    factors = page.get_by_role("region", name="兩步驟驗證")
    expect(factors).to_contain_text("已設定")
    factors.get_by_label("（必填）重設原因").fill("手機遺失，已核對身分")
    factors.get_by_role("button", name="重設兩步驟驗證").click()
    expect(page.get_by_role("status").filter(has_text="已重設兩步驟驗證")).to_be_visible()
    expect(factors).to_contain_text("未設定")

    # The member signs in with the password alone now.
    password_sign_in(page, live, "member01")
    expect(page.get_by_role("heading", name="您好，林成員")).to_be_visible()
    with live.hub.database.unit_of_work() as db:
        reset = db.scalars(
            select(AuditEvent).where(AuditEvent.action == "second_factor.reset")
        ).one()
        assert (reset.actor, reset.target, reset.details["removed"]) == (
            "hospadmin",
            "member01",
            ["totp"],
        )
        mail = db.scalars(select(MailMessage).where(MailMessage.kind == "second_factor_reset"))
        assert "管理者hospadmin 已重設您帳號 member01 的兩步驟驗證" in mail.one().body
