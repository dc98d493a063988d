"""申請進度查詢: what an applicant sees of their own application, once they prove it is
theirs with its account and password, and what each step of its review has come to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Account, Application, ApplicationStatus
from ...store import Store
from .. import audit
from ..accounts.directory import find_by_username
from ..errors import DomainError
from ..permissions import reviewers_of_application
from ..policy_sections import Policy
from ..signin.lockout import SigninFailed, lock_key
from ..signin.passwords import Passwords
from ..signin.steps import (
    AddressLimitStep,
    CaptchaStep,
    SigninAttempt,
    SigninState,
)
from ..signin.throttle import Throttle


@dataclass(frozen=True)
class StepStatus:
    status: ApplicationStatus
    decided_at: datetime | None
    reason: str
    #: The subsystem of a subsystem account's review; empty for the hub account's.
    subsystem: str = ""


@dataclass(frozen=True)
class ApplicationProgress:
    """申請進度查詢: what the applicant may see of their own application."""

    application: Application
    steps: list[StepStatus]
    reviewers: list[Account]


def progress_of(db: Session, application: Application) -> ApplicationProgress:
    steps = [StepStatus(application.status, application.decided_at, application.reason)]
    steps += [
        StepStatus(request.status, request.decided_at, request.reason, request.subsystem)
        for request in application.subsystem_requests
    ]
    return ApplicationProgress(application, steps, reviewers_of_application(db, application))


def latest_application(db: Session, account: Account) -> Application | None:
    return db.scalar(
        select(Application)
        .where(Application.account_id == account.id)
        .order_by(Application.submitted_at.desc(), Application.id.desc())
        .limit(1)
    )


#: One answer for a wrong name, a wrong password, a locked account and an account with
#: no application: the lookup tells nobody more than the sign-in page does.
NOT_FOUND = "查無申請紀錄：帳號或密碼錯誤，或此帳號沒有帳號申請。"


class LookupFailed(DomainError):
    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def look_up(
    db: Session,
    store: Store,
    passwords: Passwords,
    policy: Policy,
    throttle: Throttle,
    *,
    captcha_enabled: bool,
    attempt: SigninAttempt,
) -> Application:
    """申請進度查詢: the account's latest application, only for its password, behind the
    sign-in page's address limits and captcha. A wrong password counts toward the
    address's failures, never toward the account's lock (so nobody can lock an account
    from here), and a locked account is not looked up (so the lock cannot be got round
    from here). Every failure says the same (``NOT_FOUND``) and is audited."""
    state = SigninState()
    try:
        AddressLimitStep(throttle, "status_lookup").run(attempt, state)
        CaptchaStep(db, store, policy, throttle, captcha_enabled).run(attempt, state)
    except SigninFailed as refused:
        _refused(db, attempt, refused.reason)
        raise LookupFailed(refused.message, refused.reason) from refused
    account = find_by_username(db, attempt.username)
    key = lock_key(account, attempt.username)
    usable = account is not None and not throttle.locked(key)
    right = passwords.check(account.password_hash if usable and account else None, attempt.password)
    application = latest_application(db, account) if right and account is not None else None
    if application is None:
        if not right:
            throttle.address_failed(attempt.ip)
        _refused(db, attempt, "credentials" if not right else "no_application")
        raise LookupFailed(NOT_FOUND, "not_found")
    for settle in state.on_success:
        settle()
    audit.record(
        db,
        "application.looked_up",
        actor=attempt.username[:100],
        actor_account_id=application.account_id,
        ip=attempt.ip,
    )
    return application


def _refused(db: Session, attempt: SigninAttempt, reason: str) -> None:
    named = find_by_username(db, attempt.username) if attempt.username else None
    audit.record_always(
        db,
        "application.lookup_refused",
        actor=attempt.username[:100],
        actor_account_id=named.id if named is not None else None,
        ip=attempt.ip,
        reason=reason,
    )
