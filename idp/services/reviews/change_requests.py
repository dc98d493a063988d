"""資料異動申請 (change requests): a signed-in person asks for a change of their account,
profile or duty data — or of the 身分證 or 所屬單位 they cannot change on 個人資料 — with
contact details, what to change and scans (保密切結書, 單位切結書, a licence …).

The request walks the chain its kind has in ``policies/change_requests.yaml``
(``change_chains``): each step is decided by one tier of reviewers (``permissions``:
``change_reviewers``, ``change_requests_to_decide``). Allowed at a step, it goes on to
the next and that step's reviewers are told; refused at any step, or allowed at the
last, it is closed and the requester is told. A step with nobody but the requester to
decide it is recorded as passed on; when no step of the chain has anyone, the authority
decides. Carrying out what was allowed is the reviewers' work on the admin pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import (
    Account,
    ChangeRequest,
    ChangeRequestAttachment,
    ChangeRequestDecision,
    ChangeRequestKind,
    ChangeRequestStatus,
    ChangeStepOutcome,
    ReviewTier,
    utcnow,
)
from .. import audit
from ..accounts.contact import REQUIRED, clean_email, clean_mobile, clean_phone, email_problem
from ..accounts.person import Problems, clean_name, name_problem
from ..attachments import Checked, Upload, check_attachments
from ..errors import DomainError, NotFound, text
from ..messaging import inbox
from ..permissions import (
    change_request_scope,
    change_requests_decided_by,
    change_requests_to_decide,
    change_reviewers,
)
from .change_chains import ChangeChains
from .decisions import check_reason

CONTENT_LENGTH = 2000
PHONE_HINT = "請填市話（如 02-12345678#123）或手機（如 0912-345678）"


@dataclass(frozen=True)
class ChangeForm:
    """申請資料異動 as typed: 申請異動類別, 聯絡人, 連絡電話, 電子郵件, 申請異動內容, 附件."""

    kind: str
    name: str
    phone: str
    email: str
    content: str
    attachments: Sequence[Upload] = ()


def reference(request: ChangeRequest) -> str:
    """單號: the number quoted to the requester and the reviewers."""
    return f"C{request.submitted_at:%Y%m%d}{request.id:06d}"


def _contact_phone(value: str) -> str | None:
    """A landline or a mobile number, in its stored spelling."""
    return clean_phone(value) or clean_mobile(value)


def _check(form: ChangeForm) -> tuple[ChangeRequestKind, dict[str, str], list[Checked]]:
    """Every field checked; FormErrors names each refused one and nothing is kept."""
    problems = Problems()
    kinds = {kind.value: kind for kind in ChangeRequestKind}
    if form.kind not in kinds:
        problems.add("kind", text("請選擇申請異動類別"))
    problems.check("name", name_problem(form.name))
    if not form.phone.strip():
        problems.check("phone", REQUIRED)
    elif _contact_phone(form.phone) is None:
        problems.check("phone", PHONE_HINT)
    problems.check("email", email_problem(form.email, required=True))
    content = form.content.strip()
    if not content:
        problems.add("content", text("請填寫申請異動內容"))
    elif len(content) > CONTENT_LENGTH:
        problems.add("content", text("申請異動內容不可超過 {limit} 字", limit=CONTENT_LENGTH))
    accepted, refused = check_attachments(form.attachments)
    problems.add("attachments", *refused)
    problems.raise_any()
    values = {
        "name": clean_name(form.name),
        "phone": _contact_phone(form.phone) or "",
        "email": clean_email(form.email) or "",
        "content": content,
    }
    return kinds[form.kind], values, accepted


def file_request(
    db: Session, chains: ChangeChains, account: Account, form: ChangeForm, ip: str = ""
) -> ChangeRequest:
    """The request, at the first step of its kind's chain whose reviewers are told; or
    FormErrors with every refused field (an attachment refused refuses the request)."""
    if account.unit is None:
        raise DomainError("您的帳號沒有所屬單位，無法申請資料異動")
    kind, values, accepted = _check(form)
    request = ChangeRequest(
        kind=kind,
        account_id=account.id,
        unit=account.unit,
        chain=[tier.value for tier in chains.of(kind)],
        **values,
    )
    db.add(request)
    for checked in accepted:
        request.attachments.append(checked.fill(ChangeRequestAttachment()))
    db.flush()
    audit.record(
        db,
        "change_request.submit",
        actor=account.username,
        actor_account_id=account.id,
        target=account.username,
        ip=ip,
        kind=kind.value,
        reference=reference(request),
        attachments=[checked.scan.sha256 for checked in accepted],
    )
    _arrive(db, request, 0)
    return request


def _arrive(db: Session, request: ChangeRequest, step: int) -> None:
    """Put the request at ``step``, or the first step after it with a reviewer other than
    the requester (each passed-on step recorded); none: the authority decides."""
    while step < len(request.chain):
        tier = ReviewTier(request.chain[step])
        reviewers = change_reviewers(db, request, tier)
        if reviewers:
            break
        request.decisions.append(
            ChangeRequestDecision(step=step, tier=tier, outcome=ChangeStepOutcome.SKIPPED)
        )
        step += 1
    else:
        tier = ReviewTier.AUTHORITY
        request.chain = [*request.chain, tier.value]
        reviewers = change_reviewers(db, request, tier)
    request.step, request.tier = step, tier
    for reviewer in reviewers:
        inbox.post(
            db, reviewer, "有一件資料異動申請待審核（{reference}）", reference=reference(request)
        )


def decide(
    db: Session,
    reviewer: Account,
    request_id: int,
    *,
    allow: bool,
    reason: str,
    step: int | None = None,
    ip: str = "",
) -> ChangeRequest:
    """One step's decision, with a reason (required to refuse). ``step`` is the step the
    reviewer saw: a request moved on since is refused rather than decided blind. A
    request outside what the reviewer may decide now is not found."""
    request = db.scalar(
        change_requests_to_decide(reviewer)
        .where(ChangeRequest.id == request_id)
        .with_for_update(of=ChangeRequest)
    )
    if request is None or request.tier is None:
        raise NotFound("查無此申請，或您沒有審核權限")
    if step is not None and step != request.step:
        raise DomainError("此申請已移至其他關卡，請重新整理頁面")
    reason = check_reason(reason, required=not allow, missing="不允許時請填寫審核理由")
    decided_step, tier = request.step, request.tier
    request.decisions.append(
        ChangeRequestDecision(
            step=decided_step,
            tier=tier,
            outcome=ChangeStepOutcome.ALLOWED if allow else ChangeStepOutcome.REFUSED,
            reviewer_id=reviewer.id,
            reason=reason,
        )
    )
    last = decided_step + 1 >= len(request.chain)
    if not allow or last:
        request.status = ChangeRequestStatus.APPROVED if allow else ChangeRequestStatus.REFUSED
        request.tier = None
        request.closed_at = utcnow()
    else:
        _arrive(db, request, decided_step + 1)
    audit.record(
        db,
        "change_request.decide",
        actor=reviewer.username,
        actor_account_id=reviewer.id,
        target=request.account.username,
        ip=ip,
        reference=reference(request),
        step=decided_step + 1,
        tier=tier.value,
        allowed=allow,
        closed=request.status is not ChangeRequestStatus.PENDING,
    )
    _tell_requester(db, request, allow)
    return request


def _tell_requester(db: Session, request: ChangeRequest, allow: bool) -> None:
    """Closed: an inbox message and a mail; moved on: an inbox message."""
    account, number = request.account, reference(request)
    if request.status is ChangeRequestStatus.PENDING:
        inbox.post(
            db,
            account,
            "您的資料異動申請（{reference}）已通過一關，移至第 {step} 關",
            reference=number,
            step=request.step + 1,
        )
        return
    reason = request.decisions[-1].reason
    inbox.notify(
        db,
        account,
        "change_request_decided",
        "您的資料異動申請（{reference}）結案：允許"
        if allow
        else "您的資料異動申請（{reference}）結案：不允許",
        "審核理由：{reason}" if reason else "",
        reference=number,
        reason=reason,
        allowed="yes" if allow else "",
    )


def requests_of(db: Session, account: Account) -> list[ChangeRequest]:
    """資料異動紀錄: the person's requests, newest first."""
    return list(
        db.scalars(
            select(ChangeRequest)
            .where(ChangeRequest.account_id == account.id)
            .order_by(ChangeRequest.submitted_at.desc(), ChangeRequest.id.desc())
            .limit(200)
        )
    )


def requests_to_decide(db: Session, viewer: Account) -> list[ChangeRequest]:
    """資料異動審核: the requests at a step ``viewer`` may decide, oldest first."""
    return list(
        db.scalars(
            change_requests_to_decide(viewer)
            .order_by(ChangeRequest.submitted_at, ChangeRequest.id)
            .limit(500)
        )
    )


def decided_by(db: Session, viewer: Account, limit: int = 50) -> list[ChangeRequest]:
    """Requests ``viewer`` decided a step of, newest first."""
    return list(
        db.scalars(
            change_requests_decided_by(viewer)
            .order_by(ChangeRequest.submitted_at.desc(), ChangeRequest.id.desc())
            .limit(limit)
        )
    )


def attachment(
    db: Session, viewer: Account, request_id: int, attachment_id: int
) -> tuple[ChangeRequest, ChangeRequestAttachment]:
    """A scan, for the requester and whoever may decide or has decided the request."""
    request = db.scalar(change_request_scope(viewer).where(ChangeRequest.id == request_id))
    found = (
        next((a for a in request.attachments if a.id == attachment_id), None) if request else None
    )
    if request is None or found is None:
        raise NotFound("查無此附件")
    return request, found
