"""The production topology without containers: a PostgreSQL and a Redis of the test's
own, and two hub processes (``idp serve``) on two 127.0.0.1 ports, as two replicas
behind a load balancer would be. What one replica starts, the other carries on."""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import jwt as pyjwt
import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from sqlalchemy import update

from idp.models import Account, HubSession
from idp.services import policy

from ..support.backchannel import BackchannelReceiver
from ..support.helpers import (
    REDIRECT_URI,
    Person,
    add_account,
    add_client,
    form_with,
    forms,
    query,
)
from ..support.hub import DATABASE_URL
from ..support.replicas import hub_environment
from ..support.topology import FAST, Topology, eventually, topology

#: They bring their own PostgreSQL and Redis: the suite's PostgreSQL pass adds nothing.
pytestmark = pytest.mark.skipif(bool(DATABASE_URL), reason="run by the embedded-default pass")


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[Topology]:
    yield from topology(tmp_path)


def code_flow(person: Person, at: str, client: Any, scope: str) -> tuple[str, str, str]:
    session = OAuth2Session(
        client.client_id,
        client.secret,
        scope=scope,
        redirect_uri=client.redirect_uri,
        code_challenge_method="S256",
    )
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(12)
    url, _ = session.create_authorization_url(
        at + "/authorize",
        code_verifier=verifier,
        nonce=nonce,
        prompt="consent",
    )
    callback = query(person.authorize(url))
    assert "code" in callback, callback
    return callback["code"], verifier, nonce


def token_at(url: str, client: Any, **data: str) -> dict[str, Any]:
    response = requests.post(
        url + "/token", auth=(client.client_id, client.secret), data=data, timeout=10
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_two_replicas_share_sessions_codes_logout_lockout_keys_and_policy(
    replicas: Topology,
) -> None:
    hub, url_a, url_b = replicas.hub, replicas.url_a, replicas.url_b
    receiver = BackchannelReceiver()
    receiver.start()
    add_account(hub)
    client = add_client(
        hub,
        backchannel_logout_uri=receiver.uri,
        grant_types=["authorization_code", "refresh_token"],
    )

    # Signed in through A, the code exchanged at B, the refresh token used at A.
    person = Person(hub, url_a)
    code, verifier, _ = code_flow(person, url_a, client, "openid profile offline_access")
    tokens = token_at(
        url_b,
        client,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
        code_verifier=verifier,
    )
    assert "refresh_token" in tokens
    refreshed = token_at(
        url_a, client, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refreshed["access_token"] != tokens["access_token"]
    sid = pyjwt.decode(tokens["id_token"], options={"verify_signature": False})["sid"]

    # Signed out at B: the session is gone at A, and the subsystem was told once.
    home_b = person.http.get(url_b + "/", timeout=10)
    signout = form_with(home_b.text, "csrf_token")
    for form in [f for f in forms(home_b.text) if f["action"].endswith("/signout")]:
        signout = form
    person.http.post(urljoin(url_b + "/", signout["action"]), data=signout["fields"], timeout=10)
    assert "王小明" not in person.http.get(url_a + "/", timeout=10).text
    assert eventually(lambda: len(receiver.calls) >= 1)
    time.sleep(2.5)  # both replicas' workers have looked again by now
    assert len(receiver.calls) == 1
    claims = pyjwt.decode(receiver.calls[0].logout_token, options={"verify_signature": False})
    assert claims["sid"] == sid
    assert receiver.calls[0].request_id  # the sign-out's request id travelled with it
    with hub.database.unit_of_work() as db:
        assert db.get(HubSession, sid).ended_at is not None  # type: ignore[union-attr]
    receiver.stop()

    # Lockout counted across both: two wrong passwords at A, one at B, then locked at A.
    add_account(hub, username="tester02", name="李小華")
    for url in (url_a, url_a, url_b):
        wrong = Person(hub, url, username="tester02", password="Wrong-pass-123")
        assert wrong.sign_in_at_home().status_code == 401
    right = Person(hub, url_a, username="tester02")
    page = right.sign_in_at_home()
    assert page.status_code != 302 and "暫停登入至" in page.text

    # A key rotated (by `idp keys rotate`, run beside A): B publishes it at once and
    # signs with it once its lead time is over.
    old_kids = {k["kid"] for k in requests.get(url_b + "/jwks", timeout=10).json()["keys"]}
    rotated = subprocess.run(
        [sys.executable, "-m", "idp.cli", "keys", "rotate"],
        env=hub_environment(hub, url_a, **FAST),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert rotated.returncode == 0, rotated.stderr
    new_kids = eventually(
        lambda: (
            {k["kid"] for k in requests.get(url_b + "/jwks", timeout=10).json()["keys"]} - old_kids
        )
    )
    assert len(new_kids) == 2

    def signed_by_b() -> str:
        other = Person(hub, url_a)
        code, verifier, _ = code_flow(other, url_a, client, "openid")
        id_token = token_at(
            url_b,
            client,
            grant_type="authorization_code",
            code=code,
            redirect_uri=REDIRECT_URI,
            code_verifier=verifier,
        )["id_token"]
        kid: str = pyjwt.get_unverified_header(id_token)["kid"]
        jwks = pyjwt.PyJWKSet.from_dict(requests.get(url_a + "/jwks", timeout=10).json())
        key = next(k for k in jwks.keys if k.key_id == kid)
        pyjwt.decode(id_token, key.key, algorithms=["RS256", "ES256"], audience=client.client_id)
        return kid

    assert eventually(lambda: signed_by_b() in new_kids, seconds=15)

    # A policy change made on B's admin page is enforced on A.
    add_account(hub, username="secadmin01", name="陳安全")
    with hub.database.unit_of_work() as db:
        db.execute(
            update(Account).where(Account.username == "secadmin01").values(is_security_admin=True)
        )
    admin = Person(hub, url_b, username="secadmin01")
    admin.sign_in_at_home()
    page = admin.http.get(url_b + "/admin/policy", timeout=10)
    form = form_with(page.text, "reason")
    data: dict[str, Any] = {"csrf_token": form["fields"]["csrf_token"], "reason": "測試"}
    for name, value in hub.policy.current().flat().items():
        if policy.subset_choices(name):
            data[name] = value.split(",")
        else:
            data[name] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    data["lockout.max_failures"] = "1"
    # This test signs in from one address, again and again while it waits for A.
    data["lockout.address_failures"] = "1000"
    data["lockout.signin_per_minute"] = "1000"
    saved = admin.http.post(url_b + "/admin/policy", data=data, timeout=10)
    assert saved.status_code == 200 and "已儲存為新版本" in saved.text, saved.text[:2000]
    add_account(hub, username="tester03", name="張小英")

    def locked_after_one_failure_at_a() -> bool:
        name = "tester03"
        Person(hub, url_a, username=name, password="Wrong-pass-123").sign_in_at_home()
        page = Person(hub, url_a, username=name).sign_in_at_home()
        return page.status_code != 302 and "暫停登入至" in page.text

    assert eventually(locked_after_one_failure_at_a, seconds=20)
