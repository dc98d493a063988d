"""Writing the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..models import AuditEvent

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
    for key in details:
        if any(word in key.lower() for word in _SECRET_WORDS):
            raise ValueError(f"refusing to audit a secret field: {key}")
    event = AuditEvent(
        action=action,
        actor=actor,
        actor_account_id=actor_account_id,
        target=target,
        ip=ip,
        details=details,
    )
    db.add(event)
    return event
