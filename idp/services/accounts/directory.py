"""Accounts: creating them and finding them by name."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Account, AccountRole, AccountStatus, Unit, utcnow
from ..errors import InvalidInput
from ..signin.passwords import Passwords

#: 帳號: 6–20 letters and digits (seed 002, seed 000 附件 4-1 note 3).
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9]{6,20}$")


def normalize_username(username: str) -> str:
    return username.strip().lower()


def validate_username(username: str) -> str:
    name = normalize_username(username)
    if not USERNAME_PATTERN.fullmatch(name):
        raise InvalidInput("username", "帳號須為 6 至 20 個英文字母或數字")
    return name


def find_by_username(db: Session, username: str) -> Account | None:
    return db.scalar(select(Account).where(Account.username == normalize_username(username)))


def find_by_subject(db: Session, subject: str) -> Account | None:
    return db.scalar(select(Account).where(Account.subject == subject))


def create_account(
    db: Session,
    passwords: Passwords,
    *,
    username: str,
    password: str,
    name: str = "",
    email: str = "",
    phone: str = "",
    unit: Unit | None = None,
    role: AccountRole = AccountRole.MEMBER,
    status: AccountStatus = AccountStatus.ACTIVE,
) -> Account:
    """An account made by whoever runs the hub (``idp account create``, the demo): the
    address they give counts as confirmed. Unit admins add accounts with
    ``lifecycle.add_account`` and applicants apply; their addresses are confirmed by link."""
    name_key = validate_username(username)
    if not password:
        raise InvalidInput("password", "請輸入密碼")
    if find_by_username(db, name_key) is not None:
        raise InvalidInput("username", "此帳號已有人使用")
    account = Account(
        username=name_key,
        password_hash=passwords.hash(password),
        name=name,
        email=email,
        email_confirmed_at=utcnow() if email else None,
        phone=phone,
        unit=unit,
        role=role,
        status=status,
    )
    db.add(account)
    db.flush()
    return account
