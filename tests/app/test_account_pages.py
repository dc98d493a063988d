"""Self-service pages: change password (forced or not), sessions, profile, own data;
and the security admin's lock and session controls."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from idp.hub import Hub
from idp.models import (
    Account,
    AccountRole,
    AuditEvent,
    EmailChange,
    HubSession,
    MailMessage,
    utcnow,
)
from idp.services import policy

from ..support.helpers import PASSWORD, add_account, client_sign_in, page_fields

NEW = "Harbor~Lantern7Quiet"


def signed_in_client(
    app: Flask, hub: Hub, username: str = "tester01", password: str = PASSWORD
) -> FlaskClient:
    client = app.test_client()
    response = client_sign_in(client, hub, username=username, password=password)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def post_form(client: FlaskClient, path: str, **data: str):  # type: ignore[no-untyped-def]
    fields = page_fields(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": fields["csrf_token"], **data})


def account(hub: Hub, username: str = "tester01") -> Account:
    with hub.database.unit_of_work() as db:
        return db.query(Account).filter_by(username=username).one()


def test_change_password(app: Flask, hub: Hub) -> None:
    add_account(hub)
    client = signed_in_client(app, hub)
    wrong = post_form(
        client, "/account/password", current_password="nope", new_password=NEW, confirm=NEW
    )
    assert wrong.status_code == 400 and "目前的密碼不正確" in wrong.get_data(as_text=True)
    mismatch = post_form(
        client, "/account/password", current_password=PASSWORD, new_password=NEW, confirm=NEW + "x"
    )
    assert "兩次輸入的新密碼不一致" in mismatch.get_data(as_text=True)
    weak = post_form(
        client,
        "/account/password",
        current_password=PASSWORD,
        new_password="tester01~Aa1",
        confirm="tester01~Aa1",
    )
    assert "不可包含個人資料" in weak.get_data(as_text=True)
    before = account(hub).password_hash
    assert account(hub).password_hash == before  # nothing changed by the refusals
    done = post_form(
        client, "/account/password", current_password=PASSWORD, new_password=NEW, confirm=NEW
    )
    assert done.status_code == 302  # POST/redirect/GET
    assert "密碼已更新" in client.get(done.headers["Location"]).get_data(as_text=True)
    assert client_sign_in(app.test_client(), hub, password=NEW).status_code == 302
    assert client_sign_in(app.test_client(), hub).status_code == 401
    with hub.database.unit_of_work() as db:
        assert db.query(AuditEvent).filter_by(action="password.change").count() == 1


def test_password_history(app: Flask, hub: Hub) -> None:
    add_account(hub)
    client = signed_in_client(app, hub)
    post_form(client, "/account/password", current_password=PASSWORD, new_password=NEW, confirm=NEW)
    back = post_form(
        client, "/account/password", current_password=NEW, new_password=PASSWORD, confirm=PASSWORD
    )
    assert back.status_code == 400 and "最近 3 次" in back.get_data(as_text=True)


def test_changing_password_can_end_other_sessions(app: Flask, hub: Hub) -> None:
    add_account(hub)
    other = signed_in_client(app, hub)
    client = signed_in_client(app, hub)
    post_form(
        client,
        "/account/password",
        current_password=PASSWORD,
        new_password=NEW,
        confirm=NEW,
        end_other_sessions="y",
    )
    assert 'name="password"' in other.get("/").get_data(as_text=True)
    assert "王小明" in client.get("/").get_data(as_text=True)


def test_password_set_by_someone_else_must_be_changed_first(app: Flask, hub: Hub) -> None:
    add_account(hub)
    with hub.database.unit_of_work() as db:
        db.query(Account).one().must_change_password = True
    client = app.test_client()
    response = client_sign_in(client, hub)
    assert response.headers["Location"].startswith("/account/password")
    assert client.get("/").headers["Location"].startswith("/account/password")
    assert client.get("/account/profile").status_code == 302
    page = client.get("/account/password").get_data(as_text=True)
    assert "請先設定新密碼" in page
    post_form(client, "/account/password", current_password=PASSWORD, new_password=NEW, confirm=NEW)
    assert "王小明" in client.get("/").get_data(as_text=True)
    assert account(hub).must_change_password is False


def test_expired_password_must_be_changed(app: Flask, hub: Hub) -> None:
    add_account(hub)
    with hub.database.unit_of_work() as db:
        db.query(Account).one().password_changed_at = utcnow() - timedelta(days=91)
    response = client_sign_in(app.test_client(), hub)
    assert response.headers["Location"].startswith("/account/password")


def test_reminder_before_the_password_expires(app: Flask, hub: Hub) -> None:
    add_account(hub)
    with hub.database.unit_of_work() as db:
        db.query(Account).one().password_changed_at = utcnow() - timedelta(days=61)
    client = signed_in_client(app, hub)
    assert "建議現在" in client.get("/").get_data(as_text=True)


def test_own_sessions_can_be_seen_and_ended(app: Flask, hub: Hub) -> None:
    add_account(hub)
    other = signed_in_client(app, hub)
    client = signed_in_client(app, hub)
    page = client.get("/account/sessions").get_data(as_text=True)
    assert page.count('/end"') == 2 and "本裝置" in page
    with hub.database.unit_of_work() as db:
        sids = [s.sid for s in db.query(HubSession).order_by(HubSession.created_at)]
    fields = page_fields(page)
    client.post(f"/account/sessions/{sids[0]}/end", data={"csrf_token": fields["csrf_token"]})
    assert 'name="password"' in other.get("/").get_data(as_text=True)
    assert "王小明" in client.get("/").get_data(as_text=True)
    add_account(hub, username="stranger1")
    stranger = signed_in_client(app, hub, username="stranger1")
    fields = page_fields(stranger.get("/account/sessions").get_data(as_text=True))
    refused = stranger.post(
        f"/account/sessions/{sids[1]}/end", data={"csrf_token": fields["csrf_token"]}
    )
    assert refused.status_code == 404  # someone else's session


def test_profile_changes_are_checked_and_email_needs_confirmation(app: Flask, hub: Hub) -> None:
    add_account(hub)
    client = signed_in_client(app, hub)
    values = {
        "title": "護理師",
        "department": "<b>",
        "phone": "02-12345678#9",
        "phone_backup": "",
        "mobile": "0812345678",
        "email": "wang@example.org",
        "email_backup": "",
    }
    refused = post_form(client, "/account/profile", **values)
    assert refused.status_code == 400
    assert 'id="mobile-error"' in refused.get_data(as_text=True)
    assert 'id="department-error"' in refused.get_data(as_text=True)
    assert 'value="0812345678"' in refused.get_data(as_text=True)  # what was typed is kept
    assert account(hub).title == ""  # nothing stored
    values.update(mobile="+886 912 345 678", email="new.wang@example.org", department=" 家醫科 ")
    refused = post_form(client, "/account/profile", **values)  # no current password
    assert refused.status_code == 400 and 'id="current_password-error"' in refused.get_data(
        as_text=True
    )
    answer = post_form(client, "/account/profile", current_password=PASSWORD, **values)
    assert answer.status_code == 302  # POST/redirect/GET
    saved = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "已儲存" in saved and "new.wang@example.org" in saved
    assert account(hub).title == "護理師" and account(hub).email == "wang@example.org"
    assert account(hub).department == "家醫科"
    assert account(hub).mobile == "0912-345678" and account(hub).phone == "02-12345678#9"
    with hub.database.unit_of_work() as db:
        mail = db.query(MailMessage).filter_by(kind="email_confirm").one()
        assert mail.to == "new.wang@example.org"
        token_link = next(w for w in mail.body.split() if "/account/email/confirm/" in w)
        assert db.query(EmailChange).count() == 1
    path = token_link.split("127.0.0.1:5999", 1)[1]
    assert "已變更為" in client.get(path).get_data(as_text=True)
    assert account(hub).email == "new.wang@example.org"
    assert client.get(path).status_code == 400


def test_profile_shows_the_unit_admins(app: Flask, hub: Hub) -> None:
    add_account(hub)
    add_account(hub, username="unitboss1", name="陳主任", role=AccountRole.UNIT_ADMIN)
    client = signed_in_client(app, hub)
    assert "陳主任" in client.get("/account/profile").get_data(as_text=True)


def test_own_data_download(app: Flask, hub: Hub) -> None:
    add_account(hub)
    client = signed_in_client(app, hub)
    response = client.get("/account/data.json")
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["username"] == "tester01" and data["sessions"]
    assert "argon2" not in response.get_data(as_text=True)
    with hub.database.unit_of_work() as db:
        assert db.query(AuditEvent).filter_by(action="personal_data.export").count() == 1


@pytest.fixture
def admin_client(app: Flask, hub: Hub) -> FlaskClient:
    add_account(hub, username="secadmin1")
    with hub.database.unit_of_work() as db:
        db.query(Account).filter_by(username="secadmin1").one().is_security_admin = True
    return signed_in_client(app, hub, username="secadmin1")


def test_only_security_admins_reach_the_admin_pages(app: Flask, hub: Hub) -> None:
    add_account(hub)
    client = signed_in_client(app, hub)
    for path in ("/admin/", "/admin/policy", "/admin/accounts?q=t", "/admin/accounts/1"):
        assert client.get(path).status_code == 403
    assert app.test_client().get("/admin/policy").status_code == 302


def policy_form_values(page: str) -> dict[str, str | list[str]]:
    """What the policy form sends as it stands: text fields, the chosen yes/no of each
    select, and the ticked boxes of each many-choice field."""
    values: dict[str, str | list[str]] = {
        name: value
        for name, value in re.findall(
            r'<input id="([^"]+)" name="[^"]+" type="text" value="([^"]*)"', page
        )
    }
    for name, options in re.findall(r'<select id="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        values[name] = re.findall(r'<option value="([^"]+)" selected', options)[0]
    for name in set(re.findall(r'type="checkbox" name="([^"]+)"', page)):
        values[name] = re.findall(
            rf'type="checkbox" name="{re.escape(name)}" value="([^"]+)" checked', page
        )
    return values


def test_security_admin_changes_the_policy_on_the_page(admin_client: FlaskClient, hub: Hub) -> None:
    page = admin_client.get("/admin/policy").get_data(as_text=True)
    fields = page_fields(page)
    values = policy_form_values(page)
    refused = admin_client.post(
        "/admin/policy",
        data={
            **values,
            "password.min_length": "7",
            "reason": "太長了",
            "csrf_token": fields["csrf_token"],
        },
    )
    assert refused.status_code == 400
    alert = re.search(r'role="alert">(.*?)</div>', refused.get_data(as_text=True), re.S)
    assert alert is not None and "最短長度" in alert.group(1)
    assert "password." not in alert.group(1)  # the setting's label, not its key
    saved = admin_client.post(
        "/admin/policy",
        data={
            **values,
            "password.min_length": "14",
            "reason": "稽核",
            "csrf_token": fields["csrf_token"],
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    assert "已儲存為新版本" in admin_client.get(saved.headers["Location"]).get_data(as_text=True)
    with hub.database.unit_of_work() as db:
        current = policy.current_policy(db)
        assert current.version == 2 and current.password.min_length == 14
        assert current.password.require_upper is True  # untouched booleans kept


def test_security_admin_unlocks_and_ends_sessions(
    app: Flask, hub: Hub, admin_client: FlaskClient
) -> None:
    add_account(hub)
    victim_session = signed_in_client(app, hub)
    for _ in range(3):
        client_sign_in(app.test_client(), hub, password="Wrong~Password9")
    target = account(hub).id
    page = admin_client.get(f"/admin/accounts/{target}").get_data(as_text=True)
    assert "鎖定中" in page
    fields = page_fields(page)
    admin_client.post(f"/admin/accounts/{target}/unlock", data={"csrf_token": fields["csrf_token"]})
    assert client_sign_in(app.test_client(), hub).status_code == 302
    admin_client.post(
        f"/admin/accounts/{target}/end-sessions", data={"csrf_token": fields["csrf_token"]}
    )
    assert 'name="password"' in victim_session.get("/").get_data(as_text=True)
    with hub.database.unit_of_work() as db:
        actions = {e.action for e in db.query(AuditEvent)}
        assert {"account.unlock", "session.end_all", "account.locked"} <= actions
