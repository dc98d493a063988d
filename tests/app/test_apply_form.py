"""帳號申請 against probing and relaying: the captcha and a limit per address, one answer
whether or not the account name is taken or an application is under way, and the
application counts only once the address given is confirmed by its link."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from idp.hub import Hub
from idp.models import Application, ApplicationStatus, MailMessage
from idp.services.signin import captcha

from ..support.applications import (
    HOSPITAL,
    add_admin,
    add_unit,
    application_data,
    confirmation_token,
    national_id,
)


@pytest.fixture
def unit(hub: Hub) -> Hub:
    add_unit(hub, HOSPITAL, "示範綜合醫院")
    add_admin(hub, "hospadmin", HOSPITAL)
    return hub


def send(client: FlaskClient, hub: Hub, ip: str = "10.4.0.1", answer: bool = True, **changes: str):  # type: ignore[no-untyped-def]
    environ = {"REMOTE_ADDR": ip}
    page = client.get("/apply", environ_base=environ).get_data(as_text=True)
    data = application_data(page, **changes)
    challenge = page.split('name="captcha_id" value="', 1)[1].split('"', 1)[0]
    data["captcha_id"] = challenge
    data["captcha_answer"] = (captcha.answer_of(hub.store, challenge) or "") if answer else "0"
    return client.post("/apply", data=data, environ_base=environ)


def applications(hub: Hub) -> int:
    with hub.database.unit_of_work() as db:
        return db.scalar(select(func.count()).select_from(Application)) or 0


def test_applying_asks_for_the_captcha(app: Flask, unit: Hub) -> None:
    refused = send(app.test_client(), unit, answer=False)
    assert refused.status_code == 400 and "驗證碼錯誤" in refused.get_data(as_text=True)
    assert applications(unit) == 0


def test_applications_are_limited_per_address(app: Flask, unit: Hub) -> None:
    limit = unit.policy.current().lockout.apply_per_hour
    statuses = [
        send(
            app.test_client(), unit, username=f"newcomer{n:02d}", email=f"n{n}@example.org"
        ).status_code
        for n in range(limit + 1)
    ]
    assert statuses == [302] * limit + [429]


def test_the_same_answer_whether_or_not_the_name_is_taken(app: Flask, unit: Hub) -> None:
    first = send(app.test_client(), unit)
    assert first.status_code == 302 and first.headers["Location"].endswith("/apply/sent")
    client = app.test_client()
    taken = send(client, unit, national_id=national_id("C"), email="prober@example.org")
    pending = send(client, unit, username="newcomer02", email="prober@example.org")
    assert taken.status_code == pending.status_code == 302
    assert taken.headers["Location"] == pending.headers["Location"] == first.headers["Location"]
    page = client.get(taken.headers["Location"]).get_data(as_text=True)
    assert "已有人使用" not in page and "審核中" not in page
    assert applications(unit) == 1
    with unit.database.unit_of_work() as db:
        kinds = db.scalars(
            select(MailMessage.kind).where(MailMessage.to == "prober@example.org")
        ).all()
    assert kinds == ["application_not_taken", "application_not_taken"]


def test_the_application_counts_once_its_link_is_opened(app: Flask, unit: Hub) -> None:
    client = app.test_client()
    assert send(client, unit).status_code == 302
    assert client.get("/apply/progress").headers["Location"].endswith("/apply/status")
    with unit.database.unit_of_work() as db:
        application = db.scalar(select(Application))
        assert application is not None and application.status is ApplicationStatus.UNCONFIRMED
        token = confirmation_token(db, "newcomer@example.org")
    opened = client.get(f"/apply/confirm/{token}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/apply/progress")
    assert "待審核" in client.get("/apply/progress").get_data(as_text=True)
    assert client.get(f"/apply/confirm/{token}").status_code == 400


@pytest.mark.parametrize(
    "address", ['"a<b>,"@example.org', "a<b>@example.org", "x@example.org,y@example.org"]
)
def test_the_address_is_checked_by_a_real_validator(app: Flask, unit: Hub, address: str) -> None:
    refused = send(app.test_client(), unit, email=address)
    assert refused.status_code == 400 and 'id="email-error"' in refused.get_data(as_text=True)
    assert applications(unit) == 0
