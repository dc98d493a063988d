"""``idp demo``: demonstration data."""

from __future__ import annotations

import os

import click

from .common import open_hub, unit_of_work


@click.group("demo")
def demo() -> None:
    """Demonstration data."""


@demo.command("load")
@click.option(
    "--rp-base",
    default=os.environ.get("DEMO_RP_BASE", "http://127.0.0.1"),
    show_default=True,
    help="Scheme and host of the demo subsystems.",
)
@click.option(
    "--rp-port",
    default=int(os.environ.get("DEMO_RP_PORT", "5001")),
    show_default=True,
    help="Port of the first demo subsystem (婦幼); 癌整 and 戒菸 take the next two.",
)
def demo_load(rp_base: str, rp_port: int) -> None:
    """Load demo units, accounts and the three demo subsystems (safe to run again)."""
    from ..demo import load_demo

    hub = open_hub()
    with unit_of_work(hub) as db:
        summary = load_demo(db, hub, rp_base, rp_port)
    click.echo(summary)
