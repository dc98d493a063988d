"""Background work, in a thread of each server process (`IDP_WORKER=thread`) or in
`idp worker` alone (`process`), every few seconds (and at once when
kicked): back-channel logout notifications, 忘記密碼 requests (matched here, away from
the request, so their answer time tells nothing), mail, audit records for the collector
and purging expired rows of the SQL store; every few minutes, disabling accounts on
their day and dormancy."""

from __future__ import annotations

import logging
import threading
import time

from .hub import Hub
from .models import utcnow
from .oidc.backchannel import LogoutSender
from .services.accounts import lifecycle as account_admin
from .services.applications import submission
from .services.audit_log import sink
from .services.messaging import mail
from .services.sessions.backchannel import deliver, due_deliveries
from .services.signin import credentials
from .store import SqlStore

log = logging.getLogger(__name__)

#: Dormancy is counted in days: looking every few minutes is plenty.
SWEEP_SECONDS = 300


def deliver_logout_notifications(hub: Hub) -> tuple[int, int]:
    """Send every due notification once; returns (delivered, failed)."""
    delivered = failed = 0
    with hub.database.unit_of_work() as db:
        sender = LogoutSender(hub, db)
        for delivery in due_deliveries(db):
            if deliver(db, delivery, sender, hub.settings.backchannel_retry_seconds):
                delivered += 1
            else:
                failed += 1
    return delivered, failed


def sweep_accounts(hub: Hub) -> account_admin.SweepResult:
    """Disable accounts whose day has come and make idle ones dormant; drop applications
    whose confirmation link expired unopened."""
    with hub.database.unit_of_work() as db:
        submission.discard_unconfirmed(db, utcnow())
    with hub.database.unit_of_work() as db:
        return account_admin.sweep(db, hub.managing(), hub.policy.current().dormancy)


def deliver_mail(hub: Hub) -> tuple[int, int]:
    """Send every due message of the outbox once; returns (sent, failed)."""
    if hub.mail_sender is None:
        return 0, 0
    with hub.database.unit_of_work() as db:
        return mail.deliver(db, hub.mail_sender, hub.settings.backchannel_retry_seconds)


def forward_audit(hub: Hub) -> int:
    """Send the audit records the collector has not had yet; returns how many went."""
    if hub.audit_collector is None:
        return 0
    sent = 0
    try:
        while True:
            with hub.database.unit_of_work() as db:
                batch = sink.forward(db, hub.audit_collector)
            sent += batch
            if batch < sink.BATCH:
                return sent
    except OSError as exc:
        log.warning("audit collector unreachable (%s); trying again at the next tick", exc)
        return sent


class BackgroundWorker:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="onedoor-worker", daemon=True)
        self._next_sweep = 0.0

    def start(self) -> None:
        self._thread.start()

    def kick(self) -> None:
        """Run now rather than at the next tick (after a sign-out)."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def run_once(self) -> None:
        if time.monotonic() >= self._next_sweep:
            sweep_accounts(self.hub)
            self._next_sweep = time.monotonic() + SWEEP_SECONDS
        deliver_logout_notifications(self.hub)
        with self.hub.database.unit_of_work() as db:
            credentials.handle_reset_requests(
                db, self.hub.policy.current().password, self.hub.settings.issuer_url
            )
        deliver_mail(self.hub)
        forward_audit(self.hub)
        if isinstance(self.hub.store, SqlStore):
            self.hub.store.purge_expired()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.hub.settings.backchannel_retry_seconds)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.run_once()
            except Exception:
                log.exception("background work failed; trying again at the next tick")
