"""A person's second factors as a whole: what they hold, adding the first one (with its
recovery codes), removing one, and a reset by their unit admin or the authority."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ...models import Account, AuthenticatorApp, Passkey, RecoveryCode, utcnow
from .. import audit, names, permissions
from ..errors import DomainError, NotAllowed, NotFound
from ..messaging import mail
from ..policy_sections import MfaPolicy
from . import recovery
from .passkeys import passkeys_of
from .requirement import Requirement, enrolment_due, held_kinds, requirement_for
from .totp import app_of


@dataclass(frozen=True)
class Factors:
    """What the 兩步驟驗證 page shows."""

    passkeys: list[Passkey]
    app: AuthenticatorApp | None
    recovery_left: int
    requirement: Requirement

    @property
    def held(self) -> frozenset[str]:
        return frozenset(
            kind for kind, has in (("passkey", self.passkeys), ("totp", self.app)) if has
        )


def factors_of(db: Session, policy: MfaPolicy, account: Account) -> Factors:
    return Factors(
        passkeys=passkeys_of(db, account),
        app=app_of(db, account),
        recovery_left=recovery.remaining(db, account),
        requirement=requirement_for(policy, account),
    )


@dataclass(frozen=True)
class Enrolled:
    #: Recovery codes made with the person's first second factor, to show once.
    recovery_codes: list[str]
    #: When a second factor the rules count is still due (None: nothing is).
    due: datetime | None


def enrolled(
    db: Session, hasher: recovery.RecoveryHasher, policy: MfaPolicy, account: Account, ip: str
) -> Enrolled:
    """After a factor was added: recovery codes if the person has none yet, and whether
    their roles' rules are met now."""
    db.flush()
    has_codes = db.scalar(
        select(func.count(RecoveryCode.id)).where(RecoveryCode.account_id == account.id)
    )
    codes = [] if has_codes else recovery.generate(db, hasher, account, ip)
    due = enrolment_due(db, policy, account, held_kinds(db, account), utcnow())
    return Enrolled(codes, due)


def _keeps_rule(db: Session, policy: MfaPolicy, account: Account, left: frozenset[str]) -> None:
    """A person whose roles require a second factor keeps one that counts."""
    requirement = requirement_for(policy, account)
    if requirement.required and not requirement.met_by(left):
        raise DomainError(
            "您的角色須保留至少一種兩步驟驗證（{kinds}）；請先新增另一個再移除。",
            kinds="、".join(names.SECOND_FACTOR_KIND[k] for k in sorted(requirement.kinds)),
        )


def _removed(db: Session, account: Account, kind: str, ip: str, **details: object) -> None:
    """Audit a removal; with no factor left, the recovery codes go too."""
    db.flush()
    if not held_kinds(db, account):
        db.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    audit.record(
        db,
        "second_factor.remove",
        actor=account.username,
        actor_account_id=account.id,
        target=account.username,
        ip=ip,
        kind=kind,
        **details,
    )


def remove_passkey(
    db: Session, policy: MfaPolicy, account: Account, passkey_id: int, ip: str
) -> None:
    passkey = db.scalar(
        select(Passkey).where(Passkey.id == passkey_id, Passkey.account_id == account.id)
    )
    if passkey is None:
        raise NotFound("查無此通行密鑰")
    others = len(passkeys_of(db, account)) > 1
    left = held_kinds(db, account) - (set() if others else {"passkey"})
    _keeps_rule(db, policy, account, left)
    db.delete(passkey)
    _removed(db, account, "passkey", ip, passkey=passkey_id)


def remove_app(db: Session, policy: MfaPolicy, account: Account, ip: str) -> None:
    app = app_of(db, account)
    if app is None:
        return
    _keeps_rule(db, policy, account, held_kinds(db, account) - {"totp"})
    db.delete(app)
    _removed(db, account, "totp", ip)


def reset(
    db: Session,
    policy: MfaPolicy,
    manager: Account | None,
    account: Account,
    reason: str,
    ip: str,
) -> None:
    """重設兩步驟驗證: every second factor and recovery code of the person goes; if their
    roles require one, they must enrol again at their next sign-in. Audited and mailed.
    ``manager`` None is an operator at the server's command line (``idp accounts
    reset-second-factors``), for the accounts no manager may reset (security admins)."""
    if manager is not None and not permissions.may_reset_second_factors(manager, account):
        raise NotAllowed("您不能重設此帳號的兩步驟驗證")
    if not reason.strip():
        raise DomainError("請說明重設原因")
    removed = sorted(held_kinds(db, account))
    for model in (Passkey, AuthenticatorApp, RecoveryCode):
        db.execute(delete(model).where(model.account_id == account.id))
    if requirement_for(policy, account).required:
        account.second_factor_due_at = utcnow()
    audit.record(
        db,
        "second_factor.reset",
        actor=manager.username if manager else "cli",
        actor_account_id=manager.id if manager else None,
        target=account.username,
        ip=ip,
        removed=removed,
        reason=reason.strip()[:500],
    )
    if account.email:
        mail.send_later(
            db,
            to=account.email,
            kind="second_factor_reset",
            name=account.name,
            username=account.username,
            by=(manager.name or manager.username) if manager else "系統管理者",
        )
