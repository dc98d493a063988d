"""Forms. Every one carries a CSRF token (Flask-WTF); error texts are zh-TW and
translated when shown."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

REQUIRED = "此欄位必填"


class SignInForm(FlaskForm):
    username = StringField(validators=[DataRequired(REQUIRED), Length(max=50)])
    password = PasswordField(validators=[DataRequired(REQUIRED), Length(max=256)])
    captcha_answer = StringField(validators=[Length(max=20)])
    captcha_id = HiddenField()
    rid = HiddenField()


class ConfirmForm(FlaskForm):
    """A button and a CSRF token: sign-out, logout confirmation."""


class ConsentForm(FlaskForm):
    rid = HiddenField(validators=[DataRequired()])


class LogoutConfirmForm(FlaskForm):
    client_id = HiddenField()
    post_logout_redirect_uri = HiddenField()
    state = HiddenField()
