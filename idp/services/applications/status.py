"""申請進度查詢: what an applicant sees of their own application, once they prove it is
theirs with its account and password, and what each step of its review has come to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Account, Application, ApplicationStatus
from ..errors import TooManyAttempts
from ..permissions import reviewers_of_application
from ..policy import Policy
from ..signin.passwords import Passwords
from ..signin.steps import check_credentials
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


def look_up(
    db: Session,
    passwords: Passwords,
    policy: Policy,
    throttle: Throttle,
    *,
    username: str,
    password: str,
    ip: str = "",
) -> Application | None:
    """申請進度查詢: the account's latest application, only for its password. Wrong
    credentials raise ``SigninFailed`` with the sign-in page's words, so the lookup tells
    nobody whether an account exists."""
    if not throttle.allow("status_lookup", ip):
        raise TooManyAttempts("查詢次數過多，請稍後再試")
    account = check_credentials(db, passwords, policy, throttle, username, password, ip)
    throttle.unlock(account.id)
    return latest_application(db, account)
