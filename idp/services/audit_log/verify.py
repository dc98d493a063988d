"""``idp audit verify``: walk the chain and report the first record that was changed,
removed or taken out of the chain."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import AuditEvent, AuditMark
from ..audit import CHAIN_KEY, HEAD, digest

BATCH = 1000


@dataclass(frozen=True)
class Verdict:
    #: Records checked in the chain.
    checked: int
    #: The first problem, in words for an operator; None when the chain is whole.
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(db: Session) -> Verdict:
    key: bytes = db.info[CHAIN_KEY]
    expected, previous, checked = 1, "", 0
    rows = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.seq.is_not(None))
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=BATCH)
    )
    for event in rows:
        assert event.seq is not None
        if event.seq != expected:
            return Verdict(checked, _missing(expected, event.seq - 1))
        if event.prev_hash != previous:
            return Verdict(
                checked,
                f"record {event.seq} (id {event.id}) does not link to record {event.seq - 1}",
            )
        if digest(key, event) != event.hash:
            return Verdict(checked, f"record {event.seq} (id {event.id}) was altered")
        previous, expected, checked = event.hash, expected + 1, checked + 1
    last = expected - 1
    head = db.get(AuditMark, HEAD)
    head_seq = head.seq if head is not None else 0
    if head_seq > last:
        return Verdict(checked, _missing(last + 1, head_seq))
    if head is not None and head.hash != previous:
        return Verdict(
            checked, f"record {last} is not the one last written (the chain's head differs)"
        )
    unchained = _unchained_after_start(db)
    if unchained is not None:
        return Verdict(checked, f"record id {unchained} was taken out of the chain")
    return Verdict(checked)


def _missing(first: int, last: int) -> str:
    return (
        f"record {first} is missing" if first == last else f"records {first} to {last} are missing"
    )


def _unchained_after_start(db: Session) -> int | None:
    """A record without a place, written after the chain began: someone cleared its seq
    (records from before the chain began have none, and lower ids)."""
    first_chained = db.scalar(select(func.min(AuditEvent.id)).where(AuditEvent.seq.is_not(None)))
    if first_chained is None:
        return None
    return db.scalar(
        select(func.min(AuditEvent.id)).where(
            AuditEvent.seq.is_(None), AuditEvent.id > first_chained
        )
    )
