"""個人資料: what a person may change themselves (seed 002: 職稱, 市話, 備用市話, 手機,
e-mail, 備用 e-mail; anything else through the unit admin), the contacts of their
unit's admins, and everything held about them (個人資料保護法)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
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
from ..errors import DomainError, Text, text
from ..key_derivation import token_hash
from ..messaging import mail
from ..permissions import unit_admins as admins_of_unit
from .contact import ADDRESSES, confirmed_addresses, email_problem, mobile_problem, phone_problem
from .person import clean_contacts, department_problem, title_problem

EDITABLE = ("title", "department", "phone", "phone_backup", "mobile", "email", "email_backup")


class ProfileErrors(DomainError):
    def __init__(self, errors: Mapping[str, str | Text]) -> None:
        super().__init__("；".join(str(e) for e in errors.values()))
        self.errors = errors


NO_PASSWORD = text("變更電子郵件須輸入目前的密碼")

#: Where a confirmation link points, under the issuer URL.
CONFIRM_PATH = "/account/email/confirm/"


@dataclass(frozen=True)
class ProfileUpdate:
    changed: list[str]
    #: The addresses (``email``, ``email_backup``) waiting for their confirmation link.
    pending: list[str]


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


def _announce(db: Session, account: Account, kind: str, field: str, new: str, ip: str) -> None:
    """Tell the person at the addresses they have now (``address_change_requested``,
    ``address_changed``), so that a change they did not make does not go unnoticed."""
    for to in {a.strip() for a in (account.email, account.email_backup) if a.strip()}:
        mail.send_later(
            db,
            to=to,
            kind=kind,
            name=account.name or account.username,
            username=account.username,
            field=field,
            address=new,
            ip=ip,
        )


def request_address_change(
    db: Session,
    account: Account,
    field: str,
    address: str,
    *,
    actor: Account,
    issuer: str,
    link_minutes: int,
    ip: str = "",
) -> None:
    """A new ``email`` or ``email_backup`` for ``account``, in force once the person,
    signed in, opens the link mailed to it (``confirm_email``) — whoever asked for it
    (the person, or an admin). The addresses the person has now are told; audited."""
    token = secrets.token_urlsafe(32)
    db.add(
        EmailChange(
            token_hash=token_hash(token),
            account_id=account.id,
            field=field,
            new_email=address,
            expires_at=utcnow() + timedelta(minutes=link_minutes),
        )
    )
    mail.send_later(
        db,
        to=address,
        kind="email_confirm",
        name=account.name or account.username,
        username=account.username,
        minutes=link_minutes,
        link=issuer + CONFIRM_PATH + token,
    )
    _announce(db, account, "address_change_requested", field, address, ip)
    audit.record(
        db,
        "profile.address_change_requested",
        actor=actor.username,
        actor_account_id=actor.id,
        target=account.username,
        ip=ip,
        field=field,
    )


def update_profile(
    db: Session,
    recheck: Callable[[str], Text | None],
    account: Account,
    changes: dict[str, str],
    *,
    current_password: str,
    issuer: str,
    link_minutes: int,
    ip: str = "",
) -> ProfileUpdate:
    """Apply the person's own changes. Changing an address a reset link can go to asks
    for the current password (``recheck``: None when right, else what to say); a new
    address takes effect once the link mailed to it is followed, a removed backup
    address at once, and the addresses the person has now are told either way; an
    unconfirmed address is sent a new link when the password is given. Everything else
    changes at once. Nothing changes if any value is wrong."""
    problems = _problems(changes)
    if problems:
        raise ProfileErrors(problems)
    plain = ("title", "department")
    changes = {**changes, **clean_contacts({k: v for k, v in changes.items() if k not in plain})}
    for name in plain:
        changes[name] = changes[name].strip()
    confirmed = confirmed_addresses(account)
    addresses = [
        name
        for name in ADDRESSES
        if changes[name].lower() != getattr(account, name).lower()
        # An unconfirmed address is sent its link again when the password is given.
        or (current_password and changes[name] and changes[name].lower() not in confirmed)
    ]
    if addresses:
        problem = recheck(current_password) if current_password else NO_PASSWORD
        if problem is not None:
            raise ProfileErrors({"current_password": problem})
    changed = [name for name in EDITABLE if name not in ADDRESSES]
    changed = [name for name in changed if getattr(account, name) != changes[name]]
    for name in changed:
        setattr(account, name, changes[name])
    pending = []
    for name in addresses:
        if changes[name]:
            request_address_change(
                db,
                account,
                name,
                changes[name],
                actor=account,
                issuer=issuer,
                link_minutes=link_minutes,
                ip=ip,
            )
            pending.append(name)
        else:  # only the backup may be empty: removing it is in force at once
            _announce(db, account, "address_changed", name, "", ip)
            setattr(account, name, "")
            setattr(account, ADDRESSES[name], None)
            changed.append(name)
    if changed:
        account.updated_at = utcnow()
        audit.record(
            db,
            "profile.update",
            actor=account.username,
            actor_account_id=account.id,
            target=account.username,
            ip=ip,
            fields=changed,
        )
    return ProfileUpdate(changed=changed, pending=pending)


def pending_addresses(db: Session, account: Account) -> dict[str, str]:
    """The newest unconfirmed, unexpired change of each address: field → new address."""
    changes = db.scalars(
        select(EmailChange)
        .where(
            EmailChange.account_id == account.id,
            EmailChange.used_at.is_(None),
            EmailChange.expires_at > utcnow(),
        )
        .order_by(EmailChange.id)
    )
    return {change.field: change.new_email for change in changes}


def confirm_email(db: Session, token: str, account: Account, ip: str = "") -> str | None:
    """Follow a confirmation link, signed in as ``account``: the field it confirmed, or
    None when the link is unknown, used, expired or another person's (so an admin who set
    an address cannot confirm it for the person). The old address is told."""
    change = db.scalar(select(EmailChange).where(EmailChange.token_hash == token_hash(token)))
    if (
        change is None
        or change.used_at is not None
        or change.expires_at <= utcnow()
        or change.account_id != account.id
        or change.field not in ADDRESSES
    ):
        return None
    change.used_at = utcnow()
    old = getattr(account, change.field)
    if old.strip() and old.strip().lower() != change.new_email.lower():
        _announce(db, account, "address_changed", change.field, change.new_email, ip)
    setattr(account, change.field, change.new_email)
    setattr(account, ADDRESSES[change.field], utcnow())
    account.updated_at = utcnow()
    audit.record(
        db,
        "profile.email_confirmed",
        actor=account.username,
        actor_account_id=account.id,
        target=account.username,
        ip=ip,
        field=change.field,
    )
    return change.field


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
