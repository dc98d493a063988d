"""The provider's HTTP endpoints."""

from __future__ import annotations

from typing import Any

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749.errors import AccessDeniedError, OAuth2Error
from authlib.oidc.core.errors import AccountSelectionRequiredError
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from ..http import auth_session
from ..http.auth_session import SignedIn
from ..http.context import client_ip, commit, current_hub, db
from ..http.forms import ChooseBindingForm, ConsentForm, LogoutConfirmForm, SignInForm
from ..http.i18n import pick_locale, set_locale
from ..http.signin_page import render_signin
from ..models import Binding
from ..services import audit
from ..services.signin.steps import ACR_CARD
from ..services.subsystems import bindings
from ..services.subsystems.clients import find_client
from .authorize import (
    AuthContext,
    Next,
    drop_pending,
    error_redirect_params,
    id_token_hint_subject,
    load_pending,
    login_hint,
    next_step,
    parse_interaction,
    save_pending,
)
from .rpinitiated import hint_matches
from .server import HubAuthorizationServer
from .subsystem_login import choose_binding, wants_subsystem_account

bp = Blueprint("oidc", __name__)


def server() -> HubAuthorizationServer:
    srv: HubAuthorizationServer = current_app.extensions["onedoor_oidc"]
    return srv


@bp.post("/token")
def token() -> Response:
    response: Response = server().create_token_response()
    commit()  # also keeps revocations made while refusing a replayed code or token
    return response


@bp.route("/userinfo", methods=["GET", "POST"])
def userinfo() -> Response:
    response: Response = server().create_endpoint_response("userinfo")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/introspect")
def introspect() -> Response:
    response: Response = server().create_endpoint_response("introspection")
    return response


@bp.post("/revoke")
def revoke() -> Response:
    response: Response = server().create_endpoint_response("revocation")
    commit()
    return response


# Authorization endpoint ---------------------------------------------------------------


def error_page(message: str, detail: str = "", status: int = 400) -> Response:
    return Response(render_template("error.html", message=message, detail=detail), status=status)


def authorization_error(error: OAuth2Error) -> Response | BaseResponse:
    """Redirect to the client only once its redirect URI is known to be registered
    (RFC 6749 section 4.1.2.1); otherwise say so on a page."""
    if error.redirect_uri:
        params = [*error_redirect_params(error), ("iss", current_hub().settings.issuer_url)]
        return redirect(add_params_to_uri(error.redirect_uri, params))
    return error_page(
        "此登入要求無效，請回到原系統重新操作。", f"{error.error}: {error.description or ''}"
    )


@bp.route("/authorize", methods=["GET", "POST"])
def authorize() -> Response | BaseResponse:
    rid = request.args.get("rid")
    if rid is None:
        return _authorize(request.values.to_dict(flat=False), None, None)
    return resume_authorization(rid)


def resume_authorization(rid: str) -> Response | BaseResponse:
    """Carry on with a request saved while the person signed in or consented."""
    pending = load_pending(session, rid)
    if pending is None:
        return error_page("登入要求已逾時，請回到原系統重新登入。")
    return _authorize(pending["params"], rid, pending)


def _signed_in_since(pending: dict[str, Any] | None) -> bool:
    """Whether the person signed in after this request was first seen (so ``prompt=login``
    and ``max_age`` are satisfied by that sign-in)."""
    if pending is None:
        return False
    return float(session.get("signed_in_at", 0)) >= float(pending["created_at"])


def _authorize(
    params: dict[str, list[str]], rid: str | None, pending: dict[str, Any] | None
) -> Response | BaseResponse:
    srv = server()
    hub = current_hub()
    current = auth_session.signed_in()
    source: MultiDict[str, str] | None = MultiDict(params) if pending is not None else None
    try:
        grant = srv.get_consent_grant(source, end_user=current)
    except OAuth2Error as error:
        if rid:
            drop_pending(session, rid)
        return authorization_error(error)
    data = grant.request.payload.data
    locale = pick_locale(data.get("ui_locales"))
    if locale:
        set_locale(locale)
    client = grant.request.client
    consented = bool(pending and pending["consented"])
    try:
        hint_subject = id_token_hint_subject(
            data.get("id_token_hint"), hub.keyring.current().public, hub.settings.issuer_url
        )
        interaction = parse_interaction(data, client.first_party, hint_subject, client.min_acr)
        step = next_step(
            interaction,
            subject=current.subject if current else None,
            auth_time=current.auth_time if current else None,
            signed_in_for_this_request=_signed_in_since(pending),
            consented=consented,
            acr=current.acr if current else None,
        )
    except OAuth2Error as error:
        error.redirect_uri = grant.redirect_uri
        error.state = data.get("state")
        if rid:
            drop_pending(session, rid)
        return authorization_error(error)
    if step is Next.SIGN_IN:
        rid = save_pending(session, params, consented=consented, rid=rid)
        form = SignInForm(formdata=None, rid=rid, username=login_hint(params))
        return render_signin(form, card_required=interaction.required_acr == ACR_CARD)
    if session.get("password_change_required"):
        rid = save_pending(session, params, consented=consented, rid=rid)
        return redirect(url_for("account.change_password", rid=rid))
    if step is Next.CONSENT:
        rid = save_pending(session, params, consented=False, rid=rid)
        form = ConsentForm(rid=rid)
        return Response(
            render_template(
                "consent.html",
                form=form,
                client=client,
                scopes=grant.request.scope.split(),
            )
        )
    assert current is not None
    binding: Binding | None = None
    if wants_subsystem_account(hub.catalogues, client.client_id, grant.request.scope):
        try:
            choice = choose_binding(
                db(), current.account_id, client.client_id, data.get("login_hint")
            )
            if choice.binding is None and "none" in interaction.prompts:
                raise AccountSelectionRequiredError()
        except OAuth2Error as error:
            return _refuse_binding(error, current, client.client_id, grant, rid)
        if choice.binding is None:
            rid = save_pending(session, params, consented=consented, rid=rid)
            return _choose_binding_page(client, choice.candidates, rid)
        binding = choice.binding
    grant.request.auth_context = AuthContext(
        account_id=current.account_id,
        sid=current.sid,
        auth_time=current.auth_time,
        acr=current.acr,
        amr=current.amr,
        offline_consented=consented,
        subsystem_account_id=binding.subsystem_account_id if binding else None,
    )
    response = srv.create_authorization_response(
        request=grant.request, grant_user=current, grant=grant
    )
    if response.status_code == 302:
        auth_session.remember_client(current, client.client_id)
        if binding is not None:
            bindings.record_signin(db(), binding, client.client_id, client_ip())
    if rid:
        drop_pending(session, rid)
    db().commit()
    return response


def _refuse_binding(
    error: OAuth2Error, current: SignedIn, client_id: str, grant: Any, rid: str | None
) -> Response | BaseResponse:
    """Answer the client with ``error`` (a hint naming no binding of this person, or no
    choice possible without asking), and record the refusal."""
    audit.record(
        db(),
        "subsystem.signin_refused",
        actor=current.username,
        actor_account_id=current.account_id,
        ip=client_ip(),
        subsystem=client_id,
        reason=error.error,
    )
    db().commit()
    error.redirect_uri = grant.redirect_uri
    error.state = grant.request.payload.state
    if rid:
        drop_pending(session, rid)
    return authorization_error(error)


def _choose_binding_page(client: Any, candidates: tuple[Binding, ...], rid: str) -> Response:
    """The account chooser (several bindings to this subsystem), or how to get one (none)."""
    return Response(
        render_template(
            "choose_binding.html",
            form=ChooseBindingForm(rid=rid),
            client=client,
            bindings=candidates,
        )
    )


def _deny(rid: str, pending: dict[str, Any]) -> Response | BaseResponse:
    """The person declined: tell the client ``access_denied``."""
    drop_pending(session, rid)
    current = auth_session.signed_in()
    try:
        grant = server().get_consent_grant(MultiDict(pending["params"]), end_user=current)
    except OAuth2Error as error:
        return authorization_error(error)
    return authorization_error(
        AccessDeniedError(redirect_uri=grant.redirect_uri, state=grant.request.payload.state)
    )


@bp.post("/authorize/consent")
def consent() -> Response | BaseResponse:
    form = ConsentForm()
    if not form.validate_on_submit():
        return error_page("表單已逾時，請回到原系統重新登入。")
    rid = form.rid.data or ""
    pending = load_pending(session, rid)
    if pending is None:
        return error_page("登入要求已逾時，請回到原系統重新登入。")
    if request.form.get("decision") != "allow":
        return _deny(rid, pending)
    save_pending(session, pending["params"], consented=True, rid=rid)
    return resume_authorization(rid)


@bp.post("/authorize/choose")
def choose() -> Response | BaseResponse:
    """The account chooser's answer: carry on as if the client had named that binding."""
    form = ChooseBindingForm()
    if not form.validate_on_submit():
        return error_page("表單已逾時，請回到原系統重新登入。")
    rid = form.rid.data or ""
    pending = load_pending(session, rid)
    if pending is None:
        return error_page("登入要求已逾時，請回到原系統重新登入。")
    chosen = request.form.get("binding", "")
    if request.form.get("decision") != "choose" or not chosen:
        return _deny(rid, pending)
    params = {**pending["params"], "login_hint": [chosen[:60]]}
    save_pending(session, params, consented=pending["consented"], rid=rid)
    return resume_authorization(rid)


# RP-initiated logout ------------------------------------------------------------------


@bp.route("/logout", methods=["GET", "POST"])
def logout() -> Response | BaseResponse:
    srv = server()
    try:
        validated = srv.validate_endpoint_request("end_session")
    except OAuth2Error as error:
        return error_page("此登出要求無效。", f"{error.error}: {error.description or ''}")
    locale = pick_locale(validated.ui_locales)
    if locale:
        set_locale(locale)
    current = auth_session.signed_in()
    if current is not None and not hint_matches(
        validated.id_token_claims, current.sid, current.subject
    ):
        form = LogoutConfirmForm(
            client_id=validated.client.client_id if validated.client else "",
            post_logout_redirect_uri=request.values.get("post_logout_redirect_uri", ""),
            state=request.values.get("state", ""),
        )
        return Response(
            render_template(
                "confirm_signout.html",
                form=form,
                action=url_for("oidc.logout_confirm"),
                client=validated.client,
            )
        )
    response = srv.create_endpoint_response("end_session", validated)
    db().commit()
    auth_session.kick_worker()
    return response or Response(render_template("signed_out.html"))


@bp.post("/logout/confirm")
def logout_confirm() -> BaseResponse:
    form = LogoutConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    auth_session.end("rp_initiated_logout")
    db().commit()
    auth_session.kick_worker()
    client = find_client(db(), form.client_id.data or "") if form.client_id.data else None
    target = form.post_logout_redirect_uri.data or ""
    if client is not None and target in client.post_logout_redirect_uris:
        if form.state.data:
            target = add_params_to_uri(target, {"state": form.state.data})
        return redirect(target)
    return Response(render_template("signed_out.html"))
