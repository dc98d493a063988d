"""``idp policy``: the security policy (password, lockout, captcha, session), by version."""

from __future__ import annotations

import click

from ..services import policy
from .common import open_hub, unit_of_work


@click.group("policy")
def policy_group() -> None:
    """Security policy: password, lockout, captcha, session."""


@policy_group.command("show")
def policy_show() -> None:
    """The policy in force, one KEY=VALUE per line."""
    with unit_of_work(open_hub()) as db:
        current = policy.current_policy(db)
    click.echo(f"# version {current.version}")
    for name, value in current.flat().items():
        click.echo(f"{name}={value}")


def _policy_change(changes: dict[str, str], reason: str, expire_passwords: bool) -> None:
    hub = open_hub()
    try:
        with hub.database.unit_of_work() as db:
            new = policy.change_policy(
                db, changes, actor="cli", reason=reason, expire_passwords=expire_passwords
            )
    except policy.PolicyError as error:
        raise click.ClickException("\n".join(str(p) for p in error.problems)) from error
    click.echo(f"policy version {new.version} in force")


@policy_group.command("set")
@click.argument("assignments", nargs=-1, required=True)
@click.option("--reason", required=True, help="Why (kept with the new version).")
@click.option(
    "--expire-passwords",
    is_flag=True,
    help="Every account must change its password at the next sign-in.",
)
def policy_set(assignments: tuple[str, ...], reason: str, expire_passwords: bool) -> None:
    """Change values, e.g. ``idp policy set password.min_length=14 --reason …``."""
    changes = {}
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        if not sep:
            raise click.ClickException(f"not KEY=VALUE: {assignment}")
        changes[name.strip()] = value.strip()
    _policy_change(changes, reason, expire_passwords)


@policy_group.command("preset")
@click.argument("name", type=click.Choice(policy.PRESETS))
@click.option("--reason", required=True)
@click.option("--expire-passwords", is_flag=True)
def policy_preset(name: str, reason: str, expire_passwords: bool) -> None:
    """Apply a preset: ``seeds`` (the shipped defaults) or ``nist`` (SP 800-63B)."""
    _policy_change(policy.preset_changes(name), reason, expire_passwords)


@policy_group.command("history")
def policy_history() -> None:
    """Every version: number, time, who, why."""
    with unit_of_work(open_hub()) as db:
        for row in policy.history(db):
            click.echo(
                f"v{row.version}  {row.created_at:%Y-%m-%d %H:%M} UTC  "
                f"{row.created_by}  {row.reason}"
            )
