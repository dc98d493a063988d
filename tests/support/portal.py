"""The people of the portal tests, one of each role, in units of each kind: a member and
a unit admin of a hospital, a 衛生局 admin overseeing it, the authority's admin and a
security admin; and announcements and files to show them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from idp.hub import Hub
from idp.models import Account, AccountRole, Unit, UnitKind, utcnow
from idp.services.accounts.directory import create_account, find_by_username
from idp.services.portal import announcements

from .helpers import PASSWORD, client_sign_in

HOSPITAL = "0101090517"
BUREAU = "3765700000"
AUTHORITY = "9900000001"
#: Username of each role.
ROLES = {
    "member": "member01",
    "unit_admin": "hospadmin",
    "bureau_admin": "bureauadmin",
    "authority": "hpaadmin",
    "security_admin": "secadmin",
}
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def _unit(db: Any, code: str, name: str, kind: UnitKind, bureau: Unit | None = None) -> Unit:
    unit = db.query(Unit).filter_by(code=code).one_or_none()
    if unit is None:
        unit = Unit(code=code, name=name, kind=kind, bureau=bureau)
        db.add(unit)
        db.flush()
    return unit


def add_person(db: Any, hub: Hub, username: str, unit: Unit | None, role: AccountRole) -> Account:
    """An active account named after its username (姓名 ``<username>姓名``)."""
    return create_account(
        db,
        hub.passwords,
        username=username,
        password=PASSWORD,
        name=f"{username}姓名",
        email=f"{username}@example.org",
        unit=unit,
        role=role,
    )


def make_people(hub: Hub) -> None:
    with hub.database.unit_of_work() as db:
        bureau = _unit(db, BUREAU, "示範市衛生局", UnitKind.HEALTH_BUREAU)
        hospital = _unit(db, HOSPITAL, "示範綜合醫院", UnitKind.HOSPITAL, bureau)
        authority = _unit(db, AUTHORITY, "國民健康署", UnitKind.AUTHORITY)
        for role, username in ROLES.items():
            if find_by_username(db, username) is not None:
                continue
            unit = {"bureau_admin": bureau, "authority": authority}.get(role, hospital)
            account = add_person(
                db,
                hub,
                username,
                None if role == "security_admin" else unit,
                AccountRole.MEMBER
                if role in ("member", "security_admin")
                else AccountRole.UNIT_ADMIN,
            )
            account.is_security_admin = role == "security_admin"


def account(hub: Hub, username: str) -> Account:
    with hub.database.unit_of_work() as db:
        found = find_by_username(db, username)
        assert found is not None
        db.expunge(found)
        return found


@dataclass
class Visitor:
    """A signed-in test client and a CSRF token of its session."""

    client: FlaskClient
    csrf: str
    username: str


def visitor(app: Flask, hub: Hub, username: str) -> Visitor:
    client = app.test_client()
    response = client_sign_in(client, hub, username=username)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    home = client.get("/").get_data(as_text=True)
    match = CSRF.search(home)
    assert match, home[:500]
    return Visitor(client, match.group(1), username)


def announce(
    hub: Hub,
    author: str,
    title: str,
    *,
    days: tuple[int, int | None] = (-1, None),
    **changes: Any,
) -> int:
    """An announcement by ``author`` (published unless told), in force ``days`` from now."""
    now = utcnow()
    start, end = days
    values: dict[str, Any] = {
        "title": title,
        "body": f"<p>{title}</p>",
        "category": "notice",
        "subsystem": "",
        "starts_at": now + timedelta(days=start),
        "ends_at": now + timedelta(days=end) if end is not None else None,
        "published": True,
    }
    values.update(changes)
    with hub.database.unit_of_work() as db:
        editor = find_by_username(db, author)
        assert editor is not None
        made = announcements.save(
            db, hub.catalogues, editor, announcements.AnnouncementForm(**values)
        )
        return made.id
