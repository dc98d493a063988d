"""個資權利申請 in the domain: a person asks to stop processing or to delete, the
authority decides; a deletion leaves no personal field readable and the audit chain
still verifies."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from idp.hub import Hub
from idp.models import (
    Account,
    AccountStatus,
    Base,
    InboxMessage,
    PrivacyRequest,
    PrivacyRequestStatus,
    UnitKind,
)
from idp.services.accounts import privacy
from idp.services.accounts.directory import find_by_username
from idp.services.audit_log.verify import verify
from idp.services.errors import DomainError, NotAllowed
from idp.services.sessions import hub_sessions

from ..support.applications import (
    APPLICANT_PASSWORD,
    AUTHORITY,
    HOSPITAL,
    add_admin,
    add_unit,
    applying,
    member_form,
    national_id,
    submit_confirmed,
)

PERSONAL = {
    "name": "私密測試者",
    "title": "特別職稱甲",
    "department": "特別部門乙",
    "email": "secret-person@example.org",
    "phone": "02-29998888",
    "mobile": "0933-111222",
}
ID_NUMBER = national_id("E")


@pytest.fixture
def applicant(hub: Hub) -> Hub:
    """An applicant (with 身分證, contacts, mail and messages), a session of theirs, the
    unit's admin and the authority's admin."""
    add_unit(hub, HOSPITAL, "示範綜合醫院")
    add_unit(hub, AUTHORITY, "國民健康署", UnitKind.AUTHORITY)
    add_admin(hub, "hospadmin", HOSPITAL)
    add_admin(hub, "hpaadmin1", AUTHORITY)
    with hub.database.unit_of_work() as db:
        submit_confirmed(db, applying(hub), member_form(national_id=ID_NUMBER, **PERSONAL))
        account = find_by_username(db, "newcomer01")
        assert account is not None
        hub_sessions.start_session(
            db,
            account=account,
            store_key="k",
            ip="198.51.100.7",
            user_agent="Secret-Browser/1.0",
            acr="",
            amr=["pwd"],
        )
    return hub


def person(db: object) -> Account:
    found = find_by_username(db, "newcomer01")  # type: ignore[arg-type]
    assert found is not None
    return found


def authority(db: object) -> Account:
    found = find_by_username(db, "hpaadmin1")  # type: ignore[arg-type]
    assert found is not None
    return found


def ask(hub: Hub, kind: str) -> int:
    with hub.database.unit_of_work() as db:
        return privacy.file_request(db, person(db), kind, "請刪除", ip="127.0.0.1").id


def decide(hub: Hub, request_id: int, allow: bool) -> None:
    with hub.database.unit_of_work() as db:
        privacy.decide(
            db, hub.managing(), authority(db), request_id, allow=allow, reason="依法辦理"
        )


def readable_values(hub: Hub, skip: set[str]) -> list[str]:
    """Every value of every row of every table but ``skip``, as text."""
    values = []
    with hub.database.unit_of_work() as db:
        for table in Base.metadata.sorted_tables:
            if table.name in skip:
                continue
            for row in db.execute(select(table)):
                values += [f"{table.name}: {v}" for v in row if v is not None]
    return values


def test_one_request_at_a_time_and_the_authority_is_told(applicant: Hub) -> None:
    ask(applicant, "delete")
    with pytest.raises(DomainError, match="審核中"):
        ask(applicant, "stop")
    with applicant.database.unit_of_work() as db, pytest.raises(DomainError):
        privacy.file_request(db, person(db), "everything", "")
    with applicant.database.unit_of_work() as db:
        told = db.scalars(
            select(InboxMessage).where(InboxMessage.account_id == authority(db).id)
        ).all()
        assert [m.subject for m in told] == ["有一件個資權利申請待審核（{reference}）"]


def test_only_the_authority_decides(applicant: Hub) -> None:
    request_id = ask(applicant, "delete")
    with applicant.database.unit_of_work() as db, pytest.raises(NotAllowed):
        unit_admin = find_by_username(db, "hospadmin")
        assert unit_admin is not None
        privacy.decide(db, applicant.managing(), unit_admin, request_id, allow=True, reason="x")
    with applicant.database.unit_of_work() as db, pytest.raises(NotAllowed):
        privacy.requests_to_decide(db, person(db))
    with applicant.database.unit_of_work() as db:
        assert person(db).name == PERSONAL["name"]


def test_a_refusal_changes_nothing_but_the_request(applicant: Hub) -> None:
    request_id = ask(applicant, "delete")
    with applicant.database.unit_of_work() as db, pytest.raises(DomainError):
        privacy.decide(db, applicant.managing(), authority(db), request_id, allow=False, reason="")
    decide(applicant, request_id, allow=False)
    with applicant.database.unit_of_work() as db:
        assert person(db).name == PERSONAL["name"]
        request = db.get(PrivacyRequest, request_id)
        assert request is not None and request.status is PrivacyRequestStatus.REFUSED
    with applicant.database.unit_of_work() as db, pytest.raises(DomainError, match="結案"):
        privacy.decide(db, applicant.managing(), authority(db), request_id, allow=True, reason="x")


def test_a_stop_disables_the_account_and_keeps_its_data(applicant: Hub) -> None:
    decide(applicant, ask(applicant, "stop"), allow=True)
    with applicant.database.unit_of_work() as db:
        account = person(db)
        assert account.status is AccountStatus.DISABLED
        assert account.email == PERSONAL["email"]


def test_a_deletion_leaves_no_personal_field_and_the_chain_verifies(applicant: Hub) -> None:
    decide(applicant, ask(applicant, "delete"), allow=True)
    personal = [*PERSONAL.values(), ID_NUMBER, "請刪除", "198.51.100.7", "Secret-Browser"]
    values = readable_values(applicant, skip={"audit_event"})
    assert [v for v in values if any(p in v for p in personal)] == []
    audit_values = readable_values(applicant, skip=set(Base.metadata.tables) - {"audit_event"})
    assert [v for v in audit_values if any(p in v for p in personal)] == []
    with applicant.database.unit_of_work() as db:
        account = person(db)
        assert account.status is AccountStatus.DISABLED
        assert (account.national_id_sealed, account.national_id_hash) == ("", "")
        assert not applicant.passwords.check(account.password_hash, APPLICANT_PASSWORD)
        assert verify(db).ok
