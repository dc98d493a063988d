"""Checking a new password against the password policy (密碼設定規範).

One function decides: the forms, the command line and the strength meter on the page
(which asks the server as the person types) all get the same verdict from here.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from functools import cache

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from ..errors import Text, text
from ..policy_sections import PasswordPolicy

#: zxcvbn scores 0-4 shown as 弱 / 中 / 強.
LEVELS = {0: "weak", 1: "weak", 2: "medium", 3: "strong", 4: "strong"}
LEVEL_TEXT = {"weak": "弱", "medium": "中", "strong": "強"}
COMMON_PASSWORDS = 10_000
PERSONAL_DATA_RULE = "不可包含個人資料（帳號、姓名、身分證、電話、電子郵件、生日）"
#: zxcvbn examines at most this many characters (its own limit; the cost grows with length).
STRENGTH_INPUT = 72


@dataclass(frozen=True)
class PersonalData:
    """What a person might put in a password: refused outright and given to zxcvbn."""

    username: str = ""
    name: str = ""
    national_id: str = ""
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    birthday: str = ""

    def words(self) -> list[str]:
        words = [self.username, self.name, self.national_id, self.birthday]
        words += [email.split("@")[0] for email in self.emails]
        words += [re.sub(r"\D", "", phone.split("#")[0]) for phone in self.phones]
        return [w.lower() for w in words if len(w) >= 3]


@dataclass(frozen=True)
class Verdict:
    score: int
    level: str
    problems: list[Text] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def level_text(self) -> str:
        return LEVEL_TEXT[self.level]


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_PASSWORDS])


def _digit_runs(text: str) -> list[str]:
    return re.findall(r"\d{6,}", text)


def contains_personal_data(password: str, personal: PersonalData) -> bool:
    lowered = password.lower()
    if any(word in lowered for word in personal.words()):
        return True
    # A phone number or ID written with other separators still counts.
    digits = re.sub(r"\D", "", password)
    return any(run in digits for word in personal.words() for run in _digit_runs(word))


def evaluate(policy: PasswordPolicy, password: str, personal: PersonalData) -> Verdict:
    problems = []
    if len(password) < policy.min_length:
        problems.append(text("長度至少 {n} 個字元", n=policy.min_length))
    if len(password) > policy.max_length:
        problems.append(text("長度不可超過 {n} 個字元", n=policy.max_length))
    if policy.require_upper and not re.search(r"[A-Z]", password):
        problems.append(text("須包含大寫英文字母"))
    if policy.require_lower and not re.search(r"[a-z]", password):
        problems.append(text("須包含小寫英文字母"))
    if policy.require_digit and not re.search(r"\d", password):
        problems.append(text("須包含數字"))
    if policy.require_symbol and not any(c in policy.symbols for c in password):
        problems.append(text("須包含下列符號其中之一：{symbols}", symbols=policy.symbols))
    if policy.only_listed_symbols:
        others = sorted(
            {c for c in password if not c.isalnum() and c not in policy.symbols}
            | {c for c in password if c.isalnum() and not c.isascii()}
        )
        if others:
            problems.append(
                text("只能使用英文字母、數字與下列符號：{symbols}", symbols=policy.symbols)
            )
    if policy.forbid_personal_data and contains_personal_data(password, personal):
        problems.append(text(PERSONAL_DATA_RULE))
    if policy.forbid_common and password.lower() in _common_passwords():
        problems.append(text("這是常見的密碼，請換一個"))
    score = (
        int(zxcvbn(password[:STRENGTH_INPUT], user_inputs=personal.words())["score"])
        if password
        else 0
    )
    if score < policy.min_strength:
        problems.append(text("密碼強度須為「{level}」以上", level=minimum_level(policy)))
    return Verdict(score=score, level=LEVELS[score], problems=problems)


def minimum_level(policy: PasswordPolicy) -> str:
    return LEVEL_TEXT[LEVELS[policy.min_strength]]


def history_rule(policy: PasswordPolicy) -> Text:
    return text("不可與最近 {n} 次使用過的密碼相同", n=policy.history)


def rules_text(policy: PasswordPolicy) -> list[Text]:
    """The rules as the page lists them beside the password field."""
    rules = [text("長度 {low} 至 {high} 個字元", low=policy.min_length, high=policy.max_length)]
    for required, rule in (
        (policy.require_upper, text("須包含大寫英文字母")),
        (policy.require_lower, text("須包含小寫英文字母")),
        (policy.require_digit, text("須包含數字")),
        (policy.require_symbol, text("須包含下列符號其中之一：{symbols}", symbols=policy.symbols)),
    ):
        if required:
            rules.append(rule)
    if policy.min_strength:
        rules.append(text("密碼強度須為「{level}」以上", level=minimum_level(policy)))
    if policy.forbid_personal_data:
        rules.append(text(PERSONAL_DATA_RULE))
    if policy.history:
        rules.append(history_rule(policy))
    return rules


def random_password(policy: PasswordPolicy, personal: PersonalData) -> str:
    """A password the policy accepts, for an account someone else creates (系統亂數產生):
    letters and digits without look-alikes, one of each class the policy asks for."""
    length = max(policy.min_length, 16)
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    classes = ["ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz", "23456789"]
    if policy.symbols:
        classes.append(policy.symbols)
    for _ in range(100):  # a random draw is refused only by a freak chance
        chosen = [secrets.choice(group) for group in classes]
        chosen += [secrets.choice(alphabet) for _ in range(length - len(chosen))]
        secrets.SystemRandom().shuffle(chosen)
        password = "".join(chosen)
        if evaluate(policy, password, personal).ok:
            return password
    raise RuntimeError("no random password satisfies the password policy")
