"""``idp keys``: the hub's signing keys."""

from __future__ import annotations

from datetime import timedelta

import click

from ..models import utcnow
from ..services import audit
from ..services.tokens import signing_keys
from .common import open_hub, unit_of_work


@click.group("keys")
def keys() -> None:
    """Signing keys."""


@keys.command("rotate")
@click.option(
    "--now",
    "at_once",
    is_flag=True,
    help="Sign with the new keys at once (a leaked key), not after IDP_KEY_ACTIVATION_SECONDS.",
)
def keys_rotate(at_once: bool) -> None:
    """New signing keys, published at once and signing after IDP_KEY_ACTIVATION_SECONDS;
    the old ones sign until then and stay published until their tokens have expired."""
    hub = open_hub()
    settings = hub.settings
    lead = timedelta(seconds=0 if at_once else settings.key_activation_seconds)
    longest = max(settings.id_token_ttl_seconds, settings.access_token_ttl_seconds)
    keep = timedelta(seconds=longest + 300)
    with unit_of_work(hub) as db:
        created = signing_keys.rotate_keys(db, hub.key_box, lead, keep)
        for key in created:
            audit.record(
                db,
                "key.rotate",
                actor="cli",
                target=key.kid,
                alg=key.alg,
                activates_at=key.activates_at.isoformat() if key.activates_at else "",
            )
    for key in created:
        when = f"{key.activates_at:%Y-%m-%d %H:%M:%S} UTC" if key.activates_at else "now"
        click.echo(f"new {key.alg} signing key {key.kid}, published now, signing from {when}")


@keys.command("list")
def keys_list() -> None:
    """Published keys, newest first."""
    hub = open_hub()
    with unit_of_work(hub) as db:
        now = utcnow()
        for key in signing_keys.published_keys(db, now):
            if signing_keys.signs_at(key, now):
                state = "signing"
            elif key.activates_at is not None and key.activates_at > now:
                state = f"published, signing from {key.activates_at:%Y-%m-%d %H:%M:%S} UTC"
            else:
                state = f"retired, published until {key.expires_at:%Y-%m-%d %H:%M} UTC"
            click.echo(f"{key.kid}  {key.alg}  {state}")
