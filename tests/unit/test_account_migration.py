"""The old portal's accounts at cut-over: loaded with their old password hash, re-runnable
to the same accounts, bad rows reported by line without echoing a 身分證 or a hash, the
person's subsystem accounts bound, and the old password good for one thing only: signing
in to choose a new one."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest
from passlib import hash as passlib_hash
from sqlalchemy import select

from idp.hub import Hub
from idp.models import Account, AccountRole, AccountStatus, Binding
from idp.services.accounts.migration import HEADER, Migrating, import_portal_accounts
from idp.services.import_report import ImportReport
from idp.services.signin.credentials import password_expired
from idp.services.subsystems.legacy_import import AccountFileRefused

from ..support.applications import HOSPITAL, add_unit, national_id
from ..support.switch_in import legacy_account

OLD_PASSWORD = "old-portal-pw1"


def md5(password: str) -> str:
    return hashlib.md5(password.encode()).hexdigest()  # noqa: S324 - the old portal's format


def row(n: int, **changes: str) -> dict[str, str]:
    values = {
        "unit_code": HOSPITAL,
        "account": f"olduser{n:05d}",
        "name": "王" + "".join("零一二三四五六七八九"[int(d)] for d in str(n)),
        "national_id": national_id("A", f"1{n:07d}"),
        "email": f"old{n}@example.org",
        "phone": "02-12345678",
        "mobile": "",
        "role": "member",
        "status": "active",
        "password_hash": md5(OLD_PASSWORD),
        "subsystem_accounts": "",
    }
    values.update(changes)
    return values


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def load(hub: Hub, path: Path) -> ImportReport:
    with hub.database.unit_of_work() as db:
        return import_portal_accounts(db, Migrating(hub.national_ids, hub.catalogues), path)


def snapshot(hub: Hub) -> list[tuple[object, ...]]:
    with hub.database.unit_of_work() as db:
        return [
            (
                a.id,
                a.username,
                a.subject,
                a.name,
                a.email,
                a.phone,
                a.unit_id,
                a.role,
                a.status,
                a.password_hash,
                a.national_id_hash,
                a.national_id_sealed,
            )
            for a in db.scalars(select(Account).order_by(Account.id))
        ]


@pytest.fixture
def units(hub: Hub) -> Hub:
    add_unit(hub, HOSPITAL, "示範綜合醫院")
    return hub


def test_a_thousand_rows_loaded_twice_leave_the_same_accounts(units: Hub, tmp_path: Path) -> None:
    path = write(tmp_path / "portal.csv", [row(n) for n in range(1000)])
    first = load(units, path)
    assert (first.created, first.rejected) == (1000, [])
    before = snapshot(units)
    second = load(units, path)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 1000)
    assert snapshot(units) == before


def test_bad_rows_are_reported_by_line_and_the_others_load(units: Hub, tmp_path: Path) -> None:
    secret_id = national_id("A", "19999999")
    bad_id = secret_id[:-1] + str((int(secret_id[-1]) + 1) % 10)
    rows = [
        row(1),
        row(2, unit_code="9999999999"),
        row(3, national_id=bad_id),
        row(4, password_hash=OLD_PASSWORD),  # a plain password is refused
        row(5, account="ab"),
        row(6, role="owner"),
        row(7, subsystem_accounts="mch:nobody01"),
        row(1, name="重複的人"),
        row(8, email="not-an-address"),
    ]
    report = load(units, write(tmp_path / "portal.csv", rows))
    assert report.created == 1
    lines = {r.line: str(r.reason) for r in report.rejected}
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "9999999999" in lines[3] and "請先匯入" in lines[8] and "重複" in lines[9]
    everything = " ".join(lines.values())
    assert bad_id not in everything and OLD_PASSWORD not in everything


def test_a_file_with_the_wrong_header_is_refused_whole(units: Hub, tmp_path: Path) -> None:
    path = tmp_path / "portal.csv"
    path.write_text("account,name\nolduser00001,王\n", encoding="utf-8")
    with pytest.raises(AccountFileRefused):
        load(units, path)


def test_the_old_password_signs_in_once_to_choose_a_new_one(units: Hub, tmp_path: Path) -> None:
    bcrypt = passlib_hash.bcrypt.using(rounds=4).hash(OLD_PASSWORD)
    load(units, write(tmp_path / "portal.csv", [row(1), row(2, password_hash=bcrypt)]))
    with units.database.unit_of_work() as db:
        for username in ("olduser00001", "olduser00002"):
            account = db.scalar(select(Account).where(Account.username == username))
            assert account is not None
            assert units.passwords.check(account.password_hash, OLD_PASSWORD)
            assert not units.passwords.check(account.password_hash, "wrong-pw-123")
            assert not units.passwords.needs_rehash(account.password_hash)
            assert password_expired(units.policy.current().password, account)


def test_a_chosen_password_is_never_replaced_by_loading_again(units: Hub, tmp_path: Path) -> None:
    path = write(tmp_path / "portal.csv", [row(1)])
    load(units, path)
    with units.database.unit_of_work() as db:
        account = db.scalar(select(Account).where(Account.username == "olduser00001"))
        assert account is not None
        account.password_hash = units.passwords.hash("A-new~Password9")
        account.must_change_password = False
    write(path, [row(1, status="disabled", password_hash=md5("other-pw-99"))])
    report = load(units, path)
    assert report.updated == 1
    with units.database.unit_of_work() as db:
        account = db.scalar(select(Account).where(Account.username == "olduser00001"))
        assert account is not None and account.status is AccountStatus.DISABLED
        assert units.passwords.check(account.password_hash, "A-new~Password9")


def test_subsystem_accounts_are_bound_and_never_taken_from_another(
    units: Hub, tmp_path: Path
) -> None:
    legacy_account(units, "mchold01")
    legacy_account(units, "cancerold1", "cancer")
    path = write(
        tmp_path / "portal.csv",
        [row(1, role="unit_admin", subsystem_accounts="mch:mchold01;cancer:cancerold1")],
    )
    assert load(units, path).created == 1
    again = load(units, path)
    assert (again.unchanged, again.rejected) == (1, [])
    thief = load(units, write(tmp_path / "other.csv", [row(2, subsystem_accounts="mch:mchold01")]))
    assert thief.created == 0 and "已綁定" in str(thief.rejected[0].reason)
    with units.database.unit_of_work() as db:
        account = db.scalar(select(Account).where(Account.username == "olduser00001"))
        assert account is not None and account.role is AccountRole.UNIT_ADMIN
        bound = db.scalars(select(Binding).where(Binding.account_id == account.id)).all()
        assert sorted(b.subsystem_account.username for b in bound) == ["cancerold1", "mchold01"]
