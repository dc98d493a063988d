"""Two server processes sharing one database and store, as replicas behind a proxy:
a session, a code and a token made by one are good at the other."""

from __future__ import annotations

import secrets

import requests
from authlib.integrations.requests_client import OAuth2Session

from idp.hub import Hub

from ..support.helpers import Person, add_account, add_client, query


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
