"""兩步驟驗證 (second factors), the person's own page: add and remove passkeys, set up
an authenticator app, renew recovery codes. Someone who holds a factor changes them only
in a session signed in with one (``permissions.may_change_own_second_factors``).

Adding a passkey runs in the browser (``static/passkeys.js``, with ``idp.http.ceremony``
keeping the challenge)."""

from __future__ import annotations

import time

from flask import Blueprint, Response, abort, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from ..http import auth_session, ceremony, interaction
from ..http.access import login_required
from ..http.context import client_ip, current_hub
from ..http.forms import ConfirmForm, PasskeyForm, TotpForm
from ..http.unit_of_work import db
from ..models import Account, utcnow
from ..services import audit, names, permissions
from ..services.errors import DomainError
from ..services.factors import manage, recovery, totp
from ..services.factors.passkeys import PasskeyRefused, add_passkey, registration
from ..services.factors.requirement import roles_of

bp = Blueprint("factors", __name__)

TOTP_SECRET = "totp_secret"


def _account() -> Account:
    account: Account = current_user._get_current_object()
    return account


def _rid() -> str:
    rid = request.values.get("rid", "")
    return rid if interaction.find(rid) else ""


def _may_change(factors: manage.Factors) -> bool:
    current = auth_session.signed_in()
    amr = current.amr if current else ()
    return permissions.may_change_own_second_factors(bool(factors.held), amr)


def _factors(check: bool = False) -> manage.Factors:
    """The person's factors; with ``check``, refused unless they may change them now."""
    factors = manage.factors_of(db(), current_hub().policy.current().mfa, _account())
    if check and not _may_change(factors):
        abort(403)
    return factors


def _overview_page(message: object = None, status: int = 200) -> Response:
    account = _account()
    factors = _factors()
    pending = interaction.find(_rid())
    due = auth_session.enrolment_due()
    return Response(
        render_template(
            "factors/overview.html",
            factors=factors,
            may_change=_may_change(factors),
            passkeys_usable=current_hub().relying_party.usable,
            due=due,
            overdue=due is not None and due <= time.time(),
            roles=[names.MFA_ROLE[r] for r in roles_of(account)],
            kind_names=names.SECOND_FACTOR_KIND,
            needs=pending.required_acr if pending else None,
            rid=pending.rid if pending else "",
            message=message,
            done=request.args.get("done"),
        ),
        status=status,
    )


@bp.get("/account/factors")
@login_required
def overview() -> Response:
    return _overview_page()


def _added() -> BaseResponse:
    """After a factor was added: the recovery codes, the first time; what is still due."""
    hub = current_hub()
    result = manage.enrolled(
        db(), hub.recovery_codes, hub.policy.current().mfa, _account(), client_ip()
    )
    auth_session.second_factor_enrolled(result.due)
    if result.recovery_codes:
        return _codes_page(result.recovery_codes)
    return redirect(url_for("factors.overview", rid=_rid() or None, done="added"))


def _codes_page(codes: list[str]) -> Response:
    """Shown once: the codes are kept only as hashes."""
    return Response(render_template("factors/recovery_codes.html", codes=codes, rid=_rid()))


@bp.post("/account/factors/passkeys/options")
@login_required
def passkey_registration_options() -> Response:
    factors = _factors(check=True)
    options = registration(current_hub().relying_party, _account(), factors.passkeys)
    return ceremony.start(options, "register")


@bp.post("/account/factors/passkeys")
@login_required
def add() -> BaseResponse:
    _factors(check=True)
    form = PasskeyForm()
    if not form.validate_on_submit():
        return _overview_page("表單已逾時，請重新送出", 400)
    account = _account()
    credential = ceremony.answer(form.credential.data)
    try:
        if credential is None:
            raise PasskeyRefused("missing")
        add_passkey(
            db(),
            current_hub().relying_party,
            account,
            credential,
            ceremony.take_challenge("register"),
            form.name.data or "",
            client_ip(),
        )
    except PasskeyRefused as refused:
        audit.record_always(
            db(),
            "second_factor.add_refused",
            actor=account.username,
            actor_account_id=account.id,
            ip=client_ip(),
            kind="passkey",
            reason=refused.reason,
        )
        return _overview_page(refused.text, 400)
    except DomainError as refused:
        return _overview_page(refused.text, 400)
    return _added()


@bp.post("/account/factors/passkeys/<int:passkey_id>/remove")
@login_required
def remove_passkey(passkey_id: int) -> BaseResponse:
    _factors(check=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    policy = current_hub().policy.current().mfa
    try:
        manage.remove_passkey(db(), policy, _account(), passkey_id, client_ip())
    except DomainError as refused:
        return _overview_page(refused.text, 400)
    return redirect(url_for("factors.overview", done="removed"))


def _totp_page(secret: str, message: object = None, status: int = 200) -> Response:
    uri = totp.provisioning_uri(secret, _account().username)
    return Response(
        render_template(
            "factors/totp.html",
            qr=totp.qr_code(uri),
            secret=totp.grouped(secret),
            message=message,
            rid=_rid(),
        ),
        status=status,
    )


@bp.route("/account/factors/totp", methods=["GET", "POST"])
@login_required
def setup_totp() -> BaseResponse:
    """設定驗證器 App: scan the QR code, type the first code."""
    factors = _factors(check=True)
    if factors.app is not None:
        return redirect(url_for("factors.overview"))
    hub = current_hub()
    sealed = session.get(TOTP_SECRET)
    if request.method == "GET" or not sealed:
        secret = totp.new_secret()
        session[TOTP_SECRET] = hub.totp_box.seal(secret)
        return _totp_page(secret)
    secret = hub.totp_box.open(sealed)
    form = TotpForm()
    if not form.validate_on_submit():
        return _totp_page(secret, "表單已逾時，請重新送出", 400)
    try:
        totp.enrol(
            db(),
            hub.store,
            hub.totp_box,
            _account(),
            secret,
            form.code.data or "",
            utcnow(),
            client_ip(),
        )
    except DomainError as refused:
        return _totp_page(secret, refused.text, 400)
    session.pop(TOTP_SECRET, None)
    return _added()


@bp.post("/account/factors/totp/remove")
@login_required
def remove_totp() -> BaseResponse:
    _factors(check=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    policy = current_hub().policy.current().mfa
    try:
        manage.remove_app(db(), policy, _account(), client_ip())
    except DomainError as refused:
        return _overview_page(refused.text, 400)
    return redirect(url_for("factors.overview", done="removed"))


@bp.post("/account/factors/recovery-codes")
@login_required
def renew_recovery_codes() -> BaseResponse:
    factors = _factors(check=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not factors.held:
        return redirect(url_for("factors.overview"))
    hub = current_hub()
    return _codes_page(recovery.generate(db(), hub.recovery_codes, _account(), client_ip()))
