"""The 衛生局 tier with two counties: a bureau's admins see their county's units and none of
the other county's, in every list and for every id in a URL or a form; role changes go to
the tier the routing table names, and another table routes them otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from idp.hub import Hub
from idp.models import (
    AccountRole,
    AccountStatus,
    ApplicationStatus,
    Binding,
    InboxMessage,
    ReviewTier,
    RoleChange,
    SubsystemAccount,
    SubsystemSignin,
    Unit,
    UnitKind,
)
from idp.services.accounts.directory import find_by_username
from idp.services.errors import NotFound
from idp.services.permissions import may_manage
from idp.services.reports.dashboard import dashboard
from idp.services.reviews import role_changes
from idp.services.reviews.routing import RoutingError, load_review_routes

from ..support.helpers import client_sign_in
from ..support.portal import ROLES, Visitor, add_person, make_people, visitor

OTHER_BUREAU = "3800000000"
OTHER_HOSPITAL = "0202000001"
#: County A is the portal's (示範市); county B's people.
OTHER = {"member": "memberb01", "unit_admin": "hospadminb", "bureau_admin": "bureauadminb"}


def _make_other_county(hub: Hub) -> None:
    with hub.database.unit_of_work() as db:
        bureau = Unit(code=OTHER_BUREAU, name="乙縣衛生局", kind=UnitKind.HEALTH_BUREAU)
        hospital = Unit(
            code=OTHER_HOSPITAL, name="乙縣綜合醫院", kind=UnitKind.HOSPITAL, bureau=bureau
        )
        db.add_all([bureau, hospital])
        db.flush()
        for role, username in OTHER.items():
            add_person(
                db,
                hub,
                username,
                bureau if role == "bureau_admin" else hospital,
                AccountRole.MEMBER if role == "member" else AccountRole.UNIT_ADMIN,
            )


def _mch_account(hub: Hub, username: str) -> int:
    with hub.database.unit_of_work() as db:
        owner = find_by_username(db, username)
        assert owner is not None
        held = SubsystemAccount(
            subsystem="mch",
            username=f"{username}m",
            unit_id=owner.unit_id,
            role=AccountRole.MEMBER,
            duty="medical_institution",
            menu_roles=["prenatal_care"],
            status=AccountStatus.ACTIVE,
        )
        db.add(held)
        db.flush()
        db.add(Binding(account_id=owner.id, subsystem_account_id=held.id, label="婦幼"))
        return held.id


def _signed_in_to_mch(hub: Hub, username: str) -> None:
    held_id = _mch_account(hub, username)
    with hub.database.unit_of_work() as db:
        db.add(
            SubsystemSignin(
                account_id=_id(hub, username),
                subsystem_account_id=held_id,
                client_id="mch",
                label="婦幼",
            )
        )


def _id(hub: Hub, username: str) -> int:
    with hub.database.unit_of_work() as db:
        found = find_by_username(db, username)
        assert found is not None
        return found.id


def _ask_for_menu(hub: Hub, requester: str, member: str, held: int) -> RoleChange:
    with hub.database.unit_of_work() as db:
        admin = find_by_username(db, requester)
        assert admin is not None
        change = role_changes.submit_role_change(
            db,
            hub.catalogues,
            hub.review_routes,
            admin,
            role_changes.RoleChangeForm(
                "extra_menu",
                _id(hub, member),
                held,
                "新增業務",
                menu_roles=("child_preventive_care",),
            ),
        )
        db.expunge(change)
        return change


def _decide(hub: Hub, reviewer: str, change_id: int) -> None:
    with hub.database.unit_of_work() as db:
        found = find_by_username(db, reviewer)
        assert found is not None
        role_changes.decide_role_changes(
            db, hub.catalogues, hub.managing(), found, [change_id], approve=True
        )


def _status(hub: Hub, change_id: int) -> ApplicationStatus:
    with hub.database.unit_of_work() as db:
        change = db.get(RoleChange, change_id)
        assert change is not None
        return change.status


@pytest.fixture
def counties(app: Flask, hub: Hub) -> dict[str, Visitor]:
    """Both counties, a 婦幼 account for each member, and everyone signed in once."""
    make_people(hub)
    _make_other_county(hub)
    people = {**ROLES, **{f"other_{role}": name for role, name in OTHER.items()}}
    signed_in = {role: visitor(app, hub, username) for role, username in people.items()}
    for username in people.values():  # one wrong password each, for 登入失敗紀錄
        client_sign_in(app.test_client(), hub, username=username, password="Wrong~Pass0")
    return signed_in


def test_a_bureau_sees_its_county_and_none_of_the_other(
    hub: Hub, counties: dict[str, Visitor]
) -> None:
    bureau = counties["bureau_admin"]
    own_people = (ROLES["member"], ROLES["unit_admin"], ROLES["bureau_admin"])
    for username in (*own_people, *OTHER.values()):  # a 婦幼 sign-in each
        _signed_in_to_mch(hub, username)
    lists = (
        "/unit/subsystem-signins",
        "/unit/accounts",
        "/unit/accounts?format=csv",
        "/unit/signins",
        "/unit/signins?format=csv",
        "/unit/failed-signins",
    )
    for path in lists:
        page = bureau.client.get(path).get_data(as_text=True)
        for username in own_people:
            assert username in page, (path, username)
        for username in OTHER.values():
            assert username not in page, (path, username)
    other_member = _id(hub, OTHER["member"])
    assert bureau.client.get(f"/unit/accounts/{other_member}").status_code == 404
    for action in ("password-reset", "disable", "restore", "role-changes"):
        response = bureau.client.post(
            f"/unit/accounts/{other_member}/{action}",
            data={"csrf_token": bureau.csrf, "reason": "x", "kind": "promote"},
        )
        assert response.status_code == 404, (action, response.status_code)
    # Its own county's member it may act on, as the unit's admin may.
    own_member = _id(hub, ROLES["member"])
    assert bureau.client.get(f"/unit/accounts/{own_member}").status_code == 200
    with hub.database.unit_of_work() as db:
        viewer = find_by_username(db, ROLES["bureau_admin"])
        assert viewer is not None
        assert dashboard(db, viewer).accounts == len(own_people)
    # The other county's bureau sees the mirror image.
    other = counties["other_bureau_admin"].client.get("/unit/accounts").get_data(as_text=True)
    assert OTHER["member"] in other and ROLES["member"] not in other


def test_role_changes_follow_the_routing_table(
    hub: Hub, counties: dict[str, Visitor], tmp_path: Path
) -> None:
    own_held = _mch_account(hub, ROLES["member"])
    other_held = _mch_account(hub, OTHER["member"])
    # The shipped table sends 增加業務選單 to the authority: no 衛生局 decides it.
    to_authority = _ask_for_menu(hub, ROLES["unit_admin"], ROLES["member"], own_held)
    assert to_authority.tier is ReviewTier.AUTHORITY
    with pytest.raises(NotFound):
        _decide(hub, ROLES["bureau_admin"], to_authority.id)
    _decide(hub, ROLES["authority"], to_authority.id)
    assert _status(hub, to_authority.id) is ApplicationStatus.APPROVED

    # Another table sends 婦幼's 增加業務選單 to the 衛生局 over the unit.
    table = tmp_path / "review_routes.yaml"
    table.write_text(
        (Path("policies") / "review_routes.yaml")
        .read_text(encoding="utf-8")
        .replace("subsystems: {}", "subsystems:\n  mch:\n    extra_menu: health_bureau"),
        encoding="utf-8",
    )
    hub.review_routes = load_review_routes(hub.catalogues, table)
    to_bureau = _ask_for_menu(hub, OTHER["unit_admin"], OTHER["member"], other_held)
    assert to_bureau.tier is ReviewTier.HEALTH_BUREAU
    with hub.database.unit_of_work() as db:
        told = db.query(InboxMessage).filter_by(account_id=_id(hub, OTHER["bureau_admin"])).all()
        assert any("帳號/權限異動" in message.subject for message in told)
    for outsider in (ROLES["bureau_admin"], ROLES["authority"]):
        with pytest.raises(NotFound):
            _decide(hub, outsider, to_bureau.id)
    # The other county's change is not even listed, nor its page found, in county A.
    bureau_a = counties["bureau_admin"].client
    assert bureau_a.get(f"/review/role-changes/{to_bureau.id}").status_code == 404
    assert OTHER["member"] not in bureau_a.get("/review/role-changes").get_data(as_text=True)
    assert OTHER["member"] in (
        counties["other_bureau_admin"].client.get("/review/role-changes").get_data(as_text=True)
    )
    _decide(hub, OTHER["bureau_admin"], to_bureau.id)
    assert _status(hub, to_bureau.id) is ApplicationStatus.APPROVED
    with hub.database.unit_of_work() as db:
        held = db.get(SubsystemAccount, other_held)
        assert held is not None and "child_preventive_care" in held.menu_roles


def test_a_unit_without_a_bureau_goes_to_the_authority(hub: Hub, tmp_path: Path) -> None:
    table = tmp_path / "routes.yaml"
    table.write_text(
        "default: {cancel_admin: health_bureau, promote: health_bureau, demote: authority,"
        " over_quota: authority, extra_menu: authority}\n",
        encoding="utf-8",
    )
    routes = load_review_routes(hub.catalogues, table)
    overseen = Unit(code="0000000001", name="甲", kind=UnitKind.CLINIC, bureau_id=7)
    alone = Unit(code="0000000002", name="乙", kind=UnitKind.CLINIC)
    kind = role_changes.RoleChangeKind.PROMOTE
    assert routes.tier(kind, None, overseen) is ReviewTier.HEALTH_BUREAU
    assert routes.tier(kind, None, alone) is ReviewTier.AUTHORITY


def test_a_wrong_table_names_every_mistake(hub: Hub, tmp_path: Path) -> None:
    table = tmp_path / "routes.yaml"
    table.write_text(
        "default: {cancel_admin: unit_admin, promote: county, nonsense: authority}\n"
        "subsystems: {nosuch: {demote: authority}}\n",
        encoding="utf-8",
    )
    with pytest.raises(RoutingError) as refused:
        load_review_routes(hub.catalogues, table)
    problems = "\n".join(refused.value.problems)
    for expected in (
        "unknown tier 'county'",
        "unknown tier 'unit_admin'",
        "'nonsense'",
        "demote missing",
        "nosuch",
    ):
        assert expected in problems
    # The shipped table is whole.
    assert load_review_routes(hub.catalogues).default


def test_members_of_a_county_unit_are_not_the_bureaus_to_manage_elsewhere(
    hub: Hub, counties: dict[str, Visitor]
) -> None:
    """A 衛生局 acts on members only; another unit's admin stays the authority's."""
    with hub.database.unit_of_work() as db:
        bureau = find_by_username(db, ROLES["bureau_admin"])
        admin = find_by_username(db, ROLES["unit_admin"])
        member = find_by_username(db, ROLES["member"])
        other = find_by_username(db, OTHER["member"])
        assert bureau and admin and member and other
        assert may_manage(bureau, member)
        assert not may_manage(bureau, admin)
        assert not may_manage(bureau, other)
