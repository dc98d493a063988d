"""Store on Redis (production)."""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Mapping
from typing import Any, cast

import redis
from redis.backoff import NoBackoff
from redis.exceptions import NoScriptError
from redis.retry import Retry

from .base import CountsWithFirstCommand

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
#: ``_INCR``, then the values of KEYS[2], KEYS[3] … (MGET; a missing one is nil).
_INCR_THEN_MGET = """
redis.call('SET', KEYS[1], 0, 'PX', ARGV[1], 'NX')
return {redis.call('INCR', KEYS[1]), redis.call('MGET', unpack(KEYS, 2))}
"""
#: ``_INCR``, then the SET of KEYS[2] only while the count is within ARGV[2].
_INCR_THEN_SET = """
redis.call('SET', KEYS[1], 0, 'PX', ARGV[1], 'NX')
local count = redis.call('INCR', KEYS[1])
if count <= tonumber(ARGV[2]) then redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4]) end
return count
"""


def _sha(script: str) -> str:
    """The name Redis knows a loaded script by."""
    return hashlib.sha1(script.encode(), usedforsecurity=False).hexdigest()


_DECR_SHA, _INCR_SHA, _INCR_THEN_MGET_SHA, _INCR_THEN_SET_SHA = (
    _sha(_DECR),
    _sha(_INCR),
    _sha(_INCR_THEN_MGET),
    _sha(_INCR_THEN_SET),
)


def _ms(ttl: float) -> int:
    return max(1, math.ceil(ttl * 1000))


class RedisStore(CountsWithFirstCommand):
    def __init__(self, url: str, prefix: str = "idp:") -> None:
        # Bounded waits: an unreachable Redis fails a request (503) instead of hanging it.
        # A kept connection that the server closed (a restart) fails its next command
        # before the command reaches the server: that command is sent once more, on a
        # new connection. (Sent twice only if the server failed after running it.)
        self.pool = redis.ConnectionPool.from_url(
            url,
            socket_connect_timeout=2,
            socket_timeout=5,
            health_check_interval=30,
            retry=Retry(NoBackoff(), 1),
            retry_on_error=[redis.ConnectionError],
        )
        self.prefix = prefix
        self._local = threading.local()

    @property
    def client(self) -> redis.Redis:
        """This thread's client, which keeps one connection of the pool: the pool's
        checkout, with its check that the connection has nothing unread, costs each
        command as much as its round trip."""
        client: redis.Redis | None = getattr(self._local, "client", None)
        if client is None:
            client = redis.Redis(connection_pool=self.pool, single_connection_client=True)
            self._local.client = client
        return client

    def _k(self, key: str) -> str:
        return self.prefix + key

    # A ``counting`` counter goes with a block's first command: in one script with a read
    # or with a SET (which it may stop); any other command counts it first, on its own.

    def _script(self, script: str, sha: str, keys: list[str], args: list[Any]) -> Any:
        # EVALSHA straight from the client: redis-py's Script objects pay for an
        # isinstance check against a typing Protocol at every call.
        try:
            return self.client.evalsha(sha, len(keys), *keys, *args)
        except NoScriptError:  # the first call, or the server lost its scripts
            return self.client.eval(script, len(keys), *keys, *args)

    def _read(self, keys: list[str]) -> list[bytes | None]:
        """The values of ``keys`` (MGET), with the pending counter counted in the same
        command."""
        prefixed = [self._k(k) for k in keys]
        pending = self.take_pending()
        if pending is None:
            return cast(list[bytes | None], self.client.mget(prefixed))
        count, values = self._script(
            _INCR_THEN_MGET,
            _INCR_THEN_MGET_SHA,
            [self._k(pending.key), *prefixed],
            [_ms(pending.ttl)],
        )
        pending.check(int(count))
        return cast(list[bytes | None], values)

    def get(self, key: str) -> bytes | None:
        return self._read([key])[0]

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        if not keys:
            self.count_pending()
            return []
        return self._read(keys)

    def set(self, key: str, value: bytes, ttl: float) -> None:
        pending = self.take_pending()
        if pending is None:
            self.client.set(self._k(key), value, px=_ms(ttl))
            return
        keys = [self._k(pending.key), self._k(key)]
        args = [_ms(pending.ttl), pending.limit, value, _ms(ttl)]
        pending.check(int(self._script(_INCR_THEN_SET, _INCR_THEN_SET_SHA, keys, args)))

    def set_many(self, entries: Mapping[str, bytes], ttl: float) -> None:
        self.count_pending()
        pipe = self.client.pipeline(transaction=False)
        for key, value in entries.items():
            pipe.set(self._k(key), value, px=_ms(ttl))
        pipe.execute()

    def add(self, key: str, value: bytes, ttl: float) -> bool:
        self.count_pending()
        return bool(self.client.set(self._k(key), value, px=_ms(ttl), nx=True))

    def take(self, key: str) -> bytes | None:
        self.count_pending()
        return cast(bytes | None, self.client.getdel(self._k(key)))

    def delete(self, *keys: str) -> None:
        self.count_pending()
        if keys:
            self.client.delete(*[self._k(k) for k in keys])

    def incr(self, key: str, ttl: float) -> int:
        self.count_pending()
        return int(self._script(_INCR, _INCR_SHA, [self._k(key)], [_ms(ttl)]))

    def decr(self, key: str) -> bool:
        self.count_pending()
        return bool(self._script(_DECR, _DECR_SHA, [self._k(key)], []))

    def count(self, key: str) -> int:
        value = self._read([key])[0]
        return int(value) if value is not None else 0

    def ping(self) -> bool:
        return bool(self.client.ping())
