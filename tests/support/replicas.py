"""Two hub server processes (``idp serve``) sharing one database and store, as replicas
behind a proxy would."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import requests

from idp.hub import Hub

from .hub import free_port, prepared_hub


def hub_environment(hub: Hub, issuer: str, **more: str) -> dict[str, str]:
    """The environment of an ``idp`` process on ``hub``'s database, store and secret."""
    settings = hub.settings
    return dict(
        os.environ,
        IDP_INSTANCE_PATH=settings.instance_path,
        IDP_DATABASE_URL=settings.sqlalchemy_url(),
        IDP_REDIS_URL=settings.redis_url,
        IDP_SECRET_KEY=settings.secret_key,
        IDP_ISSUER=issuer,
        **more,
    )


def serve(hub: Hub, port: int, issuer: str, **more: str) -> subprocess.Popen[bytes]:
    """``idp serve`` on ``port``; ``more`` are further ``IDP_*`` settings."""
    return subprocess.Popen(
        [sys.executable, "-m", "idp.cli", "serve", "--port", str(port)],
        env=hub_environment(hub, issuer, **more),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # A group of its own: the server's worker processes can be killed with it.
        start_new_session=True,
    )


def wait_ready(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/.well-known/openid-configuration", timeout=1).ok:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not start")


def start_replicas(settings_for) -> Iterator[tuple[Hub, str, str]]:  # type: ignore[no-untyped-def]
    """A prepared hub and the URLs of two processes serving it, one of them the issuer,
    until the generator is closed. ``settings_for`` is the fixture of that name."""
    port_a, port_b = free_port(), free_port()
    issuer = f"http://127.0.0.1:{port_a}"
    hub = prepared_hub(settings_for(port_a))
    processes = [serve(hub, port_a, issuer), serve(hub, port_b, issuer)]
    try:
        url_a, url_b = issuer, f"http://127.0.0.1:{port_b}"
        wait_ready(url_a)
        wait_ready(url_b)
        yield hub, url_a, url_b
    finally:
        for process in processes:
            process.terminate()
            process.wait(15)
        hub.close()
