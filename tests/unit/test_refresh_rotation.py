"""Refresh-token rotation in the database: claiming a token stores its successor in the
same unit of work (one statement on PostgreSQL), a second claim finds nothing, and a
unit of work rolled back after the claim leaves the old token good and no successor."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from idp.hub import Hub
from idp.models import Account
from idp.services.tokens import grants
from idp.services.tokens.access import new_token

from ..support.helpers import add_account

TTL = timedelta(days=1)


def _grant_with_token(hub: Hub) -> tuple[str, str]:
    subject = add_account(hub)
    token, grant_id = new_token(), new_token()
    with hub.database.unit_of_work() as db:
        account_id = db.scalars(select(Account.id).where(Account.subject == subject)).one()
        grants.create_grant(
            db.connection(),
            grant_id=grant_id,
            client_id="rp",
            account_id=account_id,
            sid="sid",
            scope="openid offline_access",
            offline=True,
            auth_time=int(time.time()),
            acr="urn:onedoor:acr:password",
            amr=["pwd"],
        )
        grants.save_refresh_token(db.connection(), token, grant_id, TTL)
    return token, grant_id


def test_a_claim_stores_the_successor_and_works_once(hub: Hub) -> None:
    token, grant_id = _grant_with_token(hub)
    successor = new_token()
    with hub.database.unit_of_work() as db:
        record = grants.claim_refresh_token(db.connection(), token, successor, TTL)
        assert record is not None and record.grant_id == grant_id
        assert record.acr == "urn:onedoor:acr:password" and record.auth_time > 0
        assert grants.claim_refresh_token(db.connection(), token, new_token(), TTL) is None
    with hub.database.unit_of_work() as db:
        used = grants.find_refresh_token(db.connection(), token)
        assert used is not None and used.used
        stored = grants.find_refresh_token(db.connection(), successor)
        assert stored is not None and stored.grant_id == grant_id and not stored.used


def test_a_rolled_back_claim_leaves_the_token_good_and_no_successor(hub: Hub) -> None:
    token, _ = _grant_with_token(hub)
    successor = new_token()
    db = hub.database.session_factory()
    try:
        assert grants.claim_refresh_token(db.connection(), token, successor, TTL) is not None
        hub.database.finish(db, succeeded=False)
    finally:
        db.close()
    with hub.database.unit_of_work() as db:
        assert grants.find_refresh_token(db.connection(), successor) is None
        assert grants.claim_refresh_token(db.connection(), token, new_token(), TTL) is not None
