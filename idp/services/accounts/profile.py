"""個人資料: what a person may change themselves (seed 002: 職稱, 市話, 備用市話, 手機,
e-mail, 備用 e-mail; anything else through the unit admin), the contacts of their
unit's admins, and everything held about them (個人資料保護法)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import (
    Account,
    AuditEvent,
    AuthenticatorApp,
    EmailChange,
    HubSession,
    Passkey,
    RecoveryCode,
    utcnow,
)
from .. import audit
from ..errors import DomainError
from ..key_derivation import token_hash
from ..messaging import mail
from ..permissions import unit_admins as admins_of_unit
from .contact import email_problem, mobile_problem, phone_problem
from .person import clean_contacts, department_problem, title_problem

EDITABLE = ("title", "department", "phone", "phone_backup", "mobile", "email", "email_backup")


class ProfileErrors(DomainError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class ProfileUpdate:
    changed: list[str]
    email_pending: bool


def _problems(changes: dict[str, str]) -> dict[str, str]:
    checks = {
        "title": title_problem(changes["title"]),
        "department": department_problem(changes["department"]),
        "phone": phone_problem(changes["phone"], required=True),
        "phone_backup": phone_problem(changes["phone_backup"], required=False),
        "mobile": mobile_problem(changes["mobile"], required=False),
        "email": email_problem(changes["email"], required=True),
        "email_backup": email_problem(changes["email_backup"], required=False),
    }
    return {name: problem for name, problem in checks.items() if problem}


def update_profile(
    db: Session,
    account: Account,
    changes: dict[str, str],
    *,
    confirm_link: Callable[[str], str],
    link_minutes: int,
    ip: str = "",
) -> ProfileUpdate:
    """Apply the person's own changes. A new e-mail address takes effect once the link
    mailed to it is followed; everything else at once. Nothing changes if any value is
    wrong."""
    problems = _problems(changes)
    if problems:
        raise ProfileErrors(problems)
    plain = ("title", "department")
    changes = {**changes, **clean_contacts({k: v for k, v in changes.items() if k not in plain})}
    for name in plain:
        changes[name] = changes[name].strip()
    changed = [
        name for name in EDITABLE if name != "email" and getattr(account, name) != changes[name]
    ]
    for name in changed:
        setattr(account, name, changes[name])
    email_pending = changes["email"].lower() != account.email.lower()
    if email_pending:
        token = secrets.token_urlsafe(32)
        db.add(
            EmailChange(
                token_hash=token_hash(token),
                account_id=account.id,
                new_email=changes["email"],
                expires_at=utcnow() + timedelta(minutes=link_minutes),
            )
        )
        mail.send_later(
            db,
            to=changes["email"],
            kind="email_confirm",
            name=account.name or account.username,
            username=account.username,
            minutes=link_minutes,
            link=confirm_link(token),
        )
    if changed:
        account.updated_at = utcnow()
    if changed or email_pending:
        audit.record(
            db,
            "profile.update",
            actor=account.username,
            actor_account_id=account.id,
            target=account.username,
            ip=ip,
            fields=changed,
            email_change_requested=email_pending,
        )
    return ProfileUpdate(changed=changed, email_pending=email_pending)


def pending_email(db: Session, account: Account) -> str | None:
    change = db.scalar(
        select(EmailChange)
        .where(
            EmailChange.account_id == account.id,
            EmailChange.used_at.is_(None),
            EmailChange.expires_at > utcnow(),
        )
        .order_by(EmailChange.id.desc())
        .limit(1)
    )
    return change.new_email if change else None


def confirm_email(db: Session, token: str, ip: str = "") -> Account | None:
    change = db.scalar(select(EmailChange).where(EmailChange.token_hash == token_hash(token)))
    if change is None or change.used_at is not None or change.expires_at <= utcnow():
        return None
    account = db.get(Account, change.account_id)
    assert account is not None
    change.used_at = utcnow()
    account.email = change.new_email
    account.updated_at = utcnow()
    audit.record(
        db,
        "profile.email_confirmed",
        actor=account.username,
        actor_account_id=account.id,
        target=account.username,
        ip=ip,
    )
    return account


def unit_admins(db: Session, account: Account) -> list[Account]:
    """The unit admins to contact for anything the person cannot change themselves."""
    return [] if account.unit_id is None else admins_of_unit(db, account.unit_id)


def export(db: Session, account: Account) -> dict[str, Any]:
    """Everything the hub holds about the person (個人資料保護法), without secrets."""
    sessions = db.scalars(
        select(HubSession)
        .where(HubSession.account_id == account.id)
        .order_by(HubSession.created_at.desc())
    )
    events = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.actor_account_id == account.id)
        .order_by(AuditEvent.at.desc())
    )
    return {
        "account": {
            "username": account.username,
            "subject": account.subject,
            "name": account.name,
            "title": account.title,
            "department": account.department,
            "email": account.email,
            "email_backup": account.email_backup,
            "phone": account.phone,
            "phone_backup": account.phone_backup,
            "mobile": account.mobile,
            "role": account.role.value,
            "status": account.status.value,
            "unit": (
                {"code": account.unit.code, "name": account.unit.name} if account.unit else None
            ),
            "created_at": account.created_at,
            "updated_at": account.updated_at,
            "last_signin_at": account.last_signin_at,
            "password_changed_at": account.password_changed_at,
        },
        "sessions": [
            {
                "created_at": s.created_at,
                "ended_at": s.ended_at,
                "ip": s.ip,
                "user_agent": s.user_agent,
                "end_reason": s.end_reason,
            }
            for s in sessions
        ],
        "activity": [
            {"at": e.at, "action": e.action, "ip": e.ip, "details": e.details} for e in events
        ],
        "second_factors": _second_factors(db, account),
    }


def _second_factors(db: Session, account: Account) -> dict[str, Any]:
    """What the person holds, without keys, secrets or codes."""
    passkeys = db.scalars(select(Passkey).where(Passkey.account_id == account.id))
    app = db.scalar(select(AuthenticatorApp).where(AuthenticatorApp.account_id == account.id))
    codes = db.scalars(select(RecoveryCode).where(RecoveryCode.account_id == account.id)).all()
    return {
        "passkeys": [
            {"name": p.name, "created_at": p.created_at, "last_used_at": p.last_used_at}
            for p in passkeys
        ],
        "authenticator_app": (
            {"created_at": app.created_at, "last_used_at": app.last_used_at} if app else None
        ),
        "recovery_codes_left": sum(1 for c in codes if c.used_at is None),
    }
