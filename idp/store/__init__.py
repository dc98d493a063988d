"""Short-lived state: Redis when configured, else the SQL database.

With SQLite the store gets a file of its own beside the main database: SQLite allows
one writer per file, and a request that is writing accounts or grants must still be
able to write a session or an access token without waiting on itself.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.schema import CreateIndex, CreateTable

from ..db import make_engine
from ..models import KvEntry, table_of
from .base import Store
from .redis_store import RedisStore
from .sql_store import SqlStore


def _sqlite_state_engine(main: Engine) -> Engine:
    database = main.url.database
    if not database or database == ":memory:":
        raise ValueError("the SQL store needs a file-backed SQLite database")
    path = Path(database)
    engine = make_engine(f"sqlite:///{path.with_name(path.stem + '-state' + path.suffix)}")
    table = table_of(KvEntry)
    # IF NOT EXISTS: several server processes may start at the same moment.
    with engine.begin() as conn:
        conn.execute(CreateTable(table, if_not_exists=True))
        for index in table.indexes:
            conn.execute(CreateIndex(index, if_not_exists=True))
    return engine


def make_store(redis_url: str, engine: Engine) -> Store:
    if redis_url:
        return RedisStore(redis_url)
    if engine.dialect.name == "sqlite":
        return SqlStore(_sqlite_state_engine(engine))
    return SqlStore(engine)


__all__ = ["RedisStore", "SqlStore", "Store", "make_store"]
