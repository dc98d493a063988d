"""End-to-end tests: a live hub on 127.0.0.1 and real clients (Authlib, requests, the
demo subsystems), mail through a real SMTP server, ``idp`` as a program, and server
processes side by side. Every test here is marked ``e2e``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from idp.hub import Hub

from ..support.hub import free_port
from ..support.replicas import start_replicas
from ..support.smtp import SmtpServer

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def replicas(settings_for) -> Iterator[tuple[Hub, str, str]]:  # type: ignore[no-untyped-def]
    """Two server processes over one database and store: (hub, url_a, url_b)."""
    yield from start_replicas(settings_for)
