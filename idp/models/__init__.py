"""SQLAlchemy models, one module per aggregate."""

from .account import Account, AccountRole, AccountStatus
from .announcement import Announcement, AnnouncementAttachment
from .application import Application, ApplicationStatus, ReviewRoute, SubsystemRequest
from .audit import AuditEvent, AuditMark
from .base import Base, table_of, utcnow
from .card import CardEnrolment
from .change_request import (
    ChangeRequest,
    ChangeRequestAttachment,
    ChangeRequestDecision,
    ChangeRequestKind,
    ChangeRequestStatus,
    ChangeStepOutcome,
)
from .client import Client
from .credentials import EmailChange, PasswordHistory, PasswordReset, ResetRequest
from .download import DownloadFile, DownloadVersion
from .enums import ReviewTier
from .grant import Grant, RefreshToken
from .hub_session import HubSession, SessionClient
from .inbox import InboxMessage
from .kv_entry import KvEntry
from .logout_delivery import LogoutDelivery
from .mail import MailMessage
from .policy_version import PolicyVersion
from .privacy_request import PrivacyRequest, PrivacyRequestKind, PrivacyRequestStatus
from .role_change import RoleChange, RoleChangeAttachment, RoleChangeKind
from .second_factor import AuthenticatorApp, Passkey, RecoveryCode
from .signing_key import SigningKey
from .subsystem_account import Binding, SubsystemAccount, SubsystemSignin
from .unit import Unit, UnitKind

__all__ = [
    "Account",
    "AccountRole",
    "AccountStatus",
    "Announcement",
    "AnnouncementAttachment",
    "Application",
    "ApplicationStatus",
    "AuditEvent",
    "AuditMark",
    "AuthenticatorApp",
    "Base",
    "Binding",
    "CardEnrolment",
    "ChangeRequest",
    "ChangeRequestAttachment",
    "ChangeRequestDecision",
    "ChangeRequestKind",
    "ChangeRequestStatus",
    "ChangeStepOutcome",
    "Client",
    "DownloadFile",
    "DownloadVersion",
    "EmailChange",
    "Grant",
    "HubSession",
    "InboxMessage",
    "KvEntry",
    "LogoutDelivery",
    "MailMessage",
    "Passkey",
    "PasswordHistory",
    "PasswordReset",
    "PolicyVersion",
    "PrivacyRequest",
    "PrivacyRequestKind",
    "PrivacyRequestStatus",
    "RecoveryCode",
    "RefreshToken",
    "ResetRequest",
    "ReviewRoute",
    "ReviewTier",
    "RoleChange",
    "RoleChangeAttachment",
    "RoleChangeKind",
    "SessionClient",
    "SigningKey",
    "SubsystemAccount",
    "SubsystemRequest",
    "SubsystemSignin",
    "Unit",
    "UnitKind",
    "table_of",
    "utcnow",
]
