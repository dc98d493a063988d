"""子系統介接設定: the authority registers a subsystem (its secret shown once), changes
its settings (every refused field said beside it, nothing stored), rotates its secret and
disables it; each change audited without a secret."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from flask import Flask

from idp.hub import Hub
from idp.models import AuditEvent, Client, utcnow
from idp.services.subsystems.clients import Actor, rotate_secret

from ..support.helpers import add_client
from ..support.portal import ROLES, Visitor, make_people, visitor

SECRET = re.compile(r"<code data-client-secret>([^<]+)</code>")


def authority(app: Flask, hub: Hub) -> Visitor:
    make_people(hub)
    return visitor(app, hub, ROLES["authority"])


def _client(hub: Hub, client_id: str) -> Client:
    with hub.database.unit_of_work() as db:
        row = db.query(Client).filter_by(client_id=client_id).one()
        db.expunge(row)
        return row


def _audit(hub: Hub, action: str) -> list[AuditEvent]:
    with hub.database.unit_of_work() as db:
        rows = db.query(AuditEvent).filter_by(action=action).all()
        for row in rows:
            db.expunge(row)
        return rows


def test_registering_shows_the_secret_once_and_audits_without_it(app: Flask, hub: Hub) -> None:
    person = authority(app, hub)
    response = person.client.post(
        "/manage/subsystems/new",
        data={
            "csrf_token": person.csrf,
            "name": "婦幼",
            "client_id": "mch-new",
            "redirect_uris": "https://mch.example/callback\n\nhttps://mch.example/cb2",
            "post_logout_redirect_uris": "https://mch.example/",
            "backchannel_logout_uri": "https://mch.example/bcl",
            "initiate_login_uri": "",
            "min_acr": "urn:onedoor:acr:mfa",
            "scope": "openid profile unit",
            "contact": "王小明 02-1234-5678",
        },
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    secret = SECRET.search(page)
    assert secret is not None
    row = _client(hub, "mch-new")
    assert hub.client_secrets.check(row.secret_hash, secret.group(1))
    assert row.redirect_uris == ["https://mch.example/callback", "https://mch.example/cb2"]
    assert (row.min_acr, row.scope, row.contact) == (
        "urn:onedoor:acr:mfa",
        "openid profile unit",
        "王小明 02-1234-5678",
    )
    # The settings page never shows the secret again.
    again = person.client.get("/manage/subsystems/mch-new").get_data(as_text=True)
    assert secret.group(1) not in again and "兩步驟驗證" in again
    listed = person.client.get("/manage/subsystems/").get_data(as_text=True)
    assert "mch-new" in listed and "婦幼" in listed
    (event,) = _audit(hub, "client.create")
    assert event.actor == ROLES["authority"] and event.target == "mch-new"
    assert secret.group(1) not in json.dumps(event.details, ensure_ascii=False)


def test_a_refused_edit_names_each_field_and_changes_nothing(app: Flask, hub: Hub) -> None:
    person = authority(app, hub)
    client = add_client(hub)
    before = _client(hub, client.client_id)
    response = person.client.post(
        f"/manage/subsystems/{client.client_id}",
        data={
            "csrf_token": person.csrf,
            "redirect_uris": "http://evil.example/cb",
            "post_logout_redirect_uris": "https://ok.example/#frag",
            "backchannel_logout_uri": "ftp://x",
            "min_acr": "urn:other",
            "scope": "",
            "contact": "x" * 301,
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for field in (
        "redirect_uris",
        "post_logout_redirect_uris",
        "backchannel_logout_uri",
        "min_acr",
        "scope",
        "contact",
    ):
        assert f'id="{field}-error"' in page, field
    after = _client(hub, client.client_id)
    assert (after.redirect_uris, after.scope, after.contact) == (
        before.redirect_uris,
        before.scope,
        before.contact,
    )
    assert _audit(hub, "client.edit") == []


def test_an_edit_is_stored_and_audited_field_by_field(app: Flask, hub: Hub) -> None:
    person = authority(app, hub)
    client = add_client(hub)
    before = _client(hub, client.client_id)
    response = person.client.post(
        f"/manage/subsystems/{client.client_id}",
        data={
            "csrf_token": person.csrf,
            "redirect_uris": client.redirect_uri,
            "post_logout_redirect_uris": "",
            "backchannel_logout_uri": "",
            "initiate_login_uri": "https://sub.example/initiate",
            "min_acr": "urn:onedoor:acr:card",
            "scope": before.scope,
            "contact": "",
        },
    )
    assert response.status_code == 302
    after = _client(hub, client.client_id)
    assert after.initiate_login_uri == "https://sub.example/initiate"
    assert after.min_acr == "urn:onedoor:acr:card"
    (event,) = _audit(hub, "client.edit")
    assert set(event.details["changes"]) == {"initiate_login_uri", "min_acr"}
    assert event.details["changes"]["min_acr"] == {"from": "", "to": "urn:onedoor:acr:card"}
    shown = person.client.get(f"/manage/subsystems/{client.client_id}").get_data(as_text=True)
    assert "設定已儲存。" in shown


def test_rotating_on_the_page_gives_a_new_secret_and_a_grace_period(app: Flask, hub: Hub) -> None:
    person = authority(app, hub)
    client = add_client(hub)
    assert client.secret
    refused = person.client.post(
        f"/manage/subsystems/{client.client_id}/secret",
        data={"csrf_token": person.csrf, "grace_hours": "5"},
    )
    assert refused.status_code == 400  # not one of the periods offered
    response = person.client.post(
        f"/manage/subsystems/{client.client_id}/secret",
        data={"csrf_token": person.csrf, "grace_hours": "24"},
    )
    assert response.status_code == 200
    found = SECRET.search(response.get_data(as_text=True))
    assert found is not None
    row = _client(hub, client.client_id)
    check = hub.client_secrets.check_either
    args = (row.secret_hash, row.previous_secret_hash, row.previous_secret_until)
    assert check(*args, found.group(1)) and check(*args, client.secret)
    assert row.previous_secret_until is not None
    assert timedelta(hours=23) < row.previous_secret_until - utcnow() <= timedelta(hours=24)
    (event,) = _audit(hub, "client.rotate_secret")
    assert event.actor == ROLES["authority"]
    assert found.group(1) not in json.dumps(event.details, ensure_ascii=False)


def test_an_expired_grace_period_refuses_the_old_secret(hub: Hub) -> None:
    client = add_client(hub)
    assert client.secret
    with hub.database.unit_of_work() as db:
        new = rotate_secret(
            db, hub.client_secrets, client.client_id, timedelta(hours=1), by=Actor("cli")
        )
        row = db.query(Client).filter_by(client_id=client.client_id).one()
        row.previous_secret_until = utcnow() - timedelta(seconds=1)
    row = _client(hub, client.client_id)
    check = hub.client_secrets.check_either
    args = (row.secret_hash, row.previous_secret_hash, row.previous_secret_until)
    assert check(*args, new) and not check(*args, client.secret)


def test_disabling_and_enabling_on_the_page(app: Flask, hub: Hub) -> None:
    person = authority(app, hub)
    client = add_client(hub)
    path = f"/manage/subsystems/{client.client_id}"
    assert (
        person.client.post(path + "/disable", data={"csrf_token": person.csrf}).status_code == 302
    )
    assert _client(hub, client.client_id).disabled_at is not None
    twice = person.client.post(path + "/disable", data={"csrf_token": person.csrf})
    assert twice.status_code == 400
    assert person.client.post(path + "/enable", data={"csrf_token": person.csrf}).status_code == 302
    assert _client(hub, client.client_id).disabled_at is None
    assert len(_audit(hub, "client.disable")) == 1 and len(_audit(hub, "client.enable")) == 1
    missing = person.client.post(
        "/manage/subsystems/no-such-client/disable", data={"csrf_token": person.csrf}
    )
    assert missing.status_code == 404
