"""The ``idp`` command: set-up and administration for scripts and operators.

One module per command group; ``common`` holds what they share (the hub, the unit of
work). The commands call ``idp.services`` and only parse, print and exit.
"""

from __future__ import annotations

import click

from . import (
    accounts,
    audit,
    card,
    clients,
    delivery,
    demo,
    keys,
    policy,
    server,
    subsystems,
    units,
)


@click.group()
def main() -> None:
    """OneDoor single-sign-on hub."""


for _command in (
    server.init,
    server.serve,
    server.worker,
    clients.clients,
    accounts.accounts,
    units.units,
    subsystems.subsystems,
    keys.keys,
    policy.policy_group,
    delivery.logout,
    delivery.mail_group,
    demo.demo,
    card.card,
    audit.audit_group,
):
    main.add_command(_command)

__all__ = ["main"]
