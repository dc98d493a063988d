"""Who may open a page: signed-in people, unit admins, the authority, security admins
(the rules themselves are ``services.permissions``); and what a person must do first:
change a password that has to change, enrol a second factor their role requires (the
admin pages wait for it from the first sign-in under the rule, every page once the
grace period is over)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import Forbidden
from werkzeug.wrappers import Response

from ..models import Account
from ..services import audit, permissions
from .auth_session import (
    enrolment_due,
    enrolment_overdue,
    password_change_required,
    signed_in,
)
from .context import client_ip
from .unit_of_work import db

F = TypeVar("F", bound=Callable[..., Any])

#: Pages reachable while a password change is required.
OPEN_DURING_PASSWORD_CHANGE = {
    "account.change_password",
    "portal.password_strength",
    "portal.signout",
    "static",
    "portal.choose_language",
    "portal.keepalive",
}
#: Pages reachable while a second factor is overdue: those above and enrolling one.
ENROLMENT_PAGES = "factors."


def signed_in_account() -> Account:
    """The signed-in person's account, in the request's unit of work."""
    return db().merge(current_user._get_current_object())


def current_account() -> Account | None:
    """The signed-in person's account, if someone is signed in."""
    if signed_in() is None or not current_user.is_authenticated:
        return None
    account: Account = current_user._get_current_object()
    return account


def login_required(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_account() is None:
            return redirect(url_for("portal.signin"))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def refuse(account: Account) -> Forbidden:
    """403 for a signed-in person at a page not theirs; the attempt is audited."""
    audit.record_always(
        db(),
        "access.refused",
        actor=account.username,
        actor_account_id=account.id,
        target=request.path[:200],
        ip=client_ip(),
        method=request.method,
    )
    return Forbidden()


def requires(allowed: Callable[[Account], bool]) -> Callable[[F], F]:
    """A page for those ``allowed`` says yes to: others signed in get 403 (audited)."""

    def decorate(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            account = current_account()
            assert account is not None
            if not allowed(account):
                raise refuse(account)
            if enrolment_due() is not None:
                return redirect(url_for("factors.overview"))
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


unit_admin_required = requires(permissions.is_unit_admin)
authority_required = requires(permissions.is_authority)
role_change_deciders_required = requires(permissions.may_decide_role_changes)
security_admin_required = requires(permissions.is_security_admin)
audit_reader_required = requires(permissions.may_read_audit_log)
announcements_required = requires(permissions.may_publish_announcements)
downloads_required = requires(permissions.may_manage_downloads)
subsystems_required = requires(permissions.may_manage_subsystems)


def may(allowed: Callable[[Account], bool]) -> bool:
    """For templates: whether the signed-in person passes a permission."""
    account = current_account()
    return account is not None and allowed(account)


def password_change_first() -> Response | None:
    """``before_request``: with a password to change, every other page waits.

    The protocol endpoints are left alone: the authorization endpoint keeps a
    subsystem's request and sends the person here itself, to carry on afterwards.
    """
    endpoint = request.endpoint
    if endpoint is None or not password_change_required():
        return None
    if endpoint in OPEN_DURING_PASSWORD_CHANGE or endpoint.startswith("oidc."):
        return None
    return redirect(url_for("account.change_password"))


def second_factor_first() -> Response | None:
    """``before_request``: with a second factor overdue, every other page waits (the
    authorization endpoint sends the person here itself, to carry on afterwards)."""
    endpoint = request.endpoint
    if endpoint is None or not enrolment_overdue():
        return None
    if (
        endpoint in OPEN_DURING_PASSWORD_CHANGE
        or endpoint.startswith(ENROLMENT_PAGES)
        or endpoint.startswith("oidc.")
    ):
        return None
    return redirect(url_for("factors.overview"))
