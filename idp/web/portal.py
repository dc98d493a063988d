"""Public pages: home, sign-in (服務登入), sign-out, 忘記密碼, captcha, language."""

from __future__ import annotations

import time

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

from ..http import auth_session
from ..http.context import client_ip, current_hub, db
from ..http.forms import ConfirmForm, ForgotPasswordForm, ResetPasswordForm, SignInForm
from ..http.i18n import COOKIE, LOCALES, current_locale, gettext, pick_locale, set_locale
from ..http.signin_page import new_captcha, render_signin
from ..models import Account
from ..oidc.authorize import load_pending, login_hint
from ..oidc.views import resume_authorization
from ..services.errors import InvalidInput, Text
from ..services.sessions import hub_sessions
from ..services.signin import captcha, credentials
from ..services.signin.password_rules import PersonalData, evaluate, rules_text
from ..services.signin.steps import (
    Authentication,
    SigninAttempt,
    SigninFailed,
    password_flow,
    sign_in,
)
from ..services.signin.throttle import Throttle

bp = Blueprint("portal", __name__)


@bp.get("/")
def home() -> Response:
    current = auth_session.signed_in()
    if current is None or not current_user.is_authenticated:
        return render_signin(SignInForm())
    hub = current_hub()
    return Response(
        render_template(
            "home.html",
            current=current,
            account=current_user,
            previous_signin_at=session.get("previous_signin_at"),
            change_due=credentials.change_due_soon(hub.policy.current().password, current_user),
            form=ConfirmForm(),
        )
    )


@bp.route("/signin", methods=["GET", "POST"])
def signin() -> BaseResponse:
    form = SignInForm()
    rid = form.rid.data or request.args.get("rid", "")
    pending = load_pending(session, rid) if rid else None
    if pending is None:
        rid = ""
    else:
        locale = pick_locale((pending["params"].get("ui_locales") or [""])[0])
        if locale:
            set_locale(locale)
    form.rid.data = rid
    if request.method == "GET":
        if pending is not None:
            form.username.data = login_hint(pending["params"])
        return render_signin(form)
    if not form.validate_on_submit():
        message = "表單已逾時，請重新送出" if "csrf_token" in form.errors else "請填寫帳號與密碼"
        return render_signin(form, message, status=400)
    hub = current_hub()
    attempt = SigninAttempt(
        username=form.username.data or "",
        password=form.password.data or "",
        captcha_id=form.captcha_id.data or "",
        captcha_answer=form.captcha_answer.data or "",
        ip=client_ip(),
    )
    policy = hub.policy.current()
    try:
        authn = sign_in(
            db(),
            password_flow(db(), hub.store, hub.passwords, policy, hub.settings.captcha),
            attempt,
        )
    except SigninFailed as failure:
        db().commit()
        status = 429 if failure.reason == "address_limited" else 401
        return render_signin(form, failure.message, status, message_params=failure.params)
    return finish_sign_in(authn, rid)


def finish_sign_in(authn: Authentication, rid: str) -> BaseResponse:
    """Start the hub session, then: change an expired password first, or carry on with
    the subsystem's request in this same response, or go home."""
    auth_session.establish(authn)
    if authn.password_change_required:
        session["password_change_required"] = True
        response: BaseResponse = redirect(url_for("account.change_password", rid=rid or None))
    elif rid:
        response = resume_authorization(rid)
    else:
        response = redirect(url_for("portal.home"))
    db().commit()
    return response


@bp.route("/signout", methods=["GET", "POST"])
def signout() -> BaseResponse:
    form = ConfirmForm()
    if request.method == "GET":
        if auth_session.signed_in() is None:
            return redirect(url_for("portal.home"))
        return Response(
            render_template("confirm_signout.html", form=form, action=url_for("portal.signout"))
        )
    if not form.validate_on_submit():
        abort(400)
    auth_session.end("signout")
    db().commit()
    auth_session.kick_worker()
    return Response(render_template("signed_out.html"))


@bp.post("/session/keepalive")
def keepalive() -> Response:
    """The idle warning's 繼續使用: one request, which renews the idle timer."""
    if auth_session.signed_in() is None:
        return jsonify(signed_in=False)
    session["_last_seen"] = time.time()
    return jsonify(signed_in=True)


# 忘記密碼 -------------------------------------------------------------------------------

#: The one answer to every well-formed 忘記密碼 request.
RESET_SENT = "若帳號與電子郵件相符，系統已寄出變更密碼通知信，請於時限內開啟信中的連結。"


def _forgot_page(
    form: ForgotPasswordForm, message: str | None, sent: bool, status: int = 200
) -> Response:
    form.captcha_answer.data = ""
    return Response(
        render_template(
            "password/forgot.html", form=form, message=message, sent=sent, captcha_id=new_captcha()
        ),
        status=status,
    )


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password() -> BaseResponse:
    form = ForgotPasswordForm()
    if request.method == "GET":
        return _forgot_page(form, None, sent=False)
    if not form.validate_on_submit():
        return _forgot_page(form, "表單已逾時，請重新送出", sent=False, status=400)
    hub = current_hub()
    policy = hub.policy.current()
    ip = client_ip()
    if not Throttle(hub.store, policy.lockout).allow("forgot_password", ip):
        return _forgot_page(form, "嘗試次數過多，請稍後再試", sent=False, status=429)
    if hub.settings.captcha and not captcha.check(
        hub.store, form.captcha_id.data or "", form.captcha_answer.data or ""
    ):
        return _forgot_page(form, "驗證碼錯誤，請重新輸入", sent=False, status=400)
    username = (form.username.data or "").strip()
    email = (form.email.data or "").strip()
    if not username or not email:
        return _forgot_page(form, "請填寫帳號與電子郵件", sent=False, status=400)
    credentials.request_reset(db(), username=username, email=email, ip=ip)
    db().commit()
    return _forgot_page(ForgotPasswordForm(formdata=None), RESET_SENT, sent=True)


@bp.route(credentials.RESET_PATH + "<token>", methods=["GET", "POST"])
def reset_password(token: str) -> BaseResponse:
    hub = current_hub()
    reset = credentials.find_reset(db(), token)
    if reset is None:
        return Response(
            render_template("error.html", message="此連結已失效或已使用過，請重新申請忘記密碼。"),
            status=400,
        )
    policy = hub.policy.current()
    form = ResetPasswordForm()
    errors: dict[str, str | list[Text]] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            errors["form"] = "表單已逾時，請重新送出"
        else:
            try:
                account = credentials.complete_reset(
                    db(),
                    hub.passwords,
                    policy.password,
                    reset,
                    new=form.new_password.data or "",
                    confirm=form.confirm.data or "",
                    ip=client_ip(),
                )
            except InvalidInput as error:
                errors[error.field] = error.texts
            else:
                Throttle(hub.store, policy.lockout).unlock(account.id)
                hub_sessions.shut_out(
                    db(),
                    hub.store,
                    account.id,
                    "password_reset",
                    hub.settings.access_token_ttl_seconds,
                )
                db().commit()
                auth_session.kick_worker()
                return Response(render_template("password/reset_done.html"))
    form.new_password.data = form.confirm.data = ""
    owner = db().get(Account, reset.account_id)
    return Response(
        render_template(
            "password/reset.html",
            form=form,
            errors=errors,
            token=token,
            rules=rules_text(policy.password),
            username=owner.username if owner else "",
        ),
        status=400 if errors else 200,
    )


@bp.post("/password/strength")
def password_strength() -> Response:
    """The strength meter's verdict, from the same rules the server enforces."""
    hub = current_hub()
    policy = hub.policy.current().password
    password = request.form.get("password", "")[: policy.max_length + 1]
    if auth_session.signed_in() is not None and current_user.is_authenticated:
        personal = credentials.personal_data(current_user)
    else:
        personal = PersonalData(
            username=request.form.get("username", "")[:50],
            name=request.form.get("name", "")[:100],
            national_id=request.form.get("national_id", "")[:20],
            phones=tuple(p[:40] for p in request.form.getlist("phone")),
            emails=tuple(e[:254] for e in request.form.getlist("email")),
        )
        reset = credentials.find_reset(db(), request.form.get("reset_token", ""))
        account = db().get(Account, reset.account_id) if reset else None
        if account is not None:
            personal = credentials.personal_data(account)
    verdict = evaluate(policy, password, personal)
    return jsonify(
        score=verdict.score,
        level=verdict.level,
        level_text=gettext(verdict.level_text),
        ok=verdict.ok,
        problems=[gettext(p) for p in verdict.problems],
    )


# Captcha and language ------------------------------------------------------------------


@bp.get("/captcha/new")
def captcha_new() -> Response:
    hub = current_hub()
    if not Throttle(hub.store, hub.policy.current().lockout).allow("captcha", client_ip()):
        abort(429)
    challenge_id = new_captcha()
    if challenge_id is None:
        abort(404)
    return jsonify(
        id=challenge_id,
        image=url_for("portal.captcha_image", challenge_id=challenge_id),
        audio=url_for("portal.captcha_audio", challenge_id=challenge_id),
    )


def _captcha_answer(challenge_id: str) -> str:
    answer = captcha.answer_of(current_hub().store, challenge_id)
    if answer is None:
        abort(404)
    return answer


@bp.get("/captcha/<challenge_id>.png")
def captcha_image(challenge_id: str) -> Response:
    return Response(captcha.render_image(_captcha_answer(challenge_id)), mimetype="image/png")


@bp.get("/captcha/<challenge_id>.wav")
def captcha_audio(challenge_id: str) -> Response:
    audio = captcha.render_audio(_captcha_answer(challenge_id), current_locale())
    return Response(audio, mimetype="audio/wav")


@bp.get("/lang/<locale>")
def choose_language(locale: str) -> BaseResponse:
    if locale not in LOCALES:
        abort(404)
    target = request.args.get("next", "/")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = "/"
    response = redirect(target)
    response.set_cookie(
        COOKIE,
        locale,
        max_age=365 * 86400,
        samesite="Lax",
        httponly=True,
        secure=current_hub().settings.cookie_secure,
    )
    return response
