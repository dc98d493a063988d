"""The subsystem registry from a subsystem's side: a real client library (Authlib) at a
live hub while the authority rotates a secret and disables and re-enables the subsystem
with ``idp clients``. Another process's change reaches the server within its client
cache's lifetime, so the checks after one wait for it, bounded."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session

from idp.models import AuditEvent, Client, Grant, utcnow
from idp.oidc.server import CLIENT_CACHE_SECONDS

from ..support.cli import idp
from ..support.helpers import ClientInfo, Person, add_account, add_client
from ..support.hub import LiveHub
from ..support.oidc import exchange, oidc_client, start


def within_cache_time(check: Callable[[], bool]) -> bool:
    """Whether ``check`` comes true before another process's change must have arrived."""
    deadline = time.monotonic() + CLIENT_CACHE_SECONDS + 3
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.25)
    return check()


def client_token(live: LiveHub, client_id: str, secret: str) -> dict[str, Any] | str:
    """A client-credentials token fetched by Authlib, or the OAuth error it raised."""
    session = OAuth2Session(client_id, secret)
    try:
        token: dict[str, Any] = session.fetch_token(
            live.url + "/token", grant_type="client_credentials"
        )
    except OAuthError as refused:
        return refused.error
    return token


def accepted(live: LiveHub, client_id: str, secret: str) -> bool:
    return isinstance(client_token(live, client_id, secret), dict)


def refused(live: LiveHub, client_id: str, secret: str) -> bool:
    return client_token(live, client_id, secret) == "invalid_client"


def test_a_rotated_secret_keeps_the_old_one_for_the_grace_period_only(
    live_hub: LiveHub,
) -> None:
    client = add_client(live_hub.hub)
    assert client.secret and accepted(live_hub, client.client_id, client.secret)
    result = idp(live_hub.hub, "clients", "rotate-secret", client.client_id, "--grace-hours", "1")
    assert result.returncode == 0, result.stderr
    rotated = json.loads(result.stdout)
    new_secret = rotated["client_secret"]
    assert new_secret != client.secret and rotated["old_secret_valid_until"]
    assert within_cache_time(lambda: accepted(live_hub, client.client_id, new_secret))
    assert accepted(live_hub, client.client_id, client.secret)  # within the grace period

    # The grace period ends (as if the hour had passed).
    with live_hub.hub.database.unit_of_work() as db:
        row = db.query(Client).filter_by(client_id=client.client_id).one()
        row.previous_secret_until = utcnow() - timedelta(seconds=1)
    assert within_cache_time(lambda: refused(live_hub, client.client_id, client.secret))
    assert accepted(live_hub, client.client_id, new_secret)
    with live_hub.hub.database.unit_of_work() as db:
        events = db.query(AuditEvent).filter_by(action="client.rotate_secret").all()
        assert len(events) == 1 and events[0].actor == "cli"
        assert new_secret not in json.dumps(events[0].details, ensure_ascii=False)


def test_rotating_without_grace_refuses_the_old_secret(live_hub: LiveHub) -> None:
    client = add_client(live_hub.hub)
    assert client.secret
    result = idp(live_hub.hub, "clients", "rotate-secret", client.client_id, "--grace-hours", "0")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["old_secret_valid_until"] is None
    assert within_cache_time(lambda: refused(live_hub, client.client_id, client.secret or ""))


def _signed_in(live: LiveHub, client: ClientInfo) -> tuple[OAuth2Session, dict[str, Any]]:
    add_account(live.hub)
    person = Person(live.hub, live.url)
    session = oidc_client(live, client, scope="openid profile offline_access")
    url, verifier, _ = start(live, session, prompt="consent")
    token = exchange(live, session, person.authorize(url), verifier)
    assert "refresh_token" in token
    return session, token


def test_a_disabled_subsystem_is_refused_and_its_tokens_stop_working(live_hub: LiveHub) -> None:
    client = add_client(live_hub.hub)
    session, token = _signed_in(live_hub, client)
    assert session.get(live_hub.url + "/userinfo").status_code == 200

    result = idp(live_hub.hub, "clients", "disable", client.client_id)
    assert result.returncode == 0, result.stderr
    # The access token fails at once: its grant is revoked on every server process.
    assert session.get(live_hub.url + "/userinfo").status_code == 401
    assert within_cache_time(lambda: refused(live_hub, client.client_id, client.secret or ""))
    refresh = requests.post(
        live_hub.url + "/token",
        auth=(client.client_id, client.secret or ""),
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        timeout=5,
    )
    assert refresh.status_code == 401 and refresh.json()["error"] == "invalid_client"
    with live_hub.hub.database.unit_of_work() as db:
        assert {g.revoked_reason for g in db.query(Grant)} == {"client_disabled"}
        event = db.query(AuditEvent).filter_by(action="client.disable").one()
        assert event.target == client.client_id and event.details["grants_revoked"] == 1

    # Enabled again: the subsystem is accepted, the tokens revoked stay revoked.
    assert idp(live_hub.hub, "clients", "enable", client.client_id).returncode == 0
    assert within_cache_time(lambda: accepted(live_hub, client.client_id, client.secret or ""))
    again = requests.post(
        live_hub.url + "/token",
        auth=(client.client_id, client.secret or ""),
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        timeout=5,
    )
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_a_client_credentials_token_stops_working_when_its_subsystem_is_disabled(
    live_hub: LiveHub,
) -> None:
    client = add_client(live_hub.hub)
    token = client_token(live_hub, client.client_id, client.secret or "")
    assert isinstance(token, dict)
    other = add_client(live_hub.hub)

    def active() -> bool:
        answer = requests.post(
            live_hub.url + "/introspect",
            auth=(client.client_id, client.secret or ""),
            data={"token": token["access_token"]},
            timeout=5,
        )
        return answer.status_code == 200 and answer.json()["active"] is True

    assert active()
    assert idp(live_hub.hub, "clients", "disable", client.client_id).returncode == 0
    assert within_cache_time(lambda: not active())
    # The other subsystem is untouched.
    assert accepted(live_hub, other.client_id, other.secret or "")


def test_edit_changes_the_redirect_uris_a_subsystem_may_use(live_hub: LiveHub) -> None:
    client = add_client(live_hub.hub)
    new_uri = "http://127.0.0.1:9/new-callback"
    result = idp(
        live_hub.hub,
        "clients",
        "edit",
        client.client_id,
        "--redirect-uri",
        new_uri,
        "--contact",
        "王小明 02-1234-5678",
    )
    assert result.returncode == 0, result.stderr
    assert "redirect_uris" in result.stdout and "contact" in result.stdout

    def answer(uri: str) -> int:
        session = oidc_client(live_hub, ClientInfo(client.client_id, client.secret, uri))
        url, _, _ = start(live_hub, session)
        return requests.get(url, allow_redirects=False, timeout=5).status_code

    # The old address is no longer one to send a person to: an error page, not a redirect.
    assert within_cache_time(lambda: answer(client.redirect_uri) == 400)
    assert answer(new_uri) in (200, 302)
    with live_hub.hub.database.unit_of_work() as db:
        event = db.query(AuditEvent).filter_by(action="client.edit").one()
        assert event.details["changes"]["redirect_uris"] == {
            "from": [client.redirect_uri],
            "to": [new_uri],
        }

    refused_edit = idp(
        live_hub.hub, "clients", "edit", client.client_id, "--redirect-uri", "http://evil.example/"
    )
    assert refused_edit.returncode != 0 and "https" in refused_edit.stderr
