"""Per-request access to the hub and its one unit of work (a database session)."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request, url_for
from sqlalchemy.orm import Session

from ..hub import Hub


def current_hub() -> Hub:
    hub: Hub = current_app.extensions["onedoor"]
    return hub


def db() -> Session:
    """The request's database session: created on first use, closed at teardown.
    Views that change something commit it once, at the end."""
    session: Session | None = g.get("_db")
    if session is None:
        session = current_hub().database.session_factory()
        g._db = session
    return session


def commit() -> None:
    """Commit the request's unit of work, if the request opened one."""
    session: Session | None = g.get("_db")
    if session is not None:
        session.commit()


def close_db(_exc: BaseException | None = None) -> None:
    session: Session | None = g.pop("_db", None)
    if session is not None:
        session.close()


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute link for mail, built on the issuer URL — never on the request's Host
    header, which whoever sends the request chooses."""
    return current_hub().settings.issuer_url + url_for(endpoint, **values)


def client_ip() -> str:
    return request.remote_addr or ""
