"""The hub's Prometheus metrics, one place: what is counted, under which names.

Counters are kept per server process (scrape each replica); the queue gauges are read
from the database when scraped, so they agree whichever replica answers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import LogoutDelivery, MailMessage, utcnow

REGISTRY = CollectorRegistry(auto_describe=True)

SIGNINS = Counter(
    "onedoor_signins",
    "Sign-ins by result (success, first_factor, failure) and method (amr, or why it failed)",
    ["result", "method"],
    registry=REGISTRY,
)
TOKENS = Counter(
    "onedoor_tokens_issued",
    "Tokens issued at the token endpoint by grant type and client",
    ["grant", "client"],
    registry=REGISTRY,
)
LOCKOUTS = Counter("onedoor_lockouts", "Accounts locked by wrong passwords", registry=REGISTRY)
CAPTCHA_FAILURES = Counter(
    "onedoor_captcha_failures", "Sign-ins refused for a wrong captcha", registry=REGISTRY
)
RATE_LIMITED = Counter(
    "onedoor_client_rate_limited",
    "Requests of a client refused by its rate limit, by endpoint",
    ["endpoint", "client"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "onedoor_request_seconds",
    "Time to answer a request, by endpoint",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
OUTBOX = Gauge("onedoor_mail_outbox", "Mail waiting to be sent", registry=REGISTRY)
BACKCHANNEL = Gauge(
    "onedoor_backchannel_queue", "Back-channel logout notifications waiting", registry=REGISTRY
)
WORKER_LAG = Gauge(
    "onedoor_worker_lag_seconds",
    "How long the oldest due mail or logout notification has been waiting",
    registry=REGISTRY,
)


def audited(action: str, details: dict[str, Any]) -> None:
    """Count what an audit record says happened (the audit log is where sign-ins and
    lockouts are decided to have happened, so the counts agree with it)."""
    if action in ("signin.success", "signin.first_factor"):
        amr = details.get("amr") or ()
        SIGNINS.labels(action.partition(".")[2], "+".join(sorted(amr)) or "-").inc()
    elif action == "signin.failure":
        reason = str(details.get("reason", "-"))
        SIGNINS.labels("failure", reason.partition(":")[0]).inc()
        if reason == "captcha":
            CAPTCHA_FAILURES.inc()
    elif action == "account.locked":
        LOCKOUTS.inc()


def token_issued(grant: str, client: str) -> None:
    TOKENS.labels(grant or "-", client or "-").inc()


def read_queues(db: Session, now: datetime | None = None) -> None:
    """Set the queue gauges from the database."""
    now = now or utcnow()
    mail_waiting, mail_oldest = db.execute(
        select(func.count(), func.min(MailMessage.next_attempt_at)).where(
            MailMessage.sent_at.is_(None)
        )
    ).one()
    logout_waiting, logout_oldest = db.execute(
        select(func.count(), func.min(LogoutDelivery.next_attempt_at)).where(
            LogoutDelivery.delivered_at.is_(None), LogoutDelivery.abandoned_at.is_(None)
        )
    ).one()
    OUTBOX.set(mail_waiting)
    BACKCHANNEL.set(logout_waiting)
    due = [moment for moment in (mail_oldest, logout_oldest) if moment is not None]
    WORKER_LAG.set(max(0.0, (now - min(due)).total_seconds()) if due else 0.0)
