"""Bindings (綁定): a person's subsystem accounts, linked to their hub account.

A person binds a subsystem account by giving its password (checked against the legacy
hash, throttled and locked like sign-in), with a label of at most ten characters
(綁定名稱). One subsystem account is bound to one hub account at most. Binding,
relabelling and unbinding are audited and told to the person in their inbox. Sign-ins
into a subsystem as a bound account are recorded for the subsystem sign-in log.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import (
    Account,
    AccountRole,
    AccountStatus,
    Binding,
    Grant,
    SubsystemAccount,
    SubsystemSignin,
)
from .. import audit
from ..errors import DomainError, InvalidInput, NotFound
from ..messaging import inbox
from ..signin.throttle import Throttle
from ..tokens.revocation import Revocation
from . import legacy_passwords
from .catalogues import Subsystem

#: 綁定名稱 is at most ten characters.
BINDING_LABEL_LENGTH = 10

#: One message for an unknown subsystem account, a wrong password and a locked one.
BAD_CREDENTIALS = (
    "子系統帳號或密碼錯誤。連續錯誤 {max_failures} 次將暫停綁定此帳號 {lock_minutes} 分鐘。"
)


class BindingRefused(DomainError):
    pass


def binding_label(subsystem: Subsystem, role: AccountRole) -> str:
    """The label a binding made by approval starts with, e.g. 婦幼一般使用者 (≤ 10 characters)."""
    held = subsystem.role(role)
    return (str(subsystem.abbreviation) + (str(held.name) if held else ""))[:BINDING_LABEL_LENGTH]


def bind_new_subsystem_account(
    db: Session, subsystem: Subsystem, account_id: int, held: SubsystemAccount
) -> SubsystemAccount:
    """Store a new subsystem account bound to the hub account, with the default label."""
    db.add(held)
    db.flush()
    db.add(
        Binding(
            account_id=account_id,
            subsystem_account_id=held.id,
            label=binding_label(subsystem, held.role),
        )
    )
    return held


def checked_label(label: str) -> str:
    label = label.strip()
    if not label:
        raise InvalidInput("label", "請輸入綁定名稱")
    if len(label) > BINDING_LABEL_LENGTH:
        raise InvalidInput("label", "綁定名稱最多 {limit} 個字", limit=BINDING_LABEL_LENGTH)
    return label


def _lock_key(held: SubsystemAccount) -> str:
    return f"subsystem:{held.id}"


def _find_subsystem_account(db: Session, subsystem: str, username: str) -> SubsystemAccount | None:
    return db.scalar(
        select(SubsystemAccount).where(
            SubsystemAccount.subsystem == subsystem, SubsystemAccount.username == username
        )
    )


def bind(
    db: Session,
    throttle: Throttle,
    account: Account,
    subsystem: Subsystem,
    *,
    label: str,
    username: str,
    password: str,
    ip: str,
) -> Binding:
    """業務子系統帳號綁定: prove the subsystem account is yours by its password."""
    label = checked_label(label)
    lockout = throttle.policy
    if not throttle.allow("bind", ip) or throttle.address_refused(ip):
        raise BindingRefused("嘗試次數過多，請稍後再試")
    held = _find_subsystem_account(db, subsystem.code, username.strip())
    # Reserved before the password is checked, as at sign-in (``Throttle.reserve``).
    locked = held is not None and not throttle.reserve(_lock_key(held))
    usable = held is not None and not locked
    ok = legacy_passwords.check(held.legacy_password_hash if held and usable else "", password)
    if held is None or locked or not ok:
        throttle.address_failed(ip)
        if held is not None and not locked and throttle.settle_failure(_lock_key(held)):
            audit.record_always(
                db,
                "subsystem_account.locked",
                actor=account.username,
                actor_account_id=account.id,
                target=held.username,
                ip=ip,
                subsystem=subsystem.code,
                minutes=lockout.lock_minutes,
            )
        audit.record_always(
            db,
            "binding.failure",
            actor=account.username,
            actor_account_id=account.id,
            target=username.strip()[:60],
            ip=ip,
            subsystem=subsystem.code,
            reason="locked" if locked else "credentials",
        )
        raise BindingRefused(
            BAD_CREDENTIALS, max_failures=lockout.max_failures, lock_minutes=lockout.lock_minutes
        )
    throttle.forgive(_lock_key(held))
    # Only someone who knows the password learns what follows.
    if held.status is not AccountStatus.ACTIVE:
        raise BindingRefused("此子系統帳號目前無法使用（已停用或待復權），請洽子系統的單位管理者")
    if held.binding is not None:
        if held.binding.account_id == account.id:
            raise BindingRefused("此子系統帳號已綁定在您的帳號")
        raise BindingRefused("此子系統帳號已綁定其他單一入口帳號，請先由該帳號解除綁定")
    binding = Binding(account_id=account.id, subsystem_account_id=held.id, label=label)
    db.add(binding)
    db.flush()
    audit.record(
        db,
        "binding.create",
        actor=account.username,
        actor_account_id=account.id,
        target=held.username,
        ip=ip,
        subsystem=subsystem.code,
        binding=binding.public_id,
        label=label,
    )
    inbox.post(
        db,
        account,
        "已綁定業務子系統帳號：{label}（{subsystem_account}）",
        label=label,
        subsystem_account=held.username,
    )
    return binding


def bindings_of(db: Session, account: Account) -> list[Binding]:
    return list(
        db.scalars(select(Binding).where(Binding.account_id == account.id).order_by(Binding.id))
    )


def own_binding(db: Session, account: Account, public_id: str) -> Binding:
    """The person's binding with this public id; NotFound for anyone else's."""
    binding = db.scalar(
        select(Binding).where(Binding.public_id == public_id, Binding.account_id == account.id)
    )
    if binding is None:
        raise NotFound("查無此綁定帳號")
    return binding


def relabel(db: Session, account: Account, public_id: str, label: str, ip: str) -> Binding:
    binding = own_binding(db, account, public_id)
    label = checked_label(label)
    if label == binding.label:
        return binding
    previous, binding.label = binding.label, label
    audit.record(
        db,
        "binding.relabel",
        actor=account.username,
        actor_account_id=account.id,
        target=binding.subsystem_account.username,
        ip=ip,
        subsystem=binding.subsystem_account.subsystem,
        binding=binding.public_id,
        previous=previous,
        label=label,
    )
    inbox.post(
        db,
        account,
        "綁定名稱已修改：{previous} → {label}",
        previous=previous,
        label=label,
    )
    return binding


def unbind(db: Session, revocation: Revocation, account: Account, public_id: str, ip: str) -> None:
    """解除綁定. The subsystem's tokens issued for that account stop working at once."""
    binding = own_binding(db, account, public_id)
    held = binding.subsystem_account
    grant_ids = list(
        db.scalars(
            select(Grant.id).where(
                Grant.account_id == account.id,
                Grant.subsystem_account_id == held.id,
                Grant.revoked_at.is_(None),
            )
        )
    )
    revocation.grants(db, grant_ids, "unbound")
    audit.record(
        db,
        "binding.delete",
        actor=account.username,
        actor_account_id=account.id,
        target=held.username,
        ip=ip,
        subsystem=held.subsystem,
        binding=binding.public_id,
        label=binding.label,
    )
    inbox.post(
        db,
        account,
        "已解除綁定業務子系統帳號：{label}（{subsystem_account}）",
        label=binding.label,
        subsystem_account=held.username,
    )
    db.delete(binding)
    db.flush()


def bindings_at(db: Session, account_id: int, subsystem: str) -> list[Binding]:
    """The person's bindings to one subsystem whose subsystem account may sign in."""
    return list(
        db.scalars(
            select(Binding)
            .join(SubsystemAccount, Binding.subsystem_account_id == SubsystemAccount.id)
            .where(
                Binding.account_id == account_id,
                SubsystemAccount.subsystem == subsystem,
                SubsystemAccount.status == AccountStatus.ACTIVE,
            )
            .order_by(Binding.id)
        )
    )


def held_binding(db: Session, account_id: int, subsystem: str, public_id: str) -> Binding | None:
    """The binding named by ``public_id`` if the person holds it for this subsystem."""
    return next(
        (b for b in bindings_at(db, account_id, subsystem) if b.public_id == public_id), None
    )


def signed_in_subsystem_account(
    db: Session, account_id: int, subsystem: str, subsystem_account_id: int | None
) -> SubsystemAccount | None:
    """The subsystem account a token speaks for, while it is still bound to the person and
    belongs to this subsystem; None otherwise (the subsystem learns nothing of it)."""
    if subsystem_account_id is None:
        return None
    held = db.get(SubsystemAccount, subsystem_account_id)
    if (
        held is None
        or held.subsystem != subsystem
        or held.binding is None
        or held.binding.account_id != account_id
        or held.status is not AccountStatus.ACTIVE
    ):
        return None
    return held


def record_signin(db: Session, binding: Binding, client_id: str, ip: str) -> SubsystemSignin:
    """子系統登入紀錄: who signed in to which subsystem as which binding, when, from where."""
    signin = SubsystemSignin(
        account_id=binding.account_id,
        subsystem_account_id=binding.subsystem_account_id,
        client_id=client_id,
        label=binding.label,
        ip=ip,
    )
    db.add(signin)
    audit.record(
        db,
        "subsystem.signin",
        actor=binding.account.username,
        actor_account_id=binding.account_id,
        target=binding.subsystem_account.username,
        ip=ip,
        subsystem=client_id,
        binding=binding.public_id,
    )
    return signin
