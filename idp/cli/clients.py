"""``idp clients``: subsystems registered as OpenID Connect clients."""

from __future__ import annotations

import json
from datetime import timedelta

import click

from ..services import audit
from ..services.signin.steps import ACR_VALUES
from ..services.subsystems.clients import (
    MAX_SECRET_GRACE,
    Actor,
    ClientRegistration,
    ClientSettings,
    disable_client,
    edit_client,
    enable_client,
    list_clients,
    record_registration,
    register_client,
    registered,
    require_acr,
    rotate_secret,
)
from .common import open_hub, unit_of_work

CLI = Actor("cli")


@click.group("clients")
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
@click.option("--contact", default="", help="Who runs the subsystem (name, telephone, mail).")
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
    contact: str,
) -> None:
    """Register a client; prints JSON with client_id and client_secret (shown once)."""
    hub = open_hub()
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
        contact=contact,
    )
    if scope is not None:
        registration.scope = scope
    with unit_of_work(hub) as db:
        client, secret = register_client(db, hub.client_secrets, registration)
        record_registration(db, client, by=CLI)
    click.echo(json.dumps({"client_id": client.client_id, "client_secret": secret}))


@clients.command("require-acr")
@click.argument("client_id")
@click.argument("acr", default="", type=click.Choice(["", *ACR_VALUES]))
def clients_require_acr(client_id: str, acr: str) -> None:
    """Make a subsystem require a sign-in level (no ACR: any), e.g. the card level."""
    hub = open_hub()
    with unit_of_work(hub) as db:
        require_acr(db, client_id, acr)
        audit.record(db, "client.require_acr", actor="cli", target=client_id, acr=acr)
    click.echo(f"{client_id}: minimum acr {acr or '(any)'}")


@clients.command("list")
def clients_list() -> None:
    """Registered clients, one JSON object per line."""
    hub = open_hub()
    with unit_of_work(hub) as db:
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
                        "contact": client.contact,
                        "disabled": client.disabled_at is not None,
                    },
                    ensure_ascii=False,
                )
            )


@clients.command("edit")
@click.argument("client_id")
@click.option(
    "--redirect-uri", "redirect_uris", multiple=True, help="Replaces the list when given."
)
@click.option(
    "--post-logout-redirect-uri",
    "post_logout_redirect_uris",
    multiple=True,
    help="Replaces the list when given.",
)
@click.option("--no-post-logout-redirect-uris", is_flag=True, help="Empty the list.")
@click.option("--backchannel-logout-uri", default=None, help="Empty: none.")
@click.option("--initiate-login-uri", default=None, help="Empty: none.")
@click.option("--min-acr", default=None, type=click.Choice(["", *ACR_VALUES]))
@click.option("--scope", default=None, help="Allowed scopes (space-separated).")
@click.option("--contact", default=None)
def clients_edit(
    client_id: str,
    redirect_uris: tuple[str, ...],
    post_logout_redirect_uris: tuple[str, ...],
    no_post_logout_redirect_uris: bool,
    backchannel_logout_uri: str | None,
    initiate_login_uri: str | None,
    min_acr: str | None,
    scope: str | None,
    contact: str | None,
) -> None:
    """Change a subsystem's settings; what is not given stays as it is."""
    hub = open_hub()
    with unit_of_work(hub) as db:
        settings = ClientSettings.of(registered(db, client_id))
        if redirect_uris:
            settings.redirect_uris = list(redirect_uris)
        if post_logout_redirect_uris or no_post_logout_redirect_uris:
            settings.post_logout_redirect_uris = list(post_logout_redirect_uris)
        if backchannel_logout_uri is not None:
            settings.backchannel_logout_uri = backchannel_logout_uri
        if initiate_login_uri is not None:
            settings.initiate_login_uri = initiate_login_uri
        if min_acr is not None:
            settings.min_acr = min_acr
        if scope is not None:
            settings.scope = scope
        if contact is not None:
            settings.contact = contact
        changed = edit_client(db, client_id, settings, by=CLI)
    click.echo(f"{client_id}: " + (", ".join(changed) + " changed" if changed else "no change"))


@clients.command("disable")
@click.argument("client_id")
def clients_disable(client_id: str) -> None:
    """Refuse a subsystem (invalid_client) and revoke every token issued to it."""
    hub = open_hub()
    with unit_of_work(hub) as db:
        disable_client(db, hub.revocation, client_id, by=CLI)
    click.echo(f"{client_id}: disabled")


@clients.command("enable")
@click.argument("client_id")
def clients_enable(client_id: str) -> None:
    """Accept a disabled subsystem again (its revoked tokens stay revoked)."""
    hub = open_hub()
    with unit_of_work(hub) as db:
        enable_client(db, client_id, by=CLI)
    click.echo(f"{client_id}: enabled")


@clients.command("rotate-secret")
@click.argument("client_id")
@click.option(
    "--grace-hours",
    default=24,
    show_default=True,
    type=click.IntRange(0, MAX_SECRET_GRACE.days * 24),
    help="How long the old secret keeps working (0: not at all).",
)
def clients_rotate_secret(client_id: str, grace_hours: int) -> None:
    """A new client secret; prints JSON with it (shown once) and the old one's end."""
    hub = open_hub()
    with unit_of_work(hub) as db:
        secret = rotate_secret(
            db, hub.client_secrets, client_id, timedelta(hours=grace_hours), by=CLI
        )
        until = registered(db, client_id).previous_secret_until
    click.echo(
        json.dumps(
            {
                "client_id": client_id,
                "client_secret": secret,
                "old_secret_valid_until": until.isoformat() if until else None,
            }
        )
    )
