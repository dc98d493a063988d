"""資料異動申請 (the requester's page) and 資料異動審核 (the reviewers' page): a refused
form keeps what was typed, nothing is stored until every field and attachment passes,
and another unit's reviewer finds nothing (404)."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask

from idp.hub import Hub
from idp.models import AuditEvent, ChangeRequest, ChangeRequestAttachment, ChangeRequestStatus

from ..support.change_requests import EXTRA, make_change_people
from ..support.files import make_pdf
from ..support.portal import ROLES, Visitor, visitor

PAGE = "/account/change-requests"


def stored(hub: Hub) -> tuple[int, int]:
    with hub.database.unit_of_work() as db:
        return db.query(ChangeRequest).count(), db.query(ChangeRequestAttachment).count()


def send(person: Visitor, files: list[tuple[bytes, str]] | None = None, **fields: str) -> Any:
    data: dict[str, Any] = {
        "csrf_token": person.csrf,
        "kind": "duty",
        "name": "林申請",
        "phone": "02-23456789#12",
        "email": "applicant@example.org",
        "content": "請將選單角色改為產檢院所",
    }
    data.update(fields)
    data["attachments"] = [(io.BytesIO(body), name) for body, name in files or []]
    return person.client.post(PAGE, data=data, content_type="multipart/form-data")


def test_the_form_is_prefilled_and_keeps_what_was_typed(app: Flask, hub: Hub) -> None:
    make_change_people(hub)
    member = visitor(app, hub, ROLES["member"])
    page = member.client.get(PAGE + "?kind=duty").get_data(as_text=True)
    assert 'value="member01姓名"' in page and 'value="member01@example.org"' in page
    assert '<option value="duty" selected>業務異動</option>' in page and "尚無申請" in page
    subsystems = member.client.get("/apply/subsystems").get_data(as_text=True)
    assert 'href="/account/change-requests?kind=duty"' in subsystems

    refused = send(member, kind="", phone="12345", content="", name="林申請人甲")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "請選擇申請異動類別" in body and "請填寫申請異動內容" in body
    assert "請填市話（如 02-12345678#123）或手機（如 0912-345678）" in body
    assert 'value="林申請人甲"' in body and 'value="12345"' in body
    assert 'value="applicant@example.org"' in body

    typed = "請將選單角色改為產檢院所，並停用兒篩採集"
    bad_scan = send(
        member, [(make_pdf(), "切結書.pdf"), (b"GIF89a-not-a-scan", "執照.pdf")], content=typed
    )
    body = bad_scan.get_data(as_text=True)
    assert bad_scan.status_code == 400
    assert "附件「執照.pdf」無法接受" in body and "不接受此檔案類型" in body
    assert typed in body and "請重新選擇" in body
    assert '<option value="duty" selected>' in body
    assert stored(hub) == (0, 0)

    no_csrf = member.client.post(PAGE, data={"kind": "duty", "content": "x"})
    assert no_csrf.status_code == 400 and stored(hub) == (0, 0)

    sent = send(member, [(make_pdf(), "切結書.pdf")])
    assert sent.status_code == 302 and stored(hub) == (1, 1)
    record = member.client.get(PAGE).get_data(as_text=True)
    assert "已送出資料異動申請" in record
    assert "審核中（第 1 關／共 2 關：單位管理者）" in record and "切結書.pdf" in record


def test_reviewers_decide_within_their_scope(app: Flask, hub: Hub) -> None:
    make_change_people(hub)
    member = visitor(app, hub, ROLES["member"])
    assert send(member, [(make_pdf(), "切結書.pdf")]).status_code == 302
    with hub.database.unit_of_work() as db:
        request = db.query(ChangeRequest).one()
        request_id, scan_id = request.id, request.attachments[0].id
    scan = f"{PAGE}/{request_id}/attachments/{scan_id}"
    decide = f"/review/change-requests/{request_id}"

    other = visitor(app, hub, EXTRA["other_admin"])
    assert "林申請" not in other.client.get("/review/change-requests").get_data(as_text=True)
    assert other.client.get(scan).status_code == 404
    refused = other.client.post(
        decide, data={"csrf_token": other.csrf, "decision": "allow", "reason": "x", "step": "0"}
    )
    assert refused.status_code == 404
    stranger = visitor(app, hub, EXTRA["other_member"])
    assert stranger.client.get(scan).status_code == 404
    authority = visitor(app, hub, ROLES["authority"])
    early = authority.client.post(
        decide, data={"csrf_token": authority.csrf, "decision": "allow", "step": "0"}
    )
    assert early.status_code == 404  # not at the authority's step yet

    mine = member.client.get(scan)
    assert mine.status_code == 200 and mine.data.startswith(b"%PDF-")
    assert mine.headers["Cache-Control"] == "no-store"

    admin = visitor(app, hub, ROLES["unit_admin"])
    assert 'data-work="change_requests">1</td>' in admin.client.get("/").get_data(as_text=True)
    assert 'data-work="change_requests">0</td>' in other.client.get("/").get_data(as_text=True)
    queue = admin.client.get("/review/change-requests").get_data(as_text=True)
    assert "請將選單角色改為產檢院所" in queue and "02-23456789#12" in queue
    assert admin.client.get(scan).status_code == 200
    no_reason = admin.client.post(
        decide, data={"csrf_token": admin.csrf, "decision": "refuse", "step": "0"}
    )
    assert no_reason.status_code == 400
    assert "不允許時請填寫審核理由" in no_reason.get_data(as_text=True)
    stale = admin.client.post(
        decide, data={"csrf_token": admin.csrf, "decision": "allow", "step": "1"}
    )
    assert stale.status_code == 400
    allowed = admin.client.post(
        decide,
        data={"csrf_token": admin.csrf, "decision": "allow", "reason": "單位已確認", "step": "0"},
    )
    assert allowed.status_code == 302
    record = member.client.get(PAGE).get_data(as_text=True)
    assert "審核中（第 2 關／共 2 關：國健署）" in record and "單位已確認" in record

    closed = authority.client.post(
        decide,
        data={"csrf_token": authority.csrf, "decision": "refuse", "reason": "請補件", "step": "1"},
    )
    assert closed.status_code == 302
    record = member.client.get(PAGE).get_data(as_text=True)
    assert "結案：不允許" in record and "請補件" in record
    assert admin.client.get(scan).status_code == 200  # decided a step of it
    with hub.database.unit_of_work() as db:
        assert db.query(ChangeRequest).one().status is ChangeRequestStatus.REFUSED
        actions = [e.action for e in db.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions.count("change_request.decide") == 2 and "change_request.submit" in actions


def test_files_past_the_request_limit_are_refused_with_the_limit(app: Flask, hub: Hub) -> None:
    make_change_people(hub)
    member = visitor(app, hub, ROLES["member"])
    huge = b"%PDF-1.4\n" + b"0" * (3 * 5 * 1024 * 1024 + 100 * 1024)
    refused = send(member, [(huge, "掃描.pdf")])
    body = refused.get_data(as_text=True)
    assert refused.status_code == 413
    assert "附件最多 3 個，每個不超過 5 MB" in body and "回首頁" in body
    one_too_large = send(member, [(b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024 + 10), "掃描.pdf")])
    body = one_too_large.get_data(as_text=True)
    assert one_too_large.status_code == 400 and "檔案大小超過 5 MB" in body
    assert "請將選單角色改為產檢院所" in body  # the form is shown again, as typed
    assert stored(hub) == (0, 0)
