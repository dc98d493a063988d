"""Signing in with a second factor, as steps beside those of ``signin.steps``:

- after the password, in a second request: an authenticator-app code (``amr`` ``pwd``,
  ``otp``, ``mfa``), a passkey (``pwd``, ``hwk`` or ``swk``, ``user``, ``pin`` when the
  authenticator verified its user, ``mfa``) or a recovery code (``pwd``, ``mfa``);
- a passkey alone, where the policy allows it, its user verified (``hwk``/``swk``,
  ``user``, ``pin``, ``mfa``).

Wrong codes and refused passkeys count toward the account's lockout and the address
limit exactly as wrong passwords do, and a locked account gets no second step either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from ...models import Account, AccountStatus, utcnow
from ...store import Store
from .. import audit
from ..messaging import mail
from ..policy_sections import Policy
from ..signin.lockout import SigninFailed, check_under_reservation, count_failure, locked_answer
from ..signin.steps import (
    AddressLimitStep,
    SecondFactorStep,
    SigninAttempt,
    SigninState,
    Step,
)
from ..signin.throttle import Throttle
from . import recovery, totp
from .passkeys import PasskeyRefused, RelyingParty, use_passkey

T = TypeVar("T")

WRONG_CODE = "驗證碼不正確或已使用過。連續錯誤 {max_failures} 次將暫停登入 {lock_minutes} 分鐘。"
WRONG_RECOVERY_CODE = (
    "復原碼不正確或已使用過。連續錯誤 {max_failures} 次將暫停登入 {lock_minutes} 分鐘。"
)
PASSKEY_REFUSED = "通行密鑰驗證失敗，請重新操作"
EXPIRED = "登入已逾時，請重新輸入帳號密碼"
UNAVAILABLE = "帳號目前無法使用（尚未核定、已停用或待復權），請洽單位管理者"


def _usable(account: Account | None, throttle: Throttle, policy: Policy) -> Account:
    if account is None or account.status is not AccountStatus.ACTIVE:
        raise SigninFailed(UNAVAILABLE, reason="second_factor:unavailable")
    if throttle.locked(account.id):
        raise locked_answer(throttle, account.id, policy.lockout.lock_minutes)
    return account


def add_second_factor(state: SigninState, methods: list[str]) -> None:
    state.amr.extend(m for m in methods if m not in state.amr)
    if "mfa" not in state.amr:
        state.amr.append("mfa")


class FirstFactorStep:
    """Carries on from the password given in the first request: the account is still
    active and not locked."""

    def __init__(self, db: Session, policy: Policy, throttle: Throttle) -> None:
        self.db = db
        self.policy = policy
        self.throttle = throttle

    def run(self, attempt: SigninAttempt, state: SigninState) -> None:
        first = attempt.first_factor
        if first is None:
            raise SigninFailed(EXPIRED, reason="second_factor:expired")
        state.account = _usable(self.db.get(Account, first.account_id), self.throttle, self.policy)
        state.amr = list(first.amr)
        state.password_change_required = first.password_change_required


class _CodeStep:
    def __init__(self, db: Session, policy: Policy, throttle: Throttle) -> None:
        self.db = db
        self.policy = policy
        self.throttle = throttle

    def check(
        self,
        account: Account,
        attempt: SigninAttempt,
        check: Callable[[], T | None],
        message: str,
        kind: str,
    ) -> T:
        """What ``check`` found for the code given, checked under a reservation of the
        account's failures; a wrong code is counted, and the one that locks the account
        says until when."""
        lockout = self.policy.lockout
        reason = f"second_factor:{kind}"
        found = check_under_reservation(
            self.db,
            self.policy,
            self.throttle,
            account.id,
            account,
            attempt.ip,
            check,
            reason=reason,
        )
        if found is None:
            raise SigninFailed(
                message,
                reason=reason,
                max_failures=lockout.max_failures,
                lock_minutes=lockout.lock_minutes,
            )
        return found


class TotpStep(_CodeStep):
    """The authenticator app's current code, once."""

    def __init__(
        self, db: Session, store: Store, box: totp.TotpBox, policy: Policy, throttle: Throttle
    ) -> None:
        super().__init__(db, policy, throttle)
        self.store = store
        self.box = box

    def run(self, attempt: SigninAttempt, state: SigninState) -> None:
        account = state.account
        if account is None:
            raise RuntimeError("runs after the first factor")
        app = totp.app_of(self.db, account)

        def right() -> bool | None:
            ok = app is not None and totp.check_code(
                self.store, self.box, app, attempt.code, utcnow()
            )
            return True if ok else None

        self.check(account, attempt, right, WRONG_CODE, "totp")
        add_second_factor(state, ["otp"])


class RecoveryCodeStep(_CodeStep):
    """One of the person's unused recovery codes; its use is audited and mailed."""

    def __init__(
        self, db: Session, hasher: recovery.RecoveryHasher, policy: Policy, throttle: Throttle
    ) -> None:
        super().__init__(db, policy, throttle)
        self.hasher = hasher

    def run(self, attempt: SigninAttempt, state: SigninState) -> None:
        account = state.account
        if account is None:
            raise RuntimeError("runs after the first factor")
        now = utcnow()
        left = self.check(
            account,
            attempt,
            lambda: recovery.use(self.db, self.hasher, account, attempt.code, now),
            WRONG_RECOVERY_CODE,
            "recovery_code",
        )
        audit.record(
            self.db,
            "second_factor.recovery_code_used",
            actor=account.username,
            actor_account_id=account.id,
            target=account.username,
            ip=attempt.ip,
            remaining=left,
        )
        if account.email:
            mail.send_later(
                self.db,
                to=account.email,
                kind="recovery_code_used",
                name=account.name,
                username=account.username,
                remaining=left,
                ip=attempt.ip,
            )
        add_second_factor(state, [])


class PasskeyStep:
    """A passkey's answer to this browser session's challenge: one of the person's after
    their password, or (``alone``) any of the hub's, its user verified, naming the account."""

    def __init__(
        self, db: Session, rp: RelyingParty, policy: Policy, throttle: Throttle, *, alone: bool
    ) -> None:
        self.db = db
        self.rp = rp
        self.policy = policy
        self.throttle = throttle
        self.alone = alone

    def run(self, attempt: SigninAttempt, state: SigninState) -> None:
        if self.alone and not self.policy.mfa.passwordless:
            raise SigninFailed("目前不開放僅以通行密鑰登入，請輸入帳號密碼", reason="passkey:off")
        if attempt.passkey is None:
            raise SigninFailed(PASSKEY_REFUSED, reason="passkey:missing")
        try:
            used = use_passkey(
                self.db,
                self.rp,
                attempt.passkey,
                attempt.passkey_challenge,
                account=None if self.alone else state.account,
                require_user_verification=self.alone,
                now=utcnow(),
            )
        except PasskeyRefused as refused:
            account = state.account  # None alone: whose passkey it claims to be is unknown
            key = account.id if account is not None else None
            reason = f"passkey:{refused.reason}"
            locked = count_failure(self.db, self.policy, self.throttle, key, account, attempt.ip)
            if locked and key is not None:
                lock_minutes = self.policy.lockout.lock_minutes
                raise locked_answer(self.throttle, key, lock_minutes, reason) from refused
            raise SigninFailed(PASSKEY_REFUSED, reason=reason) from refused
        if self.alone:
            owner = self.db.get(Account, used.passkey.account_id)
            state.account = _usable(owner, self.throttle, self.policy)
        add_second_factor(state, used.methods)


def second_factor_flow(db: Session, policy: Policy, throttle: Throttle, step: Step) -> list[Step]:
    """The second request of a sign-in: the password given in the first, then ``step``."""
    return [
        AddressLimitStep(throttle),
        FirstFactorStep(db, policy, throttle),
        step,
        SecondFactorStep(db, policy, throttle),
    ]


def passkey_flow(db: Session, rp: RelyingParty, policy: Policy, throttle: Throttle) -> list[Step]:
    """Passwordless: a discoverable passkey alone."""
    return [
        AddressLimitStep(throttle),
        PasskeyStep(db, rp, policy, throttle, alone=True),
        SecondFactorStep(db, policy, throttle),
    ]
