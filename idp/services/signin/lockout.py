"""Lockout as the sign-in, the second factor and the re-entry of a password see it.

A secret (a password, a code) is checked only under a reservation of the account's
failures (``Throttle.reserve``): so at most the policy's number are checked, however
many attempts arrive at once. A name no account has is locked the same way, so nobody
learns from the answers whether an account exists.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from ...models import Account
from ...models.base import TAIPEI
from .. import audit
from ..accounts.directory import find_by_username, normalize_username
from ..errors import DomainError, Text, text
from ..policy_sections import Policy
from .passwords import Passwords
from .throttle import Throttle

T = TypeVar("T")

#: One message for a wrong account name and a wrong password alike.
BAD_CREDENTIALS = (
    "帳號或密碼錯誤。連續錯誤 {max_failures} 次將暫停登入 {lock_minutes} 分鐘；"
    "忘記密碼請使用「忘記密碼」重設，重設後即解除鎖定。"
)
#: Once the policy's failures are reached for a name, whether or not an account has it,
#: and whatever password is typed next: nobody learns from it that the account exists.
LOCKED = (
    "此帳號因連續登入失敗，暫停登入至 {until}（臺北時間）。"
    "忘記密碼請使用「忘記密碼」重設，重設後即解除鎖定。"
)
#: When the lock of an account (its id) or of a name with no account ends.
LOCKED_UNTIL = "signin:locked-until:"


class SigninFailed(DomainError):
    def __init__(self, message: str, reason: str, **params: object) -> None:
        super().__init__(message, **params)
        self.reason = reason


def lock_key(account: Account | None, username: str) -> int | str:
    """What failures are counted under: the account, or the name typed when no account
    has it (so that a name nobody holds locks the same way)."""
    return account.id if account is not None else "name:" + normalize_username(username)[:50]


def locked_answer(
    throttle: Throttle, key: int | str, lock_minutes: int, reason: str = "locked"
) -> SigninFailed:
    stored = throttle.store.get(f"{LOCKED_UNTIL}{key}")
    until = float(stored) if stored else time.time() + lock_minutes * 60
    shown = datetime.fromtimestamp(until, TAIPEI).strftime("%Y/%m/%d %H:%M")
    return SigninFailed(LOCKED, reason=reason, until=shown)


def locked_now(
    db: Session,
    policy: Policy,
    throttle: Throttle,
    key: int | str,
    account: Account | None,
    ip: str,
) -> None:
    """Remember when the lock of ``key`` ends, and audit it for an account."""
    lock_minutes = policy.lockout.lock_minutes
    throttle.store.set(
        f"{LOCKED_UNTIL}{key}", str(time.time() + lock_minutes * 60).encode(), lock_minutes * 60
    )
    if account is not None:
        audit.record_always(
            db,
            "account.locked",
            actor="system",
            target=account.username,
            actor_account_id=account.id,
            ip=ip,
            minutes=lock_minutes,
        )


#: How long an attempt waits for the checks under way on its key to settle.
RESERVATION_WAIT_SECONDS = 1.0


def _reserve(throttle: Throttle, key: int | str) -> bool:
    """Reserve a check for ``key``, waiting a moment while the checks under way settle:
    refused when the key is locked, or still full after the wait. (Several right
    passwords at once, a person on two devices, all get in; wrong ones lock the key as
    they settle, and the attempts waiting are refused.)"""
    deadline = time.monotonic() + RESERVATION_WAIT_SECONDS
    while not throttle.reserve(key):
        if throttle.locked(key) or time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


def check_under_reservation(
    db: Session,
    policy: Policy,
    throttle: Throttle,
    key: int | str,
    account: Account | None,
    ip: str,
    check: Callable[[], T | None],
    *,
    reason: str,
    when_refused: Callable[[], object] = lambda: None,
) -> T | None:
    """Run ``check`` of one secret for ``key`` (an account, or a name no account has)
    under a reservation: what it found, or None for a wrong secret, counted against the
    address and the key. Refused unchecked (``when_refused`` runs instead) while the key
    is locked, or while its failures and the checks under way stay at the policy's; the
    failure that locks the key, and every refusal, say until when (``SigninFailed``)."""
    lock_minutes = policy.lockout.lock_minutes
    if not _reserve(throttle, key):
        when_refused()
        throttle.address_failed(ip)
        raise locked_answer(throttle, key, lock_minutes)
    found = check()
    if found is not None:
        throttle.release(key)
        return found
    throttle.address_failed(ip)
    if throttle.settle_failure(key):
        locked_now(db, policy, throttle, key, account, ip)
        raise locked_answer(throttle, key, lock_minutes, reason=reason)
    return None


def count_failure(
    db: Session,
    policy: Policy,
    throttle: Throttle,
    key: int | str | None,
    account: Account | None,
    ip: str,
) -> bool:
    """A failure found without a secret being checked (a passkey's answer refused):
    counted against the address, and against the account or name (``key``), which it
    may lock (audited for an account). True when this one locked it."""
    throttle.address_failed(ip)
    if key is None or not throttle.account_failed(key):
        return False
    locked_now(db, policy, throttle, key, account, ip)
    return True


def check_credentials(
    db: Session,
    passwords: Passwords,
    policy: Policy,
    throttle: Throttle,
    username: str,
    password: str,
    ip: str,
) -> Account:
    """The account whose password this is, whatever its status, counting failures toward
    lockout. Costs the same whether or not the account exists or is locked, and says the
    same: a wrong name or password, and once the policy's failures are reached for a
    name, that it is locked and until when."""
    account = find_by_username(db, username)
    found = check_under_reservation(
        db,
        policy,
        throttle,
        lock_key(account, username),
        account,
        ip,
        lambda: (
            account
            if passwords.check(account.password_hash if account else None, password)
            else None
        ),
        reason="credentials",
        when_refused=lambda: passwords.check(None, password),  # the same cost, nothing learnt
    )
    if found is None:
        raise SigninFailed(
            BAD_CREDENTIALS,
            reason="credentials",
            max_failures=policy.lockout.max_failures,
            lock_minutes=policy.lockout.lock_minutes,
        )
    return found


def recheck_password(
    db: Session,
    passwords: Passwords,
    policy: Policy,
    throttle: Throttle,
    account: Account,
    password: str,
    ip: str,
) -> Text | None:
    """The signed-in person's password, asked again before a change that needs it
    (修改密碼, an address a reset link can go to): None when right, else what to tell
    them. Counted toward the account's lockout like a sign-in, so that a session left
    open is no way to guess the password; refused unchecked while the account is
    locked (with no hash spent: the person is known, there is nothing to hide)."""
    try:
        right = check_under_reservation(
            db,
            policy,
            throttle,
            account.id,
            account,
            ip,
            lambda: True if passwords.check(account.password_hash, password) else None,
            reason="recheck",
        )
    except SigninFailed as locked:
        return locked.text
    if right:
        throttle.forgive(account.id)  # consecutive failures, as at sign-in
        return None
    return text(
        "目前的密碼不正確。連續錯誤 {max_failures} 次將暫停登入 {lock_minutes} 分鐘。",
        max_failures=policy.lockout.max_failures,
        lock_minutes=policy.lockout.lock_minutes,
    )
