"""Reviewing applications (帳號申請核定) and subsystem requests (業務子系統帳號申請審核).

Scope is decided here and only here: a unit admin sees and decides the member
applications of their own unit, and the member requests of a subsystem in units where
they hold an admin account of that subsystem; the authority (國健署) sees and decides
everything, including unit-admin applications and subsystem admin rights. A batch is
all or nothing: one id outside the reviewer's scope refuses the whole batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from ...models import (
    Account,
    AccountRole,
    AccountStatus,
    Application,
    ApplicationStatus,
    ReviewRoute,
    SubsystemAccount,
    SubsystemRequest,
    utcnow,
)
from .. import audit
from ..errors import DomainError, InvalidInput
from ..messaging import inbox
from ..permissions import application_scope, in_scope, request_scope, reviewers_of_request
from ..subsystems.bindings import bind_new_subsystem_account
from ..subsystems.catalogues import Catalogues
from ..subsystems.quotas import SubsystemChoice, quota_problems

REASON_LENGTH = 500

T = TypeVar("T")


def applications_in_scope(db: Session, reviewer: Account, ids: Sequence[int]) -> list[Application]:
    """The applications with these ids; NotFound if any is not the reviewer's to see."""
    return in_scope(db, application_scope(reviewer), Application, ids)


def requests_in_scope(db: Session, reviewer: Account, ids: Sequence[int]) -> list[SubsystemRequest]:
    return in_scope(db, request_scope(reviewer), SubsystemRequest, ids)


class NotDecidable(DomainError):
    pass


def check_reason(reason: str, *, required: bool, missing: str = "請填寫原因") -> str:
    """A decision's reason (審核說明, 停用原因 …): trimmed, limited, required when asked."""
    reason = reason.strip()
    if required and not reason:
        raise InvalidInput("reason", missing)
    if len(reason) > REASON_LENGTH:
        raise InvalidInput("reason", "說明不可超過 {limit} 字", limit=REASON_LENGTH)
    return reason


def decide_applications(
    db: Session,
    reviewer: Account,
    ids: Sequence[int],
    *,
    approve: bool,
    reason: str = "",
    ip: str = "",
) -> list[Application]:
    """Approve or return applications at once. Approving activates the account and passes
    its subsystem requests on to their reviewers; returning returns those too."""
    reason = check_reason(reason, required=not approve, missing="退回時請填寫原因")
    applications = applications_in_scope(db, reviewer, ids)
    for application in applications:
        if application.status is not ApplicationStatus.PENDING:
            raise NotDecidable("{username} 的申請已處理過", username=application.account.username)
        if approve and application.route is ReviewRoute.PAPER and not application.scan_sha256:
            raise NotDecidable(
                "{username} 尚未上傳簽章後的紙本申請書", username=application.account.username
            )
    now = utcnow()
    for application in applications:
        _decide_application(db, reviewer, application, approve, reason, now, ip)
    return applications


def _decide_application(
    db: Session,
    reviewer: Account,
    application: Application,
    approve: bool,
    reason: str,
    now: datetime,
    ip: str,
) -> None:
    settle_application(db, application, approve, reason, now, reviewer.id)
    audit.record(
        db,
        "application.approve" if approve else "application.return",
        actor=reviewer.username,
        actor_account_id=reviewer.id,
        target=application.account.username,
        ip=ip,
        application=application.reference,
        unit=application.unit.code,
        reason=reason,
    )


def settle_application(
    db: Session,
    application: Application,
    approve: bool,
    reason: str,
    now: datetime,
    decided_by_id: int | None,
) -> None:
    """Approve (activate the account, open its subsystem requests to their reviewers) or
    return an application, and tell the applicant. ``decided_by_id`` is None when no
    person decided (醫事機構卡驗證)."""
    account = application.account
    application.status = ApplicationStatus.APPROVED if approve else ApplicationStatus.RETURNED
    application.decided_at = now
    application.decided_by_id = decided_by_id
    application.reason = reason
    account.status = AccountStatus.ACTIVE if approve else AccountStatus.RETURNED
    account.updated_at = now
    for request in application.subsystem_requests:
        if request.status is ApplicationStatus.WAITING:
            request.status = ApplicationStatus.PENDING if approve else ApplicationStatus.RETURNED
            if not approve:
                request.decided_at = now
                request.decided_by_id = decided_by_id
                request.reason = reason
    inbox.notify(
        db,
        account,
        "application_approved" if approve else "application_returned",
        "您的帳號申請已核定" if approve else "您的帳號申請已退回",
        "原因：{reason}" if reason else "",
        reference=application.reference,
        reason=reason,
    )
    if approve:
        db.flush()
        for request in application.subsystem_requests:
            for subsystem_reviewer in reviewers_of_request(db, request):
                inbox.post(
                    db,
                    subsystem_reviewer,
                    "待審核的業務子系統帳號申請：{applicant}（{subsystem}）",
                    applicant=account.name,
                    subsystem=request.subsystem,
                )


def decide_requests(
    db: Session,
    catalogues: Catalogues,
    reviewer: Account,
    ids: Sequence[int],
    *,
    approve: bool,
    reason: str = "",
    ip: str = "",
) -> list[SubsystemRequest]:
    """Approve or return subsystem requests at once. An approved request becomes a subsystem
    account bound to the applicant; admin quotas are checked again at this moment."""
    reason = check_reason(reason, required=not approve, missing="退回時請填寫原因")
    requests = requests_in_scope(db, reviewer, ids)
    for request in requests:
        if request.status is not ApplicationStatus.PENDING:
            raise NotDecidable("{username} 的申請已處理過", username=request.account.username)
    now = utcnow()
    for request in requests:
        if approve:
            choice = SubsystemChoice(
                request.subsystem, request.role, request.duty, tuple(request.menu_roles)
            )
            problems = (
                quota_problems(db, catalogues, request.unit, choice)
                if request.role is AccountRole.UNIT_ADMIN
                else []
            )
            if problems:
                raise NotDecidable(problems[0].template, **problems[0].params)
            _open_subsystem_account(db, catalogues, request)
        request.status = ApplicationStatus.APPROVED if approve else ApplicationStatus.RETURNED
        request.decided_at = now
        request.decided_by_id = reviewer.id
        request.reason = reason
        db.flush()
        audit.record(
            db,
            "subsystem_request.approve" if approve else "subsystem_request.return",
            actor=reviewer.username,
            actor_account_id=reviewer.id,
            target=request.account.username,
            ip=ip,
            subsystem=request.subsystem,
            unit=request.unit.code,
            role=request.role.value,
            duty=request.duty,
            menu_roles=request.menu_roles,
            reason=reason,
        )
        inbox.notify(
            db,
            request.account,
            "subsystem_approved" if approve else "subsystem_returned",
            "您的業務子系統帳號申請已核定：{subsystem}"
            if approve
            else "您的業務子系統帳號申請已退回：{subsystem}",
            "原因：{reason}" if reason else "",
            subsystem=request.subsystem,
            subsystem_name=catalogues[request.subsystem].abbreviation.zh_tw,
            subsystem_en=catalogues[request.subsystem].abbreviation.en,
            reason=reason,
        )
    return requests


def _open_subsystem_account(
    db: Session, catalogues: Catalogues, request: SubsystemRequest
) -> SubsystemAccount:
    """The approved request's subsystem account, bound to the applicant at once."""
    held = bind_new_subsystem_account(
        db,
        catalogues[request.subsystem],
        request.account_id,
        SubsystemAccount(
            subsystem=request.subsystem,
            username=f"{request.account.username}@{request.unit.code}",
            unit_id=request.unit_id,
            role=request.role,
            duty=request.duty,
            menu_roles=list(request.menu_roles),
            status=AccountStatus.ACTIVE,
        ),
    )
    request.subsystem_account_id = held.id
    return held
