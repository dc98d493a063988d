"""People and forms for the 資料異動申請 tests: the portal's people (a hospital under a
衛生局, the authority), plus a second member of the hospital and another hospital that
no bureau oversees, with its own admin and member."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from idp.hub import Hub
from idp.models import Account, AccountRole, Unit, UnitKind
from idp.services.accounts.directory import find_by_username
from idp.services.attachments import Upload
from idp.services.reviews.change_requests import ChangeForm

from .files import make_pdf
from .portal import add_person, make_people

OTHER_HOSPITAL = "0401180014"
#: The extra people, by role, beside ``portal.ROLES``.
EXTRA = {"colleague": "member02", "other_admin": "otheradmin", "other_member": "othermember"}


def make_change_people(hub: Hub) -> None:
    make_people(hub)
    with hub.database.unit_of_work() as db:
        hospital = db.query(Unit).filter_by(code="0101090517").one()
        other = db.query(Unit).filter_by(code=OTHER_HOSPITAL).one_or_none()
        if other is None:
            other = Unit(code=OTHER_HOSPITAL, name="他院醫院", kind=UnitKind.HOSPITAL)
            db.add(other)
            db.flush()
        for key, username in EXTRA.items():
            if find_by_username(db, username) is not None:
                continue
            add_person(
                db,
                hub,
                username,
                hospital if key == "colleague" else other,
                AccountRole.UNIT_ADMIN if key == "other_admin" else AccountRole.MEMBER,
            )


def person(db: Session, username: str) -> Account:
    found = find_by_username(db, username)
    assert found is not None, username
    return found


def change_form(**changes: Any) -> ChangeForm:
    values: dict[str, Any] = {
        "kind": "duty",
        "name": "林申請",
        "phone": "0912-345678",
        "email": "applicant@example.org",
        "content": "請將業務權責改為衛生所",
        "attachments": (Upload("保密切結書.pdf", make_pdf()),),
    }
    values.update(changes)
    return ChangeForm(**values)
