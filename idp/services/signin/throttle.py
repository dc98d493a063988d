"""Lockout and rate limits, counted in the short-lived store so that every server
process sees the same counts.

Per account: ``max_failures`` wrong passwords lock it for ``lock_minutes``; a password
reset unlocks it. A password is checked only under a reservation (``reserve``): the
attempt is counted first, atomically in the store, then checked, then settled — given
back when the password was right (``release``), kept as a failure when it was wrong
(``settle_failure``). So however many attempts arrive at once, on however many server
processes, at most ``max_failures`` passwords are ever checked before the lock. A
complete sign-in forgets the failures settled so far (``forgive``), not the attempts
still being checked: a right password in a burst of wrong ones lets at most
``max_failures`` more be checked, not the whole burst.

A subsystem account being bound is locked the same way, under its own key
(``subsystem:<id>``). Per source address: attempts per minute or hour for each kind of
form (a sign-in that succeeds is taken back: only failures count), and failed sign-ins
per window, after which the address is refused for the rest of the window — so one
address cannot lock out many accounts or guess at speed. A security admin lists trusted
networks (a hospital's public address) with their own, higher limit.
"""

from __future__ import annotations

import math
import time
from contextlib import AbstractContextManager

from ...store import Store
from ..policy_sections import LockoutPolicy

FAILURES = "fail:account:"
#: Of those, the failures already settled (the rest are attempts still being checked).
SETTLED = "settled:account:"
LOCKED = "locked:account:"
ADDRESS_FAILURES = "fail:address:"
RATE = "rate:"

#: Kinds of request limited per source address: policy field and window in seconds.
LIMITS = {
    "signin": ("signin_per_minute", 60),
    "captcha": ("captcha_per_minute", 60),
    "forgot_password": ("forgot_password_per_hour", 3600),
    "status_lookup": ("status_lookup_per_hour", 3600),
    "apply": ("apply_per_hour", 3600),
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
        """Count one request of ``kind`` from ``address``; False once over the limit. An
        address in a trusted network has at least that network's limit."""
        field, window = LIMITS[kind]
        limit = max(getattr(self.policy, field), self.policy.trusted_limit(address) or 0)
        return self.store.incr(f"{RATE}{kind}:{address}", window) <= limit

    def refund(self, kind: str, address: str) -> None:
        """Take back a request counted by ``allow`` that succeeded: only failures count."""
        self.store.decr(f"{RATE}{kind}:{address}")

    def address_refused(self, address: str) -> bool:
        limit = self.policy.trusted_limit(address) or self.policy.address_failures
        return self.store.count(ADDRESS_FAILURES + address) >= limit

    def address_failed(self, address: str) -> None:
        self.store.incr(ADDRESS_FAILURES + address, self.policy.address_window_minutes * 60)

    def address_has_failed(self, address: str) -> bool:
        return self.store.count(ADDRESS_FAILURES + address) > 0

    # Clients (subsystems) at the token, introspection and revocation endpoints ---------

    def client_requests(self, client_id: str) -> AbstractContextManager[None]:
        """One request of ``client_id``, counted against its limit per minute: the
        block raises ``OverLimit`` (before it changed anything in the store) once the
        client is over it (``Store.counting``)."""
        key = f"{RATE}client:{client_id}:{int(time.time() // 60)}"
        return self.store.counting(key, 60, self.policy.client_requests_per_minute)

    @staticmethod
    def client_retry_after(now: float | None = None) -> int:
        """Seconds until a client over its limit may ask again: the rest of the minute."""
        now = time.time() if now is None else now
        return max(1, math.ceil((int(now // 60) + 1) * 60 - now))

    # Accounts ------------------------------------------------------------------------

    def locked(self, account_id: int | str) -> bool:
        return self.store.get(f"{LOCKED}{account_id}") is not None

    def reserve(self, account_id: int | str) -> bool:
        """Count an attempt on the account before its password is checked; False (and
        nothing counted) once failures and attempts under way reach ``max_failures``."""
        if self.locked(account_id):
            return False
        key = f"{FAILURES}{account_id}"
        if self.store.incr(key, self.policy.lock_minutes * 60) > self.policy.max_failures:
            self.store.decr(key)
            return False
        return True

    def release(self, account_id: int | str) -> None:
        """The reserved attempt had the right password: it is not a failure."""
        self.store.decr(f"{FAILURES}{account_id}")

    def settle_failure(self, account_id: int | str) -> bool:
        """The reserved attempt had a wrong password: it stays counted. True when the
        failures reach ``max_failures`` and this one started the lock."""
        self.store.incr(f"{SETTLED}{account_id}", self.policy.lock_minutes * 60)
        if self.store.count(f"{FAILURES}{account_id}") >= self.policy.max_failures:
            return self.store.add(f"{LOCKED}{account_id}", b"1", self.policy.lock_minutes * 60)
        return False

    def account_failed(self, account_id: int | str) -> bool:
        """Count a wrong password; True when this one locked the account."""
        window = self.policy.lock_minutes * 60
        self.store.incr(f"{SETTLED}{account_id}", window)
        failures = self.store.incr(f"{FAILURES}{account_id}", window)
        if failures >= self.policy.max_failures:
            # add(): only the failure that crosses the line starts the lock period.
            return self.store.add(f"{LOCKED}{account_id}", b"1", window)
        return False

    def account_has_failed(self, account_id: int | str) -> bool:
        return self.store.count(f"{FAILURES}{account_id}") > 0

    def forgive(self, account_id: int | str) -> None:
        """A complete sign-in: the consecutive failures settled so far are forgotten, one
        by one so that two sign-ins at once forget each failure once; the attempts still
        being checked stay counted."""
        forgotten = False
        while self.store.decr(f"{SETTLED}{account_id}"):
            self.store.decr(f"{FAILURES}{account_id}")
            forgotten = True
        if forgotten:
            self.store.delete(f"{LOCKED}{account_id}")

    def unlock(self, account_id: int | str) -> None:
        """A password reset or a security admin: the account starts again from nothing."""
        self.store.delete(
            f"{FAILURES}{account_id}", f"{SETTLED}{account_id}", f"{LOCKED}{account_id}"
        )
