"""Store in the SQL database (the embedded default: no Redis needed).

Each operation is one statement in its own transaction, so it holds across server
processes: ``INSERT … ON CONFLICT`` decides who was first, ``DELETE … RETURNING``
hands a value to exactly one caller. Expired rows read as absent and are purged now
and then.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..models import KvEntry, table_of
from .base import OverLimit

PURGE_PROBABILITY = 0.01


class SqlStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        dialect = engine.dialect.name
        if dialect == "postgresql":
            self._insert: Any = postgresql.insert
        elif dialect == "sqlite":
            self._insert = sqlite.insert
        else:
            raise ValueError(f"the SQL store supports PostgreSQL and SQLite, not {dialect}")
        self.table = table_of(KvEntry)

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
        t = self.table.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.key, t.value).where(t.key.in_(keys), t.expires_at > time.time())
            ).all()
        found = {row.key: bytes(row.value) for row in rows}
        return [found.get(k) for k in keys]

    def set(self, key: str, value: bytes, ttl: float) -> None:
        self.set_many({key: value}, ttl)

    def set_many(self, entries: Mapping[str, bytes], ttl: float) -> None:
        expires_at = time.time() + ttl
        stmt = self._insert(self.table).values(
            [
                {"key": key, "value": value, "counter": 0, "expires_at": expires_at}
                for key, value in entries.items()
            ]
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "value": stmt.excluded.value,
                "counter": 0,
                "expires_at": stmt.excluded.expires_at,
            },
        )
        self._write(stmt)

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        now = time.time()
        stmt = self._insert(self.table).values(
            key=key, value=value, counter=0, expires_at=now + ttl
        )
        # An expired row counts as absent: overwrite it, but never a live one.
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "value": stmt.excluded.value,
                "counter": 0,
                "expires_at": stmt.excluded.expires_at,
            },
            where=self.table.c.expires_at <= now,
        ).returning(self.table.c.key)
        return self._write(stmt) is not None

    def take(self, key: str) -> bytes | None:
        t = self.table.c
        stmt = delete(self.table).where(t.key == key, t.expires_at > time.time()).returning(t.value)
        value = self._write(stmt)
        return bytes(value) if value is not None else None

    def delete(self, *keys: str) -> None:
        if keys:
            self._write(delete(self.table).where(self.table.c.key.in_(keys)))

    def incr(self, key: str, ttl: float) -> int:
        now = time.time()
        t = self.table.c
        stmt = self._insert(self.table).values(key=key, value=b"", counter=1, expires_at=now + ttl)
        expired = t.expires_at <= now
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "counter": case((expired, 1), else_=t.counter + 1),
                "expires_at": case((expired, stmt.excluded.expires_at), else_=t.expires_at),
            },
        ).returning(t.counter)
        return int(self._write(stmt))

    def decr(self, key: str) -> bool:
        t = self.table.c
        now = time.time()
        left = self._write(
            update(self.table)
            .where(t.key == key, t.expires_at > now, t.counter > 0)
            # Back at 0 it expires, as the Redis store deletes it: the next count starts anew.
            .values(
                counter=t.counter - 1, expires_at=case((t.counter == 1, now), else_=t.expires_at)
            )
            .returning(t.counter)
        )
        return left is not None

    def count(self, key: str) -> int:
        t = self.table.c
        with self.engine.connect() as conn:
            value = conn.execute(
                select(t.counter).where(t.key == key, t.expires_at > time.time())
            ).scalar()
        return int(value or 0)

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            conn.execute(select(1))
        return True

    def purge_expired(self) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(delete(self.table).where(self.table.c.expires_at <= time.time()))
        return int(result.rowcount or 0)

    def _write(self, stmt: Any) -> Any:
        with self.engine.begin() as conn:
            result = conn.execute(stmt)
            value = result.scalar_one_or_none() if result.returns_rows else None
        if random.random() < PURGE_PROBABILITY:  # noqa: S311 - scheduling, not security
            self.purge_expired()
        return value
