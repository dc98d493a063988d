"""Requests for subsystem accounts (業務子系統帳號申請): the choices checked against the
subsystems' catalogues and quotas, made with an application or later by a signed-in
person, one open request per subsystem and unit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ...models import (
    Account,
    AccountRole,
    Application,
    ApplicationStatus,
    SubsystemRequest,
    Unit,
)
from .. import audit
from ..accounts.person import Problems
from ..errors import text
from ..messaging import inbox
from ..permissions import reviewers_of_request
from ..subsystems.catalogues import Catalogues
from ..subsystems.quotas import SubsystemChoice, quota_problems
from ..units.directory import find_by_code


def check_subsystem_choices(
    db: Session,
    catalogues: Catalogues,
    unit: Unit,
    choices: Sequence[SubsystemChoice],
    problems: Problems,
) -> None:
    seen: set[str] = set()
    for choice in choices:
        name = f"subsystem_{choice.subsystem}"
        subsystem = catalogues.get(choice.subsystem)
        if subsystem is None:
            problems.add(name, text("沒有這個業務子系統"))
            continue
        if choice.subsystem in seen:
            problems.add(name, text("同一業務子系統只能申請一個帳號"))
        seen.add(choice.subsystem)
        problems.add(
            name,
            *subsystem.validate_request(
                choice.duty, choice.menu_roles, unit.kind, role=choice.role
            ),
        )
        if choice.role is AccountRole.UNIT_ADMIN and name not in problems.errors:
            problems.add(name, *quota_problems(db, catalogues, unit, choice))


def add_requests(
    db: Session,
    account: Account,
    unit: Unit,
    choices: Iterable[SubsystemChoice],
    status: ApplicationStatus,
    application: Application | None = None,
) -> list[SubsystemRequest]:
    requests = [
        SubsystemRequest(
            application_id=application.id if application else None,
            account_id=account.id,
            subsystem=choice.subsystem,
            unit_id=unit.id,
            role=choice.role,
            duty=choice.duty,
            menu_roles=list(choice.menu_roles),
            status=status,
        )
        for choice in choices
    ]
    db.add_all(requests)
    db.flush()
    return requests


def request_subsystems(
    db: Session,
    catalogues: Catalogues,
    account: Account,
    unit_code: str,
    choices: Sequence[SubsystemChoice],
    ip: str = "",
) -> list[SubsystemRequest]:
    """業務子系統帳號申請 from a signed-in account: only the subsystem part."""
    problems = Problems()
    unit = find_by_code(db, unit_code) if unit_code.strip() else None
    if unit is None:
        problems.add(
            "unit_code", text("請選擇單位") if not unit_code.strip() else text("查無此單位代碼")
        )
    if not choices:
        problems.add("subsystems", text("請至少選擇一個業務子系統"))
    if unit is not None:
        check_subsystem_choices(db, catalogues, unit, choices, problems)
        for choice in choices:
            if _open_request(db, account, unit, choice.subsystem):
                problems.add(
                    f"subsystem_{choice.subsystem}", text("此業務子系統已有一件審核中的申請")
                )
    problems.raise_any()
    assert unit is not None
    requests = add_requests(db, account, unit, choices, ApplicationStatus.PENDING)
    audit.record(
        db,
        "subsystem_request.submit",
        actor=account.username,
        actor_account_id=account.id,
        target=account.username,
        ip=ip,
        unit=unit.code,
        subsystems=[c.subsystem for c in choices],
    )
    for request in requests:
        for reviewer in reviewers_of_request(db, request):
            inbox.post(
                db,
                reviewer,
                "待審核的業務子系統帳號申請：{applicant}（{subsystem}）",
                applicant=account.name,
                subsystem=request.subsystem,
            )
    return requests


def requests_of(db: Session, account: Account) -> list[SubsystemRequest]:
    return list(
        db.scalars(
            select(SubsystemRequest)
            .where(SubsystemRequest.account_id == account.id)
            .order_by(SubsystemRequest.submitted_at.desc(), SubsystemRequest.id.desc())
        )
    )


def _open_request(db: Session, account: Account, unit: Unit, subsystem: str) -> bool:
    return bool(
        db.scalar(
            select(
                exists().where(
                    SubsystemRequest.account_id == account.id,
                    SubsystemRequest.unit_id == unit.id,
                    SubsystemRequest.subsystem == subsystem,
                    SubsystemRequest.status.in_(
                        (ApplicationStatus.WAITING, ApplicationStatus.PENDING)
                    ),
                )
            )
        )
    )
