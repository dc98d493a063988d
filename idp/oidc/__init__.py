"""The OpenID Connect provider: Authlib's server classes filled with the hub's hooks.

Modules are named after the specification they implement: ``rfc6749`` (grants),
``rfc7636`` (PKCE), ``rfc6750`` (bearer tokens), ``rfc7662`` (introspection),
``rfc7009`` (revocation), ``rfc9207`` (issuer in responses), ``core`` (ID token and
userinfo), ``discovery``, ``rpinitiated`` and ``backchannel`` (logout),
``third_party_login`` (Core section 4, for switch-in) with ``subsystem_login`` (which
binding an authorization is for).
"""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from ..hub import Hub
from . import views
from .core import HubOpenIDCode, HubUserInfoEndpoint
from .discovery import PreparedDocument, provider_metadata
from .machine import MachineEndpoints, MachineServer
from .rfc6749 import AuthorizationCodeGrant, ClientCredentialsGrant, RefreshTokenGrant
from .rfc6750 import make_resource_protector
from .rfc7009 import HubRevocationEndpoint
from .rfc7636 import S256CodeChallenge
from .rfc7662 import HubIntrospectionEndpoint
from .rfc9207 import HubIssuerParameter
from .rpinitiated import HubEndSessionEndpoint
from .server import HubAuthorizationServer
from .wellknown import PublishedDocuments

#: Endpoints called by subsystems, not by forms of the hub: no CSRF token.
PROTOCOL_VIEWS = ("userinfo", "authorize", "logout")


def _with_grants(server: HubAuthorizationServer) -> HubAuthorizationServer:
    hub = server.hub
    server.register_grant(
        AuthorizationCodeGrant, [S256CodeChallenge(required=True), HubOpenIDCode(hub)]
    )
    server.register_grant(RefreshTokenGrant)
    server.register_grant(ClientCredentialsGrant)
    server.register_extension(HubIssuerParameter(hub.settings.issuer_url))
    return server


def init_oidc(app: Flask, hub: Hub, csrf: CSRFProtect) -> HubAuthorizationServer:
    """Two servers with the same grants and one client cache: Flask's, for the pages
    (authorization, userinfo, logout), and the one behind ``MachineEndpoints``."""
    server = _with_grants(HubAuthorizationServer(hub))
    server.register_endpoint(
        HubUserInfoEndpoint(resource_protector=make_resource_protector(server))
    )
    server.register_endpoint(HubEndSessionEndpoint)
    app.extensions["onedoor_oidc"] = server
    machine = _with_grants(MachineServer(hub, server.clients))
    machine.register_endpoint(HubIntrospectionEndpoint)
    machine.register_endpoint(HubRevocationEndpoint)
    app.wsgi_app = PublishedDocuments(  # type: ignore[method-assign]
        MachineEndpoints(app, machine, app.wsgi_app),
        PreparedDocument.of(provider_metadata(hub.settings.issuer_url)),
        hub.keyring,
    )
    for name in PROTOCOL_VIEWS:
        csrf.exempt(f"{views.__name__}.{name}")
    views.init_app(app)
    return server
