"""OpenID Connect Core 1.0: the ID token added to the code grant, and userinfo."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from authlib.oidc.core import OpenIDCode, UserInfo, UserInfoEndpoint

from .claims import Principal, user_claims
from .models import RegisteredClient, StoredCode
from .rfc6749 import nonce_key

if TYPE_CHECKING:
    from ..hub import Hub


class HubOpenIDCode(OpenIDCode):
    def __init__(self, hub: Hub) -> None:
        super().__init__(require_nonce=False)
        self.hub = hub
        self.DEFAULT_EXPIRES_IN = hub.settings.id_token_ttl_seconds

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        """A nonce seen in a code issued within the code lifetime is a replay.

        Authlib validates a request again before issuing the code; the answer is kept
        on the request so the store is asked once."""
        seen: dict[str, bool] = request.__dict__.setdefault("_nonces_seen", {})
        if nonce not in seen:
            key = nonce_key(request.payload.client_id, nonce)
            seen[nonce] = self.hub.store.get(key) is not None
        return seen[nonce]

    def get_client_algorithm(self, client: RegisteredClient) -> str:
        return client.id_token_signed_response_alg

    def resolve_client_private_key(self, client: RegisteredClient) -> Any:
        return self.hub.keyring.current().signer(client.id_token_signed_response_alg)

    def get_encode_header(self, client: RegisteredClient) -> dict[str, Any]:
        key = self.resolve_client_private_key(client)
        return {"alg": client.id_token_signed_response_alg, "kid": key.kid}

    def get_client_claims(self, client: RegisteredClient) -> dict[str, Any]:
        return {"iss": self.hub.settings.issuer_url, "aud": client.client_id}

    def get_authorization_code_claims(self, authorization_code: StoredCode) -> dict[str, Any]:
        claims: dict[str, Any] = super().get_authorization_code_claims(authorization_code)
        claims["sid"] = authorization_code.sid
        return claims

    def generate_user_info(self, user: Principal, scope: str) -> UserInfo:
        return user_claims(user, scope)


class HubUserInfoEndpoint(UserInfoEndpoint):
    def generate_user_info(self, user: Principal, scope: str) -> UserInfo:
        return user_claims(user, scope)
