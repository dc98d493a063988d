"""Per-request access to the hub and its one unit of work (a database session)."""

from __future__ import annotations

from flask import current_app, g, request
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


def client_ip() -> str:
    return request.remote_addr or ""
