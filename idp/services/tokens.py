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
from dataclasses import asdict, dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import Account, Grant, RefreshToken, utcnow
from ..store import Store
from .key_derivation import token_hash

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
    account: Account | None = None,
    grant_id: str | None = None,
) -> AccessToken:
    now = int(time.time())
    record = AccessToken(
        client_id=client_id,
        scope=scope,
        issued_at=now,
        expires_at=now + ttl,
        account_id=account.id if account else None,
        subject=account.subject if account else None,
        grant_id=grant_id,
    )
    store.set(ACCESS_PREFIX + token_hash(token), json.dumps(asdict(record)).encode(), ttl)
    return record


def find_access_token(store: Store, token: str) -> AccessToken | None:
    raw = store.get(ACCESS_PREFIX + token_hash(token))
    if raw is None:
        return None
    record = AccessToken(**json.loads(raw))
    if record.expired:
        return None
    if record.grant_id and store.get(REVOKED_GRANT_PREFIX + record.grant_id) is not None:
        return None
    return record


def revoke_access_token(store: Store, token: str) -> None:
    store.delete(ACCESS_PREFIX + token_hash(token))


# Grants ---------------------------------------------------------------------------


def create_grant(
    db: Session,
    *,
    grant_id: str,
    client_id: str,
    account: Account,
    sid: str,
    scope: str,
    offline: bool,
    auth_time: int,
    acr: str,
    amr: list[str],
) -> Grant:
    grant = Grant(
        id=grant_id,
        client_id=client_id,
        account=account,
        sid=sid,
        scope=scope,
        offline=offline,
        auth_time=auth_time,
        acr=acr,
        amr=amr,
    )
    db.add(grant)
    db.flush()
    return grant


def revoke_grants(
    db: Session, store: Store, grant_ids: list[str], reason: str, access_token_ttl: int
) -> None:
    """Revoke grants and, through the store marker, every access token issued from them."""
    if not grant_ids:
        return
    for grant_id in grant_ids:
        store.set(REVOKED_GRANT_PREFIX + grant_id, reason.encode(), access_token_ttl)
    db.execute(
        update(Grant)
        .where(Grant.id.in_(grant_ids), Grant.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )


def find_grant(db: Session, grant_id: str) -> Grant | None:
    return db.get(Grant, grant_id)


# Refresh tokens --------------------------------------------------------------------


def save_refresh_token(db: Session, token: str, grant: Grant, ttl: timedelta) -> None:
    db.add(RefreshToken(token_hash=token_hash(token), grant_id=grant.id, expires_at=utcnow() + ttl))


def find_refresh_token(db: Session, token: str) -> RefreshToken | None:
    return db.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash(token)))


def claim_refresh_token(db: Session, refresh_token: RefreshToken) -> bool:
    """Mark the token used; False when someone used it first (a replay or a race)."""
    result = db.execute(
        update(RefreshToken)
        .where(RefreshToken.id == refresh_token.id, RefreshToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]
