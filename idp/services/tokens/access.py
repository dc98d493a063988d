"""Access tokens: opaque random strings kept in the short-lived store under their SHA-256
(a store dump holds no usable token), so checking one is a store read, not a database
query. A token names its grant, and reading it also reads the grant's revocation marker
(``revocation``) in the same round trip."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Protocol

from ...store import Store
from ..key_derivation import token_hash

ACCESS_PREFIX = "at:"
REVOKED_GRANT_PREFIX = "revoked-grant:"


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class AccessToken:
    client_id: str
    scope: str
    issued_at: int
    expires_at: int
    account_id: int | None = None
    subject: str | None = None
    grant_id: str | None = None
    #: The bound subsystem account the token speaks for at its client, if any.
    subsystem_account_id: int | None = None
    #: How the person signed in for the grant (``acr``, ``auth_time``), copied from it
    #: so that introspection answers from the token alone.
    acr: str | None = None
    auth_time: int | None = None

    @property
    def expired(self) -> bool:
        return self.expires_at <= time.time()


def save_access_token(
    store: Store,
    token: str,
    *,
    client_id: str,
    scope: str,
    ttl: int,
    owner: TokenOwner | None = None,
    grant_id: str | None = None,
    subsystem_account_id: int | None = None,
    acr: str | None = None,
    auth_time: int | None = None,
) -> AccessToken:
    now = int(time.time())
    record = AccessToken(
        client_id=client_id,
        scope=scope,
        issued_at=now,
        expires_at=now + ttl,
        account_id=owner.id if owner else None,
        subject=owner.subject if owner else None,
        grant_id=grant_id,
        subsystem_account_id=subsystem_account_id,
        acr=acr,
        auth_time=auth_time,
    )
    store.set(ACCESS_PREFIX + token_hash(token), json.dumps(vars(record)).encode(), ttl)
    return record


def bind_to_grant(token: str, grant_id: str | None) -> str:
    """An access token that names its grant, so that reading it and checking the grant's
    revocation is one store round trip. Clients treat tokens as opaque all the same."""
    return f"{grant_id}.{token}" if grant_id else token


def find_access_token(store: Store, token: str) -> AccessToken | None:
    grant_id, bound, _ = token.rpartition(".")
    keys = [ACCESS_PREFIX + token_hash(token)]
    if bound:
        keys.append(REVOKED_GRANT_PREFIX + grant_id)
    raw, *revoked = store.get_many(keys)
    if raw is None or any(marker is not None for marker in revoked):
        return None
    record = AccessToken(**json.loads(raw))
    if record.expired or record.grant_id != (grant_id or None):
        return None
    return record


def revoke_access_token(store: Store, token: str) -> None:
    store.delete(ACCESS_PREFIX + token_hash(token))


class TokenOwner(Protocol):
    """Who a token speaks for: an Account, or an AccountRef from a refresh token."""

    id: int
    subject: str
