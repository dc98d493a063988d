"""權限管理 by a unit's admin: what the unit holds is granted at once (the subsystem sees it
in its next ID token, through Authlib's client), what goes beyond becomes a request to
the tier the routing table names; refusals change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from idp.hub import Hub
from idp.models import (
    AccountRole,
    AccountStatus,
    ApplicationStatus,
    AuditEvent,
    InboxMessage,
    MailMessage,
    RoleChange,
    RoleChangeKind,
    SubsystemAccount,
)
from idp.services.accounts.directory import find_by_username
from idp.services.errors import DomainError, InvalidInput, NotAllowed, NotFound
from idp.services.subsystems import rights

from ..support.applications import HOSPITAL, OTHER_HOSPITAL, add_admin, add_unit
from ..support.helpers import ClientInfo, Person, add_account, add_client, client_sign_in, forms
from ..support.hub import LiveHub
from ..support.oidc import exchange, oidc_client, start, verify_id_token
from ..support.switch_in import hold

#: Menu roles the hospital's admin holds in 婦幼: the unit has applied for these.
UNIT_MENUS = ["prenatal_care", "child_preventive_care"]


def _setup(hub: Hub) -> int:
    """tester01 (a member) holding a 婦幼 account with 產檢院所; the id of that account."""
    add_account(hub)
    add_admin(hub, "hospadmin", HOSPITAL, subsystems={"mch": ("medical_institution", UNIT_MENUS)})
    add_unit(hub, OTHER_HOSPITAL, "另一家醫院")
    add_admin(hub, "otheradmin", OTHER_HOSPITAL)
    return _held_id(hub, hold(hub, "tester01", "mch", "mch_member").username)


def _held_id(hub: Hub, username: str) -> int:
    with hub.database.unit_of_work() as db:
        found = db.scalar(select(SubsystemAccount.id).where(SubsystemAccount.username == username))
        assert found is not None
        return found


def _change(hub: Hub, held_id: int, by: str = "hospadmin", **changes: Any) -> rights.Outcome:
    fields: dict[str, Any] = {
        "role": "member",
        "duty": "medical_institution",
        "menu_roles": ("prenatal_care",),
        "status": "active",
        "reason": "",
    }
    fields.update(changes)
    with hub.database.unit_of_work() as db:
        manager = find_by_username(db, by)
        owner = find_by_username(db, "tester01")
        assert manager is not None and owner is not None
        found = rights.held_in_scope(db, hub.catalogues, manager, owner.id, held_id)
        return rights.change_rights(
            db, hub.catalogues, hub.review_routes, manager, found, rights.RightsForm(**fields)
        )


def _held(hub: Hub, held_id: int) -> SubsystemAccount:
    with hub.database.unit_of_work() as db:
        held = db.get(SubsystemAccount, held_id)
        assert held is not None
        db.expunge(held)
        return held


def _requests(hub: Hub) -> list[RoleChange]:
    with hub.database.unit_of_work() as db:
        found = list(db.scalars(select(RoleChange).order_by(RoleChange.id)))
        db.expunge_all()
        return found


def test_a_menu_the_unit_holds_is_granted_at_once_and_told(hub: Hub) -> None:
    held_id = _setup(hub)
    outcome = _change(hub, held_id, menu_roles=("prenatal_care", "child_preventive_care"))
    assert outcome.changed == ("menu_roles",) and outcome.requests == ()
    assert _held(hub, held_id).menu_roles == ["prenatal_care", "child_preventive_care"]
    assert _requests(hub) == []
    with hub.database.unit_of_work() as db:
        event = db.scalars(
            select(AuditEvent).where(AuditEvent.action == "subsystem_account.rights")
        ).one()
        assert event.actor == "hospadmin" and event.target == "tester01"
        owner = find_by_username(db, "tester01")
        assert owner is not None
        told = db.scalars(select(InboxMessage).where(InboxMessage.account_id == owner.id)).all()
        assert any("權限已變更" in message.subject for message in told)
        mailed = db.scalars(select(MailMessage).where(MailMessage.to == owner.email)).all()
        assert any(message.kind == "subsystem_rights_changed" for message in mailed)
    # Taking a menu away and suspending are the unit's to decide too.
    _change(hub, held_id, menu_roles=("child_preventive_care",), status="disabled")
    held = _held(hub, held_id)
    assert held.menu_roles == ["child_preventive_care"] and held.status is AccountStatus.DISABLED


def test_a_menu_new_to_the_unit_becomes_a_request(hub: Hub) -> None:
    held_id = _setup(hub)
    wanted = ("prenatal_care", "child_preventive_care", "hearing_screening")
    with pytest.raises(InvalidInput):  # beyond the unit's decision, a reason is required
        _change(hub, held_id, menu_roles=wanted)
    assert _held(hub, held_id).menu_roles == ["prenatal_care"] and _requests(hub) == []
    outcome = _change(hub, held_id, menu_roles=wanted, reason="新增聽力篩檢業務")
    assert _held(hub, held_id).menu_roles == ["prenatal_care", "child_preventive_care"]
    (request,) = _requests(hub)
    assert request.kind is RoleChangeKind.EXTRA_MENU
    assert request.menu_roles == ["hearing_screening"]
    assert request.status is ApplicationStatus.PENDING
    assert [r.id for r in outcome.requests] == [request.id]


def test_an_admin_within_the_quota_at_once_and_beyond_it_by_request(hub: Hub) -> None:
    held_id = _setup(hub)  # hospadmin is one of 婦幼's two admins of the unit
    _change(hub, held_id, role="unit_admin")
    assert _held(hub, held_id).role is AccountRole.UNIT_ADMIN
    add_account(hub, "tester02", email="t2@example.org")
    second = _held_id(hub, hold(hub, "tester02", "mch", "mch_second").username)
    with hub.database.unit_of_work() as db:
        manager = find_by_username(db, "hospadmin")
        owner = find_by_username(db, "tester02")
        assert manager is not None and owner is not None
        found = rights.held_in_scope(db, hub.catalogues, manager, owner.id, second)
        assert (found.admins, found.admin_quota) == (2, 2)
        outcome = rights.change_rights(
            db,
            hub.catalogues,
            hub.review_routes,
            manager,
            found,
            rights.RightsForm(
                "unit_admin", "medical_institution", ("prenatal_care",), "active", "第三位"
            ),
        )
        assert outcome.requests[0].kind is RoleChangeKind.OVER_QUOTA
    assert _held(hub, second).role is AccountRole.MEMBER


def test_outside_the_unit_or_an_admins_account_is_refused(hub: Hub) -> None:
    held_id = _setup(hub)
    with pytest.raises(NotFound):
        _change(hub, held_id, by="otheradmin", menu_roles=("child_preventive_care",))
    _change(hub, held_id, role="unit_admin")
    with pytest.raises(NotAllowed):  # now an admin: 帳號/權限異動 (D) instead
        _change(hub, held_id, role="member")
    with pytest.raises(DomainError):
        _change(hub, held_id, role="unit_admin", menu_roles=("no_such_menu",))
    with pytest.raises(DomainError):
        _change(hub, held_id, status="dormant")


def test_the_page_keeps_what_was_typed_and_changes_nothing_on_a_refusal(
    app: Flask, hub: Hub
) -> None:
    held_id = _setup(hub)
    client = app.test_client()
    assert client_sign_in(client, hub, username="hospadmin").status_code == 302
    with hub.database.unit_of_work() as db:
        owner = find_by_username(db, "tester01")
        assert owner is not None
        owner_id = owner.id
    path = f"/unit/accounts/{owner_id}/subsystem-accounts/{held_id}"
    page = client.get(path).get_data(as_text=True)
    assert "子系統帳號權限管理" in page and "mch" not in page.replace("mch_member", "")
    (form,) = [f for f in forms(page) if f["action"].endswith(path)]
    fields = {
        "csrf_token": form["fields"]["csrf_token"],
        "role": "member",
        "duty": "medical_institution",
        "menu_roles": ["prenatal_care", "hearing_screening"],
        "status": "disabled",
    }
    refused = client.post(path, data=fields)
    assert refused.status_code == 400
    again = refused.get_data(as_text=True)
    assert 'value="hearing_screening" checked' in again
    assert '<option value="disabled" selected' in again
    held = _held(hub, held_id)
    assert held.status is AccountStatus.ACTIVE and held.menu_roles == ["prenatal_care"]
    fields["menu_roles"] = UNIT_MENUS
    saved = client.post(path, data=fields)
    assert saved.status_code == 302 and "done=saved" in saved.headers["Location"]
    assert _held(hub, held_id).status is AccountStatus.DISABLED
    other = app.test_client()
    assert client_sign_in(other, hub, username="otheradmin").status_code == 302
    assert other.get(path).status_code == 404


def test_the_subsystem_sees_a_granted_menu_at_the_next_sign_in(live_hub: LiveHub) -> None:
    hub = live_hub.hub
    held_id = _setup(hub)
    mch: ClientInfo = add_client(hub, client_id="mch")
    person = Person(hub, live_hub.url)
    person.sign_in_at_home()

    def menu_roles() -> list[str]:
        session = oidc_client(live_hub, mch, scope="openid profile unit subsystem")
        url, verifier, nonce = start(live_hub, session)
        token = exchange(live_hub, session, person.authorize(url), verifier)
        claims = verify_id_token(live_hub, token["id_token"], mch.client_id, nonce)
        return list(claims["menu_roles"])

    assert menu_roles() == ["prenatal_care"]
    _change(hub, held_id, menu_roles=("prenatal_care", "child_preventive_care"))
    assert menu_roles() == ["prenatal_care", "child_preventive_care"]
    _change(
        hub,
        held_id,
        menu_roles=("prenatal_care", "child_preventive_care", "hearing_screening"),
        reason="新業務",
    )
    assert menu_roles() == ["prenatal_care", "child_preventive_care"]  # asked, not granted
