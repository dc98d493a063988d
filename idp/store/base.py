"""The short-lived-state store: one interface, two implementations.

Keys expire. Every operation is atomic on its own and safe across server processes,
so single-use values (captcha answers, authorization codes) and counters (lockout,
rate limits) need no locks of their own.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol


class OverLimit(Exception):
    """A ``counting`` counter went over its limit: what the request was doing stops."""

    def __init__(self, count: int) -> None:
        super().__init__(f"count {count} is over the limit")
        self.count = count


@dataclass(frozen=True)
class PendingCount:
    """The counter of a ``counting`` block, not yet counted."""

    key: str
    ttl: float
    limit: int

    def check(self, count: int) -> None:
        if count > self.limit:
            raise OverLimit(count)


#: The counter of the ``counting`` block this thread (request) is in, until a command
#: carries it.
_pending: ContextVar[PendingCount | None] = ContextVar("store_pending_count", default=None)


class CountsWithFirstCommand(ABC):
    """``counting`` for a store that sends a block's count with the block's first
    command (``take_pending``), or on its own (``incr``) when the block ends without one."""

    @abstractmethod
    def incr(self, key: str, ttl: float) -> int:
        """The store's ``incr``: what counts a pending count no command carried."""

    @staticmethod
    def take_pending() -> PendingCount | None:
        pending = _pending.get()
        if pending is not None:
            _pending.set(None)
        return pending

    def count_pending(self) -> None:
        pending = self.take_pending()
        if pending is not None:
            pending.check(self.incr(pending.key, pending.ttl))

    @contextmanager
    def counting(self, key: str, ttl: float, limit: int) -> Iterator[None]:
        token = _pending.set(PendingCount(key, ttl, limit))
        try:
            yield
            self.count_pending()  # no command of the block carried it
        finally:
            _pending.reset(token)


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

    def counting(self, key: str, ttl: float, limit: int) -> AbstractContextManager[None]:
        """Count one more on the ``incr`` counter ``key`` for the work inside the block,
        and raise ``OverLimit`` once it is over ``limit``, before that work changed
        anything in the store. Redis counts it with the block's first command, in the
        same round trip, the SQL store in the same transaction."""

    def ping(self) -> bool: ...
