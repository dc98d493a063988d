"""Admin quotas (管理者名額): how many active admin accounts a subsystem allows per unit
(癌整: per business category), as its catalogue says. Checked when someone applies for
admin rights and again when the request is approved."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import AccountRole, SubsystemAccount, Unit
from ..errors import Text, text
from ..permissions import ACTIVE_SUBSYSTEM_ADMIN
from .catalogues import Catalogues


@dataclass(frozen=True)
class SubsystemChoice:
    """One requested subsystem account: which subsystem, role, duty and menu roles."""

    subsystem: str
    role: AccountRole
    duty: str
    menu_roles: tuple[str, ...]


def quota_problems(
    db: Session, catalogues: Catalogues, unit: Unit, choice: SubsystemChoice
) -> list[Text]:
    """The subsystem's admin quota for this unit (癌整: per business category)."""
    subsystem = catalogues[choice.subsystem]
    admins = db.scalars(
        select(SubsystemAccount).where(
            SubsystemAccount.subsystem == choice.subsystem,
            SubsystemAccount.unit_id == unit.id,
            ACTIVE_SUBSYSTEM_ADMIN,
        )
    )
    held = Counter(
        key for admin in admins for key in subsystem.admin_quota_keys(admin.duty, admin.menu_roles)
    )
    quota = subsystem.admin_quota.count
    if any(
        held[key] >= quota for key in subsystem.admin_quota_keys(choice.duty, choice.menu_roles)
    ):
        return [
            text(
                "此單位的{subsystem}管理者已達上限（{quota} 位），"
                "請改由單位管理者提出「管理員超額申請」",
                subsystem=subsystem.abbreviation,
                quota=quota,
            )
        ]
    return []
