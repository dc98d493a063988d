"""What an outside review found, each kept found: open redirects, requests that used to
end in a server error, and the smaller protocol and header items."""

from __future__ import annotations

import base64
import io
import json
from urllib.parse import quote

import pytest
from flask import Flask

from idp.app import create_app
from idp.http import errors
from idp.http.downloads import filename_for
from idp.hub import Hub
from idp.services.signin import captcha

from ..support.helpers import PASSWORD, REDIRECT_URI, add_account, add_client, page_fields, query
from ..support.hub import prepared_hub
from ..support.portal import ROLES, Visitor, account, make_people, visitor


@pytest.mark.parametrize(
    "next_param",
    ["/%09/evil.example", "/%0d%0ax", "/%5Cevil.example", "%2F%2Fevil.example", "/\\/evil"],
)
def test_language_switch_never_leaves_the_hub(app: Flask, next_param: str) -> None:
    response = app.test_client().get("/lang/en?next=" + next_param)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_language_switch_returns_to_the_page(app: Flask) -> None:
    response = app.test_client().get("/lang/en?next=/bulletins%3Fpage%3D2")
    assert response.headers["Location"] == "/bulletins?page=2"


CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def authorize_url(client_id: str, **params: str) -> str:
    values = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": "openid",
        "state": "st8",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
    }
    values.update(params)
    return "/authorize?" + "&".join(f"{k}={quote(v, safe='%')}" for k, v in values.items())


def kid_hint(kid: str) -> str:
    header = base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "kid": kid}).encode())
    return header.decode().rstrip("=") + ".e30.AAAA"


@pytest.mark.parametrize(
    "params",
    [
        {"redirect_uri": REDIRECT_URI + '"'},
        {"redirect_uri": REDIRECT_URI + "%09"},
        {"redirect_uri": REDIRECT_URI + "%00"},
        {"redirect_uri": REDIRECT_URI + "\\"},
        {"redirect_uri": REDIRECT_URI + "%C3%A9"},
        {"response_type": "%C3%A9"},
        {"max_age": "%C2%B2"},
        {"state": "%00"},
    ],
)
def test_malformed_authorization_requests_are_refused_on_a_page(
    app: Flask, hub: Hub, params: dict[str, str]
) -> None:
    client = add_client(hub)
    response = app.test_client().get(authorize_url(client.client_id, **params))
    assert response.status_code == 400
    assert "invalid_request" in response.get_data(as_text=True)
    assert "Location" not in response.headers


def test_id_token_hint_with_a_strange_key_id_is_refused_to_the_client(app: Flask, hub: Hub) -> None:
    client = add_client(hub)
    response = app.test_client().get(
        authorize_url(client.client_id, id_token_hint=kid_hint('a"b\\c'))
    )
    assert response.status_code == 302
    assert query(response.headers["Location"])["error"] == "invalid_request"


@pytest.mark.parametrize("path", ["/token", "/introspect", "/revoke"])
def test_basic_credentials_that_are_not_utf8_are_an_invalid_client(app: Flask, path: str) -> None:
    response = app.test_client().post(
        path,
        headers={"Authorization": "Basic //46/w=="},
        data={"token": "x", "grant_type": "client_credentials"},
    )
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"


@pytest.mark.parametrize("path", ["/token", "/introspect", "/revoke"])
@pytest.mark.parametrize("header", [" /Yxo$", "Basic", "   "])
def test_an_authorization_header_without_scheme_and_credentials_is_an_invalid_client(
    app: Flask, path: str, header: str
) -> None:
    """Authlib's own reading of such a header raised (a 500, found by the route fuzzer)."""
    response = app.test_client().post(
        path,
        headers={"Authorization": header},
        data={"token": "x", "grant_type": "client_credentials"},
    )
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("post", "/apply/subsystems/bindings/%00/unbind", 404),
        ("get", "/unit/accounts/%00", 404),
        ("get", "/unit/accounts?name=a%00b", 400),
        ("get", "/admin/accounts?q=ab%00c", 400),
    ],
)
def test_a_nul_in_a_path_or_a_field_is_refused_before_any_query(
    people: dict[str, Visitor], method: str, path: str, status: int
) -> None:
    """PostgreSQL keeps no NUL in text: such a value reaching a query was a 500 there
    (found by the route fuzzer); here it is refused on every database."""
    client = people["authority" if "/admin/" not in path else "security_admin"].client
    assert getattr(client, method)(path, data={"csrf_token": "x"}).status_code == status


def test_bodies_over_the_limit_without_an_application_get_the_page(app: Flask) -> None:
    client = app.test_client()
    response = client.post(
        "/apply", data=b"x" * (1024 * 1024 + 1), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "送出的資料太大" in response.get_data(as_text=True)
    scan = client.post(
        "/apply/scan",
        data={"scan": (io.BytesIO(b"%PDF" + b"0" * (5 * 1024 * 1024)), "scan.pdf")},
        content_type="multipart/form-data",
    )
    assert scan.status_code in (400, 404, 413)


HUGE = "9" * 30


@pytest.fixture
def people(app: Flask, hub: Hub) -> dict[str, Visitor]:
    make_people(hub)
    return {role: visitor(app, hub, ROLES[role]) for role in ("authority", "security_admin")}


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("authority", f"/unit/accounts/{HUGE}"),
        ("authority", f"/review/applications/{HUGE}"),
        ("authority", f"/review/applications/{HUGE}/scan"),
        ("security_admin", f"/admin/accounts/{HUGE}"),
    ],
)
def test_ids_too_large_for_the_database_are_not_found(
    people: dict[str, Visitor], role: str, path: str
) -> None:
    assert people[role].client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/review/applications?from=0001-01-01&to=9999-12-31",
        "/review/role-changes?from=9999-12-31&number=²",
        "/unit/signins?from=0001-01-01&to=9999-12-31",
        "/unit/accounts?page=²",
        "/announcements?page=²",
    ],
)
def test_extreme_filters_are_ignored(people: dict[str, Visitor], path: str) -> None:
    assert people["authority"].client.get(path).status_code == 200


@pytest.mark.parametrize("ids", ["²", HUGE, "-1"])
def test_batch_decisions_with_strange_ids_are_refused(people: dict[str, Visitor], ids: str) -> None:
    authority = people["authority"]
    response = authority.client.post(
        "/review/applications",
        data={"csrf_token": authority.csrf, "ids": ids, "decision": "approve", "reason": "x"},
    )
    assert response.status_code < 500


def test_role_change_with_a_huge_subsystem_account_id_is_refused(
    people: dict[str, Visitor], hub: Hub
) -> None:
    authority = people["authority"]
    member = account(hub, ROLES["member"])
    response = authority.client.post(
        f"/unit/accounts/{member.id}/role-changes",
        data={"csrf_token": authority.csrf, "kind": "A", "subsystem_account_id": HUGE},
    )
    assert response.status_code < 500


def test_strict_transport_security_when_the_issuer_is_https(settings_for, app: Flask) -> None:  # type: ignore[no-untyped-def]
    assert "Strict-Transport-Security" not in app.test_client().get("/").headers
    https_hub = prepared_hub(settings_for(issuer="https://hub.example"))
    try:
        secure = create_app(https_hub.settings, hub=https_hub).test_client()
        for path in ("/", "/token", "/signin"):
            response = secure.get(path, base_url="https://hub.example")
            assert response.headers.get("Strict-Transport-Security") == "max-age=31536000", path
    finally:
        https_hub.close()


def test_downloads_with_personal_data_are_not_kept_and_named_with_an_extension(
    app: Flask, hub: Hub
) -> None:
    make_people(hub)
    member = visitor(app, hub, ROLES["member"])
    response = member.client.get("/account/data.json")
    assert response.headers["Cache-Control"] == "no-store"
    assert 'filename="onedoor-member01.json"' in response.headers["Content-Disposition"]
    authority = visitor(app, hub, ROLES["authority"])
    export = authority.client.get("/review/applications?format=csv")
    assert export.headers["Cache-Control"] == "no-store"
    assert ".csv" in export.headers["Content-Disposition"]


def test_scan_names_carry_their_extension() -> None:
    assert filename_for("APP-2026-0001", "application/pdf") == "APP-2026-0001.pdf"
    assert filename_for("APP-2026-0001", "image/jpeg") == "APP-2026-0001.jpg"


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"request": "eyJhbGciOiJub25lIn0.e30."}, "request_not_supported"),
        ({"request_uri": "https://rp.example/request.jwt"}, "request_uri_not_supported"),
        ({"response_mode": "form_post"}, "invalid_request"),
        ({"response_mode": "fragment"}, "invalid_request"),
    ],
)
def test_unsupported_request_features_are_refused_to_the_client(
    app: Flask, hub: Hub, params: dict[str, str], error: str
) -> None:
    client = add_client(hub)
    response = app.test_client().get(authorize_url(client.client_id, **params))
    assert response.status_code == 302
    answer = query(response.headers["Location"])
    assert answer["error"] == error
    assert answer["state"] == "st8"


def test_two_kinds_of_client_authentication_are_refused(app: Flask, hub: Hub) -> None:
    client = add_client(hub)
    secret = client.secret or ""
    both = app.test_client().post(
        "/token",
        headers={
            "Authorization": "Basic "
            + base64.b64encode(f"{client.client_id}:{secret}".encode()).decode()
        },
        data={
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": secret,
        },
    )
    assert both.status_code == 400
    assert both.get_json()["error"] == "invalid_request"
    posted = app.test_client().post(
        "/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": secret,
        },
    )
    assert posted.status_code == 401  # registered for client_secret_basic


def test_a_captcha_answers_only_in_the_session_that_asked_for_it(app: Flask, hub: Hub) -> None:
    add_account(hub)
    asker, other = app.test_client(), app.test_client()
    fields = page_fields(asker.get("/signin").get_data(as_text=True))
    challenge = fields["captcha_id"]
    assert asker.get(f"/captcha/{challenge}.png").status_code == 200
    assert other.get(f"/captcha/{challenge}.png").status_code == 404
    assert other.get(f"/captcha/{challenge}.wav").status_code == 404
    own = page_fields(other.get("/signin").get_data(as_text=True))
    response = other.post(
        "/signin",
        data={
            "csrf_token": own["csrf_token"],
            "username": "tester01",
            "password": PASSWORD,
            "rid": "",
            "captcha_id": challenge,
            "captcha_answer": captcha.answer_of(hub.store, challenge) or "",
        },
    )
    assert response.status_code == 401
    assert "王小明" not in other.get("/").get_data(as_text=True)


def test_a_multipart_part_without_a_name_is_refused(app: Flask) -> None:
    body = b"--b\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--b--\r\n"
    response = app.test_client().post(
        "/signin", data=body, content_type="multipart/form-data; boundary=b"
    )
    assert response.status_code == 400


def test_a_page_form_without_its_csrf_token_is_refused(app: Flask, hub: Hub) -> None:
    add_account(hub)
    browser = app.test_client()
    fields = page_fields(browser.get("/signin").get_data(as_text=True))
    del fields["csrf_token"]
    response = browser.post(
        "/signin", data={**fields, "username": "tester01", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert errors.CSRF_EXPIRED in response.get_data(as_text=True)


def test_the_token_endpoint_keeps_no_session(app: Flask, hub: Hub) -> None:
    client = add_client(hub, grant_types=["client_credentials"])
    browser = app.test_client()
    browser.get("/signin")
    cookie = browser.get_cookie(hub.settings.session_cookie_name)
    assert cookie is not None
    response = browser.post(
        "/token",
        data={"grant_type": "client_credentials"},
        headers={
            "Authorization": "Basic "
            + base64.b64encode(f"{client.client_id}:{client.secret}".encode()).decode()
        },
    )
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    refused = browser.get("/token")  # 405 on a machine endpoint
    assert refused.status_code == 405 and "Set-Cookie" not in refused.headers
    assert browser.get_cookie(hub.settings.session_cookie_name) == cookie
