"""人員帳號管理 in the domain: adding an account with a mailed password, editing, disabling
now or on a day, dormancy and restoring, each confined to the manager's unit and audited;
and role changes (帳號/權限異動, 系統權限申請) decided by the authority."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from idp.hub import Hub
from idp.models import (
    Account,
    AccountRole,
    AccountStatus,
    ApplicationStatus,
    AuditEvent,
    Binding,
    InboxMessage,
    MailMessage,
    RoleChange,
    SubsystemAccount,
    SubsystemSignin,
    UnitKind,
    utcnow,
)
from idp.services.accounts import lifecycle as account_admin
from idp.services.accounts.lifecycle import AccountDetails
from idp.services.errors import FormErrors, InvalidInput, NotAllowed, NotFound
from idp.services.messaging import mail
from idp.services.messaging.mail import SmtpSender
from idp.services.reports import dashboard, listings, signin_logs
from idp.services.reviews import role_changes
from idp.services.sessions import hub_sessions
from idp.services.signin import steps as signin
from idp.services.signin.throttle import Throttle

from ..support.applications import (
    AUTHORITY,
    HOSPITAL,
    OTHER_HOSPITAL,
    add_admin,
    add_unit,
    national_id,
)
from ..support.listing import rows
from ..support.smtp import SmtpServer

DETAILS = AccountDetails(
    name="陳新進",
    title="個管師",
    phone="02-27654321#88",
    email="newhire@example.org",
    national_id=national_id("C", "12345678"),
)


@pytest.fixture
def units(hub: Hub) -> Hub:
    add_unit(hub, HOSPITAL, "示範綜合醫院")
    add_unit(hub, OTHER_HOSPITAL, "另一家醫院")
    add_unit(hub, AUTHORITY, "國民健康署", UnitKind.AUTHORITY)
    add_admin(
        hub, "hospadmin", HOSPITAL, subsystems={"mch": ("medical_institution", ["prenatal_care"])}
    )
    add_admin(hub, "otheradmin", OTHER_HOSPITAL)
    add_admin(hub, "hpaadmin", AUTHORITY)
    return hub


def account(db, username: str) -> Account:  # type: ignore[no-untyped-def]
    found = db.scalar(select(Account).where(Account.username == username))
    assert found is not None, username
    return found


def add_member(hub: Hub, username: str = "newhire01", by: str = "hospadmin", **kw: object) -> int:
    with hub.database.unit_of_work() as db:
        added = account_admin.add_account(
            db,
            hub.managing(),
            account(db, by),
            username=username,
            details=DETAILS,
            **kw,  # type: ignore[arg-type]
        )
        return added.id


def mailed_password(hub: Hub) -> str:
    with hub.database.unit_of_work() as db:
        message = db.scalar(select(MailMessage).where(MailMessage.kind == "account_created"))
        assert message is not None
        found = re.search(r"密碼：(\S+)", message.body)
        assert found is not None, message.body
        return found.group(1)


def actions(hub: Hub) -> list[str]:
    with hub.database.unit_of_work() as db:
        return [e.action for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_unit_admin_adds_a_member_whose_mailed_password_must_be_changed(
    units: Hub, smtp: SmtpServer
) -> None:
    account_id = add_member(units)
    password = mailed_password(units)
    with units.database.unit_of_work() as db:
        added = db.get(Account, account_id)
        assert added is not None and added.unit is not None
        assert added.unit.code == HOSPITAL
        assert (added.role, added.status) == (AccountRole.MEMBER, AccountStatus.ACTIVE)
        assert added.must_change_password
        assert units.passwords.check(added.password_hash, password)
        assert DETAILS.national_id not in added.national_id_sealed
    assert "account.add" in actions(units)

    with units.database.unit_of_work() as db:
        assert mail.deliver(db, SmtpSender(smtp.url, "hub@example.org"), 0) == (1, 0)
    (received,) = smtp.inbox.wait_for(1)
    assert password in smtp.inbox.body(received)
    with units.database.unit_of_work() as db:
        kept = db.scalar(select(MailMessage).where(MailMessage.kind == "account_created"))
        assert kept is not None and password not in kept.body and kept.redact == []


def test_bad_details_are_refused_field_by_field_and_nothing_is_stored(units: Hub) -> None:
    bad = AccountDetails(
        name="", title="x", phone="12345", email="not-mail", national_id="A123456788"
    )
    with units.database.unit_of_work() as db, pytest.raises(FormErrors) as refused:
        account_admin.add_account(
            db, units.managing(), account(db, "hospadmin"), username="ab", details=bad
        )
    assert set(refused.value.errors) == {"username", "name", "phone", "email", "national_id"}
    with units.database.unit_of_work() as db:
        assert db.scalar(select(MailMessage)) is None
        assert db.scalar(select(Account).where(Account.username == "ab")) is None


def test_the_same_person_and_the_same_name_cannot_be_added_twice(units: Hub) -> None:
    add_member(units)
    with units.database.unit_of_work() as db, pytest.raises(FormErrors) as refused:
        account_admin.add_account(
            db, units.managing(), account(db, "hospadmin"), username="newhire01", details=DETAILS
        )
    assert set(refused.value.errors) == {"username", "national_id"}


def test_who_may_add_and_where(units: Hub) -> None:
    with units.database.unit_of_work() as db:
        added = account_admin.add_account(
            db,
            units.managing(),
            account(db, "otheradmin"),
            username="otherhire1",
            details=DETAILS,
            unit_code=HOSPITAL,
        )
        assert added.unit is not None and added.unit.code == OTHER_HOSPITAL  # own unit only
    add_member(units, "authhire01", by="hpaadmin", unit_code=HOSPITAL)
    with units.database.unit_of_work() as db:
        assert account(db, "authhire01").unit.code == HOSPITAL  # type: ignore[union-attr]
        with pytest.raises(NotAllowed):
            account_admin.add_account(
                db,
                units.managing(),
                account(db, "authhire01"),
                username="nobody001",
                details=DETAILS,
            )


def test_a_unit_admin_sees_and_manages_only_their_own_unit(units: Hub) -> None:
    member_id = add_member(units)
    with units.database.unit_of_work() as db:
        other = account(db, "otheradmin")
        assert member_id not in [
            a.id for a in rows(db, listings.accounts(other, listings.AccountFilter()))
        ]
        with pytest.raises(NotFound):
            account_admin.account_in_scope(db, other, member_id)
        hospital_admin = account(db, "hospadmin")
        assert account_admin.account_in_scope(db, hospital_admin, member_id).username == "newhire01"
        authority = account(db, "hpaadmin")
        assert account_admin.account_in_scope(db, authority, member_id).username == "newhire01"
        # Another admin of one's own unit changes through the authority, not here.
        add_admin(units, "hospadmin2", HOSPITAL)
        with pytest.raises(NotAllowed):
            account_admin.disable_account(
                db,
                units.managing(),
                hospital_admin,
                account(db, "hospadmin2"),
                on=None,
                reason="離職",
            )


def test_editing_records_which_fields_changed_never_the_id_number(units: Hub) -> None:
    member_id = add_member(units)
    new_id = national_id("D", "22345678")
    with units.database.unit_of_work() as db:
        member = db.get(Account, member_id)
        assert member is not None
        changed = account_admin.edit_account(
            db,
            units.managing(),
            account(db, "hospadmin"),
            member,
            AccountDetails(**{**DETAILS.__dict__, "title": "組長", "national_id": new_id}),
        )
        assert changed == ["title", "national_id"]
        assert member.national_id_hash == units.national_ids.lookup_hash(new_id)
    with units.database.unit_of_work() as db:
        event = db.scalar(select(AuditEvent).where(AuditEvent.action == "account.edit"))
        assert event is not None and new_id not in str(event.details)


def test_disabling_now_ends_sessions_and_a_chosen_day_waits_for_it(units: Hub) -> None:
    member_id = add_member(units)
    with units.database.unit_of_work() as db:
        member = db.get(Account, member_id)
        assert member is not None
        hub_sessions.start_session(
            db, account=member, store_key="k", ip="127.0.0.1", user_agent="t", acr="", amr=["pwd"]
        )
    with units.database.unit_of_work() as db:
        member = db.get(Account, member_id)
        assert member is not None
        with pytest.raises(InvalidInput):
            account_admin.disable_account(
                db, units.managing(), account(db, "hospadmin"), member, on=None, reason=" "
            )
        account_admin.disable_account(
            db, units.managing(), account(db, "hospadmin"), member, on=None, reason="離職"
        )
        assert member.status is AccountStatus.DISABLED
        assert hub_sessions.active_sessions(db, member_id) == []

    later = date.today() + timedelta(days=10)
    with units.database.unit_of_work() as db:
        member = db.get(Account, member_id)
        assert member is not None
        account_admin.restore_account(db, account(db, "hospadmin"), member)
        account_admin.disable_account(
            db, units.managing(), account(db, "hospadmin"), member, on=later, reason="月底離職"
        )
        assert (member.status, member.disable_on) == (AccountStatus.ACTIVE, later)
    dormancy = units.policy.current().dormancy
    with units.database.unit_of_work() as db:
        assert account_admin.sweep(db, units.managing(), dormancy).disabled == []
    with units.database.unit_of_work() as db:
        on_the_day = utcnow() + timedelta(days=10, hours=1)
        assert account_admin.sweep(db, units.managing(), dormancy, on_the_day).disabled == [
            "newhire01"
        ]
        member = db.get(Account, member_id)
        assert member is not None and member.status is AccountStatus.DISABLED
    assert actions(units).count("account.disable") == 2


def test_idle_accounts_go_dormant_and_are_restored_by_their_unit_admin(units: Hub) -> None:
    member_id = add_member(units)
    dormancy = units.policy.current().dormancy
    assert dormancy.idle_days == 180
    with units.database.unit_of_work() as db:
        member = db.get(Account, member_id)
        assert member is not None
        member.idle_since = utcnow() - timedelta(days=179)
    with units.database.unit_of_work() as db:
        assert account_admin.sweep(db, units.managing(), dormancy).dormant == []
        member = db.get(Account, member_id)
        assert member is not None
        member.idle_since = utcnow() - timedelta(days=181)
    with units.database.unit_of_work() as db:
        assert account_admin.sweep(db, units.managing(), dormancy).dormant == ["newhire01"]
        admin_messages = db.scalars(
            select(InboxMessage).where(InboxMessage.account_id == account(db, "hospadmin").id)
        ).all()
        assert any("待復權" in m.subject for m in admin_messages)

    password = mailed_password(units)
    with units.database.unit_of_work() as db, pytest.raises(signin.SigninFailed):
        step = signin.PasswordStep(
            db,
            units.passwords,
            units.policy.current(),
            Throttle(units.store, units.policy.current().lockout),
        )
        step.run(
            signin.SigninAttempt(username="newhire01", password=password, ip="127.0.0.1"),
            signin.SigninState(),
        )

    with units.database.unit_of_work() as db:
        member = db.get(Account, member_id)
        assert member is not None
        with pytest.raises(NotFound):
            account_admin.account_in_scope(db, account(db, "otheradmin"), member_id)
        account_admin.restore_account(db, account(db, "hospadmin"), member, reason="已確認在職")
        assert member.status is AccountStatus.ACTIVE
    with units.database.unit_of_work() as db:
        assert account_admin.sweep(db, units.managing(), dormancy).dormant == []
    assert {"account.dormant", "account.restore"} <= set(actions(units))


def test_security_admins_never_go_dormant(units: Hub) -> None:
    with units.database.unit_of_work() as db:
        admin = account(db, "hpaadmin")
        admin.is_security_admin = True
        admin.idle_since = utcnow() - timedelta(days=400)
    with units.database.unit_of_work() as db:
        assert (
            account_admin.sweep(db, units.managing(), units.policy.current().dormancy).dormant == []
        )


# Role changes ---------------------------------------------------------------------------


def submit_change(
    hub: Hub, kind: str, username: str, held: int | None = None, by: str = "hospadmin", **kw: object
) -> int:
    with hub.database.unit_of_work() as db:
        change = role_changes.submit_role_change(
            db,
            hub.catalogues,
            hub.review_routes,
            account(db, by),
            role_changes.RoleChangeForm(
                kind=kind,
                account_id=account(db, username).id,
                subsystem_account_id=held,
                reason="業務需要",
                **kw,  # type: ignore[arg-type]
            ),
        )
        return change.id


def decide(
    hub: Hub, ids: list[int], approve: bool = True, by: str = "hpaadmin", reason: str = ""
) -> None:
    with hub.database.unit_of_work() as db:
        role_changes.decide_role_changes(
            db, hub.catalogues, hub.managing(), account(db, by), ids, approve=approve, reason=reason
        )


def bind_member_account(hub: Hub, username: str, menu_roles: list[str]) -> int:
    with hub.database.unit_of_work() as db:
        owner = account(db, username)
        held = SubsystemAccount(
            subsystem="mch",
            username=f"{username}@mch",
            unit_id=owner.unit_id,
            role=AccountRole.MEMBER,
            duty="medical_institution",
            menu_roles=menu_roles,
            status=AccountStatus.ACTIVE,
        )
        db.add(held)
        db.flush()
        db.add(Binding(account_id=owner.id, subsystem_account_id=held.id, label="婦幼"))
        return held.id


def test_member_to_admin_and_back_through_the_authority(units: Hub) -> None:
    add_member(units)
    change_id = submit_change(units, "promote", "newhire01")
    with units.database.unit_of_work() as db:
        assert account(db, "newhire01").role is AccountRole.MEMBER  # not before the decision
        authority_inbox = db.scalars(
            select(InboxMessage).where(InboxMessage.account_id == account(db, "hpaadmin").id)
        ).all()
        assert any("帳號/權限異動" in m.subject for m in authority_inbox)
        with pytest.raises(InvalidInput):  # one open request at a time
            role_changes.submit_role_change(
                db,
                units.catalogues,
                units.review_routes,
                account(db, "hospadmin"),
                role_changes.RoleChangeForm("promote", account(db, "newhire01").id, None, "再送"),
            )
    with pytest.raises(NotFound):  # only the authority decides
        decide(units, [change_id], by="hospadmin")
    decide(units, [change_id])
    with units.database.unit_of_work() as db:
        assert account(db, "newhire01").role is AccountRole.UNIT_ADMIN
        change = db.get(RoleChange, change_id)
        assert change is not None and change.status is ApplicationStatus.APPROVED
    demote = submit_change(units, "demote", "newhire01", by="hpaadmin")
    with pytest.raises(InvalidInput):
        decide(units, [demote], approve=False)  # returning needs a reason
    decide(units, [demote], approve=False, reason="請補公文")
    with units.database.unit_of_work() as db:
        assert account(db, "newhire01").role is AccountRole.UNIT_ADMIN
    assert {"role_change.submit", "role_change.approve", "role_change.return"} <= set(
        actions(units)
    )


def test_a_unit_admin_cannot_ask_for_another_units_account(units: Hub) -> None:
    add_member(units)
    with pytest.raises(NotFound):
        submit_change(units, "promote", "newhire01", by="otheradmin")


def test_cancel_admin_disables_the_admin_account(units: Hub) -> None:
    add_admin(units, "hospadmin2", HOSPITAL)
    change_id = submit_change(units, "cancel_admin", "hospadmin2")
    decide(units, [change_id])
    with units.database.unit_of_work() as db:
        assert account(db, "hospadmin2").status is AccountStatus.DISABLED


def test_subsystem_admin_quota_then_over_quota_request(units: Hub) -> None:
    add_member(units)
    add_admin(
        units,
        "hospadmin2",
        HOSPITAL,
        subsystems={"mch": ("medical_institution", ["prenatal_care"])},
    )
    held = bind_member_account(units, "newhire01", ["prenatal_care"])
    with pytest.raises(InvalidInput) as refused:  # 婦幼 allows two admins per unit
        submit_change(units, "promote", "newhire01", held)
    assert "管理員超額申請" in str(refused.value)
    change_id = submit_change(units, "over_quota", "newhire01", held)
    decide(units, [change_id])
    with units.database.unit_of_work() as db:
        sub = db.get(SubsystemAccount, held)
        assert sub is not None and sub.role is AccountRole.UNIT_ADMIN


def test_extra_menu_roles_are_checked_against_the_duty(units: Hub) -> None:
    add_member(units)
    held = bind_member_account(units, "newhire01", ["prenatal_care"])
    with pytest.raises(InvalidInput):
        submit_change(units, "extra_menu", "newhire01", held, menu_roles=("no_such_menu",))
    with pytest.raises(InvalidInput):
        submit_change(units, "extra_menu", "newhire01", held, menu_roles=("prenatal_care",))
    with pytest.raises(InvalidInput):  # a privilege request names a subsystem account
        submit_change(units, "extra_menu", "newhire01", None, menu_roles=("hearing_screening",))
    change_id = submit_change(
        units, "extra_menu", "newhire01", held, menu_roles=("hearing_screening",)
    )
    decide(units, [change_id])
    with units.database.unit_of_work() as db:
        sub = db.get(SubsystemAccount, held)
        assert sub is not None and sub.menu_roles == ["prenatal_care", "hearing_screening"]


def test_signin_logs_show_only_the_managers_unit(units: Hub) -> None:
    member_id = add_member(units)
    with units.database.unit_of_work() as db:
        member = db.get(Account, member_id)
        other = account(db, "otheradmin")
        assert member is not None and member.unit_id is not None
        for person in (member, other):
            hub_sessions.start_session(
                db,
                account=person,
                store_key="k",
                ip="10.0.0.9",
                user_agent="t",
                acr="",
                amr=["pwd"],
            )
        held = SubsystemAccount(
            subsystem="mch",
            username="newhire@mch",
            unit_id=member.unit_id,
            role=AccountRole.MEMBER,
            duty="medical_institution",
            menu_roles=[],
        )
        db.add(held)
        db.flush()
        db.add(
            SubsystemSignin(
                account_id=member.id,
                subsystem_account_id=held.id,
                client_id="mch",
                label="婦幼",
                ip="10.0.0.9",
            )
        )
    everything = signin_logs.SigninFilter()
    with units.database.unit_of_work() as db:
        hospital_admin = account(db, "hospadmin")
        assert [
            s.account.username
            for s in rows(db, signin_logs.hub_signins(hospital_admin, everything))
        ] == ["newhire01"]
        assert [
            s.subsystem_account.username
            for s in rows(
                db, signin_logs.subsystem_signins(hospital_admin, everything, units.catalogues)
            )
        ] == ["newhire@mch"]
        other_admin = account(db, "otheradmin")
        assert [
            s.account.username for s in rows(db, signin_logs.hub_signins(other_admin, everything))
        ] == ["otheradmin"]
        assert (
            rows(db, signin_logs.subsystem_signins(other_admin, everything, units.catalogues)) == []
        )
        authority = account(db, "hpaadmin")
        assert len(rows(db, signin_logs.hub_signins(authority, everything))) == 2
        tomorrow = signin_logs.SigninFilter(since=date.today() + timedelta(days=2))
        assert rows(db, signin_logs.hub_signins(authority, tomorrow)) == []


def test_the_dashboard_counts_within_scope(units: Hub) -> None:
    member_id = add_member(units)
    with units.database.unit_of_work() as db:
        member = db.get(Account, member_id)
        assert member is not None
        member.status = AccountStatus.DORMANT
        hub_sessions.start_session(
            db,
            account=account(db, "hospadmin"),
            store_key="k",
            ip="",
            user_agent="",
            acr="",
            amr=[],
        )
    with units.database.unit_of_work() as db:
        board = dashboard.dashboard(db, account(db, "hospadmin"))
        assert (board.accounts, board.admins, board.members, board.dormant) == (2, 1, 1, 1)
        assert len(board.signins_per_hour) == 24
        assert board.signins_per_hour[-1].signins == 1 and board.busiest_hour == 1
        other = dashboard.dashboard(db, account(db, "otheradmin"))
        assert (other.accounts, other.dormant, other.busiest_hour) == (1, 0, 0)
        everyone = dashboard.dashboard(db, account(db, "hpaadmin"))
        assert everyone.accounts == 4
