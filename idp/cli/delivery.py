"""``idp logout deliver`` and ``idp mail deliver``: send what waits in the outboxes now
(servers also do this on their own, in the background)."""

from __future__ import annotations

import sys

import click

from .common import open_hub


@click.group("logout")
def logout() -> None:
    """Back-channel logout notifications."""


@logout.command("deliver")
def logout_deliver() -> None:
    """Send the due notifications now (servers also do this on their own)."""
    from ..worker import deliver_logout_notifications

    delivered, failed = deliver_logout_notifications(open_hub())
    click.echo(f"delivered {delivered}, failed {failed} (will be retried)")
    if failed:
        sys.exit(1)


@click.group("mail")
def mail_group() -> None:
    """The mail outbox."""


@mail_group.command("deliver")
def mail_deliver() -> None:
    """Send the due mail now (servers also do this on their own)."""
    from ..worker import deliver_mail

    hub = open_hub()
    if hub.mail_sender is None:
        raise click.ClickException("IDP_SMTP_URL is not set: mail stays in the outbox")
    sent, failed = deliver_mail(hub)
    click.echo(f"sent {sent}, failed {failed} (will be retried)")
    if failed:
        sys.exit(1)
