"""People of a unit for the 授權使用人員一覽表 tests: active ones holding subsystem
accounts, one disabled, and someone of another unit."""

from __future__ import annotations

from dataclasses import dataclass, field

from idp.hub import Hub
from idp.models import AccountRole, AccountStatus, Binding, SubsystemAccount
from idp.services.accounts.directory import create_account
from idp.services.units.directory import find_by_code

from .applications import national_id
from .helpers import PASSWORD


@dataclass(frozen=True)
class Held:
    """A subsystem account, bound to the person; in their own unit unless told."""

    subsystem: str
    username: str
    duty: str
    menu_roles: list[str] = field(default_factory=list)
    role: AccountRole = AccountRole.MEMBER
    unit_code: str = ""


def add_staff(
    hub: Hub,
    unit_code: str,
    username: str,
    name: str,
    *,
    title: str = "",
    department: str = "",
    id_number: str = "",
    role: AccountRole = AccountRole.MEMBER,
    status: AccountStatus = AccountStatus.ACTIVE,
    held: tuple[Held, ...] = (),
) -> int:
    with hub.database.unit_of_work() as db:
        unit = find_by_code(db, unit_code)
        assert unit is not None, unit_code
        account = create_account(
            db,
            hub.passwords,
            username=username,
            password=PASSWORD,
            name=name,
            email=f"{username}@example.org",
            phone="02-23456789",
            unit=unit,
            role=role,
            status=status,
        )
        account.title = title
        account.department = department
        if id_number:
            account.national_id_sealed = hub.national_ids.seal(id_number)
            account.national_id_hash = hub.national_ids.lookup_hash(id_number)
        for one in held:
            home = find_by_code(db, one.unit_code) if one.unit_code else unit
            assert home is not None
            sub = SubsystemAccount(
                subsystem=one.subsystem,
                username=one.username,
                unit_id=home.id,
                role=one.role,
                duty=one.duty,
                menu_roles=one.menu_roles,
                status=AccountStatus.ACTIVE,
            )
            db.add(sub)
            db.flush()
            db.add(Binding(account_id=account.id, subsystem_account_id=sub.id, label="業務"))
        db.flush()
        return account.id


#: A 身分證 of the listed member, never shown whole.
MEMBER_ID = national_id("F", "1234567" + "0")


def add_unit_people(hub: Hub, unit_code: str, other_unit_code: str) -> None:
    """In ``unit_code``: 王小明 (a member with 婦幼 and 癌整 accounts, one more 婦幼 account
    in the other unit) and 離職者 (disabled); in ``other_unit_code``: 他院人員."""
    add_staff(
        hub,
        unit_code,
        "wangxm01",
        "王小明",
        title="個案管理師",
        department="家庭醫學科",
        id_number=MEMBER_ID,
        held=(
            Held("mch", "H0001", "medical_institution", ["prenatal_care"]),
            Held("cancer", "C0001", "medical_institution", ["colorectal_collection"]),
            Held(
                "mch", "X0009", "medical_institution", ["prenatal_care"], unit_code=other_unit_code
            ),
        ),
    )
    add_staff(
        hub,
        unit_code,
        "leftuser01",
        "離職者",
        title="前任護理師",
        status=AccountStatus.DISABLED,
        held=(Held("mch", "D0001", "medical_institution", ["prenatal_care"]),),
    )
    add_staff(hub, other_unit_code, "otheruser1", "他院人員", title="他院職稱")
