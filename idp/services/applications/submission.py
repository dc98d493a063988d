"""Applying for an account (帳號申請) and for subsystem accounts (業務子系統帳號申請).

An application creates the hub account at once, in status ``pending``, so that the
applicant can look up its progress with the account and password they chose; the
application waits (``unconfirmed``) until the applicant opens the link mailed to the
address they gave, so the hub mails only addresses someone controls. Who
reviews it, and everything that happens on a decision, is in ``reviews``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from ...models import (
    Account,
    AccountRole,
    AccountStatus,
    Application,
    ApplicationStatus,
    EmailChange,
    InboxMessage,
    PasswordHistory,
    PasswordReset,
    ReviewRoute,
    SubsystemRequest,
    Unit,
    utcnow,
)
from .. import audit
from ..accounts.directory import find_by_username, normalize_username
from ..accounts.naming import account_name_problems, institution_name_problem
from ..accounts.national_id import NationalIdBox
from ..accounts.national_id import validate as validate_national_id
from ..accounts.person import Problems, check_person
from ..errors import Text, text
from ..key_derivation import token_hash
from ..messaging import inbox, mail
from ..permissions import reviewers_of_application, unit_admins
from ..policy_sections import AccountNamePolicy, PasswordPolicy
from ..signin.password_rules import PersonalData, evaluate
from ..signin.passwords import Passwords
from ..subsystems.catalogues import Catalogues
from ..subsystems.quotas import SubsystemChoice
from ..units.directory import find_by_code, is_open
from .subsystem_requests import add_requests, check_subsystem_choices

#: The confidentiality and personal-data consent (保密及個人資料蒐集同意書) shown on the form;
#: a new text gets a new version, and each application keeps the version it accepted.
CONSENT_VERSION = "2026-11"

REQUIRED = text("此欄位必填")
#: Where the link confirming an applicant's address points, under the issuer URL.
CONFIRM_PATH = "/apply/confirm/"


@dataclass(frozen=True)
class ApplicationForm:
    unit_code: str
    role: str
    username: str
    password: str
    password_confirm: str
    national_id: str
    name: str
    title: str
    phone: str
    department: str = ""
    phone_backup: str = ""
    unit_phone: str = ""
    mobile: str = ""
    email: str = ""
    email_backup: str = ""
    subsystems: tuple[SubsystemChoice, ...] = ()
    consent: bool = False


@dataclass(frozen=True)
class Applying:
    """What submitting needs besides the database."""

    passwords: Passwords
    password_policy: PasswordPolicy
    catalogues: Catalogues
    national_ids: NationalIdBox
    #: The issuer URL, under which the confirmation link points.
    issuer_url: str
    account_names: AccountNamePolicy


def no_admin_yet(unit: Unit) -> Text:
    """Why a member cannot apply yet, and whom to ask."""
    bureau = unit.bureau
    if bureau is None:
        return text(
            "此單位尚無單位業務管理者，請先由貴單位人員申請「單位業務管理者」帳號後，再申請一般使用者"
        )
    return text(
        "此單位尚無單位業務管理者，請先由貴單位人員申請「單位業務管理者」帳號後，"
        "再申請一般使用者；如有疑問請洽{bureau}（{phone}）",
        bureau=bureau.name,
        phone=bureau.phone or "-",
    )


def _parse_role(value: str) -> AccountRole | None:
    try:
        return AccountRole(value)
    except ValueError:
        return None


def _check_password(problems: Problems, form: ApplicationForm, policy: PasswordPolicy) -> None:
    if not form.password:
        problems.add("password", REQUIRED)
        return
    personal = PersonalData(
        username=form.username,
        name=form.name,
        phones=tuple(p for p in (form.phone, form.phone_backup, form.mobile) if p),
        emails=tuple(e for e in (form.email, form.email_backup) if e),
        national_id=form.national_id.strip().upper(),
    )
    problems.add("password", *evaluate(policy, form.password, personal).problems)
    if form.password != form.password_confirm:
        problems.add("password_confirm", text("兩次輸入的密碼不一致"))


def _pending_for_person(db: Session, national_id_hash: str, unit_id: int) -> bool:
    return bool(
        db.scalar(
            select(
                exists().where(
                    Application.national_id_hash == national_id_hash,
                    Application.unit_id == unit_id,
                    Application.status.in_(
                        (ApplicationStatus.UNCONFIRMED, ApplicationStatus.PENDING)
                    ),
                )
            )
        )
    )


def submit_application(
    db: Session, applying: Applying, form: ApplicationForm, ip: str = ""
) -> Application | None:
    """Check every field, then create the pending account and its application, which
    counts (reviewers see it) once the applicant opens the link mailed to the address
    they gave (``confirm_application``). Raises ``FormErrors`` listing every problem,
    having stored nothing. An account name already taken, or a 身分證 with an application
    under way at the unit, is not said on the page (which would tell anyone who has an
    account or has applied): the address given is told instead, and the answer is None,
    shown as the same "mail sent" page."""
    problems = Problems()
    unit = find_by_code(db, form.unit_code) if form.unit_code.strip() else None
    if unit is None:
        problems.add(
            "unit_code",
            text("請選擇單位") if not form.unit_code.strip() else text("查無此單位代碼"),
        )
    elif not is_open(unit):
        problems.add("unit_code", text("此單位已終止合約或歇業，無法申請"))
    role = _parse_role(form.role)
    if role is None:
        problems.add("role", text("請選擇使用者角色別"))
    elif unit is not None and role is AccountRole.MEMBER and not unit_admins(db, unit.id):
        problems.add("role", no_admin_yet(unit))
    username = normalize_username(form.username)
    problems.add(
        "username", *account_name_problems(applying.account_names, applying.catalogues, username)
    )
    _check_password(problems, form, applying.password_policy)
    person = check_person(problems, form, department_required=True)
    if "name" not in problems.errors:
        problems.check_text(
            "name", institution_name_problem(db, applying.account_names, person["name"])
        )
    if unit is not None:
        check_subsystem_choices(db, applying.catalogues, unit, form.subsystems, problems)
    if not form.consent:
        problems.add("consent", text("請閱讀並同意保密及個人資料蒐集同意書"))
    problems.raise_any()
    assert unit is not None and role is not None
    id_hash = applying.national_ids.lookup_hash(form.national_id)
    link_minutes = applying.password_policy.reset_link_minutes
    if find_by_username(db, username) is not None or _pending_for_person(db, id_hash, unit.id):
        mail.send_later(
            db,
            to=person["email"],
            kind="application_not_taken",
            username=username,
            unit=f"{unit.code} {unit.name}",
        )
        audit.record(db, "application.not_taken", actor=username, ip=ip, unit=unit.code)
        return None
    national_id = validate_national_id(form.national_id)
    account = Account(
        username=username,
        password_hash=applying.passwords.hash(form.password),
        **person,
        national_id_sealed=applying.national_ids.seal(national_id),
        national_id_hash=id_hash,
        unit_id=unit.id,
        role=role,
        status=AccountStatus.PENDING,
    )
    db.add(account)
    db.flush()
    now = utcnow()
    application = Application(
        account_id=account.id,
        unit_id=unit.id,
        role=role,
        route=ReviewRoute.UNIT_ADMIN if role is AccountRole.MEMBER else ReviewRoute.PAPER,
        status=ApplicationStatus.UNCONFIRMED,
        national_id_hash=id_hash,
        consent_version=CONSENT_VERSION,
        consent_accepted_at=now,
        submitted_at=now,
    )
    db.add(application)
    db.flush()
    add_requests(db, account, unit, form.subsystems, ApplicationStatus.WAITING, application)
    token = secrets.token_urlsafe(32)
    db.add(
        EmailChange(
            token_hash=token_hash(token),
            account_id=account.id,
            field="email",
            new_email=account.email,
            expires_at=now + timedelta(minutes=link_minutes),
        )
    )
    mail.send_later(
        db,
        to=account.email,
        kind="application_confirm",
        username=username,
        minutes=link_minutes,
        link=applying.issuer_url + CONFIRM_PATH + token,
    )
    audit.record(
        db,
        "application.submit",
        actor=username,
        actor_account_id=account.id,
        target=username,
        ip=ip,
        unit=unit.code,
        role=role.value,
        route=application.route.value,
        subsystems=[c.subsystem for c in form.subsystems],
        consent_version=CONSENT_VERSION,
    )
    return application


def discard_unconfirmed(db: Session, now: datetime, batch: int = 500) -> int:
    """Applications whose confirmation link expired unopened are dropped with their
    pending account and its requests, so that the name and the 身分證 may apply again
    (the mail said the link lasts so long); audited. How many went."""
    live_link = exists().where(
        EmailChange.account_id == Application.account_id,
        EmailChange.used_at.is_(None),
        EmailChange.expires_at > now,
    )
    stale = db.scalars(
        select(Application)
        .where(Application.status == ApplicationStatus.UNCONFIRMED, ~live_link)
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    for application in stale:
        account = application.account
        audit.record(
            db,
            "application.expired",
            actor="system",
            target=account.username,
            unit=application.unit.code,
        )
        for model in (SubsystemRequest, EmailChange, PasswordHistory, PasswordReset, InboxMessage):
            db.execute(delete(model).where(model.account_id == account.id))
        db.delete(application)
        db.flush()
        db.delete(account)
    db.flush()
    return len(stale)


def confirm_application(db: Session, token: str, ip: str = "") -> Application | None:
    """The applicant opened the link mailed to the address they gave: the address is
    confirmed and the application goes to its reviewers. None when the link is unknown,
    used or expired."""
    change = db.scalar(select(EmailChange).where(EmailChange.token_hash == token_hash(token)))
    if change is None or change.used_at is not None or change.expires_at <= utcnow():
        return None
    application = db.scalar(
        select(Application).where(
            Application.account_id == change.account_id,
            Application.status == ApplicationStatus.UNCONFIRMED,
        )
    )
    if application is None:
        return None
    account = application.account
    change.used_at = utcnow()
    account.email_confirmed_at = utcnow()
    application.status = ApplicationStatus.PENDING
    application.submitted_at = utcnow()
    unit = application.unit
    audit.record(
        db,
        "application.email_confirmed",
        actor=account.username,
        actor_account_id=account.id,
        target=account.username,
        ip=ip,
        unit=unit.code,
    )
    inbox.notify(
        db,
        account,
        "application_received",
        "已收到您的帳號申請（{reference}）",
        reference=application.reference,
        unit=f"{unit.code} {unit.name}",
    )
    for reviewer in reviewers_of_application(db, application):
        inbox.post(
            db,
            reviewer,
            "待審核的帳號申請：{applicant}（{unit}）",
            applicant=account.name,
            unit=unit.code,
        )
    return application
