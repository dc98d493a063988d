"""人員帳號管理 and 帳號/權限異動 over HTTP: adding an account keeps what was typed when
refused, disabling asks first and shuts the person out (sessions and tokens), another
unit's admin reaches nothing by changing an id, and the authority decides role changes."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from idp.models import Account, AccountRole, AccountStatus, MailMessage, RoleChange, UnitKind

from ..support.applications import (
    AUTHORITY,
    HOSPITAL,
    OTHER_HOSPITAL,
    add_admin,
    add_unit,
    decide,
    national_id,
)
from ..support.helpers import PASSWORD, Person, add_client, form_with
from ..support.hub import LiveHub
from ..support.oidc import exchange, oidc_client, start

pytestmark = pytest.mark.timeout(120)

NEW_ACCOUNT = {
    "username": "newhire01",
    "national_id": national_id("C", "12345678"),
    "name": "陳新進",
    "title": "個管師",
    "phone": "02-27654321#88",
    "email": "newhire@example.org",
}


@pytest.fixture
def units(live_hub: LiveHub) -> LiveHub:
    add_unit(live_hub.hub, HOSPITAL, "示範綜合醫院")
    add_unit(live_hub.hub, OTHER_HOSPITAL, "另一家醫院")
    add_unit(live_hub.hub, AUTHORITY, "國民健康署", UnitKind.AUTHORITY)
    add_admin(live_hub.hub, "hospadmin", HOSPITAL)
    add_admin(live_hub.hub, "otheradmin", OTHER_HOSPITAL)
    add_admin(live_hub.hub, "hpaadmin", AUTHORITY)
    return live_hub


def signed_in(live: LiveHub, username: str, password: str = PASSWORD) -> Person:
    person = Person(live.hub, live.url, username, password)
    assert person.sign_in_at_home().status_code == 302
    return person


def post_form(person: Person, url: str, field: str, **data: str) -> requests.Response:
    """Fill the form holding ``field`` on the page at ``url`` and send it."""
    page = person.http.get(url)
    form = form_with(page.text, field)
    return person.http.post(
        requests.compat.urljoin(page.url, form["action"] or page.url),
        data={**form["fields"], **data},
    )


def add_through_the_page(units: LiveHub) -> int:
    admin = signed_in(units, "hospadmin")
    added = post_form(admin, units.url + "/unit/accounts/new", "username", **NEW_ACCOUNT)
    assert added.status_code == 200 and "帳號已新增" in added.text, added.text[:2000]
    with units.hub.database.unit_of_work() as db:
        account = db.scalar(select(Account).where(Account.username == "newhire01"))
        assert account is not None
        return account.id


def test_adding_an_account_keeps_what_was_typed_when_refused(units: LiveHub) -> None:
    admin = signed_in(units, "hospadmin")
    refused = post_form(
        admin,
        units.url + "/unit/accounts/new",
        "username",
        **{**NEW_ACCOUNT, "phone": "12345", "name": "陳新進"},
    )
    assert refused.status_code == 400
    assert "請填區碼與號碼" in refused.text
    assert 'value="陳新進"' in refused.text and 'value="newhire01"' in refused.text
    with units.hub.database.unit_of_work() as db:
        assert db.scalar(select(Account).where(Account.username == "newhire01")) is None
    add_through_the_page(units)
    with units.hub.database.unit_of_work() as db:
        assert db.scalar(select(MailMessage).where(MailMessage.to == "newhire@example.org"))


def test_only_unit_admins_reach_the_account_pages(units: LiveHub) -> None:
    add_through_the_page(units)
    member = Person(units.hub, units.url, "newhire01")
    with units.hub.database.unit_of_work() as db:
        account = db.scalar(select(Account).where(Account.username == "newhire01"))
        assert account is not None
        account.password_hash = units.hub.passwords.hash(PASSWORD)
        account.must_change_password = False
    member.sign_in_at_home()
    assert member.http.get(units.url + "/unit/accounts").status_code == 403
    hospital_admin = signed_in(units, "hospadmin")
    assert hospital_admin.http.get(units.url + "/review/role-changes").status_code == 403


def test_another_units_admin_reaches_nothing_by_id(units: LiveHub) -> None:
    account_id = add_through_the_page(units)
    other = signed_in(units, "otheradmin")
    assert "newhire01" not in other.http.get(units.url + "/unit/accounts").text
    detail = f"{units.url}/unit/accounts/{account_id}"
    assert other.http.get(detail).status_code == 404
    token = form_with(other.http.get(units.url + "/unit/accounts/new").text, "csrf_token")[
        "fields"
    ]["csrf_token"]
    for action, data in (
        ("/disable", {"reason": "x", "confirmed": "yes"}),
        ("/restore", {}),
        ("/role-changes", {"kind": "promote", "reason": "x"}),
        ("", {**NEW_ACCOUNT, "name": "改名"}),
    ):
        response = other.http.post(detail + action, data={"csrf_token": token, **data})
        assert response.status_code == 404, action
    with units.hub.database.unit_of_work() as db:
        account = db.get(Account, account_id)
        assert account is not None and account.status is AccountStatus.ACTIVE
        assert account.name == "陳新進"
        assert db.scalar(select(RoleChange)) is None


def test_disabling_asks_first_then_ends_sessions_and_tokens(units: LiveHub) -> None:
    account_id = add_through_the_page(units)
    with units.hub.database.unit_of_work() as db:
        account = db.get(Account, account_id)
        assert account is not None
        account.password_hash = units.hub.passwords.hash(PASSWORD)
        account.must_change_password = False
    client = add_client(units.hub)
    member = Person(units.hub, units.url, "newhire01")
    session = oidc_client(units, client, scope="openid offline_access")
    url, verifier, _ = start(units, session, prompt="consent")
    token = exchange(units, session, member.authorize(url), verifier)
    assert "refresh_token" in token

    admin = signed_in(units, "hospadmin")
    detail = f"{units.url}/unit/accounts/{account_id}"
    asked = post_form(admin, detail, "on", on="", reason="離職")
    assert "是否確定立即停用此帳號" in asked.text
    with units.hub.database.unit_of_work() as db:
        account = db.get(Account, account_id)
        assert account is not None and account.status is AccountStatus.ACTIVE
    form = form_with(asked.text, "confirmed")
    done = admin.http.post(units.url + form["action"], data=form["fields"])
    assert "停用已處理" in done.text

    home = member.http.get(units.url + "/")
    assert 'name="password"' in home.text  # signed out
    userinfo = requests.get(
        units.url + "/userinfo",
        headers={"Authorization": "Bearer " + token["access_token"]},
        timeout=5,
    )
    assert userinfo.status_code == 401
    refreshed = requests.post(
        units.url + "/token",
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        auth=(client.client_id, client.secret),
        timeout=5,
    )
    assert refreshed.status_code == 400
    refused = Person(units.hub, units.url, "newhire01").sign_in_at_home()
    assert refused.status_code == 401 and "帳號目前無法使用" in refused.text


def test_role_change_requested_by_the_unit_and_approved_by_the_authority(units: LiveHub) -> None:
    account_id = add_through_the_page(units)
    admin = signed_in(units, "hospadmin")
    detail = f"{units.url}/unit/accounts/{account_id}"
    token = form_with(admin.http.get(detail).text, "csrf_token")["fields"]["csrf_token"]
    asked = admin.http.post(
        detail + "/role-changes",
        data={"csrf_token": token, "kind": "promote", "reason": "新任主管"},
    )
    assert "異動申請已送出" in asked.text
    assert "一般使用者轉為管理者" in admin.http.get(units.url + "/unit/role-changes").text

    authority = signed_in(units, "hpaadmin")
    listing = authority.http.get(units.url + "/review/role-changes")
    assert "新任主管" in listing.text
    with units.hub.database.unit_of_work() as db:
        change = db.scalar(select(RoleChange))
        assert change is not None
        change_id = change.id
    done = decide(authority, units.url + "/review/role-changes", [change_id], "approve")
    assert "已核定 1 筆" in done.text
    with units.hub.database.unit_of_work() as db:
        account = db.get(Account, account_id)
        assert account is not None and account.role is AccountRole.UNIT_ADMIN
