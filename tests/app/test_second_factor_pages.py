"""兩步驟驗證 pages through Flask's test client: what each refuses — changes to one's own
factors in a session without one, a reset outside the manager's scope or of one's own,
ceremonies without their context, a policy with no kind ticked."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from idp.app import create_app
from idp.hub import Hub
from idp.models import AccountRole, UnitKind
from idp.services import policy
from idp.services.accounts.directory import find_by_username
from idp.services.factors.requirement import held_kinds

from ..support.applications import add_admin, add_unit
from ..support.factors import enrol_app, new_recovery_codes
from ..support.helpers import add_account, client_sign_in, page_fields
from ..support.hub import prepared_hub

HOSPITAL = "0101090517"
CLINIC = "3501200000"
AUTHORITY = "A000000000"


def signed_in(app: Flask, hub: Hub, username: str) -> FlaskClient:
    client = app.test_client()
    answer = client_sign_in(client, hub, username=username)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    return client


def post(client: FlaskClient, path: str, **data: str):  # type: ignore[no-untyped-def]
    fields = page_fields(client.get("/account/sessions").get_data(as_text=True))
    return client.post(path, data={"csrf_token": fields["csrf_token"], **data})


def account_id(hub: Hub, username: str) -> int:
    with hub.database.unit_of_work() as db:
        account = find_by_username(db, username)
        assert account is not None
        return account.id


def test_a_session_without_a_second_factor_cannot_change_one(app: Flask, hub: Hub) -> None:
    """Someone who signed in with the password, then added an app elsewhere (or here),
    removes nothing in this session: signing in with the factor comes first."""
    add_account(hub)
    client = signed_in(app, hub, "tester01")
    enrol_app(hub, "tester01")
    page = client.get("/account/factors").get_data(as_text=True)
    assert "變更兩步驟驗證設定前，請先登出" in page and "移除驗證器 App" not in page
    assert post(client, "/account/factors/totp/remove").status_code == 403
    assert post(client, "/account/factors/recovery-codes").status_code == 403
    assert post(client, "/account/factors/passkeys/options").status_code == 403
    assert client.get("/account/factors/totp").status_code == 403
    with hub.database.unit_of_work() as db:
        account = find_by_username(db, "tester01")
        assert account is not None and held_kinds(db, account) == {"totp"}


@pytest.fixture
def localhost_app(settings_for) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """A hub at http://localhost: a host name, so passkeys can belong to it."""
    the_hub = prepared_hub(settings_for(issuer="http://localhost:5999"))
    yield create_app(the_hub.settings, hub=the_hub)
    the_hub.close()


def test_ceremonies_need_their_context(localhost_app: Flask) -> None:
    hub: Hub = localhost_app.extensions["onedoor"]
    client = localhost_app.test_client()
    fields = page_fields(client.get("/signin").get_data(as_text=True))
    token = {"csrf_token": fields["csrf_token"]}
    assert client.post("/signin/second-factor/passkey-options", data=token).status_code == 400
    second = client.get("/signin/second-factor")
    assert second.status_code == 302 and second.headers["Location"].endswith("/signin")
    options = client.post("/signin/passkey/options", data=token)
    assert options.status_code == 200 and options.json["userVerification"] == "required"  # type: ignore[index]
    assert options.json["rpId"] == "localhost" and options.json["allowCredentials"] == []  # type: ignore[index]
    with hub.database.unit_of_work() as db:
        policy.change_policy(db, {"mfa.passwordless": "false"}, actor="t", reason="r")
    hub.policy.reload()
    assert client.post("/signin/passkey/options", data=token).status_code == 404
    assert "免輸入密碼" not in client.get("/signin").get_data(as_text=True)
    refused = client.post("/signin/passkey", data={**token, "credential": "{}"})
    assert refused.status_code == 401
    assert "目前不開放僅以通行密鑰登入" in refused.get_data(as_text=True)


def test_no_passkeys_for_a_hub_at_an_ip_address(app: Flask, hub: Hub) -> None:
    """Browsers take no IP address as a passkey's relying party: nothing is offered."""
    client = app.test_client()
    page = client.get("/signin").get_data(as_text=True)
    assert "免輸入密碼" not in page
    token = {"csrf_token": page_fields(page)["csrf_token"]}
    assert client.post("/signin/passkey/options", data=token).status_code == 404
    add_account(hub)
    signed = signed_in(app, hub, "tester01")
    assert "通行密鑰需要以網域名稱開啟本系統" in signed.get("/account/factors").get_data(
        as_text=True
    )


@pytest.fixture
def units(hub: Hub) -> Hub:
    add_account(hub, "member01")
    add_unit(hub, CLINIC, "示範診所")
    add_unit(hub, AUTHORITY, "國民健康署", UnitKind.AUTHORITY)
    add_admin(hub, "hospadmin", HOSPITAL)
    add_admin(hub, "clinicadmin", CLINIC)
    add_admin(hub, "hpaadmin", AUTHORITY)
    enrol_app(hub, "member01")
    return hub


def reset(client: FlaskClient, target: int, reason: str = "手機遺失"):  # type: ignore[no-untyped-def]
    fields = page_fields(client.get("/account/sessions").get_data(as_text=True))
    return client.post(
        f"/unit/accounts/{target}/second-factors/reset",
        data={"csrf_token": fields["csrf_token"], "reason": reason},
    )


def test_reset_within_the_managers_scope_only(app: Flask, units: Hub) -> None:
    member = account_id(units, "member01")
    hospadmin = account_id(units, "hospadmin")
    other_unit = signed_in(app, units, "clinicadmin")
    assert reset(other_unit, member).status_code == 404
    own_unit = signed_in(app, units, "hospadmin")
    assert reset(own_unit, hospadmin).status_code == 400  # not their own
    assert "重設兩步驟驗證" not in own_unit.get(f"/unit/accounts/{hospadmin}").get_data(
        as_text=True
    )
    assert reset(own_unit, member, reason=" ").status_code == 400
    with units.database.unit_of_work() as db:
        account = find_by_username(db, "member01")
        assert account is not None and held_kinds(db, account) == {"totp"}
    done = reset(own_unit, member)
    assert done.status_code == 302 and done.headers["Location"].endswith("done=factors_reset")
    with units.database.unit_of_work() as db:
        account = find_by_username(db, "member01")
        assert account is not None and held_kinds(db, account) == frozenset()
    # The authority may reset a unit admin's.
    enrol_app(units, "hospadmin")
    assert reset(signed_in(app, units, "hpaadmin"), hospadmin).status_code == 302


def test_a_member_resets_nobodys(app: Flask, units: Hub) -> None:
    add_account(units, "member02")
    member = account_id(units, "member01")
    assert reset(signed_in(app, units, "member02"), member).status_code == 403


def test_the_policy_needs_one_kind_per_role(app: Flask, hub: Hub) -> None:
    add_account(hub, "secadmin1", role=AccountRole.MEMBER)
    with hub.database.unit_of_work() as db:
        admin = find_by_username(db, "secadmin1")
        assert admin is not None
        admin.is_security_admin = True
    client = signed_in(app, hub, "secadmin1")
    fields = page_fields(client.get("/admin/policy").get_data(as_text=True))
    refused = client.post(
        "/admin/policy",
        data={"csrf_token": fields["csrf_token"], "mfa.member_kinds": "", "reason": "試"},
    )
    assert refused.status_code == 400
    assert "一般使用者可用的方式 須為 passkey / totp 其中至少一項" in refused.get_data(as_text=True)


def test_own_data_lists_second_factors_without_secrets(app: Flask, hub: Hub) -> None:
    add_account(hub)
    client = signed_in(app, hub, "tester01")
    secret = enrol_app(hub, "tester01")
    codes = new_recovery_codes(hub, "tester01")
    body = client.get("/account/data.json").get_data(as_text=True)
    factors = json.loads(body)["second_factors"]
    assert factors["passkeys"] == [] and factors["authenticator_app"]["created_at"]
    assert factors["recovery_codes_left"] == 10
    assert secret not in body and codes[0] not in body
