"""申請進度查詢: behind the sign-in page's captcha and address limits, never locking the
account, and one answer for every failure."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from idp.hub import Hub
from idp.services.accounts.directory import find_by_username
from idp.services.signin import captcha
from idp.services.signin.throttle import Throttle

from ..support.applications import (
    APPLICANT_PASSWORD,
    HOSPITAL,
    add_admin,
    add_unit,
    applying,
    member_form,
    submit_confirmed,
)
from ..support.helpers import PASSWORD, add_account, client_sign_in, page_fields

WRONG = "Wrong~Password9x"


@pytest.fixture
def applicant(hub: Hub) -> Hub:
    add_unit(hub, HOSPITAL, "示範綜合醫院")
    add_admin(hub, "hospadmin", HOSPITAL)
    with hub.database.unit_of_work() as db:
        submit_confirmed(db, applying(hub), member_form())
    return hub


def look_up(
    client: FlaskClient,
    hub: Hub,
    username: str = "newcomer01",
    password: str = APPLICANT_PASSWORD,
    ip: str = "10.7.0.1",
    answer_captcha: bool = True,
):  # type: ignore[no-untyped-def]
    environ = {"REMOTE_ADDR": ip}
    fields = page_fields(client.get("/apply/status", environ_base=environ).get_data(as_text=True))
    data = {"csrf_token": fields["csrf_token"], "username": username, "password": password}
    if answer_captcha:
        data["captcha_id"] = fields["captcha_id"]
        data["captcha_answer"] = captcha.answer_of(hub.store, fields["captcha_id"]) or ""
    return client.post("/apply/status", data=data, environ_base=environ)


def locked(hub: Hub, username: str) -> bool:
    with hub.database.unit_of_work() as db:
        account = find_by_username(db, username)
        assert account is not None
        return Throttle(hub.store, hub.policy.current().lockout).locked(account.id)


def alert(response) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r'role="alert"[^>]*>(.*?)<', response.get_data(as_text=True))
    assert found is not None, response.get_data(as_text=True)[:2000]
    return found.group(1)


def test_the_lookup_asks_for_the_captcha(app: Flask, applicant: Hub) -> None:
    page = app.test_client().get("/apply/status").get_data(as_text=True)
    assert 'name="captcha_id"' in page
    refused = look_up(app.test_client(), applicant, answer_captcha=False)
    assert refused.status_code == 400
    assert "驗證碼錯誤" in refused.get_data(as_text=True)
    assert look_up(app.test_client(), applicant).status_code == 302


def test_wrong_lookups_never_lock_the_account(app: Flask, applicant: Hub) -> None:
    add_account(applicant, username="tester01")
    for n in range(5):
        for name in ("newcomer01", "tester01"):
            response = look_up(app.test_client(), applicant, name, WRONG, ip=f"10.7.{n}.2")
            assert response.status_code == 400
    assert not locked(applicant, "newcomer01") and not locked(applicant, "tester01")
    assert client_sign_in(app.test_client(), applicant, ip="10.8.0.1").status_code == 302
    assert look_up(app.test_client(), applicant, ip="10.8.0.2").status_code == 302


def test_lookup_failures_count_toward_the_address(app: Flask, applicant: Hub) -> None:
    limit = applicant.policy.current().lockout.address_failures
    statuses = [
        look_up(app.test_client(), applicant, "newcomer01", WRONG, ip="10.9.9.9").status_code
        for _ in range(limit + 2)
    ]
    assert statuses == [400] * limit + [429] * 2
    # The same address is refused at sign-in too; another address is not.
    add_account(applicant, username="tester01")
    assert client_sign_in(app.test_client(), applicant, ip="10.9.9.9").status_code == 429
    assert client_sign_in(app.test_client(), applicant, ip="10.9.9.8").status_code == 302


def test_every_failed_lookup_answers_the_same(app: Flask, applicant: Hub) -> None:
    """A wrong password, a name nobody holds, a locked account and an account with no
    application: the same status and words."""
    add_account(applicant, username="tester01")  # signs in; never applied
    for n in range(3):
        client_sign_in(app.test_client(), applicant, "newcomer01", WRONG, ip=f"10.6.{n}.1")
    assert locked(applicant, "newcomer01")
    answers = {
        "wrong password": look_up(app.test_client(), applicant, "tester01", WRONG, "10.5.0.1"),
        "nobody": look_up(app.test_client(), applicant, "nobody0001", WRONG, "10.5.0.2"),
        "locked, right password": look_up(app.test_client(), applicant, ip="10.5.0.3"),
        "no application": look_up(app.test_client(), applicant, "tester01", PASSWORD, "10.5.0.4"),
    }
    assert {r.status_code for r in answers.values()} == {400}
    assert len({alert(r) for r in answers.values()}) == 1, {k: alert(r) for k, r in answers.items()}
