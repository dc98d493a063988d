"""A code or refresh token presented wrongly is refused and stays good for its owner
(RFC 6749 sections 6 and 10.4); only its replay by the client it was issued to revokes
the grant. Signing out other devices at 修改密碼 revokes those sessions' grants."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from idp.models import AuditEvent

from ..support.helpers import (
    PASSWORD,
    REDIRECT_URI,
    ClientInfo,
    Person,
    add_account,
    add_client,
    form_with,
    query,
)
from ..support.hub import LiveHub
from ..support.oidc import exchange, oidc_client, start


@pytest.fixture
def client(live_hub: LiveHub) -> ClientInfo:
    return add_client(live_hub.hub)


@pytest.fixture
def person(live_hub: LiveHub) -> Person:
    add_account(live_hub.hub)
    return Person(live_hub.hub, live_hub.url)


def token_request(live: LiveHub, client: ClientInfo, **data: str) -> requests.Response:
    auth = (client.client_id, client.secret) if client.secret else None
    if auth is None:
        data["client_id"] = client.client_id
    return requests.post(live.url + "/token", auth=auth, data=data, timeout=5)


def offline_token(live: LiveHub, client: ClientInfo, person: Person) -> dict[str, Any]:
    session = oidc_client(live, client, scope="openid offline_access")
    url, verifier, _ = start(live, session, prompt="consent")
    token = exchange(live, session, person.authorize(url), verifier)
    assert "refresh_token" in token
    return token


def refresh(live: LiveHub, client: ClientInfo, refresh_token: str) -> requests.Response:
    return token_request(live, client, grant_type="refresh_token", refresh_token=refresh_token)


def replays_audited(live: LiveHub) -> int:
    with live.hub.database.unit_of_work() as db:
        return (
            db.query(AuditEvent)
            .filter(AuditEvent.action.in_(["token.refresh_reused", "token.code_reused"]))
            .count()
        )


def test_refresh_token_of_another_client_is_refused_and_stays_good(
    live_hub: LiveHub, client: ClientInfo, person: Person
) -> None:
    token = offline_token(live_hub, client, person)
    other = add_client(live_hub.hub)
    public = add_client(
        live_hub.hub,
        token_endpoint_auth_method="none",
        grant_types=["authorization_code", "refresh_token"],
    )
    for thief in (other, public):
        stolen = refresh(live_hub, thief, token["refresh_token"])
        assert stolen.status_code == 400
        assert stolen.json()["error"] == "invalid_grant"
    owner = refresh(live_hub, client, token["refresh_token"])
    assert owner.status_code == 200, owner.text
    assert replays_audited(live_hub) == 0


def test_used_refresh_token_from_another_client_does_not_revoke_the_grant(
    live_hub: LiveHub, client: ClientInfo, person: Person
) -> None:
    token = offline_token(live_hub, client, person)
    second = refresh(live_hub, client, token["refresh_token"]).json()
    other = add_client(live_hub.hub)
    assert refresh(live_hub, other, token["refresh_token"]).json()["error"] == "invalid_grant"
    assert replays_audited(live_hub) == 0
    assert refresh(live_hub, client, second["refresh_token"]).status_code == 200
    # The owner's own replay still revokes the whole grant.
    assert refresh(live_hub, client, token["refresh_token"]).json()["error"] == "invalid_grant"
    assert replays_audited(live_hub) == 1


def test_wrong_code_verifier_or_client_does_not_burn_the_code(
    live_hub: LiveHub, client: ClientInfo, person: Person
) -> None:
    session = oidc_client(live_hub, client)
    url, verifier, _ = start(live_hub, session)
    callback = person.authorize(url)
    code = query(callback)["code"]
    wrong = token_request(
        live_hub,
        client,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
        code_verifier="x" * 50,
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    other = add_client(live_hub.hub)
    stolen = token_request(
        live_hub,
        other,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
        code_verifier=verifier,
    )
    assert stolen.status_code == 400
    assert replays_audited(live_hub) == 0
    token = exchange(live_hub, session, callback, verifier)
    assert "access_token" in token
    assert replays_audited(live_hub) == 0


def test_signing_out_other_devices_revokes_their_offline_tokens(
    live_hub: LiveHub, client: ClientInfo, person: Person
) -> None:
    token = offline_token(live_hub, client, person)
    here = Person(live_hub.hub, live_hub.url)
    here.sign_in_at_home()
    page = here.http.get(live_hub.url + "/account/password")
    assert "包括離線存取" in page.text
    form = form_with(page.text, "current_password")
    changed = here.http.post(
        live_hub.url + form["action"],
        data=dict(
            form["fields"],
            current_password=PASSWORD,
            new_password="Another~Horse8Stable",
            confirm="Another~Horse8Stable",
            end_other_sessions="y",
        ),
        allow_redirects=False,
    )
    assert changed.status_code == 302, changed.text[:500]
    assert refresh(live_hub, client, token["refresh_token"]).json()["error"] == "invalid_grant"
    userinfo = requests.get(
        live_hub.url + "/userinfo",
        headers={"Authorization": "Bearer " + token["access_token"]},
        timeout=5,
    )
    assert userinfo.status_code == 401
    # Grants made in the session that changed the password stay.
    mine = offline_token(live_hub, client, here)
    assert refresh(live_hub, client, mine["refresh_token"]).status_code == 200
