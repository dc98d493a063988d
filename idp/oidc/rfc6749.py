"""OAuth 2.0 grants (RFC 6749): authorization code, refresh token, client credentials.

Authlib runs the protocol; these classes store and find codes and tokens. Codes live
in the store for ``IDP_AUTHORIZATION_CODE_TTL_SECONDS``; using one twice is refused
and revokes every token issued from it (section 4.1.2). Refresh tokens rotate; using
a replaced one revokes the whole grant (RFC 9700 section 4.14.2).

A code or refresh token is spent only by a request that passed every check: one
presented by another client, or a code with the wrong ``code_verifier``, is refused and
stays good for its owner (sections 6 and 10.4); only a replay by the client it was
issued to revokes its grant.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidGrantError, InvalidRequestError
from authlib.oidc.core.errors import RequestNotSupportedError, RequestURINotSupportedError

from ..http.unit_of_work import connection, db
from ..models import Account, AccountStatus, utcnow
from ..services.key_derivation import token_hash
from ..services.tokens import access
from ..services.tokens import grants as tokens
from ..services.tokens.grants import AccountRef
from .claims import Principal, principal_of
from .models import RegisteredClient, StoredCode, StoredRefreshToken

if TYPE_CHECKING:
    from .authorize import AuthContext
    from .server import HubAuthorizationServer

SECRET_AUTH = ["client_secret_basic", "client_secret_post"]
CODE_PREFIX = "code:"
USED_CODE_PREFIX = "code-used:"
NONCE_PREFIX = "nonce:"
#: How long a used code is remembered, to spot its reuse.
USED_CODE_MEMORY_SECONDS = 3600


def _active_account(account_id: int) -> Account:
    account = db().get(Account, account_id)
    if account is None or account.status is not AccountStatus.ACTIVE:
        raise InvalidGrantError("The account is no longer active.")
    return account


def nonce_key(client_id: str, nonce: str) -> str:
    return NONCE_PREFIX + token_hash(client_id + "\n" + nonce)


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [*SECRET_AUTH, "none"]
    server: HubAuthorizationServer

    def validate_authorization_request(self) -> str:
        """Authlib's checks, then what the hub does not support, refused rather than
        ignored: request objects (OpenID Connect Core section 6) and any response mode
        but ``query``."""
        redirect_uri: str = super().validate_authorization_request()
        data = self.request.payload.data
        state = data.get("state")
        if data.get("request"):
            raise RequestNotSupportedError(state=state, redirect_uri=redirect_uri)
        if data.get("request_uri"):
            raise RequestURINotSupportedError(state=state, redirect_uri=redirect_uri)
        if data.get("response_mode", "query") != "query":
            raise InvalidRequestError(
                "Only response_mode=query is supported.", state=state, redirect_uri=redirect_uri
            )
        return redirect_uri

    def save_authorization_code(self, code: str, request: Any) -> None:
        context: AuthContext = request.auth_context
        hub = self.server.hub
        scopes = request.scope.split()
        if "offline_access" in scopes and not context.offline_consented:
            # OpenID Connect Core section 11: without consent, offline_access is ignored.
            scopes.remove("offline_access")
        data = request.payload.data
        record = StoredCode(
            client_id=request.client.client_id,
            redirect_uri=request.payload.redirect_uri,
            scope=" ".join(scopes),
            account_id=context.account_id,
            sid=context.sid,
            auth_time=context.auth_time,
            acr=context.acr,
            amr=list(context.amr),
            grant_id=access.new_token(),
            subsystem_account_id=context.subsystem_account_id,
            nonce=data.get("nonce"),
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
        )
        ttl = hub.settings.authorization_code_ttl_seconds
        entries = {CODE_PREFIX + token_hash(code): json.dumps(vars(record)).encode()}
        if record.nonce:
            entries[nonce_key(record.client_id, record.nonce)] = b"1"
        hub.store.set_many(entries, ttl)

    def query_authorization_code(self, code: str, client: RegisteredClient) -> StoredCode | None:
        store = self.server.hub.store
        key = token_hash(code)
        raw = store.get(CODE_PREFIX + key)
        if raw is None:
            used = store.get(USED_CODE_PREFIX + key)
            if used is not None:
                used_by, grant_id = used.decode().split("\n", 1)
                if used_by == client.client_id:
                    self._revoke_reused(grant_id, client)
            return None
        record = StoredCode(**json.loads(raw))
        if record.client_id != client.client_id:
            return None
        self._code_key = key
        return record

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        """Spend the code, now that the request passed every check (PKCE included),
        atomically: of two requests racing with one code, one wins and the other is a
        replay."""
        record: StoredCode = self.request.authorization_code
        claimed = self.server.hub.store.add(
            USED_CODE_PREFIX + self._code_key,
            f"{record.client_id}\n{record.grant_id}".encode(),
            USED_CODE_MEMORY_SECONDS,
        )
        if not claimed:
            self._revoke_reused(record.grant_id, self.request.client)
            raise InvalidGrantError("Invalid 'code' in request.")
        result: tuple[int, dict[str, Any], list[tuple[str, str]]]
        result = super().create_token_response()
        return result

    def _revoke_reused(self, grant_id: str, client: RegisteredClient) -> None:
        self.server.revoke_reused_grant(
            grant_id, "authorization_code_reused", client.client_id, "token.code_reused"
        )

    def delete_authorization_code(self, authorization_code: StoredCode) -> None:
        # The used-code marker stays: it is what spots a second use.
        self.server.hub.store.delete(CODE_PREFIX + self._code_key)

    def authenticate_user(self, authorization_code: StoredCode) -> Principal:
        return principal_of(
            db(),
            _active_account(authorization_code.account_id),
            authorization_code.client_id,
            authorization_code.subsystem_account_id,
        )


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [*SECRET_AUTH, "none"]
    INCLUDE_NEW_REFRESH_TOKEN = True
    server: HubAuthorizationServer

    def authenticate_refresh_token(self, refresh_token: str) -> StoredRefreshToken | None:
        # Claimed at once, atomically, with its successor stored in the same statement, so
        # two requests racing with one token cannot both succeed; a token that cannot be
        # claimed but exists was used before: a replay.
        # A request refused after the claim (wrong scope, another client) rolls it back
        # with the rest of its unit of work: the token stays good for its owner. Only
        # the client it was issued to can replay it; another client is merely refused.
        successor = access.new_token()
        ttl = timedelta(days=self.server.hub.settings.refresh_token_ttl_days)
        record = tokens.claim_refresh_token(connection(), refresh_token, successor, ttl)
        if record is None:
            used = tokens.find_refresh_token(connection(), refresh_token)
            client: RegisteredClient = self.request.client
            if used is not None and not used.grant_revoked and used.client_id == client.client_id:
                self._revoke_reused(used.grant_id, used.client_id)
            return None
        if record.grant_revoked or record.expires_at <= utcnow():
            return None
        return StoredRefreshToken(record, successor)

    def issue_token(self, user: AccountRef, refresh_token: StoredRefreshToken) -> dict[str, Any]:
        """The new refresh token is the successor stored with the claim."""
        token: dict[str, Any] = super().issue_token(user, refresh_token)
        token["refresh_token"] = refresh_token.successor
        return token

    def authenticate_user(self, refresh_token: StoredRefreshToken) -> AccountRef:
        if not refresh_token.record.account_active:
            raise InvalidGrantError("The account is no longer active.")
        return refresh_token.record.owner

    def revoke_old_credential(self, refresh_token: StoredRefreshToken) -> None:
        """Nothing left to do: ``authenticate_refresh_token`` marked the token used."""

    def _revoke_reused(self, grant_id: str, client_id: str) -> None:
        self.server.revoke_reused_grant(
            grant_id, "refresh_token_reused", client_id, "token.refresh_reused"
        )


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = SECRET_AUTH
