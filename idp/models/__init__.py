"""SQLAlchemy models, one module per aggregate."""

from .account import Account, AccountRole, AccountStatus
from .audit import AuditEvent
from .base import Base, table_of, utcnow
from .client import Client
from .grant import Grant, RefreshToken
from .hub_session import HubSession, SessionClient
from .kv_entry import KvEntry
from .logout_delivery import LogoutDelivery
from .signing_key import SigningKey
from .unit import Unit

__all__ = [
    "Account",
    "AccountRole",
    "AccountStatus",
    "AuditEvent",
    "Base",
    "Client",
    "Grant",
    "HubSession",
    "KvEntry",
    "LogoutDelivery",
    "RefreshToken",
    "SessionClient",
    "SigningKey",
    "Unit",
    "table_of",
    "utcnow",
]
