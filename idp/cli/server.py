"""``idp init``, ``idp serve`` and ``idp worker``: the database and keys, the server
processes, and the background worker."""

from __future__ import annotations

import signal
import threading

import click

from .. import logs
from ..migrate import upgrade
from ..services import audit, policy
from ..services.tokens import signing_keys
from ..worker import BackgroundWorker
from .common import open_hub, unit_of_work


@click.command("init")
def init() -> None:
    """Create or upgrade the database and create signing keys if there are none."""
    hub = open_hub()
    upgrade(hub.database.engine)
    with unit_of_work(hub) as db:
        created = signing_keys.ensure_keys(db, hub.key_box)
        for key in created:
            audit.record(db, "key.create", actor="cli", target=key.kid, alg=key.alg)
        if policy.ensure_policy(db) is not None:
            click.echo("security policy: defaults from policies/ stored as version 1")
    click.echo(f"database ready ({hub.database.engine.url.render_as_string(hide_password=True)})")
    for key in created:
        click.echo(f"created {key.alg} signing key {key.kid}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", type=int, help="Server processes (default: IDP_SERVE_WORKERS).")
@click.option("--threads", type=int, help="Request threads per process (IDP_SERVE_THREADS).")
def serve(host: str, port: int, workers: int | None, threads: int | None) -> None:
    """Run the hub (IDP_ISSUER sets its public URL). SIGTERM stops taking new requests
    and lets those in flight finish (up to IDP_SHUTDOWN_GRACE_SECONDS)."""
    from granian import Granian
    from granian.constants import Interfaces

    hub = open_hub()  # fail here, with a clear message, if the settings are wrong
    settings = hub.settings
    hub.close()
    Granian(
        "idp.wsgi:app",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers or settings.serve_workers,
        blocking_threads=threads or settings.serve_threads,
        workers_kill_timeout=settings.shutdown_grace_seconds,
        log_access=False,
    ).serve()


@click.command("worker")
def worker() -> None:
    """Run the background work (mail, back-channel logout, 忘記密碼 requests, the audit
    collector, account sweeps) in this process until SIGTERM; for IDP_WORKER=process."""
    hub = open_hub()
    logs.configure(hub.settings.log_level, hub.settings.log_format)
    background = BackgroundWorker(hub)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    background.start()
    background.kick()
    click.echo("background worker running; SIGTERM stops it")
    stop.wait()
    background.stop()
    hub.close()
