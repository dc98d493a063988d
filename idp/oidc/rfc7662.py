"""Token introspection (RFC 7662) for subsystems: a client may introspect the tokens
issued to it; any other token reads as inactive."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from authlib.oauth2.rfc7662 import IntrospectionEndpoint

from .models import BearerToken, RegisteredClient, StoredRefreshToken
from .token_lookup import find_token

if TYPE_CHECKING:
    from .server import HubAuthorizationServer


class HubIntrospectionEndpoint(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
    server: HubAuthorizationServer

    def query_token(self, token_string: str, token_type_hint: str | None) -> Any:
        return find_token(self.server, token_string, token_type_hint)

    def check_permission(self, token: Any, client: RegisteredClient, request: Any) -> bool:
        return bool(token.check_client(client))

    def introspect_token(self, token: BearerToken | StoredRefreshToken) -> dict[str, Any]:
        issuer = self.server.hub.settings.issuer_url
        if isinstance(token, BearerToken):
            record = token.record
            payload: dict[str, Any] = {
                "active": True,
                "token_type": "Bearer",
                "client_id": record.client_id,
                "scope": record.scope,
                "exp": record.expires_at,
                "iat": record.issued_at,
                "iss": issuer,
                "aud": record.client_id,
            }
            if record.subject:
                payload["sub"] = record.subject
            if record.acr is not None:
                # What a resource server needs to ask for a stronger sign-in with RFC 9470's
                # insufficient_user_authentication (section 6.1), kept in the token from
                # its grant.
                payload["acr"] = record.acr
                payload["auth_time"] = record.auth_time
            return payload
        refresh = token.record
        return {
            "active": True,
            "token_type": "refresh_token",
            "client_id": refresh.client_id,
            "scope": refresh.scope,
            "exp": int(refresh.expires_at.timestamp()),
            "iat": int(refresh.issued_at.timestamp()),
            "iss": issuer,
            "sub": refresh.subject,
        }
