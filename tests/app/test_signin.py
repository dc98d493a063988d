"""The sign-in page and hub sessions (Flask's test client: cookies and headers)."""

from __future__ import annotations

import json
import re
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient

from idp.app import create_app
from idp.http.sessions import store_key_for
from idp.hub import Hub
from idp.models import Account, AccountStatus, AuditEvent, HubSession
from idp.services.signin import captcha

from ..support.helpers import PASSWORD, add_account

COOKIE = "onedoor_session"


def page_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', html))


def sign_in(
    client: FlaskClient,
    hub: Hub,
    username: str = "tester01",
    password: str = PASSWORD,
    captcha_answer: str | None = None,
):  # type: ignore[no-untyped-def]
    fields = page_fields(client.get("/signin").get_data(as_text=True))
    answer = captcha.answer_of(hub.store, fields["captcha_id"])
    return client.post(
        "/signin",
        data={
            "csrf_token": fields["csrf_token"],
            "captcha_id": fields["captcha_id"],
            "captcha_answer": answer if captcha_answer is None else captcha_answer,
            "username": username,
            "password": password,
            "rid": "",
        },
    )


def cookie_value(client: FlaskClient) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else None


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_sign_in_page_is_accessible_and_has_a_captcha(client: FlaskClient) -> None:
    html = client.get("/signin").get_data(as_text=True)
    for field in ("username", "password", "captcha_answer"):
        assert f'<label for="{field}">' in html
    assert 'autocomplete="current-password"' in html
    assert 'alt="' in html and "語音撥放" in html and "更新驗證碼" in html


def test_captcha_image_and_audio(client: FlaskClient, hub: Hub) -> None:
    fields = page_fields(client.get("/signin").get_data(as_text=True))
    image = client.get(f"/captcha/{fields['captcha_id']}.png")
    assert image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")
    audio = client.get(f"/captcha/{fields['captcha_id']}.wav")
    assert audio.mimetype == "audio/wav" and audio.data.startswith(b"RIFF")
    assert len(audio.data) > 8000  # five spoken digits at 8 kHz
    english = client.get(
        f"/captcha/{fields['captcha_id']}.wav", headers={"Cookie": "onedoor_lang=en"}
    )
    assert english.data != audio.data
    assert client.get("/captcha/unknown.png").status_code == 404
    fresh = client.get("/captcha/new").get_json()
    assert captcha.answer_of(hub.store, fresh["id"]) is not None


def test_successful_sign_in_renews_the_session_and_records_it(
    client: FlaskClient, hub: Hub
) -> None:
    add_account(hub)
    client.get("/signin")
    before = cookie_value(client)
    response = sign_in(client, hub)
    assert response.status_code == 302
    after = cookie_value(client)
    assert before and after and before != after
    assert hub.store.get(store_key_for(before)) is None  # the old id is gone
    cookie_header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE))
    assert "HttpOnly" in cookie_header and "SameSite=Lax" in cookie_header
    assert "Secure" not in cookie_header  # plain http issuer
    home = client.get("/").get_data(as_text=True)
    assert "王小明" in home and "這是您第一次登入" in home
    with hub.database.unit_of_work() as db:
        assert db.query(HubSession).count() == 1
        assert db.query(AuditEvent).filter_by(action="signin.success").count() == 1


def test_home_shows_the_previous_sign_in_time(app: Flask, hub: Hub) -> None:
    add_account(hub)
    sign_in(app.test_client(), hub)
    second = app.test_client()
    sign_in(second, hub)
    html = second.get("/").get_data(as_text=True)
    assert "這是您第一次登入" not in html
    assert re.search(r"data-previous-signin>\d{4}/\d\d/\d\d \d\d:\d\d:\d\d<", html)


def test_secure_cookie_under_https(settings_for, hub: Hub) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(issuer="https://sso.example.org"), hub=hub)
    response = app.test_client().get("/signin", base_url="https://sso.example.org")
    cookie_header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE))
    assert "Secure" in cookie_header


def test_failures_look_the_same_whether_or_not_the_account_exists(app: Flask, hub: Hub) -> None:
    add_account(hub)
    wrong_password = sign_in(app.test_client(), hub, password="Not~The~Password1")
    no_account = sign_in(app.test_client(), hub, username="nobody99")
    assert wrong_password.status_code == no_account.status_code == 401

    def message(response) -> str:  # type: ignore[no-untyped-def]
        return re.search(r'role="alert"[^>]*>(.*?)<', response.get_data(as_text=True)).group(1)

    assert message(wrong_password) == message(no_account)
    assert message(no_account).startswith("帳號或密碼錯誤")
    with hub.database.unit_of_work() as db:
        failures = db.query(AuditEvent).filter_by(action="signin.failure").all()
        assert {f.actor for f in failures} == {"tester01", "nobody99"}
        assert all("password" not in json.dumps(f.details) for f in failures)


def test_wrong_captcha_is_refused_and_cannot_be_retried(client: FlaskClient, hub: Hub) -> None:
    add_account(hub)
    fields = page_fields(client.get("/signin").get_data(as_text=True))
    answer = captcha.answer_of(hub.store, fields["captcha_id"])
    data = {
        "csrf_token": fields["csrf_token"],
        "captcha_id": fields["captcha_id"],
        "username": "tester01",
        "password": PASSWORD,
        "rid": "",
    }
    refused = client.post(
        "/signin", data=dict(data, captcha_answer="00000" if answer != "00000" else "11111")
    )
    assert "驗證碼錯誤" in refused.get_data(as_text=True)
    again = client.post("/signin", data=dict(data, captcha_answer=answer))
    assert again.status_code == 401  # the challenge was used up by the first try


def test_captcha_expires(hub: Hub) -> None:
    challenge = captcha.new_challenge(hub.store, 5, 1)
    answer = captcha.answer_of(hub.store, challenge)
    time.sleep(1.5)
    assert captcha.check(hub.store, challenge, answer or "") is False


def test_sign_in_needs_the_csrf_token(client: FlaskClient, hub: Hub) -> None:
    add_account(hub)
    response = client.post("/signin", data={"username": "tester01", "password": PASSWORD})
    assert response.status_code == 400
    assert cookie_value(client) is None or "王小明" not in client.get("/").get_data(as_text=True)


def test_an_account_not_yet_active_is_told_only_after_the_right_password(
    client: FlaskClient, hub: Hub
) -> None:
    add_account(hub, status=AccountStatus.PENDING)
    wrong = sign_in(client, hub, password="Wrong~Password99")
    assert "帳號或密碼錯誤" in wrong.get_data(as_text=True)
    right = sign_in(client, hub)
    assert right.status_code == 401
    assert "尚未核定" in right.get_data(as_text=True)


def _age_session(hub: Hub, client: FlaskClient, field: str, seconds: float) -> None:
    key = store_key_for(cookie_value(client) or "")
    data = json.loads(hub.store.get(key) or b"{}")
    data[field] = time.time() - seconds
    hub.store.set(key, json.dumps(data).encode(), 600)


def test_idle_session_ends(client: FlaskClient, hub: Hub) -> None:
    add_account(hub)
    sign_in(client, hub)
    _age_session(hub, client, "_last_seen", hub.policy.current().session.idle_minutes * 60 + 1)
    assert 'name="password"' in client.get("/").get_data(as_text=True)


def test_session_has_an_absolute_lifetime(client: FlaskClient, hub: Hub) -> None:
    add_account(hub)
    sign_in(client, hub)
    _age_session(hub, client, "_created", hub.policy.current().session.max_hours * 3600 + 1)
    assert 'name="password"' in client.get("/").get_data(as_text=True)


def test_sign_out_ends_the_session(client: FlaskClient, hub: Hub) -> None:
    add_account(hub)
    sign_in(client, hub)
    old = cookie_value(client)
    fields = page_fields(client.get("/").get_data(as_text=True))
    response = client.post("/signout", data={"csrf_token": fields["csrf_token"]})
    assert response.status_code == 302  # reloading the page it lands on signs nobody out
    assert "您已登出" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert hub.store.get(store_key_for(old or "")) is None
    assert 'name="password"' in client.get("/").get_data(as_text=True)
    with hub.database.unit_of_work() as db:
        assert db.query(HubSession).one().ended_at is not None
        assert db.query(AuditEvent).filter_by(action="signout").count() == 1


def test_sign_out_needs_the_csrf_token(client: FlaskClient, hub: Hub) -> None:
    add_account(hub)
    sign_in(client, hub)
    assert client.post("/signout").status_code == 400
    assert "王小明" in client.get("/").get_data(as_text=True)


def test_language_switch(client: FlaskClient) -> None:
    response = client.get("/lang/en?next=/signin")
    assert response.status_code == 302 and response.headers["Location"] == "/signin"
    assert '<html lang="en">' in client.get("/signin").get_data(as_text=True)
    assert client.get("/lang/en?next=//evil.example").headers["Location"] == "/"
    assert client.get("/lang/fr").status_code == 404


def test_security_headers(client: FlaskClient) -> None:
    response = client.get("/signin")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_passwords_are_hashed_with_argon2id_at_owasp_strength(hub: Hub) -> None:
    add_account(hub)
    with hub.database.unit_of_work() as db:
        stored = db.query(Account).one().password_hash
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in stored
