"""Inbox (站內訊息) and notifying a person: an inbox message and, when they have an
address, a mail through the outbox."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ...models import Account, InboxMessage, utcnow
from . import mail


def post(db: Session, account: Account, subject: str, body: str = "", **params: object) -> None:
    """Leave a message; ``subject`` and ``body`` are zh-TW templates filled with ``params``."""
    db.add(
        InboxMessage(
            account_id=account.id,
            subject=subject,
            body=body,
            params={k: str(v) for k, v in params.items()},
        )
    )


def notify(
    db: Session, account: Account, kind: str, subject: str, body: str = "", **params: object
) -> None:
    """Inbox message plus the ``templates/mail/<kind>.txt`` mail."""
    post(db, account, subject, body, **params)
    if account.email:
        mail.send_later(
            db,
            to=account.email,
            kind=kind,
            name=account.name or account.username,
            username=account.username,
            **params,
        )


def messages(db: Session, account: Account, limit: int = 100) -> list[InboxMessage]:
    return list(
        db.scalars(
            select(InboxMessage)
            .where(InboxMessage.account_id == account.id)
            .order_by(InboxMessage.created_at.desc(), InboxMessage.id.desc())
            .limit(limit)
        )
    )


def unread(db: Session, account: Account, limit: int = 5) -> list[InboxMessage]:
    """The newest unread messages."""
    return list(
        db.scalars(
            select(InboxMessage)
            .where(InboxMessage.account_id == account.id, InboxMessage.read_at.is_(None))
            .order_by(InboxMessage.created_at.desc(), InboxMessage.id.desc())
            .limit(limit)
        )
    )


def unread_count(db: Session, account: Account) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(InboxMessage)
            .where(InboxMessage.account_id == account.id, InboxMessage.read_at.is_(None))
        )
        or 0
    )


def mark_read(db: Session, account: Account) -> None:
    db.execute(
        update(InboxMessage)
        .where(InboxMessage.account_id == account.id, InboxMessage.read_at.is_(None))
        .values(read_at=utcnow())
    )
