"""Two server processes sharing one database and store, as replicas behind a proxy:
a session, a code and a token made by one are good at the other."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session

from idp.hub import Hub

from .conftest import free_port, prepared_hub
from .helpers import Person, add_account, add_client, query


def serve(hub: Hub, port: int, issuer: str) -> subprocess.Popen[bytes]:
    settings = hub.settings
    env = dict(
        os.environ,
        IDP_INSTANCE_PATH=settings.instance_path,
        IDP_DATABASE_URL=settings.sqlalchemy_url(),
        IDP_REDIS_URL=settings.redis_url,
        IDP_SECRET_KEY=settings.secret_key,
        IDP_ISSUER=issuer,
    )
    return subprocess.Popen(
        [sys.executable, "-m", "idp.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_ready(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/.well-known/openid-configuration", timeout=1).ok:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not start")


@pytest.fixture
def replicas(settings_for) -> Iterator[tuple[Hub, str, str]]:  # type: ignore[no-untyped-def]
    port_a, port_b = free_port(), free_port()
    issuer = f"http://127.0.0.1:{port_a}"
    hub = prepared_hub(settings_for(port_a))
    processes = [serve(hub, port_a, issuer), serve(hub, port_b, issuer)]
    try:
        url_a, url_b = issuer, f"http://127.0.0.1:{port_b}"
        wait_ready(url_a)
        wait_ready(url_b)
        yield hub, url_a, url_b
    finally:
        for process in processes:
            process.terminate()
            process.wait(15)
        hub.close()


def test_session_and_code_cross_processes(replicas: tuple[Hub, str, str]) -> None:
    hub, url_a, url_b = replicas
    add_account(hub)
    client = add_client(hub)
    person = Person(hub, url_a)
    assert person.sign_in_at_home().status_code == 302
    assert "王小明" in person.http.get(url_b + "/", timeout=5).text

    session = OAuth2Session(
        client.client_id,
        client.secret,
        scope="openid profile",
        redirect_uri=client.redirect_uri,
        code_challenge_method="S256",
    )
    verifier = secrets.token_urlsafe(48)
    url, _ = session.create_authorization_url(url_a + "/authorize", code_verifier=verifier)
    code = query(person.http.get(url, allow_redirects=False, timeout=5).headers["Location"])["code"]
    token = requests.post(
        url_b + "/token",
        auth=(client.client_id, client.secret or ""),
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": client.redirect_uri,
            "code_verifier": verifier,
        },
        timeout=5,
    )
    assert token.status_code == 200, token.text
    userinfo = requests.get(
        url_a + "/userinfo",
        timeout=5,
        headers={"Authorization": "Bearer " + token.json()["access_token"]},
    )
    assert userinfo.json()["preferred_username"] == "tester01"
