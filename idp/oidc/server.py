"""The authorization server: Authlib's, with the hub's storage behind its hooks."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.flask_oauth2.requests import FlaskOAuth2Payload, FlaskOAuth2Request
from authlib.oauth2.rfc6749 import OAuth2Payload, OAuth2Request
from authlib.oauth2.rfc6749.util import scope_to_list
from flask import request as flask_request
from werkzeug.datastructures import MultiDict

from ..db import keep_on_rollback
from ..http.unit_of_work import connection, db
from ..hub import Hub
from ..models import Account
from ..services import audit
from ..services.subsystems.clients import find_client
from ..services.tokens import access, grants
from ..services.tokens.access import TokenOwner
from .client_auth import check_presented
from .models import RegisteredClient, StoredCode

#: How long a server process trusts its copy of a client registration.
CLIENT_CACHE_SECONDS = 5.0


class ParamsPayload(OAuth2Payload):
    def __init__(self, params: MultiDict[str, str]) -> None:
        self._params = params

    @property
    def data(self) -> MultiDict[str, str]:
        return self._params

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        values: defaultdict[str, list[str]] = defaultdict(list)
        for key in self._params:
            values[key].extend(self._params.getlist(key))
        return values


class ParamsRequest(OAuth2Request):
    """An authorization request resumed from saved parameters (after sign-in or consent)."""

    def __init__(self, uri: str, params: MultiDict[str, str]) -> None:
        super().__init__("GET", uri, headers={})
        self.payload = ParamsPayload(params)
        self._params = params

    @property
    def args(self) -> MultiDict[str, str]:
        return self._params

    @property
    def form(self) -> MultiDict[str, str]:
        return MultiDict()


class HubFlaskRequest(FlaskOAuth2Request):
    """Authlib's Flask request, told its URL from the issuer rather than rebuilding it
    from the environment: Authlib only checks it for TLS, which the issuer decides."""

    def __init__(self, request: Any, issuer: str) -> None:
        OAuth2Request.__init__(self, request.method, issuer + request.path, headers=request.headers)
        self._request = request
        self.payload = FlaskOAuth2Payload(request)


class ClientCache:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, RegisteredClient | None]] = {}

    def get(self, client_id: str) -> RegisteredClient | None:
        entry = self._entries.get(client_id)
        now = time.monotonic()
        if entry is not None and now - entry[0] < CLIENT_CACHE_SECONDS:
            return entry[1]
        row = find_client(db(), client_id)
        client = None
        if row is not None and row.disabled_at is None:
            client = RegisteredClient.from_row(row, self.hub.client_secrets)
        with self._lock:
            self._entries[client_id] = (now, client)
        return client

    def forget(self) -> None:
        with self._lock:
            self._entries.clear()


class HubAuthorizationServer(AuthorizationServer):
    def __init__(self, hub: Hub, clients: ClientCache | None = None) -> None:
        super().__init__()
        self.hub = hub
        self.clients = clients or ClientCache(hub)
        self.register_token_generator("default", self.generate_bearer_token)

    # Authlib hooks ---------------------------------------------------------------

    def query_client(self, client_id: str) -> RegisteredClient | None:
        if not client_id:
            return None
        return self.clients.get(client_id)

    def authenticate_client(
        self, request: OAuth2Request, methods: list[str], endpoint: str = "token"
    ) -> RegisteredClient:
        check_presented(request)
        client: RegisteredClient = super().authenticate_client(request, methods, endpoint)
        return client

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        if isinstance(request, OAuth2Request):
            return request
        if isinstance(request, Mapping):
            return ParamsRequest(self.hub.settings.issuer_url + "/authorize", MultiDict(request))
        return HubFlaskRequest(flask_request, self.hub.settings.issuer_url)

    def generate_bearer_token(
        self,
        grant_type: str,
        client: RegisteredClient,
        user: Account | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        if grant_type == "client_credentials":
            granted = client.allowed_client_scope(scope)
        else:
            granted = client.get_allowed_scope(scope)
        token: dict[str, Any] = {
            "token_type": "Bearer",
            "access_token": access.new_token(),
            "expires_in": expires_in or self.hub.settings.access_token_ttl_seconds,
        }
        if granted:
            token["scope"] = granted
        # Refresh tokens exist for offline access (OpenID Connect Core section 11) and
        # are replaced at each refresh (rotation).
        offline = "offline_access" in (scope_to_list(granted) or [])
        if include_refresh_token and (offline or grant_type == "refresh_token"):
            token["refresh_token"] = access.new_token()
        return token

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        client: RegisteredClient = request.client
        owner: TokenOwner | None = request.user
        scope = token.get("scope", "")
        grant_id: str | None = None
        subsystem_account_id: int | None = None
        acr: str | None = None
        auth_time: int | None = None
        code: StoredCode | None = request.authorization_code
        if code is not None:
            grant_id = code.grant_id
            subsystem_account_id = code.subsystem_account_id
            acr, auth_time = code.acr, code.auth_time
            grants.create_grant(
                connection(),
                grant_id=grant_id,
                client_id=client.client_id,
                account_id=code.account_id,
                sid=code.sid,
                scope=scope,
                offline="offline_access" in scope_to_list(scope),
                auth_time=code.auth_time,
                acr=code.acr,
                amr=code.amr,
                subsystem_account_id=subsystem_account_id,
            )
        elif request.refresh_token is not None:
            record = request.refresh_token.record
            grant_id = record.grant_id
            subsystem_account_id = record.subsystem_account_id
            acr, auth_time = record.acr, record.auth_time
        token["access_token"] = access.bind_to_grant(token["access_token"], grant_id)
        access.save_access_token(
            self.hub.store,
            token["access_token"],
            client_id=client.client_id,
            scope=scope,
            ttl=int(token["expires_in"]),
            owner=owner,
            grant_id=grant_id,
            subsystem_account_id=subsystem_account_id,
            acr=acr,
            auth_time=auth_time,
        )
        # A refreshed grant's new refresh token was stored with the claim of the old one.
        if "refresh_token" in token and grant_id is not None and request.refresh_token is None:
            grants.save_refresh_token(
                connection(),
                token["refresh_token"],
                grant_id,
                timedelta(days=self.hub.settings.refresh_token_ttl_days),
            )

    def revoke_grant(self, grant_id: str, reason: str) -> None:
        revocation = self.hub.revocation
        revocation.grants(db(), [grant_id], reason)

    def revoke_reused_grant(self, grant_id: str, reason: str, client_id: str, action: str) -> None:
        """A replayed code or refresh token: revoke its grant and audit it, both kept
        although the request itself is refused."""
        self.revoke_grant(grant_id, reason)
        keep_on_rollback(db(), lambda own: self.hub.revocation.grants(own, [grant_id], reason))
        audit.record_always(db(), action, actor=client_id, target=grant_id)
