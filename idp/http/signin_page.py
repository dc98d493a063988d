"""The sign-in page (服務登入), shown by the portal and by the authorization endpoint,
and what every way of signing in does once it succeeds (``finish_sign_in``)."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response, redirect, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..services.signin import captcha
from ..services.signin.steps import Authentication, captcha_required
from . import auth_session, interaction
from .auth_session import signed_in
from .context import client_ip, current_hub
from .forms import SignInForm
from .unit_of_work import db


def new_captcha() -> str | None:
    hub = current_hub()
    if not hub.settings.captcha:
        return None
    policy = hub.policy.current().captcha
    return captcha.new_challenge(hub.store, policy.length, policy.ttl_seconds)


def render_signin(
    form: SignInForm,
    message: str | None = None,
    status: int = 200,
    *,
    message_params: Mapping[str, object] | None = None,
    card_tab: bool = False,
    card_required: bool = False,
    home_announcements: object = None,
) -> Response:
    """The page, with a fresh captcha when the policy asks for one; what was typed is
    kept, except secrets. ``card_tab`` opens on 憑證登入; ``card_required`` says the
    subsystem needs a card sign-in (step-up). On the home page the public
    announcements (``home_announcements``, a page of them) stand beside it."""
    hub = current_hub()
    policy = hub.policy.current()
    show_captcha = hub.settings.captcha and captcha_required(
        db(), policy, hub.throttle(), client_ip(), form.username.data or ""
    )
    form.captcha_answer.data = ""
    form.password.data = ""
    body = render_template(
        "portal/signin.html",
        form=form,
        message=message,
        message_params=message_params or {},
        captcha_id=new_captcha() if show_captcha else None,
        signed_in=signed_in(),
        card_tab=card_tab or card_required,
        card_required=card_required,
        home_announcements=home_announcements,
    )
    return Response(body, status=status)


def finish_sign_in(authn: Authentication, rid: str) -> BaseResponse:
    """Start the hub session, then carry on with the subsystem's request in this same
    response (which asks for an expired password to be changed first), or go home."""
    auth_session.establish(authn)
    resumed = interaction.resume(rid) if rid else None
    if resumed is not None:
        return resumed
    first = "account.change_password" if authn.password_change_required else "portal.home"
    return redirect(url_for(first))
