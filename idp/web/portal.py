"""Public pages: home, sign-in (服務登入), sign-out, captcha, language."""

from __future__ import annotations

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

from ..oidc.authorize import load_pending, login_hint
from ..oidc.views import resume_authorization
from ..services import captcha
from ..services.signin import (
    CaptchaStep,
    PasswordStep,
    SigninAttempt,
    SigninFailed,
    Step,
    sign_in,
)
from . import auth_session
from .context import client_ip, current_hub, db
from .forms import ConfirmForm, SignInForm
from .i18n import COOKIE, LOCALES, current_locale, pick_locale, set_locale
from .signin_page import new_captcha, render_signin

bp = Blueprint("portal", __name__)


@bp.get("/")
def home() -> Response:
    current = auth_session.signed_in()
    if current is None or not current_user.is_authenticated:
        return render_signin(SignInForm())
    return Response(
        render_template(
            "home.html",
            current=current,
            account=current_user,
            previous_signin_at=session.get("previous_signin_at"),
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
        params = pending["params"]
        locale = pick_locale((params.get("ui_locales") or [""])[0])
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
    steps: list[Step] = [
        CaptchaStep(hub.store, hub.settings.captcha),
        PasswordStep(db(), hub.passwords),
    ]
    try:
        authn = sign_in(db(), steps, attempt)
    except SigninFailed as failure:
        db().commit()
        return render_signin(form, failure.message, status=401)
    auth_session.establish(authn)
    # Carry on with the subsystem's request, if any, in this same response.
    response = resume_authorization(rid) if rid else redirect(url_for("portal.home"))
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


@bp.get("/captcha/new")
def captcha_new() -> Response:
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
