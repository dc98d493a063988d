"""The admin dashboard (管理首頁): how many accounts, what waits for a decision, and
sign-ins per hour over the last day — all within what the viewer may see."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ...models import (
    Account,
    AccountRole,
    AccountStatus,
    Application,
    ApplicationStatus,
    HubSession,
    RoleChange,
    SubsystemRequest,
    utcnow,
)
from ...models.base import TAIPEI
from ..permissions import (
    account_scope,
    application_scope,
    change_requests_to_decide,
    request_scope,
    role_change_scope,
    role_changes_to_decide,
)

HOURS = 24


@dataclass(frozen=True)
class HourCount:
    #: The hour's start, Taipei time.
    hour: datetime
    signins: int


@dataclass(frozen=True)
class Dashboard:
    accounts: int
    admins: int
    members: int
    dormant: int
    pending_applications: int
    pending_requests: int
    open_role_changes: int
    signins_per_hour: list[HourCount]

    @property
    def busiest_hour(self) -> int:
        return max((h.signins for h in self.signins_per_hour), default=0)


@dataclass(frozen=True)
class PendingWork:
    """管理者訊息: what waits for this admin, each linking to its page."""

    applications: int
    requests: int
    dormant: int
    role_changes: int
    #: 資料異動申請 at a step this admin may decide.
    change_requests: int = 0

    @property
    def any(self) -> bool:
        return bool(
            self.applications
            or self.requests
            or self.dormant
            or self.role_changes
            or self.change_requests
        )


def pending_work(db: Session, viewer: Account) -> PendingWork:
    accounts = account_scope(viewer).where(Account.status == AccountStatus.DORMANT)
    return PendingWork(
        applications=_count(
            db, application_scope(viewer).where(Application.status == ApplicationStatus.PENDING)
        ),
        requests=_count(
            db,
            request_scope(viewer).where(SubsystemRequest.status == ApplicationStatus.PENDING),
        ),
        dormant=_count(db, accounts),
        role_changes=_count(
            db, role_changes_to_decide(viewer).where(RoleChange.status == ApplicationStatus.PENDING)
        ),
        change_requests=_count(db, change_requests_to_decide(viewer)),
    )


def _count(db: Session, query: Select[Any]) -> int:
    return db.scalar(select(func.count()).select_from(query.subquery())) or 0


def _account_counts(
    db: Session, accounts: Select[Any]
) -> dict[tuple[AccountRole, AccountStatus], int]:
    """How many accounts of each role and status: one grouped count, not one per figure."""
    grouped = accounts.with_only_columns(Account.role, Account.status, func.count()).group_by(
        Account.role, Account.status
    )
    return {(role, status): n for role, status, n in db.execute(grouped)}


def dashboard(db: Session, viewer: Account, now: datetime | None = None) -> Dashboard:
    now = now or utcnow()
    accounts = account_scope(viewer).where(Account.status != AccountStatus.RETURNED)
    current_hour = now.astimezone(TAIPEI).replace(minute=0, second=0, microsecond=0)
    first_hour = current_hour - timedelta(hours=HOURS - 1)
    scope = account_scope(viewer)
    started_since = select(HubSession.created_at).where(HubSession.created_at >= first_hour)
    if scope.whereclause is not None:  # not every account: only those in scope
        visible_ids = scope.with_only_columns(Account.id).scalar_subquery()
        started_since = started_since.where(HubSession.account_id.in_(visible_ids))
    started = db.scalars(started_since)
    per_hour = Counter(
        t.astimezone(TAIPEI).replace(minute=0, second=0, microsecond=0) for t in started
    )
    counts = _account_counts(db, accounts)
    return Dashboard(
        accounts=sum(counts.values()),
        admins=sum(n for (role, _status), n in counts.items() if role == AccountRole.UNIT_ADMIN),
        members=sum(n for (role, _status), n in counts.items() if role == AccountRole.MEMBER),
        dormant=sum(n for (_role, status), n in counts.items() if status == AccountStatus.DORMANT),
        pending_applications=_count(
            db, application_scope(viewer).where(Application.status == ApplicationStatus.PENDING)
        ),
        pending_requests=_count(
            db,
            request_scope(viewer).where(SubsystemRequest.status == ApplicationStatus.PENDING),
        ),
        open_role_changes=_count(
            db, role_change_scope(viewer).where(RoleChange.status == ApplicationStatus.PENDING)
        ),
        signins_per_hour=[
            HourCount(hour, per_hour[hour])
            for hour in (first_hour + timedelta(hours=i) for i in range(HOURS))
        ],
    )
