"""``idp init`` and ``idp serve``: the database and keys, and running the hub."""

from __future__ import annotations

import click

from ..migrate import upgrade
from ..services import audit, policy
from ..services.tokens import signing_keys
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
@click.option("--workers", default=1, show_default=True, type=int, help="Server processes.")
@click.option(
    "--threads", default=8, show_default=True, type=int, help="Request threads per process."
)
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Run the hub (IDP_ISSUER sets its public URL)."""
    from granian import Granian
    from granian.constants import Interfaces

    open_hub().close()  # fail here, with a clear message, if the settings are wrong
    Granian(
        "idp.wsgi:app",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        log_access=False,
    ).serve()
