"""Lockout and rate limits, counted in the short-lived store so that every server
process sees the same counts.

Per account: ``max_failures`` wrong passwords lock it for ``lock_minutes``; a password
reset unlocks it. A subsystem account being bound is locked the same way, under its own
key (``subsystem:<id>``). Per source address: requests per minute or hour for each kind of
form, and failed sign-ins per window, after which the address is refused for the rest
of the window — so one address cannot lock out many accounts or guess at speed.
"""

from __future__ import annotations

import math
import time

from ...store import Store
from ..policy import LockoutPolicy

FAILURES = "fail:account:"
LOCKED = "locked:account:"
ADDRESS_FAILURES = "fail:address:"
RATE = "rate:"

#: Kinds of request limited per source address: policy field and window in seconds.
LIMITS = {
    "signin": ("signin_per_minute", 60),
    "captcha": ("captcha_per_minute", 60),
    "forgot_password": ("forgot_password_per_hour", 3600),
    "status_lookup": ("status_lookup_per_hour", 3600),
    "bind": ("signin_per_minute", 60),
    "card_challenge": ("signin_per_minute", 60),
    "passkey_options": ("signin_per_minute", 60),
}


class Throttle:
    def __init__(self, store: Store, policy: LockoutPolicy) -> None:
        self.store = store
        self.policy = policy

    # Source addresses ------------------------------------------------------------

    def allow(self, kind: str, address: str) -> bool:
        """Count one request of ``kind`` from ``address``; False once over the limit."""
        field, window = LIMITS[kind]
        return self.store.incr(f"{RATE}{kind}:{address}", window) <= getattr(self.policy, field)

    def address_refused(self, address: str) -> bool:
        return self.store.count(ADDRESS_FAILURES + address) >= self.policy.address_failures

    def address_failed(self, address: str) -> None:
        self.store.incr(ADDRESS_FAILURES + address, self.policy.address_window_minutes * 60)

    def address_has_failed(self, address: str) -> bool:
        return self.store.count(ADDRESS_FAILURES + address) > 0

    # Clients (subsystems) at the token, introspection and revocation endpoints ---------

    def client_wait(self, client_id: str, now: float | None = None) -> int:
        """Count one request of ``client_id``; 0 while under the limit, else how many
        seconds until its minute is over (for Retry-After)."""
        now = time.time() if now is None else now
        minute = int(now // 60)
        count = self.store.incr(f"{RATE}client:{client_id}:{minute}", 60)
        if count <= self.policy.client_requests_per_minute:
            return 0
        return max(1, math.ceil((minute + 1) * 60 - now))

    # Accounts ------------------------------------------------------------------------

    def locked(self, account_id: int | str) -> bool:
        return self.store.get(f"{LOCKED}{account_id}") is not None

    def account_failed(self, account_id: int | str) -> bool:
        """Count a wrong password; True when this one locked the account."""
        window = self.policy.lock_minutes * 60
        failures = self.store.incr(f"{FAILURES}{account_id}", window)
        if failures >= self.policy.max_failures:
            # add(): only the failure that crosses the line starts the lock period.
            return self.store.add(f"{LOCKED}{account_id}", b"1", window)
        return False

    def account_has_failed(self, account_id: int | str) -> bool:
        return self.store.count(f"{FAILURES}{account_id}") > 0

    def unlock(self, account_id: int | str) -> None:
        self.store.delete(f"{FAILURES}{account_id}", f"{LOCKED}{account_id}")
