"""``idp card``: institution and personnel smartcards."""

from __future__ import annotations

import sys

import click

from ..services.cards.provisioning import DEV_CARD_PIN, SOFTHSM2_MODULE, set_up_dev_cards
from .common import open_hub


@click.group("card")
def card() -> None:
    """Institution and personnel smartcards."""


@card.command("dev-setup")
@click.option("--module", default=SOFTHSM2_MODULE, show_default=True, help="SoftHSM2 module.")
def card_dev_setup(module: str) -> None:
    """Make SoftHSM2 development cards and a development CA under instance/card/ (again
    from scratch each time), trusted only with IDP_ENV=development."""
    settings = open_hub().settings
    setup = set_up_dev_cards(settings.card_dev_dir(), module)
    for label, cert in setup.certificates:
        click.echo(f"{label}: {cert.subject.rfc4514_string()}")
    click.echo(
        f"""
Development cards ready (PIN {DEV_CARD_PIN}); the hub trusts their CA when IDP_ENV=development
(restart it). Start the card agent beside the browser:

  SOFTHSM2_CONF={setup.softhsm2_conf} \\
    {sys.executable} -m clients.cardagent --module {module} --origin {settings.issuer_url}
"""
    )
