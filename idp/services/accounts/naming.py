"""Account names (帳號) and applicants' names (姓名) under the policy's rules
(``policy.AccountNamePolicy``): an account name of the policy's length, letters and digits
mixed when the policy says so, and none a subsystem reserves (its catalogue); a person's
name that is only an institution's name (a unit's, or ending in an institution word) is
refused — seeds 000 and 001: 應為人名，不得以機構名稱填寫."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Unit
from ..errors import Text, text
from ..policy import AccountNamePolicy
from ..subsystems.catalogues import Catalogues
from .person import clean_name

LETTERS_AND_DIGITS = re.compile(r"[a-z0-9]+")


def account_name_problems(
    rule: AccountNamePolicy, catalogues: Catalogues, username: str
) -> list[Text]:
    """What is wrong with an account name (already normalised to lower case)."""
    if not LETTERS_AND_DIGITS.fullmatch(username) or not (
        rule.min_length <= len(username) <= rule.max_length
    ):
        return [
            text(
                "帳號須為 {low} 至 {high} 個英文字母或數字",
                low=rule.min_length,
                high=rule.max_length,
            )
        ]
    problems = []
    if rule.require_letters_and_digits and (username.isdigit() or username.isalpha()):
        problems.append(text("帳號須英文字母與數字混合"))
    for subsystem in catalogues.values():
        if subsystem.reserves(username):
            problems.append(
                text(
                    "此帳號名稱保留給{subsystem}使用，請換一個",
                    subsystem=subsystem.abbreviation.zh_tw,
                )
            )
    return problems


def institution_name_problem(db: Session, rule: AccountNamePolicy, name: str) -> Text | None:
    """A person's name that is only an institution's name."""
    cleaned = clean_name(name)
    if not cleaned:
        return None
    if cleaned.endswith(rule.words()) or db.scalar(
        select(Unit.id).where(Unit.name == cleaned).limit(1)
    ):
        return text("姓名應為人名，不得以機構名稱填寫")
    return None
