"""Client authentication at the token, introspection and revocation endpoints
(RFC 6749 section 2.3): what a request presents is checked before Authlib tries the
methods. A client uses one method per request (section 2.3: "MUST NOT use more than
one"; more is an ``invalid_request``, section 5.2), and an HTTP Basic header that does
not decode to ``id:secret`` in UTF-8 is an ``invalid_client``. Which method a client may
use is the one it registered (``RegisteredClient.check_endpoint_auth_method``)."""

from __future__ import annotations

import base64
import binascii

from authlib.oauth2.rfc6749 import OAuth2Request
from authlib.oauth2.rfc6749.errors import InvalidClientError, InvalidRequestError


def basic_credentials(credentials: str) -> str:
    """HTTP Basic credentials decoded (``id:secret``), or "" when they are not base64 of
    UTF-8 text."""
    try:
        return base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""


def _check_basic(credentials: str) -> None:
    decoded = basic_credentials(credentials)
    if ":" not in decoded:
        raise InvalidClientError(
            status_code=401, description="The Basic credentials are not well formed."
        )


def presented_methods(request: OAuth2Request) -> list[str]:
    """The kinds of client authentication the request carries."""
    kinds = []
    header = request.headers.get("Authorization")
    scheme, credentials = "", ""
    if header is not None:
        parts = header.split(None, 1)
        if len(parts) != 2:  # a scheme and its credentials, or nothing (RFC 9110 11.6.2)
            raise InvalidClientError(
                status_code=401, description="The Authorization header is not well formed."
            )
        scheme, credentials = parts
    if scheme.lower() == "basic":
        _check_basic(credentials)
        kinds.append("client_secret_basic")
    form = request.payload.data
    if "client_secret" in form:
        kinds.append("client_secret_post")
    if "client_assertion" in form or "client_assertion_type" in form:
        kinds.append("private_key_jwt")
    return kinds


def check_presented(request: OAuth2Request) -> None:
    if len(presented_methods(request)) > 1:
        raise InvalidRequestError("The request uses more than one client authentication method.")
