"""Bearer tokens (RFC 6750): checking the access token a request carries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.oauth2.rfc6750 import BearerTokenValidator, InvalidTokenError

from ..http.unit_of_work import db
from ..models import Account, AccountStatus
from ..services.tokens.access import find_access_token
from .claims import principal_of
from .models import BearerToken

if TYPE_CHECKING:
    from .server import HubAuthorizationServer


def load_bearer_token(server: HubAuthorizationServer, token_string: str) -> BearerToken | None:
    record = find_access_token(server.hub.store, token_string)
    if record is None:
        return None
    return BearerToken(token_string, record, server.query_client(record.client_id))


class HubBearerTokenValidator(BearerTokenValidator):
    def __init__(self, server: HubAuthorizationServer) -> None:
        super().__init__()
        self.server = server

    def authenticate_token(self, token_string: str) -> BearerToken | None:
        token = load_bearer_token(self.server, token_string)
        if token is not None and token.record.account_id is not None:
            account = db().get(Account, token.record.account_id)
            if account is not None:
                token.principal = principal_of(
                    db(), account, token.record.client_id, token.record.subsystem_account_id
                )
        return token

    def validate_token(self, token: Any, scopes: Any, request: Any) -> None:
        super().validate_token(token, scopes, request)
        if token.client is None:  # its subsystem was disabled (or removed)
            raise InvalidTokenError()
        if token.record.account_id is not None and (
            token.principal is None or token.principal.account.status is not AccountStatus.ACTIVE
        ):
            raise InvalidTokenError()


def make_resource_protector(server: HubAuthorizationServer) -> ResourceProtector:
    protector = ResourceProtector()
    protector.register_token_validator(HubBearerTokenValidator(server))
    return protector
