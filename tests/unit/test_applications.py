"""帳號申請 and 帳號申請核定, in the domain: the rules, the workflow, the scope of each
reviewer, quotas, notifications and the audit trail."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from idp.hub import Hub
from idp.models import (
    Account,
    AccountRole,
    AccountStatus,
    Application,
    ApplicationStatus,
    AuditEvent,
    Binding,
    EmailChange,
    InboxMessage,
    MailMessage,
    SubsystemAccount,
    SubsystemRequest,
    UnitKind,
    utcnow,
)
from idp.services.applications import submission as applications
from idp.services.errors import FormErrors, NotFound
from idp.services.reports import listings
from idp.services.reviews import decisions as reviews
from idp.services.subsystems.quotas import SubsystemChoice
from idp.worker import sweep_accounts

from ..support.applications import (
    AUTHORITY,
    HOSPITAL,
    MCH_MEMBER,
    OTHER_HOSPITAL,
    account_named,
    add_admin,
    add_unit,
    applying,
    confirmation_token,
    member_form,
    national_id,
    submit_confirmed,
)
from ..support.listing import rows


@pytest.fixture
def units(hub: Hub) -> Hub:
    add_unit(hub, HOSPITAL, "示範綜合醫院")
    add_unit(hub, OTHER_HOSPITAL, "另一家醫院")
    add_unit(hub, AUTHORITY, "國民健康署", UnitKind.AUTHORITY)
    return hub


def submit(hub: Hub, **changes: object) -> int:
    with hub.database.unit_of_work() as db:
        return submit_confirmed(db, applying(hub), member_form(**changes)).id


def refusals(hub: Hub, **changes: object) -> dict[str, list[str]]:
    with hub.database.unit_of_work() as db, pytest.raises(FormErrors) as refused:
        applications.submit_application(db, applying(hub), member_form(**changes))
    return {k: [str(t) for t in v] for k, v in refused.value.errors.items()}


def count(hub: Hub, model: type) -> int:
    with hub.database.unit_of_work() as db:
        return db.scalar(select(func.count()).select_from(model)) or 0


def reviewer(hub: Hub, username: str) -> Account:
    with hub.database.unit_of_work() as db:
        account = db.scalar(select(Account).where(Account.username == username))
        assert account is not None
        return account


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "<script>alert(1)</script>"),
        ("name", "1234567"),
        ("name", "王😀明"),
        ("email", "<b>x</b>@x.org"),
        ("email", "a@b.c"),
    ],
)
def test_names_and_addresses_that_are_none_are_refused(units: Hub, field: str, value: str) -> None:
    add_admin(units, "hospadmin", HOSPITAL)
    assert field in refusals(units, **{field: value})


def test_phones_and_addresses_are_stored_in_one_spelling(units: Hub) -> None:
    add_admin(units, "hospadmin", HOSPITAL)
    submit(
        units,
        name=" 瓦歷斯·諾幹 ",
        phone="(02)2765-4321 ext 12",
        mobile="+886 912 345 678",
        email="Newcomer@EXAMPLE.org",
        department=" 家醫科 ",
    )
    with units.database.unit_of_work() as db:
        account = db.scalar(select(Account).where(Account.username == "newcomer01"))
        assert account is not None
        assert (account.name, account.phone, account.mobile, account.email) == (
            "瓦歷斯·諾幹",
            "02-27654321#12",
            "0912-345678",
            "Newcomer@example.org",
        )
        assert account.department == "家醫科"


def test_a_member_cannot_apply_before_the_unit_has_an_admin(units: Hub) -> None:
    problems = refusals(units)
    assert "尚無單位業務管理者" in problems["role"][0]
    assert count(units, Account) == 0


def test_every_field_refuses_bad_input_and_nothing_is_stored(units: Hub) -> None:
    add_admin(units, "hospadmin", HOSPITAL)
    before = (count(units, Account), count(units, Application), count(units, SubsystemRequest))
    problems = refusals(
        units,
        unit_code="9999999999",
        role="owner",
        username="ab",
        password="short",
        password_confirm="other",
        national_id="A123456788",
        name="",
        title="",
        department="",
        phone="12345",
        phone_backup="02-1",
        unit_phone="x",
        mobile="0812345678",
        email="not-an-address",
        email_backup="also@bad",
        consent=False,
    )
    for field in (
        "unit_code",
        "role",
        "username",
        "password",
        "password_confirm",
        "national_id",
        "name",
        "title",
        "department",
        "phone",
        "phone_backup",
        "unit_phone",
        "mobile",
        "email",
        "email_backup",
        "consent",
    ):
        assert problems.get(field), field
    assert "檢查碼" in problems["national_id"][0]
    after = (count(units, Account), count(units, Application), count(units, SubsystemRequest))
    assert after == before


def test_subsystem_choices_are_checked_against_the_catalogue(units: Hub) -> None:
    add_admin(units, "hospadmin", HOSPITAL)
    wrong_duty = SubsystemChoice("mch", AccountRole.MEMBER, "health_bureau", ("bureau_genetics",))
    wrong_role = SubsystemChoice("mch", AccountRole.MEMBER, "medical_institution", ("nope",))
    assert refusals(units, subsystems=(wrong_duty,))["subsystem_mch"]
    assert refusals(units, subsystems=(wrong_role,))["subsystem_mch"]
    unknown = SubsystemChoice("payroll", AccountRole.MEMBER, "x", ("y",))
    assert refusals(units, subsystems=(unknown,))["subsystem_payroll"]


def test_a_taken_name_or_a_pending_application_is_told_to_the_address_only(units: Hub) -> None:
    """No enumeration: an account name already taken, or a 身分證 with an application
    under review at the unit, gets the same answer as an application taken (None is
    "the mail was sent"); only the address given is told, and nothing is stored."""
    add_admin(units, "hospadmin", HOSPITAL)
    submit(units)
    before = count(units, Application), count(units, Account)
    with units.database.unit_of_work() as db:
        taken = applications.submit_application(
            db,
            applying(units),
            member_form(email="prober@example.org", national_id=national_id("C")),
        )
        pending = applications.submit_application(
            db, applying(units), member_form(username="newcomer02", email="prober@example.org")
        )
    assert taken is None and pending is None
    assert (count(units, Application), count(units, Account)) == before
    with units.database.unit_of_work() as db:
        told = db.scalars(select(MailMessage).where(MailMessage.to == "prober@example.org")).all()
        assert [m.kind for m in told] == ["application_not_taken"] * 2
    submit(units, username="newcomer03", unit_code=OTHER_HOSPITAL, role="unit_admin", subsystems=())


def test_an_application_counts_once_its_address_is_confirmed(units: Hub) -> None:
    add_admin(units, "hospadmin", HOSPITAL)
    with units.database.unit_of_work() as db:
        sent = applications.submit_application(db, applying(units), member_form())
        assert sent is not None and sent.status is ApplicationStatus.UNCONFIRMED
        application_id = sent.id
        mails = db.scalars(select(MailMessage)).all()
        assert [(m.kind, m.to) for m in mails] == [("application_confirm", "newcomer@example.org")]
        assert "林新人" not in mails[0].body  # nothing the applicant typed but the name
    admin = reviewer(units, "hospadmin")
    with units.database.unit_of_work() as db:
        assert not db.query(InboxMessage).filter_by(account_id=admin.id).count()
        token = confirmation_token(db, "newcomer@example.org")
    with units.database.unit_of_work() as db:
        confirmed = applications.confirm_application(db, token)
        assert confirmed is not None and confirmed.id == application_id
        assert confirmed.status is ApplicationStatus.PENDING
        assert confirmed.account.email_confirmed_at is not None
    with units.database.unit_of_work() as db:
        assert db.query(InboxMessage).filter_by(account_id=admin.id).count() == 1
        assert applications.confirm_application(db, token) is None  # once


def test_an_application_whose_link_expired_unopened_is_dropped(units: Hub) -> None:
    """The name and the 身分證 may apply again once the link has expired unopened; an
    application whose link is still open, or that was confirmed, stays."""
    add_admin(units, "hospadmin", HOSPITAL)
    with units.database.unit_of_work() as db:
        applications.submit_application(db, applying(units), member_form())
        applications.submit_application(
            db, applying(units), member_form(username="newcomer02", national_id=national_id("C"))
        )
    confirmed = submit(units, username="newcomer03", national_id=national_id("D"))
    before = count(units, Account)
    with units.database.unit_of_work() as db:
        assert applications.discard_unconfirmed(db, utcnow()) == 0
        expired = db.scalar(
            select(EmailChange).join(Account).where(Account.username == "newcomer01")
        )
        assert expired is not None
        expired.expires_at = utcnow() - timedelta(minutes=1)
    sweep_accounts(units)  # the background worker's sweep
    assert account_named(units, "newcomer01") is None
    assert account_named(units, "newcomer02") is not None
    assert count(units, Account) == before - 1
    with units.database.unit_of_work() as db:
        assert db.get(Application, confirmed) is not None
        assert db.scalar(select(AuditEvent).where(AuditEvent.action == "application.expired"))
        assert not db.scalar(
            select(func.count())
            .select_from(SubsystemRequest)
            .where(SubsystemRequest.account_id.not_in(select(Account.id)))
        )
    submit(units)  # the same name and 身分證 again


def test_member_workflow_unit_admin_then_subsystem_admin(units: Hub) -> None:
    add_admin(
        units, "hospadmin", HOSPITAL, subsystems={"mch": ("medical_institution", ["prenatal_care"])}
    )
    application_id = submit(units)
    applicant = account_named(units, "newcomer01")
    assert applicant is not None and applicant.status is AccountStatus.PENDING
    with units.database.unit_of_work() as db:
        request = db.scalar(select(SubsystemRequest))
        assert request is not None and request.status is ApplicationStatus.WAITING
        stored = db.get(Account, applicant.id)
        assert stored is not None and stored.national_id_sealed
        assert national_id() not in stored.national_id_sealed
        assert units.national_ids.open(stored.national_id_sealed) == national_id()

    admin = reviewer(units, "hospadmin")
    with units.database.unit_of_work() as db:
        reviews.decide_applications(
            db, db.merge(admin), [application_id], approve=True, ip="10.0.0.1"
        )
    applicant = account_named(units, "newcomer01")
    assert applicant is not None and applicant.status is AccountStatus.ACTIVE

    with units.database.unit_of_work() as db:
        me = db.merge(admin)
        (request,) = rows(
            db, listings.subsystem_requests(me, listings.ReviewFilter(), units.catalogues)
        )
        assert request.status is ApplicationStatus.PENDING
        reviews.decide_requests(db, units.catalogues, me, [request.id], approve=True)
    with units.database.unit_of_work() as db:
        binding = db.scalar(select(Binding).where(Binding.account_id == applicant.id))
        assert binding is not None and len(binding.label) <= 10
        held = binding.subsystem_account
        assert (held.subsystem, held.role, held.duty) == (
            "mch",
            AccountRole.MEMBER,
            "medical_institution",
        )
        assert held.menu_roles == ["prenatal_care", "hearing_screening"]
        actions = [e.action for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert {"application.submit", "application.approve", "subsystem_request.approve"} <= set(
            actions
        )
        approve = db.scalar(select(AuditEvent).where(AuditEvent.action == "application.approve"))
        assert approve is not None and approve.actor == "hospadmin" and approve.ip == "10.0.0.1"
        kinds = [
            m.kind
            for m in db.scalars(
                select(MailMessage)
                .where(MailMessage.to == "newcomer@example.org")
                .order_by(MailMessage.id)
            )
        ]
        assert kinds == [
            "application_confirm",
            "application_received",
            "application_approved",
            "subsystem_approved",
        ]
        assert (
            db.scalar(
                select(func.count())
                .select_from(InboxMessage)
                .where(InboxMessage.account_id == applicant.id)
            )
            == 3
        )


def test_returning_needs_a_reason_and_returns_the_subsystem_requests(units: Hub) -> None:
    add_admin(units, "hospadmin", HOSPITAL)
    application_id = submit(units)
    admin = reviewer(units, "hospadmin")
    with units.database.unit_of_work() as db, pytest.raises(Exception, match="原因"):
        reviews.decide_applications(db, db.merge(admin), [application_id], approve=False)
    with units.database.unit_of_work() as db:
        reviews.decide_applications(
            db, db.merge(admin), [application_id], approve=False, reason="職稱不符"
        )
    with units.database.unit_of_work() as db:
        application = db.get(Application, application_id)
        assert application is not None and application.status is ApplicationStatus.RETURNED
        assert application.account.status is AccountStatus.RETURNED
        assert all(r.status is ApplicationStatus.RETURNED for r in application.subsystem_requests)
        event = db.scalar(select(AuditEvent).where(AuditEvent.action == "application.return"))
        assert event is not None and event.details["reason"] == "職稱不符"


def test_a_unit_admin_sees_and_decides_only_their_own_unit(units: Hub) -> None:
    add_admin(units, "hospadmin", HOSPITAL)
    add_admin(
        units,
        "otheradmin",
        OTHER_HOSPITAL,
        subsystems={"mch": ("medical_institution", ["prenatal_care"])},
    )
    mine = submit(units)
    other = submit(
        units, username="stranger01", national_id=national_id("C"), unit_code=OTHER_HOSPITAL
    )
    admin = reviewer(units, "hospadmin")
    with units.database.unit_of_work() as db:
        me = db.merge(admin)
        listed = {a.id for a in rows(db, listings.applications(me, listings.ReviewFilter()))}
        assert listed == {mine}
        with pytest.raises(NotFound):
            reviews.decide_applications(db, me, [other], approve=True)
        with pytest.raises(NotFound):  # the whole batch, not the part in scope
            reviews.decide_applications(db, me, [mine, other], approve=True)
    with units.database.unit_of_work() as db:
        assert {a.status for a in db.scalars(select(Application))} == {ApplicationStatus.PENDING}
    # hospadmin holds no 婦幼 admin account, so sees no subsystem requests, not even its unit's
    with units.database.unit_of_work() as db:
        assert (
            rows(
                db,
                listings.subsystem_requests(
                    db.merge(admin), listings.ReviewFilter(status=None), units.catalogues
                ),
            )
            == []
        )


def test_unit_admin_applications_go_to_the_authority(units: Hub) -> None:
    add_admin(units, "hpaadmin", AUTHORITY)
    add_admin(units, "hospadmin", HOSPITAL)
    application_id = submit(units, role="unit_admin", unit_code=OTHER_HOSPITAL, subsystems=())
    with units.database.unit_of_work() as db:
        assert (
            rows(
                db,
                listings.applications(
                    db.merge(reviewer(units, "hospadmin")), listings.ReviewFilter()
                ),
            )
            == []
        )
        authority = db.merge(reviewer(units, "hpaadmin"))
        assert [
            a.id for a in rows(db, listings.applications(authority, listings.ReviewFilter()))
        ] == [application_id]
        with pytest.raises(reviews.NotDecidable, match="紙本"):
            reviews.decide_applications(db, authority, [application_id], approve=True)


def test_admin_quota_per_unit(units: Hub) -> None:
    held = {"mch": ("medical_institution", ["prenatal_care"])}
    add_admin(units, "hospadmin", HOSPITAL, subsystems=held)
    add_admin(units, "hospadmin2", HOSPITAL, subsystems=held)
    admin_choice = replace(MCH_MEMBER, role=AccountRole.UNIT_ADMIN)
    problems = refusals(units, subsystems=(admin_choice,))
    assert "已達上限" in problems["subsystem_mch"][0]


def test_admin_quota_is_checked_again_when_approving(units: Hub) -> None:
    add_admin(units, "hpaadmin", AUTHORITY)
    held = {"mch": ("medical_institution", ["prenatal_care"])}
    add_admin(units, "hospadmin", HOSPITAL, subsystems=held)
    admin_choice = replace(MCH_MEMBER, role=AccountRole.UNIT_ADMIN)
    authority = reviewer(units, "hpaadmin")
    ids = []
    for n, letter in enumerate("CD"):
        application_id = submit(
            units,
            username=f"second0{n}",
            national_id=national_id(letter),
            subsystems=(admin_choice,),
        )
        with units.database.unit_of_work() as db:
            reviews.decide_applications(
                db, db.merge(reviewer(units, "hospadmin")), [application_id], approve=True
            )
            request = db.scalar(
                select(SubsystemRequest).where(SubsystemRequest.application_id == application_id)
            )
            assert request is not None
            ids.append(request.id)
    with units.database.unit_of_work() as db:
        reviews.decide_requests(db, units.catalogues, db.merge(authority), [ids[0]], approve=True)
    with units.database.unit_of_work() as db, pytest.raises(reviews.NotDecidable, match="上限"):
        reviews.decide_requests(db, units.catalogues, db.merge(authority), [ids[1]], approve=True)
    assert count(units, SubsystemAccount) == 2


def test_cancer_quota_counts_per_business_category(units: Hub) -> None:
    catalogue = units.catalogues["cancer"]
    (first, second, *_) = [
        role.code
        for duty in catalogue.duties
        if duty.code == "medical_institution"
        for role in duty.business_categories()
    ]
    add_admin(units, "hospadmin", HOSPITAL, subsystems={"cancer": ("medical_institution", [first])})
    same = SubsystemChoice("cancer", AccountRole.UNIT_ADMIN, "medical_institution", (first,))
    other = SubsystemChoice("cancer", AccountRole.UNIT_ADMIN, "medical_institution", (second,))
    assert "已達上限" in refusals(units, subsystems=(same,))["subsystem_cancer"][0]
    submit(units, subsystems=(other,))
