"""The signed-in state of a browser: starting it after sign-in, reading it, ending it."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app, request, session
from flask_login import current_user, login_user, logout_user

from ..models import Account, utcnow
from ..services import audit, hub_sessions
from ..services.signin import Authentication
from .context import client_ip, current_hub, db
from .sessions import StoreSession


@dataclass(frozen=True)
class SignedIn:
    account: Account
    sid: str
    auth_time: int
    acr: str
    amr: tuple[str, ...]


def signed_in() -> SignedIn | None:
    if not current_user.is_authenticated or "sid" not in session:
        return None
    return SignedIn(
        account=current_user._get_current_object(),
        sid=session["sid"],
        auth_time=int(session["auth_time"]),
        acr=session["acr"],
        amr=tuple(session["amr"]),
    )


def establish(authn: Authentication) -> None:
    """Start a hub session for a successful sign-in, under a new session id."""
    previous = signed_in()
    if previous is not None:
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
    session["sid"] = hub_session.sid
    session["signed_in_at"] = time.time()
    session["auth_time"] = authn.auth_time
    session["acr"] = authn.acr
    session["amr"] = authn.amr
    previous_signin = account.last_signin_at
    session["previous_signin_at"] = previous_signin.timestamp() if previous_signin else None
    account.last_signin_at = utcnow()


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
            actor=current.account.username,
            actor_account_id=current.account.id,
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
