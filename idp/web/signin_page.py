"""The sign-in page (服務登入), shown by the portal and by the authorization endpoint."""

from __future__ import annotations

from flask import Response, render_template

from ..services import captcha
from .auth_session import signed_in
from .context import current_hub
from .forms import SignInForm


def new_captcha() -> str | None:
    settings = current_hub().settings
    if not settings.captcha:
        return None
    return captcha.new_challenge(
        current_hub().store, settings.captcha_length, settings.captcha_ttl_seconds
    )


def render_signin(form: SignInForm, message: str | None = None, status: int = 200) -> Response:
    """The page with a fresh captcha; what was typed is kept, except secrets."""
    form.captcha_answer.data = ""
    form.password.data = ""
    body = render_template(
        "signin.html",
        form=form,
        message=message,
        captcha_id=new_captcha(),
        signed_in=signed_in(),
    )
    return Response(body, status=status)
