"""One unit of work per request: a request that raises, or answers with a refusal,
leaves nothing half-written; the audit rows of a refusal stay; a request that succeeds
is stored without any view committing. The same holds when the request's first write
is a Core statement on its connection and the session comes later."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from idp.http.unit_of_work import connection, db
from idp.hub import Hub
from idp.models import Account, AuditEvent
from idp.services import audit
from idp.services.errors import DomainError
from idp.services.signin import captcha

from ..support.helpers import PASSWORD, add_account


def fields_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', html))


def rename_then(outcome: str) -> str:
    """A change to an account and an audit row, then the outcome asked for."""
    account = db().scalar(select(Account).where(Account.username == "tester01"))
    assert account is not None
    account.name = "改過的名字"
    return audit_then(outcome)


def rename_on_the_connection_then(outcome: str) -> str:
    """The same change as a Core statement, before the request has a session."""
    connection().execute(
        update(Account).where(Account.username == "tester01").values(name="改過的名字")
    )
    return audit_then(outcome)


def audit_then(outcome: str) -> str:
    audit.record(db(), "test.change", target="tester01")
    audit.record_always(db(), "test.refusal_noted", target="tester01")
    db().flush()
    if outcome == "raise":
        raise RuntimeError("a bug after the change")
    if outcome == "refuse":
        raise DomainError("不可以")
    return "ok"


@pytest.fixture
def client(app: Flask, hub: Hub) -> FlaskClient:
    add_account(hub)
    app.add_url_rule("/_test/change/<outcome>", "test_change", rename_then)
    app.add_url_rule(
        "/_test/core-change/<outcome>", "test_core_change", rename_on_the_connection_then
    )
    return app.test_client()


def stored(hub: Hub) -> tuple[str, set[str]]:
    with hub.database.unit_of_work() as session:
        name = session.scalar(select(Account.name).where(Account.username == "tester01"))
        actions = set(session.scalars(select(AuditEvent.action)))
    return name or "", actions


@pytest.mark.parametrize("route", ["change", "core-change"])
@pytest.mark.parametrize("outcome, status", [("raise", 500), ("refuse", 400)])
def test_a_view_failing_after_a_change_leaves_nothing_half_written(
    client: FlaskClient, hub: Hub, route: str, outcome: str, status: int
) -> None:
    before, _ = stored(hub)
    response = client.get(f"/_test/{route}/{outcome}")
    assert response.status_code == status
    assert "text/html" in response.content_type and "無法完成此要求" in response.text
    name, actions = stored(hub)
    assert name == before
    assert "test.change" not in actions
    assert "test.refusal_noted" in actions


@pytest.mark.parametrize("route", ["change", "core-change"])
def test_a_view_that_succeeds_is_stored_without_committing_itself(
    client: FlaskClient, hub: Hub, route: str
) -> None:
    assert client.get(f"/_test/{route}/done").status_code == 200
    name, actions = stored(hub)
    assert name == "改過的名字"
    assert {"test.change", "test.refusal_noted"} <= actions
    with hub.database.unit_of_work() as session:
        noted = session.scalar(
            select(func.count()).where(AuditEvent.action == "test.refusal_noted")
        )
    assert noted == 1


def test_a_refusal_asked_for_as_json_gets_json(client: FlaskClient) -> None:
    response = client.get("/_test/change/refuse", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.get_json() == {"error": "不可以", "status": 400}


def test_a_refused_sign_in_keeps_its_audit_row(client: FlaskClient, hub: Hub) -> None:
    fields = fields_of(client.get("/signin").text)
    response = client.post(
        "/signin",
        data={
            "csrf_token": fields["csrf_token"],
            "captcha_id": fields["captcha_id"],
            "captcha_answer": captcha.answer_of(hub.store, fields["captcha_id"]) or "",
            "username": "tester01",
            "password": PASSWORD + "-wrong",
        },
    )
    assert response.status_code == 401
    with hub.database.unit_of_work() as session:
        failures = list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == "signin.failure"))
        )
    assert [(f.actor, f.details["reason"]) for f in failures] == [("tester01", "credentials")]
