"""Store on Redis (production)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from typing import cast

import redis
from redis.exceptions import NoScriptError

#: DECR only a counter that exists and is above 0 (DECR alone would create one at -1);
#: one taken back to 0 goes (a counter of nothing holds no memory for its window).
_DECR = """
local value = tonumber(redis.call('GET', KEYS[1]) or '0')
if value > 1 then redis.call('DECR', KEYS[1]) return 1 end
if value == 1 then redis.call('DEL', KEYS[1]) return 1 end
return 0
"""
#: A counter that starts at 1 and expires ``ARGV[1]`` ms after it started, in one command
#: (a pipeline of SET NX and INCR costs the client twice the work).
_INCR = """
redis.call('SET', KEYS[1], 0, 'PX', ARGV[1], 'NX')
return redis.call('INCR', KEYS[1])
"""
_INCR_SHA = hashlib.sha1(_INCR.encode(), usedforsecurity=False).hexdigest()  # its name


def _ms(ttl: float) -> int:
    return max(1, math.ceil(ttl * 1000))


class RedisStore:
    def __init__(self, url: str, prefix: str = "idp:") -> None:
        # Bounded waits: an unreachable Redis fails a request (503) instead of hanging it.
        self.client = redis.Redis.from_url(
            url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=30
        )
        self.prefix = prefix

    def _k(self, key: str) -> str:
        return self.prefix + key

    def get(self, key: str) -> bytes | None:
        return cast(bytes | None, self.client.get(self._k(key)))

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        if not keys:
            return []
        return cast(list[bytes | None], self.client.mget([self._k(k) for k in keys]))

    def set(self, key: str, value: bytes, ttl: float) -> None:
        self.client.set(self._k(key), value, px=_ms(ttl))

    def set_many(self, entries: Mapping[str, bytes], ttl: float) -> None:
        pipe = self.client.pipeline(transaction=False)
        for key, value in entries.items():
            pipe.set(self._k(key), value, px=_ms(ttl))
        pipe.execute()

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        return bool(self.client.set(self._k(key), value, px=_ms(ttl), nx=True))

    def take(self, key: str) -> bytes | None:
        return cast(bytes | None, self.client.getdel(self._k(key)))

    def delete(self, *keys: str) -> None:
        if keys:
            self.client.delete(*[self._k(k) for k in keys])

    def incr(self, key: str, ttl: float) -> int:
        # EVALSHA straight from the client: redis-py's Script objects pay for an
        # isinstance check against a typing Protocol at every call.
        k, ms = self._k(key), str(_ms(ttl))
        try:
            count = self.client.evalsha(_INCR_SHA, 1, k, ms)
        except NoScriptError:  # the first call, or the server lost its scripts
            count = self.client.eval(_INCR, 1, k, ms)
        return int(cast(int, count))

    def decr(self, key: str) -> bool:
        return bool(self.client.eval(_DECR, 1, self._k(key)))

    def count(self, key: str) -> int:
        value = cast(bytes | None, self.client.get(self._k(key)))
        return int(value) if value is not None else 0

    def ping(self) -> bool:
        return bool(self.client.ping())
