"""The short-lived-state store: one interface, two implementations.

Keys expire. Every operation is atomic on its own and safe across server processes,
so single-use values (captcha answers, authorization codes) and counters (lockout,
rate limits) need no locks of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class Store(Protocol):
    def get(self, key: str) -> bytes | None:
        """The value, or None when absent or expired."""

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        """Several values in one round trip."""

    def set(self, key: str, value: bytes, ttl: float) -> None:
        """Store ``value`` for ``ttl`` seconds, replacing any value."""

    def set_many(self, entries: Mapping[str, bytes], ttl: float) -> None:
        """Several ``set`` in one round trip."""

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        """Store only if absent; True when stored (the caller was first)."""

    def take(self, key: str) -> bytes | None:
        """Remove and return the value: at most one caller gets it."""

    def delete(self, *keys: str) -> None: ...

    def incr(self, key: str, ttl: float) -> int:
        """Add one to a counter that starts at 1 and expires ``ttl`` seconds after it started."""

    def decr(self, key: str) -> bool:
        """Take one back from a live ``incr`` counter (never below 0); nothing when it
        is absent, expired or at 0. True when one was taken. A counter back at 0 is
        gone: the next ``incr`` starts a new window."""

    def count(self, key: str) -> int:
        """The current value of an ``incr`` counter; 0 when absent or expired."""

    def ping(self) -> bool: ...
