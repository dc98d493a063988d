"""The least the token workloads (W3-W5) can cost on the hub's stack: Flask and Authlib's
``AuthorizationServer`` served by granian, with nothing of the hub's own. The client is
a dict entry whose secret is compared as is; tokens are kept in a dict as
node-oidc-provider's memory adapter keeps them; no database, no Redis, no rate limit,
no audit, no signing. The hub's W3-W5 cannot be faster than this.

    bash bench/floor.sh        # this beside node-oidc-provider, with the harness's wrk

Refresh tokens rotate (the old one is revoked when the new one is issued), as the hub's
do; ``REFRESH_POOL`` of them are made at start and written to ``$FLOOR_POOL_DIR``
together with access tokens to introspect.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin, grants
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from flask import Flask, Response

CLIENT_ID = "bench-client"
CLIENT_SECRET = "bench-secret"
REFRESH_POOL = 64
LIFETIME = 600


class Client(ClientMixin):
    def get_client_id(self) -> str:
        return CLIENT_ID

    def get_default_redirect_uri(self) -> str | None:
        return None

    def get_allowed_scope(self, scope: str) -> str:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, CLIENT_SECRET)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "client_secret_basic"

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("client_credentials", "refresh_token")


class Token(TokenMixin):
    def __init__(self, access: str, refresh: str | None, scope: str) -> None:
        self.access, self.refresh, self.scope = access, refresh, scope
        self.issued_at, self.revoked = time.time(), False

    def check_client(self, client: ClientMixin) -> bool:
        return client.get_client_id() == CLIENT_ID

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return LIFETIME

    def is_expired(self) -> bool:
        return time.time() > self.issued_at + LIFETIME

    def is_revoked(self) -> bool:
        return self.revoked


CLIENT = Client()
BY_ACCESS: dict[str, Token] = {}
BY_REFRESH: dict[str, Token] = {}


def query_client(client_id: str) -> Client | None:
    return CLIENT if client_id == CLIENT_ID else None


def save_token(token: dict[str, Any], request: Any) -> None:
    if len(BY_ACCESS) > 200_000:  # bounded memory over a long run
        BY_ACCESS.clear()
    kept = Token(token["access_token"], token.get("refresh_token"), token.get("scope", ""))
    BY_ACCESS[kept.access] = kept
    if kept.refresh:
        BY_REFRESH[kept.refresh] = kept


class RotatingRefreshGrant(grants.RefreshTokenGrant):
    INCLUDE_NEW_REFRESH_TOKEN = True
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        token = BY_REFRESH.get(refresh_token)
        return token if token is not None and not token.revoked else None

    def authenticate_user(self, refresh_token: Token) -> object:
        return CLIENT  # any user object: the floor has no accounts

    def revoke_old_credential(self, refresh_token: Token) -> None:
        refresh_token.revoked = True
        BY_REFRESH.pop(refresh_token.refresh or "", None)


class Introspection(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic"]

    def query_token(self, token: str, token_type_hint: str | None) -> Token | None:
        return BY_ACCESS.get(token)

    def introspect_token(self, token: Token) -> dict[str, Any]:
        return {
            "active": True,
            "client_id": CLIENT_ID,
            "token_type": "Bearer",
            "scope": token.scope,
            "exp": int(token.issued_at + LIFETIME),
            "iat": int(token.issued_at),
        }

    def check_permission(self, token: Token, client: ClientMixin, request: Any) -> bool:
        return True


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]


app = Flask(__name__)
app.config["OAUTH2_REFRESH_TOKEN_GENERATOR"] = True
server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
server.register_grant(ClientCredentialsGrant)
server.register_grant(RotatingRefreshGrant)
server.register_endpoint(Introspection)


@app.post("/token")
def token() -> Response:
    return server.create_token_response()  # type: ignore[no-any-return]


@app.post("/introspect")
def introspect() -> Response:
    return server.create_endpoint_response("introspection")  # type: ignore[no-any-return]


def _pools(directory: Path) -> None:
    """Refresh tokens to rotate and access tokens to introspect, one per line."""
    made = [
        Token(secrets.token_urlsafe(32), secrets.token_urlsafe(48), "api")
        for _ in range(REFRESH_POOL)
    ]
    for kept in made:
        BY_ACCESS[kept.access] = kept
        BY_REFRESH[kept.refresh or ""] = kept
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "refresh.txt").write_text("".join(f"{t.refresh}\n" for t in made))
    (directory / "access.txt").write_text("".join(f"{t.access}\n" for t in made))


_pools(Path(os.environ.get("FLOOR_POOL_DIR", "/tmp/onedoor-floor")))  # noqa: S108
