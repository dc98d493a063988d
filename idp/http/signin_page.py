"""The sign-in page (服務登入), shown by the portal and by the authorization endpoint,
and what every way of signing in does once it succeeds (``finish_sign_in``): carry a
password on to the second factor, or start the hub session and go on."""

from __future__ import annotations

import time
from collections.abc import Mapping

from flask import Response, redirect, render_template, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..services.signin import captcha
from ..services.signin.steps import (
    ACR_CARD,
    ACR_MFA,
    ACR_PHISHING_RESISTANT,
    Authentication,
    FirstFactor,
    acr_satisfies,
    captcha_required,
)
from . import auth_session, interaction
from .auth_session import signed_in
from .context import client_ip, current_hub
from .forms import SignInForm
from .unit_of_work import db

#: What the password established, kept until the second factor is given.
FIRST_FACTOR = "first_factor"
FIRST_FACTOR_SECONDS = 300


#: The captchas this browser session was given, the latest few: a captcha is shown and
#: answered only in the session that asked for it, so answers cannot be farmed out.
CAPTCHAS = "captchas"
KEPT_CAPTCHAS = 5


def new_captcha() -> str | None:
    hub = current_hub()
    if not hub.settings.captcha:
        return None
    policy = hub.policy.current().captcha
    challenge_id = captcha.new_challenge(hub.store, policy.length, policy.ttl_seconds)
    given = [c for c in session.get(CAPTCHAS, []) if isinstance(c, str)]
    session[CAPTCHAS] = [*given[-(KEPT_CAPTCHAS - 1) :], challenge_id]
    return challenge_id


def own_captcha(challenge_id: str) -> str:
    """``challenge_id`` when this browser session was given it; otherwise "", which no
    answer matches and no image or audio is made for."""
    return challenge_id if challenge_id and challenge_id in session.get(CAPTCHAS, []) else ""


def render_signin(
    form: SignInForm,
    message: str | None = None,
    status: int = 200,
    *,
    message_params: Mapping[str, object] | None = None,
    card_tab: bool = False,
    required_acr: str | None = None,
    home_announcements: object = None,
) -> Response:
    """The page, with a fresh captcha when the policy asks for one; what was typed is
    kept, except secrets. ``card_tab`` opens on 憑證登入; ``required_acr`` says what the
    subsystem needs (step-up): a second factor, a passkey or card, or a card. On the home
    page the public announcements (``home_announcements``, a page of them) stand beside
    it."""
    hub = current_hub()
    policy = hub.policy.current()
    show_captcha = hub.settings.captcha and captcha_required(
        db(), policy, hub.throttle(), client_ip(), form.username.data or ""
    )
    form.captcha_answer.data = ""
    form.password.data = ""
    card_required = required_acr == ACR_CARD
    passkey_required = required_acr == ACR_PHISHING_RESISTANT
    body = render_template(
        "portal/signin.html",
        form=form,
        message=message,
        message_params=message_params or {},
        captcha_id=new_captcha() if show_captcha else None,
        signed_in=signed_in(),
        card_tab=card_tab or card_required or passkey_required,
        card_required=card_required,
        passkey_required=passkey_required,
        mfa_required=required_acr == ACR_MFA,
        passwordless=policy.mfa.passwordless and hub.relying_party.usable,
        home_announcements=home_announcements,
    )
    return Response(body, status=status)


def first_factor() -> tuple[FirstFactor, str] | None:
    """The password given in this browser a moment ago, and the paused request's id."""
    stored = session.get(FIRST_FACTOR)
    if not stored or time.time() - stored["at"] > FIRST_FACTOR_SECONDS:
        return None
    first = FirstFactor(
        account_id=stored["account_id"],
        username=stored["username"],
        amr=tuple(stored["amr"]),
        password_change_required=stored["password_change_required"],
        kinds=tuple(stored["kinds"]),
    )
    return first, stored["rid"]


def drop_first_factor() -> None:
    session.pop(FIRST_FACTOR, None)


def finish_sign_in(authn: Authentication, rid: str) -> BaseResponse:
    """After the password of someone with a second factor: ask for it. Otherwise start
    the hub session, lead someone whose role requires a second factor (or whose
    subsystem asks for a level their factors cannot give) to enrol one, and carry on
    with the subsystem's request in this same response (which asks for an expired
    password to be changed first), or go home."""
    if authn.second_factor:
        auth_session.renew_id()
        first = authn.first_factor()
        session[FIRST_FACTOR] = {
            "account_id": first.account_id,
            "username": first.username,
            "amr": list(first.amr),
            "password_change_required": first.password_change_required,
            "kinds": list(first.kinds),
            "rid": rid,
            "at": time.time(),
        }
        return redirect(url_for("factor_signin.second_factor"))
    drop_first_factor()
    auth_session.establish(authn)
    pending = interaction.find(rid) if rid else None
    required = pending.required_acr if pending else None
    out_of_reach = required in (ACR_MFA, ACR_PHISHING_RESISTANT) and not acr_satisfies(
        authn.acr, required or ""
    )
    if authn.enrol_by is not None or out_of_reach:
        return redirect(url_for("factors.overview", rid=rid or None))
    resumed = interaction.resume(rid) if rid else None
    if resumed is not None:
        return resumed
    first_page = "account.change_password" if authn.password_change_required else "portal.home"
    return redirect(url_for(first_page))
