"""End to end over HTTP: a live hub, a real OpenID Connect client library (Authlib's
requests client) and an independent JWT library (PyJWT) checking what it is given."""

from __future__ import annotations

import secrets
import time
from typing import Any

import jwt as pyjwt
import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.discovery import OpenIDProviderMetadata

from idp.models import AuditEvent, Grant
from idp.services.signin.steps import ACR_PASSWORD

from ..support.helpers import REDIRECT_URI, ClientInfo, Person, add_account, add_client, query
from ..support.hub import LiveHub
from ..support.oidc import exchange, oidc_client, start, verify_id_token


@pytest.fixture
def client(live_hub: LiveHub) -> ClientInfo:
    return add_client(live_hub.hub)


@pytest.fixture
def person(live_hub: LiveHub) -> Person:
    add_account(live_hub.hub)
    return Person(live_hub.hub, live_hub.url)


def login(
    live: LiveHub, client: ClientInfo, person: Person, **params: Any
) -> tuple[OAuth2Session, dict[str, Any], str]:
    session = oidc_client(
        live, client, scope=params.pop("scope", "openid profile email phone unit")
    )
    url, verifier, nonce = start(live, session, **params)
    callback = person.authorize(url)
    assert query(callback)["iss"] == live.url  # RFC 9207
    return session, exchange(live, session, callback, verifier), nonce


def test_discovery_is_valid_provider_metadata(live_hub: LiveHub) -> None:
    response = requests.get(live_hub.url + "/.well-known/openid-configuration", timeout=5)
    assert response.status_code == 200
    metadata = OpenIDProviderMetadata(response.json())
    metadata.validate()
    assert metadata["issuer"] == live_hub.url
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["authorization_response_iss_parameter_supported"] is True
    assert metadata["backchannel_logout_supported"] is True
    etag = response.headers["ETag"]
    again = requests.get(
        live_hub.url + "/.well-known/openid-configuration",
        headers={"If-None-Match": etag},
        timeout=5,
    )
    assert again.status_code == 304


def test_jwks_publishes_rs256_and_es256_keys(live_hub: LiveHub) -> None:
    keys = requests.get(live_hub.url + "/jwks", timeout=5).json()["keys"]
    assert {k["alg"] for k in keys} == {"RS256", "ES256"}
    assert all("d" not in k and k.get("kid") for k in keys)


def test_code_flow_with_pkce_gives_verified_id_token_and_userinfo(
    live_hub: LiveHub, client: ClientInfo, person: Person
) -> None:
    session, token, nonce = login(live_hub, client, person)
    claims = verify_id_token(live_hub, token["id_token"], client.client_id, nonce)
    assert claims["acr"] == ACR_PASSWORD
    assert claims["amr"] == ["pwd"]
    assert claims["auth_time"] <= time.time()
    assert claims["sid"]
    assert claims["preferred_username"] == "tester01"
    assert "refresh_token" not in token  # no offline_access asked
    userinfo = session.get(live_hub.url + "/userinfo").json()
    assert userinfo["sub"] == claims["sub"]
    assert userinfo["unit_code"] == "0101090517"
    assert userinfo["email"] == "wang@example.org"
    assert userinfo["phone_number"] == "02-12345678#123"
    posted = requests.post(
        live_hub.url + "/userinfo",
        timeout=5,
        headers={"Authorization": "Bearer " + token["access_token"]},
    )
    assert posted.json() == userinfo


def test_es256_client_gets_es256_id_token(live_hub: LiveHub, person: Person) -> None:
    client = add_client(live_hub.hub, id_token_signed_response_alg="ES256")
    _, token, nonce = login(live_hub, client, person)
    assert pyjwt.get_unverified_header(token["id_token"])["alg"] == "ES256"
    verify_id_token(live_hub, token["id_token"], client.client_id, nonce)


def test_unregistered_redirect_uri_shows_error_page_and_never_redirects(
    live_hub: LiveHub, client: ClientInfo
) -> None:
    session = oidc_client(live_hub, client)
    session.redirect_uri = "https://attacker.example/cb"
    url, _, _ = start(live_hub, session)
    response = requests.get(url, allow_redirects=False, timeout=5)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "此登入要求無效" in response.text


def test_unknown_client_shows_error_page(live_hub: LiveHub) -> None:
    response = requests.get(
        live_hub.url + "/authorize",
        params={
            "client_id": "nobody",
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "scope": "openid",
        },
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 400
    assert "Location" not in response.headers


def test_reused_code_is_refused_and_revokes_its_tokens(
    live_hub: LiveHub, client: ClientInfo, person: Person
) -> None:
    session = oidc_client(live_hub, client)
    url, verifier, _ = start(live_hub, session)
    callback = person.authorize(url)
    token = exchange(live_hub, session, callback, verifier)
    assert session.get(live_hub.url + "/userinfo").status_code == 200
    again = requests.post(
        live_hub.url + "/token",
        auth=(client.client_id, client.secret or ""),
        data={
            "grant_type": "authorization_code",
            "code": query(callback)["code"],
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        timeout=5,
    )
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    userinfo = requests.get(
        live_hub.url + "/userinfo",
        timeout=5,
        headers={"Authorization": "Bearer " + token["access_token"]},
    )
    assert userinfo.status_code == 401
    assert 'error="invalid_token"' in userinfo.headers["WWW-Authenticate"]
    with live_hub.hub.database.unit_of_work() as db:
        assert db.query(AuditEvent).filter_by(action="token.code_reused").count() == 1


def test_wrong_client_secret_is_refused(
    live_hub: LiveHub, client: ClientInfo, person: Person
) -> None:
    session = oidc_client(live_hub, client)
    url, verifier, _ = start(live_hub, session)
    callback = person.authorize(url)
    response = requests.post(
        live_hub.url + "/token",
        auth=(client.client_id, "not-the-secret"),
        data={
            "grant_type": "authorization_code",
            "code": query(callback)["code"],
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        timeout=5,
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    # The code was not used up by the failed attempt.
    assert exchange(live_hub, session, callback, verifier)["access_token"]


def test_client_secret_post_is_accepted_from_a_client_registered_for_it(
    live_hub: LiveHub, client: ClientInfo
) -> None:
    poster = add_client(live_hub.hub, token_endpoint_auth_method="client_secret_post")
    for who, status in ((poster, 200), (client, 401)):
        response = requests.post(
            live_hub.url + "/token",
            data={
                "grant_type": "client_credentials",
                "client_id": who.client_id,
                "client_secret": who.secret,
            },
            timeout=5,
        )
        assert response.status_code == status, response.text


def test_pkce_mismatch_is_refused(live_hub: LiveHub, client: ClientInfo, person: Person) -> None:
    session = oidc_client(live_hub, client)
    url, _, _ = start(live_hub, session)
    callback = person.authorize(url)
    with pytest.raises(Exception, match="invalid_grant"):
        exchange(live_hub, session, callback, secrets.token_urlsafe(48))


def test_plain_pkce_is_refused(live_hub: LiveHub, client: ClientInfo, person: Person) -> None:
    url = (
        live_hub.url
        + "/authorize?"
        + requests.compat.urlencode(
            {
                "client_id": client.client_id,
                "response_type": "code",
                "redirect_uri": REDIRECT_URI,
                "scope": "openid",
                "state": "s1",
                "code_challenge": "a" * 43,
                "code_challenge_method": "plain",
            }
        )
    )
    response = requests.get(url, allow_redirects=False, timeout=5)
    assert response.status_code == 302
    assert query(response.headers["Location"])["error"] == "invalid_request"
    assert query(response.headers["Location"])["state"] == "s1"


def test_public_client_must_use_pkce(live_hub: LiveHub) -> None:
    public = add_client(
        live_hub.hub,
        token_endpoint_auth_method="none",
        grant_types=["authorization_code", "refresh_token"],
    )
    response = requests.get(
        live_hub.url + "/authorize",
        params={
            "client_id": public.client_id,
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "scope": "openid",
            "state": "xyz",
        },
        allow_redirects=False,
        timeout=5,
    )
    assert query(response.headers["Location"])["error"] == "invalid_request"


def test_public_client_signs_in_with_pkce_and_no_secret(live_hub: LiveHub, person: Person) -> None:
    public = add_client(
        live_hub.hub,
        token_endpoint_auth_method="none",
        grant_types=["authorization_code", "refresh_token"],
    )
    session = OAuth2Session(
        public.client_id,
        scope="openid",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    url, verifier, nonce = start(live_hub, session)
    token = exchange(live_hub, session, person.authorize(url), verifier)
    verify_id_token(live_hub, token["id_token"], public.client_id, nonce)


def offline_login(
    live: LiveHub, client: ClientInfo, person: Person
) -> tuple[OAuth2Session, dict[str, Any]]:
    session, token, _ = login(live, client, person, scope="openid offline_access", prompt="consent")
    assert "refresh_token" in token
    return session, token


def test_refresh_tokens_rotate_and_reuse_revokes_the_family(
    live_hub: LiveHub, client: ClientInfo, person: Person
) -> None:
    session, first = offline_login(live_hub, client, person)
    second = session.refresh_token(live_hub.url + "/token", refresh_token=first["refresh_token"])
    assert second["refresh_token"] != first["refresh_token"]
    replay = requests.post(
        live_hub.url + "/token",
        auth=(client.client_id, client.secret or ""),
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        timeout=5,
    )
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    # The whole family is gone: the newest refresh token and its access token too.
    after = requests.post(
        live_hub.url + "/token",
        auth=(client.client_id, client.secret or ""),
        data={"grant_type": "refresh_token", "refresh_token": second["refresh_token"]},
        timeout=5,
    )
    assert after.json()["error"] == "invalid_grant"
    userinfo = requests.get(
        live_hub.url + "/userinfo",
        timeout=5,
        headers={"Authorization": "Bearer " + second["access_token"]},
    )
    assert userinfo.status_code == 401


def test_offline_access_is_ignored_without_prompt_consent(
    live_hub: LiveHub, client: ClientInfo, person: Person
) -> None:
    _, token, _ = login(live_hub, client, person, scope="openid offline_access")
    assert "refresh_token" not in token
    assert "offline_access" not in token["scope"]


def test_consent_denied_returns_access_denied(
    live_hub: LiveHub, client: ClientInfo, person: Person
) -> None:
    session = oidc_client(live_hub, client)
    url, _, _ = start(live_hub, session, prompt="consent", state="st8")
    callback = person.authorize(url, consent=False)
    assert query(callback)["error"] == "access_denied"
    assert query(callback)["state"] == "st8"
    assert query(callback)["iss"] == live_hub.url


def test_revoked_access_token_is_refused_at_userinfo(
    live_hub: LiveHub, client: ClientInfo, person: Person
) -> None:
    session, token, _ = login(live_hub, client, person)
    response = requests.post(
        live_hub.url + "/revoke",
        auth=(client.client_id, client.secret or ""),
        data={"token": token["access_token"], "token_type_hint": "access_token"},
        timeout=5,
    )
    assert response.status_code == 200
    assert session.get(live_hub.url + "/userinfo").status_code == 401


def test_revoking_refresh_token_revokes_the_grant(
    live_hub: LiveHub, client: ClientInfo, person: Person
) -> None:
    _, token = offline_login(live_hub, client, person)
    requests.post(
        live_hub.url + "/revoke",
        auth=(client.client_id, client.secret or ""),
        data={"token": token["refresh_token"]},
        timeout=5,
    )
    userinfo = requests.get(
        live_hub.url + "/userinfo",
        timeout=5,
        headers={"Authorization": "Bearer " + token["access_token"]},
    )
    assert userinfo.status_code == 401
    with live_hub.hub.database.unit_of_work() as db:
        assert db.query(Grant).one().revoked_reason == "revoked_by_client"


def test_prompt_none_without_session_returns_login_required(
    live_hub: LiveHub, client: ClientInfo
) -> None:
    session = oidc_client(live_hub, client)
    url, _, _ = start(live_hub, session, prompt="none", state="abc")
    response = requests.get(url, allow_redirects=False, timeout=5)
    assert response.status_code == 302
    params = query(response.headers["Location"])
    assert response.headers["Location"].startswith(REDIRECT_URI)
    assert params["error"] == "login_required"
    assert params["state"] == "abc"
    assert params["iss"] == live_hub.url


def test_prompt_none_with_session_issues_code_silently(
    live_hub: LiveHub, client: ClientInfo, person: Person
) -> None:
    login(live_hub, client, person)
    session = oidc_client(live_hub, client)
    url, _verifier, _ = start(live_hub, session, prompt="none")
    response = person.http.get(url, allow_redirects=False)
    assert "code" in query(response.headers["Location"])


def test_max_age_forces_a_new_sign_in(
    live_hub: LiveHub, client: ClientInfo, person: Person
) -> None:
    _, token, _ = login(live_hub, client, person)
    first_auth_time = pyjwt.decode(token["id_token"], options={"verify_signature": False})[
        "auth_time"
    ]
    time.sleep(2)
    session = oidc_client(live_hub, client)
    url, verifier, nonce = start(live_hub, session, max_age="1")
    response = person.http.get(url, allow_redirects=False)
    assert response.status_code == 200 and 'name="password"' in response.text
    callback = person.authorize(url)
    claims = verify_id_token(
        live_hub,
        exchange(live_hub, session, callback, verifier)["id_token"],
        client.client_id,
        nonce,
    )
    assert claims["auth_time"] > first_auth_time
    # With max_age large enough the existing session is used.
    url2, _, _ = start(live_hub, session, max_age="3600")
    assert "code" in query(person.http.get(url2, allow_redirects=False).headers["Location"])


def test_prompt_login_forces_a_new_sign_in(
    live_hub: LiveHub, client: ClientInfo, person: Person
) -> None:
    login(live_hub, client, person)
    session = oidc_client(live_hub, client)
    url, _, _ = start(live_hub, session, prompt="login")
    assert 'name="password"' in person.http.get(url, allow_redirects=False).text
    assert "code" in query(person.authorize(url))


def test_id_token_hint_for_someone_else_requires_sign_in(
    live_hub: LiveHub, client: ClientInfo, person: Person
) -> None:
    _, token, _ = login(live_hub, client, person)
    add_account(live_hub.hub, username="another01")
    other = Person(live_hub.hub, live_hub.url, username="another01")
    login(live_hub, client, other)
    session = oidc_client(live_hub, client)
    url, _, _ = start(live_hub, session, prompt="none", id_token_hint=token["id_token"])
    response = other.http.get(url, allow_redirects=False)
    assert query(response.headers["Location"])["error"] == "login_required"
    url, _, _ = start(live_hub, session, prompt="none", id_token_hint="not-a-token")
    response = other.http.get(url, allow_redirects=False)
    assert query(response.headers["Location"])["error"] == "invalid_request"


def test_login_hint_fills_the_account_field(live_hub: LiveHub, client: ClientInfo) -> None:
    session = oidc_client(live_hub, client)
    url, _, _ = start(live_hub, session, login_hint="hint01")
    page = requests.get(url, timeout=5)
    assert 'value="hint01"' in page.text


def test_ui_locales_shows_english_pages(live_hub: LiveHub, client: ClientInfo) -> None:
    session = oidc_client(live_hub, client)
    url, _, _ = start(live_hub, session, ui_locales="en-US zh-TW")
    page = requests.get(url, timeout=5)
    assert '<html lang="en">' in page.text
    assert "Sign in" in page.text


def test_client_credentials_token_and_introspection(live_hub: LiveHub, client: ClientInfo) -> None:
    auth = (client.client_id, client.secret or "")
    token = requests.post(
        live_hub.url + "/token", auth=auth, data={"grant_type": "client_credentials"}, timeout=5
    ).json()
    assert token["token_type"] == "Bearer"
    assert "refresh_token" not in token
    active = requests.post(
        live_hub.url + "/introspect", auth=auth, data={"token": token["access_token"]}, timeout=5
    ).json()
    assert active["active"] is True
    assert active["client_id"] == client.client_id
    assert "sub" not in active
    other = add_client(live_hub.hub)
    hidden = requests.post(
        live_hub.url + "/introspect",
        auth=(other.client_id, other.secret or ""),
        data={"token": token["access_token"]},
        timeout=5,
    ).json()
    assert hidden == {"active": False}
    assert (
        requests.get(
            live_hub.url + "/userinfo",
            timeout=5,
            headers={"Authorization": "Bearer " + token["access_token"]},
        ).status_code
        == 403
    )


def test_introspection_of_user_tokens(
    live_hub: LiveHub, client: ClientInfo, person: Person
) -> None:
    _, token = offline_login(live_hub, client, person)
    auth = (client.client_id, client.secret or "")
    access = requests.post(
        live_hub.url + "/introspect",
        auth=auth,
        timeout=5,
        data={"token": token["access_token"], "token_type_hint": "access_token"},
    ).json()
    assert access["active"] is True and access["sub"] and access["iss"] == live_hub.url
    assert access["acr"] == "urn:onedoor:acr:password" and access["auth_time"] > 0
    # A refreshed access token carries its grant's sign-in the same way.
    refreshed = requests.post(
        live_hub.url + "/token",
        auth=auth,
        timeout=5,
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
    ).json()
    again = requests.post(
        live_hub.url + "/introspect",
        auth=auth,
        timeout=5,
        data={"token": refreshed["access_token"]},
    ).json()
    assert (again["acr"], again["auth_time"]) == (access["acr"], access["auth_time"])
    token["refresh_token"] = refreshed["refresh_token"]
    refresh = requests.post(
        live_hub.url + "/introspect",
        auth=auth,
        timeout=5,
        data={"token": token["refresh_token"], "token_type_hint": "refresh_token"},
    ).json()
    assert refresh["active"] is True and refresh["token_type"] == "refresh_token"
    assert requests.post(
        live_hub.url + "/introspect", auth=auth, timeout=5, data={"token": "made-up"}
    ).json() == {"active": False}
    assert (
        requests.post(
            live_hub.url + "/introspect",
            auth=(client.client_id, "wrong"),
            data={"token": token["access_token"]},
            timeout=5,
        ).status_code
        == 401
    )


def test_unknown_scopes_are_ignored(live_hub: LiveHub, client: ClientInfo, person: Person) -> None:
    _, token, _ = login(live_hub, client, person, scope="openid no-such-scope")
    assert token["scope"] == "openid"


def test_disabled_account_cannot_use_its_tokens(
    live_hub: LiveHub,
    client: ClientInfo,
    person: Person,
) -> None:
    from idp.models import Account, AccountStatus

    session, _token, _ = login(live_hub, client, person)
    with live_hub.hub.database.unit_of_work() as db:
        db.query(Account).filter_by(username="tester01").one().status = AccountStatus.DISABLED
    assert session.get(live_hub.url + "/userinfo").status_code == 401


def test_jwks_revalidates_with_etag(live_hub: LiveHub) -> None:
    first = requests.get(live_hub.url + "/jwks", timeout=5)
    assert first.headers["Cache-Control"].startswith("public")
    again = requests.get(
        live_hub.url + "/jwks", timeout=5, headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.content == b""
    # RFC 9110 section 13.1.2: a list, and weak comparison.
    listed = requests.get(
        live_hub.url + "/jwks",
        timeout=5,
        headers={"If-None-Match": '"another", W/' + first.headers["ETag"]},
    )
    assert listed.status_code == 304
    other = requests.get(live_hub.url + "/jwks", timeout=5, headers={"If-None-Match": '"x"'})
    assert other.status_code == 200 and other.json()["keys"]
    head = requests.head(live_hub.url + "/.well-known/openid-configuration", timeout=5)
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["Content-Length"]) > 0
    assert head.headers["Content-Type"] == "application/json"


def test_access_token_cannot_be_moved_to_another_grant(
    live_hub: LiveHub, client: ClientInfo, person: Person
) -> None:
    _, token, _ = login(live_hub, client, person)
    grant_id, _, secret = token["access_token"].rpartition(".")
    assert grant_id  # user tokens name their grant
    auth = (client.client_id, client.secret or "")
    for forged in (secret, "x" + token["access_token"], "other." + secret):
        response = requests.post(
            live_hub.url + "/introspect", auth=auth, timeout=5, data={"token": forged}
        )
        assert response.json() == {"active": False}
