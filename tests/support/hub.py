"""A hub over an emptied database, and the same hub serving HTTP on 127.0.0.1.

The suite runs on the embedded defaults (SQLite, no Redis), and on PostgreSQL + Redis
when ``IDP_DATABASE_URL`` / ``IDP_REDIS_URL`` are set: they are read here, when the
top-level ``conftest.py`` first imports this module, before it clears every ``IDP_*``
variable from the environment."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import redis
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from idp.app import create_app
from idp.config import Settings
from idp.hub import Hub
from idp.models import Base, KvEntry
from idp.services import policy
from idp.services.tokens import signing_keys
from idp.store import SqlStore

DATABASE_URL = os.environ.get("IDP_DATABASE_URL", "")
REDIS_URL = os.environ.get("IDP_REDIS_URL", "")
SECRET = "test-secret-key-0123456789-abcdefghijklmnop"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wipe(hub: Hub) -> None:
    with hub.database.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "kv_entry" or not hub.database.is_sqlite:
                conn.execute(table.delete())
    if REDIS_URL:
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter("idp:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        assert isinstance(hub.store, SqlStore)
        with hub.store.engine.begin() as conn:
            conn.execute(KvEntry.__table__.delete())


def prepared_hub(settings: Settings) -> Hub:
    """A hub over an emptied database and store, with signing keys."""
    the_hub = Hub(settings)
    _wipe(the_hub)
    with the_hub.database.unit_of_work() as db:
        signing_keys.ensure_keys(db, the_hub.key_box)
        policy.ensure_policy(db)
    return the_hub


def serve(flask_app: Flask, port: int) -> BaseWSGIServer:
    """``flask_app`` serving on 127.0.0.1:``port`` in a thread, until ``shutdown()``."""
    server = make_server("127.0.0.1", port, flask_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@dataclass
class LiveHub:
    url: str
    app: Flask
    hub: Hub
    server: BaseWSGIServer


def start_live_hub(settings_for, host: str = "127.0.0.1", **overrides: object) -> Iterator[LiveHub]:  # type: ignore[no-untyped-def]
    """A prepared hub serving on a free port of 127.0.0.1, with its background worker,
    until the generator is closed; its issuer names ``host`` (``localhost`` for passkeys,
    whose relying-party id cannot be an IP address). ``settings_for`` is the fixture of
    that name."""
    port = free_port()
    the_hub = prepared_hub(settings_for(port, issuer=f"http://{host}:{port}", **overrides))
    flask_app = create_app(the_hub.settings, hub=the_hub, start_worker=True)
    server = serve(flask_app, port)
    try:
        yield LiveHub(url=the_hub.settings.issuer_url, app=flask_app, hub=the_hub, server=server)
    finally:
        server.shutdown()
        flask_app.extensions["onedoor_worker"].stop()
        the_hub.close()
