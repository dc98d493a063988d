"""人員登入紀錄 and 子系統登入查詢: who signed in to the hub (and whose sign-ins were refused,
and why), and into which subsystem as which subsystem account, for the accounts a manager
may see (``permissions.account_scope``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ...models import Account, AuditEvent, HubSession, SubsystemSignin
from ...models.base import TAIPEI
from ..accounts.directory import normalize_username
from ..permissions import account_scope

LIMIT = 500


@dataclass(frozen=True)
class SigninFilter:
    since: date | None = None
    until: date | None = None
    username: str = ""


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, TAIPEI)


def _narrow(
    query: Select[Any], column: Any, manager: Account, filters: SigninFilter
) -> Select[Any]:
    visible = account_scope(manager).with_only_columns(Account.id)
    if filters.username:
        visible = visible.where(Account.username.contains(normalize_username(filters.username)))
    query = query.where(column.in_(visible.scalar_subquery()))
    return query


def hub_signins(db: Session, manager: Account, filters: SigninFilter) -> list[HubSession]:
    query = _narrow(select(HubSession), HubSession.account_id, manager, filters)
    if filters.since:
        query = query.where(HubSession.created_at >= _day_start(filters.since))
    if filters.until:
        query = query.where(HubSession.created_at < _day_start(filters.until + timedelta(days=1)))
    return list(db.scalars(query.order_by(HubSession.created_at.desc()).limit(LIMIT)))


def subsystem_signins(
    db: Session, manager: Account, filters: SigninFilter
) -> list[SubsystemSignin]:
    query = _narrow(select(SubsystemSignin), SubsystemSignin.account_id, manager, filters)
    if filters.since:
        query = query.where(SubsystemSignin.signed_in_at >= _day_start(filters.since))
    if filters.until:
        query = query.where(
            SubsystemSignin.signed_in_at < _day_start(filters.until + timedelta(days=1))
        )
    return list(db.scalars(query.order_by(SubsystemSignin.signed_in_at.desc()).limit(LIMIT)))


@dataclass(frozen=True)
class FailedSignin:
    """A refused sign-in of an account the manager may see (from the audit log)."""

    at: datetime
    account: Account
    ip: str
    #: ``credentials``, ``locked``, ``captcha``, ``address_limited``, ``status:…``, ``card:…``
    reason: str


def failed_signins(db: Session, manager: Account, filters: SigninFilter) -> list[FailedSignin]:
    query: Select[Any] = _narrow(
        select(AuditEvent, Account)  # type: ignore[arg-type]
        .join(Account, AuditEvent.actor_account_id == Account.id)
        .where(AuditEvent.action == "signin.failure"),
        AuditEvent.actor_account_id,
        manager,
        filters,
    )
    if filters.since:
        query = query.where(AuditEvent.at >= _day_start(filters.since))
    if filters.until:
        query = query.where(AuditEvent.at < _day_start(filters.until + timedelta(days=1)))
    rows = db.execute(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(LIMIT))
    return [
        FailedSignin(event.at, account, event.ip, str(event.details.get("reason", "")))
        for event, account in rows
    ]
