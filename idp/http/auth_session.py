"""The signed-in state of a browser: starting it after sign-in, reading it, ending it.

What the authorization endpoint needs to know about the session (who, since when, how)
is kept in the session itself, so answering a subsystem costs no database query.
Pages that show the account load it through Flask-Login's ``current_user``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app, request, session
from flask_login import login_user, logout_user

from ..models import utcnow
from ..services import audit
from ..services.sessions import hub_sessions
from ..services.signin.steps import Authentication
from .context import client_ip, current_hub, db
from .sessions import StoreSession


@dataclass(frozen=True)
class SignedIn:
    account_id: int
    subject: str
    username: str
    sid: str
    auth_time: int
    acr: str
    amr: tuple[str, ...]


def signed_in() -> SignedIn | None:
    if "sid" not in session:
        return None
    return SignedIn(
        account_id=int(session["_user_id"]),
        subject=session["subject"],
        username=session["username"],
        sid=session["sid"],
        auth_time=int(session["auth_time"]),
        acr=session["acr"],
        amr=tuple(session["amr"]),
    )


def establish(authn: Authentication) -> None:
    """Start a hub session for a successful sign-in, under a new session id."""
    if signed_in() is not None:
        end("replaced")
    assert isinstance(session, StoreSession)
    session.regenerate()
    account = authn.account
    hub_session = hub_sessions.start_session(
        db(),
        account=account,
        store_key=session.store_key,
        ip=client_ip(),
        user_agent=request.headers.get("User-Agent", ""),
        acr=authn.acr,
        amr=authn.amr,
    )
    login_user(account)
    previous_signin = account.last_signin_at
    session.update(
        sid=hub_session.sid,
        subject=account.subject,
        username=account.username,
        signed_in_at=time.time(),
        auth_time=authn.auth_time,
        acr=authn.acr,
        amr=authn.amr,
        previous_signin_at=previous_signin.timestamp() if previous_signin else None,
    )
    account.last_signin_at = account.idle_since = utcnow()


def remember_client(current: SignedIn, client_id: str) -> None:
    """Record (once per session) that a subsystem received an ID token in this session."""
    known = list(session.get("clients") or [])
    if client_id not in known:
        hub_sessions.remember_client(db(), current.sid, client_id, current.subject)
        session["clients"] = [*known, client_id]


def end(reason: str) -> None:
    """End this browser's hub session and queue logout notifications to subsystems."""
    current = signed_in()
    if current is not None:
        hub = current_hub()
        hub_session = hub_sessions.find_session(db(), current.sid)
        if hub_session is not None:
            hub_sessions.end_session(
                db(), hub.store, hub_session, reason, hub.settings.access_token_ttl_seconds
            )
        audit.record(
            db(),
            "signout",
            actor=current.username,
            actor_account_id=current.account_id,
            ip=client_ip(),
            reason=reason,
        )
    logout_user()
    pending = session.get("authreqs")
    session.clear()
    if pending and reason == "replaced":
        session["authreqs"] = pending


def kick_worker() -> None:
    worker = current_app.extensions.get("onedoor_worker")
    if worker is not None:
        worker.kick()
