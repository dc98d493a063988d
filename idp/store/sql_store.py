"""Store in the SQL database (the embedded default: no Redis needed).

Each operation is one statement in its own transaction, so it holds across server
processes: ``INSERT … ON CONFLICT`` decides who was first, ``DELETE … RETURNING``
hands a value to exactly one caller. A ``counting`` block's count goes in the
transaction of the block's first operation, counted before it; over the limit, the
count is kept and the operation is not done. Expired rows read as absent and are
purged now and then. The statements are built once, with bound parameters, so that
SQLAlchemy compiles each of them once and not at every call.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, Row, bindparam, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import BindParameter

from ..models import KvEntry, table_of
from .base import CountsWithFirstCommand, OverLimit

PURGE_PROBABILITY = 0.01

_table = table_of(KvEntry)
_c = _table.c
_NOW: BindParameter[float] = bindparam("now")
_LIVE = _c.expires_at > _NOW

_GET_MANY = select(_c.key, _c.value).where(_c.key.in_(bindparam("keys", expanding=True)), _LIVE)
_COUNT = select(_c.counter).where(_c.key == bindparam("k"), _LIVE)
_TAKE = delete(_table).where(_c.key == bindparam("k"), _LIVE).returning(_c.value)
_DELETE = delete(_table).where(_c.key.in_(bindparam("keys", expanding=True)))
_PURGE = delete(_table).where(_c.expires_at <= _NOW)
_DECR = (
    update(_table)
    .where(_c.key == bindparam("k"), _LIVE, _c.counter > 0)
    # Back at 0 it expires, as the Redis store deletes it: the next count starts anew.
    .values(counter=_c.counter - 1, expires_at=case((_c.counter == 1, _NOW), else_=_c.expires_at))
    .returning(_c.counter)
)


def _upserts(insert: Any) -> tuple[Any, Any, Any]:
    """The dialect's ``set``, ``add`` and ``incr`` statements (``INSERT … ON CONFLICT``)."""
    value = insert(_table).values(
        key=bindparam("k"),
        value=bindparam("v"),
        counter=0,
        expires_at=bindparam("until"),
    )
    replace = {"value": value.excluded.value, "counter": 0, "expires_at": value.excluded.expires_at}
    set_ = value.on_conflict_do_update(index_elements=["key"], set_=replace)
    # An expired row counts as absent: overwrite it, but never a live one.
    add = value.on_conflict_do_update(
        index_elements=["key"], set_=replace, where=_c.expires_at <= _NOW
    ).returning(_c.key)
    counter = insert(_table).values(
        key=bindparam("k"), value=b"", counter=1, expires_at=bindparam("until")
    )
    expired = _c.expires_at <= _NOW
    incr = counter.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "counter": case((expired, 1), else_=_c.counter + 1),
            "expires_at": case((expired, counter.excluded.expires_at), else_=_c.expires_at),
        },
    ).returning(_c.counter)
    return set_, add, incr


def _counter(key: str, ttl: float) -> dict[str, Any]:
    """The parameters of ``incr``'s statement."""
    now = time.time()
    return {"k": key, "until": now + ttl, "now": now}


_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class SqlStore(CountsWithFirstCommand):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        insert = _INSERTS.get(engine.dialect.name)
        if insert is None:
            raise ValueError(
                f"the SQL store supports PostgreSQL and SQLite, not {engine.dialect.name}"
            )
        self._set, self._add, self._incr = _upserts(insert)
        self.table = _table

    def get(self, key: str) -> bytes | None:
        return self.get_many([key])[0]

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        if not keys:
            self.count_pending()
            return []
        rows = self._run(_GET_MANY, {"keys": keys, "now": time.time()})
        found = {row.key: bytes(row.value) for row in rows}
        return [found.get(k) for k in keys]

    def set(self, key: str, value: bytes, ttl: float) -> None:
        self.set_many({key: value}, ttl)

    def set_many(self, entries: Mapping[str, bytes], ttl: float) -> None:
        expires_at = time.time() + ttl
        rows = [{"k": k, "v": v, "until": expires_at} for k, v in entries.items()]
        self._write(self._set, rows)

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        now = time.time()
        row = {"k": key, "v": value, "until": now + ttl, "now": now}
        return self._write(self._add, row) is not None

    def take(self, key: str) -> bytes | None:
        value = self._write(_TAKE, {"k": key, "now": time.time()})
        return bytes(value) if value is not None else None

    def delete(self, *keys: str) -> None:
        if keys:
            self._write(_DELETE, {"keys": list(keys)})
        else:
            self.count_pending()

    def incr(self, key: str, ttl: float) -> int:
        return int(self._write(self._incr, _counter(key, ttl)))

    def decr(self, key: str) -> bool:
        return self._write(_DECR, {"k": key, "now": time.time()}) is not None

    def count(self, key: str) -> int:
        rows = self._run(_COUNT, {"k": key, "now": time.time()})
        return int(rows[0][0]) if rows else 0

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            conn.execute(select(1))
        return True

    def purge_expired(self) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(_PURGE, {"now": time.time()})
        return int(result.rowcount or 0)

    def _run(
        self, stmt: Any, params: Mapping[str, Any] | list[dict[str, Any]]
    ) -> Sequence[Row[Any]]:
        """``stmt``'s rows, in a transaction of its own that first counts the pending
        count, if any."""
        pending = self.take_pending()
        over: OverLimit | None = None
        rows: Sequence[Row[Any]] = []
        with self.engine.begin() as conn:
            if pending is not None:
                try:
                    pending.check(self._count(conn, pending.key, pending.ttl))
                except OverLimit as error:
                    over = error  # the count is committed; the operation is not done
            if over is None:
                result = conn.execute(stmt, params)
                rows = result.all() if result.returns_rows else []
        if over is not None:
            raise over
        return rows

    def _count(self, conn: Connection, key: str, ttl: float) -> int:
        now = time.time()
        return int(
            conn.execute(self._incr, {"k": key, "until": now + ttl, "now": now}).scalar_one()
        )

    def _write(self, stmt: Any, params: Mapping[str, Any] | list[dict[str, Any]]) -> Any:
        """``_run`` for a write: its first column of its one row, if it returned one;
        expired rows are purged now and then."""
        rows = self._run(stmt, params)
        if random.random() < PURGE_PROBABILITY:  # noqa: S311 - scheduling, not security
            self.purge_expired()
        return rows[0][0] if rows else None
