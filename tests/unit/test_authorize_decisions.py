"""The authorization endpoint's rules, one at a time (OpenID Connect Core 3.1.2.1)."""

from __future__ import annotations

import pytest
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oidc.core.errors import ConsentRequiredError, LoginRequiredError

from idp.http.interaction import Next
from idp.oidc.authorize import Interaction, next_step, parse_interaction

NOW = 1_000_000.0


def decide(
    prompt: str = "",
    max_age: int | None = None,
    hint: str | None = None,
    first_party: bool = True,
    subject: str | None = "alice",
    auth_time: int | None = 999_000,
    fresh: bool = False,
    consented: bool = False,
) -> Next:
    interaction = Interaction(frozenset(prompt.split()), max_age, hint, first_party)
    return next_step(
        interaction,
        subject=subject,
        auth_time=auth_time,
        signed_in_for_this_request=fresh,
        consented=consented,
        now=NOW,
    )


def test_no_session_means_sign_in() -> None:
    assert decide(subject=None, auth_time=None) is Next.SIGN_IN


def test_a_session_is_used_silently_for_first_party_clients() -> None:
    assert decide() is Next.ISSUE


def test_prompt_none_never_shows_a_page() -> None:
    with pytest.raises(LoginRequiredError):
        decide(prompt="none", subject=None, auth_time=None)
    with pytest.raises(ConsentRequiredError):
        decide(prompt="none", first_party=False)
    assert decide(prompt="none") is Next.ISSUE


def test_prompt_login_until_signed_in_for_this_request() -> None:
    assert decide(prompt="login") is Next.SIGN_IN
    assert decide(prompt="login", fresh=True) is Next.ISSUE


def test_max_age() -> None:
    assert decide(max_age=2000) is Next.ISSUE  # signed in 1000 s ago
    assert decide(max_age=500) is Next.SIGN_IN
    assert decide(max_age=0, fresh=True) is Next.ISSUE
    with pytest.raises(LoginRequiredError):
        decide(prompt="none", max_age=500)


def test_id_token_hint_for_another_person() -> None:
    assert decide(hint="alice") is Next.ISSUE
    assert decide(hint="bob") is Next.SIGN_IN
    with pytest.raises(LoginRequiredError):
        decide(prompt="none", hint="bob")


def test_consent() -> None:
    assert decide(prompt="consent") is Next.CONSENT
    assert decide(prompt="consent", consented=True) is Next.ISSUE
    assert decide(first_party=False) is Next.CONSENT
    assert decide(prompt="login consent", fresh=True) is Next.CONSENT


def test_max_age_must_be_a_number() -> None:
    with pytest.raises(InvalidRequestError):
        parse_interaction({"max_age": "soon"}, True, None)
    assert parse_interaction({"max_age": "0"}, True, None).max_age == 0
