"""Sign-in as a short list of steps.

Each step checks one thing about a sign-in attempt and either adds to what is known
(the account, the methods used, what must happen next) or refuses. A flow is a plain
list of steps; a new method (the institution card) is a new step, not a new flag. The
``acr`` of the resulting session follows from the methods (``amr``, RFC 8176) the
steps recorded.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from ...models import Account, AccountStatus
from ...models.base import TAIPEI
from ...store import Store
from .. import audit
from ..accounts.directory import find_by_username, normalize_username
from ..cards.certificates import CardHolder
from ..cards.challenge import CardProof
from ..errors import DomainError
from ..policy import Policy
from . import captcha
from .credentials import password_expired
from .passwords import Passwords
from .throttle import Throttle

#: Authentication context classes the hub issues, weakest first: password (+ 驗證碼),
#: and a smartcard with its PIN (alone for an enrolled personnel card, with the password
#: for an institution card).
ACR_PASSWORD = "urn:onedoor:acr:password"
ACR_CARD = "urn:onedoor:acr:card"
ACR_VALUES = (ACR_PASSWORD, ACR_CARD)

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


def acr_for(amr: Sequence[str]) -> str:
    return ACR_CARD if "sc" in amr else ACR_PASSWORD


def acr_satisfies(acr: str, required: str) -> bool:
    """Whether a session at ``acr`` is at least as strong as ``required``."""
    if required not in ACR_VALUES or acr not in ACR_VALUES:
        return False
    return ACR_VALUES.index(acr) >= ACR_VALUES.index(required)


class SigninFailed(DomainError):
    def __init__(self, message: str, reason: str, **params: object) -> None:
        super().__init__(message, **params)
        self.reason = reason


@dataclass
class SigninAttempt:
    username: str
    password: str = ""
    captcha_id: str = ""
    captcha_answer: str = ""
    ip: str = ""
    #: The card's answer to this browser session's challenge, for a card sign-in.
    card: CardProof | None = None
    session_key: str = ""


@dataclass
class SigninState:
    account: Account | None = None
    amr: list[str] = field(default_factory=list)
    password_change_required: bool = False
    card: CardHolder | None = None


@dataclass(frozen=True)
class Authentication:
    account: Account
    amr: list[str]
    acr: str
    auth_time: int
    #: The password expired or was set by someone else: change it before anything else.
    password_change_required: bool = False


class Step(Protocol):
    def run(self, attempt: SigninAttempt, state: SigninState) -> None:
        """Check one thing; raise SigninFailed to stop the sign-in."""


class AddressLimitStep:
    """Too many attempts, or too many failures, from one address: refuse for a while."""

    def __init__(self, throttle: Throttle) -> None:
        self.throttle = throttle

    def run(self, attempt: SigninAttempt, state: SigninState) -> None:
        if not self.throttle.allow("signin", attempt.ip) or self.throttle.address_refused(
            attempt.ip
        ):
            raise SigninFailed("嘗試次數過多，請稍後再試", reason="address_limited")


def captcha_required(
    db: Session, policy: Policy, throttle: Throttle, ip: str, username: str = ""
) -> bool:
    """Always, or (``after_failure``) once the address or the account failed recently."""
    if policy.captcha.mode == "always":
        return True
    if throttle.address_has_failed(ip):
        return True
    account = find_by_username(db, username) if username else None
    return account is not None and throttle.account_has_failed(account.id)


class CaptchaStep:
    """The 驗證碼 must match; each challenge can be tried once."""

    def __init__(
        self, db: Session, store: Store, policy: Policy, throttle: Throttle, enabled: bool
    ) -> None:
        self.db = db
        self.store = store
        self.policy = policy
        self.throttle = throttle
        self.enabled = enabled

    def run(self, attempt: SigninAttempt, state: SigninState) -> None:
        if not self.enabled:
            return
        if not captcha_required(self.db, self.policy, self.throttle, attempt.ip, attempt.username):
            return
        if not captcha.check(self.store, attempt.captcha_id, attempt.captcha_answer):
            raise SigninFailed("驗證碼錯誤，請重新輸入", reason="captcha")


def _lock_key(account: Account | None, username: str) -> int | str:
    """What failures are counted under: the account, or the name typed when no account
    has it (so that a name nobody holds locks the same way)."""
    return account.id if account is not None else "name:" + normalize_username(username)[:50]


def _locked_answer(
    throttle: Throttle, key: int | str, lock_minutes: int, reason: str = "locked"
) -> SigninFailed:
    stored = throttle.store.get(f"{LOCKED_UNTIL}{key}")
    until = float(stored) if stored else time.time() + lock_minutes * 60
    shown = datetime.fromtimestamp(until, TAIPEI).strftime("%Y/%m/%d %H:%M")
    return SigninFailed(LOCKED, reason=reason, until=shown)


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
    key = _lock_key(account, username)
    locked = throttle.locked(key)
    ok = passwords.check(account.password_hash if account else None, password)
    if account is not None and not locked and ok:
        return account
    throttle.address_failed(ip)
    lock_minutes = policy.lockout.lock_minutes
    if locked:
        raise _locked_answer(throttle, key, lock_minutes)
    if throttle.account_failed(key):
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
        raise _locked_answer(throttle, key, lock_minutes, reason="credentials")
    raise SigninFailed(
        BAD_CREDENTIALS,
        reason="credentials",
        max_failures=policy.lockout.max_failures,
        lock_minutes=lock_minutes,
    )


class PasswordStep:
    """Account name and password, with lockout. Costs the same whether or not the
    account exists or is locked, and says the same."""

    def __init__(
        self, db: Session, passwords: Passwords, policy: Policy, throttle: Throttle
    ) -> None:
        self.db = db
        self.passwords = passwords
        self.policy = policy
        self.throttle = throttle

    def run(self, attempt: SigninAttempt, state: SigninState) -> None:
        account = check_credentials(
            self.db,
            self.passwords,
            self.policy,
            self.throttle,
            attempt.username,
            attempt.password,
            attempt.ip,
        )
        if account.status is not AccountStatus.ACTIVE:
            # Only someone who knows the password learns the status.
            raise SigninFailed(
                "帳號目前無法使用（尚未核定、已停用或待復權），請洽單位管理者",
                reason=f"status:{account.status.value}",
            )
        self.throttle.unlock(account.id)  # a success forgets earlier failures
        if self.passwords.needs_rehash(account.password_hash):
            account.password_hash = self.passwords.hash(attempt.password)
        state.account = account
        state.amr.append("pwd")
        state.password_change_required = password_expired(self.policy.password, account)


def password_flow(
    db: Session,
    store: Store,
    passwords: Passwords,
    policy: Policy,
    throttle: Throttle,
    captcha_enabled: bool,
) -> list[Step]:
    """The portal's sign-in: address limit, captcha, account and password."""
    return [
        AddressLimitStep(throttle),
        CaptchaStep(db, store, policy, throttle, captcha_enabled),
        PasswordStep(db, passwords, policy, throttle),
    ]


def sign_in(db: Session, steps: Sequence[Step], attempt: SigninAttempt) -> Authentication:
    """Run the steps in order; audit the outcome either way."""
    state = SigninState()
    try:
        for step in steps:
            step.run(attempt, state)
    except SigninFailed as failure:
        # Kept with the account the name belongs to, for its unit's 登入紀錄.
        named = find_by_username(db, attempt.username) if attempt.username else None
        audit.record_always(
            db,
            "signin.failure",
            actor=attempt.username[:100],
            actor_account_id=named.id if named is not None else None,
            ip=attempt.ip,
            reason=failure.reason,
        )
        raise
    account = state.account
    if account is None:
        raise RuntimeError("a sign-in flow must identify the account")
    audit.record(
        db,
        "signin.success",
        actor=account.username,
        actor_account_id=account.id,
        ip=attempt.ip,
        amr=state.amr,
    )
    return Authentication(
        account=account,
        amr=list(state.amr),
        acr=acr_for(state.amr),
        auth_time=int(time.time()),
        password_change_required=state.password_change_required,
    )
