"""The production topology without containers, for the topology and fault tests: a
PostgreSQL and a Redis of the test's own and two hub processes (``idp serve``) on two
127.0.0.1 ports, as two replicas behind a load balancer would be."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

from idp.config import Settings
from idp.hub import Hub
from idp.migrate import upgrade
from idp.services import policy
from idp.services.tokens import signing_keys

from .hub import SECRET, free_port
from .replicas import serve, wait_ready
from .servers import PostgresServer, RedisServer

#: Settings of the replicas: keys and policy re-read within a second or so.
FAST = {
    "IDP_KEY_RELOAD_SECONDS": "1",
    "IDP_KEY_ACTIVATION_SECONDS": "2",
    "IDP_BACKCHANNEL_RETRY_SECONDS": "1",
}


@dataclass
class Topology:
    hub: Hub
    postgres: PostgresServer
    redis: RedisServer
    url_a: str
    url_b: str
    processes: dict[str, subprocess.Popen[bytes]]
    start_replica: Callable[[str], None]


def own_hub(postgres: PostgresServer, redis_server: RedisServer, issuer: str, tmp: Path) -> Hub:
    """A hub on the test's own servers, migrated, with keys and the default policy."""
    engine = create_engine(postgres.url)
    upgrade(engine)
    engine.dispose()
    hub = Hub(
        Settings(
            issuer=issuer,
            instance_path=str(tmp / "instance"),
            database_url=postgres.url,
            redis_url=redis_server.url,
            secret_key=SECRET,
            key_reload_seconds=1,
            key_activation_seconds=2,
            backchannel_retry_seconds=1,
        )
    )
    with hub.database.unit_of_work() as db:
        signing_keys.ensure_keys(db, hub.key_box)
        policy.ensure_policy(db)
    return hub


def topology(tmp: Path, **more: str) -> Iterator[Topology]:
    postgres, redis_server = PostgresServer(), RedisServer()
    postgres.start()
    redis_server.start()
    port_a, port_b = free_port(), free_port()
    url_a, url_b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    processes: dict[str, subprocess.Popen[bytes]] = {}
    hub = own_hub(postgres, redis_server, url_a, tmp)

    def start_replica(name: str) -> None:
        url = url_a if name == "a" else url_b
        processes[name] = serve(hub, int(url.rsplit(":", 1)[1]), url_a, **FAST, **more)
        wait_ready(url)

    try:
        start_replica("a")
        start_replica("b")
        yield Topology(hub, postgres, redis_server, url_a, url_b, processes, start_replica)
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(15)
        hub.close()
        redis_server.stop()
        postgres.remove()


def eventually(check: Callable[[], Any], seconds: float = 10) -> Any:
    """``check()``'s first true answer within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.2)
