"""``idp keys``: the hub's signing keys."""

from __future__ import annotations

from datetime import timedelta

import click

from ..services import audit
from ..services.tokens import signing_keys
from .common import open_hub, unit_of_work


@click.group("keys")
def keys() -> None:
    """Signing keys."""


@keys.command("rotate")
def keys_rotate() -> None:
    """New signing keys; the old ones stay published until their tokens have expired."""
    hub = open_hub()
    keep = timedelta(seconds=hub.settings.id_token_ttl_seconds + 300)
    with unit_of_work(hub) as db:
        created = signing_keys.rotate_keys(db, hub.key_box, keep)
        for key in created:
            audit.record(db, "key.rotate", actor="cli", target=key.kid, alg=key.alg)
    for key in created:
        click.echo(f"new {key.alg} signing key {key.kid}")


@keys.command("list")
def keys_list() -> None:
    """Published keys, newest first."""
    hub = open_hub()
    with unit_of_work(hub) as db:
        for key in signing_keys.published_keys(db):
            state = (
                "signing"
                if key.retired_at is None
                else f"retired, published until {key.expires_at:%Y-%m-%d %H:%M} UTC"
            )
            click.echo(f"{key.kid}  {key.alg}  {state}")
