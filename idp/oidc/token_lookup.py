"""Finding a token of either kind, for introspection and revocation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..http.unit_of_work import connection
from ..services.tokens import grants as tokens
from .models import BearerToken, StoredRefreshToken
from .rfc6750 import load_bearer_token

if TYPE_CHECKING:
    from .server import HubAuthorizationServer


def find_token(
    server: HubAuthorizationServer, token: str, hint: str | None
) -> BearerToken | StoredRefreshToken | None:
    """Look where the hint says first, then in the other place (RFC 7009 section 2.1)."""
    kinds = (
        ["refresh_token", "access_token"]
        if hint == "refresh_token"
        else ["access_token", "refresh_token"]
    )
    for kind in kinds:
        if kind == "access_token":
            found: BearerToken | StoredRefreshToken | None = load_bearer_token(server, token)
        else:
            record = tokens.find_refresh_token(connection(), token)
            found = StoredRefreshToken(record) if record is not None else None
        if found is not None:
            return found
    return None
