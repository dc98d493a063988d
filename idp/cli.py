"""The ``idp`` command: set-up and administration for scripts and operators."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import click
from sqlalchemy.orm import Session

from .config import ConfigError, Settings
from .hub import Hub
from .migrate import upgrade
from .models import AccountRole
from .services import audit, policy
from .services.accounts.directory import create_account
from .services.cards.provisioning import DEV_CARD_PIN, SOFTHSM2_MODULE, set_up_dev_cards
from .services.errors import DomainError
from .services.import_report import ImportReport
from .services.signin.steps import ACR_VALUES
from .services.subsystems.clients import (
    ClientRegistration,
    list_clients,
    register_client,
    require_acr,
)
from .services.tokens import signing_keys
from .services.units.directory import ensure_unit


def _hub() -> Hub:
    try:
        return Hub(Settings.from_env())
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@contextmanager
def _unit_of_work(hub: Hub) -> Iterator[Session]:
    """A unit of work whose domain errors become a clear message and exit status 1."""
    try:
        with hub.database.unit_of_work() as db:
            yield db
    except DomainError as exc:
        raise click.ClickException(f"{getattr(exc, 'field', '')} {exc.message}".strip()) from exc


@click.group()
def main() -> None:
    """OneDoor single-sign-on hub."""


@main.command()
def init() -> None:
    """Create or upgrade the database and create signing keys if there are none."""
    hub = _hub()
    upgrade(hub.database.engine)
    with _unit_of_work(hub) as db:
        created = signing_keys.ensure_keys(db, hub.key_box)
        for key in created:
            audit.record(db, "key.create", actor="cli", target=key.kid, alg=key.alg)
        if policy.ensure_policy(db) is not None:
            click.echo("security policy: defaults from policies/ stored as version 1")
    click.echo(f"database ready ({hub.database.engine.url.render_as_string(hide_password=True)})")
    for key in created:
        click.echo(f"created {key.alg} signing key {key.kid}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="Server processes.")
@click.option(
    "--threads", default=8, show_default=True, type=int, help="Request threads per process."
)
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Run the hub (IDP_ISSUER sets its public URL)."""
    from granian import Granian
    from granian.constants import Interfaces

    _hub().close()  # fail here, with a clear message, if the settings are wrong
    Granian(
        "idp.wsgi:app",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        log_access=False,
    ).serve()


# Clients --------------------------------------------------------------------------


@main.group()
def clients() -> None:
    """Subsystems registered as OpenID Connect clients."""


@clients.command("add")
@click.option("--name", required=True)
@click.option("--client-id", default=None, help="Default: a random id.")
@click.option("--redirect-uri", "redirect_uris", multiple=True)
@click.option("--post-logout-redirect-uri", "post_logout_redirect_uris", multiple=True)
@click.option("--backchannel-logout-uri", default="")
@click.option(
    "--initiate-login-uri",
    default="",
    help="Where the hub starts a sign-in chosen at the hub (OpenID Connect Core section 4).",
)
@click.option(
    "--grant-type",
    "grant_types",
    multiple=True,
    default=("authorization_code", "refresh_token"),
    show_default=True,
)
@click.option("--scope", default=None, help="Allowed scopes (space-separated).")
@click.option("--public", is_flag=True, help="No secret; PKCE required (token auth 'none').")
@click.option(
    "--auth-method",
    default="client_secret_basic",
    show_default=True,
    type=click.Choice(["client_secret_basic", "client_secret_post"]),
)
@click.option(
    "--consent/--no-consent",
    default=False,
    help="Always ask the person's consent (third-party clients).",
)
@click.option(
    "--id-token-alg", default="RS256", show_default=True, type=click.Choice(["RS256", "ES256"])
)
@click.option(
    "--min-acr",
    default="",
    type=click.Choice(["", *ACR_VALUES]),
    help="Weakest sign-in the subsystem accepts; a weaker session must sign in with a card.",
)
def clients_add(
    name: str,
    client_id: str | None,
    redirect_uris: tuple[str, ...],
    post_logout_redirect_uris: tuple[str, ...],
    backchannel_logout_uri: str,
    initiate_login_uri: str,
    grant_types: tuple[str, ...],
    scope: str | None,
    public: bool,
    auth_method: str,
    consent: bool,
    id_token_alg: str,
    min_acr: str,
) -> None:
    """Register a client; prints JSON with client_id and client_secret (shown once)."""
    hub = _hub()
    registration = ClientRegistration(
        name=name,
        client_id=client_id,
        redirect_uris=list(redirect_uris),
        post_logout_redirect_uris=list(post_logout_redirect_uris),
        backchannel_logout_uri=backchannel_logout_uri,
        initiate_login_uri=initiate_login_uri,
        grant_types=list(grant_types),
        token_endpoint_auth_method="none" if public else auth_method,
        first_party=not consent,
        id_token_signed_response_alg=id_token_alg,
        min_acr=min_acr,
    )
    if scope is not None:
        registration.scope = scope
    with _unit_of_work(hub) as db:
        client, secret = register_client(db, hub.client_secrets, registration)
        audit.record(db, "client.create", actor="cli", target=client.client_id)
    click.echo(json.dumps({"client_id": client.client_id, "client_secret": secret}))


@clients.command("require-acr")
@click.argument("client_id")
@click.argument("acr", default="", type=click.Choice(["", *ACR_VALUES]))
def clients_require_acr(client_id: str, acr: str) -> None:
    """Make a subsystem require a sign-in level (no ACR: any), e.g. the card level."""
    hub = _hub()
    with _unit_of_work(hub) as db:
        require_acr(db, client_id, acr)
        audit.record(db, "client.require_acr", actor="cli", target=client_id, acr=acr)
    click.echo(f"{client_id}: minimum acr {acr or '(any)'}")


@clients.command("list")
def clients_list() -> None:
    """Registered clients, one JSON object per line."""
    hub = _hub()
    with _unit_of_work(hub) as db:
        for client in list_clients(db):
            click.echo(
                json.dumps(
                    {
                        "client_id": client.client_id,
                        "name": client.name,
                        "redirect_uris": client.redirect_uris,
                        "post_logout_redirect_uris": client.post_logout_redirect_uris,
                        "backchannel_logout_uri": client.backchannel_logout_uri,
                        "initiate_login_uri": client.initiate_login_uri,
                        "grant_types": client.grant_types,
                        "scope": client.scope,
                        "token_endpoint_auth_method": client.token_endpoint_auth_method,
                        "min_acr": client.min_acr,
                        "disabled": client.disabled_at is not None,
                    },
                    ensure_ascii=False,
                )
            )


# Accounts ---------------------------------------------------------------------------


@main.group()
def accounts() -> None:
    """Portal accounts."""


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
    hub = _hub()
    with _unit_of_work(hub) as db:
        unit = ensure_unit(db, unit_code, unit_name or unit_code) if unit_code else None
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
    from .worker import sweep_accounts

    result = sweep_accounts(_hub())
    click.echo(json.dumps({"disabled": result.disabled, "dormant": result.dormant}))


def _print_report(report: ImportReport) -> None:
    for row in report.rejected:
        click.echo(f"line {row.line}: {row.reason}")
    click.echo(report.summary())


# Units --------------------------------------------------------------------------------


@main.group()
def units() -> None:
    """Units (單位): medical institutions, health bureaus and the authority."""


@units.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
def units_import(path: str) -> None:
    """Load the open-data CSV of contracted medical institutions (safe to run again).

    Rows that cannot be loaded are listed by line; the others are loaded."""
    from .services.units.importing import UnitFileRefused, import_units

    hub = _hub()
    with _unit_of_work(hub) as db:
        try:
            report = import_units(db, path)
        except UnitFileRefused as refused:
            raise click.ClickException(str(refused.text)) from refused
        audit.record(
            db,
            "units.import",
            actor="cli",
            target=os.path.basename(path),
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            rejected=len(report.rejected),
        )
    _print_report(report)


@units.command("show")
@click.argument("code")
def units_show(code: str) -> None:
    """One unit: what it is, where, its 衛生局 and its active unit admins."""
    from .services.units.directory import find_by_code, unit_summary

    with _unit_of_work(_hub()) as db:
        unit = find_by_code(db, code)
        if unit is None:
            raise click.ClickException(f"no unit with code {code.strip().upper()}")
        summary = unit_summary(db, unit)
    click.echo(f"{summary.code}  {summary.name}")
    click.echo(f"kind: {summary.kind_label} ({summary.kind.value})")
    click.echo(f"county / district: {summary.county or '-'} / {summary.district or '-'}")
    click.echo(f"address: {summary.address or '-'}")
    click.echo(f"phone: {summary.phone or '-'}")
    bureau = f"{summary.bureau_code}  {summary.bureau_name}" if summary.bureau_code else "-"
    click.echo(f"bureau: {bureau}")
    if summary.closed_on is not None:
        click.echo(f"closed on: {summary.closed_on.isoformat()}")
    click.echo(f"unit admins: {len(summary.admins)}")
    for admin in summary.admins:
        contact = "  ".join(value for value in (admin.phone, admin.email) if value)
        click.echo(f"  {admin.username}  {admin.name}  {contact}".rstrip())


# Keys -------------------------------------------------------------------------------


@main.group()
def subsystems() -> None:
    """Subsystems (子系統) and their accounts."""


@subsystems.command("import-accounts")
@click.argument("subsystem")
@click.argument("path", type=click.Path(dir_okay=False))
def subsystems_import_accounts(subsystem: str, path: str) -> None:
    """Load a legacy subsystem's accounts with their password hashes (CSV or JSON; safe to
    run again). Rows that cannot be loaded are listed by line; the others are loaded."""
    from .services.subsystems.legacy_import import AccountFileRefused, import_accounts

    hub = _hub()
    catalogue = hub.catalogues.get(subsystem)
    if catalogue is None:
        known = ", ".join(sorted(hub.catalogues))
        raise click.ClickException(f"unknown subsystem {subsystem!r} (known: {known})")
    with _unit_of_work(hub) as db:
        try:
            report = import_accounts(db, catalogue, path)
        except AccountFileRefused as refused:
            raise click.ClickException(str(refused.text)) from refused
        audit.record(
            db,
            "subsystem_accounts.import",
            actor="cli",
            target=os.path.basename(path),
            subsystem=subsystem,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            rejected=len(report.rejected),
        )
    _print_report(report)


@main.group()
def keys() -> None:
    """Signing keys."""


@keys.command("rotate")
def keys_rotate() -> None:
    """New signing keys; the old ones stay published until their tokens have expired."""
    hub = _hub()
    keep = timedelta(seconds=hub.settings.id_token_ttl_seconds + 300)
    with _unit_of_work(hub) as db:
        created = signing_keys.rotate_keys(db, hub.key_box, keep)
        for key in created:
            audit.record(db, "key.rotate", actor="cli", target=key.kid, alg=key.alg)
    for key in created:
        click.echo(f"new {key.alg} signing key {key.kid}")


@keys.command("list")
def keys_list() -> None:
    """Published keys, newest first."""
    hub = _hub()
    with _unit_of_work(hub) as db:
        for key in signing_keys.published_keys(db):
            state = (
                "signing"
                if key.retired_at is None
                else f"retired, published until {key.expires_at:%Y-%m-%d %H:%M} UTC"
            )
            click.echo(f"{key.kid}  {key.alg}  {state}")


# Security policy ---------------------------------------------------------------------


@main.group("policy")
def policy_group() -> None:
    """Security policy: password, lockout, captcha, session."""


@policy_group.command("show")
def policy_show() -> None:
    """The policy in force, one KEY=VALUE per line."""
    with _unit_of_work(_hub()) as db:
        current = policy.current_policy(db)
    click.echo(f"# version {current.version}")
    for name, value in current.flat().items():
        click.echo(f"{name}={value}")


def _policy_change(changes: dict[str, str], reason: str, expire_passwords: bool) -> None:
    hub = _hub()
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
    with _unit_of_work(_hub()) as db:
        for row in policy.history(db):
            click.echo(
                f"v{row.version}  {row.created_at:%Y-%m-%d %H:%M} UTC  "
                f"{row.created_by}  {row.reason}"
            )


# Background work ----------------------------------------------------------------------


@main.group()
def logout() -> None:
    """Back-channel logout notifications."""


@logout.command("deliver")
def logout_deliver() -> None:
    """Send the due notifications now (servers also do this on their own)."""
    from .worker import deliver_logout_notifications

    delivered, failed = deliver_logout_notifications(_hub())
    click.echo(f"delivered {delivered}, failed {failed} (will be retried)")
    if failed:
        sys.exit(1)


@main.group("mail")
def mail_group() -> None:
    """The mail outbox."""


@mail_group.command("deliver")
def mail_deliver() -> None:
    """Send the due mail now (servers also do this on their own)."""
    from .worker import deliver_mail

    hub = _hub()
    if hub.mail_sender is None:
        raise click.ClickException("IDP_SMTP_URL is not set: mail stays in the outbox")
    sent, failed = deliver_mail(hub)
    click.echo(f"sent {sent}, failed {failed} (will be retried)")
    if failed:
        sys.exit(1)


@main.group()
def demo() -> None:
    """Demonstration data."""


@demo.command("load")
@click.option(
    "--rp-base",
    default=os.environ.get("DEMO_RP_BASE", "http://127.0.0.1"),
    show_default=True,
    help="Scheme and host of the demo subsystems.",
)
def demo_load(rp_base: str) -> None:
    """Load demo units, accounts and the three demo subsystems (safe to run again)."""
    from .demo import load_demo

    hub = _hub()
    with _unit_of_work(hub) as db:
        summary = load_demo(db, hub, rp_base)
    click.echo(summary)


# Development card ---------------------------------------------------------------------


@main.group()
def card() -> None:
    """Institution and personnel smartcards."""


@card.command("dev-setup")
@click.option("--module", default=SOFTHSM2_MODULE, show_default=True, help="SoftHSM2 module.")
def card_dev_setup(module: str) -> None:
    """Make SoftHSM2 development cards and a development CA under instance/card/ (again
    from scratch each time), trusted only with IDP_ENV=development."""
    settings = _hub().settings
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


if __name__ == "__main__":
    main()
