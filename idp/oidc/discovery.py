"""OpenID Connect Discovery 1.0 (and RFC 8414 metadata): the provider configuration,
prepared once as bytes with an ETag since it never changes while the server runs."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from ..services.signin.steps import ACR_VALUES
from ..services.subsystems.clients import PERSON_SCOPES
from .claims import claims_supported

PATHS = {
    "authorization_endpoint": "/authorize",
    "token_endpoint": "/token",
    "userinfo_endpoint": "/userinfo",
    "jwks_uri": "/jwks",
    "introspection_endpoint": "/introspect",
    "revocation_endpoint": "/revoke",
    "end_session_endpoint": "/logout",
}
WELL_KNOWN_PATH = "/.well-known/openid-configuration"
JWKS_PATH = PATHS["jwks_uri"]


def provider_metadata(issuer: str) -> dict[str, Any]:
    secret_methods = ["client_secret_basic", "client_secret_post"]
    return {
        "issuer": issuer,
        **{name: issuer + path for name, path in PATHS.items()},
        "scopes_supported": list(PERSON_SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        "token_endpoint_auth_methods_supported": [*secret_methods, "none"],
        "introspection_endpoint_auth_methods_supported": secret_methods,
        "revocation_endpoint_auth_methods_supported": [*secret_methods, "none"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": claims_supported(),
        "acr_values_supported": list(ACR_VALUES),
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "ui_locales_supported": ["zh-TW", "en"],
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "authorization_response_iss_parameter_supported": True,
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        "frontchannel_logout_supported": False,
    }


@dataclass(frozen=True)
class PreparedDocument:
    body: bytes
    etag: str

    @classmethod
    def of(cls, document: dict[str, Any]) -> PreparedDocument:
        body = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
        return cls(body=body, etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"')
