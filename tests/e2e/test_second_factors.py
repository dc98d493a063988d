"""Second factors over HTTP, end to end: the levels in discovery, ID tokens at the
second-factor level checked with Authlib's client and PyJWT, step-up to the level a
request or a client asks for (``login_required`` without a page under ``prompt=none``),
a recovery code mailed through a real SMTP server, and the demo subsystem showing the
level it received."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session

from idp.services.signin.steps import (
    ACR_CARD,
    ACR_MFA,
    ACR_PASSWORD,
    ACR_PHISHING_RESISTANT,
)

from ..support.factors import code_at, enrol_app, new_recovery_codes, second_step
from ..support.helpers import (
    REDIRECT_URI,
    ClientInfo,
    Person,
    add_account,
    add_client,
    form_with,
    query,
)
from ..support.hub import LiveHub, start_live_hub
from ..support.oidc import exchange, oidc_client, start, verify_id_token
from ..support.rps import start_rps
from ..support.smtp import SmtpServer
from ..support.switch_in import hold


@pytest.fixture
def client(live_hub: LiveHub) -> ClientInfo:
    return add_client(live_hub.hub)


@pytest.fixture
def person(live_hub: LiveHub) -> Person:
    add_account(live_hub.hub)
    return Person(live_hub.hub, live_hub.url)


def to_second_step(person: Person, url: str) -> requests.Response:
    """Start at ``url`` and give the password; the page that asks for the second step."""
    page = person.follow(person.http.get(url, allow_redirects=False))
    assert isinstance(page, requests.Response)
    second = person.follow(person.sign_in_form(page))
    assert isinstance(second, requests.Response) and "兩步驟驗證" in second.text, second.text
    return second


def id_token_after(
    live: LiveHub, person: Person, client: ClientInfo, method: str, code: str, **params: Any
) -> dict[str, Any]:
    session = oidc_client(live, client)
    url, verifier, nonce = start(live, session, **params)
    callback = person.follow(second_step(person, to_second_step(person, url), method, code))
    assert isinstance(callback, str), callback.text[:2000]
    token = exchange(live, session, callback, verifier)
    return verify_id_token(live, token["id_token"], client.client_id, nonce)


def test_discovery_lists_the_levels_weakest_first(live_hub: LiveHub) -> None:
    metadata = requests.get(live_hub.url + "/.well-known/openid-configuration", timeout=5).json()
    assert metadata["acr_values_supported"] == [
        ACR_PASSWORD,
        ACR_MFA,
        ACR_PHISHING_RESISTANT,
        ACR_CARD,
    ]


def test_authenticator_code_gives_the_second_factor_level(
    live_hub: LiveHub, client: ClientInfo, person: Person
) -> None:
    secret = enrol_app(live_hub.hub, "tester01")
    claims = id_token_after(
        live_hub, person, client, "totp", code_at(secret, 1), acr_values=ACR_MFA
    )
    assert claims["acr"] == ACR_MFA
    assert claims["amr"] == ["pwd", "otp", "mfa"]


def test_prompt_none_below_the_level_asked_is_login_required(
    live_hub: LiveHub, client: ClientInfo, person: Person
) -> None:
    person.sign_in_at_home()  # password only: no second factor held
    for level in (ACR_MFA, ACR_PHISHING_RESISTANT):
        session = oidc_client(live_hub, client)
        url, _, _ = start(live_hub, session, acr_values=level, prompt="none", state="s1")
        callback = person.follow(person.http.get(url, allow_redirects=False))
        assert isinstance(callback, str)
        assert query(callback)["error"] == "login_required"
        assert query(callback)["state"] == "s1" and query(callback)["iss"] == live_hub.url
    # The card level is still asked for as before.
    session = oidc_client(live_hub, client)
    url, _, _ = start(live_hub, session, acr_values=ACR_CARD)
    page = person.follow(person.http.get(url, allow_redirects=False))
    assert isinstance(page, requests.Response)
    assert "此系統需要以卡片登入" in page.text
    assert 'details id="card-signin" class="card-signin" open' in page.text


def test_a_client_minimum_leads_someone_without_a_second_factor_to_enrol_one(
    live_hub: LiveHub, person: Person
) -> None:
    """A client registered with the second-factor level as its minimum: a password-only
    session signs in again; someone with no second factor is led to set one up, then
    signs in with it, and the client gets its code."""
    client = add_client(live_hub.hub, min_acr=ACR_MFA)
    person.sign_in_at_home()
    session = oidc_client(live_hub, client)
    url, verifier, nonce = start(live_hub, session)
    step_up = person.follow(person.http.get(url, allow_redirects=False))
    assert isinstance(step_up, requests.Response)
    assert "此系統需要兩步驟驗證" in step_up.text
    factors = person.follow(person.sign_in_form(step_up))
    assert isinstance(factors, requests.Response) and factors.url.startswith(
        live_hub.url + "/account/factors?rid="
    )
    assert "您要登入的系統需要兩步驟驗證" in factors.text

    setup = person.http.get(
        live_hub.url + "/account/factors/totp", params={"rid": query(factors.url)["rid"]}
    )
    secret = "".join(re.search(r"data-totp-secret>([^<]+)<", setup.text).group(1).split())  # type: ignore[union-attr]
    form = form_with(setup.text, "code")
    codes_page = person.http.post(
        live_hub.url + form["action"], data=dict(form["fields"], code=code_at(secret))
    )
    assert "只會顯示這一次" in codes_page.text
    resume = re.search(r'href="(/authorize\?rid=[^"]+)"', codes_page.text)
    assert resume is None  # the codes page leads back to 兩步驟驗證 first
    overview = person.http.get(
        live_hub.url + re.search(r'href="(/account/factors\?rid=[^"]+)"', codes_page.text).group(1)  # type: ignore[union-attr]
    )
    carry_on = re.search(r'href="(/authorize\?rid=[^"]+)"', overview.text)
    assert carry_on is not None
    again = person.follow(person.http.get(live_hub.url + carry_on.group(1), allow_redirects=False))
    assert isinstance(again, requests.Response) and "此系統需要兩步驟驗證" in again.text
    second = person.follow(person.sign_in_form(again))
    assert isinstance(second, requests.Response)
    callback = person.follow(second_step(person, second, "totp", code_at(secret, 1)))
    assert isinstance(callback, str)
    token = exchange(live_hub, session, callback, verifier)
    claims = verify_id_token(live_hub, token["id_token"], client.client_id, nonce)
    assert (claims["acr"], claims["amr"]) == (ACR_MFA, ["pwd", "otp", "mfa"])


@pytest.fixture
def mailing_hub(settings_for, smtp: SmtpServer) -> Iterator[LiveHub]:  # type: ignore[no-untyped-def]
    yield from start_live_hub(settings_for, smtp_url=smtp.url)


def test_recovery_code_signs_in_once_and_is_mailed(mailing_hub: LiveHub, smtp: SmtpServer) -> None:
    add_account(mailing_hub.hub)
    enrol_app(mailing_hub.hub, "tester01")
    codes = new_recovery_codes(mailing_hub.hub, "tester01")
    client = add_client(mailing_hub.hub)
    claims = id_token_after(
        mailing_hub, Person(mailing_hub.hub, mailing_hub.url), client, "recovery", codes[3]
    )
    assert (claims["acr"], claims["amr"]) == (ACR_MFA, ["pwd", "mfa"])
    (message,) = smtp.inbox.wait_for(1)
    assert message["To"] == "wang@example.org"
    assert "剛以一組復原碼完成兩步驟驗證登入" in smtp.inbox.body(message)
    assert "尚餘 9 組" in smtp.inbox.body(message)
    again = Person(mailing_hub.hub, mailing_hub.url)
    session = oidc_client(mailing_hub, client)
    url, _, _ = start(mailing_hub, session)
    refused = second_step(again, to_second_step(again, url), "recovery", codes[3])
    assert refused.status_code == 401 and "復原碼不正確或已使用過" in refused.text


def test_the_demo_subsystem_shows_the_level_it_received(live_hub: LiveHub) -> None:
    add_account(live_hub.hub)
    hold(live_hub.hub, "tester01", "mch", "tester01@mch", menu_roles=())
    secret = enrol_app(live_hub.hub, "tester01")
    person = Person(live_hub.hub, live_hub.url)
    for rps in start_rps(live_hub, ("mch",)):
        base = rps[0].url
        second = to_second_step(person, base + "/login")
        home = person.follow(second_step(person, second, "totp", code_at(secret, 1)), "nowhere")
        assert isinstance(home, requests.Response) and home.url == base + "/"
        assert f"<dd data-acr>{ACR_MFA}</dd>" in home.text
        assert "<dd data-amr>pwd otp mfa</dd>" in home.text


def test_a_factor_added_later_does_not_raise_the_sessions_level(
    live_hub: LiveHub, client: ClientInfo, person: Person
) -> None:
    """A session signed in with the password stays at the password level when a second
    factor is added later: a request for the second-factor level under prompt=none gets
    login_required."""
    person.sign_in_at_home()
    enrol_app(live_hub.hub, "tester01")
    authlib_session: OAuth2Session = oidc_client(live_hub, client)
    url, _, _ = start(live_hub, authlib_session, acr_values=ACR_MFA, prompt="none")
    callback = person.follow(person.http.get(url, allow_redirects=False), REDIRECT_URI)
    assert isinstance(callback, str) and query(callback)["error"] == "login_required"
