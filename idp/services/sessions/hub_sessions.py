"""Hub sessions: starting one at sign-in, ending one at sign-out.

Ending a session deletes its browser state, revokes the grants made in it (except
offline ones: offline access is meant to outlive the session) and queues a
back-channel logout notification for every subsystem that took part.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...db import insert_or_skip
from ...models import (
    Account,
    Client,
    Grant,
    HubSession,
    LogoutDelivery,
    SessionClient,
    table_of,
    utcnow,
)
from .. import correlation
from ..tokens.revocation import Revocation


def start_session(
    db: Session,
    *,
    account: Account,
    store_key: str,
    ip: str,
    user_agent: str,
    acr: str,
    amr: list[str],
) -> HubSession:
    hub_session = HubSession(
        sid=secrets.token_urlsafe(24),
        account_id=account.id,
        store_key=store_key,
        ip=ip,
        user_agent=user_agent[:300],
        acr=acr,
        amr=amr,
    )
    db.add(hub_session)
    db.flush()
    return hub_session


def find_session(db: Session, sid: str) -> HubSession | None:
    return db.get(HubSession, sid)


def remember_client(db: Session, sid: str, client_id: str, subject: str) -> None:
    """Note that ``client_id`` received an ID token in this session."""
    remember = insert_or_skip(db, table_of(SessionClient), ["sid", "client_id"])
    db.execute(remember.values(sid=sid, client_id=client_id, subject=subject))


def end_session(
    db: Session, revocation: Revocation, hub_session: HubSession, reason: str
) -> list[LogoutDelivery]:
    """End the session; returns the queued logout notifications (not yet sent)."""
    if hub_session.ended_at is not None:
        return []
    hub_session.ended_at = utcnow()
    hub_session.end_reason = reason
    revocation.store.delete(hub_session.store_key)
    grant_ids = list(
        db.scalars(
            select(Grant.id).where(
                Grant.sid == hub_session.sid, Grant.offline.is_(False), Grant.revoked_at.is_(None)
            )
        )
    )
    revocation.grants(db, grant_ids, "session_ended")
    deliveries = []
    rows = db.execute(
        select(SessionClient, Client)
        .join(Client, Client.client_id == SessionClient.client_id)
        .where(SessionClient.sid == hub_session.sid)
    ).all()
    for session_client, client in rows:
        if not client.backchannel_logout_uri:
            continue
        delivery = LogoutDelivery(
            client_id=client.client_id,
            uri=client.backchannel_logout_uri,
            subject=session_client.subject,
            sid=hub_session.sid,
            jti=secrets.token_urlsafe(24),
            request_id=correlation.request_id(),
        )
        db.add(delivery)
        deliveries.append(delivery)
    db.flush()
    return deliveries


def active_sessions(db: Session, account_id: int) -> list[HubSession]:
    """The account's sessions not yet ended (some may have expired in the store since)."""
    return list(
        db.scalars(
            select(HubSession)
            .where(HubSession.account_id == account_id, HubSession.ended_at.is_(None))
            .order_by(HubSession.created_at.desc())
        )
    )


def end_account_sessions(
    db: Session,
    revocation: Revocation,
    account_id: int,
    reason: str,
    keep_sid: str | None = None,
) -> list[LogoutDelivery]:
    """End every session of an account (but ``keep_sid``); returns the notifications."""
    deliveries: list[LogoutDelivery] = []
    for hub_session in active_sessions(db, account_id):
        if hub_session.sid != keep_sid:
            deliveries += end_session(db, revocation, hub_session, reason)
    return deliveries


def sign_out_other_devices(
    db: Session, revocation: Revocation, account_id: int, keep_sid: str, reason: str
) -> list[LogoutDelivery]:
    """修改密碼's 同時登出其他裝置: end every session of the account but ``keep_sid`` and
    revoke every grant not made in it, offline ones too, so that no other device keeps
    a way in through a subsystem's refresh token."""
    deliveries = end_account_sessions(db, revocation, account_id, reason, keep_sid=keep_sid)
    revocation.account(db, account_id, reason, keep_sid=keep_sid)
    return deliveries


def shut_out(
    db: Session, revocation: Revocation, account_id: int, reason: str
) -> list[LogoutDelivery]:
    """End every session of an account and revoke every grant, offline ones too: after a
    password reset, disabling, or dormancy."""
    deliveries = end_account_sessions(db, revocation, account_id, reason)
    revocation.account(db, account_id, reason)
    return deliveries
