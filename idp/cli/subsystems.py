"""``idp subsystems``: subsystems (子系統) and their accounts."""

from __future__ import annotations

import click

from .common import open_hub, print_report, record_import, unit_of_work


@click.group("subsystems")
def subsystems() -> None:
    """Subsystems (子系統) and their accounts."""


@subsystems.command("import-accounts")
@click.argument("subsystem")
@click.argument("path", type=click.Path(dir_okay=False))
def subsystems_import_accounts(subsystem: str, path: str) -> None:
    """Load a legacy subsystem's accounts with their password hashes (CSV or JSON; safe to
    run again). Rows that cannot be loaded are listed by line; the others are loaded."""
    from ..services.subsystems.legacy_import import AccountFileRefused, import_accounts

    hub = open_hub()
    catalogue = hub.catalogues.get(subsystem)
    if catalogue is None:
        known = ", ".join(sorted(hub.catalogues))
        raise click.ClickException(f"unknown subsystem {subsystem!r} (known: {known})")
    with unit_of_work(hub) as db:
        try:
            report = import_accounts(db, catalogue, path)
        except AccountFileRefused as refused:
            raise click.ClickException(str(refused.text)) from refused
        record_import(db, "subsystem_accounts.import", path, report, subsystem=subsystem)
    print_report(report)
