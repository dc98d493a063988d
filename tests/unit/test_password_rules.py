"""Each rule of the password policy (seeds: ≥ 12, upper, lower, digit, one of ~!#^*,
strength 中 or better, no personal data, not common, not reused)."""

from __future__ import annotations

import dataclasses

import pytest

from idp.services import policy
from idp.services.signin.password_rules import PersonalData, evaluate

DEFAULT = policy.parse_policy(policy.default_document()).password
PERSON = PersonalData(
    username="wang2024",
    name="王小明",
    national_id="A123456789",
    phones=("02-12345678#123", "0912-345678"),
    emails=("xiaoming.wang@example.org",),
)


@pytest.mark.parametrize(
    "password,problem",
    [
        ("Ab1~Ab1~", "長度至少 12 個字元"),
        ("abcdefghijk1~x", "須包含大寫英文字母"),
        ("ABCDEFGHIJK1~X", "須包含小寫英文字母"),
        ("Abcdefghijkl~x", "須包含數字"),
        ("Abcdefghijk1xy", "須包含下列符號其中之一"),
        ("Abcdefghijk1~%x", "只能使用英文字母、數字與下列符號"),
        ("Kx9~wang2024~Rt", "不可包含個人資料"),
        ("Kx9~A123456789~R", "不可包含個人資料"),
        ("Tel~0212345678~Zq", "不可包含個人資料"),
        ("Qz~xiaoming.wang~7", "不可包含個人資料"),
        ("Passw0rd~123", "密碼強度須為「中」以上"),
    ],
)
def test_each_rule(password: str, problem: str) -> None:
    verdict = evaluate(DEFAULT, password, PERSON)
    assert any(problem in str(p) for p in verdict.problems), verdict.problems


def test_a_good_password_passes_and_reads_as_strong() -> None:
    verdict = evaluate(DEFAULT, "Harbor~Lantern7Quiet", PERSON)
    assert verdict.ok, verdict.problems
    assert verdict.level == "strong" and verdict.level_text == "強"


def test_common_passwords_are_refused() -> None:
    lenient = dataclasses.replace(
        DEFAULT,
        min_length=8,
        require_upper=False,
        require_symbol=False,
        min_strength=0,
        only_listed_symbols=False,
    )
    assert any("常見的密碼" in str(p) for p in evaluate(lenient, "password123", PERSON).problems)
    assert evaluate(lenient, "veldt7harbor", PERSON).ok


def test_symbol_set_is_a_policy_field() -> None:
    older = dataclasses.replace(DEFAULT, symbols="*~!=#")
    assert evaluate(older, "Harbor=Lantern7Quiet", PERSON).ok
    assert not evaluate(DEFAULT, "Harbor=Lantern7Quiet", PERSON).ok


def test_very_long_input_is_bounded() -> None:
    verdict = evaluate(DEFAULT, "Aa1~" * 10_000, PERSON)
    assert any("長度不可超過" in str(p) for p in verdict.problems)
