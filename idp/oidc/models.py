"""What Authlib sees of clients, codes and tokens: small adapters over the hub's own
records, implementing Authlib's mixins and nothing else."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin
from authlib.oauth2.rfc6749.util import list_to_scope, scope_to_list
from authlib.oidc.core import AuthorizationCodeMixin

from ..models import Client
from ..services.subsystems.clients import PERSON_SCOPES, ClientSecrets
from ..services.tokens.access import AccessToken
from ..services.tokens.grants import AccountRef, RefreshRecord
from .claims import Principal


@dataclass(frozen=True)
class RegisteredClient(ClientMixin):
    """A read-only snapshot of a client row, safe to cache across requests."""

    client_id: str
    name: str
    secret_hash: str
    token_endpoint_auth_method: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    backchannel_logout_uri: str
    grant_types: tuple[str, ...]
    scopes: tuple[str, ...]
    first_party: bool
    id_token_signed_response_alg: str
    min_acr: str
    previous_secret_hash: str
    previous_secret_until: datetime | None
    secrets: ClientSecrets = field(repr=False, compare=False)

    @classmethod
    def from_row(cls, row: Client, secrets: ClientSecrets) -> RegisteredClient:
        return cls(
            client_id=row.client_id,
            name=row.name,
            secret_hash=row.secret_hash,
            token_endpoint_auth_method=row.token_endpoint_auth_method,
            redirect_uris=tuple(row.redirect_uris),
            post_logout_redirect_uris=tuple(row.post_logout_redirect_uris),
            backchannel_logout_uri=row.backchannel_logout_uri,
            grant_types=tuple(row.grant_types),
            scopes=tuple(scope_to_list(row.scope) or []),
            first_party=row.first_party,
            id_token_signed_response_alg=row.id_token_signed_response_alg,
            min_acr=row.min_acr,
            previous_secret_hash=row.previous_secret_hash,
            previous_secret_until=row.previous_secret_until,
            secrets=secrets,
        )

    @property
    def is_public(self) -> bool:
        return self.token_endpoint_auth_method == "none"

    @property
    def client_metadata(self) -> dict[str, Any]:
        return {"post_logout_redirect_uris": list(self.post_logout_redirect_uris)}

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        # Only an unambiguous single registration may be used without naming it.
        return self.redirect_uris[0] if len(self.redirect_uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str:
        if not scope:
            return ""
        allowed = set(self.scopes)
        return list_to_scope([s for s in scope_to_list(scope) if s in allowed])

    def allowed_client_scope(self, scope: str | None) -> str:
        """Scopes for a token the client gets for itself (client_credentials)."""
        return list_to_scope(
            [
                s
                for s in scope_to_list(self.get_allowed_scope(scope)) or []
                if s not in PERSON_SCOPES
            ]
        )

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris  # exact match (RFC 9700 section 4.1.3)

    def check_client_secret(self, client_secret: str) -> bool:
        return self.secrets.check_either(
            self.secret_hash, self.previous_secret_hash, self.previous_secret_until, client_secret
        )

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        """Only the method the client registered, at every endpoint."""
        return method == self.token_endpoint_auth_method

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


@dataclass(frozen=True)
class StoredCode(AuthorizationCodeMixin):
    """An authorization code as kept in the store."""

    client_id: str
    redirect_uri: str | None
    scope: str
    account_id: int
    sid: str
    auth_time: int
    acr: str
    amr: list[str]
    grant_id: str
    #: The bound subsystem account chosen for this sign-in, if any.
    subsystem_account_id: int | None = None
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None

    def get_redirect_uri(self) -> str | None:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str:
        return self.acr

    def get_amr(self) -> list[str]:
        return self.amr


class BearerToken(TokenMixin):
    """An access token for Authlib's resource protector and introspection."""

    token_type = "access_token"

    def __init__(self, token: str, record: AccessToken, client: RegisteredClient | None) -> None:
        self.token = token
        self.record = record
        self.client = client
        self.principal: Principal | None = None

    @property
    def scope(self) -> str:
        return self.record.scope

    def check_client(self, client: RegisteredClient) -> bool:
        return self.record.client_id == client.client_id

    def get_scope(self) -> str:
        return self.record.scope

    def get_expires_in(self) -> int:
        return max(0, self.record.expires_at - int(time.time()))

    def is_expired(self) -> bool:
        return self.record.expired

    def is_revoked(self) -> bool:
        return False  # a revoked access token is not found at all

    def get_user(self) -> Principal | None:
        return self.principal

    def get_client(self) -> RegisteredClient | None:
        return self.client


class StoredRefreshToken(TokenMixin):
    token_type = "refresh_token"

    def __init__(self, record: RefreshRecord, successor: str | None = None) -> None:
        self.record = record
        #: The refresh token that replaces this one, stored when this one was claimed.
        self.successor = successor

    @property
    def scope(self) -> str:
        return self.record.scope

    def check_client(self, client: RegisteredClient) -> bool:
        return self.record.client_id == client.client_id

    def get_scope(self) -> str:
        return self.record.scope

    def get_expires_in(self) -> int:
        return max(0, int(self.record.expires_at.timestamp() - time.time()))

    def is_expired(self) -> bool:
        return self.record.expires_at.timestamp() <= time.time()

    def is_revoked(self) -> bool:
        return self.record.grant_revoked or self.record.used

    def get_user(self) -> AccountRef:
        return self.record.owner

    def get_client(self) -> None:
        return None
