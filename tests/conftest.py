"""Fixtures for every kind of test: a migrated database, settings, a prepared hub, its
Flask app, a live hub on 127.0.0.1, and the SoftHSM2 development cards (used by the
card tests and the browser's card pages).

The tests live by kind, each folder with its own ``conftest.py``: ``unit/`` (functions
and services over a database session), ``app/`` (Flask's test client), ``e2e/`` (a live
hub, real clients, mail and server processes), ``browser/`` (Chromium driven by
Playwright) and ``card/`` (SoftHSM2, the card agent and card certificates). Helpers
they share are imported from ``support/``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from idp.app import create_app
from idp.config import Settings
from idp.hub import Hub
from idp.migrate import upgrade
from idp.models import Base

from .support.cards import DevCards, make_dev_cards
from .support.hub import DATABASE_URL, REDIS_URL, SECRET, LiveHub, prepared_hub, start_live_hub
from .support.pki import Pki

# Tests configure the hub explicitly; a developer's environment must not leak in.
# (support.hub has read IDP_DATABASE_URL and IDP_REDIS_URL above.)
for _name in list(os.environ):
    if _name.startswith("IDP_"):
        del os.environ[_name]


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


@pytest.fixture
def hub(settings_for) -> Iterator[Hub]:  # type: ignore[no-untyped-def]
    the_hub = prepared_hub(settings_for())
    yield the_hub
    the_hub.close()


@pytest.fixture
def app(hub: Hub) -> Flask:
    return create_app(hub.settings, hub=hub)


@pytest.fixture
def live_hub(settings_for) -> Iterator[LiveHub]:  # type: ignore[no-untyped-def]
    yield from start_live_hub(settings_for)


@pytest.fixture(scope="session")
def dev_cards(tmp_path_factory: pytest.TempPathFactory) -> DevCards:
    """The development cards, made once for the run by ``idp card dev-setup``."""
    return make_dev_cards(tmp_path_factory.mktemp("devcard"))


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    """A certificate authority made for the test, issuing card certificates and CRLs."""
    return Pki(tmp_path)
