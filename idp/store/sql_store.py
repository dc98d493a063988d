"""Store in the SQL database (the embedded default: no Redis needed).

Each operation is one statement in its own transaction, so it holds across server
processes: ``INSERT … ON CONFLICT`` decides who was first, ``DELETE … RETURNING``
hands a value to exactly one caller. Expired rows read as absent and are purged now
and then. The statements are built once, with bound parameters, so that SQLAlchemy
compiles each of them once and not at every call.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, bindparam, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import BindParameter

from ..models import KvEntry, table_of
from .base import OverLimit

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


_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class SqlStore:
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

    @contextmanager
    def counting(self, key: str, ttl: float, limit: int) -> Iterator[None]:
        count = self.incr(key, ttl)
        if count > limit:
            raise OverLimit(count)
        yield

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        if not keys:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(_GET_MANY, {"keys": keys, "now": time.time()}).all()
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

    def incr(self, key: str, ttl: float) -> int:
        now = time.time()
        return int(self._write(self._incr, {"k": key, "until": now + ttl, "now": now}))

    def decr(self, key: str) -> bool:
        return self._write(_DECR, {"k": key, "now": time.time()}) is not None

    def count(self, key: str) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(_COUNT, {"k": key, "now": time.time()}).scalar()
        return int(value or 0)

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            conn.execute(select(1))
        return True

    def purge_expired(self) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(_PURGE, {"now": time.time()})
        return int(result.rowcount or 0)

    def _write(self, stmt: Any, params: dict[str, Any] | list[dict[str, Any]]) -> Any:
        with self.engine.begin() as conn:
            result = conn.execute(stmt, params)
            value = result.scalar_one_or_none() if result.returns_rows else None
        if random.random() < PURGE_PROBABILITY:  # noqa: S311 - scheduling, not security
            self.purge_expired()
        return value
