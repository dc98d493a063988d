"""The admin lists, each scoped to what the viewer may see (``services.permissions``) and
filtered as the seeds' search forms filter: 人員帳號管理, 帳號申請核定, 業務子系統帳號申請審核,
帳號/權限異動 (系統權限申請) and the audit log (the sign-in logs are ``signin_logs``).

Each is a ``paging.Listing``: the page shows its rows, the export every row of the same
query. Filters that match text use ``startswith`` on codes and names people type the
start of, so an index can serve them; 身分證 is matched exactly by its keyed hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, or_, select
from sqlalchemy.orm import aliased, contains_eager

from ...models import (
    Account,
    AccountRole,
    AccountStatus,
    Application,
    ApplicationStatus,
    AuditEvent,
    Binding,
    RoleChange,
    RoleChangeKind,
    SubsystemAccount,
    SubsystemRequest,
    Unit,
)
from ..accounts.directory import normalize_username
from ..audit_log import details
from ..errors import InvalidInput
from ..permissions import (
    account_scope,
    application_scope,
    audit_scope,
    is_authority,
    request_scope,
    role_change_scope,
)
from ..subsystems.catalogues import Catalogues
from .filters import between, named, subsystem_name
from .paging import Column, Listing

Reviewer = aliased(Account, name="reviewer")
Requester = aliased(Account, name="requester")


# 人員帳號管理 -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountFilter:
    unit_code: str = ""
    unit_name: str = ""
    username: str = ""
    name: str = ""
    email: str = ""
    #: The keyed hash of the 身分證 searched for (exact); "" does not filter.
    national_id_hash: str = ""
    role: AccountRole | None = None
    #: Holds a subsystem account of this subsystem.
    subsystem: str = ""
    status: AccountStatus | None = None


def accounts(viewer: Account, filters: AccountFilter) -> Listing[Account]:
    """人員帳號管理; a search inside names needs ``MIN_CONTAINS`` characters or a unit code
    when the viewer sees every unit."""
    _check_contains(filters, viewer)
    query = account_scope(viewer).outerjoin(Unit, Account.unit_id == Unit.id)
    if filters.unit_code:
        query = query.where(Unit.code.startswith(filters.unit_code.strip().upper()))
    if filters.unit_name:
        query = query.where(Unit.name.contains(filters.unit_name.strip()))
    if filters.username:
        query = query.where(Account.username.startswith(normalize_username(filters.username)))
    if filters.name:
        query = query.where(Account.name.contains(filters.name.strip()))
    if filters.email:
        query = query.where(Account.email.startswith(filters.email.strip().lower()))
    if filters.national_id_hash:
        query = query.where(Account.national_id_hash == filters.national_id_hash)
    if filters.role is not None:
        query = query.where(Account.role == filters.role)
    if filters.status is not None:
        query = query.where(Account.status == filters.status)
    if filters.subsystem:
        query = query.where(
            exists().where(
                Binding.account_id == Account.id,
                Binding.subsystem_account_id == SubsystemAccount.id,
                SubsystemAccount.subsystem == filters.subsystem,
            )
        )
    columns = (
        Column("unit_code", "單位代碼", Unit.code),
        Column("unit_name", "單位名稱", Unit.name),
        Column("role", "使用者角色", Account.role, shown=named),
        Column("username", "使用者帳號", Account.username),
        Column("name", "使用者姓名", Account.name),
        Column("email", "電子郵件", Account.email),
        Column("status", "帳號狀態", Account.status, shown=named),
        Column("last_signin", "最後登入", Account.last_signin_at),
    )
    return Listing(
        "accounts",
        "人員帳號管理",
        query,
        columns,
        "username",
        Account.id,
        eager=(contains_eager(Account.unit),),
    )


#: Searches for text inside names (``LIKE '%…%'``, a trigram index on PostgreSQL) need this
#: many characters, unless a unit code narrows them: fewer match too much to be useful.
MIN_CONTAINS = 3


def too_short(value: str) -> bool:
    """A search inside names too short to run without a unit."""
    return 0 < len(value.strip()) < MIN_CONTAINS


def _check_contains(filters: AccountFilter, viewer: Account) -> None:
    if is_authority(viewer) and not filters.unit_code.strip():
        for field, value in (("name", filters.name), ("unit_name", filters.unit_name)):
            if too_short(value):
                raise InvalidInput(
                    field, "請至少輸入 {count} 個字，或同時輸入單位代碼。", count=MIN_CONTAINS
                )


def account_search(query: str) -> Listing[Account]:
    """帳號鎖定與登入狀態: accounts whose username or name contains ``query`` (at least
    ``MIN_CONTAINS`` characters), for the security admin."""
    needle = query.strip()
    columns = (
        Column("username", "帳號", Account.username),
        Column("name", "姓名", Account.name),
        Column("status", "狀態", Account.status, shown=named),
    )
    matches = select(Account).where(
        or_(Account.username.contains(needle.lower()), Account.name.contains(needle))
    )
    return Listing("account-search", "帳號鎖定與登入狀態", matches, columns, "username", Account.id)


# Reviews --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewFilter:
    """The review pages' filters; empty fields do not filter."""

    submitted_from: date | None = None
    submitted_to: date | None = None
    #: 審核日期.
    decided_from: date | None = None
    decided_to: date | None = None
    unit_code: str = ""
    username: str = ""
    name: str = ""
    national_id_hash: str = ""
    role: AccountRole | None = None
    status: ApplicationStatus | None = ApplicationStatus.PENDING


def _reviewed(query: Select[Any], model: Any, filters: ReviewFilter) -> Select[Any]:
    query = between(query, model.submitted_at, filters.submitted_from, filters.submitted_to)
    query = between(query, model.decided_at, filters.decided_from, filters.decided_to)
    query = query.join(Unit, model.unit_id == Unit.id).outerjoin(
        Reviewer, model.decided_by_id == Reviewer.id
    )
    if filters.unit_code:
        query = query.where(Unit.code.startswith(filters.unit_code.strip().upper()))
    if filters.username:
        query = query.where(Account.username.startswith(normalize_username(filters.username)))
    if filters.name:
        query = query.where(Account.name.contains(filters.name.strip()))
    if filters.national_id_hash:
        query = query.where(Account.national_id_hash == filters.national_id_hash)
    if filters.role is not None:
        query = query.where(model.role == filters.role)
    if filters.status is not None:
        query = query.where(model.status == filters.status)
    return query


def _reviewed_eager(model: Any) -> tuple[Any, ...]:
    return (
        contains_eager(model.account),
        contains_eager(model.unit),
        contains_eager(model.decided_by.of_type(Reviewer)),
    )


def _decision_columns(model: Any) -> tuple[Column, ...]:
    return (
        Column("status", "申請狀態", model.status, shown=named),
        Column("reviewer", "審核人員", Reviewer.name),
        Column("decided_at", "審核時間", model.decided_at),
        Column("reason", "審核說明", model.reason, sortable=False),
    )


def applications(viewer: Account, filters: ReviewFilter) -> Listing[Application]:
    query = _reviewed(application_scope(viewer), Application, filters)
    columns = (
        Column("submitted_at", "申請日期", Application.submitted_at),
        Column("name", "申請人名稱", Account.name),
        Column("username", "申請人帳號", Account.username),
        Column("unit_code", "單位代碼", Unit.code),
        Column("unit_name", "申請人單位", Unit.name),
        Column("role", "帳號角色別", Application.role, shown=named),
        *_decision_columns(Application),
    )
    return Listing(
        "applications",
        "帳號申請核定",
        query,
        columns,
        "-submitted_at",
        Application.id,
        eager=_reviewed_eager(Application),
    )


def subsystem_requests(
    viewer: Account, filters: ReviewFilter, catalogues: Catalogues
) -> Listing[SubsystemRequest]:
    query = _reviewed(request_scope(viewer), SubsystemRequest, filters)
    columns = (
        Column("submitted_at", "申請日期", SubsystemRequest.submitted_at),
        Column("name", "使用者姓名", Account.name),
        Column("username", "申請人帳號", Account.username),
        Column("unit_code", "單位代碼", Unit.code),
        Column("unit_name", "單位名稱", Unit.name),
        Column(
            "subsystem", "業務子系統", SubsystemRequest.subsystem, shown=subsystem_name(catalogues)
        ),
        Column("role", "子系統角色別", SubsystemRequest.role, shown=named),
        *_decision_columns(SubsystemRequest),
    )
    return Listing(
        "subsystem-requests",
        "業務子系統帳號申請審核",
        query,
        columns,
        "-submitted_at",
        SubsystemRequest.id,
        eager=_reviewed_eager(SubsystemRequest),
    )


# 帳號/權限異動, 系統權限申請 ---------------------------------------------------------------


@dataclass(frozen=True)
class RoleChangeFilter:
    status: ApplicationStatus | None = None
    kind: RoleChangeKind | None = None
    #: 單號: the request's number.
    number: int | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None


def role_changes(viewer: Account, filters: RoleChangeFilter) -> Listing[RoleChange]:
    query = (
        role_change_scope(viewer)
        .join(Account, RoleChange.account_id == Account.id)
        .join(Unit, RoleChange.unit_id == Unit.id)
        .join(Requester, RoleChange.requested_by_id == Requester.id)
        .outerjoin(Reviewer, RoleChange.decided_by_id == Reviewer.id)
    )
    query = between(query, RoleChange.submitted_at, filters.submitted_from, filters.submitted_to)
    if filters.status is not None:
        query = query.where(RoleChange.status == filters.status)
    if filters.kind is not None:
        query = query.where(RoleChange.kind == filters.kind)
    if filters.number is not None:
        query = query.where(RoleChange.id == filters.number)
    columns = (
        Column("number", "單號", RoleChange.id),
        Column("submitted_at", "送單日期", RoleChange.submitted_at),
        Column("kind", "申請類別", RoleChange.kind, shown=named),
        Column("unit_name", "申請單位", Unit.name),
        Column("requester", "申請人員", Requester.name),
        Column("username", "異動帳號", Account.username),
        Column("status", "申請進度", RoleChange.status, shown=named),
        Column("reviewer", "審核人員", Reviewer.name),
        Column("decided_at", "審核日期", RoleChange.decided_at),
        Column("reason", "處理說明", RoleChange.decision_reason, sortable=False),
    )
    return Listing(
        "role-changes",
        "系統權限申請",
        query,
        columns,
        "-number",
        RoleChange.id,
        eager=(
            contains_eager(RoleChange.account),
            contains_eager(RoleChange.unit),
            contains_eager(RoleChange.requested_by.of_type(Requester)),
            contains_eager(RoleChange.decided_by.of_type(Reviewer)),
        ),
    )


# 稽核紀錄 -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    target: str = ""
    action: str = ""
    ip: str = ""
    since: date | None = None
    until: date | None = None


def audit_log(viewer: Account, filters: AuditFilter) -> Listing[AuditEvent]:
    query = audit_scope(viewer)
    query = between(query, AuditEvent.at, filters.since, filters.until)
    matches: list[ColumnElement[bool]] = []
    if filters.actor:
        matches.append(AuditEvent.actor.startswith(filters.actor.strip()))
    if filters.target:
        matches.append(AuditEvent.target.startswith(filters.target.strip()))
    if filters.action:
        matches.append(AuditEvent.action.startswith(filters.action.strip()))
    if filters.ip:
        matches.append(AuditEvent.ip.startswith(filters.ip.strip()))
    query = query.where(*matches) if matches else query
    columns = (
        Column("seq", "序號", AuditEvent.seq),
        Column("at", "時間", AuditEvent.at),
        Column("action", "事件", AuditEvent.action),
        Column("actor", "執行者", AuditEvent.actor),
        Column("target", "對象", AuditEvent.target),
        Column("ip", "來源位址", AuditEvent.ip),
        Column(
            "details",
            "內容",
            AuditEvent.details,
            sortable=False,
            shown=details.as_text,
        ),
    )
    return Listing("audit", "稽核紀錄", query, columns, "-at", AuditEvent.id)
