"""Sign-in as a short list of steps.

Each step checks one thing about a sign-in attempt and either adds to what is known
(the account, the methods used) or refuses. A flow is a plain list of steps; a new
method (the institution card) is a new step, not a new flag. The ``acr`` of the
resulting session follows from the methods (``amr``, RFC 8176) the steps recorded.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session

from ..models import Account, AccountStatus
from ..store import Store
from . import audit, captcha
from .accounts import find_by_username
from .errors import DomainError
from .passwords import Passwords

#: Authentication context classes the hub issues, weakest first.
ACR_PASSWORD = "urn:onedoor:acr:password"
ACR_CARD = "urn:onedoor:acr:card"
ACR_VALUES = (ACR_PASSWORD, ACR_CARD)

#: One message for every wrong account, wrong password or unknown account.
BAD_CREDENTIALS = "帳號或密碼錯誤"


def acr_for(amr: Sequence[str]) -> str:
    return ACR_CARD if "sc" in amr else ACR_PASSWORD


def acr_satisfies(acr: str, required: str) -> bool:
    """Whether a session at ``acr`` is at least as strong as ``required``."""
    if required not in ACR_VALUES or acr not in ACR_VALUES:
        return False
    return ACR_VALUES.index(acr) >= ACR_VALUES.index(required)


class SigninFailed(DomainError):
    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass
class SigninAttempt:
    username: str
    password: str = ""
    captcha_id: str = ""
    captcha_answer: str = ""
    ip: str = ""


@dataclass
class SigninState:
    account: Account | None = None
    amr: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Authentication:
    account: Account
    amr: list[str]
    acr: str
    auth_time: int


class Step(Protocol):
    def run(self, attempt: SigninAttempt, state: SigninState) -> None:
        """Check one thing; raise SigninFailed to stop the sign-in."""


class CaptchaStep:
    """The 驗證碼 must match; each challenge can be tried once."""

    def __init__(self, store: Store, enabled: bool) -> None:
        self.store = store
        self.enabled = enabled

    def run(self, attempt: SigninAttempt, state: SigninState) -> None:
        if self.enabled and not captcha.check(
            self.store, attempt.captcha_id, attempt.captcha_answer
        ):
            raise SigninFailed("驗證碼錯誤，請重新輸入", reason="captcha")


class PasswordStep:
    """Account name and password. Costs the same whether or not the account exists."""

    def __init__(self, db: Session, passwords: Passwords) -> None:
        self.db = db
        self.passwords = passwords

    def run(self, attempt: SigninAttempt, state: SigninState) -> None:
        account = find_by_username(self.db, attempt.username)
        ok = self.passwords.check(account.password_hash if account else None, attempt.password)
        if account is None or not ok:
            raise SigninFailed(BAD_CREDENTIALS, reason="credentials")
        if account.status is not AccountStatus.ACTIVE:
            # Only someone who knows the password learns the status.
            raise SigninFailed(
                "帳號目前無法使用（尚未核定、已停用或待復權），請洽單位管理者",
                reason=f"status:{account.status.value}",
            )
        if self.passwords.needs_rehash(account.password_hash):
            account.password_hash = self.passwords.hash(attempt.password)
        state.account = account
        state.amr.append("pwd")


def sign_in(db: Session, steps: Sequence[Step], attempt: SigninAttempt) -> Authentication:
    """Run the steps in order; audit the outcome either way."""
    state = SigninState()
    try:
        for step in steps:
            step.run(attempt, state)
    except SigninFailed as failure:
        audit.record(
            db, "signin.failure", actor=attempt.username[:100], ip=attempt.ip, reason=failure.reason
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
        account=account, amr=list(state.amr), acr=acr_for(state.amr), auth_time=int(time.time())
    )
