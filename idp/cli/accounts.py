"""``idp accounts``: portal accounts."""

from __future__ import annotations

import json

import click

from ..models import AccountRole
from ..services import audit
from ..services.accounts.directory import create_account, find_by_username
from ..services.factors import manage
from ..services.units.directory import ensure_unit
from .common import open_hub, print_report, record_import, unit_of_work


@click.group("accounts")
def accounts() -> None:
    """Portal accounts."""


@accounts.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
def accounts_import(path: str) -> None:
    """Load the old portal's accounts (CSV; safe to run again). Rows that cannot be loaded
    are listed by line; the others are loaded. Load subsystem accounts first."""
    from ..services.accounts.migration import Migrating, import_portal_accounts
    from ..services.subsystems.legacy_import import AccountFileRefused

    hub = open_hub()
    with unit_of_work(hub) as db:
        try:
            report = import_portal_accounts(db, Migrating(hub.national_ids, hub.catalogues), path)
        except AccountFileRefused as refused:
            raise click.ClickException(str(refused.text)) from refused
        record_import(db, "accounts.import", path, report)
    print_report(report)


@accounts.command("create")
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default="")
@click.option("--email", default="")
@click.option("--unit", "unit_code", default=None, help="Unit code (created if new).")
@click.option("--unit-name", default=None)
@click.option("--unit-admin", is_flag=True, help="Make the account its unit's admin.")
@click.option("--security-admin", is_flag=True, help="Let the account set security policy.")
def accounts_create(
    username: str,
    password: str,
    name: str,
    email: str,
    unit_code: str | None,
    unit_name: str | None,
    unit_admin: bool,
    security_admin: bool,
) -> None:
    """Create an active account."""
    hub = open_hub()
    with unit_of_work(hub) as db:
        unit = ensure_unit(db, unit_code, unit_name) if unit_code else None
        account = create_account(
            db,
            hub.passwords,
            username=username,
            password=password,
            name=name,
            email=email,
            unit=unit,
            role=AccountRole.UNIT_ADMIN if unit_admin else AccountRole.MEMBER,
        )
        account.is_security_admin = security_admin
        audit.record(
            db,
            "account.create",
            actor="cli",
            target=account.username,
            security_admin=security_admin,
        )
    click.echo(json.dumps({"username": account.username, "sub": account.subject}))


@accounts.command("sweep")
def accounts_sweep() -> None:
    """Disable accounts whose disabling day has come, and make idle accounts dormant
    (待復權) under the dormancy policy. The server does this by itself every few minutes."""
    from ..worker import sweep_accounts

    result = sweep_accounts(open_hub())
    click.echo(json.dumps({"disabled": result.disabled, "dormant": result.dormant}))


@accounts.command("reset-second-factors")
@click.option("--username", required=True)
@click.option("--reason", required=True, help="Why (kept in the audit log).")
def accounts_reset_second_factors(username: str, reason: str) -> None:
    """Remove an account's passkeys, authenticator app and recovery codes (重設兩步驟驗證),
    e.g. for a security admin who lost them; the person is mailed."""
    hub = open_hub()
    with unit_of_work(hub) as db:
        account = find_by_username(db, username)
        if account is None:
            raise click.ClickException(f"no account {username}")
        manage.reset(db, hub.policy.current().mfa, None, account, reason, ip="")
    click.echo(json.dumps({"username": account.username, "second_factors": "reset"}))
