"""The right message for each refusal, and POST/redirect/GET for the forms that change
something: 忘記密碼 sent empty, a 職稱 too long, returning an application without a
reason, a review decision and Back, 登入裝置 in words, the card only where one is used,
the scan on the application's page."""

from __future__ import annotations

from dataclasses import replace

from flask import Flask
from flask.testing import FlaskClient
from fpdf import FPDF

from idp.hub import Hub
from idp.models import Application, ApplicationStatus, UnitKind
from idp.services.applications.paper_review import attach_scan
from idp.services.signin import captcha

from ..support.applications import (
    AUTHORITY,
    HOSPITAL,
    add_admin,
    add_unit,
    applying,
    member_form,
    submit_confirmed,
)
from ..support.helpers import add_account, client_sign_in, page_fields
from ..support.visible import visible_text

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)


def post_page(client: FlaskClient, path: str, **data: object):  # type: ignore[no-untyped-def]
    fields = page_fields(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": fields["csrf_token"], **data})


def test_forgot_password_sent_empty_names_every_missing_field(app: Flask, hub: Hub) -> None:
    client = app.test_client()
    refused = post_page(client, "/password/forgot", username="", email="", captcha_answer="")
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    for field in ("username", "email", "captcha_answer"):
        assert f'id="{field}-error"' in body, field
    assert "驗證碼錯誤" not in body


def test_forgot_password_redirects_after_sending(app: Flask, hub: Hub) -> None:
    add_account(hub)
    client = app.test_client()
    fields = page_fields(client.get("/password/forgot").get_data(as_text=True))
    answer = captcha.answer_of(hub.store, fields["captcha_id"]) or ""
    sent = client.post(
        "/password/forgot",
        data={
            **fields,
            "username": "tester01",
            "email": "wang@example.org",
            "captcha_answer": answer,
        },
    )
    assert sent.status_code == 302
    assert "已寄出變更密碼通知信" in client.get(sent.headers["Location"]).get_data(as_text=True)


def test_a_title_too_long_is_told_as_such(app: Flask, hub: Hub) -> None:
    add_account(hub)
    client = app.test_client()
    client_sign_in(client, hub)
    refused = post_page(
        client,
        "/account/profile",
        title="主任" * 150,
        phone="02-12345678",
        phone_backup="",
        mobile="",
        email="wang@example.org",
        email_backup="",
    )
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "職稱不可超過 100 字" in body and "逾時" not in body


def _pending_application(hub: Hub) -> int:
    add_unit(hub, HOSPITAL, "示範綜合醫院")
    add_admin(hub, "hospadmin", HOSPITAL)
    with hub.database.unit_of_work() as db:
        return submit_confirmed(db, applying(hub), member_form()).id


def test_returning_without_a_reason_is_told_before_any_confirmation(app: Flask, hub: Hub) -> None:
    application_id = _pending_application(hub)
    client = app.test_client()
    client_sign_in(client, hub, "hospadmin")
    refused = post_page(
        client, "/review/applications", ids=str(application_id), decision="return", reason=""
    )
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "退回時請填寫原因" in body and "是否確定" not in body


def test_a_decision_is_posted_redirected_and_told_on_the_list(app: Flask, hub: Hub) -> None:
    application_id = _pending_application(hub)
    client = app.test_client()
    client_sign_in(client, hub, "hospadmin")
    data = {"ids": str(application_id), "decision": "approve", "reason": ""}
    asked = post_page(client, "/review/applications", **data)
    assert asked.status_code == 302  # the question is a page of its own (GET)
    question = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert "是否確定核定以下 1 筆申請" in question
    token = page_fields(question)["csrf_token"]
    done = client.post(
        "/review/applications", data={"csrf_token": token, **data, "confirmed": "yes"}
    )
    assert done.status_code == 302
    listed = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "已核定 1 筆" in listed
    assert "已核定 1 筆" not in client.get(done.headers["Location"]).get_data(as_text=True)
    again = client.get(asked.headers["Location"]).get_data(as_text=True)  # Back
    assert "是否確定" not in again  # the question was answered
    with hub.database.unit_of_work() as db:
        application = db.get(Application, application_id)
        assert application is not None and application.status is ApplicationStatus.APPROVED


def test_devices_are_named_in_words(app: Flask, hub: Hub) -> None:
    add_account(hub)
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = CHROME
    client_sign_in(client, hub)
    text = visible_text(client.get("/account/sessions").get_data(as_text=True))
    assert "Chrome 120" in text and "Windows 10" in text
    assert "Mozilla" not in text


def _scan() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="signed")
    return bytes(pdf.output())


def test_the_paper_route_shows_no_card_message_and_the_scan_is_on_the_detail_page(
    app: Flask, hub: Hub
) -> None:
    add_unit(hub, HOSPITAL, "示範綜合醫院")
    add_unit(hub, AUTHORITY, "國民健康署", UnitKind.AUTHORITY)
    add_admin(hub, "hpaadmin", AUTHORITY)
    with hub.database.unit_of_work() as db:
        form = replace(member_form(), role="unit_admin", subsystems=())
        application = submit_confirmed(db, applying(hub), form)
        attach_scan(db, application, _scan(), "form.pdf")
        application_id = application.id
    applicant = app.test_client()
    with applicant.session_transaction() as session:
        session["application_id"] = application_id
    page = applicant.get("/apply/progress").get_data(as_text=True)
    before, card = page.split('<details class="card-verify"', 1)
    assert "data-card-form" not in before  # the card agent is asked only once it is opened
    assert "data-card-form" in card.split("</details>", 1)[0]
    reviewer = app.test_client()
    client_sign_in(reviewer, hub, "hpaadmin")
    detail = reviewer.get(f"/review/applications/{application_id}").get_data(as_text=True)
    assert f'href="/review/applications/{application_id}/scan"' in detail
