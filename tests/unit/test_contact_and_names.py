"""Phone numbers in one spelling, e-mail by email-validator, names as a person's name, and
every code a person may see named in words."""

from __future__ import annotations

import pytest

from idp.http.i18n import catalog
from idp.models import (
    AccountRole,
    AccountStatus,
    ApplicationStatus,
    ReviewRoute,
    RoleChangeKind,
    UnitKind,
)
from idp.services import names, policy
from idp.services.accounts.contact import clean_email, clean_mobile, clean_phone, phone_problem
from idp.services.accounts.person import clean_name, name_problem
from idp.services.errors import text


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("02-12345678#123", "02-12345678#123"),
        ("0212345678", "02-12345678"),
        ("(02)1234-5678 ext 123", "02-12345678#123"),
        ("02 1234 5678 分機 12", "02-12345678#12"),
        ("+886-2-1234-5678", "02-12345678"),
        ("０２－１２３４５６７８", "02-12345678"),
        ("0422345678", "04-22345678"),
        ("049-2345678", "049-2345678"),
        ("037-123456", "037-123456"),
    ],
)
def test_landlines_are_stored_in_one_spelling(typed: str, stored: str) -> None:
    assert clean_phone(typed) == stored


@pytest.mark.parametrize(
    "typed", ["0912-345678", "0912345678", "+886912345678", "+886 912 345 678"]
)
def test_mobiles_are_stored_in_one_spelling(typed: str) -> None:
    assert clean_mobile(typed) == "0912-345678"


@pytest.mark.parametrize("typed", ["1234", "02-1", "abc", "0812345678", "0912345678#1"])
def test_what_is_no_mobile_is_refused(typed: str) -> None:
    assert clean_mobile(typed) is None


def test_a_mobile_typed_as_a_landline_is_pointed_to_the_mobile_field() -> None:
    assert clean_phone("0912345678") is None
    assert "手機" in (phone_problem("0912345678", required=True) or "")
    assert phone_problem("12345", required=True) == phone_problem("x", required=True)


@pytest.mark.parametrize("typed", ["<b>x</b>@x.org", "a@b.c", "not-an-address", "x@localhost"])
def test_bad_addresses_are_refused(typed: str) -> None:
    assert clean_email(typed) is None


def test_addresses_are_normalised() -> None:
    assert clean_email(" Wang@EXAMPLE.org ") == "Wang@example.org"


@pytest.mark.parametrize(
    "name",
    ["王小明", "Walis·Nokan", "瓦歷斯·諾幹", "Pasang Ta'ay", "Anne-Marie O'Neil", "José Núñez"],
)
def test_names_of_people_are_accepted(name: str) -> None:
    assert name_problem(name) is None


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", "1234567", "王😀明", "·", "A1", ""])
def test_what_is_no_name_is_refused(name: str) -> None:
    assert name_problem(name) is not None


def test_names_are_trimmed_and_spaces_folded() -> None:
    assert clean_name("  王　小明 ") == "王 小明"


def test_every_code_has_a_name_in_both_languages() -> None:
    english = catalog("en")
    kinds = (AccountRole, AccountStatus, ApplicationStatus, ReviewRoute, RoleChangeKind, UnitKind)
    for kind in kinds:
        for member in kind:
            name = names.name_of(member)
            assert name != names.UNKNOWN and name in english, member
    for key in policy.parse_policy(policy.default_document()).flat():
        assert names.POLICY_SETTING[key] in english, key
    for code in ("pwd", "sc", "pin", "mfa"):
        assert names.auth_method(code) in english
    for reason in ("credentials", "locked", "captcha", "address_limited", "status:dormant"):
        assert names.signin_failure(reason) != names.UNKNOWN


def test_policy_refusals_name_settings_by_their_labels() -> None:
    problem = text(
        "{name} 不可小於 {other}", name="password.max_length", other="password.min_length"
    )
    labelled = names.policy_text(problem)
    assert str(labelled) == "最長長度 不可小於 最短長度"
    assert str(problem) == "password.max_length 不可小於 password.min_length"  # the CLI's words
