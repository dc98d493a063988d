"""Forms. Every one carries a CSRF token (Flask-WTF); error texts are zh-TW and
translated when shown."""

from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from ..services.attachments import Upload
from ..services.errors import Text, text

REQUIRED = "此欄位必填"
FORM_EXPIRED = "表單已逾時，請重新送出"


def form_problems(form: FlaskForm) -> dict[str, Text]:
    """Why a posted form was refused, by field: a missing or stale CSRF token as
    ``form`` (表單已逾時), a value too long or missing as its own field's problem — never
    the one reported as the other."""
    if "csrf_token" in form.errors:
        return {"form": text(FORM_EXPIRED)}
    found: dict[str, Text] = {}
    for name in form.errors:
        field = getattr(form, name)
        value = field.data if isinstance(field.data, str) else ""
        limit = next((c.max for c in field.validators if isinstance(c, Length)), -1)
        if 0 <= limit < len(value):
            found[name] = text("不可超過 {max} 字", max=limit)
        elif not value:
            found[name] = text(REQUIRED)
        else:
            found[name] = text("此欄位的內容不正確")
    return found


class SignInForm(FlaskForm):
    username = StringField(validators=[DataRequired(REQUIRED), Length(max=50)])
    password = PasswordField(validators=[DataRequired(REQUIRED), Length(max=256)])
    captcha_answer = StringField(validators=[Length(max=20)])
    captcha_id = HiddenField()
    rid = HiddenField()


class CardSignInForm(FlaskForm):
    """憑證登入. The card's answer (challenge, certificate, signature) is read as posted;
    the account and password are needed with an institution card only."""

    card_kind = StringField(validators=[AnyOf(["institution", "personnel"])])
    username = StringField(validators=[Length(max=50)])
    password = PasswordField(validators=[Length(max=256)])
    rid = HiddenField()


class ConfirmForm(FlaskForm):
    """A button and a CSRF token: sign-out, logout confirmation."""


class ConsentForm(FlaskForm):
    rid = HiddenField(validators=[DataRequired()])


class ChooseBindingForm(FlaskForm):
    """The account chooser: which binding to sign in to a subsystem as."""

    rid = HiddenField(validators=[DataRequired()])


class BindForm(FlaskForm):
    """業務子系統帳號綁定. The label's length is the binding service's rule."""

    label = StringField(validators=[Length(max=100)])
    subsystem = StringField(validators=[Length(max=40)])
    username = StringField(validators=[Length(max=60)])
    password = PasswordField(validators=[Length(max=1024)])


class LabelForm(FlaskForm):
    label = StringField(validators=[Length(max=100)])


class LogoutConfirmForm(FlaskForm):
    client_id = HiddenField()
    post_logout_redirect_uri = HiddenField()
    state = HiddenField()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(validators=[Length(max=256)])
    new_password = PasswordField(validators=[Length(max=1024)])
    confirm = PasswordField(validators=[Length(max=1024)])
    end_other_sessions = BooleanField(default=True)
    rid = HiddenField()


class ForgotPasswordForm(FlaskForm):
    username = StringField(validators=[Length(max=50)])
    email = StringField(validators=[Length(max=254)])
    captcha_answer = StringField(validators=[Length(max=20)])
    captcha_id = HiddenField()


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(validators=[Length(max=1024)])
    confirm = PasswordField(validators=[Length(max=1024)])


class ProfileForm(FlaskForm):
    """個人資料. What each value may be is the profile service's rule."""

    title = StringField()
    department = StringField()
    phone = StringField()
    phone_backup = StringField()
    mobile = StringField()
    email = StringField()
    email_backup = StringField()
    #: Asked for when an address changes (one a reset link can go to).
    current_password = PasswordField()


class PrivacyRequestForm(FlaskForm):
    """個資權利申請. What each value may be is the privacy service's rule."""

    kind = StringField(validators=[Length(max=20)])
    reason = TextAreaField(validators=[Length(max=1000)])
    current_password = PasswordField(validators=[Length(max=256)])


class SecondFactorForm(FlaskForm):
    """The second step of a sign-in: an authenticator-app code, a recovery code, or a
    passkey's answer (JSON, filled in by ``static/passkeys.js``)."""

    method = StringField(validators=[AnyOf(["totp", "recovery", "passkey"])])
    code = StringField(validators=[Length(max=40)])
    credential = HiddenField(validators=[Length(max=16_000)])


class PasskeySignInForm(FlaskForm):
    """Signing in with a passkey alone."""

    credential = HiddenField(validators=[DataRequired(), Length(max=16_000)])
    rid = HiddenField()


class PasskeyForm(FlaskForm):
    """Adding a passkey: its name, and the authenticator's answer."""

    name = StringField(validators=[Length(max=200)])
    credential = HiddenField(validators=[Length(max=16_000)])


class TotpForm(FlaskForm):
    code = StringField(validators=[Length(max=20)])


def chosen_files(field: str = "attachments") -> list[Upload]:
    """The files chosen in a form's file field (an empty field sends none)."""
    return [
        Upload(upload.filename or "", upload.read())
        for upload in request.files.getlist(field)
        if upload.filename
    ]
