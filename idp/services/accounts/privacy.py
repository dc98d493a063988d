"""個資法 requests: a person asks the hub to stop processing their personal data, or to
delete it; the authority (國健署) allows or refuses, with a reason.

Allowed, a stop disables the account (its sessions end, its tokens are revoked) and keeps
its data; a deletion does that and erases every personal field of the account and what
hangs on it (contacts, 身分證, second factors, cards, messages, mail, bindings to
subsystem accounts, the sessions' addresses and browsers). The audit trail is kept as
the law requires a record of access to be kept: its rows are not touched, so the chain
still verifies; they name the account by its account name, never by a personal field.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime

from sqlalchemy import String, cast, delete, or_, select, update
from sqlalchemy.orm import Session

from ...models import (
    Account,
    AccountStatus,
    Application,
    AuthenticatorApp,
    Binding,
    CardEnrolment,
    ChangeRequest,
    ChangeRequestAttachment,
    EmailChange,
    HubSession,
    InboxMessage,
    LogoutDelivery,
    MailMessage,
    Passkey,
    PasswordHistory,
    PasswordReset,
    PrivacyRequest,
    PrivacyRequestKind,
    PrivacyRequestStatus,
    RecoveryCode,
    ResetRequest,
    RoleChange,
    RoleChangeAttachment,
    utcnow,
)
from .. import audit
from ..errors import DomainError, NotAllowed, NotFound
from ..messaging import inbox
from ..permissions import authority_admins, is_authority
from ..reviews.decisions import check_reason
from ..signin.passwords import Passwords
from .lifecycle import Managing, disable_now

#: What an erased account shows where its name was.
ERASED_NAME = "（已依個資法刪除）"


def reference(request: PrivacyRequest) -> str:
    """The number quoted to the person and the authority."""
    return f"P{request.submitted_at:%Y%m%d}{request.id:06d}"


def file_request(
    db: Session, account: Account, kind: str, reason: str, ip: str = ""
) -> PrivacyRequest:
    """The person's request; one at a time. The authority's admins are told."""
    try:
        chosen = PrivacyRequestKind(kind)
    except ValueError:
        raise DomainError("請選擇申請事項") from None
    reason = check_reason(reason, required=False)
    if db.scalar(
        select(PrivacyRequest.id).where(
            PrivacyRequest.account_id == account.id,
            PrivacyRequest.status == PrivacyRequestStatus.PENDING,
        )
    ):
        raise DomainError("您已有一件審核中的個資權利申請")
    request = PrivacyRequest(kind=chosen, account_id=account.id, reason=reason)
    db.add(request)
    db.flush()
    audit.record(
        db,
        "privacy.request",
        actor=account.username,
        actor_account_id=account.id,
        target=account.username,
        ip=ip,
        kind=chosen.value,
        reference=reference(request),
    )
    for admin in authority_admins(db):
        inbox.post(
            db, admin, "有一件個資權利申請待審核（{reference}）", reference=reference(request)
        )
    return request


def requests_of(db: Session, account: Account) -> list[PrivacyRequest]:
    return list(
        db.scalars(
            select(PrivacyRequest)
            .where(PrivacyRequest.account_id == account.id)
            .order_by(PrivacyRequest.submitted_at.desc(), PrivacyRequest.id.desc())
        )
    )


def requests_to_decide(db: Session, viewer: Account) -> list[PrivacyRequest]:
    """Every request, pending ones first, for the authority."""
    if not is_authority(viewer):
        raise NotAllowed("您沒有審核個資權利申請的權限")
    pending_first = PrivacyRequest.status != PrivacyRequestStatus.PENDING
    return list(
        db.scalars(
            select(PrivacyRequest)
            .order_by(pending_first, PrivacyRequest.submitted_at.desc(), PrivacyRequest.id.desc())
            .limit(500)
        )
    )


def decide(
    db: Session,
    managing: Managing,
    authority: Account,
    request_id: int,
    *,
    allow: bool,
    reason: str,
    ip: str = "",
) -> list[LogoutDelivery]:
    """Allow or refuse a pending request, with a reason; allowed, it is carried out at
    once. Returns the logout notifications to send."""
    if not is_authority(authority):
        raise NotAllowed("您沒有審核個資權利申請的權限")
    request = db.get(PrivacyRequest, request_id)
    if request is None:
        raise NotFound("查無此申請")
    if request.status is not PrivacyRequestStatus.PENDING:
        raise DomainError("此申請已結案")
    reason = check_reason(reason, required=True, missing="請填寫審核理由")
    account = request.account
    request.status = PrivacyRequestStatus.APPROVED if allow else PrivacyRequestStatus.REFUSED
    request.decided_at = utcnow()
    request.decided_by_id = authority.id
    request.decision_reason = reason
    audit.record(
        db,
        "privacy.decide",
        actor=authority.username,
        actor_account_id=authority.id,
        target=account.username,
        ip=ip,
        kind=request.kind.value,
        reference=reference(request),
        allowed=allow,
    )
    if not allow:
        inbox.notify(
            db,
            account,
            "privacy_decided",
            "您的個資權利申請（{reference}）不允許",
            "理由：{reason}",
            reference=reference(request),
            reason=reason,
        )
        return []
    if request.kind is PrivacyRequestKind.STOP:
        inbox.notify(
            db,
            account,
            "privacy_decided",
            "您的個資權利申請（{reference}）已允許：帳號已停用",
            "理由：{reason}",
            reference=reference(request),
            reason=reason,
        )
        if account.status is AccountStatus.DISABLED:
            return []
        return disable_now(db, managing, authority, account, "個資法：停止蒐集、處理或利用", ip)
    deliveries: list[LogoutDelivery] = []
    if account.status is not AccountStatus.DISABLED:
        deliveries = disable_now(db, managing, authority, account, "個資法：刪除", ip)
    erase(db, managing.passwords, account, utcnow())
    return deliveries


def _erase_from_others_messages(db: Session, account: Account) -> None:
    """Messages to others about the person (a reviewer's 站內訊息 naming the applicant)
    keep their subject; the person's name in them becomes ``ERASED_NAME``."""
    if not account.name:
        return
    # Stored as JSON text with non-ASCII escaped (the default serializer), on both
    # databases: look for the name as it is written there.
    written = json.dumps(account.name)[1:-1]
    naming = db.scalars(
        select(InboxMessage).where(
            cast(InboxMessage.params, String).contains(written, autoescape=True)
        )
    )
    for message in naming:
        message.params = {
            k: ERASED_NAME if account.name in v else v for k, v in message.params.items()
        }


def erase(db: Session, passwords: Passwords, account: Account, now: datetime) -> None:
    """Remove every personal field of the account and what hangs on it; the account row
    stays (disabled, under its account name) so that the audit trail still points
    somewhere."""
    addresses = [a for a in (account.email, account.email_backup) if a]
    for model in (
        EmailChange,
        PasswordHistory,
        PasswordReset,
        InboxMessage,
        Passkey,
        AuthenticatorApp,
        RecoveryCode,
        CardEnrolment,
        Binding,
    ):
        db.execute(delete(model).where(model.account_id == account.id))
    if addresses:
        db.execute(delete(MailMessage).where(MailMessage.to.in_(addresses)))
        db.execute(
            delete(ResetRequest).where(
                or_(ResetRequest.username == account.username, ResetRequest.email.in_(addresses))
            )
        )
    _erase_from_others_messages(db, account)
    db.execute(
        update(HubSession).where(HubSession.account_id == account.id).values(ip="", user_agent="")
    )
    db.execute(
        update(Application)
        .where(Application.account_id == account.id)
        .values(scan=None, scan_media_type="", scan_sha256="", national_id_hash="")
    )
    db.execute(
        update(PrivacyRequest).where(PrivacyRequest.account_id == account.id).values(reason="")
    )
    changes = select(ChangeRequest.id).where(ChangeRequest.account_id == account.id)
    db.execute(
        delete(ChangeRequestAttachment).where(ChangeRequestAttachment.request_id.in_(changes))
    )
    db.execute(
        update(ChangeRequest)
        .where(ChangeRequest.account_id == account.id)
        .values(name="", phone="", email="", content="")
    )
    role_changes = select(RoleChange.id).where(RoleChange.account_id == account.id)
    db.execute(delete(RoleChangeAttachment).where(RoleChangeAttachment.change_id.in_(role_changes)))
    for field in (
        "title",
        "department",
        "email",
        "email_backup",
        "phone",
        "phone_backup",
        "mobile",
        "unit_phone",
        "national_id_sealed",
        "national_id_hash",
    ):
        setattr(account, field, "")
    account.name = ERASED_NAME
    account.password_hash = passwords.hash(secrets.token_urlsafe(32))  # known to nobody
    account.email_confirmed_at = None
    account.email_backup_confirmed_at = None
    account.status = AccountStatus.DISABLED
    account.updated_at = now
    audit.record(
        db,
        "privacy.erased",
        actor="system",
        target=account.username,
        actor_account_id=account.id,
    )
