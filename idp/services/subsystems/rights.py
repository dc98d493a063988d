"""權限管理 (子系統帳號權限管理): a unit's admin sets a member's subsystem account — role,
duty, menu roles, enabled or suspended — within what the unit may decide alone.

Within means: the duty is one the subsystem's catalogue offers the unit's kind, the menu
roles are the duty's and already held in the unit (單位已申請業務), and an admin more fits
the admin quota. That is applied at once, audited and told to the person; the subsystem
sees it in its next ID token. What goes beyond — a menu role new to the unit, an admin
over the quota — becomes a request (增加業務選單, 管理員超額申請) to the tier the routing
table names, and the rest of the change is still applied. A request that cannot be made
refuses the whole change.
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
    Binding,
    RoleChange,
    RoleChangeKind,
    SubsystemAccount,
    Unit,
)
from .. import audit
from ..errors import InvalidInput, NotAllowed, NotFound
from ..messaging import inbox
from ..permissions import account_scope, may_manage
from ..reviews.decisions import check_reason
from ..reviews.role_changes import RoleChangeForm, submit_role_change
from ..reviews.routing import ReviewRoutes
from .catalogues import Catalogues
from .quotas import SubsystemChoice, quota_problems

#: The states a unit admin sets: 啟用 and 停用.
SETTABLE_STATUSES = (AccountStatus.ACTIVE, AccountStatus.DISABLED)


@dataclass(frozen=True)
class RightsForm:
    role: str
    duty: str
    menu_roles: tuple[str, ...]
    status: str
    #: Why, for what goes beyond the unit's own decision (required then).
    reason: str = ""


@dataclass(frozen=True)
class Held:
    """A subsystem account on its 權限管理 page, with what the unit holds around it."""

    subsystem_account: SubsystemAccount
    owner: Account
    #: 單位已申請業務: the menu roles the unit's accounts of this subsystem hold.
    unit_menu_roles: frozenset[str]
    admins: int
    admin_quota: int


@dataclass(frozen=True)
class Outcome:
    """What changed at once, and the requests made for the rest."""

    changed: tuple[str, ...]
    requests: tuple[RoleChange, ...]


def held_in_scope(
    db: Session, catalogues: Catalogues, manager: Account, owner_id: int, held_id: int
) -> Held:
    """The subsystem account ``held_id`` of an account the manager sees; NotFound else."""
    owner = db.scalar(account_scope(manager).where(Account.id == owner_id))
    held = db.scalar(
        select(SubsystemAccount)
        .join(Binding, Binding.subsystem_account_id == SubsystemAccount.id)
        .where(SubsystemAccount.id == held_id, Binding.account_id == owner_id)
    )
    if owner is None or held is None or held.unit_id != owner.unit_id or held.unit is None:
        raise NotFound("查無此業務子系統帳號，或您沒有管理權限")
    others = list(
        db.scalars(
            select(SubsystemAccount).where(
                SubsystemAccount.subsystem == held.subsystem,
                SubsystemAccount.unit_id == held.unit_id,
                SubsystemAccount.status == AccountStatus.ACTIVE,
            )
        )
    )
    return Held(
        held,
        owner,
        frozenset(code for other in others for code in other.menu_roles),
        sum(1 for other in others if other.role is AccountRole.UNIT_ADMIN),
        catalogues[held.subsystem].admin_quota.count,
    )


def change_rights(
    db: Session,
    catalogues: Catalogues,
    routes: ReviewRoutes,
    manager: Account,
    found: Held,
    form: RightsForm,
    ip: str = "",
) -> Outcome:
    """Apply what the unit may decide, ask the next tier for the rest (see the module)."""
    held, owner = found.subsystem_account, found.owner
    if not may_manage(manager, owner) or held.role is not AccountRole.MEMBER:
        raise NotAllowed("管理者的業務子系統帳號須提出帳號/權限異動申請")
    subsystem = catalogues[held.subsystem]
    role, status = _role(form.role), _status(form.status)
    unit = held.unit
    assert unit is not None
    problems = subsystem.validate_request(form.duty, form.menu_roles, unit.kind, role=role)
    if problems:
        raise InvalidInput("menu_roles", texts=problems)
    wanted = list(dict.fromkeys(form.menu_roles))
    new_to_unit = [code for code in wanted if code not in found.unit_menu_roles]
    over_quota = role is AccountRole.UNIT_ADMIN and _over_quota(
        db, catalogues, unit, SubsystemChoice(held.subsystem, role, form.duty, tuple(wanted))
    )
    before = _rights(held)
    held.duty = form.duty
    held.menu_roles = [code for code in wanted if code not in new_to_unit]
    held.status = status
    if not over_quota:
        held.role = role
    requests = _requests(
        db, catalogues, routes, manager, owner, held, new_to_unit, over_quota, form, ip
    )
    changed = tuple(key for key, value in _rights(held).items() if before[key] != value)
    if changed:
        audit.record(
            db,
            "subsystem_account.rights",
            actor=manager.username,
            actor_account_id=manager.id,
            target=owner.username,
            ip=ip,
            subsystem=held.subsystem,
            subsystem_account=held.username,
            changed=list(changed),
            before={key: before[key] for key in changed},
            after={key: _rights(held)[key] for key in changed},
        )
        inbox.notify(
            db,
            owner,
            "subsystem_rights_changed",
            "您的業務子系統帳號權限已變更：{subsystem} {subsystem_account}",
            subsystem=subsystem.abbreviation,
            subsystem_en=subsystem.abbreviation.in_locale("en"),
            subsystem_account=held.username,
            changed_by=manager.name or manager.username,
        )
    return Outcome(changed, tuple(requests))


def _role(value: str) -> AccountRole:
    try:
        return AccountRole(value)
    except ValueError:
        raise InvalidInput("role", "請選擇角色") from None


def _status(value: str) -> AccountStatus:
    try:
        status = AccountStatus(value)
    except ValueError:
        status = None
    if status not in SETTABLE_STATUSES:
        raise InvalidInput("status", "請選擇啟用或停用")
    assert status is not None
    return status


def _over_quota(db: Session, catalogues: Catalogues, unit: Unit, choice: SubsystemChoice) -> bool:
    return bool(quota_problems(db, catalogues, unit, choice))


def _requests(
    db: Session,
    catalogues: Catalogues,
    routes: ReviewRoutes,
    manager: Account,
    owner: Account,
    held: SubsystemAccount,
    new_to_unit: Sequence[str],
    over_quota: bool,
    form: RightsForm,
    ip: str,
) -> list[RoleChange]:
    """增加業務選單 for menu roles new to the unit, then 管理員超額申請; one open request
    per account, so both at once is refused."""
    asks: list[tuple[RoleChangeKind, tuple[str, ...]]] = []
    if new_to_unit:
        asks.append((RoleChangeKind.EXTRA_MENU, tuple(new_to_unit)))
    if over_quota:
        asks.append((RoleChangeKind.OVER_QUOTA, ()))
    if len(asks) > 1:
        raise InvalidInput(
            "menu_roles", "新的業務選單與超額的管理者須分兩次申請：請先只送出其中一項"
        )
    if asks:
        check_reason(form.reason, required=True, missing="超出本單位可決定的部分，請填寫申請說明")
    return [
        submit_role_change(
            db,
            catalogues,
            routes,
            manager,
            RoleChangeForm(kind.value, owner.id, held.id, form.reason, menus),
            ip=ip,
        )
        for kind, menus in asks
    ]


def _rights(held: SubsystemAccount) -> dict[str, object]:
    return {
        "role": held.role.value,
        "duty": held.duty,
        "menu_roles": sorted(held.menu_roles),
        "status": held.status.value,
    }
