"""Scans sent with a role change (單位切結書 with its 授權使用人員一覽表, licences): checked
as scans are, a refused one refuses the request with nothing stored, and opened only by
those who may see the change."""

from __future__ import annotations

import io

import pytest
from flask import Flask

from idp.hub import Hub
from idp.models import RoleChange, RoleChangeAttachment

from ..support.files import make_pdf
from ..support.portal import ROLES, Visitor, account, make_people, visitor


@pytest.fixture
def people(app: Flask, hub: Hub) -> dict[str, Visitor]:
    make_people(hub)
    return {role: visitor(app, hub, username) for role, username in ROLES.items()}


def _ask(person: Visitor, member_id: int, *files: tuple[bytes, str]):  # type: ignore[no-untyped-def]
    data = {
        "csrf_token": person.csrf,
        "kind": "promote",
        "subsystem_account_id": "",
        "reason": "升為管理者",
        "attachments": [(io.BytesIO(body), name) for body, name in files],
    }
    return person.client.post(
        f"/unit/accounts/{member_id}/role-changes", data=data, content_type="multipart/form-data"
    )


def _stored(hub: Hub) -> tuple[int, int]:
    with hub.database.unit_of_work() as db:
        return db.query(RoleChange).count(), db.query(RoleChangeAttachment).count()


def test_a_bad_scan_refuses_the_request_and_a_good_one_is_kept(
    hub: Hub, people: dict[str, Visitor]
) -> None:
    admin = people["unit_admin"]
    member_id = account(hub, ROLES["member"]).id
    refused = _ask(admin, member_id, (make_pdf(), "切結書.pdf"), (b"MZ\x90 not a scan", "執照.pdf"))
    assert refused.status_code == 400
    assert "執照.pdf" in refused.get_data(as_text=True)
    assert _stored(hub) == (0, 0)
    assert _ask(admin, member_id, (make_pdf(), "切結書.pdf")).status_code == 302
    assert _stored(hub) == (1, 1)


def test_the_scan_opens_for_those_who_see_the_change_only(
    hub: Hub, people: dict[str, Visitor]
) -> None:
    body = make_pdf()
    _ask(people["unit_admin"], account(hub, ROLES["member"]).id, (body, "切結書.pdf"))
    with hub.database.unit_of_work() as db:
        scan = db.query(RoleChangeAttachment).one()
        path = f"/review/role-changes/{scan.change_id}/attachments/{scan.id}"
        detail = f"/review/role-changes/{scan.change_id}"
    page = people["authority"].client.get(detail).get_data(as_text=True)
    assert "切結書.pdf" in page and path in page
    for role in ("authority", "unit_admin", "bureau_admin"):
        response = people[role].client.get(path)
        assert response.status_code == 200, role
        assert response.data == body
    assert people["member"].client.get(path).status_code == 403
    assert people["security_admin"].client.get(path).status_code == 403
    # The same id under another change is not found.
    wrong = f"/review/role-changes/{scan.change_id + 1}/attachments/{scan.id}"
    assert people["authority"].client.get(wrong).status_code == 404
