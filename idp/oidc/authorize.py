"""What the authorization endpoint does with a valid request: sign the person in,
ask for consent, or issue a code (OpenID Connect Core section 3.1.2).

The decision is a pure function of the request and the hub session, so each rule
(``prompt``, ``max_age``, ``id_token_hint``, first-party consent) is testable alone.
A request that needs the person's interaction is kept in their browser session and
resumed by id once they have signed in or consented.
"""

from __future__ import annotations

import enum
import secrets
import time
from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc6749.errors import InvalidRequestError, OAuth2Error
from authlib.oidc.core.errors import ConsentRequiredError, LoginRequiredError
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ..models.subsystem_account import BINDING_ID_PREFIX
from ..services.signin.steps import ACR_VALUES, acr_satisfies

#: Kept per browser session; older pending requests are dropped beyond this.
MAX_PENDING = 5
PENDING_TTL_SECONDS = 1800


@dataclass(frozen=True)
class AuthContext:
    """The hub session behind an authorization, as recorded in codes and grants."""

    account_id: int
    sid: str
    auth_time: int
    acr: str
    amr: tuple[str, ...]
    offline_consented: bool = False
    #: The bound subsystem account the person signs in to the client as, if any.
    subsystem_account_id: int | None = None


class Next(enum.Enum):
    SIGN_IN = "sign_in"
    CONSENT = "consent"
    ISSUE = "issue"


@dataclass(frozen=True)
class Interaction:
    """The parts of an authorization request that decide what happens next."""

    prompts: frozenset[str]
    max_age: int | None
    hint_subject: str | None
    first_party: bool
    #: The weakest ``acr`` this request accepts (``acr_values`` and the client's minimum).
    required_acr: str | None = None


def required_acr(acr_values: str | None, client_min: str = "") -> str | None:
    """The level a session must have for this request: the weakest known value in
    ``acr_values`` (any one of them will do), raised to the client's minimum. Unknown
    values are ignored (OpenID Connect Core section 3.1.2.1: voluntary claims)."""
    requested = [v for v in (acr_values or "").split() if v in ACR_VALUES]
    levels = [min(requested, key=ACR_VALUES.index)] if requested else []
    if client_min in ACR_VALUES:
        levels.append(client_min)
    return max(levels, key=ACR_VALUES.index) if levels else None


def parse_interaction(
    data: Any, first_party: bool, hint_subject: str | None, client_min_acr: str = ""
) -> Interaction:
    raw_max_age = data.get("max_age")
    max_age = None
    if raw_max_age not in (None, ""):
        if not str(raw_max_age).isdigit():
            raise InvalidRequestError("'max_age' must be a non-negative integer.")
        max_age = int(raw_max_age)
    return Interaction(
        prompts=frozenset((data.get("prompt") or "").split()),
        max_age=max_age,
        hint_subject=hint_subject,
        first_party=first_party,
        required_acr=required_acr(data.get("acr_values"), client_min_acr),
    )


def next_step(
    interaction: Interaction,
    *,
    subject: str | None,
    auth_time: int | None,
    signed_in_for_this_request: bool,
    consented: bool,
    acr: str | None = None,
    now: float | None = None,
) -> Next:
    """Raises login_required / consent_required for ``prompt=none`` instead of asking.
    A session weaker than the required ``acr`` signs in again (step-up)."""
    now = time.time() if now is None else now
    silent = "none" in interaction.prompts
    asks_sign_in = bool(interaction.prompts & {"login", "select_account"})
    too_old = interaction.max_age is not None and now - (auth_time or 0) > interaction.max_age
    other_person = interaction.hint_subject is not None and interaction.hint_subject != subject
    must_sign_in = (
        subject is None
        or auth_time is None
        or (not signed_in_for_this_request and (asks_sign_in or too_old))
        or other_person
        or not meets_acr(interaction, acr)
    )
    if must_sign_in:
        if silent:
            raise LoginRequiredError()
        return Next.SIGN_IN
    wants_consent = "consent" in interaction.prompts or not interaction.first_party
    if wants_consent and not consented:
        if silent:
            raise ConsentRequiredError()
        return Next.CONSENT
    return Next.ISSUE


def meets_acr(interaction: Interaction, acr: str | None) -> bool:
    required = interaction.required_acr
    return required is None or (acr is not None and acr_satisfies(acr, required))


def id_token_hint_subject(hint: str | None, keys: KeySet, issuer: str) -> str | None:
    """The ``sub`` of an ID token this hub issued; expiry does not matter for a hint."""
    if not hint:
        return None
    try:
        token = jwt.decode(hint, keys)
    except (JoseError, ValueError) as exc:
        raise InvalidRequestError("Invalid 'id_token_hint'.") from exc
    if token.claims.get("iss") != issuer or not token.claims.get("sub"):
        raise InvalidRequestError("The 'id_token_hint' was not issued by this provider.")
    return str(token.claims["sub"])


# Pending requests, kept in the (server-side) browser session -------------------------


def save_pending(
    session: Any, params: dict[str, list[str]], consented: bool = False, rid: str | None = None
) -> str:
    pending: dict[str, Any] = dict(session.get("authreqs") or {})
    now = time.time()
    pending = {k: v for k, v in pending.items() if now - v["created_at"] < PENDING_TTL_SECONDS}
    if rid is None:
        rid = secrets.token_urlsafe(12)
        created_at = now
    else:
        created_at = pending.get(rid, {}).get("created_at", now)
    pending[rid] = {"params": params, "created_at": created_at, "consented": consented}
    if len(pending) > MAX_PENDING:
        oldest = sorted(pending, key=lambda k: pending[k]["created_at"])
        for key in oldest[: len(pending) - MAX_PENDING]:
            del pending[key]
    session["authreqs"] = pending
    return rid


def load_pending(session: Any, rid: str) -> dict[str, Any] | None:
    entry: dict[str, Any] | None = (session.get("authreqs") or {}).get(rid)
    if entry is None or time.time() - entry["created_at"] >= PENDING_TTL_SECONDS:
        return None
    return entry


def drop_pending(session: Any, rid: str) -> None:
    pending = dict(session.get("authreqs") or {})
    if pending.pop(rid, None) is not None:
        session["authreqs"] = pending


def login_hint(params: dict[str, list[str]]) -> str:
    """The ``login_hint`` of a saved request, to fill in the account field; a hint naming
    a binding is no account name."""
    hint = (params.get("login_hint") or [""])[0]
    return "" if hint.startswith(BINDING_ID_PREFIX) else hint[:50]


def error_redirect_params(error: OAuth2Error) -> list[tuple[str, str]]:
    return [(k, v) for k, v in error.get_body() if v is not None]
