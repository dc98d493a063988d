"""The sign-in logs (登入紀錄): hub sign-ins (人員登入紀錄), failed sign-ins and
subsystem sign-ins (子系統登入查詢), each scoped to the accounts the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import contains_eager

from ...models import (
    Account,
    AuditEvent,
    HubSession,
    SubsystemAccount,
    SubsystemSignin,
    Unit,
)
from .. import names
from ..accounts.directory import normalize_username
from ..permissions import account_scope
from ..subsystems.catalogues import Catalogues
from .filters import between, subsystem_name
from .paging import Column, Listing


@dataclass(frozen=True)
class SigninFilter:
    since: date | None = None
    until: date | None = None
    username: str = ""
    unit_code: str = ""


def _visible(column: Any, viewer: Account, filters: SigninFilter) -> ColumnElement[bool]:
    """``column`` (an account id) names an account the viewer may see and the filters
    match; when that is every account (the authority, unfiltered), no list of them."""
    visible = account_scope(viewer).with_only_columns(Account.id)
    if filters.username:
        visible = visible.where(Account.username.startswith(normalize_username(filters.username)))
    if filters.unit_code:
        visible = visible.join(Unit, Account.unit_id == Unit.id).where(
            Unit.code.startswith(filters.unit_code.strip().upper())
        )
    if visible.whereclause is None:
        return column.is_not(None)
    return column.in_(visible.scalar_subquery())


def hub_signins(viewer: Account, filters: SigninFilter) -> Listing[HubSession]:
    query = (
        select(HubSession)
        .join(Account, HubSession.account_id == Account.id)
        .outerjoin(Unit, Account.unit_id == Unit.id)
        .where(_visible(HubSession.account_id, viewer, filters))
    )
    query = between(query, HubSession.created_at, filters.since, filters.until)
    columns = (
        Column("at", "登入時間", HubSession.created_at),
        Column("username", "帳號", Account.username),
        Column("name", "姓名", Account.name),
        Column("unit_code", "單位代碼", Unit.code),
        Column("ip", "來源位址", HubSession.ip),
        Column(
            "amr",
            "驗證方式",
            HubSession.amr,
            sortable=False,
            shown=lambda v: "、".join(names.auth_methods(v)),
        ),
    )
    return Listing(
        "signins",
        "人員登入紀錄",
        query,
        columns,
        "-at",
        HubSession.sid,
        eager=(contains_eager(HubSession.account).contains_eager(Account.unit),),
    )


def failed_signins(viewer: Account, filters: SigninFilter) -> Listing[AuditEvent]:
    """登入失敗紀錄: refused sign-ins (``signin.failure`` in the audit log) of the accounts
    the viewer may see, and why."""
    query = select(AuditEvent).where(
        AuditEvent.action == "signin.failure",
        _visible(AuditEvent.actor_account_id, viewer, filters),
    )
    query = between(query, AuditEvent.at, filters.since, filters.until)
    columns = (
        Column("at", "時間", AuditEvent.at),
        Column("username", "帳號", AuditEvent.actor),
        Column("ip", "來源位址", AuditEvent.ip),
        Column(
            "reason",
            "失敗原因",
            AuditEvent.details,
            sortable=False,
            shown=lambda v: names.signin_failure(str(v.get("reason", ""))),
        ),
    )
    return Listing("failed-signins", "登入失敗紀錄", query, columns, "-at", AuditEvent.id)


def subsystem_signins(
    viewer: Account, filters: SigninFilter, catalogues: Catalogues
) -> Listing[SubsystemSignin]:
    query = (
        select(SubsystemSignin)
        .join(Account, SubsystemSignin.account_id == Account.id)
        .join(SubsystemAccount, SubsystemSignin.subsystem_account_id == SubsystemAccount.id)
        .where(_visible(SubsystemSignin.account_id, viewer, filters))
    )
    query = between(query, SubsystemSignin.signed_in_at, filters.since, filters.until)
    columns = (
        Column("at", "登入時間", SubsystemSignin.signed_in_at),
        Column("username", "帳號", Account.username),
        Column("name", "姓名", Account.name),
        Column(
            "subsystem", "業務子系統", SubsystemSignin.client_id, shown=subsystem_name(catalogues)
        ),
        Column("subsystem_account", "業務子系統帳號", SubsystemAccount.username),
        Column("label", "綁定名稱", SubsystemSignin.label),
        Column("ip", "來源位址", SubsystemSignin.ip),
    )
    return Listing(
        "subsystem-signins",
        "子系統登入查詢",
        query,
        columns,
        "-at",
        SubsystemSignin.id,
        eager=(
            contains_eager(SubsystemSignin.account),
            contains_eager(SubsystemSignin.subsystem_account),
        ),
    )
