"""The least W6 (a complete password sign-in) can cost on the hub's stack: Flask and
Authlib's authorization code flow with PKCE and an ES256 ID token, served by granian,
with one argon2id check at the hub's settings and nothing else of the hub's own.

    bash bench/floor.sh        # this beside node-oidc-provider, through the harness's W6

The same steps as a sign-in at the hub: ``GET /authorize`` answers a sign-in page; its
POST checks the password and, since the benchmark asks ``prompt=consent``, answers the
consent page; the consent's POST redirects to the client with the code; ``POST /token``
exchanges it. No database, Redis, lockout, captcha, CSRF token, audit, portal menu or
translations: the signed-in person is kept in Flask's signed cookie, the codes and
tokens in dicts, the pages are two small templates.
"""

from __future__ import annotations

import os
import secrets
import time
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import OpenIDCode, UserInfo
from flask import Flask, Response, request, session
from joserfc.jwk import ECKey

from idp.config import Settings
from idp.services.signin.passwords import Passwords

CLIENT_ID = "bench-client"
CLIENT_SECRET = "bench-secret"
REDIRECT_URI = "http://127.0.0.1:9/cb"
USERNAME, PASSWORD = "bench-user", "bench-password"
ISSUER = os.environ.get("FLOOR_ISSUER", "http://127.0.0.1:5099")
KEY = ECKey.generate_key("P-256", parameters={"kid": "floor", "use": "sig"})

SETTINGS = Settings.from_env()
PASSWORDS = Passwords(
    SETTINGS.argon2_time_cost, SETTINGS.argon2_memory_kib, SETTINGS.argon2_parallelism
)
STORED = PASSWORDS.hash(PASSWORD)


class Client(ClientMixin):
    id_token_signed_response_alg = "ES256"

    def get_client_id(self) -> str:
        return CLIENT_ID

    def get_default_redirect_uri(self) -> str:
        return REDIRECT_URI

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in scope.split() if s in ("openid", "offline_access"))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri == REDIRECT_URI

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, CLIENT_SECRET)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "client_secret_basic"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


class Person:
    def get_user_id(self) -> str:
        return "1"


class Code:
    def __init__(self, code: str, request: Any, auth_time: int) -> None:
        self.code, self.auth_time = code, auth_time
        self.redirect_uri = request.payload.redirect_uri
        self.scope = request.payload.scope
        self.nonce = request.payload.data.get("nonce")
        self.code_challenge = request.payload.data.get("code_challenge")
        self.code_challenge_method = request.payload.data.get("code_challenge_method")
        self.issued_at = time.time()

    def get_redirect_uri(self) -> str:
        return str(self.redirect_uri)

    def get_scope(self) -> str:
        return str(self.scope)

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str:
        return "0"

    def get_amr(self) -> list[str]:
        return ["pwd"]

    def is_expired(self) -> bool:
        return time.time() > self.issued_at + 60


CLIENT, PERSON = Client(), Person()
CODES: dict[str, Code] = {}
TOKENS: dict[str, dict[str, Any]] = {}


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]

    def save_authorization_code(self, code: str, request: Any) -> None:
        CODES[code] = Code(code, request, session["auth_time"])

    def query_authorization_code(self, code: str, client: ClientMixin) -> Code | None:
        return CODES.get(code)

    def delete_authorization_code(self, authorization_code: Code) -> None:
        CODES.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: Code) -> Person:
        return PERSON


class FloorOpenIDCode(OpenIDCode):
    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return any(code.nonce == nonce for code in CODES.values())

    def resolve_client_private_key(self, client: ClientMixin) -> ECKey:
        return KEY

    def get_client_claims(self, client: ClientMixin) -> dict[str, Any]:
        return {"iss": ISSUER, "aud": CLIENT_ID}

    def generate_user_info(self, user: Person, scope: str) -> UserInfo:
        return UserInfo(sub=user.get_user_id())


def save_token(token: dict[str, Any], request: Any) -> None:
    if len(TOKENS) > 200_000:  # bounded memory over a long run
        TOKENS.clear()
    TOKENS[token["access_token"]] = token


app = Flask(__name__)
app.secret_key = secrets.token_bytes(32)
app.config["OAUTH2_REFRESH_TOKEN_GENERATOR"] = True
server = AuthorizationServer(
    app, query_client=lambda cid: CLIENT if cid == CLIENT_ID else None, save_token=save_token
)
server.register_grant(CodeGrant, [CodeChallenge(required=True), FloorOpenIDCode()])

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
</head><body><main><h1>{{ title }}</h1>
<form method="post" action="{{ action }}">{% if signin %}
<label for="username">Username</label> <input id="username" name="username" type="text">
<label for="password">Password</label> <input id="password" name="password" type="password">
{% endif %}<button type="submit">{{ button }}</button></form></main></body></html>"""
TEMPLATE = app.jinja_env.from_string(PAGE)


def page(title: str, action: str, button: str, signin: bool) -> str:
    query = request.query_string.decode()
    return TEMPLATE.render(title=title, action=f"{action}?{query}", button=button, signin=signin)


@app.get("/.well-known/openid-configuration")
def discovery() -> dict[str, Any]:
    return {
        "issuer": ISSUER,
        "authorization_endpoint": ISSUER + "/authorize",
        "token_endpoint": ISSUER + "/token",
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
    }


@app.get("/authorize")
def authorize() -> str:
    server.get_consent_grant(end_user=None)
    return page("Sign in", "/authorize/signin", "Sign in", signin=True)


@app.post("/authorize/signin")
def signin() -> str | tuple[str, int]:
    server.get_consent_grant(end_user=None)
    good = request.form.get("username") == USERNAME and PASSWORDS.check(
        STORED, request.form.get("password", "")
    )
    if not good:
        return page("Sign in", "/authorize/signin", "Sign in", signin=True), 400
    session["auth_time"] = int(time.time())
    return page("Allow access", "/authorize/consent", "Allow", signin=False)


@app.post("/authorize/consent")
def consent() -> Response:
    person = PERSON if "auth_time" in session else None
    grant = server.get_consent_grant(end_user=person)
    return server.create_authorization_response(  # type: ignore[no-any-return]
        grant=grant, grant_user=person
    )


@app.post("/token")
def token() -> Response:
    return server.create_token_response()  # type: ignore[no-any-return]
