"""SQLAlchemy models, one module per aggregate."""

from .account import Account, AccountRole, AccountStatus
from .audit import AuditEvent
from .base import Base, table_of, utcnow
from .client import Client
from .credentials import EmailChange, PasswordHistory, PasswordReset, ResetRequest
from .grant import Grant, RefreshToken
from .hub_session import HubSession, SessionClient
from .kv_entry import KvEntry
from .logout_delivery import LogoutDelivery
from .mail import MailMessage
from .policy_version import PolicyVersion
from .signing_key import SigningKey
from .unit import Unit

__all__ = [
    "Account",
    "AccountRole",
    "AccountStatus",
    "AuditEvent",
    "Base",
    "Client",
    "EmailChange",
    "Grant",
    "HubSession",
    "KvEntry",
    "LogoutDelivery",
    "MailMessage",
    "PasswordHistory",
    "PasswordReset",
    "PolicyVersion",
    "RefreshToken",
    "ResetRequest",
    "SessionClient",
    "SigningKey",
    "Unit",
    "table_of",
    "utcnow",
]
