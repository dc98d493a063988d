"""People with bound subsystem accounts, and legacy accounts to bind, for the binding and
switch-in tests."""

from __future__ import annotations

from dataclasses import dataclass

from passlib import hash as passlib_hash

from idp.hub import Hub
from idp.models import AccountRole, Binding, SubsystemAccount
from idp.services.accounts.directory import find_by_username
from idp.services.subsystems.bindings import bind_new_subsystem_account
from idp.services.units.directory import ensure_unit

HOSPITAL = "0101090517"
CLINIC = "3501200000"
LEGACY_PASSWORD = "old-Secret#2015"


@dataclass(frozen=True)
class Held:
    """A subsystem account and, when bound, its binding's public id."""

    username: str
    public_id: str


def hold(
    hub: Hub,
    owner: str,
    subsystem: str,
    username: str,
    *,
    unit_code: str = HOSPITAL,
    role: AccountRole = AccountRole.MEMBER,
    menu_roles: tuple[str, ...] = ("prenatal_care",),
) -> Held:
    """A subsystem account bound to the hub account ``owner``."""
    with hub.database.unit_of_work() as db:
        account = find_by_username(db, owner)
        assert account is not None, owner
        unit = ensure_unit(db, unit_code, "示範單位" + unit_code)
        duty = hub.catalogues[subsystem].duties[0].code
        held = bind_new_subsystem_account(
            db,
            hub.catalogues[subsystem],
            account.id,
            SubsystemAccount(
                subsystem=subsystem,
                username=username,
                unit_id=unit.id,
                role=role,
                duty=duty,
                menu_roles=list(menu_roles),
            ),
        )
        db.flush()
        binding = db.query(Binding).filter_by(subsystem_account_id=held.id).one()
        return Held(username, binding.public_id)


def legacy_account(hub: Hub, username: str, subsystem: str = "mch") -> None:
    """An imported, unbound subsystem account whose old password is LEGACY_PASSWORD."""
    with hub.database.unit_of_work() as db:
        unit = ensure_unit(db, HOSPITAL, "示範綜合醫院")
        db.add(
            SubsystemAccount(
                subsystem=subsystem,
                username=username,
                unit_id=unit.id,
                role=AccountRole.MEMBER,
                duty=hub.catalogues[subsystem].duties[0].code,
                menu_roles=[],
                legacy_password_hash=passlib_hash.sha256_crypt.using(rounds=1000).hash(
                    LEGACY_PASSWORD
                ),
            )
        )
