"""Who may see a page: signed-in people, security admins; and the one thing a person
must do first when their password has to change."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..models import Account
from .auth_session import signed_in
from .context import db

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


def signed_in_account() -> Account:
    """The signed-in person's account, in the request's unit of work."""
    return db().merge(current_user._get_current_object())


def login_required(view: F) -> F:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if signed_in() is None or not current_user.is_authenticated:
            return redirect(url_for("portal.signin"))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def security_admin_required(view: F) -> F:
    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_security_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def password_change_first() -> Response | None:
    """``before_request``: with a password to change, every other page waits.

    The protocol endpoints are left alone: the authorization endpoint keeps a
    subsystem's request and sends the person here itself, to carry on afterwards.
    """
    endpoint = request.endpoint
    if not session.get("password_change_required") or endpoint is None:
        return None
    if endpoint in OPEN_DURING_PASSWORD_CHANGE or endpoint.startswith("oidc."):
        return None
    return redirect(url_for("account.change_password"))
