"""Writing the audit log.

``record`` writes a row as part of the change it describes: if the change rolls back, so
does the row. ``record_always`` is for what the log must show although nothing changed
(a refused sign-in, a wrong current password, a card refused, someone's 身分證 viewed):
its row stays when the unit of work rolls back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..db import keep_on_rollback
from ..models import AuditEvent, utcnow

# Never written to the audit log, whatever a caller passes.
_SECRET_WORDS = ("password", "secret", "token", "national_id", "pin", "captcha")


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
    event = AuditEvent(**values)
    db.add(event)
    return event


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
    event = AuditEvent(**values)
    db.add(event)
    keep_on_rollback(db, lambda own: own.add(AuditEvent(**values)))
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
    return {
        "action": action,
        "actor": actor,
        "actor_account_id": actor_account_id,
        "target": target,
        "ip": ip,
        "details": details,
        "at": utcnow(),
    }
