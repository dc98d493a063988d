"""Grants and refresh tokens, durable in the database.

A grant is what a person allowed a client in one authorization (scope, the session it
came from, how they signed in, the subsystem account chosen); refresh tokens belong to a
grant and rotate on use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from ...db import DriverStatement
from ...models import Account, AccountStatus, Grant, RefreshToken, table_of, utcnow
from ..key_derivation import token_hash

## The token endpoint's hot path: SQLAlchemy Core statements built once, with bound
# parameters, run on the request's connection; no ORM session or objects to build.

_grant = table_of(Grant)
_refresh = table_of(RefreshToken)
_account = table_of(Account)


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
    acr: str
    auth_time: int

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
    _grant.c.acr,
    _grant.c.auth_time,
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
_SUCCESSOR_COLUMNS = ["token_hash", "issued_at", "expires_at", "grant_id"]
# PostgreSQL claims, reads and stores the successor in one statement; SQLite's RETURNING
# cannot name the joined tables nor feed another statement, so there it is a claim, a
# read and an insert.
_CLAIMED = (
    _CLAIM.where(_grant.c.id == _refresh.c.grant_id, _account.c.id == _grant.c.account_id)
    .returning(*_RECORD_COLUMNS)
    .cte("claimed")
)
_ROTATE = select(_CLAIMED).add_cte(
    insert(_refresh)
    .from_select(
        _SUCCESSOR_COLUMNS,
        select(
            bindparam("successor_hash", type_=_refresh.c.token_hash.type),
            bindparam("now", type_=_refresh.c.issued_at.type),
            bindparam("successor_expires_at", type_=_refresh.c.expires_at.type),
            _CLAIMED.c.grant_id,
        ),
    )
    .cte("successor")
)
_ROTATE_ON_DRIVER = DriverStatement(_ROTATE)
_CLAIM_ID = _CLAIM.returning(_refresh.c.id)


def create_grant(
    conn: Connection,
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
    conn.execute(
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


def save_refresh_token(
    conn: Connection, token: str, grant_id: str, ttl: timedelta, now: datetime | None = None
) -> None:
    now = now or utcnow()
    conn.execute(
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
        acr=row.acr,
        auth_time=row.auth_time,
    )


def find_refresh_token(conn: Connection, token: str) -> RefreshRecord | None:
    return _record(conn.execute(_FIND_BY_HASH, {"hash": token_hash(token)}).first())


def claim_refresh_token(
    conn: Connection, token: str, successor: str, ttl: timedelta
) -> RefreshRecord | None:
    """Mark an unused token used, store ``successor`` in its place (the rotation) and
    return the token; None when the token is unknown or someone used it first (a
    replay, or a race lost). A request refused afterwards rolls both back."""
    now = utcnow()
    params = {
        "hash": token_hash(token),
        "now": now,
        "successor_hash": token_hash(successor),
        "successor_expires_at": now + ttl,
    }
    if conn.dialect.name == "postgresql":
        return _record(_ROTATE_ON_DRIVER.first(conn, params))
    claimed = conn.execute(_CLAIM_ID, params).scalar()
    if claimed is None:
        return None
    record = _record(conn.execute(_FIND_BY_ID, {"refresh_id": claimed}).first())
    if record is not None:
        save_refresh_token(conn, successor, record.grant_id, ttl, now)
    return record
