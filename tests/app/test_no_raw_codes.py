"""No page shows a raw code. With the demo data and some of everything (applications of
both routes with subsystem requests, a role change, failed and successful sign-ins,
inbox messages), every page the hub serves is opened as a member, a unit admin, the
authority and a security admin, in Chinese and in English, and its visible text is
searched for enum values, subsystem, duty and menu role codes, ``amr`` values and policy
keys. The error pages are the hub's own, in the chosen language, with a way back."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from fpdf import FPDF
from sqlalchemy import select

from idp.demo import load_demo
from idp.http.i18n import COOKIE
from idp.hub import Hub
from idp.models import Application, ApplicationStatus, RoleChangeKind, SubsystemAccount
from idp.services.accounts.directory import find_by_username
from idp.services.applications import submission
from idp.services.applications.paper_review import attach_scan
from idp.services.reviews import change_requests, decisions, role_changes

from ..support.applications import member_form, national_id, submit_confirmed
from ..support.helpers import client_sign_in
from ..support.visible import codes_in, looks_like_code, raw_codes, visible_text

DEMO_PASSWORD = "Demo~Pass2026"
#: Pages that are not HTML, or that leave the hub, or end the session being crawled.
NOT_PAGES = {
    "static",
    "portal.captcha_image",
    "portal.captcha_audio",
    "portal.captcha_new",
    "portal.choose_language",
    "account.my_data",
    "apply.paper_form",
    "review.application_scan",
    "change_requests.attachment",
    "bindings.switch_in",
    "account.confirm_email",
    "portal.reset_password",
}


def signed_scan() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="signed and stamped")
    return bytes(pdf.output())


def activity(hub: Hub) -> dict[str, Any]:
    """Applications (a member's with a 婦幼 request, decided; a unit admin's on paper),
    a role change, so that every kind of row has something in it."""
    with hub.database.unit_of_work() as db:
        applying = submission.Applying(
            hub.passwords,
            hub.policy.current().password,
            hub.catalogues,
            hub.national_ids,
            hub.settings.issuer_url,
            hub.policy.current().account_name,
        )
        member = submit_confirmed(db, applying, member_form())
        admin_form = replace(
            member_form(),
            role="unit_admin",
            username="newadmin01",
            national_id=national_id("C"),
            subsystems=(),
        )
        paper = submit_confirmed(db, applying, admin_form)
        attach_scan(db, paper, signed_scan(), "form.pdf")
        reviewer = find_by_username(db, "hospadmin01")
        assert reviewer is not None
        decisions.decide_applications(db, reviewer, [member.id], approve=True)
        member_account = find_by_username(db, "hospuser01")
        assert member_account is not None
        role_changes.submit_role_change(
            db,
            hub.catalogues,
            hub.review_routes,
            reviewer,
            role_changes.RoleChangeForm(
                kind=RoleChangeKind.PROMOTE.value,
                account_id=member_account.id,
                subsystem_account_id=None,
                reason="人力調整",
            ),
        )
        moved = change_requests.file_request(
            db,
            hub.change_chains,
            member_account,
            change_requests.ChangeForm("duty", "林新人", "0912-345678", "a@example.org", "改選單"),
        )
        change_requests.decide(db, reviewer, moved.id, allow=True, reason="")
        held = db.scalar(select(SubsystemAccount).where(SubsystemAccount.subsystem == "mch"))
        return {
            "account_id": member_account.id,
            "application_id": paper.id,
            "subsystem_account_id": held.id if held else 0,
        }


def signed_in(
    app: Flask, hub: Hub, username: str, ip: str, password: str = DEMO_PASSWORD
) -> FlaskClient:
    client = app.test_client()
    assert client_sign_in(client, hub, username, password, ip=ip).status_code == 302
    return client


def pages(app: Flask, ids: dict[str, Any]) -> list[str]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_PAGES or "GET" not in (rule.methods or ()):
            continue
        if rule.endpoint.startswith("oidc.") or rule.rule.endswith(".json"):
            continue
        values = {name: ids.get(name, 1) for name in rule.arguments}
        with app.test_request_context():
            from flask import url_for

            found.append(url_for(rule.endpoint, **values))
    return found


def test_no_page_shows_a_raw_code(app: Flask, hub: Hub) -> None:
    with hub.database.unit_of_work() as db:
        load_demo(db, hub, "http://127.0.0.1")
    ids = activity(hub)
    # A failed sign-in of a member, for 登入紀錄.
    client_sign_in(app.test_client(), hub, "hospuser01", "Wrong~Password9", ip="10.0.0.9")
    codes = raw_codes(hub.catalogues)
    people = ("hospuser01", "hospadmin01", "hpaadmin01", "secadmin01")
    seen: dict[str, list[str]] = {}
    opened = 0
    for n, username in enumerate(people):
        client = signed_in(app, hub, username, f"10.0.1.{n}")
        for locale in ("zh-TW", "en"):
            client.set_cookie(COOKIE, locale)
            checked = codes if locale == "zh-TW" else {c for c in codes if looks_like_code(c)}
            for path in pages(app, ids):
                response = client.get(path)
                if response.mimetype != "text/html" or response.status_code >= 500:
                    assert response.status_code < 500, path
                    continue
                opened += 1
                found = codes_in(visible_text(response.get_data(as_text=True)), checked)
                if found:
                    seen[f"{username} {locale} {path}"] = found
    assert opened > 100
    assert not seen, seen


def test_the_progress_page_and_the_inbox_name_subsystems(app: Flask, hub: Hub) -> None:
    """The two places the 婦幼 code used to show."""
    with hub.database.unit_of_work() as db:
        load_demo(db, hub, "http://127.0.0.1")
    activity(hub)
    reviewer = signed_in(app, hub, "hospadmin01", "10.0.2.2")
    text = visible_text(reviewer.get("/account/inbox").get_data(as_text=True))
    assert "待審核的業務子系統帳號申請：林新人（婦幼）" in text, text
    reviewer.set_cookie(COOKIE, "en")
    text = visible_text(reviewer.get("/account/inbox").get_data(as_text=True))
    assert "pending review: 林新人 (MCH)" in text, text
    lookup = app.test_client()
    with hub.database.unit_of_work() as db:
        application = db.scalar(select(Application).where(Application.subsystem_requests.any()))
        assert application is not None and application.status is ApplicationStatus.APPROVED
    with lookup.session_transaction() as session:
        session["application_id"] = application.id
    text = visible_text(lookup.get("/apply/progress").get_data(as_text=True))
    assert "業務子系統帳號審核：婦幼" in text and not codes_in(text, {"mch", "approved"})


def error_page(response: Any, status: int, english: bool = False) -> str:
    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert ("Back to the home page" if english else "回首頁") in body, body[:500]
    return visible_text(body)


def test_errors_are_the_hubs_own_pages_with_a_way_back(app: Flask, hub: Hub) -> None:
    with hub.database.unit_of_work() as db:
        load_demo(db, hub, "http://127.0.0.1")
    member = signed_in(app, hub, "hospuser01", "10.0.3.1")
    assert "找不到" in error_page(member.get("/no/such/page"), 404)
    assert "權限" in error_page(member.get("/admin/"), 403)
    assert "無法處理" in error_page(member.get("/session/keepalive"), 405)
    assert "逾時" in error_page(member.post("/signout", data={}), 400)
    assert "太大" in error_page(member.post("/signin", data={"x": "y" * (2 * 1024 * 1024)}), 413)
    assert "權限" in error_page(member.get("/unit/accounts/999999"), 403)
    member.set_cookie(COOKIE, "en")
    text = error_page(member.get("/no/such/page"), 404, english=True)
    assert "Not Found" not in text and "找不到" not in text


def test_a_unit_admin_sees_failed_sign_ins_of_their_unit_only(app: Flask, hub: Hub) -> None:
    with hub.database.unit_of_work() as db:
        load_demo(db, hub, "http://127.0.0.1")
    client_sign_in(app.test_client(), hub, "hospuser01", "Wrong~Password9", ip="10.0.4.1")
    client_sign_in(app.test_client(), hub, "clinicuser01", "Wrong~Password9", ip="10.0.4.2")
    admin = signed_in(app, hub, "hospadmin01", "10.0.4.3")
    text = visible_text(admin.get("/unit/signins").get_data(as_text=True))
    failures = text.split("登入失敗紀錄", 1)[1].split("子系統登入查詢", 1)[0]
    assert "hospuser01" in failures and "帳號或密碼錯誤" in failures
    assert "clinicuser01" not in failures  # another unit's
    assert "密碼" in text.split("人員登入紀錄", 1)[1]  # 驗證方式 in words, not pwd
