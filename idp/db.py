"""Database engine and units of work.

A unit of work is one SQLAlchemy session, committed once when the work succeeded and
rolled back otherwise: a web request gets one (``idp.http.unit_of_work``), commands and
background jobs open their own with ``Database.unit_of_work``. Work that must outlive a
rollback (the audit row of a refused sign-in) is registered with ``keep_on_rollback`` and
written in a unit of its own when the main one rolls back.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NamedTuple

from sqlalchemy import Connection, Dialect, Engine, Select, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

#: Writes a rollback must not undo, given a session of their own.
Keep = Callable[[Session], None]
KEPT = "onedoor.kept"


def keep_on_rollback(session: Session, write: Keep) -> None:
    """Have ``write`` done in a unit of its own should ``session`` roll back (it is part of
    ``session``'s work otherwise, and the caller has done it there already)."""
    session.info.setdefault(KEPT, []).append(write)


def insert_or_skip(db: Session, table: Table, unique: list[str]) -> Any:
    """``INSERT … ON CONFLICT (unique) DO NOTHING`` in the session's dialect: a row
    another writer (or an earlier request) already made is left as it is."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing(index_elements=unique)


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


#: Cursor options by driver: psycopg can have the values sent and answered in binary,
#: which spares it formatting and parsing times and numbers as text.
_CURSOR_OPTIONS: dict[str, dict[str, Any]] = {"psycopg": {"binary": True}}


class _Compiled(NamedTuple):
    sql: str
    #: The bound parameters' names, in the order a positional driver takes them (None
    #: for a driver that takes them by name).
    order: tuple[str, ...] | None
    binds: dict[str, Callable[[Any], Any]]
    results: list[Callable[[Any], Any] | None]
    row: Any


class DriverStatement:
    """A SELECT compiled once per dialect and run on the connection's DBAPI cursor.

    For a one-row statement on a hot path, SQLAlchemy's work around each execution (the
    statement's cache key, the execution context, the result's metadata) costs more than
    the driver's round trip. Here the compiled SQL is kept; values still go through the
    column types' bind and result processors, the statement runs in the connection's
    transaction, and a driver error comes back as SQLAlchemy's (a lost connection is
    invalidated, as ``Connection.execute`` would)."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        binds: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                binds[name] = processor
        columns = list(self.statement.selected_columns)
        return _Compiled(
            sql=compiled.string,
            order=tuple(compiled.positiontup or ()) if compiled.positional else None,
            binds=binds,
            results=[c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns],
            row=namedtuple("Row", [c.key for c in columns]),  # type: ignore[misc]
        )

    def first(self, connection: Connection, params: Mapping[str, Any]) -> Any:
        """The statement's first row (its columns by name), or None."""
        dialect = connection.dialect
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = self._compile(dialect)
        values = {
            name: compiled.binds[name](value) if name in compiled.binds else value
            for name, value in params.items()
        }
        driver_params: Any = (
            values if compiled.order is None else tuple(values[n] for n in compiled.order)
        )
        if not connection.in_transaction():
            connection.begin()
        dbapi_connection = connection.connection
        cursor = dbapi_connection.cursor(**_CURSOR_OPTIONS.get(dialect.driver, {}))
        try:
            cursor.execute(compiled.sql, driver_params)
            row = cursor.fetchone()
        except dialect.loaded_dbapi.Error as error:
            lost = dialect.is_disconnect(error, dbapi_connection.dbapi_connection, cursor)
            if lost:
                connection.invalidate(error)
            raise DBAPIError.instance(
                compiled.sql,
                None,
                error,
                dialect.loaded_dbapi.Error,
                hide_parameters=True,
                connection_invalidated=lost,
                dialect=dialect,
            ) from error
        finally:
            cursor.close()
        if row is None:
            return None
        return compiled.row._make(
            value if process is None else process(value)
            for process, value in zip(compiled.results, row, strict=True)
        )
