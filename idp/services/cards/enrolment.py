"""A person adds their personnel card (醫事人員卡) to their own account, to sign in
with it alone, and removes it again. Both are audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Account, CardEnrolment
from .. import audit
from ..errors import DomainError
from .certificates import CardHolder, person_key


def enrolment_of(db: Session, account: Account) -> CardEnrolment | None:
    return db.scalar(select(CardEnrolment).where(CardEnrolment.account_id == account.id))


def enrol(db: Session, account: Account, card: CardHolder, secret: str, ip: str) -> CardEnrolment:
    """Replaces the account's earlier card. A card enrolled to another account is refused."""
    if not card.person_id:
        raise DomainError("無法從此卡片讀出持卡人身分")
    key = person_key(secret, card.person_id)
    taken = db.scalar(select(CardEnrolment).where(CardEnrolment.person_key == key))
    if taken is not None and taken.account_id != account.id:
        raise DomainError("此卡片已註冊於其他帳號")
    for earlier in (taken, enrolment_of(db, account)):
        if earlier is not None:
            db.delete(earlier)
    db.flush()
    enrolment = CardEnrolment(
        account_id=account.id,
        person_key=key,
        fingerprint=card.fingerprint,
        subject=card.subject,
        not_after=card.not_after,
    )
    db.add(enrolment)
    audit.record(
        db,
        "card.enrol",
        actor=account.username,
        actor_account_id=account.id,
        target=account.username,
        ip=ip,
        fingerprint=card.fingerprint,
    )
    return enrolment


def remove(db: Session, account: Account, ip: str) -> None:
    enrolment = enrolment_of(db, account)
    if enrolment is None:
        return
    db.delete(enrolment)
    audit.record(
        db,
        "card.remove",
        actor=account.username,
        actor_account_id=account.id,
        target=account.username,
        ip=ip,
        fingerprint=enrolment.fingerprint,
    )
