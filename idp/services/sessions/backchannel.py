"""Delivering back-channel logout notifications from the outbox, with retries.

Each notification is tried until the subsystem answers 200/204, with a growing pause
between tries; after ``GIVE_UP_AFTER`` it is marked abandoned (and stays in the table
for the record) since the subsystem's own session will have expired by then.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import LogoutDelivery, utcnow
from .. import audit
from ..messaging.retry import pause_after

log = logging.getLogger(__name__)

GIVE_UP_AFTER = timedelta(hours=24)
BATCH = 50

#: Sends one notification; raises (any exception) when the subsystem did not accept it.
Sender = Callable[[LogoutDelivery], None]


def due_deliveries(db: Session, ids: list[int] | None = None) -> list[LogoutDelivery]:
    query = select(LogoutDelivery).where(
        LogoutDelivery.delivered_at.is_(None),
        LogoutDelivery.abandoned_at.is_(None),
        LogoutDelivery.next_attempt_at <= utcnow(),
    )
    if ids is not None:
        query = query.where(LogoutDelivery.id.in_(ids))
    # Several server processes may deliver at once: each takes rows the others have not.
    query = query.order_by(LogoutDelivery.id).limit(BATCH).with_for_update(skip_locked=True)
    return list(db.scalars(query))


def deliver(db: Session, delivery: LogoutDelivery, send: Sender, retry_base_seconds: int) -> bool:
    now = utcnow()
    delivery.attempts += 1
    try:
        send(delivery)
    except Exception as exc:  # any failure means "try again later"
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        if now - delivery.created_at >= GIVE_UP_AFTER:
            delivery.abandoned_at = now
            audit.record(
                db,
                "logout.backchannel_abandoned",
                actor="system",
                target=delivery.client_id,
                attempts=delivery.attempts,
            )
        else:
            delivery.next_attempt_at = now + pause_after(delivery.attempts, retry_base_seconds)
        log.info(
            "back-channel logout to %s failed (attempt %d): %s",
            delivery.client_id,
            delivery.attempts,
            delivery.last_error,
        )
        return False
    delivery.delivered_at = now
    delivery.last_error = ""
    return True
