"""What the authorization endpoint does with a valid request: sign the person in (or in
again, at the level the client requires), have an expired password changed or an
overdue second factor enrolled, ask for consent, or issue a code (OpenID Connect Core
section 3.1.2).

The decision is a pure function of the request and the hub session, so each rule
(``prompt``, ``max_age``, ``id_token_hint``, ``acr_values``, first-party consent) is
testable alone. A request that needs the person is paused in ``idp.http.interaction``
and resumed once they have done the step.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc6749.errors import InvalidRequestError, OAuth2Error
from authlib.oidc.core.errors import (
    ConsentRequiredError,
    InteractionRequiredError,
    LoginRequiredError,
)
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ..http.interaction import Next
from ..services.signin.steps import ACR_PASSWORD, ACR_VALUES, acr_satisfies
from .request_syntax import SYNTAX


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
        if not SYNTAX["max_age"].fullmatch(str(raw_max_age)):
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
    password_change_required: bool = False,
    enrolment_overdue: bool = False,
    now: float | None = None,
) -> Next:
    """Raises login_required / interaction_required / consent_required for
    ``prompt=none`` instead of asking. A session weaker than the required ``acr`` signs
    in again at that level (step-up). Which subsystem account to sign in as is decided
    after this, once a code may be issued (``subsystem_login``)."""
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
        stronger = interaction.required_acr not in (None, ACR_PASSWORD)
        return Next.STEP_UP if stronger else Next.SIGN_IN
    if password_change_required or enrolment_overdue:
        if silent:
            raise InteractionRequiredError()
        return Next.CHANGE_PASSWORD if password_change_required else Next.ENROL_SECOND_FACTOR
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


def error_redirect_params(error: OAuth2Error) -> list[tuple[str, str]]:
    return [(k, v) for k, v in error.get_body() if v is not None]
