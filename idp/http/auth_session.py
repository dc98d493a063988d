"""The signed-in state of a browser: starting it after sign-in, reading it, ending it.

What the authorization endpoint needs to know about the session (who, since when, how,
and whether the password must be changed before anything else) is kept in the session
itself, so answering a subsystem costs no database query. Pages that show the account
load it through Flask-Login's ``current_user``. The session's keys are this module's
business: other modules call the functions below.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from flask import request, session
from flask_login import login_user, logout_user

from ..models import utcnow
from ..services import audit
from ..services.sessions import hub_sessions
from ..services.signin.steps import Authentication
from . import interaction
from .context import client_ip, current_hub
from .sessions import StoreSession
from .unit_of_work import db, kick_worker

PASSWORD_CHANGE = "password_change_required"
ENROL_BY = "second_factor_due"


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


def signed_in_at() -> float:
    """When this browser last signed in (0 if it has not)."""
    return float(session.get("signed_in_at", 0))


def password_change_required() -> bool:
    """The password expired or was set by someone else: nothing but changing it first."""
    return bool(session.get(PASSWORD_CHANGE))


def password_changed() -> None:
    session.pop(PASSWORD_CHANGE, None)


def enrolment_due() -> float | None:
    """When the person must hold a second factor their role's rule counts (a Unix
    time), or None: until they do, the admin pages wait, and after it everything."""
    due = session.get(ENROL_BY)
    return float(due) if due is not None else None


def enrolment_overdue() -> bool:
    due = enrolment_due()
    return due is not None and due <= time.time()


def second_factor_enrolled(due: datetime | None) -> None:
    """After adding a second factor: what is still due (None when the rule is met)."""
    if due is None:
        session.pop(ENROL_BY, None)
    else:
        session[ENROL_BY] = due.timestamp()


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
    if authn.password_change_required:
        session[PASSWORD_CHANGE] = True
    second_factor_enrolled(authn.enrol_by)
    account.last_signin_at = account.idle_since = utcnow()


def renew_id() -> None:
    """A new session id for the same browser session (a step of a sign-in done), keeping
    the signed-in person's hub session pointed at it."""
    assert isinstance(session, StoreSession)
    created = session.get("_created")
    session.regenerate()
    current = signed_in()
    if current is not None:
        session["_created"] = created  # the hub session's lifetime runs on
        hub_session = hub_sessions.find_session(db(), current.sid)
        if hub_session is not None:
            hub_session.store_key = session.store_key


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
            hub_sessions.end_session(db(), hub.revocation, hub_session, reason)
            if reason != "replaced":
                # Signing out tells the subsystems at once; a sign-in that replaces the
                # session leaves it to the worker's round, after the subsystem has
                # taken the new sign-in.
                kick_worker()
        audit.record(
            db(),
            "signout",
            actor=current.username,
            actor_account_id=current.account_id,
            ip=client_ip(),
            reason=reason,
        )
    logout_user()
    paused = interaction.detach() if reason == "replaced" else None
    session.clear()
    interaction.attach(paused)
