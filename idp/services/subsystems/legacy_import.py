"""Importing the accounts of a legacy subsystem (業務子系統帳號) with their old password
hashes, so that people can bind them to their hub account.

The file is UTF-8 CSV with the header ``account,unit_code,role,duty,menu_roles,status,
password_hash`` (menu roles separated by ``;``), or a JSON list of objects with the
same keys (``menu_roles`` a list or a ``;``-separated string). A bad row is reported
with its line (CSV) or item number (JSON) and the others still load. Loading again
updates accounts by subsystem and account name; bindings stay as they are. A password
hash must be one libpass recognises: a plain password is refused, never stored.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import AccountRole, AccountStatus, SubsystemAccount, Unit
from ..errors import DomainError, Text, text
from ..import_report import ImportReport, RejectedRow
from ..units.directory import find_by_code
from . import legacy_passwords
from .catalogues import Subsystem

HEADER = ("account", "unit_code", "role", "duty", "menu_roles", "status", "password_hash")
#: The statuses a legacy account can arrive with.
STATUSES = (AccountStatus.ACTIVE, AccountStatus.DISABLED, AccountStatus.DORMANT)
ACCOUNT_LENGTH = 60


class AccountFileRefused(DomainError):
    """The file as a whole cannot be loaded; nothing was."""


@dataclass(frozen=True)
class AccountRow:
    username: str
    unit: Unit
    role: AccountRole
    duty: str
    menu_roles: list[str]
    status: AccountStatus
    legacy_password_hash: str

    def values(self) -> dict[str, object]:
        return {
            "unit_id": self.unit.id,
            "role": self.role,
            "duty": self.duty,
            "menu_roles": self.menu_roles,
            "status": self.status,
            "legacy_password_hash": self.legacy_password_hash,
        }


def import_accounts(db: Session, subsystem: Subsystem, path: str | Path) -> ImportReport:
    """Load a CSV or JSON file of the subsystem's legacy accounts."""
    report = ImportReport()
    seen: set[str] = set()
    for line, raw in _records(_read(path), str(path).lower().endswith(".json")):
        row = parse_row(db, subsystem, raw)
        if isinstance(row, Text):
            report.rejected.append(RejectedRow(line, row))
        elif row.username in seen:
            report.rejected.append(
                RejectedRow(line, text("帳號在檔案中重複：{account}", account=row.username))
            )
        else:
            seen.add(row.username)
            _store(db, subsystem, row, report)
    return report


def _read(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AccountFileRefused("檔案須為 UTF-8 編碼") from exc
    except OSError as exc:
        raise AccountFileRefused("無法讀取檔案：{reason}", reason=exc.strerror or str(exc)) from exc


def _records(content: str, is_json: bool) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """(line or item number, the row's fields by header name)."""
    if is_json:
        try:
            items = json.loads(content)
        except json.JSONDecodeError as exc:
            raise AccountFileRefused("JSON 格式錯誤：{reason}", reason=exc.msg) from exc
        if not isinstance(items, list):
            raise AccountFileRefused("JSON 檔須為帳號物件的清單")
        for number, item in enumerate(items, start=1):
            yield number, item if isinstance(item, dict) else {}
        return
    reader = csv.reader(io.StringIO(content, newline=""))
    header = tuple(name.strip() for name in next(reader, []))
    if header != HEADER:
        raise AccountFileRefused("標題列須為 {header}", header=",".join(HEADER))
    for fields in reader:
        if any(value.strip() for value in fields):
            yield reader.line_num, dict(zip(HEADER, fields, strict=False))


def _field(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _menu_roles(raw: Mapping[str, Any]) -> list[str] | None:
    value = raw.get("menu_roles", "")
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [item.strip() for item in value if item.strip()]
    if isinstance(value, str):
        return [item.strip() for item in value.split(";") if item.strip()]
    return None


def parse_row(db: Session, subsystem: Subsystem, raw: Mapping[str, Any]) -> AccountRow | Text:
    """One row as a subsystem account's values, or why it cannot be loaded."""
    username = _field(raw, "account")
    if not username or len(username) > ACCOUNT_LENGTH:
        return text("帳號須為 1 至 {limit} 個字元", limit=ACCOUNT_LENGTH)
    unit = find_by_code(db, _field(raw, "unit_code"))
    if unit is None:
        return text("查無單位代碼：{code}", code=_field(raw, "unit_code"))
    role_code = _field(raw, "role")
    if subsystem.role(role_code) is None:
        return text("角色須為 unit_admin 或 member：{role}", role=role_code)
    duty = subsystem.duty(_field(raw, "duty"))
    if duty is None:
        return text("查無業務權責：{duty}", duty=_field(raw, "duty"))
    menu_roles = _menu_roles(raw)
    if menu_roles is None:
        return text("選單角色格式錯誤")
    unknown = [code for code in menu_roles if duty.menu_role(code) is None]
    if unknown:
        return text("此業務權責沒有這些選單角色：{codes}", codes=";".join(unknown))
    status = next((s for s in STATUSES if s.value == _field(raw, "status")), None)
    if status is None:
        return text("狀態須為 active、disabled 或 dormant：{status}", status=_field(raw, "status"))
    password_hash = _field(raw, "password_hash")
    if legacy_passwords.scheme_of(password_hash) is None:
        # Never echo the value: it may be a plain password.
        return text("密碼雜湊無法辨識（不接受明文密碼）")
    return AccountRow(
        username=username,
        unit=unit,
        role=AccountRole(role_code),
        duty=duty.code,
        menu_roles=menu_roles,
        status=status,
        legacy_password_hash=password_hash,
    )


def _store(db: Session, subsystem: Subsystem, row: AccountRow, report: ImportReport) -> None:
    held = db.scalar(
        select(SubsystemAccount).where(
            SubsystemAccount.subsystem == subsystem.code,
            SubsystemAccount.username == row.username,
        )
    )
    if held is None:
        db.add(SubsystemAccount(subsystem=subsystem.code, username=row.username, **row.values()))
        report.created += 1
        return
    changed = False
    for name, value in row.values().items():
        if getattr(held, name) != value:
            setattr(held, name, value)
            changed = True
    if changed:
        report.updated += 1
    else:
        report.unchanged += 1
