"""Applicants' pages (public): 帳號申請, 申請進度查詢, and the paper route's form and scan.

After submitting or looking up, the session remembers which application this browser
may see, so the paper form can be downloaded and the scan uploaded without an account
that is not approved yet.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, Response, redirect, render_template, request, session, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound, RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from ..http.access import login_required, signed_in_account
from ..http.context import client_ip, current_hub
from ..http.downloads import personal_file
from ..http.errors import MESSAGES, error_answer
from ..http.signin_page import new_captcha, own_captcha
from ..http.unit_of_work import db, kick_worker
from ..models import Account, AccountRole, Application, ReviewRoute
from ..services.applications import paper_review, subsystem_requests
from ..services.applications import status as application_status
from ..services.applications import submission as applications
from ..services.applications.paper_form import render_application_pdf
from ..services.applications.submission import ApplicationForm, Applying
from ..services.cards.verification import can_verify_by_card
from ..services.errors import DomainError, FormErrors, InvalidInput, Text, text
from ..services.signin import captcha
from ..services.signin.password_rules import rules_text
from ..services.signin.steps import SigninAttempt
from ..services.subsystems.bindings import bindings_of
from ..services.subsystems.catalogues import Catalogues
from ..services.subsystems.quotas import SubsystemChoice
from ..services.uploads import SCAN
from .units import picker_state

bp = Blueprint("apply", __name__, url_prefix="/apply")

#: The application this browser submitted or looked up.
SESSION_KEY = "application_id"

PERSONAL_FIELDS = (
    "username",
    "national_id",
    "name",
    "title",
    "department",
    "phone",
    "phone_backup",
    "unit_phone",
    "mobile",
    "email",
    "email_backup",
)


def subsystem_choices(
    form: Mapping[str, str] | MultiDict[str, str], catalogues: Catalogues
) -> tuple[SubsystemChoice, ...]:
    """The subsystems ticked on a form, with the role, duty and menu roles chosen for each."""
    if not isinstance(form, MultiDict):
        form = MultiDict(form)
    choices = []
    for name in form.getlist("subsystems"):
        if catalogues.get(name) is None:
            continue
        role = (
            AccountRole.UNIT_ADMIN
            if form.get(f"{name}-role") == "unit_admin"
            else AccountRole.MEMBER
        )
        choices.append(
            SubsystemChoice(
                subsystem=name,
                role=role,
                duty=form.get(f"{name}-duty", ""),
                menu_roles=tuple(form.getlist(f"{name}-menu_roles")),
            )
        )
    return tuple(choices)


def chosen_unit_code() -> str:
    """The unit picked in the list, or a whole code typed into the picker's search box."""
    state = picker_state(db(), request.form)
    typed = request.form.get("unit_code") or request.form.get("unit_code_query", "")
    return (state.unit_code or typed).strip().upper()[:10]


def _form_from_request(catalogues: Catalogues) -> ApplicationForm:
    data = request.form
    return ApplicationForm(
        unit_code=chosen_unit_code(),
        role=data.get("role", ""),
        password=data.get("new_password", "")[:1024],
        password_confirm=data.get("confirm", "")[:1024],
        consent=data.get("consent") == "yes",
        subsystems=subsystem_choices(data, catalogues),
        **{name: data.get(name, "").strip()[:300] for name in PERSONAL_FIELDS},
    )


def _render_form(errors: Mapping[str, list[Text]] | None = None, status: int = 200) -> Response:
    hub = current_hub()
    return Response(
        render_template(
            "apply/form.html",
            values=request.form,
            picker=picker_state(db(), request.form),
            catalogues=hub.catalogues,
            errors=errors or {},
            rules=rules_text(hub.policy.current().password),
            consent_version=applications.CONSENT_VERSION,
            captcha_id=new_captcha(),
        ),
        status=status,
    )


@bp.route("", methods=["GET", "POST"])
def apply() -> BaseResponse:
    """帳號申請: behind the 驗證碼 and a limit per address; the application counts once
    the link mailed to the address given is opened."""
    if request.method == "GET" or request.form.get("pick_unit"):
        return _render_form()
    hub = current_hub()
    if not hub.throttle().allow("apply", client_ip()):
        return _render_form({"form": [text("嘗試次數過多，請稍後再試")]}, status=429)
    answer = request.form.get("captcha_answer", "").strip()[:20]
    if hub.settings.captcha and not captcha.check(
        hub.store, own_captcha(request.form.get("captcha_id", "")[:100]), answer
    ):
        return _render_form({"captcha_answer": [text("驗證碼錯誤，請重新輸入")]}, status=400)
    applying = Applying(
        passwords=hub.passwords,
        password_policy=hub.policy.current().password,
        catalogues=hub.catalogues,
        national_ids=hub.national_ids,
        issuer_url=hub.settings.issuer_url,
        account_names=hub.policy.current().account_name,
    )
    try:
        applications.submit_application(
            db(), applying, _form_from_request(hub.catalogues), ip=client_ip()
        )
    except FormErrors as refused:
        return _render_form(refused.errors, status=400)
    kick_worker()
    return redirect(url_for("apply.sent"))


@bp.get("/sent")
def sent() -> Response:
    """The same page whether or not the application could be taken (the mail says)."""
    minutes = current_hub().policy.current().password.reset_link_minutes
    return Response(render_template("apply/sent.html", minutes=minutes))


@bp.get(applications.CONFIRM_PATH.removeprefix("/apply") + "<token>")
def confirm(token: str) -> BaseResponse:
    """The link mailed to the applicant: the application goes to review."""
    application = applications.confirm_application(db(), token, ip=client_ip())
    if application is None:
        raise DomainError("此連結已失效或已使用過，請重新申請。")
    kick_worker()
    session[SESSION_KEY] = application.id
    return redirect(url_for("apply.progress"))


def _session_application() -> Application | None:
    application_id = session.get(SESSION_KEY)
    return db().get(Application, application_id) if isinstance(application_id, int) else None


def own_application() -> Application:
    application = _session_application()
    if application is None:
        raise NotFound()
    return application


@bp.get("/progress")
def progress() -> BaseResponse:
    if not session.get(SESSION_KEY):
        return redirect(url_for("apply.status"))
    application = own_application()
    return render_progress(application)


def render_progress(
    application: Application,
    scan_error: InvalidInput | None = None,
    status: int = 200,
    card_error: str | None = None,
) -> Response:
    return Response(
        render_template(
            "apply/progress.html",
            progress=application_status.progress_of(db(), application),
            paper=application.route is ReviewRoute.PAPER,
            scan_error=scan_error,
            card_error=card_error,
            can_verify_by_card=can_verify_by_card(application),
            catalogues=current_hub().catalogues,
        ),
        status=status,
    )


def _status_page(message: Text | None = None, status: int = 200) -> Response:
    return Response(
        render_template("apply/status.html", message=message, captcha_id=new_captcha()),
        status=status,
    )


@bp.route("/status", methods=["GET", "POST"])
def status() -> BaseResponse:
    """申請進度查詢: account, password and 驗證碼."""
    if request.method == "GET":
        return _status_page()
    hub = current_hub()
    try:
        application = application_status.look_up(
            db(),
            hub.store,
            hub.passwords,
            hub.policy.current(),
            hub.throttle(),
            captcha_enabled=hub.settings.captcha,
            attempt=SigninAttempt(
                username=request.form.get("username", "")[:50],
                password=request.form.get("password", "")[:1024],
                captcha_id=own_captcha(request.form.get("captcha_id", "")[:100]),
                captcha_answer=request.form.get("captcha_answer", "").strip()[:20],
                ip=client_ip(),
            ),
        )
    except application_status.LookupFailed as refused:
        return _status_page(refused.text, 429 if refused.reason == "address_limited" else 400)
    session[SESSION_KEY] = application.id
    return redirect(url_for("apply.progress"))


@bp.get("/form.pdf")
def paper_form() -> Response:
    """The pre-filled 管理者帳號申請表, to print, sign and stamp."""
    application = own_application()
    if application.route is not ReviewRoute.PAPER:
        raise NotFound()
    hub = current_hub()
    form = paper_review.paper_form_of(
        db(), application, hub.catalogues, hub.national_ids, ip=client_ip()
    )
    return personal_file(render_application_pdf(form), "application/pdf", application.reference)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> Response:
    """A scan too large is said beside the upload; any other body too large (or a scan
    without an application) gets the hub's page."""
    application = _session_application()
    if request.endpoint != "apply.upload_scan" or application is None:
        return error_answer(MESSAGES[413], 413)
    return render_progress(application, scan_error=SCAN.too_large(), status=413)


@bp.post("/scan")
def upload_scan() -> BaseResponse:
    application = own_application()
    upload = request.files.get("scan")
    data = upload.read() if upload else b""
    try:
        paper_review.attach_scan(
            db(), application, data, upload.filename or "" if upload else "", ip=client_ip()
        )
    except InvalidInput as refused:
        return render_progress(application, scan_error=refused, status=400)
    return redirect(url_for("apply.progress", uploaded=1))


@bp.route("/subsystems", methods=["GET", "POST"])
@login_required
def subsystems() -> BaseResponse:
    """業務子系統帳號管理 → 帳號申請: a signed-in person asks only for subsystem accounts."""
    hub = current_hub()
    account = signed_in_account()
    errors: Mapping[str, list[Text]] = {}
    code = 200
    if request.method == "POST" and not request.form.get("pick_unit"):
        try:
            subsystem_requests.request_subsystems(
                db(),
                hub.catalogues,
                account,
                chosen_unit_code(),
                subsystem_choices(request.form, hub.catalogues),
                ip=client_ip(),
            )
        except FormErrors as refused:
            errors, code = refused.errors, 400
        else:
            return redirect(url_for("apply.subsystems", sent=1))
    return render_subsystems_page(account, errors=errors, status=code)


def render_subsystems_page(
    account: Account,
    *,
    errors: Mapping[str, list[Text]] | None = None,
    bind_error: Text | None = None,
    status: int = 200,
) -> Response:
    """業務子系統帳號管理: 已綁定帳號, 審核中帳號, 帳號申請 and 業務子系統帳號綁定."""
    hub = current_hub()
    return Response(
        render_template(
            "apply/subsystems.html",
            values=request.form,
            picker=picker_state(db(), request.form),
            catalogues=hub.catalogues,
            errors=errors or {},
            bind_error=bind_error,
            requests=subsystem_requests.requests_of(db(), account),
            bindings=bindings_of(db(), account),
        ),
        status=status,
    )
