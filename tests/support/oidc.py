"""A subsystem's side of OpenID Connect against a live hub: Authlib's requests client
starts the code flow with PKCE and exchanges the code, and PyJWT, a library independent
of the hub's, checks the ID token."""

from __future__ import annotations

import secrets
from typing import Any

import jwt as pyjwt
from authlib.integrations.requests_client import OAuth2Session

from .helpers import ClientInfo
from .hub import LiveHub


def oidc_client(
    live: LiveHub, client: ClientInfo, scope: str = "openid profile email phone unit", **kwargs: Any
) -> OAuth2Session:
    return OAuth2Session(
        client.client_id,
        client.secret,
        scope=scope,
        redirect_uri=client.redirect_uri,
        code_challenge_method="S256",
        **kwargs,
    )


def start(live: LiveHub, session: OAuth2Session, **params: Any) -> tuple[str, str, str]:
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(12)
    url, _state = session.create_authorization_url(
        live.url + "/authorize", code_verifier=verifier, nonce=nonce, **params
    )
    return url, verifier, nonce


def exchange(live: LiveHub, session: OAuth2Session, callback: str, verifier: str) -> dict[str, Any]:
    token: dict[str, Any] = session.fetch_token(
        live.url + "/token", authorization_response=callback, code_verifier=verifier
    )
    return token


def verify_id_token(live: LiveHub, id_token: str, client_id: str, nonce: str) -> dict[str, Any]:
    keys = pyjwt.PyJWKClient(live.url + "/jwks")
    key = keys.get_signing_key_from_jwt(id_token)
    claims: dict[str, Any] = pyjwt.decode(
        id_token,
        key.key,
        algorithms=["RS256", "ES256"],
        audience=client_id,
        issuer=live.url,
        options={"require": ["exp", "iat", "sub", "aud", "iss"]},
    )
    assert claims["nonce"] == nonce
    return claims
