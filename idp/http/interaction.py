"""A paused authorization request (an interaction) and how every page resumes it.

When a subsystem's request needs the person (to sign in, to step up to the level it
requires, to change an expired password, to enrol a second factor their role requires,
to consent, to choose which subsystem account), the
authorization endpoint pauses it here, in the person's server-side browser session,
under a random id (``rid``), and sends them to the page for that step. The page does its
step and calls ``resume(rid)``; the authorization endpoint then decides the next step
again, with what the person has just done, until a code is issued. Pages never reach
into the protocol's views: the endpoint registers itself as the resumer
(``set_resumer``), so the resumed request is answered in the same response.
"""

from __future__ import annotations

import enum
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from flask import current_app, session
from werkzeug.wrappers import Response

from ..models.subsystem_account import BINDING_ID_PREFIX

#: Kept per browser session; older paused requests are dropped beyond this.
MAX_PENDING = 5
PENDING_TTL_SECONDS = 1800
SESSION_KEY = "authreqs"

#: The authorization request's parameters, as the client sent them.
Params = dict[str, list[str]]


class Next(enum.Enum):
    """What a paused request needs before a code can be issued."""

    SIGN_IN = "sign_in"
    #: Sign in again at the level the client requires (``Pending.required_acr``): with a
    #: second factor, a passkey or a card.
    STEP_UP = "step_up"
    CHANGE_PASSWORD = "change_password"
    #: The person's role requires a second factor and their time to enrol one is up.
    ENROL_SECOND_FACTOR = "enrol_second_factor"
    CONSENT = "consent"
    CHOOSE_BINDING = "choose_binding"
    ISSUE = "issue"


@dataclass(frozen=True)
class Pending:
    rid: str
    params: Params
    created_at: float
    consented: bool = False
    #: The weakest ``acr`` the client accepts, if it asked for one.
    required_acr: str | None = None

    @property
    def login_hint(self) -> str:
        """The ``login_hint`` to fill in the account field; a hint naming a binding is no
        account name."""
        hint = (self.params.get("login_hint") or [""])[0]
        return "" if hint.startswith(BINDING_ID_PREFIX) else hint[:50]

    @property
    def ui_locales(self) -> str:
        return (self.params.get("ui_locales") or [""])[0]

    def signed_in_since(self, signed_in_at: float) -> bool:
        """Whether a sign-in at ``signed_in_at`` came after this request was first seen
        (so ``prompt=login`` and ``max_age`` are satisfied by it)."""
        return signed_in_at >= self.created_at


# Storage -------------------------------------------------------------------------------


def _all() -> dict[str, dict[str, Any]]:
    now = time.time()
    stored: dict[str, dict[str, Any]] = session.get(SESSION_KEY) or {}
    return {k: v for k, v in stored.items() if now - v["created_at"] < PENDING_TTL_SECONDS}


def pause(
    params: Params,
    *,
    consented: bool = False,
    rid: str | None = None,
    required_acr: str | None = None,
) -> Pending:
    """Keep a request (new, or again under its ``rid``) until the person has done a step."""
    pending = _all()
    now = time.time()
    if rid is None or rid not in pending:
        rid = rid or secrets.token_urlsafe(12)
        created_at = now
    else:
        created_at = pending[rid]["created_at"]
    pending[rid] = {
        "params": params,
        "created_at": created_at,
        "consented": consented,
        "required_acr": required_acr,
    }
    if len(pending) > MAX_PENDING:
        oldest = sorted(pending, key=lambda k: pending[k]["created_at"])
        for key in oldest[: len(pending) - MAX_PENDING]:
            del pending[key]
    session[SESSION_KEY] = pending
    return Pending(rid, params, created_at, consented, required_acr)


def find(rid: str) -> Pending | None:
    entry = _all().get(rid) if rid else None
    if entry is None:
        return None
    return Pending(
        rid, entry["params"], entry["created_at"], entry["consented"], entry.get("required_acr")
    )


def update(pending: Pending, **changes: Any) -> Pending:
    """Keep what the person has just decided (consent, the chosen binding)."""
    changed = replace(pending, **changes)
    pause(
        changed.params,
        consented=changed.consented,
        rid=changed.rid,
        required_acr=changed.required_acr,
    )
    return changed


def drop(rid: str | None) -> None:
    if not rid:
        return
    pending = dict(session.get(SESSION_KEY) or {})
    if pending.pop(rid, None) is not None:
        session[SESSION_KEY] = pending


def detach() -> dict[str, Any] | None:
    """Every paused request, taken out of the session before it is cleared (a new
    sign-in replacing the old one carries them over with ``attach``)."""
    stored: dict[str, Any] | None = session.get(SESSION_KEY)
    return stored


def attach(stored: dict[str, Any] | None) -> None:
    if stored:
        session[SESSION_KEY] = stored


# Resuming ------------------------------------------------------------------------------

Resumer = Callable[[Pending], Response]
_RESUMER = "onedoor_resume_authorization"


def set_resumer(app: Any, resumer: Resumer) -> None:
    """Called by the authorization endpoint when the app is built."""
    app.extensions[_RESUMER] = resumer


def resume(rid: str) -> Response | None:
    """Carry on with a paused request, in this response; None if it is gone (expired,
    or never this browser's)."""
    pending = find(rid)
    if pending is None:
        return None
    resumer: Resumer = current_app.extensions[_RESUMER]
    return resumer(pending)
