"""個資權利 (the person's page) and 個資權利申請審核 (the authority's page)."""

from __future__ import annotations

from flask import Flask

from idp.hub import Hub
from idp.models import AccountStatus, AuditEvent, PrivacyRequest
from idp.services.accounts.privacy import ERASED_NAME

from ..support.helpers import PASSWORD
from ..support.portal import ROLES, account, make_people, visitor


def _requests(hub: Hub) -> int:
    with hub.database.unit_of_work() as db:
        return db.query(PrivacyRequest).count()


def test_a_deletion_asked_for_and_allowed(app: Flask, hub: Hub) -> None:
    make_people(hub)
    member = visitor(app, hub, ROLES["member"])
    page = member.client.get("/account/privacy").get_data(as_text=True)
    assert "刪除我的個人資料" in page and "尚無申請" in page

    wrong = member.client.post(
        "/account/privacy",
        data={"csrf_token": member.csrf, "kind": "delete", "current_password": "Wrong~Pass99"},
    )
    assert wrong.status_code == 400 and "目前的密碼不正確" in wrong.get_data(as_text=True)
    nothing = member.client.post(
        "/account/privacy", data={"csrf_token": member.csrf, "kind": "delete"}
    )
    assert nothing.status_code == 400 and "請輸入目前的密碼" in nothing.get_data(as_text=True)
    no_kind = member.client.post(
        "/account/privacy", data={"csrf_token": member.csrf, "current_password": PASSWORD}
    )
    assert no_kind.status_code == 400 and "請選擇申請事項" in no_kind.get_data(as_text=True)
    assert _requests(hub) == 0

    sent = member.client.post(
        "/account/privacy",
        data={
            "csrf_token": member.csrf,
            "kind": "delete",
            "reason": "離職",
            "current_password": PASSWORD,
        },
    )
    assert sent.status_code == 302
    listed = member.client.get("/account/privacy").get_data(as_text=True)
    assert "審核中" in listed and "已送出申請" in listed

    authority = visitor(app, hub, ROLES["authority"])
    queue = authority.client.get("/review/privacy-requests").get_data(as_text=True)
    assert "member01姓名" in queue and "離職" in queue
    with hub.database.unit_of_work() as db:
        request_id = db.query(PrivacyRequest).one().id
    path = f"/review/privacy-requests/{request_id}"
    undecided = authority.client.post(path, data={"csrf_token": authority.csrf, "reason": "x"})
    assert undecided.status_code == 400 and "請選擇允許或不允許" in undecided.get_data(as_text=True)
    no_reason = authority.client.post(
        path, data={"csrf_token": authority.csrf, "decision": "allow"}
    )
    assert no_reason.status_code == 400 and "請填寫審核理由" in no_reason.get_data(as_text=True)
    assert account(hub, ROLES["member"]).status is AccountStatus.ACTIVE

    allowed = authority.client.post(
        path, data={"csrf_token": authority.csrf, "decision": "allow", "reason": "依法辦理"}
    )
    assert allowed.status_code == 302
    erased = account(hub, ROLES["member"])
    assert erased.status is AccountStatus.DISABLED and erased.name == ERASED_NAME
    assert erased.email == ""
    assert member.client.get("/account/privacy").status_code == 302  # signed out
    assert "結案：允許" in authority.client.get("/review/privacy-requests").get_data(as_text=True)
    with hub.database.unit_of_work() as db:
        actions = {e.action for e in db.query(AuditEvent)}
    assert {"privacy.request", "privacy.decide", "privacy.erased"} <= actions


def test_another_unit_admin_cannot_decide(app: Flask, hub: Hub) -> None:
    make_people(hub)
    member = visitor(app, hub, ROLES["member"])
    member.client.post(
        "/account/privacy",
        data={"csrf_token": member.csrf, "kind": "stop", "current_password": PASSWORD},
    )
    with hub.database.unit_of_work() as db:
        request_id = db.query(PrivacyRequest).one().id
    unit_admin = visitor(app, hub, ROLES["unit_admin"])
    refused = unit_admin.client.post(
        f"/review/privacy-requests/{request_id}",
        data={"csrf_token": unit_admin.csrf, "decision": "allow", "reason": "x"},
    )
    assert refused.status_code == 403
    assert account(hub, ROLES["member"]).status is AccountStatus.ACTIVE
