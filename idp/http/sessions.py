"""Server-side browser sessions kept in the short-lived store.

The cookie holds only a random id; the store key is its SHA-256, so neither a store
dump nor the audit trail holds a usable cookie. Sessions end after the idle timeout
(the store entry expires) or the absolute lifetime, whichever comes first, and get a
new id at sign-in (``regenerate``).

The endpoints that programs call, never a browser (``MACHINE_PATHS``: a subsystem's back
end fetching or checking tokens), get an empty session that is never kept: nothing is
read from the store for them, nothing written, and no cookie set or replaced.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from ..services.key_derivation import token_hash
from ..services.policy_sections import SessionPolicy
from ..store import Store

PREFIX = "sess:"
#: Rewrite an unchanged session at most this often just to extend its idle timer.
TOUCH_INTERVAL = 60
#: The token, introspection and revocation endpoints (``idp.oidc.views``), by path: the
#: session opens before the request's endpoint is known.
MACHINE_PATHS = frozenset({"/token", "/introspect", "/revoke"})


def store_key_for(cookie_value: str) -> str:
    return PREFIX + token_hash(cookie_value)


class StoreSession(CallbackDict[str, Any], SessionMixin):
    def __init__(
        self,
        initial: dict[str, Any] | None = None,
        cookie_value: str | None = None,
        new: bool = False,
        kept: bool = True,
    ) -> None:
        def on_update(_: CallbackDict[str, Any]) -> None:
            self.modified = True

        super().__init__(initial or {}, on_update)
        self.cookie_value = cookie_value
        self.new = new
        #: False: the session lives only as long as its request.
        self.kept = kept
        self.modified = False
        self.stale_keys: list[str] = []

    @property
    def store_key(self) -> str:
        """The store key, creating the session id if there is none yet."""
        if self.cookie_value is None:
            self.cookie_value = secrets.token_urlsafe(32)
            self.new = True
        return store_key_for(self.cookie_value)

    def regenerate(self) -> None:
        """A new id for the same data (session fixation defence at sign-in)."""
        if self.cookie_value is not None:
            self.stale_keys.append(store_key_for(self.cookie_value))
        self.cookie_value = None
        self.new = True
        self.modified = True
        self["_created"] = time.time()


class StoreSessionInterface(SessionInterface):
    def __init__(self, store: Store, limits: Callable[[], SessionPolicy]) -> None:
        self.store = store
        self.limits = limits

    def open_session(self, app: Flask, request: Request) -> StoreSession:
        if request.path in MACHINE_PATHS:
            return StoreSession(new=True, kept=False)
        cookie = request.cookies.get(self.get_cookie_name(app))
        if cookie:
            raw = self.store.get(store_key_for(cookie))
            if raw is not None:
                data = json.loads(raw)
                now = time.time()
                limits = self.limits()
                if (
                    now - data.get("_created", 0) < limits.max_hours * 3600
                    and now - data.get("_last_seen", 0) < limits.idle_minutes * 60
                ):
                    return StoreSession(data, cookie_value=cookie)
                self.store.delete(store_key_for(cookie))
        return StoreSession(new=True)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, StoreSession)
        if not session.kept:
            return
        if response.status_code == 503:
            return  # the store is unreachable (errors.unavailable): nothing to save there
        name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        if session.stale_keys:
            self.store.delete(*session.stale_keys)
        if not session:
            if session.cookie_value is not None and (session.modified or not session.new):
                self.store.delete(store_key_for(session.cookie_value))
                response.delete_cookie(name, domain=domain, path=path)
            return
        now = time.time()
        touch_due = now - session.get("_last_seen", 0) > TOUCH_INTERVAL
        if not (session.modified or session.new or touch_due):
            return
        data = dict(session)
        data.setdefault("_created", now)
        data["_last_seen"] = now
        self.store.set(
            session.store_key, json.dumps(data).encode(), self.limits().idle_minutes * 60
        )
        if session.new:
            response.set_cookie(
                name,
                session.cookie_value or "",
                httponly=True,
                secure=self.get_cookie_secure(app),
                samesite=self.get_cookie_samesite(app),
                domain=domain,
                path=path,
            )
        response.vary.add("Cookie")
