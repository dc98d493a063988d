"""Sign-in with a smartcard (憑證登入), as steps beside those of ``signin``:

- an institution card (醫事機構卡) of the unit, with the password of one of its unit
  admins: ``amr`` ``sc``, ``pin``, ``pwd``, ``mfa``;
- an enrolled personnel card (醫事人員卡) alone: ``amr`` ``sc``, ``pin``.

The card signs the hub's challenge only after its PIN is typed, hence ``pin``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import AccountRole, AccountStatus, CardEnrolment
from ...store import Store
from ..policy_sections import Policy
from ..signin.lockout import SigninFailed
from ..signin.passwords import Passwords
from ..signin.steps import (
    AddressLimitStep,
    PasswordStep,
    SigninAttempt,
    SigninState,
    Step,
)
from ..signin.throttle import Throttle
from .certificates import CardKind, CardRefused, CardTrust, person_key
from .challenge import Purpose, verify_proof

#: One message for every card that cannot sign in to this account, whatever the reason.
CARD_NOT_ACCEPTED = "此卡片無法登入此帳號，請確認卡片與帳號"


class CardStep:
    """The card signed this browser session's sign-in challenge, and its certificate is
    trusted and of the expected kind."""

    def __init__(self, store: Store, trust: CardTrust, issuer: str, kind: CardKind) -> None:
        self.store = store
        self.trust = trust
        self.issuer = issuer
        self.kind = kind

    def run(self, attempt: SigninAttempt, state: SigninState) -> None:
        if attempt.card is None:
            raise SigninFailed("請插入卡片並輸入 PIN 碼", reason="card:missing")
        try:
            state.card = verify_proof(
                self.store,
                self.trust,
                attempt.card,
                issuer=self.issuer,
                purpose=Purpose.SIGNIN,
                session_key=attempt.session_key,
                kind=self.kind,
            )
        except CardRefused as refused:
            raise SigninFailed(refused.message, reason=f"card:{refused.reason}") from refused
        state.amr.extend(["sc", "pin"])


class InstitutionCardStep:
    """The account (known from its password) is a unit admin of the card's unit; a
    complete sign-in forgets earlier failures."""

    def __init__(self, throttle: Throttle) -> None:
        self.throttle = throttle

    def run(self, attempt: SigninAttempt, state: SigninState) -> None:
        account, card = state.account, state.card
        if account is None or card is None:
            raise RuntimeError("runs after the card and password steps")
        unit_code = account.unit.code if account.unit is not None else None
        if account.role is not AccountRole.UNIT_ADMIN or unit_code != card.unit_code:
            raise SigninFailed(CARD_NOT_ACCEPTED, reason="card:other_unit")
        self.throttle.forgive(account.id)
        state.amr.append("mfa")


class EnrolledCardStep:
    """The personnel card's holder enrolled it to an active account."""

    def __init__(self, db: Session, secret: str) -> None:
        self.db = db
        self.secret = secret

    def run(self, attempt: SigninAttempt, state: SigninState) -> None:
        card = state.card
        if card is None:
            raise RuntimeError("runs after the card step")
        enrolment = (
            self.db.scalar(
                select(CardEnrolment).where(
                    CardEnrolment.person_key == person_key(self.secret, card.person_id)
                )
            )
            if card.person_id
            else None
        )
        if enrolment is None or enrolment.account.status is not AccountStatus.ACTIVE:
            raise SigninFailed(CARD_NOT_ACCEPTED, reason="card:not_enrolled")
        state.account = enrolment.account


def institution_card_flow(
    db: Session,
    store: Store,
    passwords: Passwords,
    policy: Policy,
    throttle: Throttle,
    trust: CardTrust,
    issuer: str,
) -> list[Step]:
    """A unit admin: the institution card of their unit, then their password."""
    return [
        AddressLimitStep(throttle),
        CardStep(store, trust, issuer, CardKind.INSTITUTION),
        PasswordStep(db, passwords, policy, throttle),
        InstitutionCardStep(throttle),
    ]


def personnel_card_flow(
    db: Session, store: Store, throttle: Throttle, trust: CardTrust, issuer: str, secret: str
) -> list[Step]:
    """Anyone who enrolled their personnel card: the card alone."""
    return [
        AddressLimitStep(throttle),
        CardStep(store, trust, issuer, CardKind.PERSONNEL),
        EnrolledCardStep(db, secret),
    ]
