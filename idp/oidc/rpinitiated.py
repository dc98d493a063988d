"""OpenID Connect RP-Initiated Logout 1.0 (the ``end_session_endpoint``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oidc.rpinitiated import EndSessionEndpoint, EndSessionRequest
from joserfc.jwk import KeySet

from ..http import auth_session

if TYPE_CHECKING:
    from .server import HubAuthorizationServer


class HubEndSessionEndpoint(EndSessionEndpoint):
    server: HubAuthorizationServer

    def get_server_jwks(self) -> KeySet:
        return self.server.hub.keyring.current().public

    def validate_request(self, request: Any) -> EndSessionRequest:
        validated: EndSessionRequest = super().validate_request(request)
        claims = validated.id_token_claims
        if claims is not None and claims.get("iss") != self.server.hub.settings.issuer_url:
            raise InvalidRequestError("The 'id_token_hint' was not issued by this provider.")
        return validated

    def is_post_logout_redirect_uri_legitimate(
        self, request: Any, post_logout_redirect_uri: str, client: Any, logout_hint: str | None
    ) -> bool:
        # Reached only with a client_id whose registered URIs include this one exactly;
        # the person confirms the sign-out on the hub's own page first.
        return True

    def end_session(self, end_session_request: EndSessionRequest) -> None:
        auth_session.end("rp_initiated_logout")


def hint_matches(claims: dict[str, Any] | None, sid: str, subject: str) -> bool:
    """Whether the ID token hint names the session (or person) signed in here."""
    if claims is None:
        return False
    return claims.get("sid") == sid or claims.get("sub") == subject
