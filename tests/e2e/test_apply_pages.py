"""The applicants' and reviewers' pages over HTTP: the form keeps what was typed, status
lookup tells strangers nothing, the paper route's PDF and scan, reviewers confined to
their unit whatever id they put in a URL or form, and mail through a real SMTP server."""

from __future__ import annotations

import io
import re
import statistics
import time

import pytest
import requests
from PIL import Image
from sqlalchemy import select

from idp.models import Application, ApplicationStatus, MailMessage, UnitKind
from idp.services.messaging import mail
from idp.services.messaging.mail import SmtpSender
from idp.services.signin import captcha

from ..support.applications import (
    APPLICANT_PASSWORD,
    AUTHORITY,
    HOSPITAL,
    OTHER_HOSPITAL,
    add_admin,
    add_unit,
    application_data,
    apply,
    apply_confirmed,
    decide,
    national_id,
)
from ..support.helpers import PASSWORD, Person, form_with
from ..support.hub import LiveHub, free_port
from ..support.pdf import extracted_text
from ..support.smtp import SmtpServer

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def demo_units(live_hub: LiveHub) -> LiveHub:
    add_unit(live_hub.hub, HOSPITAL, "示範綜合醫院")
    add_unit(live_hub.hub, OTHER_HOSPITAL, "另一家醫院")
    add_unit(live_hub.hub, AUTHORITY, "國民健康署", UnitKind.AUTHORITY)
    add_admin(
        live_hub.hub,
        "hospadmin",
        HOSPITAL,
        subsystems={"mch": ("medical_institution", ["prenatal_care"])},
    )
    add_admin(live_hub.hub, "otheradmin", OTHER_HOSPITAL)
    add_admin(live_hub.hub, "hpaadmin", AUTHORITY)
    return live_hub


def test_a_refused_form_keeps_what_was_typed_except_passwords(demo_units: LiveHub) -> None:
    response = apply(demo_units, mobile="0812345678", title="主任")
    assert response.status_code == 400
    assert "手機號碼為 09 開頭的 10 碼" in response.text
    assert 'value="主任"' in response.text and 'value="林新人"' in response.text
    assert APPLICANT_PASSWORD not in response.text
    assert 'value="prenatal_care" checked' in response.text
    with demo_units.hub.database.unit_of_work() as db:
        assert db.scalar(select(Application)) is None


def test_the_unit_picker_narrows_without_submitting(demo_units: LiveHub) -> None:
    http = requests.Session()
    page = http.get(demo_units.url + "/apply")
    data = application_data(page.text, pick_unit="1", unit_code="", unit_code_query="另一家")
    response = http.post(demo_units.url + "/apply", data=data)
    assert response.status_code == 200
    assert OTHER_HOSPITAL in response.text
    with demo_units.hub.database.unit_of_work() as db:
        assert db.scalar(select(Application)) is None


def test_status_lookup_tells_strangers_nothing(demo_units: LiveHub) -> None:
    assert apply_confirmed(demo_units).status_code == 302

    def look_up(username: str, password: str) -> requests.Response:
        http = requests.Session()
        page = http.get(demo_units.url + "/apply/status")
        fields = form_with(page.text, "csrf_token")["fields"]
        answer = captcha.answer_of(demo_units.hub.store, fields["captcha_id"]) or ""
        return http.post(
            demo_units.url + "/apply/status",
            data=dict(fields, username=username, password=password, captcha_answer=answer),
        )

    found = look_up("newcomer01", APPLICANT_PASSWORD)
    assert found.status_code == 200
    assert (
        "待審核" in found.text and "管理者hospadmin" in found.text and "02-23456789" in found.text
    )

    def body(response: requests.Response) -> str:
        return re.sub(
            r'name="csrf-token" content="[^"]*"|value="[^"]*"|/captcha/[^"]*', "", response.text
        )

    wrong = look_up("newcomer01", "Wrong~Password123")
    absent = look_up("nobody0001", "Wrong~Password123")
    assert wrong.status_code == absent.status_code == 400
    assert body(wrong) == body(absent)
    assert "林新人" not in wrong.text

    def timed(username: str) -> float:
        start = time.perf_counter()
        look_up(username, "Wrong~Password123")
        return time.perf_counter() - start

    # A wrong password counts toward the address: stay under its limit of 6.
    present = [timed("newcomer01")]
    missing = [timed(f"nobody000{n}") for n in range(3)]
    assert abs(statistics.median(present) - statistics.median(missing)) < 0.15


def test_paper_route_pdf_and_scan(demo_units: LiveHub) -> None:
    http = requests.Session()
    response = apply_confirmed(
        demo_units, http, role="unit_admin", unit_code=OTHER_HOSPITAL, subsystems=[]
    )
    assert response.status_code == 302
    progress = http.get(demo_units.url + "/apply/progress")
    assert "驗證機構卡" in progress.text and "紙本審核" in progress.text  # card or paper
    pdf = http.get(demo_units.url + "/apply/form.pdf")
    assert pdf.headers["Content-Type"] == "application/pdf"
    text = extracted_text(pdf.content)
    assert "林新人" in text and OTHER_HOSPITAL in text
    assert national_id() not in text
    # A stranger's browser has no application to download.
    assert requests.get(demo_units.url + "/apply/form.pdf", timeout=10).status_code == 404

    token = form_with(progress.text, "csrf_token")["fields"]["csrf_token"]
    fake = http.post(
        demo_units.url + "/apply/scan",
        data={"csrf_token": token},
        files={"scan": ("scan.pdf", b"<html>not a pdf</html>", "application/pdf")},
    )
    assert fake.status_code == 400 and "PDF、JPG 或 PNG" in fake.text
    huge = http.post(
        demo_units.url + "/apply/scan",
        data={"csrf_token": token},
        files={"scan": ("scan.pdf", b"%PDF-1.7\n" + b"0" * (6 * 1024 * 1024), "application/pdf")},
    )
    assert huge.status_code == 413 and "檔案大小超過 5 MB" in huge.text
    image = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(image, "PNG")
    uploaded = http.post(
        demo_units.url + "/apply/scan",
        data={"csrf_token": token},
        files={"scan": ("scan.png", image.getvalue(), "image/png")},
    )
    assert uploaded.status_code == 200 and "已收到您上傳的紙本申請書" in uploaded.text

    authority = Person(demo_units.hub, demo_units.url, "hpaadmin", PASSWORD)
    authority.sign_in_at_home()
    listing = authority.http.get(demo_units.url + "/review/applications")
    assert "林新人" in listing.text and "紙本申請書" in listing.text
    with demo_units.hub.database.unit_of_work() as db:
        application = db.scalar(select(Application))
        assert application is not None
        application_id = application.id
    scan = authority.http.get(f"{demo_units.url}/review/applications/{application_id}/scan")
    assert scan.content == image.getvalue()
    decide(authority, demo_units.url + "/review/applications", [application_id], "approve")
    with demo_units.hub.database.unit_of_work() as db:
        application = db.get(Application, application_id)
        assert application is not None and application.status is ApplicationStatus.APPROVED


def test_reviewers_cannot_reach_another_units_application_by_id(demo_units: LiveHub) -> None:
    assert apply_confirmed(demo_units).status_code == 302
    with demo_units.hub.database.unit_of_work() as db:
        application = db.scalar(select(Application))
        assert application is not None
        application_id = application.id
    other = Person(demo_units.hub, demo_units.url, "otheradmin", PASSWORD)
    other.sign_in_at_home()
    assert "林新人" not in other.http.get(demo_units.url + "/review/applications").text
    assert (
        other.http.get(f"{demo_units.url}/review/applications/{application_id}").status_code == 404
    )
    refused = decide(other, demo_units.url + "/review/applications", [application_id], "approve")
    assert refused.status_code == 400
    with demo_units.hub.database.unit_of_work() as db:
        application = db.get(Application, application_id)
        assert application is not None and application.status is ApplicationStatus.PENDING

    own = Person(demo_units.hub, demo_units.url, "hospadmin", PASSWORD)
    own.sign_in_at_home()
    detail = own.http.get(f"{demo_units.url}/review/applications/{application_id}")
    assert detail.status_code == 200 and national_id() not in detail.text
    assert national_id()[-3:] in detail.text
    done = decide(own, demo_units.url + "/review/applications", [application_id], "approve")
    assert "已核定 1 筆" in done.text


def test_application_mail_reaches_a_real_smtp_server_after_it_was_down(
    demo_units: LiveHub,
) -> None:
    assert apply_confirmed(demo_units).status_code == 302
    server = SmtpServer(free_port())  # not started yet: the mail server is down
    sender = SmtpSender(server.url, "hub@example.org", timeout=2)
    with demo_units.hub.database.unit_of_work() as db:
        sent, failed = mail.deliver(db, sender, retry_base_seconds=0)
    assert sent == 0 and failed >= 1
    with demo_units.hub.database.unit_of_work() as db:
        waiting = list(db.scalars(select(MailMessage)))
        assert waiting and all(m.sent_at is None for m in waiting)
    server.start()
    try:
        with demo_units.hub.database.unit_of_work() as db:
            sent, failed = mail.deliver(db, sender, retry_base_seconds=0)
        assert (sent, failed) == (len(waiting), 0)  # each waiting mail leaves once
        received = server.inbox.wait_for(sent)
        assert "newcomer@example.org" in [m["To"] for m in received]
    finally:
        server.stop()
