"""``idp audit``: the audit log's hash chain and its collector."""

from __future__ import annotations

import click

from ..services.audit_log.verify import verify
from ..worker import forward_audit
from .common import open_hub, unit_of_work


@click.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Check the hash chain; report the first altered, missing or unchained record."""
    hub = open_hub()
    with unit_of_work(hub) as db:
        verdict = verify(db)
    if not verdict.ok:
        raise click.ClickException(f"audit chain broken: {verdict.problem}")
    click.echo(f"audit chain intact: {verdict.checked} records")


@audit_group.command("forward")
def audit_forward() -> None:
    """Send the records the collector (IDP_AUDIT_SINK) has not had yet, now."""
    hub = open_hub()
    if hub.audit_collector is None:
        raise click.ClickException("no collector configured (IDP_AUDIT_SINK)")
    click.echo(f"sent {forward_audit(hub)} records")
