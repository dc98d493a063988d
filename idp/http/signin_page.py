"""The sign-in page (服務登入), shown by the portal and by the authorization endpoint."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response, render_template

from ..services.signin import captcha
from ..services.signin.steps import captcha_required
from ..services.signin.throttle import Throttle
from .auth_session import signed_in
from .context import client_ip, current_hub, db
from .forms import SignInForm


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
) -> Response:
    """The page, with a fresh captcha when the policy asks for one; what was typed is
    kept, except secrets. ``card_tab`` opens on 憑證登入; ``card_required`` says the
    subsystem needs a card sign-in (step-up)."""
    hub = current_hub()
    policy = hub.policy.current()
    show_captcha = hub.settings.captcha and captcha_required(
        db(), policy, Throttle(hub.store, policy.lockout), client_ip(), form.username.data or ""
    )
    form.captcha_answer.data = ""
    form.password.data = ""
    body = render_template(
        "signin.html",
        form=form,
        message=message,
        message_params=message_params or {},
        captcha_id=new_captcha() if show_captcha else None,
        signed_in=signed_in(),
        card_tab=card_tab or card_required,
        card_required=card_required,
    )
    return Response(body, status=status)
