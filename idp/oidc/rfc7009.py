"""Token revocation (RFC 7009). Revoking a refresh token revokes its whole grant,
access tokens included (section 2.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from authlib.oauth2.rfc7009 import RevocationEndpoint

from ..services.tokens import access
from .models import BearerToken, StoredRefreshToken
from .token_lookup import find_token

if TYPE_CHECKING:
    from .server import HubAuthorizationServer


class HubRevocationEndpoint(RevocationEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
    server: HubAuthorizationServer

    def query_token(self, token_string: str, token_type_hint: str | None) -> Any:
        return find_token(self.server, token_string, token_type_hint)

    def revoke_token(self, token: BearerToken | StoredRefreshToken, request: Any) -> None:
        if isinstance(token, BearerToken):
            access.revoke_access_token(self.server.hub.store, token.token)
        else:
            self.server.revoke_grant(token.record.grant_id, "revoked_by_client")
