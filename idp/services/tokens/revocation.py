"""Revoking grants: the grant rows are marked, and a marker in the short-lived store
makes every access token issued from them fail at once on every server process. The
marker lives as long as an access token can."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...models import Grant, table_of, utcnow
from ...store import Store
from .access import REVOKED_GRANT_PREFIX

_grant = table_of(Grant)


class Revocation:
    def __init__(self, store: Store, access_token_ttl: int) -> None:
        self.store = store
        self.access_token_ttl = access_token_ttl

    def grants(self, db: Session, grant_ids: list[str], reason: str) -> None:
        """Revoke grants and, through the store marker, every access token issued from
        them."""
        if not grant_ids:
            return
        for grant_id in grant_ids:
            self.store.set(REVOKED_GRANT_PREFIX + grant_id, reason.encode(), self.access_token_ttl)
        db.connection().execute(
            update(_grant)
            .where(_grant.c.id.in_(grant_ids), _grant.c.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoked_reason=reason)
        )

    def account(
        self, db: Session, account_id: int, reason: str, keep_sid: str | None = None
    ) -> None:
        """Every grant of an account, offline ones included (a password reset, disabling),
        but those made in the session ``keep_sid``."""
        query = select(_grant.c.id).where(
            _grant.c.account_id == account_id, _grant.c.revoked_at.is_(None)
        )
        if keep_sid is not None:
            query = query.where(_grant.c.sid != keep_sid)
        grant_ids = list(db.connection().execute(query).scalars())
        self.grants(db, grant_ids, reason)

    def client(self, db: Session, client_id: str, reason: str) -> int:
        """Every grant made to a client (disabling it); returns how many."""
        grant_ids = list(
            db.connection()
            .execute(
                select(_grant.c.id).where(
                    _grant.c.client_id == client_id, _grant.c.revoked_at.is_(None)
                )
            )
            .scalars()
        )
        self.grants(db, grant_ids, reason)
        return len(grant_ids)
