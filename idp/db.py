"""Database engine and units of work.

A unit of work is one SQLAlchemy session, committed once when the work succeeded and
rolled back otherwise: a web request gets one (``idp.http.unit_of_work``), commands and
background jobs open their own with ``Database.unit_of_work``. Work that must outlive a
rollback (the audit row of a refused sign-in) is registered with ``keep_on_rollback`` and
written in a unit of its own when the main one rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

#: Writes a rollback must not undo, given a session of their own.
Keep = Callable[[Session], None]
KEPT = "onedoor.kept"


def keep_on_rollback(session: Session, write: Keep) -> None:
    """Have ``write`` done in a unit of its own should ``session`` roll back (it is part of
    ``session``'s work otherwise, and the caller has done it there already)."""
    session.info.setdefault(KEPT, []).append(write)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout=30000")
            # WAL lets several server processes read while one writes; it stays set in the
            # file, so only the first connection has to switch (which takes a lock).
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    # No pre-ping: a round trip per request; a dropped connection fails one request and is
    # replaced by the pool.
    return create_engine(url, pool_size=10, max_overflow=20, pool_recycle=3600)


class Database:
    def __init__(self, url: str, session_info: dict[str, Any] | None = None) -> None:
        """``session_info`` is given to every session (``Session.info``): what the
        domain needs of the hub's configuration at commit time, such as the audit
        chain's key."""
        self.url = url
        self.engine = make_engine(url)
        self.session_factory = sessionmaker(
            self.engine, expire_on_commit=False, info=dict(session_info or {})
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session committed when the block ends normally, rolled back otherwise."""
        session = self.session_factory()
        try:
            yield session
        except BaseException:
            self.finish(session, succeeded=False)
            raise
        else:
            self.finish(session, succeeded=True)
        finally:
            session.close()

    def finish(self, session: Session, *, succeeded: bool) -> None:
        """Commit, or roll back and then write what must be kept anyway."""
        kept: list[Keep] = session.info.pop(KEPT, [])
        if succeeded:
            session.commit()
            return
        session.rollback()
        if kept:
            with self.unit_of_work() as own:
                for write in kept:
                    write(own)

    def dispose(self) -> None:
        self.engine.dispose()
