"""Units, admins and filled-in application forms for the application workflow tests."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from idp.hub import Hub
from idp.models import (
    Account,
    AccountRole,
    AccountStatus,
    Binding,
    SubsystemAccount,
    UnitKind,
)
from idp.services.accounts.directory import create_account
from idp.services.accounts.national_id import LETTER_VALUES, WEIGHTS
from idp.services.applications.submission import ApplicationForm, Applying
from idp.services.subsystems.quotas import SubsystemChoice
from idp.services.units.directory import ensure_unit, find_by_code

from .helpers import PASSWORD

HOSPITAL = "0101090517"
OTHER_HOSPITAL = "0401180014"
AUTHORITY = "A000000000"
APPLICANT_PASSWORD = "Apply~Form2026x"


def national_id(letter: str = "B", body: str = "2" + "3456780") -> str:
    """A valid 身分證 number: the check digit computed by the national rule."""
    tens, units = divmod(LETTER_VALUES[letter], 10)
    digits = [tens, units, *(int(c) for c in body)]
    total = sum(w * d for w, d in zip(WEIGHTS[:-1], digits, strict=True))
    return f"{letter}{body}{(10 - total % 10) % 10}"


def add_unit(hub: Hub, code: str, name: str, kind: UnitKind = UnitKind.HOSPITAL) -> int:
    with hub.database.unit_of_work() as db:
        unit = ensure_unit(db, code, name)
        unit.kind = kind
        unit.county = "臺北市"
        db.flush()
        return unit.id


def add_admin(
    hub: Hub,
    username: str,
    unit_code: str,
    *,
    subsystems: dict[str, tuple[str, list[str]]] | None = None,
    email: str = "",
) -> int:
    """An active unit admin, holding (bound) admin accounts of the given subsystems:
    ``{"mch": ("medical_institution", ["prenatal_care"])}``."""
    with hub.database.unit_of_work() as db:
        unit = find_by_code(db, unit_code)
        assert unit is not None, unit_code
        account = create_account(
            db,
            hub.passwords,
            username=username,
            password=PASSWORD,
            name=f"管理者{username}",
            email=email or f"{username}@example.org",
            phone="02-23456789",
            unit=unit,
            role=AccountRole.UNIT_ADMIN,
        )
        for subsystem, (duty, menu_roles) in (subsystems or {}).items():
            held = SubsystemAccount(
                subsystem=subsystem,
                username=f"{username}@{subsystem}",
                unit_id=unit.id,
                role=AccountRole.UNIT_ADMIN,
                duty=duty,
                menu_roles=menu_roles,
                status=AccountStatus.ACTIVE,
            )
            db.add(held)
            db.flush()
            db.add(Binding(account_id=account.id, subsystem_account_id=held.id, label="管理"))
        return account.id


def applying(hub: Hub) -> Applying:
    return Applying(
        passwords=hub.passwords,
        password_policy=hub.policy.current().password,
        catalogues=hub.catalogues,
        national_ids=hub.national_ids,
    )


MCH_MEMBER = SubsystemChoice(
    "mch", AccountRole.MEMBER, "medical_institution", ("prenatal_care", "hearing_screening")
)


def member_form(**changes: Any) -> ApplicationForm:
    form = ApplicationForm(
        unit_code=HOSPITAL,
        role="member",
        username="newcomer01",
        password=APPLICANT_PASSWORD,
        password_confirm=APPLICANT_PASSWORD,
        national_id=national_id(),
        name="林新人",
        title="護理師",
        phone="02-27654321#12",
        mobile="0912-345678",
        email="newcomer@example.org",
        subsystems=(MCH_MEMBER,),
        consent=True,
    )
    return replace(form, **changes)


def account_named(hub: Hub, username: str) -> Account | None:
    from idp.services.accounts.directory import find_by_username

    with hub.database.unit_of_work() as db:
        account = find_by_username(db, username)
        if account is not None:
            db.expunge(account)
        return account
