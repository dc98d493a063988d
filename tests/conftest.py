"""Test set-up. The suite runs on the embedded defaults (SQLite, no Redis), and on
PostgreSQL + Redis when ``IDP_DATABASE_URL`` / ``IDP_REDIS_URL`` are set (their
database and the ``idp:`` keys are wiped)."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import create_engine, text
from werkzeug.serving import BaseWSGIServer, make_server

from idp.app import create_app
from idp.config import Settings
from idp.hub import Hub
from idp.migrate import upgrade
from idp.models import Base, KvEntry
from idp.services import policy
from idp.services.tokens import signing_keys
from idp.store import SqlStore

from .smtp import SmtpServer

DATABASE_URL = os.environ.get("IDP_DATABASE_URL", "")
REDIS_URL = os.environ.get("IDP_REDIS_URL", "")
SECRET = "test-secret-key-0123456789-abcdefghijklmnop"

# Tests configure the hub explicitly; a developer's environment must not leak in.
for _name in list(os.environ):
    if _name.startswith("IDP_"):
        del os.environ[_name]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A freshly migrated database for the whole run."""
    if DATABASE_URL:
        engine = create_engine(DATABASE_URL)
        with engine.begin() as conn:
            Base.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        url = DATABASE_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'onedoor.db'}"
        engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


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


@pytest.fixture
def settings_for(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    def make(port: int | None = None, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "issuer": f"http://127.0.0.1:{port or 5999}",
            "instance_path": str(tmp_path / "instance"),
            "database_url": database_url,
            "redis_url": REDIS_URL,
            "secret_key": SECRET,
            "key_reload_seconds": 1,
            "backchannel_retry_seconds": 1,
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return make


def prepared_hub(settings: Settings) -> Hub:
    """A hub over an emptied database and store, with signing keys."""
    the_hub = Hub(settings)
    _wipe(the_hub)
    with the_hub.database.unit_of_work() as db:
        signing_keys.ensure_keys(db, the_hub.key_box)
        policy.ensure_policy(db)
    return the_hub


@pytest.fixture
def hub(settings_for) -> Iterator[Hub]:  # type: ignore[no-untyped-def]
    the_hub = prepared_hub(settings_for())
    yield the_hub
    the_hub.close()


@pytest.fixture
def app(hub: Hub) -> Flask:
    return create_app(hub.settings, hub=hub)


@dataclass
class LiveHub:
    url: str
    app: Flask
    hub: Hub
    server: BaseWSGIServer


@pytest.fixture
def live_hub(settings_for) -> Iterator[LiveHub]:  # type: ignore[no-untyped-def]
    yield from start_live_hub(settings_for)


def start_live_hub(settings_for, **overrides: object) -> Iterator[LiveHub]:  # type: ignore[no-untyped-def]
    port = free_port()
    the_hub = prepared_hub(settings_for(port, **overrides))
    flask_app = create_app(the_hub.settings, hub=the_hub, start_worker=True)
    server = make_server("127.0.0.1", port, flask_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveHub(url=the_hub.settings.issuer_url, app=flask_app, hub=the_hub, server=server)
    finally:
        server.shutdown()
        flask_app.extensions["onedoor_worker"].stop()
        the_hub.close()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


# Browser tests: Debian's Chromium, driven by Playwright ------------------------------

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-TW")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
