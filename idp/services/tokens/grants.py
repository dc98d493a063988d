"""Access tokens, grants and refresh tokens.

Access tokens are opaque random strings kept in the short-lived store under their
SHA-256 (a store dump holds no usable token), so checking one is a store read, not a
database query. Refresh tokens and grants are durable, in the database. Revoking a
grant writes a marker to the store that every access token of that grant is checked
against, so revocation takes effect at once on every server process.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from ...models import Account, AccountStatus, Grant, RefreshToken, table_of, utcnow
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


# Grants and refresh tokens ---------------------------------------------------------
#
# The token endpoint's hot path: SQLAlchemy Core statements built once, with bound
# parameters, run on the request's connection; no ORM objects to build.

_grant = table_of(Grant)
_refresh = table_of(RefreshToken)
_account = table_of(Account)


class TokenOwner(Protocol):
    """Who a token speaks for: an Account, or an AccountRef from a refresh token."""

    id: int
    subject: str


@dataclass(frozen=True)
class AccountRef:
    id: int
    subject: str


@dataclass(frozen=True)
class RefreshRecord:
    """A refresh token with its grant and account, as read in one query."""

    id: int
    issued_at: datetime
    expires_at: datetime
    used: bool
    grant_id: str
    client_id: str
    scope: str
    grant_revoked: bool
    account_id: int
    subject: str
    account_active: bool
    subsystem_account_id: int | None

    @property
    def owner(self) -> AccountRef:
        return AccountRef(self.account_id, self.subject)


_RECORD_COLUMNS = (
    _refresh.c.id,
    _refresh.c.issued_at,
    _refresh.c.expires_at,
    _refresh.c.used_at,
    _grant.c.id.label("grant_id"),
    _grant.c.client_id,
    _grant.c.scope,
    _grant.c.revoked_at,
    _grant.c.subsystem_account_id,
    _account.c.id.label("account_id"),
    _account.c.subject,
    _account.c.status,
)
_JOINED = _refresh.join(_grant, _grant.c.id == _refresh.c.grant_id).join(
    _account, _account.c.id == _grant.c.account_id
)
_INSERT_GRANT = insert(_grant)
_INSERT_REFRESH = insert(_refresh)
_FIND_BY_HASH = (
    select(*_RECORD_COLUMNS).select_from(_JOINED).where(_refresh.c.token_hash == bindparam("hash"))
)
_FIND_BY_ID = (
    select(*_RECORD_COLUMNS).select_from(_JOINED).where(_refresh.c.id == bindparam("refresh_id"))
)
_CLAIM = (
    update(_refresh)
    .where(_refresh.c.token_hash == bindparam("hash"), _refresh.c.used_at.is_(None))
    .values(used_at=bindparam("now"))
)
# PostgreSQL claims and reads in one statement; SQLite's RETURNING cannot name the
# joined tables, so there it is a claim, then a read.
_CLAIM_AND_READ = _CLAIM.where(
    _grant.c.id == _refresh.c.grant_id, _account.c.id == _grant.c.account_id
).returning(*_RECORD_COLUMNS)
_CLAIM_ID = _CLAIM.returning(_refresh.c.id)
_RELEASE = update(_refresh).where(_refresh.c.id == bindparam("refresh_id")).values(used_at=None)


def create_grant(
    db: Session,
    *,
    grant_id: str,
    client_id: str,
    account_id: int,
    sid: str,
    scope: str,
    offline: bool,
    auth_time: int,
    acr: str,
    amr: list[str],
    subsystem_account_id: int | None = None,
) -> None:
    db.connection().execute(
        _INSERT_GRANT,
        {
            "id": grant_id,
            "client_id": client_id,
            "account_id": account_id,
            "sid": sid,
            "scope": scope,
            "offline": offline,
            "auth_time": auth_time,
            "acr": acr,
            "amr": amr,
            "subsystem_account_id": subsystem_account_id,
            "created_at": utcnow(),
            "revoked_reason": "",
        },
    )


def revoke_grants(
    db: Session, store: Store, grant_ids: list[str], reason: str, access_token_ttl: int
) -> None:
    """Revoke grants and, through the store marker, every access token issued from them."""
    if not grant_ids:
        return
    for grant_id in grant_ids:
        store.set(REVOKED_GRANT_PREFIX + grant_id, reason.encode(), access_token_ttl)
    db.connection().execute(
        update(_grant)
        .where(_grant.c.id.in_(grant_ids), _grant.c.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )


def revoke_account_grants(
    db: Session, store: Store, account_id: int, reason: str, access_token_ttl: int
) -> None:
    """Every grant of an account, offline ones included (a password reset, disabling)."""
    grant_ids = list(
        db.connection()
        .execute(
            select(_grant.c.id).where(
                _grant.c.account_id == account_id, _grant.c.revoked_at.is_(None)
            )
        )
        .scalars()
    )
    revoke_grants(db, store, grant_ids, reason, access_token_ttl)


def save_refresh_token(db: Session, token: str, grant_id: str, ttl: timedelta) -> None:
    now = utcnow()
    db.connection().execute(
        _INSERT_REFRESH,
        {
            "token_hash": token_hash(token),
            "grant_id": grant_id,
            "issued_at": now,
            "expires_at": now + ttl,
        },
    )


def _record(row: Any) -> RefreshRecord | None:
    if row is None:
        return None
    return RefreshRecord(
        id=row.id,
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        used=row.used_at is not None,
        grant_id=row.grant_id,
        client_id=row.client_id,
        scope=row.scope,
        grant_revoked=row.revoked_at is not None,
        account_id=row.account_id,
        subject=row.subject,
        account_active=row.status == AccountStatus.ACTIVE.value,
        subsystem_account_id=row.subsystem_account_id,
    )


def find_refresh_token(db: Session, token: str) -> RefreshRecord | None:
    return _record(db.connection().execute(_FIND_BY_HASH, {"hash": token_hash(token)}).first())


def claim_refresh_token(db: Session, token: str) -> RefreshRecord | None:
    """Mark an unused token used and return it; None when the token is unknown or
    someone used it first (a replay, or a race lost)."""
    conn = db.connection()
    params = {"hash": token_hash(token), "now": utcnow()}
    if conn.dialect.name == "postgresql":
        return _record(conn.execute(_CLAIM_AND_READ, params).first())
    claimed = conn.execute(_CLAIM_ID, params).scalar()
    if claimed is None:
        return None
    return _record(conn.execute(_FIND_BY_ID, {"refresh_id": claimed}).first())


def release_refresh_token(db: Session, record: RefreshRecord) -> None:
    """Undo a claim when the request is refused for a reason of its own (a wrong scope)."""
    db.connection().execute(_RELEASE, {"refresh_id": record.id})
