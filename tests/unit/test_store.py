"""The short-lived store: each implementation, and atomicity across processes."""

from __future__ import annotations

import multiprocessing
import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from sqlalchemy import event

from idp.db import make_engine
from idp.services.policy_sections import LockoutPolicy
from idp.services.signin.throttle import Throttle
from idp.store import RedisStore, SqlStore, Store, make_store
from idp.store.base import OverLimit
from idp.store.redis_store import _INCR_THEN_MGET, _INCR_THEN_SET

from ..support.hub import DATABASE_URL, REDIS_URL

# PostgreSQL and Redis only when the run is given them (marked ``postgres``).
KINDS = [
    "sqlite",
    *([pytest.param("postgresql", marks=pytest.mark.postgres)] if DATABASE_URL else []),
    *([pytest.param("redis", marks=pytest.mark.postgres)] if REDIS_URL else []),
]


def open_store(kind: str, url: str) -> Store:
    """Opens the store from arguments only: child processes do not see the test settings."""
    if kind == "redis":
        return RedisStore(url)
    if kind == "postgresql":
        return SqlStore(make_engine(url))
    return make_store("", make_engine(f"sqlite:///{url}"))


@pytest.fixture(params=KINDS)
def store_spec(
    request: pytest.FixtureRequest, tmp_path: Path, database_url: str
) -> Iterator[tuple[str, str]]:
    urls = {"redis": REDIS_URL, "postgresql": DATABASE_URL}
    yield request.param, urls.get(request.param) or str(tmp_path / "store.db")


@pytest.fixture
def store(store_spec: tuple[str, str]) -> Store:
    return open_store(*store_spec)


def key() -> str:
    return "test:" + secrets.token_hex(8)


def test_set_get_and_expiry(store: Store) -> None:
    k = key()
    assert store.get(k) is None
    store.set(k, b"value", 0.3)
    assert store.get(k) == b"value"
    time.sleep(0.5)
    assert store.get(k) is None


def test_set_replaces(store: Store) -> None:
    k = key()
    store.set(k, b"one", 10)
    store.set(k, b"two", 10)
    assert store.get(k) == b"two"


def test_set_many(store: Store) -> None:
    a, b = key(), key()
    store.set(a, b"old", 10)
    store.set_many({a: b"A", b: b"B"}, 0.3)
    assert store.get_many([a, b]) == [b"A", b"B"]
    time.sleep(0.5)
    assert store.get_many([a, b]) == [None, None]


def test_get_many_keeps_order(store: Store) -> None:
    a, b, c = key(), key(), key()
    store.set(a, b"A", 10)
    store.set(c, b"C", 10)
    assert store.get_many([a, b, c]) == [b"A", None, b"C"]
    assert store.get_many([]) == []


def test_add_only_when_absent_or_expired(store: Store) -> None:
    k = key()
    assert store.add(k, b"first", 0.3) is True
    assert store.add(k, b"second", 10) is False
    assert store.get(k) == b"first"
    time.sleep(0.5)
    assert store.add(k, b"third", 10) is True
    assert store.get(k) == b"third"


def test_take_hands_the_value_out_once(store: Store) -> None:
    k = key()
    store.set(k, b"once", 10)
    assert store.take(k) == b"once"
    assert store.take(k) is None
    assert store.get(k) is None


def test_delete(store: Store) -> None:
    a, b = key(), key()
    store.set(a, b"1", 10)
    store.set(b, b"2", 10)
    store.delete(a, b)
    assert store.get_many([a, b]) == [None, None]


def test_counter_window(store: Store) -> None:
    k = key()
    assert [store.incr(k, 0.4) for _ in range(3)] == [1, 2, 3]
    time.sleep(0.6)
    assert store.incr(k, 0.4) == 1


def test_a_counter_taken_back_stops_at_zero(store: Store) -> None:
    k = key()
    assert not store.decr(k)  # absent: nothing to take back, and nothing created
    assert store.count(k) == 0
    assert [store.incr(k, 60) for _ in range(2)] == [1, 2]
    assert store.decr(k)
    assert store.count(k) == 1
    assert store.decr(k)
    assert not store.decr(k)
    assert store.count(k) == 0
    assert store.incr(k, 60) == 1


def _incr_many(spec: tuple[str, str], k: str, n: int) -> None:
    store = open_store(*spec)
    for _ in range(n):
        store.incr(k, 60)


def _take_once(spec: tuple[str, str], k: str, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    results.put(open_store(*spec).take(k))


def test_counters_are_exact_across_processes(store_spec: tuple[str, str]) -> None:
    k = key()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_incr_many, args=(store_spec, k, 25)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    assert open_store(*store_spec).incr(k, 60) == 101


def test_single_use_values_go_to_exactly_one_process(store_spec: tuple[str, str]) -> None:
    k = key()
    open_store(*store_spec).set(k, b"prize", 60)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [context.Process(target=_take_once, args=(store_spec, k, results)) for _ in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    got = [results.get(timeout=10) for _ in workers]
    assert sorted(got, key=lambda v: v or b"") == [None] * 5 + [b"prize"]


def _lockout(max_failures: int) -> LockoutPolicy:
    return LockoutPolicy(
        max_failures=max_failures,
        lock_minutes=15,
        address_failures=100,
        address_window_minutes=15,
        signin_per_minute=100,
        captcha_per_minute=100,
        forgot_password_per_hour=100,
        status_lookup_per_hour=100,
        apply_per_hour=100,
        trusted_networks="",
        client_requests_per_minute=600,
    )


def test_a_sign_in_forgets_settled_failures_not_the_attempts_under_way(store: Store) -> None:
    """Three reserved at once, one right: the right one forgets the wrong one already
    settled (and the lock it started), but the one still being checked keeps its place,
    so two more, not three, may be checked before the lock."""
    throttle, account = Throttle(store, _lockout(3)), key()
    assert [throttle.reserve(account) for _ in range(4)] == [True, True, True, False]
    assert throttle.settle_failure(account)  # the first wrong one: three are counted
    throttle.release(account)  # the right one
    throttle.forgive(account)
    assert not throttle.locked(account)
    assert [throttle.reserve(account) for _ in range(3)] == [True, True, False]
    assert throttle.settle_failure(account)
    assert throttle.locked(account)


def test_two_sign_ins_at_once_forget_each_failure_once(store: Store) -> None:
    throttle, account = Throttle(store, _lockout(5)), key()
    for _ in range(2):
        assert throttle.reserve(account)
        throttle.settle_failure(account)
    assert [throttle.reserve(account) for _ in range(3)] == [True] * 3
    throttle.forgive(account)  # the first right one: both settled failures go
    throttle.forgive(account)  # the second: nothing left to forget
    assert [throttle.reserve(account) for _ in range(3)] == [True, True, False]


def test_counting_stops_the_block_once_over_the_limit(store: Store) -> None:
    """Each block is counted once, whatever it does; the block over the limit is
    stopped before it stores anything, and one without a store command is counted too."""
    counter, k = key(), key()
    with store.counting(counter, 60, 3):
        assert store.get(k) is None
    with store.counting(counter, 60, 3):
        store.set(k, b"first", 60)
    with store.counting(counter, 60, 3):
        work = secrets.token_hex(4)  # work that sends the store nothing
    assert work
    with pytest.raises(OverLimit), store.counting(counter, 60, 3):
        store.set(k, b"second", 60)
    assert store.get(k) == b"first"
    with pytest.raises(OverLimit), store.counting(counter, 60, 3):
        store.get_many([k])
    assert store.count(counter) == 5


def test_the_sql_store_counts_in_the_transaction_of_the_blocks_first_operation(
    tmp_path: Path,
) -> None:
    store = open_store("sqlite", str(tmp_path / "store.db"))
    assert isinstance(store, SqlStore)
    transactions = 0

    def began(_conn: Any) -> None:
        nonlocal transactions
        transactions += 1

    counter, k = key(), key()
    event.listen(store.engine, "begin", began)
    with store.counting(counter, 60, 10):
        store.set(k, b"value", 60)
    with store.counting(counter, 60, 10):
        assert store.get_many([k, key()]) == [b"value", None]
    assert transactions == 2
    event.remove(store.engine, "begin", began)
    assert store.count(counter) == 2


# Like the "redis" kind above: only when the run is given Redis.
if REDIS_URL:

    @pytest.mark.postgres
    def test_redis_counts_with_the_blocks_first_command_in_one_round_trip() -> None:
        store = RedisStore(REDIS_URL)
        connection = store.client.connection
        assert connection is not None
        sent = 0
        send_packed_command = connection.send_packed_command

        def counted(*args: Any, **kwargs: Any) -> Any:
            nonlocal sent
            sent += 1
            return send_packed_command(*args, **kwargs)

        counter, k = key(), key()
        store.client.script_load(_INCR_THEN_SET)
        store.client.script_load(_INCR_THEN_MGET)
        with patch.object(connection, "send_packed_command", counted):
            with store.counting(counter, 60, 10):
                store.set(k, b"value", 60)
            with store.counting(counter, 60, 10):
                assert store.get_many([k, key()]) == [b"value", None]
        assert sent == 2
        assert store.count(counter) == 2
        with store.counting(counter, 60, 10):  # another command after the first: on its own
            store.get(k)
            assert store.count(counter) == 3

    @pytest.mark.postgres
    def test_each_thread_keeps_a_redis_connection_of_its_own() -> None:
        store = RedisStore(REDIS_URL)
        clients: dict[str, Any] = {}

        def work(name: str) -> None:
            clients[name] = store.client
            for _ in range(3):
                assert store.client is clients[name]
            store.set(name, name.encode(), 60)

        threads = [threading.Thread(target=work, args=(key(),)) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
        connections = {id(client.connection) for client in clients.values()}
        assert len(clients) == 3 and len(connections) == 3
        assert all(store.get(name) == name.encode() for name in clients)

    @pytest.mark.postgres
    def test_a_kept_redis_connection_the_server_closed_is_replaced() -> None:
        store = RedisStore(REDIS_URL)
        k = key()
        store.set(k, b"value", 60)
        own_id = store.client.client_id()
        assert RedisStore(REDIS_URL).client.client_kill_filter(_id=own_id) == 1
        assert store.get(k) == b"value"
        assert store.client.client_id() != own_id
