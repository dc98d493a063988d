"""Pauses between tries of an outbox delivery (mail, back-channel logout)."""

from __future__ import annotations

from datetime import timedelta

MAX_PAUSE = timedelta(hours=1)


def pause_after(attempts: int, base_seconds: int) -> timedelta:
    """``base_seconds``, doubling with each failed attempt, at most an hour."""
    return min(timedelta(seconds=base_seconds * 2 ** max(0, attempts - 1)), MAX_PAUSE)
