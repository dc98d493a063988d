"""Passkeys in headless Chromium with a virtual authenticator (the DevTools WebAuthn
domain): add one on 兩步驟驗證, sign in with password and passkey, sign in with the passkey
alone, remove it; a page of another origin gets nothing from it; a subsystem that asks
for the phishing-resistant level gets the passkey-or-card prompt and an ID token that
says so."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from idp.models import AuditEvent, Passkey
from idp.services.signin.steps import ACR_PHISHING_RESISTANT

from ..support.factors import VirtualAuthenticator
from ..support.helpers import PASSWORD, add_account, add_client, query
from ..support.hub import LiveHub, free_port, serve, start_live_hub
from ..support.oidc import exchange, oidc_client, start, verify_id_token


@pytest.fixture
def live(settings_for) -> Iterator[LiveHub]:  # type: ignore[no-untyped-def]
    """A hub whose issuer is http://localhost:<port>: a passkey's relying-party id is a
    host name, never an IP address."""
    yield from start_live_hub(settings_for, host="localhost", captcha=False)


@pytest.fixture
def authenticator(page: Page) -> VirtualAuthenticator:
    return VirtualAuthenticator(page)


def sign_in_with_password(page: Page, live: LiveHub, username: str = "member01") -> None:
    page.goto(live.url + "/signin")
    page.get_by_label("帳號", exact=True).fill(username)
    page.get_by_label("密碼", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登入", exact=True).click()


def add_passkey(page: Page, live: LiveHub, name: str) -> None:
    page.goto(live.url + "/account/factors")
    page.get_by_label("新通行密鑰的名稱").fill(name)
    page.get_by_role("button", name="新增通行密鑰").click()


def test_add_a_passkey_sign_in_with_it_then_alone_then_remove_it(
    page: Page, live: LiveHub, authenticator: VirtualAuthenticator
) -> None:
    add_account(live.hub, "member01", name="林成員")
    sign_in_with_password(page, live)
    page.get_by_role("link", name="兩步驟驗證").click()
    expect(page.get_by_role("heading", name="兩步驟驗證", exact=True)).to_be_visible()
    page.get_by_label("新通行密鑰的名稱").fill("辦公室電腦")
    page.get_by_role("button", name="新增通行密鑰").click()

    # The first factor comes with ten recovery codes, shown this once.
    expect(page.get_by_role("list", name="您的復原碼")).to_be_visible()
    expect(page.get_by_role("list", name="您的復原碼").get_by_role("listitem")).to_have_count(10)
    page.get_by_role("link", name="我已保存，繼續").click()
    row = page.get_by_role("row", name=re.compile("辦公室電腦"))
    expect(row).to_contain_text("尚未使用")
    (credential,) = authenticator.credentials()
    assert credential["isResidentCredential"] is True

    # Password, then the passkey.
    page.context.clear_cookies()
    sign_in_with_password(page, live)
    expect(page.get_by_role("heading", name="兩步驟驗證")).to_be_visible()
    page.get_by_role("button", name="使用通行密鑰").click()
    expect(page.get_by_role("heading", name="您好，林成員")).to_be_visible()

    # The passkey alone.
    page.context.clear_cookies()
    page.goto(live.url + "/signin")
    page.get_by_role("button", name="使用通行密鑰（免輸入密碼）").click()
    expect(page.get_by_role("heading", name="您好，林成員")).to_be_visible()
    with live.hub.database.unit_of_work() as db:
        amrs = [
            e.details["amr"]
            for e in db.scalars(select(AuditEvent).where(AuditEvent.action == "signin.success"))
        ]
    assert amrs[-2:] == [["pwd", "hwk", "user", "pin", "mfa"], ["hwk", "user", "pin", "mfa"]]

    # Remove it: the authenticator still holds the key, but the hub knows it no more.
    page.get_by_role("link", name="兩步驟驗證").click()
    expect(row).not_to_contain_text("尚未使用")
    page.get_by_role("button", name="移除 辦公室電腦").click()
    expect(page.get_by_role("status").filter(has_text="已移除")).to_be_visible()
    expect(page.get_by_role("cell", name="尚未新增")).to_be_visible()
    page.context.clear_cookies()
    page.goto(live.url + "/signin")
    page.get_by_role("button", name="使用通行密鑰（免輸入密碼）").click()
    expect(page.get_by_role("alert")).to_have_text("通行密鑰驗證失敗，請重新操作")
    # Without a second factor the password alone signs in again.
    sign_in_with_password(page, live)
    expect(page.get_by_role("heading", name="您好，林成員")).to_be_visible()


def test_another_origin_is_refused(
    page: Page, live: LiveHub, authenticator: VirtualAuthenticator
) -> None:
    """The same hub answering on another port of localhost — a look-alike relaying the
    ceremony, as far as the browser can tell: a passkey made or used there names that
    origin, and the hub refuses it."""
    add_account(live.hub, "member01", name="林成員")
    sign_in_with_password(page, live)
    add_passkey(page, live, "辦公室電腦")
    expect(page.get_by_role("list", name="您的復原碼")).to_be_visible()
    other_port = free_port()
    other = serve(live.app, other_port)
    try:
        elsewhere = f"http://localhost:{other_port}"
        page.context.clear_cookies()
        page.goto(elsewhere + "/signin")
        page.get_by_role("button", name="使用通行密鑰（免輸入密碼）").click()
        expect(page.get_by_role("alert")).to_have_text("通行密鑰驗證失敗，請重新操作")

        page.get_by_label("帳號", exact=True).fill("member01")
        page.get_by_label("密碼", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="登入", exact=True).click()
        page.get_by_role("button", name="使用通行密鑰").click()
        expect(page.get_by_role("alert")).to_have_text("通行密鑰驗證失敗，請重新操作")
        expect(page).to_have_url(re.compile(r"/signin/second-factor$"))
    finally:
        other.shutdown()
    with live.hub.database.unit_of_work() as db:
        reasons = [
            e.details["reason"]
            for e in db.scalars(select(AuditEvent).where(AuditEvent.action == "signin.failure"))
        ]
        assert reasons == ["passkey:assertion", "passkey:assertion"]
        assert len(db.scalars(select(Passkey)).all()) == 1


def test_another_origin_cannot_add_a_passkey(
    page: Page, live: LiveHub, authenticator: VirtualAuthenticator
) -> None:
    add_account(live.hub, "member01", name="林成員")
    other_port = free_port()
    other = serve(live.app, other_port)
    try:
        page.goto(f"http://localhost:{other_port}/signin")
        page.get_by_label("帳號", exact=True).fill("member01")
        page.get_by_label("密碼", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="登入", exact=True).click()
        page.goto(f"http://localhost:{other_port}/account/factors")
        page.get_by_label("新通行密鑰的名稱").fill("釣魚網站")
        page.get_by_role("button", name="新增通行密鑰").click()
        expect(page.get_by_role("alert")).to_have_text("通行密鑰驗證失敗，請重新操作")
    finally:
        other.shutdown()
    with live.hub.database.unit_of_work() as db:
        assert db.scalars(select(Passkey)).all() == []
        refused = db.scalars(
            select(AuditEvent).where(AuditEvent.action == "second_factor.add_refused")
        ).one()
        details = dict(refused.details)
        assert details.pop("request_id")  # the refused request's id
        assert details == {"kind": "passkey", "reason": "registration"}


def test_phishing_resistant_level_prompts_for_a_passkey_or_card(
    page: Page, live: LiveHub, authenticator: VirtualAuthenticator
) -> None:
    """A subsystem asks ``acr_values`` for the phishing-resistant level: the sign-in page
    offers a passkey or a card; the passkey gives an ID token at that level, checked with
    Authlib's client and PyJWT."""
    add_account(live.hub, "member01", name="林成員")
    sign_in_with_password(page, live)
    add_passkey(page, live, "辦公室電腦")
    page.get_by_role("link", name="我已保存，繼續").click()

    callback = f"http://127.0.0.1:{free_port()}/cb"  # port 9 is one Chromium never opens
    client = add_client(live.hub, redirect_uris=[callback])
    session = oidc_client(live, client)
    url, verifier, nonce = start(live, session, acr_values=ACR_PHISHING_RESISTANT)
    page.goto(url)  # signed in with the password only: not enough
    expect(
        page.get_by_role("status").filter(has_text="此系統需要以通行密鑰或卡片登入")
    ).to_be_visible()
    expect(page.locator("details#card-signin")).to_have_attribute("open", "")
    with page.expect_request(lambda request: request.url.startswith(callback)) as sent:
        page.get_by_role("button", name="使用通行密鑰（免輸入密碼）").click()
    redirect = sent.value.url
    assert query(redirect)["iss"] == live.url
    token = exchange(live, session, redirect, verifier)
    claims = verify_id_token(live, token["id_token"], client.client_id, nonce)
    assert claims["acr"] == ACR_PHISHING_RESISTANT
    assert claims["amr"] == ["hwk", "user", "pin", "mfa"]
