"""Recovery codes (復原碼): ten single-use codes for when a person's other second factors
are lost. Shown once when made, kept only as keyed hashes; making new ones voids the old.
Using one is audited and mailed to the person."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ...models import Account, RecoveryCode
from .. import audit
from ..key_derivation import derive_key, keyed_hash

COUNT = 10
#: Lower-case letters and digits that cannot be mistaken for each other (no i, l, o, 0, 1).
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LENGTH = 10  # about 50 bits


class RecoveryHasher:
    """Hashes codes with a key derived from the hub secret: a leaked table alone does not
    let anyone try codes offline."""

    def __init__(self, secret_key: str) -> None:
        self._key = derive_key(secret_key, "recovery-code")

    def hash(self, code: str) -> str:
        return keyed_hash(self._key, _normalise(code))


def _normalise(code: str) -> str:
    return "".join(c for c in code.lower() if c.isalnum())


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return raw[:5] + "-" + raw[5:]


def generate(
    db: Session, hasher: RecoveryHasher, account: Account, ip: str, actor: Account | None = None
) -> list[str]:
    """Ten new codes, replacing any earlier ones; the codes are returned to be shown once."""
    db.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    codes = [_new_code() for _ in range(COUNT)]
    db.add_all(RecoveryCode(account_id=account.id, code_hash=hasher.hash(c)) for c in codes)
    who = actor or account
    audit.record(
        db,
        "second_factor.recovery_codes",
        actor=who.username,
        actor_account_id=who.id,
        target=account.username,
        ip=ip,
    )
    return codes


def remaining(db: Session, account: Account) -> int:
    return (
        db.scalar(
            select(func.count(RecoveryCode.id)).where(
                RecoveryCode.account_id == account.id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )


def use(
    db: Session, hasher: RecoveryHasher, account: Account, code: str, now: datetime
) -> int | None:
    """Use up one of the account's codes; how many are left, or None if ``code`` is none
    of its unused ones."""
    # One conditional update: of two requests with the same code, one finds it unused.
    taken = db.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.account_id == account.id,
            RecoveryCode.code_hash == hasher.hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return remaining(db, account)
