"""The id of the request being served (``X-Request-Id``), for what the request writes:
its log line, its audit rows and the back-channel logout calls it causes."""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar

_current: ContextVar[str] = ContextVar("request_id", default="")

#: What an id given by a proxy may look like; anything else is replaced by a new one.
_ACCEPTED = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def begin(given: str | None) -> str:
    """Start a request: the proxy's id when it is a plausible one, else a new one."""
    value = given if given and _ACCEPTED.match(given) else secrets.token_hex(16)
    _current.set(value)
    return value


def end() -> None:
    _current.set("")


def request_id() -> str:
    """The current request's id; empty outside a request (the command line, the worker)."""
    return _current.get()
