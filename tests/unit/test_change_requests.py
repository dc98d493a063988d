"""資料異動申請 in the domain: the chains come from the policy file, a request walks its
chain step by step, a refusal closes it, only the reviewers of the step decide, and a
refused attachment keeps the whole request out."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from idp.hub import Hub
from idp.models import (
    ChangeRequest,
    ChangeRequestAttachment,
    ChangeRequestKind,
    ChangeRequestStatus,
    InboxMessage,
    MailMessage,
    ReviewTier,
    utcnow,
)
from idp.services import attachments
from idp.services.accounts import privacy
from idp.services.errors import FormErrors, InvalidInput, NotFound
from idp.services.reviews import change_requests as changes
from idp.services.reviews.change_chains import (
    ChainError,
    ChangeChains,
    load_change_chains,
    parse_change_chains,
)

from ..support.change_requests import EXTRA, change_form, make_change_people, person
from ..support.files import make_image, make_pdf
from ..support.portal import ROLES

DEFAULT_POLICY = Path(__file__).resolve().parents[2] / "policies" / "change_requests.yaml"
MEMBER, UNIT_ADMIN, BUREAU, AUTHORITY = (
    ROLES["member"],
    ROLES["unit_admin"],
    ROLES["bureau_admin"],
    ROLES["authority"],
)


@pytest.fixture
def people(hub: Hub) -> Hub:
    make_change_people(hub)
    return hub


def file(
    hub: Hub, username: str = MEMBER, chains: ChangeChains | None = None, **form: object
) -> int:
    with hub.database.unit_of_work() as db:
        made = changes.file_request(
            db, chains or hub.change_chains, person(db, username), change_form(**form)
        )
        return made.id


def decide(hub: Hub, username: str, request_id: int, allow: bool = True, reason: str = "") -> None:
    with hub.database.unit_of_work() as db:
        changes.decide(db, person(db, username), request_id, allow=allow, reason=reason)


def state(hub: Hub, request_id: int) -> tuple[ChangeRequestStatus, ReviewTier | None, int]:
    with hub.database.unit_of_work() as db:
        request = db.get(ChangeRequest, request_id)
        assert request is not None
        return request.status, request.tier, request.step


def outcomes(hub: Hub, request_id: int) -> list[tuple[int, str, str, str | None]]:
    with hub.database.unit_of_work() as db:
        request = db.get(ChangeRequest, request_id)
        assert request is not None
        return [
            (d.step, d.tier.value, d.outcome.value, d.reviewer.username if d.reviewer else None)
            for d in request.decisions
        ]


def subjects(hub: Hub, username: str) -> list[str]:
    with hub.database.unit_of_work() as db:
        account = person(db, username)
        return list(
            db.scalars(select(InboxMessage.subject).where(InboxMessage.account_id == account.id))
        )


def test_the_chains_come_from_the_policy_file() -> None:
    chains = load_change_chains(DEFAULT_POLICY)
    both = (ReviewTier.UNIT_ADMIN, ReviewTier.AUTHORITY)
    assert chains.of(ChangeRequestKind.ACCOUNT) == both
    assert chains.of(ChangeRequestKind.DUTY) == both
    assert chains.of(ChangeRequestKind.IDENTITY) == both
    assert chains.of(ChangeRequestKind.PROFILE) == (ReviewTier.UNIT_ADMIN,)
    assert chains.of(ChangeRequestKind.OTHER) == (ReviewTier.UNIT_ADMIN,)


def test_a_policy_with_an_unknown_tier_or_kind_is_refused_at_load(tmp_path: Path) -> None:
    written = DEFAULT_POLICY.read_text(encoding="utf-8")
    broken = tmp_path / "change_requests.yaml"
    broken.write_text(written.replace("profile: [unit_admin]", "profile: [county_office]"))
    with pytest.raises(ChainError, match=r"profile\[0\]: unknown tier 'county_office'"):
        load_change_chains(broken)
    with pytest.raises(ChainError, match="transfer: unknown request kind") as refused:
        parse_change_chains({"transfer": ["authority"], "duty": []})
    problems = "\n".join(refused.value.problems)
    assert "duty: must be a non-empty list" in problems and "account: missing" in problems


def test_a_two_step_chain_walks_from_the_unit_admin_to_the_authority(people: Hub) -> None:
    request_id = file(people)
    assert state(people, request_id) == (ChangeRequestStatus.PENDING, ReviewTier.UNIT_ADMIN, 0)
    assert "有一件資料異動申請待審核（{reference}）" in subjects(people, UNIT_ADMIN)
    assert subjects(people, AUTHORITY) == []
    with pytest.raises(NotFound):  # not the authority's step yet
        decide(people, AUTHORITY, request_id)

    decide(people, UNIT_ADMIN, request_id, reason="單位已確認")
    assert state(people, request_id) == (ChangeRequestStatus.PENDING, ReviewTier.AUTHORITY, 1)
    assert "有一件資料異動申請待審核（{reference}）" in subjects(people, AUTHORITY)
    with pytest.raises(NotFound):  # the unit admin's step is over
        decide(people, UNIT_ADMIN, request_id)

    decide(people, AUTHORITY, request_id)
    assert state(people, request_id) == (ChangeRequestStatus.APPROVED, None, 1)
    assert outcomes(people, request_id) == [
        (0, "unit_admin", "allowed", UNIT_ADMIN),
        (1, "authority", "allowed", AUTHORITY),
    ]
    told = subjects(people, MEMBER)
    assert "您的資料異動申請（{reference}）已通過一關，移至第 {step} 關" in told
    assert "您的資料異動申請（{reference}）結案：允許" in told
    with people.database.unit_of_work() as db:
        mailed = db.scalars(
            select(MailMessage.kind).where(MailMessage.to == "member01@example.org")
        )
        assert "change_request_decided" in list(mailed)


def test_a_refusal_closes_the_request_and_needs_a_reason(people: Hub) -> None:
    request_id = file(people)
    with pytest.raises(InvalidInput, match="不允許時請填寫審核理由"):
        decide(people, UNIT_ADMIN, request_id, allow=False)
    assert state(people, request_id) == (ChangeRequestStatus.PENDING, ReviewTier.UNIT_ADMIN, 0)
    decide(people, UNIT_ADMIN, request_id, allow=False, reason="請先檢附單位切結書")
    assert state(people, request_id) == (ChangeRequestStatus.REFUSED, None, 0)
    assert outcomes(people, request_id) == [(0, "unit_admin", "refused", UNIT_ADMIN)]
    assert "您的資料異動申請（{reference}）結案：不允許" in subjects(people, MEMBER)
    for reviewer in (UNIT_ADMIN, AUTHORITY):
        with pytest.raises(NotFound):
            decide(people, reviewer, request_id)


def test_only_the_reviewers_of_the_step_decide(people: Hub) -> None:
    request_id = file(people)
    for outsider in (EXTRA["other_admin"], BUREAU, AUTHORITY, MEMBER, EXTRA["colleague"]):
        with pytest.raises(NotFound):
            decide(people, outsider, request_id)
    assert state(people, request_id) == (ChangeRequestStatus.PENDING, ReviewTier.UNIT_ADMIN, 0)
    with people.database.unit_of_work() as db:
        other = person(db, EXTRA["other_admin"])
        assert changes.requests_to_decide(db, other) == []
        assert [r.id for r in changes.requests_to_decide(db, person(db, UNIT_ADMIN))] == [
            request_id
        ]


def test_a_requester_never_decides_their_own_request(people: Hub) -> None:
    """The hospital's only unit admin asks: their step is passed on, recorded, and the
    authority decides; a one-step chain with nobody else goes to the authority too."""
    duty = file(people, UNIT_ADMIN)
    assert state(people, duty) == (ChangeRequestStatus.PENDING, ReviewTier.AUTHORITY, 1)
    assert outcomes(people, duty) == [(0, "unit_admin", "skipped", None)]
    with pytest.raises(NotFound):
        decide(people, UNIT_ADMIN, duty)
    profile = file(people, UNIT_ADMIN, kind="profile")
    assert state(people, profile) == (ChangeRequestStatus.PENDING, ReviewTier.AUTHORITY, 1)
    with people.database.unit_of_work() as db:
        request = db.get(ChangeRequest, profile)
        assert request is not None and request.chain == ["unit_admin", "authority"]
    decide(people, AUTHORITY, profile)
    assert state(people, profile)[0] is ChangeRequestStatus.APPROVED


def test_a_changed_policy_changes_the_chain(people: Hub, tmp_path: Path) -> None:
    """A duty change through the 衛生局 too: the bureau admin decides the county's units'
    requests at that step; a unit no bureau oversees goes on past it."""
    policy = DEFAULT_POLICY.read_text(encoding="utf-8").replace(
        "duty: [unit_admin, authority]", "duty: [unit_admin, health_bureau, authority]"
    )
    path = tmp_path / "change_requests.yaml"
    path.write_text(policy, encoding="utf-8")
    chains = load_change_chains(path)
    request_id = file(people, chains=chains)
    decide(people, UNIT_ADMIN, request_id)
    assert state(people, request_id) == (ChangeRequestStatus.PENDING, ReviewTier.HEALTH_BUREAU, 1)
    with pytest.raises(NotFound):
        decide(people, AUTHORITY, request_id)
    decide(people, BUREAU, request_id)
    assert state(people, request_id)[1:] == (ReviewTier.AUTHORITY, 2)
    decide(people, AUTHORITY, request_id)
    assert [o[1:3] for o in outcomes(people, request_id)] == [
        ("unit_admin", "allowed"),
        ("health_bureau", "allowed"),
        ("authority", "allowed"),
    ]

    elsewhere = file(people, EXTRA["other_member"], chains=chains)
    with pytest.raises(NotFound):  # another county's (here: no county's) request
        decide(people, BUREAU, elsewhere)
    decide(people, EXTRA["other_admin"], elsewhere)
    assert state(people, elsewhere)[1:] == (ReviewTier.AUTHORITY, 2)
    assert outcomes(people, elsewhere)[1][1:3] == ("health_bureau", "skipped")


def count(hub: Hub) -> tuple[int, int]:
    with hub.database.unit_of_work() as db:
        return (
            db.scalar(select(func.count()).select_from(ChangeRequest)) or 0,
            db.scalar(select(func.count()).select_from(ChangeRequestAttachment)) or 0,
        )


def test_a_refused_attachment_or_field_keeps_the_whole_request_out(people: Hub) -> None:
    good = attachments.Upload("切結書.pdf", make_pdf())
    cases = [
        ((good, attachments.Upload("執照.pdf", b"MZ\x90\x00 not a scan")), "attachments"),
        ((good, attachments.Upload("執照.png", make_pdf())), "attachments"),
        ((good,) * (attachments.MAX_ATTACHMENTS + 1), "attachments"),
    ]
    for files, field in cases:
        with pytest.raises(FormErrors) as refused:
            file(people, attachments=files)
        assert set(refused.value.errors) == {field}
    with pytest.raises(FormErrors) as refused:
        file(people, kind="everything", phone="12", content=" ", attachments=(good,))
    assert set(refused.value.errors) == {"kind", "phone", "content"}
    assert count(people) == (0, 0)

    licence = attachments.Upload("C:\\scans\\執照.png", make_image("PNG"))
    request_id = file(people, phone="0912345678", attachments=(good, licence))
    assert count(people) == (1, 2)
    with people.database.unit_of_work() as db:
        request = db.get(ChangeRequest, request_id)
        assert request is not None and request.phone == "0912-345678"
        assert [a.filename for a in request.attachments] == ["切結書.pdf", "執照.png"]


def test_the_scans_reach_the_requester_and_the_reviewers_alone(people: Hub) -> None:
    request_id = file(people)
    with people.database.unit_of_work() as db:
        request = db.get(ChangeRequest, request_id)
        assert request is not None
        scan_id = request.attachments[0].id
    allowed = (MEMBER, UNIT_ADMIN)
    for username in (*allowed, AUTHORITY, BUREAU, EXTRA["other_admin"], EXTRA["colleague"]):
        with people.database.unit_of_work() as db:
            viewer = person(db, username)
            if username in allowed:
                _, scan = changes.attachment(db, viewer, request_id, scan_id)
                assert scan.data.startswith(b"%PDF-")
            else:
                with pytest.raises(NotFound):
                    changes.attachment(db, viewer, request_id, scan_id)
    decide(people, UNIT_ADMIN, request_id)
    for username in (UNIT_ADMIN, AUTHORITY):  # decided it; deciding it now
        with people.database.unit_of_work() as db:
            changes.attachment(db, person(db, username), request_id, scan_id)
    with people.database.unit_of_work() as db, pytest.raises(NotFound):
        changes.attachment(db, person(db, MEMBER), request_id, scan_id + 1000)


def test_a_deletion_under_the_privacy_law_erases_the_requests(people: Hub) -> None:
    request_id = file(people)
    with people.database.unit_of_work() as db:
        privacy.erase(db, people.passwords, person(db, MEMBER), utcnow())
    with people.database.unit_of_work() as db:
        request = db.get(ChangeRequest, request_id)
        assert request is not None and request.attachments == []
        assert (request.name, request.phone, request.email, request.content) == ("", "", "", "")
