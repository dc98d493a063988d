"""The demo subsystem: signs in through the hub with Authlib's OpenID Connect client,
shows who signed in, as which subsystem account, and what the hub said about them, takes
sign-ins started at the hub (third-party-initiated login, OpenID Connect Core section 4),
signs out through the hub (RP-initiated logout) and honours back-channel logout."""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from authlib.integrations.flask_client import OAuth
from flask import Flask, abort, redirect, render_template, request, session, url_for
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from werkzeug.wrappers import Response

from .rfc9470 import requested_acr_values, step_up_challenge

BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
#: The hub's card level (discovery's acr_values_supported): the demo API's records need it.
CARD_ACR = "urn:onedoor:acr:card"
#: How long ended hub sessions and seen logout tokens are remembered.
MEMORY_SECONDS = 24 * 3600


@dataclass(frozen=True)
class RelyingParty:
    name: str
    client_id: str
    client_secret: str
    issuer: str
    base_url: str
    scope: str = "openid profile email phone unit subsystem"


class LogoutRegistry:
    """Hub sessions ended by a back-channel logout, and logout tokens already used."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ended: dict[str, float] = {}
        self._seen_jti: dict[str, float] = {}

    def end(self, sid: str | None, sub: str | None, jti: str) -> bool:
        now = time.time()
        with self._lock:
            for table in (self._ended, self._seen_jti):
                for key in [k for k, t in table.items() if now - t > MEMORY_SECONDS]:
                    del table[key]
            if jti in self._seen_jti:
                return False
            self._seen_jti[jti] = now
            self._ended[f"sid:{sid}" if sid else f"sub:{sub}"] = now
            return True

    def is_ended(self, sid: str | None, sub: str | None, since: float) -> bool:
        with self._lock:
            if sid and f"sid:{sid}" in self._ended:
                return True
            ended_for_sub = self._ended.get(f"sub:{sub}")
            return ended_for_sub is not None and ended_for_sub >= since


class HubKeys:
    """The hub's JWKS, fetched again when a token names a key it has not seen."""

    def __init__(self, jwks_uri: str) -> None:
        self.jwks_uri = jwks_uri
        self._keys: KeySet | None = None

    def get(self, kid: str | None) -> KeySet:
        if self._keys is None or (kid and not any(k.kid == kid for k in self._keys.keys)):
            response = requests.get(self.jwks_uri, timeout=5)
            response.raise_for_status()
            self._keys = KeySet.import_key_set(response.json())
        return self._keys


def validate_logout_token(token: str, rp: RelyingParty, keys: HubKeys) -> dict[str, Any]:
    """Back-Channel Logout 1.0 section 2.6."""
    decoded = jwt.decode(
        token, lambda guest: keys.get(guest.headers().get("kid")), algorithms=["RS256", "ES256"]
    )
    claims = decoded.claims
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": rp.issuer},
        aud={"essential": True, "value": rp.client_id},
        iat={"essential": True},
        exp={"essential": True},
        jti={"essential": True},
    )
    registry.validate(claims)
    events = claims.get("events")
    if not isinstance(events, dict) or BACKCHANNEL_EVENT not in events:
        raise ValueError("not a back-channel logout event")
    if "nonce" in claims:
        raise ValueError("a logout token must not contain a nonce")
    if not claims.get("sid") and not claims.get("sub"):
        raise ValueError("a logout token needs sid or sub")
    if decoded.header.get("typ") not in (None, "logout+jwt"):
        raise ValueError("unexpected token type")
    return dict(claims)


def same_origin(url: str, base_url: str) -> bool:
    """Whether ``url`` is an absolute URL of this subsystem's own origin."""
    target, own = urlsplit(url), urlsplit(base_url)
    return (target.scheme, target.netloc) == (own.scheme, own.netloc) and not target.fragment


def create_rp(rp: RelyingParty) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_urlsafe(32),
        SESSION_COOKIE_NAME=f"demo_rp_{rp.client_id}",
        SESSION_COOKIE_SAMESITE="Lax",
    )
    oauth = OAuth(app)
    oauth.register(
        "hub",
        client_id=rp.client_id,
        client_secret=rp.client_secret,
        server_metadata_url=rp.issuer + "/.well-known/openid-configuration",
        client_kwargs={"scope": rp.scope, "code_challenge_method": "S256"},
    )
    ended = LogoutRegistry()
    keys: dict[str, HubKeys] = {}

    def hub_keys() -> HubKeys:
        if "hub" not in keys:
            keys["hub"] = HubKeys(oauth.hub.load_server_metadata()["jwks_uri"])
        return keys["hub"]

    @app.before_request
    def drop_ended_session() -> None:
        user = session.get("user")
        if user and ended.is_ended(user.get("sid"), user.get("sub"), session.get("since", 0)):
            session.clear()

    @app.get("/")
    def home() -> str:
        return render_template(
            "rp.html",
            rp=rp,
            user=session.get("user"),
            claims=session.get("claims"),
            switch_url=rp.issuer + "/switch-in",
        )

    @app.get("/login")
    def login() -> Response:
        session.pop("target", None)
        extra: dict[str, str] = {}
        if request.args.get("acr_values"):
            # Step-up asked for by the API (RFC 9470): come back to where it was asked.
            extra["acr_values"] = request.args["acr_values"]
            session["target"] = rp.base_url + "/card-records"
        return oauth.hub.authorize_redirect(rp.base_url + "/callback", **extra)

    @app.get("/api/card-records")
    def card_records_api() -> Response:
        """A resource only a card sign-in may read; the access token's level comes from
        the hub's introspection."""
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        metadata = oauth.hub.load_server_metadata()
        answer = requests.post(
            metadata["introspection_endpoint"],
            auth=(rp.client_id, rp.client_secret),
            data={"token": token},
            timeout=10,
        ).json()
        if not token or not answer.get("active"):
            return Response("", 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        if answer.get("acr") != CARD_ACR:
            challenge = step_up_challenge(CARD_ACR, "A card sign-in is required")
            return Response("", 401, {"WWW-Authenticate": challenge})
        return Response(
            json.dumps({"records": ["醫事機構資料 (card level)"]}),
            mimetype="application/json",
        )

    @app.get("/card-records")
    def card_records() -> Response | str:
        """A page showing the API's records, stepping up when the API asks for it."""
        if not session.get("access_token"):
            return redirect(url_for("login"))
        answer = requests.get(
            rp.base_url + "/api/card-records",
            headers={"Authorization": "Bearer " + session["access_token"]},
            timeout=20,
        )
        if answer.status_code == 401:
            acr_values = requested_acr_values(answer.headers.get("WWW-Authenticate", ""))
            return redirect(url_for("login", acr_values=acr_values))
        answer.raise_for_status()
        return render_template("card_records.html", rp=rp, records=answer.json()["records"])

    @app.route("/initiate-login", methods=["GET", "POST"])
    def initiate_login() -> Response:
        """OpenID Connect Core section 4: a sign-in started at the hub (帳號簽入)."""
        values = request.values
        if values.get("iss") != rp.issuer:
            abort(400, "login initiated by an unexpected issuer")
        target = values.get("target_link_uri") or rp.base_url + "/"
        if not same_origin(target, rp.base_url):
            abort(400, "target_link_uri is not a page of this subsystem")
        session["target"] = target
        extra = {"login_hint": values["login_hint"]} if values.get("login_hint") else {}
        return oauth.hub.authorize_redirect(rp.base_url + "/callback", **extra)

    @app.get("/callback")
    def callback() -> Response:
        # RFC 9207: the response must come from the issuer we sent the person to.
        if request.args.get("iss") != rp.issuer:
            abort(400, "response from an unexpected issuer")
        if "error" in request.args:
            return Response(render_template("rp_error.html", rp=rp, error=request.args), status=400)
        token = oauth.hub.authorize_access_token()
        id_claims = token["userinfo"]
        userinfo = oauth.hub.userinfo(token=token)
        target = session.get("target") or url_for("home")
        # A new sign-in, perhaps as another subsystem account: the old session ends.
        session.clear()
        session["user"] = {
            "sub": id_claims["sub"],
            "sid": id_claims.get("sid"),
            "name": userinfo.get("name") or userinfo.get("preferred_username"),
            "subsystem_account": userinfo.get("subsystem_account"),
            "role": userinfo.get("role"),
            "unit_name": userinfo.get("unit_name"),
            "menu_roles": userinfo.get("menu_roles") or [],
        }
        session["claims"] = {"id_token": dict(id_claims), "userinfo": dict(userinfo)}
        session["id_token"] = token["id_token"]
        session["access_token"] = token["access_token"]
        session["since"] = time.time()
        return redirect(target)

    @app.post("/logout")
    def logout() -> Response:
        id_token = session.get("id_token")
        session.clear()
        metadata = oauth.hub.load_server_metadata()
        params = {"post_logout_redirect_uri": rp.base_url + "/", "client_id": rp.client_id}
        if id_token:
            params["id_token_hint"] = id_token
        return redirect(metadata["end_session_endpoint"] + "?" + urlencode(params))

    @app.post("/backchannel-logout")
    def backchannel_logout() -> Response:
        try:
            claims = validate_logout_token(request.form.get("logout_token", ""), rp, hub_keys())
        except (JoseError, ValueError, requests.RequestException) as exc:
            return Response(
                f"invalid logout token: {exc}", status=400, headers={"Cache-Control": "no-store"}
            )
        if not ended.end(claims.get("sid"), claims.get("sub"), str(claims["jti"])):
            return Response(
                "logout token replayed", status=400, headers={"Cache-Control": "no-store"}
            )
        return Response("", status=200, headers={"Cache-Control": "no-store"})

    return app
