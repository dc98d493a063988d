"""Role changes (帳號/權限異動 B–D) and privilege requests (系統權限申請: 管理員超額申請,
增加業務選單): a unit admin asks, the tier the routing table names (國健署, or the 衛生局
over the unit) approves or returns.

A change concerns either a hub account's own role (unit admin or member of its unit) or
one of its subsystem accounts (role, menu roles). A unit admin asks for accounts of their
own unit and follows their unit's requests; the authority sees and decides all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import (
    Account,
    AccountRole,
    AccountStatus,
    ApplicationStatus,
    Binding,
    RoleChange,
    RoleChangeAttachment,
    RoleChangeKind,
    SubsystemAccount,
    utcnow,
)
from ...translations import english
from .. import audit
from ..accounts.lifecycle import Managing, disable_now
from ..attachments import Upload, check_attachments
from ..errors import InvalidInput, NotFound, Text
from ..messaging import inbox
from ..names import name_of
from ..permissions import (
    account_scope,
    in_scope,
    role_change_deciders,
    role_change_scope,
    role_changes_to_decide,
)
from ..subsystems.catalogues import Catalogues
from ..subsystems.quotas import SubsystemChoice, quota_problems
from .decisions import NotDecidable, check_reason
from .routing import ReviewRoutes

#: What each kind needs the changed role to be now.
_ROLE_BEFORE = {
    RoleChangeKind.CANCEL_ADMIN: AccountRole.UNIT_ADMIN,
    RoleChangeKind.PROMOTE: AccountRole.MEMBER,
    RoleChangeKind.DEMOTE: AccountRole.UNIT_ADMIN,
    RoleChangeKind.OVER_QUOTA: AccountRole.MEMBER,
}
_SUBSYSTEM_ONLY = (RoleChangeKind.OVER_QUOTA, RoleChangeKind.EXTRA_MENU)


@dataclass(frozen=True)
class RoleChangeForm:
    kind: str
    account_id: int
    #: The subsystem account changed; ``None`` for the hub account's own role.
    subsystem_account_id: int | None
    reason: str
    menu_roles: tuple[str, ...] = ()
    #: 單位切結書 with its 授權使用人員一覽表, licences (seed 001).
    attachments: Sequence[Upload] = ()


def _kind(value: str) -> RoleChangeKind:
    try:
        return RoleChangeKind(value)
    except ValueError:
        raise InvalidInput("kind", "請選擇申請項目") from None


def _held_subsystem_account(db: Session, account: Account, held_id: int) -> SubsystemAccount:
    held = db.scalar(
        select(SubsystemAccount)
        .join(Binding, Binding.subsystem_account_id == SubsystemAccount.id)
        .where(SubsystemAccount.id == held_id, Binding.account_id == account.id)
    )
    if held is None or held.unit_id != account.unit_id:
        raise InvalidInput("subsystem_account_id", "請選擇此人在本單位的業務子系統帳號")
    return held


def _role_now(account: Account, held: SubsystemAccount | None) -> AccountRole:
    return held.role if held is not None else account.role


def _new_menu_roles(
    catalogues: Catalogues, held: SubsystemAccount, wanted: Sequence[str]
) -> list[str]:
    duty = catalogues[held.subsystem].duty(held.duty)
    known = {role.code for role in duty.menu_roles} if duty is not None else set()
    new = [code for code in dict.fromkeys(wanted) if code not in held.menu_roles]
    if not new:
        raise InvalidInput("menu_roles", "請選擇要增加的業務選單")
    if any(code not in known for code in new):
        raise InvalidInput("menu_roles", "此業務權責沒有這個選單角色")
    return new


def submit_role_change(
    db: Session,
    catalogues: Catalogues,
    routes: ReviewRoutes,
    requester: Account,
    form: RoleChangeForm,
    ip: str = "",
) -> RoleChange:
    """A unit admin's request for an account of their unit; the tier the routing table
    names decides."""
    kind = _kind(form.kind)
    account = db.scalar(account_scope(requester).where(Account.id == form.account_id))
    if account is None or account.status is not AccountStatus.ACTIVE or account.unit is None:
        raise NotFound("查無此帳號，或您沒有管理權限")
    held = (
        _held_subsystem_account(db, account, form.subsystem_account_id)
        if form.subsystem_account_id is not None
        else None
    )
    if held is None and kind in _SUBSYSTEM_ONLY:
        raise InvalidInput("subsystem_account_id", "請選擇業務子系統帳號")
    if kind in _ROLE_BEFORE and _role_now(account, held) is not _ROLE_BEFORE[kind]:
        raise InvalidInput(
            "kind",
            "此帳號目前已是管理者"
            if _ROLE_BEFORE[kind] is AccountRole.MEMBER
            else "此帳號目前不是管理者",
        )
    menu_roles: list[str] = []
    if kind is RoleChangeKind.EXTRA_MENU and held is not None:
        menu_roles = _new_menu_roles(catalogues, held, form.menu_roles)
    if kind is RoleChangeKind.PROMOTE and held is not None:
        problems = _quota(db, catalogues, held, account)
        if problems:
            raise InvalidInput("kind", texts=problems)
    reason = check_reason(form.reason, required=True)
    accepted, refused = check_attachments(form.attachments)
    if refused:
        raise InvalidInput("attachments", texts=refused)
    if _open_change(db, account, held):
        raise InvalidInput("kind", "此帳號已有一件審核中的異動申請")
    change = RoleChange(
        kind=kind,
        account_id=account.id,
        unit_id=account.unit.id,
        subsystem_account_id=held.id if held else None,
        menu_roles=menu_roles,
        requested_by_id=requester.id,
        reason=reason,
        status=ApplicationStatus.PENDING,
        tier=routes.tier(kind, held.subsystem if held else None, account.unit),
    )
    db.add(change)
    for checked in accepted:
        change.attachments.append(checked.fill(RoleChangeAttachment()))
    db.flush()
    audit.record(
        db,
        "role_change.submit",
        actor=requester.username,
        actor_account_id=requester.id,
        target=account.username,
        ip=ip,
        kind=kind.value,
        subsystem_account=held.username if held else "",
        menu_roles=menu_roles,
        reason=reason,
        tier=change.tier.value,
        attachments=[checked.scan.sha256 for checked in accepted],
    )
    for reviewer in role_change_deciders(db, change):
        inbox.post(
            db,
            reviewer,
            "待審核的帳號/權限異動申請：{change}（{unit}）",
            change=kind.value,
            unit=account.unit.name,
        )
    return change


def _quota(
    db: Session, catalogues: Catalogues, held: SubsystemAccount, account: Account
) -> list[Text]:
    assert account.unit is not None
    choice = SubsystemChoice(
        held.subsystem, AccountRole.UNIT_ADMIN, held.duty, tuple(held.menu_roles)
    )
    return list(quota_problems(db, catalogues, account.unit, choice))


def _open_change(db: Session, account: Account, held: SubsystemAccount | None) -> bool:
    query = select(RoleChange.id).where(
        RoleChange.account_id == account.id,
        RoleChange.status == ApplicationStatus.PENDING,
        RoleChange.subsystem_account_id == held.id
        if held is not None
        else RoleChange.subsystem_account_id.is_(None),
    )
    return db.scalar(query) is not None


def list_role_changes(
    db: Session, viewer: Account, status: ApplicationStatus | None
) -> list[RoleChange]:
    query = role_change_scope(viewer)
    if status is not None:
        query = query.where(RoleChange.status == status)
    return list(db.scalars(query.order_by(RoleChange.submitted_at.desc()).limit(500)))


def change_in_scope(db: Session, viewer: Account, change_id: int) -> RoleChange:
    change = db.scalar(role_change_scope(viewer).where(RoleChange.id == change_id))
    if change is None:
        raise NotFound("查無此申請，或您沒有查看的權限")
    return change


def attachment(
    db: Session, viewer: Account, change_id: int, attachment_id: int
) -> RoleChangeAttachment:
    """A scan sent with a change, for whoever may see the change; NotFound otherwise."""
    found = db.scalar(
        select(RoleChangeAttachment)
        .join(RoleChange, RoleChange.id == RoleChangeAttachment.change_id)
        .where(
            RoleChangeAttachment.id == attachment_id,
            RoleChange.id.in_(
                role_change_scope(viewer)
                .where(RoleChange.id == change_id)
                .with_only_columns(RoleChange.id)
            ),
        )
    )
    if found is None:
        raise NotFound("查無此附件")
    return found


def changes_to_decide(db: Session, reviewer: Account, ids: Sequence[int]) -> list[RoleChange]:
    """The requests with these ids, routed to the reviewer's tier; NotFound otherwise."""
    return in_scope(db, role_changes_to_decide(reviewer), RoleChange, ids)


def decide_role_changes(
    db: Session,
    catalogues: Catalogues,
    managing: Managing,
    reviewer: Account,
    ids: Sequence[int],
    *,
    approve: bool,
    reason: str = "",
    ip: str = "",
) -> list[RoleChange]:
    """The tier's reviewer approves (the change is made at once) or returns requests, all
    or nothing. An approval that disables an account ends its sessions."""
    reason = check_reason(reason, required=not approve)
    changes = changes_to_decide(db, reviewer, ids)
    for change in changes:
        if change.status is not ApplicationStatus.PENDING:
            raise NotDecidable("{username} 的申請已處理過", username=change.account.username)
    for change in changes:
        if approve:
            _apply(db, catalogues, managing, reviewer, change, ip)
        change.status = ApplicationStatus.APPROVED if approve else ApplicationStatus.RETURNED
        change.decided_at = utcnow()
        change.decided_by_id = reviewer.id
        change.decision_reason = reason
        audit.record(
            db,
            "role_change.approve" if approve else "role_change.return",
            actor=reviewer.username,
            actor_account_id=reviewer.id,
            target=change.account.username,
            ip=ip,
            kind=change.kind.value,
            subsystem_account=change.subsystem_account.username if change.subsystem_account else "",
            reason=reason,
        )
        for person in {
            change.account.id: change.account,
            change.requested_by.id: change.requested_by,
        }.values():
            inbox.notify(
                db,
                person,
                "role_change_decided",
                "帳號/權限異動申請已核定：{change}"
                if approve
                else "帳號/權限異動申請已退回：{change}",
                "原因：{reason}" if reason else "",
                change=change.kind.value,
                request=name_of(change.kind),
                request_en=english(name_of(change.kind)),
                changed_account=change.account.username,
                approved=approve,
                reason=reason,
            )
    return changes


def _apply(
    db: Session,
    catalogues: Catalogues,
    managing: Managing,
    reviewer: Account,
    change: RoleChange,
    ip: str,
) -> None:
    account, held = change.account, change.subsystem_account
    if change.kind is RoleChangeKind.EXTRA_MENU and held is not None:
        held.menu_roles = [*held.menu_roles, *change.menu_roles]
        return
    if _role_now(account, held) is not _ROLE_BEFORE[change.kind]:
        raise NotDecidable("{username} 的角色已變更，請退回此申請", username=account.username)
    if change.kind is RoleChangeKind.PROMOTE and held is not None:
        problems = _quota(db, catalogues, held, account)
        if problems:
            raise NotDecidable("{username}：已達管理者上限", username=account.username)
    if change.kind is RoleChangeKind.CANCEL_ADMIN:
        if held is not None:
            held.status = AccountStatus.DISABLED
            return
        disable_now(db, managing, reviewer, account, change.reason, ip)
        return
    new_role = (
        AccountRole.MEMBER if change.kind is RoleChangeKind.DEMOTE else AccountRole.UNIT_ADMIN
    )
    if held is not None:
        held.role = new_role
    else:
        account.role = new_role
        account.updated_at = utcnow()
