"""Who may do what (權限), in one place for services, views and templates alike.

Roles: a **unit admin** (單位業務管理者) is an active account with the unit-admin role; the
**authority** (國健署) is a unit admin of the authority's unit and sees every unit; a
**bureau admin** is a unit admin of a 衛生局 and sees their own unit and the units it
oversees (its county); a **security admin** holds the security flag. A unit admin sees
their own unit: its accounts and member applications, its role changes, and the member
requests of a subsystem in units where they hold an active admin account of that
subsystem. Role changes are decided by the tier the routing table sent them to.

Predicates answer for one account; scopes are queries of what an account may see, so an
id changed in a URL or a form finds nothing. Batches are all or nothing (``in_scope``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select
from sqlalchemy.orm import Session

from ..models import (
    Account,
    AccountRole,
    AccountStatus,
    Announcement,
    Application,
    AuditEvent,
    Binding,
    ChangeRequest,
    ChangeRequestDecision,
    ChangeRequestStatus,
    ReviewRoute,
    ReviewTier,
    RoleChange,
    SubsystemAccount,
    SubsystemRequest,
    Unit,
    UnitKind,
)
from .errors import InvalidInput, NotFound

T = TypeVar("T")

#: SQL conditions matching what the predicates below say of one row.
ACTIVE_UNIT_ADMIN: ColumnElement[bool] = and_(
    Account.role == AccountRole.UNIT_ADMIN, Account.status == AccountStatus.ACTIVE
)
ACTIVE_SUBSYSTEM_ADMIN: ColumnElement[bool] = and_(
    SubsystemAccount.role == AccountRole.UNIT_ADMIN,
    SubsystemAccount.status == AccountStatus.ACTIVE,
)


# Predicates -----------------------------------------------------------------------------


def is_unit_admin(account: Account) -> bool:
    """An active 單位業務管理者 (of any unit, the authority's included)."""
    return account.role is AccountRole.UNIT_ADMIN and account.status is AccountStatus.ACTIVE


def is_authority(account: Account) -> bool:
    """An admin of the authority (國健署): sees and decides for every unit."""
    return (
        is_unit_admin(account)
        and account.unit is not None
        and (account.unit.kind is UnitKind.AUTHORITY)
    )


def is_security_admin(account: Account) -> bool:
    return account.is_security_admin and account.status is AccountStatus.ACTIVE


def may_review(account: Account) -> bool:
    """Reviews applications and subsystem requests (within ``application_scope`` /
    ``request_scope``), and manages accounts (within ``account_scope``)."""
    return is_unit_admin(account)


def may_manage_subsystems(account: Account) -> bool:
    """The subsystem registry (its OpenID Connect clients) is the authority's."""
    return is_authority(account)


def may_decide_role_changes(account: Account) -> bool:
    """Role changes and privilege requests: the authority, and a 衛生局 those the routing
    table sends to it (``role_changes_to_decide``)."""
    return is_authority(account) or is_bureau_admin(account)


def may_manage(manager: Account, account: Account) -> bool:
    """Edit, disable and restore: the authority any account, a unit admin the members of
    their unit, a 衛生局's admin those of the units it oversees too; nobody their own
    account here (their profile page is for that), nor a security admin's."""
    if account.id == manager.id or account.is_security_admin:
        return False
    if is_authority(manager):
        return True
    if not is_unit_admin(manager) or account.role is not AccountRole.MEMBER:
        return False
    return account.unit_id == manager.unit_id or (
        is_bureau_admin(manager)
        and account.unit is not None
        and account.unit.bureau_id == manager.unit_id
    )


def may_reset_second_factors(manager: Account, account: Account) -> bool:
    """重設兩步驟驗證 of someone who lost theirs: whoever may manage the account (never
    one's own: a person who lost their factors signs in with a recovery code instead)."""
    return may_manage(manager, account)


def may_change_own_second_factors(holds_one: bool, amr: Sequence[str]) -> bool:
    """Adding, removing or renewing one's own second factors: anyone who holds none yet;
    someone who holds one only in a session signed in with one (or with a card)."""
    return not holds_one or "mfa" in amr or "sc" in amr


def is_bureau_admin(account: Account) -> bool:
    """An admin of a 衛生局: oversees the units of their county."""
    return (
        is_unit_admin(account)
        and account.unit is not None
        and account.unit.kind is UnitKind.HEALTH_BUREAU
    )


def may_publish_announcements(account: Account) -> bool:
    """公告設定: the authority publishes to everyone (and the public), a 衛生局's admins to
    the units of their county, a unit's admins to their own unit."""
    return is_unit_admin(account)


def may_edit_announcement(account: Account, announcement: Announcement) -> bool:
    """The authority edits every announcement; other admins those of their own unit."""
    if is_authority(account):
        return True
    return is_unit_admin(account) and announcement.unit_id == account.unit_id


def may_manage_downloads(account: Account) -> bool:
    """下載專區: the authority publishes the forms and manuals everyone downloads."""
    return is_authority(account)


def may_read_audit_log(account: Account) -> bool:
    return is_security_admin(account)


def may_reset_password(manager: Account, account: Account) -> bool:
    """Sending someone a password-reset link: whoever may manage their account."""
    return may_manage(manager, account)


# Who acts on what -----------------------------------------------------------------------


def unit_admins(db: Session, unit_id: int) -> list[Account]:
    """The unit's 單位業務管理者 who can act now."""
    return list(
        db.scalars(
            select(Account)
            .where(Account.unit_id == unit_id, ACTIVE_UNIT_ADMIN)
            .order_by(Account.username)
        )
    )


def authority_admins(db: Session) -> list[Account]:
    return list(
        db.scalars(
            select(Account)
            .join(Unit, Account.unit_id == Unit.id)
            .where(Unit.kind == UnitKind.AUTHORITY, ACTIVE_UNIT_ADMIN)
            .order_by(Account.username)
        )
    )


def subsystem_unit_admins(db: Session, subsystem: str, unit_id: int) -> list[Account]:
    """Active hub accounts bound to an active admin account of ``subsystem`` in the unit."""
    return list(
        db.scalars(
            select(Account)
            .join(Binding, Binding.account_id == Account.id)
            .join(SubsystemAccount, SubsystemAccount.id == Binding.subsystem_account_id)
            .where(
                SubsystemAccount.subsystem == subsystem,
                SubsystemAccount.unit_id == unit_id,
                ACTIVE_SUBSYSTEM_ADMIN,
                Account.status == AccountStatus.ACTIVE,
            )
            .order_by(Account.username)
        )
    )


def reviewers_of_application(db: Session, application: Application) -> list[Account]:
    """A member's application: the unit's admins; a unit admin's: the authority."""
    if application.role is AccountRole.MEMBER:
        return unit_admins(db, application.unit_id)
    return authority_admins(db)


def reviewers_of_request(db: Session, request: SubsystemRequest) -> list[Account]:
    """A member's subsystem request: that subsystem's admins in the unit (the authority
    when there are none); admin rights: the authority."""
    if request.role is AccountRole.MEMBER:
        admins = subsystem_unit_admins(db, request.subsystem, request.unit_id)
        if admins:
            return admins
    return authority_admins(db)


# Scopes -------------------------------------------------------------------------------


def overseen_units(bureau_admin: Account) -> Select[Any]:
    """The ids of the units a 衛生局 oversees (its county), the bureau itself not included."""
    return select(Unit.id).where(Unit.bureau_id == bureau_admin.unit_id)


def _seen_units(viewer: Account, unit_id: Any) -> ColumnElement[bool]:
    """``unit_id`` (a column) is a unit the viewer, an admin but not the authority, sees:
    their own, and a 衛生局's admin the units it oversees."""
    own = unit_id == viewer.unit_id
    if is_bureau_admin(viewer):
        return or_(own, unit_id.in_(overseen_units(viewer)))
    return own


def account_scope(manager: Account) -> Select[Account]:
    """The accounts a manager sees: the authority all, a 衛生局 its county's, a unit admin
    their unit's."""
    query = select(Account)
    if is_authority(manager):
        return query
    if not is_unit_admin(manager):
        return query.where(false())
    return query.where(_seen_units(manager, Account.unit_id))


def application_scope(reviewer: Account) -> Select[Application]:
    query = select(Application).join(Account, Application.account_id == Account.id)
    if is_authority(reviewer):
        return query
    if not may_review(reviewer):
        return query.where(false())
    return query.where(
        Application.unit_id == reviewer.unit_id,
        Application.route == ReviewRoute.UNIT_ADMIN,
    )


def request_scope(reviewer: Account) -> Select[SubsystemRequest]:
    query = select(SubsystemRequest).join(Account, SubsystemRequest.account_id == Account.id)
    if is_authority(reviewer):
        return query
    if not may_review(reviewer):
        return query.where(false())
    holds_admin_account = exists().where(
        Binding.account_id == reviewer.id,
        Binding.subsystem_account_id == SubsystemAccount.id,
        SubsystemAccount.subsystem == SubsystemRequest.subsystem,
        SubsystemAccount.unit_id == SubsystemRequest.unit_id,
        ACTIVE_SUBSYSTEM_ADMIN,
    )
    return query.where(SubsystemRequest.role == AccountRole.MEMBER, holds_admin_account)


def role_change_scope(viewer: Account) -> Select[RoleChange]:
    """What a viewer sees of role changes: the authority all, a 衛生局 its county's, a unit
    admin their unit's."""
    query = select(RoleChange)
    if is_authority(viewer):
        return query
    if not is_unit_admin(viewer):
        return query.where(false())
    return query.where(_seen_units(viewer, RoleChange.unit_id))


def role_changes_to_decide(reviewer: Account) -> Select[RoleChange]:
    """What the routing table sent to the reviewer's tier: the authority's, or a 衛生局's
    for the units it oversees."""
    query = select(RoleChange)
    if is_authority(reviewer):
        return query.where(RoleChange.tier == ReviewTier.AUTHORITY)
    if is_bureau_admin(reviewer):
        return query.where(
            RoleChange.tier == ReviewTier.HEALTH_BUREAU,
            RoleChange.unit_id.in_(overseen_units(reviewer)),
        )
    return query.where(false())


def role_change_deciders(db: Session, change: RoleChange) -> list[Account]:
    """Who is told of a new change: its tier's admins (the 衛生局's over the unit)."""
    if change.tier is ReviewTier.HEALTH_BUREAU and change.unit.bureau_id is not None:
        return unit_admins(db, change.unit.bureau_id)
    return authority_admins(db)


def announcement_scope(editor: Account) -> Select[Announcement]:
    """The announcements an editor sees on 公告設定 (``may_edit_announcement`` as a query)."""
    query = select(Announcement)
    if is_authority(editor):
        return query
    if not is_unit_admin(editor):
        return query.where(false())
    return query.where(Announcement.unit_id == editor.unit_id)


def audit_scope(viewer: Account) -> Select[AuditEvent]:
    query = select(AuditEvent)
    return query if may_read_audit_log(viewer) else query.where(false())


def in_scope(db: Session, scope: Select[T], model: Any, ids: Sequence[int]) -> list[T]:
    """The rows with these ids, all or nothing: NotFound if any is outside ``scope``."""
    wanted = set(ids)
    if not wanted:
        raise InvalidInput("ids", "請至少勾選一筆申請")
    found = list(db.scalars(scope.where(model.id.in_(wanted)).order_by(model.id)))
    if len(found) != len(wanted):
        raise NotFound("查無申請資料，或您沒有審核權限")
    return found


def one_in_scope(db: Session, scope: Select[T], model: Any, row_id: int) -> T | None:
    return db.scalar(scope.where(model.id == row_id))


# Units whose papers a manager prints -------------------------------------------------
#
# The 授權使用人員一覽表 of a unit (``reports.roster``): the unit whose accounts a manager
# sees in ``account_scope``.


def unit_scope(manager: Account) -> Select[Unit]:
    """The units a manager answers for: the authority every unit, a unit admin their
    own, anyone else none."""
    query = select(Unit)
    if is_authority(manager):
        return query
    if not is_unit_admin(manager) or manager.unit_id is None:
        return query.where(false())
    return query.where(Unit.id == manager.unit_id)


# 資料異動申請 (change requests) ------------------------------------------------------
# Each step of a request's chain is decided by one tier of reviewers (policies/
# change_requests.yaml); a requester never decides their own request.


def change_reviewers(db: Session, request: ChangeRequest, tier: ReviewTier) -> list[Account]:
    """Who may decide ``request`` at ``tier``: the active admins of the requester's unit,
    of the 衛生局 overseeing it (none when no bureau does), or of the authority — the
    requester left out."""
    if tier is ReviewTier.UNIT_ADMIN:
        admins = unit_admins(db, request.unit_id)
    elif tier is ReviewTier.HEALTH_BUREAU:
        bureau = request.unit.bureau
        overseen = bureau is not None and bureau.kind is UnitKind.HEALTH_BUREAU
        admins = unit_admins(db, bureau.id) if bureau is not None and overseen else []
    else:
        admins = authority_admins(db)
    return [admin for admin in admins if admin.id != request.account_id]


def change_requests_to_decide(viewer: Account) -> Select[ChangeRequest]:
    """The pending requests at a step ``viewer`` may decide: a unit admin's own unit's at
    a unit-admin step, a 衛生局 admin's county units' at a bureau step, the authority's
    at an authority step; never the viewer's own."""
    query = select(ChangeRequest).where(
        ChangeRequest.status == ChangeRequestStatus.PENDING,
        ChangeRequest.account_id != viewer.id,
    )
    if not is_unit_admin(viewer):
        return query.where(false())
    steps = [
        and_(ChangeRequest.tier == ReviewTier.UNIT_ADMIN, ChangeRequest.unit_id == viewer.unit_id)
    ]
    if is_bureau_admin(viewer):
        steps.append(
            and_(
                ChangeRequest.tier == ReviewTier.HEALTH_BUREAU,
                ChangeRequest.unit_id.in_(overseen_units(viewer)),
            )
        )
    if is_authority(viewer):
        steps.append(ChangeRequest.tier == ReviewTier.AUTHORITY)
    return query.where(or_(*steps))


def change_request_scope(viewer: Account) -> Select[ChangeRequest]:
    """The requests (and their scans) a viewer may open: their own, those they may decide
    now, and those they decided a step of."""
    decided = exists().where(
        ChangeRequestDecision.request_id == ChangeRequest.id,
        ChangeRequestDecision.reviewer_id == viewer.id,
    )
    deciding = ChangeRequest.id.in_(
        change_requests_to_decide(viewer).with_only_columns(ChangeRequest.id)
    )
    return select(ChangeRequest).where(
        or_(ChangeRequest.account_id == viewer.id, decided, deciding)
    )


def change_requests_decided_by(viewer: Account) -> Select[ChangeRequest]:
    return select(ChangeRequest).where(
        exists().where(
            ChangeRequestDecision.request_id == ChangeRequest.id,
            ChangeRequestDecision.reviewer_id == viewer.id,
        )
    )
