"""The provider's HTTP endpoints.

The authorization endpoint validates a request (Authlib), decides what it still needs
(``authorize.next_step``, then which subsystem account) and either answers the client or
pauses the request (``idp.http.interaction``) and shows the page for that step. Every
page that finishes a step resumes the request through ``interaction.resume``, which
comes back here (``resume_authorization``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc6749.errors import AccessDeniedError, OAuth2Error
from authlib.oidc.core.errors import AccountSelectionRequiredError
from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response as BaseResponse

from ..http import auth_session, interaction
from ..http.auth_session import SignedIn
from ..http.context import client_ip, current_hub
from ..http.forms import ChooseBindingForm, ConsentForm, LogoutConfirmForm, SignInForm
from ..http.i18n import pick_locale, set_locale
from ..http.interaction import Next, Pending
from ..http.signin_page import render_signin
from ..http.unit_of_work import db
from ..models import Binding
from ..services import audit
from ..services.errors import DomainError
from ..services.subsystems import bindings
from ..services.subsystems.clients import find_client
from .authorize import (
    AuthContext,
    error_redirect_params,
    id_token_hint_subject,
    next_step,
    parse_interaction,
)
from .request_syntax import check_authorization_params
from .rpinitiated import hint_matches
from .server import HubAuthorizationServer
from .subsystem_login import BindingChoice, choose_binding, wants_subsystem_account

bp = Blueprint("oidc", __name__)

EXPIRED = "登入要求已逾時，請回到原系統重新登入。"


def server() -> HubAuthorizationServer:
    srv: HubAuthorizationServer = current_app.extensions["onedoor_oidc"]
    return srv


@bp.route("/userinfo", methods=["GET", "POST"])
def userinfo() -> Response:
    response: Response = server().create_endpoint_response("userinfo")
    response.headers["Cache-Control"] = "no-store"
    return response


# Authorization endpoint ---------------------------------------------------------------


def error_page(message: str, detail: str = "", status: int = 400) -> Response:
    return Response(
        render_template("error.html", message=message, detail=detail),
        status=status,
        mimetype="text/html",
    )


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
        params = request.values.to_dict(flat=False)
        try:
            check_authorization_params(params)
        except OAuth2Error as error:
            return authorization_error(error)
        return _authorize(params, None)
    pending = interaction.find(rid)
    if pending is None:
        return error_page(EXPIRED)
    return resume_authorization(pending)


def resume_authorization(pending: Pending) -> Response | BaseResponse:
    """Carry on with a request paused while the person did a step (the resumer of
    ``idp.http.interaction``)."""
    return _authorize(pending.params, pending)


def _authorize(params: dict[str, list[str]], pending: Pending | None) -> Response | BaseResponse:
    srv = server()
    current = auth_session.signed_in()
    source: MultiDict[str, str] | None = MultiDict(params) if pending is not None else None
    rid = pending.rid if pending else None
    try:
        grant = srv.get_consent_grant(source, end_user=current)
    except OAuth2Error as error:
        interaction.drop(rid)
        return authorization_error(error)
    data = grant.request.payload.data
    locale = pick_locale(data.get("ui_locales"))
    if locale:
        set_locale(locale)
    try:
        step, choice, required_acr = _next(grant, current, pending)
    except OAuth2Error as error:
        error.redirect_uri = grant.redirect_uri
        error.state = data.get("state")
        interaction.drop(rid)
        return authorization_error(error)
    if step is not Next.ISSUE:
        consented = bool(pending and pending.consented) and step is not Next.CONSENT
        paused = interaction.pause(params, consented=consented, rid=rid, required_acr=required_acr)
        return STEP_PAGES[step](paused, grant, choice)
    assert current is not None
    return _issue(grant, current, choice.binding if choice else None, pending)


def _next(
    grant: Any, current: SignedIn | None, pending: Pending | None
) -> tuple[Next, BindingChoice | None, str | None]:
    """The step the request needs next; for a subsystem account, which binding (or
    which to choose from); and the level the request requires."""
    hub = current_hub()
    data = grant.request.payload.data
    client = grant.request.client
    hint_subject = id_token_hint_subject(
        data.get("id_token_hint"), hub.keyring.current().public, hub.settings.issuer_url
    )
    wanted = parse_interaction(data, client.first_party, hint_subject, client.min_acr)
    step = next_step(
        wanted,
        subject=current.subject if current else None,
        auth_time=current.auth_time if current else None,
        signed_in_for_this_request=bool(
            pending and pending.signed_in_since(auth_session.signed_in_at())
        ),
        consented=bool(pending and pending.consented),
        acr=current.acr if current else None,
        password_change_required=auth_session.password_change_required(),
        enrolment_overdue=auth_session.enrolment_overdue(),
    )
    if step is not Next.ISSUE or current is None:
        return step, None, wanted.required_acr
    if not wants_subsystem_account(hub.catalogues, client.client_id, grant.request.scope):
        return Next.ISSUE, None, wanted.required_acr
    try:
        choice = choose_binding(db(), current.account_id, client.client_id, data.get("login_hint"))
        if choice.binding is None and "none" in wanted.prompts:
            raise AccountSelectionRequiredError()
    except OAuth2Error as error:
        audit.record_always(
            db(),
            "subsystem.signin_refused",
            actor=current.username,
            actor_account_id=current.account_id,
            ip=client_ip(),
            subsystem=client.client_id,
            reason=error.error,
        )
        raise
    return (Next.ISSUE if choice.binding else Next.CHOOSE_BINDING), choice, wanted.required_acr


def _issue(
    grant: Any, current: SignedIn, binding: Binding | None, pending: Pending | None
) -> Response | BaseResponse:
    client = grant.request.client
    grant.request.auth_context = AuthContext(
        account_id=current.account_id,
        sid=current.sid,
        auth_time=current.auth_time,
        acr=current.acr,
        amr=current.amr,
        offline_consented=bool(pending and pending.consented),
        subsystem_account_id=binding.subsystem_account_id if binding else None,
    )
    response = server().create_authorization_response(
        request=grant.request, grant_user=current, grant=grant
    )
    if response.status_code == 302:
        auth_session.remember_client(current, client.client_id)
        if binding is not None:
            bindings.record_signin(db(), binding, client.client_id, client_ip())
    interaction.drop(pending.rid if pending else None)
    return response


# The page for each step ----------------------------------------------------------------


def _sign_in_page(pending: Pending, _grant: Any, _choice: BindingChoice | None) -> Response:
    form = SignInForm(formdata=None, rid=pending.rid, username=pending.login_hint)
    return render_signin(form)


def _step_up_page(pending: Pending, _grant: Any, _choice: BindingChoice | None) -> Response:
    form = SignInForm(formdata=None, rid=pending.rid, username=pending.login_hint)
    return render_signin(form, required_acr=pending.required_acr)


def _change_password_page(
    pending: Pending, _grant: Any, _choice: BindingChoice | None
) -> BaseResponse:
    return redirect(url_for("account.change_password", rid=pending.rid))


def _enrol_page(pending: Pending, _grant: Any, _choice: BindingChoice | None) -> BaseResponse:
    return redirect(url_for("factors.overview", rid=pending.rid))


def _consent_page(pending: Pending, grant: Any, _choice: BindingChoice | None) -> Response:
    return Response(
        render_template(
            "oidc/consent.html",
            form=ConsentForm(rid=pending.rid),
            client=grant.request.client,
            scopes=grant.request.scope.split(),
        )
    )


def _choose_binding_page(pending: Pending, grant: Any, choice: BindingChoice | None) -> Response:
    """The account chooser (several bindings to this subsystem), or how to get one (none)."""
    return Response(
        render_template(
            "oidc/choose_binding.html",
            form=ChooseBindingForm(rid=pending.rid),
            client=grant.request.client,
            bindings=choice.candidates if choice else (),
        )
    )


STEP_PAGES: dict[Next, Callable[[Pending, Any, BindingChoice | None], BaseResponse]] = {
    Next.SIGN_IN: _sign_in_page,
    Next.STEP_UP: _step_up_page,
    Next.CHANGE_PASSWORD: _change_password_page,
    Next.ENROL_SECOND_FACTOR: _enrol_page,
    Next.CONSENT: _consent_page,
    Next.CHOOSE_BINDING: _choose_binding_page,
}


def _deny(pending: Pending) -> Response | BaseResponse:
    """The person declined: tell the client ``access_denied``."""
    interaction.drop(pending.rid)
    current = auth_session.signed_in()
    try:
        params: MultiDict[str, str] = MultiDict(pending.params)
        grant = server().get_consent_grant(params, end_user=current)
    except OAuth2Error as error:
        return authorization_error(error)
    return authorization_error(
        AccessDeniedError(redirect_uri=grant.redirect_uri, state=grant.request.payload.state)
    )


def _answered(form: ConsentForm | ChooseBindingForm) -> Pending:
    """The paused request a consent or chooser form answers."""
    if not form.validate_on_submit():
        raise DomainError("表單已逾時，請回到原系統重新登入。")
    pending = interaction.find(form.rid.data or "")
    if pending is None:
        raise DomainError(EXPIRED)
    return pending


@bp.post("/authorize/consent")
def consent() -> Response | BaseResponse:
    pending = _answered(ConsentForm())
    if request.form.get("decision") != "allow":
        return _deny(pending)
    return resume_authorization(interaction.update(pending, consented=True))


@bp.post("/authorize/choose")
def choose() -> Response | BaseResponse:
    """The account chooser's answer: carry on as if the client had named that binding."""
    pending = _answered(ChooseBindingForm())
    chosen = request.form.get("binding", "")
    if request.form.get("decision") != "choose" or not chosen:
        return _deny(pending)
    params = {**pending.params, "login_hint": [chosen[:60]]}
    return resume_authorization(interaction.update(pending, params=params))


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
                "portal/confirm_signout.html",
                form=form,
                action=url_for("oidc.logout_confirm"),
                client=validated.client,
            )
        )
    response = srv.create_endpoint_response("end_session", validated)
    return response or Response(render_template("portal/signed_out.html"))


@bp.post("/logout/confirm")
def logout_confirm() -> BaseResponse:
    form = LogoutConfirmForm()
    if not form.validate_on_submit():
        raise BadRequest()
    auth_session.end("rp_initiated_logout")
    client = find_client(db(), form.client_id.data or "") if form.client_id.data else None
    target = form.post_logout_redirect_uri.data or ""
    if client is not None and target in client.post_logout_redirect_uris:
        if form.state.data:
            target = add_params_to_uri(target, {"state": form.state.data})
        return redirect(target)
    return Response(render_template("portal/signed_out.html"))


def init_app(app: Flask) -> None:
    interaction.set_resumer(app, resume_authorization)
    app.register_blueprint(bp)
