"""The second step of a sign-in (兩步驟驗證) — a passkey, an authenticator-app code or
a recovery code after the password — and signing in with a passkey alone.

The passkey ceremony runs in the browser (``static/passkeys.js``): the page asks for
options, the browser's authenticator answers, and the answer is posted with the form
(``idp.http.ceremony`` keeps the challenge)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..http import ceremony, interaction
from ..http.context import client_ip, current_hub
from ..http.forms import PasskeySignInForm, SecondFactorForm, SignInForm
from ..http.signin_page import drop_first_factor, finish_sign_in, first_factor, render_signin
from ..http.unit_of_work import db, kick_worker
from ..models import Account
from ..services.factors.passkeys import authentication, passkeys_of
from ..services.factors.signin import (
    PasskeyStep,
    RecoveryCodeStep,
    TotpStep,
    passkey_flow,
    second_factor_flow,
)
from ..services.signin.lockout import SigninFailed
from ..services.signin.steps import (
    ACR_PHISHING_RESISTANT,
    FirstFactor,
    SigninAttempt,
    Step,
    sign_in,
)

bp = Blueprint("factor_signin", __name__)

#: Refusals after which the second step cannot go on: back to the password.
ENDS_SIGN_IN = {"locked", "second_factor:unavailable", "second_factor:expired"}


def _second_factor_page(
    first: FirstFactor,
    rid: str,
    message: str | None = None,
    params: dict[str, object] | None = None,
    status: int = 200,
) -> Response:
    pending = interaction.find(rid)
    held = set(first.kinds)
    needs_passkey = bool(pending and pending.required_acr == ACR_PHISHING_RESISTANT)
    passkey_only = needs_passkey and "passkey" in held
    body = render_template(
        "factors/second_factor.html",
        message=message,
        message_params=params or {},
        offer_passkey="passkey" in held and current_hub().relying_party.usable,
        offer_totp="totp" in held and not passkey_only,
        offer_recovery=not passkey_only,
        needs_passkey=needs_passkey and not passkey_only,
    )
    return Response(body, status=status)


@bp.route("/signin/second-factor", methods=["GET", "POST"])
def second_factor() -> BaseResponse:
    found = first_factor()
    if found is None:
        return redirect(url_for("portal.signin"))
    first, rid = found
    if request.method == "GET":
        return _second_factor_page(first, rid)
    form = SecondFactorForm()
    if not form.validate_on_submit():
        return _second_factor_page(first, rid, "表單已逾時，請重新送出", status=400)
    hub = current_hub()
    policy = hub.policy.current()
    throttle = hub.throttle()
    attempt = SigninAttempt(
        username=first.username, ip=client_ip(), code=form.code.data or "", first_factor=first
    )
    step: Step
    if form.method.data == "passkey":
        attempt.passkey = ceremony.answer(form.credential.data)
        attempt.passkey_challenge = ceremony.take_challenge("second_factor")
        step = PasskeyStep(db(), hub.relying_party, policy, throttle, alone=False)
    elif form.method.data == "totp":
        step = TotpStep(db(), hub.store, hub.totp_box, policy, throttle)
    else:
        step = RecoveryCodeStep(db(), hub.recovery_codes, policy, throttle)
    try:
        authn = sign_in(db(), second_factor_flow(db(), policy, throttle, step), attempt)
    except SigninFailed as failure:
        status = 429 if failure.reason in ("address_limited", "locked") else 401
        if failure.reason in ENDS_SIGN_IN:
            drop_first_factor()
            page_form = SignInForm(formdata=None, rid=rid, username=first.username)
            return render_signin(page_form, failure.message, status, message_params=failure.params)
        return _second_factor_page(first, rid, failure.message, dict(failure.params), status)
    if form.method.data == "recovery":
        kick_worker()  # the mail saying a recovery code was used
    return finish_sign_in(authn, rid)


@bp.post("/signin/second-factor/passkey-options")
def second_factor_passkey_options() -> Response:
    found = first_factor()
    account = db().get(Account, found[0].account_id) if found else None
    if account is None:
        abort(400)
    passkeys = passkeys_of(db(), account)
    return ceremony.start(authentication(current_hub().relying_party, passkeys), "second_factor")


# A passkey alone -------------------------------------------------------------------------


@bp.post("/signin/passkey/options")
def passkey_options() -> Response:
    if not current_hub().policy.current().mfa.passwordless:
        abort(404)
    return ceremony.start(authentication(current_hub().relying_party, None), "signin")


@bp.post("/signin/passkey")
def passkey_signin() -> BaseResponse:
    form = PasskeySignInForm()
    pending = interaction.find(form.rid.data or "")
    rid = pending.rid if pending else ""
    page_form = SignInForm(formdata=None, rid=rid)
    required = pending.required_acr if pending else None
    if not form.validate_on_submit():
        return render_signin(page_form, "表單已逾時，請重新送出", 400, required_acr=required)
    hub = current_hub()
    attempt = SigninAttempt(
        username="",
        ip=client_ip(),
        passkey=ceremony.answer(form.credential.data),
        passkey_challenge=ceremony.take_challenge("signin"),
    )
    steps = passkey_flow(db(), hub.relying_party, hub.policy.current(), hub.throttle())
    try:
        authn = sign_in(db(), steps, attempt)
    except SigninFailed as failure:
        status = 429 if failure.reason == "address_limited" else 401
        return render_signin(
            page_form, failure.message, status, message_params=failure.params, required_acr=required
        )
    return finish_sign_in(authn, rid)
