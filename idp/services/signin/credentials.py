"""An account's password: choosing a new one under the policy, changing it (修改密碼),
resetting a forgotten one (忘記密碼), and when it has expired."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Account, AccountStatus, PasswordHistory, PasswordReset, ResetRequest, utcnow
from .. import audit
from ..accounts.contact import confirmed_addresses
from ..accounts.directory import find_by_username
from ..errors import DomainError, InvalidInput, NotAllowed
from ..key_derivation import token_hash
from ..messaging import mail
from ..permissions import may_reset_password
from ..policy_sections import PasswordPolicy, Policy
from .lockout import recheck_password
from .password_rules import PersonalData, Verdict, evaluate, history_rule
from .passwords import Passwords
from .throttle import Throttle


def personal_data(account: Account) -> PersonalData:
    return PersonalData(
        username=account.username,
        name=account.name,
        phones=tuple(p for p in (account.phone, account.phone_backup, account.mobile) if p),
        emails=tuple(e for e in (account.email, account.email_backup) if e),
    )


def password_expired(policy: PasswordPolicy, account: Account) -> bool:
    if account.must_change_password:
        return True
    if not policy.max_age_days:
        return False
    return utcnow() - account.password_changed_at > timedelta(days=policy.max_age_days)


def change_due_soon(policy: PasswordPolicy, account: Account) -> bool:
    """Past the reminder age (seeds: change every 2 months) but not yet forced."""
    if not policy.remind_after_days:
        return False
    return utcnow() - account.password_changed_at > timedelta(days=policy.remind_after_days)


def _recent_hashes(db: Session, account: Account, count: int) -> list[str]:
    if count <= 0:
        return []
    rows = db.scalars(
        select(PasswordHistory.password_hash)
        .where(PasswordHistory.account_id == account.id)
        .order_by(PasswordHistory.created_at.desc(), PasswordHistory.id.desc())
        .limit(count - 1)
    )
    return [account.password_hash, *rows]


def check_new_password(
    db: Session, passwords: Passwords, policy: PasswordPolicy, account: Account, new: str
) -> Verdict:
    verdict = evaluate(policy, new, personal_data(account))
    if any(passwords.check(old, new) for old in _recent_hashes(db, account, policy.history)):
        verdict.problems.append(history_rule(policy))
    return verdict


def set_password(
    db: Session,
    passwords: Passwords,
    policy: PasswordPolicy,
    account: Account,
    new: str,
    *,
    confirm: str | None = None,
    chosen_by_owner: bool = True,
) -> None:
    """Set a new password if the policy allows it; ``chosen_by_owner=False`` (an admin
    or a generated password) makes the owner change it at the next sign-in."""
    if confirm is not None and not hmac.compare_digest(new.encode(), confirm.encode()):
        raise InvalidInput("confirm", "兩次輸入的新密碼不一致")
    verdict = check_new_password(db, passwords, policy, account, new)
    if not verdict.ok:
        raise InvalidInput("new_password", texts=verdict.problems)
    db.add(PasswordHistory(account_id=account.id, password_hash=account.password_hash))
    account.password_hash = passwords.hash(new)
    account.password_changed_at = utcnow()
    account.must_change_password = not chosen_by_owner


def change_password(
    db: Session,
    passwords: Passwords,
    policy: Policy,
    throttle: Throttle,
    account: Account,
    *,
    current: str,
    new: str,
    confirm: str,
    ip: str = "",
) -> None:
    """修改密碼: the current password (counted toward lockout), then a new one under the
    policy."""
    problem = recheck_password(db, passwords, policy, throttle, account, current, ip)
    if problem is not None:
        audit.record_always(
            db,
            "password.change_refused",
            actor=account.username,
            actor_account_id=account.id,
            ip=ip,
        )
        raise InvalidInput("current_password", texts=[problem])
    if passwords.check(account.password_hash, new):
        raise InvalidInput("new_password", "新密碼不可與目前的密碼相同")
    set_password(db, passwords, policy.password, account, new, confirm=confirm)
    audit.record(db, "password.change", actor=account.username, actor_account_id=account.id, ip=ip)


# 忘記密碼 -------------------------------------------------------------------------------


#: Where a reset link points, under the issuer URL (the portal serves it).
RESET_PATH = "/password/reset/"


def request_reset(db: Session, *, username: str, email: str, ip: str = "") -> None:
    """Take a 忘記密碼 request; it is handled later by ``handle_reset_requests``.

    Whether the account and address match is decided away from the request, so the
    answer — and the time it takes — is the same either way.
    """
    db.add(ResetRequest(username=username[:50], email=email[:254], ip=ip))


def handle_reset_requests(db: Session, policy: PasswordPolicy, issuer: str) -> int:
    """Mail a single-use link for each request whose account and e-mail belong together;
    returns how many links were sent. Requests are deleted once handled."""
    sent = 0
    for request in db.scalars(
        select(ResetRequest).order_by(ResetRequest.id).with_for_update(skip_locked=True)
    ):
        account = find_by_username(db, request.username)
        address = request.email.strip().lower()
        matches = (
            account is not None
            and account.status in (AccountStatus.ACTIVE, AccountStatus.DORMANT)
            and address in confirmed_addresses(account)
        )
        audit.record(
            db, "password.reset_requested", actor=request.username, ip=request.ip, matched=matches
        )
        db.delete(request)
        if not matches:
            continue
        assert account is not None
        _mail_reset_link(db, policy, issuer, account, request.email.strip(), request.ip)
        sent += 1
    return sent


def _mail_reset_link(
    db: Session, policy: PasswordPolicy, issuer: str, account: Account, to: str, ip: str
) -> None:
    token = secrets.token_urlsafe(32)
    db.add(
        PasswordReset(
            token_hash=token_hash(token),
            account_id=account.id,
            ip=ip,
            expires_at=utcnow() + timedelta(minutes=policy.reset_link_minutes),
        )
    )
    mail.send_later(
        db,
        to=to,
        kind="password_reset",
        name=account.name or account.username,
        username=account.username,
        minutes=policy.reset_link_minutes,
        link=issuer + RESET_PATH + token,
    )


def reset_address(account: Account) -> str:
    """Where an admin-initiated reset link goes: the person's primary e-mail once they
    confirmed it by link, never an address the admin typed. "" when there is none."""
    address = account.email.strip()
    return address if address.lower() in confirmed_addresses(account) else ""


def send_reset_link(
    db: Session,
    policy: PasswordPolicy,
    issuer: str,
    manager: Account,
    account: Account,
    ip: str = "",
) -> None:
    """重設密碼通知 sent by an admin (``permissions.may_reset_password``): a single-use
    link, valid as long as a 忘記密碼 link, to ``reset_address``; audited."""
    if not may_reset_password(manager, account):
        raise NotAllowed("您不能重設這個帳號的密碼")
    if account.status not in (AccountStatus.ACTIVE, AccountStatus.DORMANT):
        raise DomainError("只有啟用中或待復權的帳號可以重設密碼")
    address = reset_address(account)
    if not address:
        raise DomainError("此帳號沒有已確認的電子郵件，無法寄送重設密碼連結")
    _mail_reset_link(db, policy, issuer, account, address, ip)
    audit.record(
        db,
        "password.reset_sent",
        actor=manager.username,
        actor_account_id=manager.id,
        target=account.username,
        ip=ip,
    )


def find_reset(db: Session, token: str) -> PasswordReset | None:
    """The reset a link names, if it is unused and unexpired."""
    reset = db.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_hash(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


def complete_reset(
    db: Session,
    passwords: Passwords,
    policy: PasswordPolicy,
    reset: PasswordReset,
    *,
    new: str,
    confirm: str,
    ip: str = "",
) -> Account:
    """Set the new password and use up the link. The caller then unlocks the account
    and ends its sessions (``end_all_sessions``)."""
    account = db.get(Account, reset.account_id)
    assert account is not None
    set_password(db, passwords, policy, account, new, confirm=confirm)
    reset.used_at = utcnow()
    audit.record(db, "password.reset", actor=account.username, actor_account_id=account.id, ip=ip)
    return account
