"""Smartcard pages: the hub's challenge for the card agent, 憑證登入 (card sign-in),
醫事機構卡驗證 of a unit-admin application, and enrolling one's personnel card.

The page (``static/cardagent.js``) asks the hub for a challenge, has the card agent on
the person's computer sign it with the card after the PIN is typed, and posts the
certificate and signature here. The PIN never reaches the hub."""

from __future__ import annotations

import base64
import binascii

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from ..http import interaction
from ..http.access import login_required
from ..http.context import client_ip, current_hub
from ..http.forms import CardSignInForm, ConfirmForm, SignInForm
from ..http.sessions import StoreSession
from ..http.signin_page import finish_sign_in, render_signin
from ..http.unit_of_work import db
from ..models import Account
from ..services.cards import challenge as card_challenge
from ..services.cards import enrolment as card_enrolment
from ..services.cards.certificates import CardHolder, CardKind, CardRefused
from ..services.cards.challenge import CardProof, Purpose, verify_proof
from ..services.cards.signin import institution_card_flow, personnel_card_flow
from ..services.cards.verification import verify_by_card
from ..services.errors import DomainError
from ..services.signin.lockout import SigninFailed
from ..services.signin.steps import SigninAttempt, sign_in
from .apply import own_application, render_progress

bp = Blueprint("card", __name__)


@bp.app_context_processor
def card_agent() -> dict[str, str]:
    """Every card form calls the agent at this address."""
    return {"card_agent_url": current_hub().settings.card_agent_url}


def _session_key() -> str:
    assert isinstance(session, StoreSession)
    return session.store_key


@bp.post("/card/challenge")
def challenge() -> Response:
    try:
        purpose = Purpose(request.form.get("purpose", ""))
    except ValueError:
        abort(400)
    hub = current_hub()
    if not hub.throttle().allow("card_challenge", client_ip()):
        abort(429)
    # A session that has nothing in it yet gets its cookie (and store key) now.
    session["card"] = True
    text = card_challenge.issue(hub.store, hub.settings.issuer_url, purpose, _session_key())
    response = jsonify(challenge=text)
    response.headers["Cache-Control"] = "no-store"
    return response


def proof_from_form() -> CardProof | None:
    form = request.form
    try:
        certificate = base64.b64decode(form.get("certificate", ""), validate=True)
        signature = base64.b64decode(form.get("signature", ""), validate=True)
    except (binascii.Error, ValueError):
        return None
    if not (form.get("challenge") and certificate and signature):
        return None
    return CardProof(
        challenge=form.get("challenge", ""),
        certificate=certificate,
        signature=signature,
        signature_format=form.get("signature_format", ""),
    )


def _verified(purpose: Purpose, kind: CardKind) -> CardHolder:
    """The holder of the card that answered this session's challenge."""
    proof = proof_from_form()
    if proof is None:
        raise CardRefused("missing", "請插入卡片並輸入 PIN 碼")
    hub = current_hub()
    return verify_proof(
        hub.store,
        hub.card_trust,
        proof,
        issuer=hub.settings.issuer_url,
        purpose=purpose,
        session_key=_session_key(),
        kind=kind,
    )


@bp.post("/signin/card")
def signin() -> BaseResponse:
    """憑證登入: an institution card with a unit admin's password, or an enrolled
    personnel card alone."""
    form = CardSignInForm()
    rid = form.rid.data if interaction.find(form.rid.data or "") else ""
    if not form.validate_on_submit():
        return render_signin(SignInForm(formdata=None, rid=rid), "表單已逾時，請重新送出", 400)
    hub = current_hub()
    policy = hub.policy.current()
    institution = form.card_kind.data == "institution"
    attempt = SigninAttempt(
        username=form.username.data or "" if institution else "",
        password=form.password.data or "" if institution else "",
        ip=client_ip(),
        card=proof_from_form(),
        session_key=_session_key(),
    )
    issuer = hub.settings.issuer_url
    steps = (
        institution_card_flow(
            db(), hub.store, hub.passwords, policy, hub.throttle(), hub.card_trust, issuer
        )
        if institution
        else personnel_card_flow(
            db(), hub.store, hub.throttle(), hub.card_trust, issuer, hub.secret_key
        )
    )
    try:
        authn = sign_in(db(), steps, attempt)
    except SigninFailed as failure:
        status = 429 if failure.reason == "address_limited" else 401
        page_form = SignInForm(formdata=None, rid=rid, username=attempt.username)
        return render_signin(
            page_form, failure.message, status, message_params=failure.params, card_tab=True
        )
    return finish_sign_in(authn, rid)


@bp.post("/apply/card")
def verify_application() -> BaseResponse:
    """醫事機構卡驗證 of the applicant's own unit-admin application."""
    application = own_application()
    try:
        holder = _verified(Purpose.VERIFY, CardKind.INSTITUTION)
        verify_by_card(db(), application, holder, client_ip())
    except CardRefused as refused:
        return render_progress(application, card_error=refused.message, status=400)
    return redirect(url_for("apply.progress", verified=1))


def _account() -> Account:
    account: Account = current_user._get_current_object()
    return account


def _card_page(message: str | None = None, status: int = 200) -> Response:
    enrolment = card_enrolment.enrolment_of(db(), _account())
    body = render_template(
        "card/enrolment.html", enrolment=enrolment, message=message, form=ConfirmForm()
    )
    return Response(body, status=status)


@bp.route("/account/card", methods=["GET", "POST"])
@login_required
def enrol() -> BaseResponse:
    """我的醫事人員卡: enrol the card to sign in with it alone."""
    if request.method == "GET":
        return _card_page()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        holder = _verified(Purpose.ENROL, CardKind.PERSONNEL)
        card_enrolment.enrol(db(), _account(), holder, current_hub().secret_key, client_ip())
    except DomainError as refused:
        return _card_page(refused.message, status=400)
    return redirect(url_for("card.enrol", done=1))


@bp.post("/account/card/remove")
@login_required
def remove() -> BaseResponse:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    card_enrolment.remove(db(), _account(), client_ip())
    return redirect(url_for("card.enrol"))
