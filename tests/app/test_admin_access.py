"""Every admin page this portal added, tried as every role: those who may get the page,
the others 403 — and each refusal is in the audit log."""

from __future__ import annotations

import io

import pytest
from flask import Flask

from idp.hub import Hub
from idp.models import AuditEvent
from idp.services.portal import downloads
from idp.services.units.directory import find_by_code

from ..support.files import make_pdf
from ..support.helpers import add_client
from ..support.portal import (
    HOSPITAL,
    ROLES,
    Visitor,
    account,
    announce,
    make_people,
    visitor,
)

UNIT_ADMINS = {"unit_admin", "bureau_admin", "authority"}
AUTHORITY = {"authority"}
SECURITY = {"security_admin"}

#: (method, path, who may). ``{announcement}`` (the authority's), ``{file}``,
#: ``{member}`` and ``{hospital}`` (the member's unit) are filled in. Other admins may
#: open 公告設定 but find no announcement of another unit there, nor the hospital's
#: 授權使用人員一覽表: for them it is not found (404), as everywhere an id is outside
#: one's scope.
PAGES = [
    ("GET", "/manage/announcements", UNIT_ADMINS),
    ("GET", "/manage/announcements/new", UNIT_ADMINS),
    ("POST", "/manage/announcements/new", UNIT_ADMINS),
    ("GET", "/manage/announcements/{announcement}", AUTHORITY, UNIT_ADMINS),
    ("POST", "/manage/announcements/{announcement}", AUTHORITY, UNIT_ADMINS),
    ("POST", "/manage/announcements/{announcement}/attachments", AUTHORITY, UNIT_ADMINS),
    (
        "POST",
        "/manage/announcements/{announcement}/attachments/999999/delete",
        AUTHORITY,
        UNIT_ADMINS,
    ),
    ("GET", "/manage/downloads", AUTHORITY),
    ("POST", "/manage/downloads", AUTHORITY),
    ("POST", "/manage/downloads/{file}/replace", AUTHORITY),
    ("GET", "/admin/audit", SECURITY),
    ("GET", "/admin/audit?format=csv", SECURITY),
    ("GET", "/unit/accounts?format=xlsx", UNIT_ADMINS),
    ("POST", "/unit/accounts", UNIT_ADMINS),
    ("GET", "/unit/signins?format=ods", UNIT_ADMINS),
    ("GET", "/unit/subsystem-signins", UNIT_ADMINS),
    ("GET", "/unit/subsystem-signins?format=csv", UNIT_ADMINS),
    ("GET", "/unit/role-changes?format=csv", UNIT_ADMINS),
    ("GET", "/review/applications?format=csv", UNIT_ADMINS),
    ("GET", "/review/subsystem-requests?format=xlsx", UNIT_ADMINS),
    ("GET", "/review/role-changes?format=ods", {"authority", "bureau_admin"}),
    ("GET", "/review/subsystem-requests/999999", UNIT_ADMINS),
    ("GET", "/review/role-changes/999999", UNIT_ADMINS),
    ("GET", "/review/role-changes/999999/attachments/1", UNIT_ADMINS),
    ("POST", "/unit/accounts/{member}/password-reset", UNIT_ADMINS),
    ("GET", "/manage/subsystems/", AUTHORITY),
    ("GET", "/manage/subsystems/new", AUTHORITY),
    ("POST", "/manage/subsystems/new", AUTHORITY),
    ("GET", "/manage/subsystems/{client}", AUTHORITY),
    ("POST", "/manage/subsystems/{client}", AUTHORITY),
    ("POST", "/manage/subsystems/{client}/secret", AUTHORITY),
    ("POST", "/manage/subsystems/{client}/enable", AUTHORITY),
    ("GET", "/review/privacy-requests", AUTHORITY),
    ("POST", "/review/privacy-requests/999999", AUTHORITY),
    ("GET", "/unit/units/{hospital}/roster.pdf", {"unit_admin", "authority"}, UNIT_ADMINS),
    ("GET", "/unit/units/{hospital}/roster.xlsx", {"unit_admin", "authority"}, UNIT_ADMINS),
    ("GET", "/review/change-requests", UNIT_ADMINS),
    ("POST", "/review/change-requests/999999", UNIT_ADMINS),
    # Last: these change what the pages above show.
    ("POST", "/manage/downloads/{file}/remove", AUTHORITY),
    ("POST", "/manage/announcements/{announcement}/delete", AUTHORITY, UNIT_ADMINS),
    ("POST", "/manage/subsystems/{client}/disable", AUTHORITY),
]


@pytest.fixture
def people(app: Flask, hub: Hub) -> dict[str, Visitor]:
    make_people(hub)
    return {role: visitor(app, hub, username) for role, username in ROLES.items()}


def _file(hub: Hub) -> int:
    with hub.database.unit_of_work() as db:
        authority = db.merge(account(hub, ROLES["authority"]))
        made = downloads.publish(
            db,
            hub.catalogues,
            authority,
            downloads.Upload("申請表", "", "form", "v1", "form.pdf", make_pdf()),
        )
        return made.id


def _unit_id(hub: Hub, code: str) -> int:
    with hub.database.unit_of_work() as db:
        unit = find_by_code(db, code)
        assert unit is not None
        return unit.id


def _send(person: Visitor, method: str, path: str):  # type: ignore[no-untyped-def]
    """The answer, read to its end (an export streams until then)."""
    if method == "GET":
        response = person.client.get(path)
    else:
        data = {"csrf_token": person.csrf, "file": (io.BytesIO(make_pdf()), "x.pdf")}
        response = person.client.post(path, data=data, content_type="multipart/form-data")
    response.get_data()
    response.close()
    return response


def test_every_new_admin_page_with_every_role(hub: Hub, people: dict[str, Visitor]) -> None:
    ids = {
        "announcement": announce(hub, ROLES["authority"], "全國公告"),
        "file": _file(hub),
        "member": account(hub, ROLES["member"]).id,
        "client": add_client(hub).client_id,
        "hospital": _unit_id(hub, HOSPITAL),
    }
    anonymous = next(iter(people.values())).client.application.test_client()
    for method, template, allowed, *scoped in PAGES:
        path = template.format(**ids)
        not_found = scoped[0] - allowed if scoped else set()
        if method == "GET":
            assert anonymous.get(path).status_code == 302, path  # to 服務登入
        for role, person in people.items():
            before = _refusals(hub, person.username, path.split("?")[0])
            response = _send(person, method, path)
            refused = _refusals(hub, person.username, path.split("?")[0]) - before
            if role in not_found:
                assert response.status_code == 404, (role, path, response.status_code)
            elif role in allowed:
                assert response.status_code in (200, 302, 400, 404), (
                    role,
                    path,
                    response.status_code,
                )
                assert response.status_code != 404 or "999999" in path, (role, path)
                assert refused == 0, (role, path)
            else:
                assert response.status_code == 403, (role, method, path, response.status_code)
                assert refused == 1, (role, path)


def _refusals(hub: Hub, username: str, path: str) -> int:
    with hub.database.unit_of_work() as db:
        return (
            db.query(AuditEvent)
            .filter_by(action="access.refused", actor=username, target=path)
            .count()
        )


def test_an_editor_cannot_reach_another_units_announcement(
    hub: Hub, people: dict[str, Visitor]
) -> None:
    """A unit admin may use 公告設定, but another unit's announcement is not found."""
    theirs = announce(hub, ROLES["bureau_admin"], "衛生局公告")
    mine = announce(hub, ROLES["unit_admin"], "醫院公告")
    admin = people["unit_admin"]
    assert admin.client.get(f"/manage/announcements/{theirs}").status_code == 404
    assert admin.client.get(f"/manage/announcements/{mine}").status_code == 200
    listing = admin.client.get("/manage/announcements").get_data(as_text=True)
    assert "醫院公告" in listing and "衛生局公告" not in listing
    everything = people["authority"].client.get("/manage/announcements").get_data(as_text=True)
    assert "醫院公告" in everything and "衛生局公告" in everything
