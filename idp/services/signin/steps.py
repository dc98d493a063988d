"""Sign-in as a short list of steps.

Each step checks one thing about a sign-in attempt and either adds to what is known
(the account, the methods used, what must happen next) or refuses. A flow is a plain
list of steps; a new method (the institution card, a passkey, an authenticator app) is
a new step, not a new flag. A sign-in may take two requests: the password, then a second
factor (``services.factors.signin``), the second carrying what the first found
(``FirstFactor``). The ``acr`` of the resulting session follows from the methods
(``amr``, RFC 8176) the steps recorded.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from ...models import Account, AccountStatus, utcnow
from ...store import Store
from .. import audit
from ..accounts.directory import find_by_username
from ..cards.certificates import CardHolder
from ..cards.challenge import CardProof
from ..factors.requirement import enrolment_due, held_kinds
from ..policy_sections import Policy
from . import captcha
from .credentials import password_expired
from .lockout import SigninFailed, check_credentials
from .passwords import Passwords
from .throttle import Throttle

#: Authentication context classes the hub issues, in the order of discovery's
#: ``acr_values_supported``: password (+ 驗證碼); password and a second factor; a
#: phishing-resistant sign-in (a passkey, alone or after the password, or a card); and
#: the card in particular, which a client that asks for it gets and nothing else.
ACR_PASSWORD = "urn:onedoor:acr:password"
ACR_MFA = "urn:onedoor:acr:mfa"
ACR_PHISHING_RESISTANT = "urn:onedoor:acr:phishing-resistant"
ACR_CARD = "urn:onedoor:acr:card"
ACR_VALUES = (ACR_PASSWORD, ACR_MFA, ACR_PHISHING_RESISTANT, ACR_CARD)
#: How strong each is; the card stands with the phishing-resistant level.
ACR_LEVELS = {ACR_PASSWORD: 0, ACR_MFA: 1, ACR_PHISHING_RESISTANT: 2, ACR_CARD: 2}


def acr_for(amr: Sequence[str]) -> str:
    """A card (``sc``) gives the card level; a passkey (``hwk``/``swk``) the
    phishing-resistant one; any other second factor (``mfa``) the second-factor level."""
    if "sc" in amr:
        return ACR_CARD
    if "hwk" in amr or "swk" in amr:
        return ACR_PHISHING_RESISTANT
    if "mfa" in amr:
        return ACR_MFA
    return ACR_PASSWORD


def acr_satisfies(acr: str, required: str) -> bool:
    """Whether a session at ``acr`` is at least as strong as ``required``. A client that
    asks for the card level gets a card sign-in; every other level is met by any level
    at or above it."""
    if required not in ACR_LEVELS or acr not in ACR_LEVELS:
        return False
    if required == ACR_CARD:
        return acr == ACR_CARD
    return ACR_LEVELS[acr] >= ACR_LEVELS[required]


@dataclass(frozen=True)
class FirstFactor:
    """What the first request of a two-request sign-in established, kept in the browser
    session until the second factor is given."""

    account_id: int
    username: str
    amr: tuple[str, ...]
    password_change_required: bool
    #: The kinds of second factor the person holds (``passkey``, ``totp``).
    kinds: tuple[str, ...]


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
    #: An authenticator-app code or a recovery code.
    code: str = ""
    #: A passkey's answer (``navigator.credentials.get()``, as JSON) and the challenge
    #: this browser session was given for it.
    passkey: Mapping[str, Any] | None = None
    passkey_challenge: bytes = b""
    #: The second request of a sign-in: what the first one established.
    first_factor: FirstFactor | None = None


@dataclass
class SigninState:
    account: Account | None = None
    amr: list[str] = field(default_factory=list)
    password_change_required: bool = False
    card: CardHolder | None = None
    #: Set when a second factor must be given before the sign-in completes.
    second_factor: tuple[str, ...] = ()
    enrol_by: datetime | None = None
    #: What steps give back once the attempt succeeded (an address's counted attempt).
    on_success: list[Callable[[], None]] = field(default_factory=list)


@dataclass(frozen=True)
class Authentication:
    account: Account
    amr: list[str]
    acr: str
    auth_time: int
    #: The password expired or was set by someone else: change it before anything else.
    password_change_required: bool = False
    #: Not signed in yet: the second factor (one of these kinds) comes next.
    second_factor: tuple[str, ...] = ()
    #: The person must enrol a second factor by then (their role's rule); None if not.
    enrol_by: datetime | None = None

    def first_factor(self) -> FirstFactor:
        """What the second request of this sign-in carries on from."""
        return FirstFactor(
            account_id=self.account.id,
            username=self.account.username,
            amr=tuple(self.amr),
            password_change_required=self.password_change_required,
            kinds=self.second_factor,
        )


class Step(Protocol):
    def run(self, attempt: SigninAttempt, state: SigninState) -> None:
        """Check one thing; raise SigninFailed to stop the sign-in."""


class AddressLimitStep:
    """Too many attempts, or too many failures, from one address: refuse for a while.
    ``kind`` is the form's own request limit (``throttle.LIMITS``); the failures are
    those of every form that checks a password."""

    def __init__(self, throttle: Throttle, kind: str = "signin") -> None:
        self.throttle = throttle
        self.kind = kind

    def run(self, attempt: SigninAttempt, state: SigninState) -> None:
        if not self.throttle.allow(self.kind, attempt.ip) or self.throttle.address_refused(
            attempt.ip
        ):
            raise SigninFailed("嘗試次數過多，請稍後再試", reason="address_limited")
        state.on_success.append(lambda: self.throttle.refund(self.kind, attempt.ip))


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
        if self.passwords.needs_rehash(account.password_hash):
            account.password_hash = self.passwords.hash(attempt.password)
        state.account = account
        state.amr.append("pwd")
        state.password_change_required = password_expired(self.policy.password, account)


class SecondFactorStep:
    """Last in a flow: someone who holds a second factor and has not given one yet gives
    it next (in a second request). Otherwise the sign-in is complete: earlier failures
    are forgotten, and someone whose role's rule requires a second factor they do not
    hold gets a date to enrol by."""

    def __init__(self, db: Session, policy: Policy, throttle: Throttle) -> None:
        self.db = db
        self.policy = policy
        self.throttle = throttle

    def run(self, attempt: SigninAttempt, state: SigninState) -> None:
        account = state.account
        if account is None:
            raise RuntimeError("runs after the account is known")
        held = held_kinds(self.db, account)
        if held and "mfa" not in state.amr:
            state.second_factor = tuple(sorted(held))
            return
        self.throttle.forgive(account.id)
        state.enrol_by = enrolment_due(self.db, self.policy.mfa, account, held, utcnow())


def password_flow(
    db: Session,
    store: Store,
    passwords: Passwords,
    policy: Policy,
    throttle: Throttle,
    captcha_enabled: bool,
) -> list[Step]:
    """The portal's sign-in: address limit, captcha, account and password, then the
    second factor if the person holds one."""
    return [
        AddressLimitStep(throttle),
        CaptchaStep(db, store, policy, throttle, captcha_enabled),
        PasswordStep(db, passwords, policy, throttle),
        SecondFactorStep(db, policy, throttle),
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
    for settle in state.on_success:
        settle()
    audit.record(
        db,
        "signin.first_factor" if state.second_factor else "signin.success",
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
        second_factor=state.second_factor,
        enrol_by=state.enrol_by,
    )
