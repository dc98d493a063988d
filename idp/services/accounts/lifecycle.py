"""人員帳號管理: a unit admin adds, edits, disables and restores their unit's accounts;
the authority (國健署) may do so for every unit. Dormancy (待復權) and disabling on a
chosen day are applied by ``sweep``.

Scope is decided here and only here, as for reviews: a unit admin sees the accounts of
their own unit and manages its members; the accounts of unit admins change through role
changes, which the authority decides.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Account, AccountRole, AccountStatus, LogoutDelivery, Unit, utcnow
from ...models.base import TAIPEI
from .. import audit
from ..errors import DomainError, NotAllowed, NotFound, text
from ..messaging import inbox, mail
from ..permissions import account_scope, is_authority, is_unit_admin, may_manage, unit_admins
from ..policy import AccountNamePolicy, DormancyPolicy, PasswordPolicy
from ..reviews.decisions import check_reason
from ..sessions import hub_sessions
from ..signin.credentials import personal_data
from ..signin.password_rules import random_password
from ..signin.passwords import Passwords
from ..subsystems.catalogues import Catalogues
from ..tokens.revocation import Revocation
from ..units.directory import find_by_code, is_open
from .contact import ADDRESSES
from .directory import find_by_username, normalize_username
from .naming import account_name_problems, institution_name_problem
from .national_id import NationalIdBox
from .person import Problems, check_person
from .profile import request_address_change


@dataclass(frozen=True)
class AccountDetails:
    """What a unit admin types about a person; 身分證 left empty on an edit keeps it."""

    name: str
    title: str
    phone: str
    email: str
    national_id: str = ""
    department: str = ""
    phone_backup: str = ""
    unit_phone: str = ""
    mobile: str = ""
    email_backup: str = ""


#: The details an edit may change, each an ``Account`` column of the same name.
EDITABLE = tuple(f.name for f in fields(AccountDetails) if f.name != "national_id")


@dataclass(frozen=True)
class Managing:
    """What managing accounts needs besides the database."""

    passwords: Passwords
    password_policy: PasswordPolicy
    national_ids: NationalIdBox
    revocation: Revocation
    #: Where people sign in, for the mail of a new account.
    signin_url: str
    #: The issuer URL, under which a confirmation link points.
    issuer_url: str
    account_names: AccountNamePolicy
    catalogues: Catalogues


def account_in_scope(db: Session, manager: Account, account_id: int) -> Account:
    account = db.scalar(account_scope(manager).where(Account.id == account_id))
    if account is None:
        raise NotFound("查無此帳號，或您沒有管理權限")
    return account


def _check_may_manage(manager: Account, account: Account) -> None:
    if not may_manage(manager, account):
        raise NotAllowed(
            "單位業務管理者的帳號異動須向國健署提出申請（帳號/權限異動）"
            if account.role is AccountRole.UNIT_ADMIN and account.id != manager.id
            else "您不能管理這個帳號"
        )


def _audit(
    db: Session, action: str, actor: Account | None, account: Account, ip: str, **details: object
) -> None:
    audit.record(
        db,
        action,
        actor=actor.username if actor else "system",
        actor_account_id=actor.id if actor else None,
        target=account.username,
        ip=ip,
        unit=account.unit.code if account.unit else "",
        **details,
    )


# Adding and editing ---------------------------------------------------------------------


def _unit_for_new_account(db: Session, manager: Account, unit_code: str) -> Unit | None:
    """A unit admin adds to their own unit; the authority names the unit."""
    if not is_authority(manager):
        return manager.unit
    unit = find_by_code(db, unit_code)
    return unit if unit is not None and is_open(unit) else None


def add_account(
    db: Session,
    managing: Managing,
    manager: Account,
    *,
    username: str,
    details: AccountDetails,
    unit_code: str = "",
    ip: str = "",
) -> Account:
    """A member account, active at once, with a random password mailed to the person, who
    must change it at the first sign-in. ``FormErrors`` lists every problem."""
    if not is_unit_admin(manager):
        raise NotAllowed("您不能新增帳號")
    problems = Problems()
    name_key = normalize_username(username)
    refused = account_name_problems(managing.account_names, managing.catalogues, name_key)
    if refused:
        problems.add("username", *refused)
    elif find_by_username(db, name_key) is not None:
        problems.add("username", text("此帳號已有人使用，請換一個"))
    unit = _unit_for_new_account(db, manager, unit_code)
    if unit is None:
        problems.add("unit_code", text("查無此單位，或此單位已終止合約"))
    person = check_person(problems, details)
    if "name" not in problems.errors:
        problems.check_text(
            "name", institution_name_problem(db, managing.account_names, person["name"])
        )
    id_hash = ""
    if "national_id" not in problems.errors:
        id_hash = managing.national_ids.lookup_hash(details.national_id)
        if unit is not None and _holds_account_in(db, id_hash, unit):
            problems.add("national_id", text("此人在本單位已有帳號"))
    problems.raise_any()
    assert unit is not None
    account = Account(
        username=name_key,
        password_hash="",
        unit=unit,
        role=AccountRole.MEMBER,
        status=AccountStatus.ACTIVE,
        must_change_password=True,
        national_id_sealed=managing.national_ids.seal(details.national_id),
        national_id_hash=id_hash,
        **{name: person[name] for name in EDITABLE},
    )
    password = random_password(managing.password_policy, personal_data(account))
    account.password_hash = managing.passwords.hash(password)
    db.add(account)
    db.flush()
    _audit(db, "account.add", manager, account, ip, role=account.role.value)
    message = mail.send_later(
        db,
        to=account.email,
        kind="account_created",
        name=account.name,
        username=account.username,
        password=password,
        unit=unit.name,
        signin_url=managing.signin_url,
    )
    message.redact = [password]  # the outbox keeps no password once the mail is sent
    return account


def _holds_account_in(db: Session, national_id_hash: str, unit: Unit) -> bool:
    return (
        db.scalar(
            select(Account.id).where(
                Account.national_id_hash == national_id_hash,
                Account.unit_id == unit.id,
                Account.status.not_in((AccountStatus.RETURNED, AccountStatus.DISABLED)),
            )
        )
        is not None
    )


def edit_account(
    db: Session,
    managing: Managing,
    manager: Account,
    account: Account,
    details: AccountDetails,
    ip: str = "",
) -> list[str]:
    """Change a person's details; returns the names of the fields that changed (an
    address among them once its change is asked for: it is in force when the person
    confirms it, ``profile.request_address_change``)."""
    _check_may_manage(manager, account)
    problems = Problems()
    person = check_person(problems, details, national_id_required=False)
    if "name" not in problems.errors and person["name"] != account.name:
        problems.check_text(
            "name", institution_name_problem(db, managing.account_names, person["name"])
        )
    problems.raise_any()
    changed = [name for name in EDITABLE if getattr(account, name) != person[name]]
    # An address a reset link can go to is the person's to confirm: a new one waits for
    # the link the person opens signed in; removing the backup is in force at once.
    addresses = [name for name in changed if name in ADDRESSES and person[name]]
    for name in addresses:
        request_address_change(
            db,
            account,
            name,
            person[name],
            actor=manager,
            issuer=managing.issuer_url,
            link_minutes=managing.password_policy.reset_link_minutes,
            ip=ip,
        )
    for name in changed:
        if name not in addresses:
            setattr(account, name, person[name])
        if name in ADDRESSES and not person[name]:
            setattr(account, ADDRESSES[name], None)
    if details.national_id:
        id_hash = managing.national_ids.lookup_hash(details.national_id)
        if id_hash != account.national_id_hash:
            account.national_id_sealed = managing.national_ids.seal(details.national_id)
            account.national_id_hash = id_hash
            changed.append("national_id")
    if changed:
        account.updated_at = utcnow()
        _audit(db, "account.edit", manager, account, ip, fields=changed)
    return changed


# Disabling, dormancy and restoring ------------------------------------------------------


def today_in_taipei(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(TAIPEI).date()


def disable_now(
    db: Session,
    managing: Managing,
    actor: Account | None,
    account: Account,
    reason: str,
    ip: str,
) -> list[LogoutDelivery]:
    account.status = AccountStatus.DISABLED
    account.disable_on = None
    account.updated_at = utcnow()
    _audit(db, "account.disable", actor, account, ip, reason=reason)
    return hub_sessions.shut_out(db, managing.revocation, account.id, "account_disabled")


def disable_account(
    db: Session,
    managing: Managing,
    manager: Account,
    account: Account,
    *,
    on: date | None,
    reason: str,
    ip: str = "",
) -> list[LogoutDelivery]:
    """停用: now (its sessions end and its tokens are revoked at once), or when ``on``
    begins (a leaving member). Returns the logout notifications to send."""
    _check_may_manage(manager, account)
    reason = check_reason(reason, required=True)
    if account.status not in (AccountStatus.ACTIVE, AccountStatus.DORMANT):
        raise DomainError("只有啟用中或待復權的帳號可以停用")
    if on is None or on <= today_in_taipei():
        return disable_now(db, managing, manager, account, reason, ip)
    account.disable_on = on
    _audit(db, "account.disable_scheduled", manager, account, ip, on=on.isoformat(), reason=reason)
    return []


def cancel_scheduled_disable(db: Session, manager: Account, account: Account, ip: str = "") -> None:
    _check_may_manage(manager, account)
    if account.disable_on is None:
        raise DomainError("此帳號沒有排定停用")
    on = account.disable_on
    account.disable_on = None
    _audit(db, "account.disable_cancelled", manager, account, ip, on=on.isoformat())


def restore_account(
    db: Session, manager: Account, account: Account, *, reason: str = "", ip: str = ""
) -> None:
    """復權 a dormant account, or enable a disabled one; dormancy counts afresh from now."""
    _check_may_manage(manager, account)
    reason = check_reason(reason, required=False)
    if account.status not in (AccountStatus.DORMANT, AccountStatus.DISABLED):
        raise DomainError("只有待復權或停用的帳號可以恢復")
    was_dormant = account.status is AccountStatus.DORMANT
    account.status = AccountStatus.ACTIVE
    account.idle_since = account.updated_at = utcnow()
    _audit(
        db,
        "account.restore" if was_dormant else "account.enable",
        manager,
        account,
        ip,
        reason=reason,
    )
    inbox.notify(
        db,
        account,
        "account_restored",
        "您的帳號已恢復啟用",
        by=manager.name or manager.username,
    )


@dataclass(frozen=True)
class SweepResult:
    disabled: list[str]
    dormant: list[str]
    deliveries: list[LogoutDelivery]


def sweep(
    db: Session, managing: Managing, dormancy: DormancyPolicy, now: datetime | None = None
) -> SweepResult:
    """Disable the accounts whose day has come, and make the idle ones dormant. Security
    admins never go dormant: nobody could restore them."""
    now = now or utcnow()
    deliveries: list[LogoutDelivery] = []
    due = db.scalars(
        select(Account).where(
            Account.disable_on.is_not(None),
            Account.disable_on <= today_in_taipei(now),
            Account.status.in_((AccountStatus.ACTIVE, AccountStatus.DORMANT)),
        )
    ).all()
    for account in due:
        deliveries += disable_now(db, managing, None, account, "scheduled", "")
    idle: list[Account] = []
    if dormancy.idle_days:
        idle = list(
            db.scalars(
                select(Account).where(
                    Account.status == AccountStatus.ACTIVE,
                    Account.is_security_admin.is_(False),
                    Account.idle_since < now - timedelta(days=dormancy.idle_days),
                )
            )
        )
    for account in idle:
        account.status = AccountStatus.DORMANT
        _audit(db, "account.dormant", None, account, "", idle_days=dormancy.idle_days)
        deliveries += hub_sessions.shut_out(db, managing.revocation, account.id, "account_dormant")
        if account.unit_id is not None:
            for admin in unit_admins(db, account.unit_id):
                inbox.post(
                    db,
                    admin,
                    "帳號待復權：{username}（{name}）",
                    username=account.username,
                    name=account.name,
                )
    return SweepResult(
        disabled=[a.username for a in due],
        dormant=[a.username for a in idle],
        deliveries=deliveries,
    )
