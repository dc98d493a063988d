"""Legacy subsystem accounts: their password hashes, and loading them from a file."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from passlib import hash as passlib_hash
from sqlalchemy import select

from idp.hub import Hub
from idp.models import AccountRole, AccountStatus, AuditEvent, SubsystemAccount
from idp.services.subsystems import legacy_passwords
from idp.services.subsystems.legacy_import import AccountFileRefused, import_accounts

from ..support.applications import HOSPITAL, add_unit
from ..support.cli import idp

OLD_PASSWORD = "old-Secret#2015"

#: Every legacy format the import accepts, each hashing OLD_PASSWORD.
LEGACY_HASHES = {
    "bcrypt": passlib_hash.bcrypt.using(rounds=4).hash(OLD_PASSWORD),
    "sha512_crypt": passlib_hash.sha512_crypt.using(rounds=1000).hash(OLD_PASSWORD),
    "sha256_crypt": passlib_hash.sha256_crypt.using(rounds=1000).hash(OLD_PASSWORD),
    "md5_crypt": passlib_hash.md5_crypt.hash(OLD_PASSWORD),
    "pbkdf2_sha256": passlib_hash.pbkdf2_sha256.using(rounds=1000).hash(OLD_PASSWORD),
    "hex_sha1": hashlib.sha1(OLD_PASSWORD.encode()).hexdigest(),  # noqa: S324 - legacy format
    "hex_md5": hashlib.md5(OLD_PASSWORD.encode()).hexdigest().upper(),  # noqa: S324
}

HEADER = "account,unit_code,role,duty,menu_roles,status,password_hash\n"


@pytest.mark.parametrize("scheme", sorted(LEGACY_HASHES))
def test_each_legacy_format_checks_right_and_wrong_passwords(scheme: str) -> None:
    stored = LEGACY_HASHES[scheme]
    assert legacy_passwords.scheme_of(stored) == scheme
    assert legacy_passwords.check(stored, OLD_PASSWORD)
    assert not legacy_passwords.check(stored, OLD_PASSWORD + "x")
    assert not legacy_passwords.check(stored, "")


def test_plain_passwords_and_broken_hashes_are_not_hashes() -> None:
    for value in ("", OLD_PASSWORD, "$2b$04$short", "$1$salt$", "zz" * 16):
        assert legacy_passwords.scheme_of(value) is None
        assert not legacy_passwords.check(value, value)


def _csv(tmp_path: Path, rows: list[str], name: str = "mch.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def _row(account: str, password_hash: str, **changes: str) -> str:
    values = {
        "account": account,
        "unit_code": HOSPITAL,
        "role": "member",
        "duty": "medical_institution",
        "menu_roles": "high_risk_pregnancy_care;gbs_laboratory",
        "status": "active",
        "password_hash": password_hash,
    }
    values.update(changes)
    return ",".join(values.values())


def _accounts(hub: Hub) -> dict[str, SubsystemAccount]:
    with hub.database.unit_of_work() as db:
        rows = db.scalars(select(SubsystemAccount).where(SubsystemAccount.subsystem == "mch"))
        return {row.username: row for row in rows}


def test_import_loads_good_rows_reports_bad_ones_by_line_and_can_run_again(
    hub: Hub, tmp_path: Path
) -> None:
    add_unit(hub, HOSPITAL, "示範綜合醫院")
    rows = [_row(f"legacy_{scheme}", stored) for scheme, stored in sorted(LEGACY_HASHES.items())]
    rows += [
        _row("plain_pw", OLD_PASSWORD),  # line 9: a plain password is refused
        _row("no_unit", LEGACY_HASHES["bcrypt"], unit_code="0000000000"),
        _row("bad_duty", LEGACY_HASHES["bcrypt"], duty="nonsense"),
        _row("bad_menu", LEGACY_HASHES["bcrypt"], menu_roles="not_a_menu_role"),
        _row("bad_role", LEGACY_HASHES["bcrypt"], role="boss"),
        _row("bad_status", LEGACY_HASHES["bcrypt"], status="pending"),
        _row("legacy_bcrypt", LEGACY_HASHES["md5_crypt"]),  # repeated in the file
    ]
    path = _csv(tmp_path, rows)
    with hub.database.unit_of_work() as db:
        report = import_accounts(db, hub.catalogues["mch"], path)
    assert report.created == len(LEGACY_HASHES)
    assert [row.line for row in report.rejected] == list(range(9, 16))
    assert OLD_PASSWORD not in " ".join(str(row.reason) for row in report.rejected)
    loaded = _accounts(hub)
    assert set(loaded) == {f"legacy_{scheme}" for scheme in LEGACY_HASHES}
    held = loaded["legacy_bcrypt"]
    assert held.role is AccountRole.MEMBER and held.status is AccountStatus.ACTIVE
    assert held.menu_roles == ["high_risk_pregnancy_care", "gbs_laboratory"]
    assert all(OLD_PASSWORD not in row.legacy_password_hash for row in loaded.values())

    changed = _csv(
        tmp_path, [_row("legacy_bcrypt", LEGACY_HASHES["bcrypt"], status="disabled")], "again.csv"
    )
    with hub.database.unit_of_work() as db:
        again = import_accounts(db, hub.catalogues["mch"], changed)
        same = import_accounts(db, hub.catalogues["mch"], changed)
    assert (again.created, again.updated) == (0, 1)
    assert (same.created, same.updated, same.unchanged) == (0, 0, 1)
    assert _accounts(hub)["legacy_bcrypt"].status is AccountStatus.DISABLED


def test_import_reads_json_too(hub: Hub, tmp_path: Path) -> None:
    add_unit(hub, HOSPITAL, "示範綜合醫院")
    path = tmp_path / "mch.json"
    path.write_text(
        json.dumps(
            [
                {
                    "account": "json01",
                    "unit_code": HOSPITAL,
                    "role": "unit_admin",
                    "duty": "medical_institution",
                    "menu_roles": ["gbs_laboratory"],
                    "status": "active",
                    "password_hash": LEGACY_HASHES["pbkdf2_sha256"],
                },
                {"account": "json02"},
            ]
        ),
        encoding="utf-8",
    )
    with hub.database.unit_of_work() as db:
        report = import_accounts(db, hub.catalogues["mch"], path)
    assert report.created == 1
    assert [row.line for row in report.rejected] == [2]
    assert _accounts(hub)["json01"].role is AccountRole.UNIT_ADMIN


def test_a_file_with_a_wrong_header_loads_nothing(hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("account,password\nx,y\n", encoding="utf-8")
    with hub.database.unit_of_work() as db, pytest.raises(AccountFileRefused):
        import_accounts(db, hub.catalogues["mch"], path)


def test_the_command_imports_and_reports(hub: Hub, tmp_path: Path) -> None:
    add_unit(hub, HOSPITAL, "示範綜合醫院")
    path = _csv(
        tmp_path, [_row("cli01", LEGACY_HASHES["sha512_crypt"]), _row("cli02", OLD_PASSWORD)]
    )
    result = idp(hub, "subsystems", "import-accounts", "mch", str(path))
    assert result.returncode == 0, result.stderr
    assert "line 3:" in result.stdout
    assert "created 1" in result.stdout and "rejected 1" in result.stdout
    assert OLD_PASSWORD not in result.stdout + result.stderr
    unknown = idp(hub, "subsystems", "import-accounts", "nope", str(path))
    assert unknown.returncode != 0
    with hub.database.unit_of_work() as db:
        event = db.scalar(
            select(AuditEvent).where(AuditEvent.action == "subsystem_accounts.import")
        )
        assert event is not None and event.details["created"] == 1
