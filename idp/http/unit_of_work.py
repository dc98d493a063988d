"""One unit of work per request.

The request's database session is opened on first use (``db()``). Core statements run
on the request's connection (``connection()``): the session's, or, for a request that
has no session yet (the token endpoint's hot path), a connection of its own, which a
session opened later takes over, transaction and all. When the request
ends, it is committed if the view raised nothing and answered with a success or a
redirect (status below 400), and rolled back otherwise: a refused request changes
nothing but the audit rows written with ``audit.record_always``. Views never commit.
Work that should only start once the change is stored (waking the background worker to
deliver mail or logout notifications) is registered with ``after_commit``.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, g
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from .context import current_hub


def db() -> Session:
    """The request's database session."""
    session: Session | None = g.get("_db")
    if session is None:
        factory = current_hub().database.session_factory
        own: Connection | None = g.get("_connection")
        session = (
            factory() if own is None else factory(bind=own, join_transaction_mode="control_fully")
        )
        g._db = session
    return session


def connection() -> Connection:
    """The request's database connection, in the request's transaction."""
    session: Session | None = g.get("_db")
    if session is not None:
        return session.connection()
    own: Connection | None = g.get("_connection")
    if own is None:
        own = g._connection = current_hub().database.engine.connect()
    return own


def after_commit(callback: Callable[[], None]) -> None:
    g.setdefault("_after_commit", []).append(callback)


def kick_worker() -> None:
    """Have the background worker look at its queues (mail, logout notifications) as
    soon as this request's change is stored."""
    worker = current_app.extensions.get("onedoor_worker")
    if worker is not None:
        after_commit(worker.kick)


def finish(status: int) -> None:
    """Keep the request's work if it answered ``status`` below 400, then run what waited
    for the commit; drop it otherwise."""
    succeeded = status < 400
    session: Session | None = g.get("_db")
    own: Connection | None = g.get("_connection")
    if session is not None:
        current_hub().database.finish(session, succeeded=succeeded)
    elif own is not None and succeeded:
        own.commit()
    elif own is not None:
        own.rollback()
    if not succeeded:
        g.pop("_after_commit", None)
    for callback in g.pop("_after_commit", []):
        callback()


def close(exc: BaseException | None) -> None:
    """End the request's session and connection; whatever is still open (the request
    raised) is dropped."""
    session: Session | None = g.pop("_db", None)
    own: Connection | None = g.pop("_connection", None)
    if session is not None:
        if exc is not None or session.in_transaction():
            # The view raised past every handler: nothing of it is kept.
            current_hub().database.finish(session, succeeded=False)
        session.close()
    if own is not None:
        own.close()  # rolls back a transaction still open


def _finish(response: Response) -> Response:
    finish(response.status_code)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_finish)
    app.teardown_request(close)
