"""Accounts of the old portal, loaded at cut-over (``idp accounts import``), so that
people keep their login: unit, account name, name, 身分證, contacts, role, status and the
old password hash, and the subsystem accounts they hold.

The file is UTF-8 CSV with the header ``HEADER``; ``subsystem_accounts`` lists the
person's legacy subsystem accounts as ``subsystem:account`` separated by ``;`` (loaded
before with ``idp subsystems import-accounts``), and may be empty. A bad row is reported
with its line, without echoing a 身分證 or a hash, and the others still load; loading
again updates accounts by account name and leaves what is unchanged as it is. A person
signs in once with the old password and must then choose a new one (the hash stays
until then, and loading again never replaces a password its owner has chosen)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Account, AccountRole, AccountStatus, Binding, SubsystemAccount, Unit
from ..errors import InvalidInput, Text, text
from ..import_report import ImportReport, RejectedRow
from ..signin.passwords import Passwords
from ..subsystems import legacy_passwords
from ..subsystems.bindings import binding_label
from ..subsystems.catalogues import Catalogues
from ..subsystems.legacy_import import AccountFileRefused
from .contact import email_problem, mobile_problem, phone_problem
from .directory import USERNAME_PATTERN, normalize_username
from .national_id import NationalIdBox
from .national_id import validate as validate_national_id
from .person import clean_contacts, clean_name, name_problem

HEADER = (
    "unit_code",
    "account",
    "name",
    "national_id",
    "email",
    "phone",
    "mobile",
    "role",
    "status",
    "password_hash",
    "subsystem_accounts",
)
STATUSES = (AccountStatus.ACTIVE, AccountStatus.DISABLED, AccountStatus.DORMANT)
ROLES = (AccountRole.UNIT_ADMIN, AccountRole.MEMBER)


@dataclass(frozen=True)
class Migrating:
    """What loading needs besides the database."""

    national_ids: NationalIdBox
    catalogues: Catalogues


@dataclass(frozen=True)
class PortalAccount:
    username: str
    unit: Unit
    name: str
    national_id: str
    contacts: dict[str, str]
    role: AccountRole
    status: AccountStatus
    password_hash: str
    held: tuple[SubsystemAccount, ...]


#: Rows read, checked and stored together: one query finds their existing accounts, one
#: flush stores them.
BATCH = 1000


def import_portal_accounts(db: Session, migrating: Migrating, path: str | Path) -> ImportReport:
    """Load the file; the session is flushed and emptied after every ``BATCH`` rows."""
    report = ImportReport()
    units: dict[str, Unit | None] = {}
    seen: set[str] = set()
    records = _records(path)
    while batch := list(islice(records, BATCH)):
        with db.no_autoflush:
            parsed = [(line, _parse(db, migrating, units, raw)) for line, raw in batch]
            names = [row.username for _, row in parsed if isinstance(row, PortalAccount)]
            existing = {
                account.username: account
                for account in db.scalars(select(Account).where(Account.username.in_(names)))
            }
            for line, row in parsed:
                if isinstance(row, Text):
                    report.rejected.append(RejectedRow(line, row))
                elif row.username in seen:
                    report.rejected.append(
                        RejectedRow(line, text("帳號在檔案中重複：{account}", account=row.username))
                    )
                else:
                    seen.add(row.username)
                    refused = _store(db, migrating, row, existing.get(row.username), report)
                    if refused is not None:
                        report.rejected.append(RejectedRow(line, refused))
        db.flush()
        db.expunge_all()
        units.clear()
    return report


def _records(path: str | Path) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        content = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AccountFileRefused("檔案須為 UTF-8 編碼") from exc
    except OSError as exc:
        raise AccountFileRefused("無法讀取檔案：{reason}", reason=exc.strerror or str(exc)) from exc
    reader = csv.reader(io.StringIO(content, newline=""))
    header = tuple(name.strip() for name in next(reader, []))
    if header != HEADER:
        raise AccountFileRefused("標題列須為 {header}", header=",".join(HEADER))
    for fields in reader:
        if any(value.strip() for value in fields):
            yield reader.line_num, {k: v.strip() for k, v in zip(HEADER, fields, strict=False)}


def _parse(
    db: Session, migrating: Migrating, units: dict[str, Unit | None], raw: dict[str, str]
) -> PortalAccount | Text:
    code = raw.get("unit_code", "")
    if code not in units:
        units[code] = db.scalar(select(Unit).where(Unit.code == code))
    unit = units[code]
    if unit is None:
        return text("查無單位代碼：{code}", code=code[:20])
    username = normalize_username(raw.get("account", ""))
    if not USERNAME_PATTERN.fullmatch(username):
        return text("帳號須為 6 至 20 個英文字母或數字")
    problem = name_problem(raw.get("name", ""))
    if problem:
        return text("姓名：{problem}", problem=text(problem))
    try:
        national_id = validate_national_id(raw.get("national_id", ""))
    except InvalidInput as refused:
        # Never echo the value itself.
        return text("身分證：{problem}", problem=refused.texts[0])
    for name, check in (("email", email_problem), ("phone", phone_problem)):
        problem = check(raw.get(name, ""), False)
        if problem:
            return text("{field}：{problem}", field=name, problem=text(problem))
    problem = mobile_problem(raw.get("mobile", ""), False)
    if problem:
        return text("{field}：{problem}", field="mobile", problem=text(problem))
    role = next((r for r in ROLES if r.value == raw.get("role")), None)
    if role is None:
        return text("角色須為 unit_admin 或 member")
    status = next((s for s in STATUSES if s.value == raw.get("status")), None)
    if status is None:
        return text("狀態須為 active、disabled 或 dormant")
    password_hash = raw.get("password_hash", "")
    if legacy_passwords.scheme_of(password_hash) is None:
        return text("密碼雜湊無法辨識（不接受明文密碼）")
    held = _held(db, migrating.catalogues, raw.get("subsystem_accounts", ""))
    if isinstance(held, Text):
        return held
    return PortalAccount(
        username=username,
        unit=unit,
        name=clean_name(raw["name"]),
        national_id=national_id,
        contacts=clean_contacts(
            {
                "email": raw.get("email", ""),
                "phone": raw.get("phone", ""),
                "mobile": raw.get("mobile", ""),
            }
        ),
        role=role,
        status=status,
        password_hash=password_hash,
        held=held,
    )


def _held(db: Session, catalogues: Catalogues, value: str) -> tuple[SubsystemAccount, ...] | Text:
    found = []
    for item in (part.strip() for part in value.split(";")):
        if not item:
            continue
        code, _, username = item.partition(":")
        if catalogues.get(code) is None or not username:
            return text("子系統帳號須寫成 子系統:帳號：{item}", item=item[:80])
        held = db.scalar(
            select(SubsystemAccount).where(
                SubsystemAccount.subsystem == code, SubsystemAccount.username == username
            )
        )
        if held is None:
            return text("查無子系統帳號（請先匯入子系統帳號）：{item}", item=item[:80])
        found.append(held)
    return tuple(found)


def _store(
    db: Session,
    migrating: Migrating,
    row: PortalAccount,
    account: Account | None,
    report: ImportReport,
) -> Text | None:
    id_hash = migrating.national_ids.lookup_hash(row.national_id)
    for held in row.held:
        bound = held.binding
        if bound is not None and (account is None or bound.account_id != account.id):
            return text(
                "子系統帳號已綁定其他帳號：{item}", item=f"{held.subsystem}:{held.username}"
            )
    values: dict[str, object] = {
        "unit_id": row.unit.id,
        "name": row.name,
        "role": row.role,
        "status": row.status,
        "national_id_hash": id_hash,
        **row.contacts,
    }
    if account is None:
        account = Account(
            username=row.username,
            password_hash=row.password_hash,
            must_change_password=True,
            national_id_sealed=migrating.national_ids.seal(row.national_id),
            **values,
        )
        db.add(account)
        report.created += 1
    else:
        if account.national_id_hash and account.national_id_hash != id_hash:
            return text("帳號已由另一人使用：{account}", account=row.username)
        changed = [name for name, value in values.items() if getattr(account, name) != value]
        for name in changed:
            setattr(account, name, values[name])
        if not account.national_id_sealed:
            account.national_id_sealed = migrating.national_ids.seal(row.national_id)
        if (
            Passwords.is_legacy(account.password_hash)
            and account.password_hash != row.password_hash
        ):
            account.password_hash = row.password_hash
            changed.append("password_hash")
        bindings_made = _bind(db, migrating.catalogues, account, row.held)
        if changed or bindings_made:
            report.updated += 1
        else:
            report.unchanged += 1
        return None
    _bind(db, migrating.catalogues, account, row.held)
    return None


def _bind(
    db: Session, catalogues: Catalogues, account: Account, held: tuple[SubsystemAccount, ...]
) -> int:
    made = 0
    for item in held:
        if item.binding is not None:
            continue
        db.add(
            Binding(
                account=account,
                subsystem_account=item,
                label=binding_label(catalogues[item.subsystem], item.role),
            )
        )
        made += 1
    return made
