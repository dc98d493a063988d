"""Writing the audit log, the one place that does.

``record`` writes a row as part of the change it describes: if the change rolls back, so
does the row. ``record_always`` is for what the log must show although nothing changed
(a refused sign-in, a wrong current password, a card refused, someone's 身分證 viewed, a
page refused): its row stays when the unit of work rolls back.

Every record is chained: when its unit of work commits, it gets the next place in the
chain (``seq``), the hash of the record before it and its own HMAC-SHA-256 over both,
keyed with a key derived from the hub secret. The chain's head (``AuditMark`` "head")
is updated in the same statement that reserves the places, which locks that one row
until the commit: two writers never read the same head, on PostgreSQL (row lock) and on
SQLite (the write lock). It is done last, just before the commit, so the lock is held
for the commit only and no other lock is taken after it. ``audit_log.verify`` walks the
chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from ..db import insert_or_skip, keep_on_rollback
from ..models import AuditEvent, AuditMark, table_of, utcnow
from . import correlation, metrics
from .key_derivation import derive_key

# Never written to the audit log, whatever a caller passes.
_SECRET_WORDS = ("password", "secret", "token", "national_id", "pin", "captcha")

#: ``Session.info`` key of the chain's HMAC key (the hub puts it in every session).
CHAIN_KEY = "onedoor.audit_chain_key"
_PENDING = "onedoor.audit_pending"
HEAD = "head"


def chain_key(secret: str) -> bytes:
    return derive_key(secret, "audit-chain")


def record(
    db: Session,
    action: str,
    *,
    actor: str = "",
    actor_account_id: int | None = None,
    target: str = "",
    ip: str = "",
    **details: Any,
) -> AuditEvent:
    values = _values(action, actor, actor_account_id, target, ip, details)
    return _add(db, values)


def record_always(
    db: Session,
    action: str,
    *,
    actor: str = "",
    actor_account_id: int | None = None,
    target: str = "",
    ip: str = "",
    **details: Any,
) -> AuditEvent:
    """Like ``record``, and kept when the unit of work rolls back."""
    values = _values(action, actor, actor_account_id, target, ip, details)
    event = _add(db, values)

    def keep(own: Session) -> None:
        _add(own, values)

    keep_on_rollback(db, keep)
    return event


def _add(db: Session, values: dict[str, Any]) -> AuditEvent:
    event = AuditEvent(**values)
    db.add(event)
    db.info.setdefault(_PENDING, []).append(event)
    return event


def _values(
    action: str,
    actor: str,
    actor_account_id: int | None,
    target: str,
    ip: str,
    details: dict[str, Any],
) -> dict[str, Any]:
    for key in details:
        if any(word in key.lower() for word in _SECRET_WORDS):
            raise ValueError(f"refusing to audit a secret field: {key}")
    if correlation.request_id():
        details = {**details, "request_id": correlation.request_id()}
    metrics.audited(action, details)
    details = {k: _storable(v) if isinstance(v, str) else v for k, v in details.items()}
    return {
        "action": action,
        "actor": _storable(actor),
        "actor_account_id": actor_account_id,
        "target": _storable(target),
        "ip": _storable(ip),
        "details": details,
        "at": utcnow(),
    }


def _storable(value: str) -> str:
    """What was sent, as a text column can keep it: a NUL (which PostgreSQL refuses in
    text, so the record and the request's whole unit of work would fail) becomes U+FFFD."""
    return value.replace("\x00", "\ufffd")


# The chain ------------------------------------------------------------------------------


def digest(key: bytes, event: AuditEvent) -> str:
    """The record's hash: HMAC-SHA-256 over its fields, its place and the previous hash."""
    fields = [
        event.seq,
        event.at.isoformat(),
        event.action,
        event.actor,
        event.actor_account_id,
        event.target,
        event.ip,
        event.details,
        event.prev_hash,
    ]
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


@event.listens_for(Session, "before_commit")
def _chain_on_commit(db: Session) -> None:
    # A record rolled back (with its transaction or a savepoint) is no longer in the session.
    pending = [e for e in db.info.pop(_PENDING, []) if e in db and e.seq is None]
    if pending:
        chain(db, pending)


def chain(db: Session, events: Sequence[AuditEvent]) -> None:
    """Give ``events`` the next places in the chain, in order, and move the head."""
    key: bytes = db.info[CHAIN_KEY]
    seq, previous = _reserve(db, len(events))
    for audit_event in events:
        seq += 1
        audit_event.seq = seq
        audit_event.prev_hash = previous
        audit_event.hash = previous = digest(key, audit_event)
    marks = table_of(AuditMark)
    db.execute(update(marks).where(marks.c.name == HEAD).values(hash=previous))
    db.flush()


def _reserve(db: Session, count: int) -> tuple[int, str]:
    """Lock the head and move it ``count`` places on; returns where it was and its hash."""
    marks = table_of(AuditMark)
    reserve = (
        update(marks)
        .where(marks.c.name == HEAD)
        .values(seq=marks.c.seq + count)
        .returning(marks.c.seq, marks.c.hash)
    )
    row = db.execute(reserve).one_or_none()
    if row is None:
        ensure_mark(db, HEAD)
        row = db.execute(reserve).one()
    return row.seq - count, row.hash


def ensure_mark(db: Session, name: str) -> None:
    """The mark, at the start of the chain, unless another writer made it first."""
    db.execute(insert_or_skip(db, table_of(AuditMark), ["name"]).values(name=name, seq=0, hash=""))
