"""身分證 numbers: checking them, sealing them for storage, finding them by value and
showing them masked (``reveal_masked``, the one way a page or a form gets to see one,
audited).

Accepted are the national ID (國民身分證統一編號) and both forms of the resident
certificate number (統一證號) a foreign or non-resident staff member holds. The number
itself never goes into a log line or an error message.
"""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from ...models import Account
from .. import audit
from ..errors import InvalidInput
from ..key_derivation import Sealer, derive_key, keyed_hash

# One letter, then 1/2 (national ID), 8/9 (resident certificate since 2021) or A-D (the
# older resident certificate), then eight digits, the last a check digit.
PATTERN = re.compile(r"[A-Z][1289A-D][0-9]{8}")

# Letters in the order of their two-digit values, A=10 … Z=33, I=34, O=35: the numbering
# is not alphabetical, as I, O, W and Z were placed after the others.
LETTERS_BY_VALUE = "ABCDEFGHJKLMNPQRSTUVXYWZIO"
LETTER_VALUES = {letter: value for value, letter in enumerate(LETTERS_BY_VALUE, start=10)}

# Weights of the letter's two digits, the eight following characters and the check digit.
WEIGHTS = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)


def validate(value: str) -> str:
    """The number normalised (trimmed, upper case); InvalidInput if malformed."""
    normal = _normalise(value)
    if not normal:
        raise InvalidInput("national_id", "請輸入身分證字號")
    if not PATTERN.fullmatch(normal):
        raise InvalidInput("national_id", "身分證字號或居留證號格式不正確")
    if _weighted_sum(normal) % 10:
        raise InvalidInput("national_id", "身分證字號或居留證號檢查碼不正確")
    return normal


def _normalise(value: str) -> str:
    return value.strip().upper()


def _weighted_sum(number: str) -> int:
    """The checksum of the national ID rule (內政部戶政司, 國民身分證統一編號): the letter
    counts as its two digits; valid numbers sum to a multiple of 10. The older resident
    certificate (內政部移民署, 統一證號) uses the same sum with its second letter counted
    as the last digit of that letter's value (A→0, B→1, C→2, D→3)."""
    tens, units = divmod(LETTER_VALUES[number[0]], 10)
    second = number[1]
    second_digit = LETTER_VALUES[second] % 10 if second.isalpha() else int(second)
    digits = (tens, units, second_digit, *(int(c) for c in number[2:]))
    return sum(weight * digit for weight, digit in zip(WEIGHTS, digits, strict=True))


class NationalIdBox:
    """Seals 身分證 numbers at rest (AES-GCM) and gives each a keyed lookup hash, both
    with keys derived from the hub secret, so rows can be found by number without
    decrypting them."""

    def __init__(self, secret_key: str) -> None:
        self._sealer = Sealer(secret_key, "national-id")
        self._lookup_key = derive_key(secret_key, "national-id-lookup")

    def seal(self, value: str) -> str:
        """The number encrypted with a fresh nonce, as base64 text."""
        return self._sealer.seal(_normalise(value))

    def open(self, sealed: str) -> str:
        """The number back; ValueError if ``sealed`` was altered or sealed with another key."""
        return self._sealer.open(sealed)

    def lookup_hash(self, value: str) -> str:
        return keyed_hash(self._lookup_key, _normalise(value))

    @staticmethod
    def mask(value: str) -> str:
        """Only the first letter and the last three characters: ``A******789``."""
        normal = _normalise(value)
        if len(normal) < 5:
            return "*" * len(normal)
        return normal[0] + "*" * (len(normal) - 4) + normal[-3:]


def reveal_masked(
    db: Session,
    box: NationalIdBox,
    account: Account,
    *,
    viewer: Account | None = None,
    ip: str = "",
    **context: object,
) -> str:
    """The account's 身分證, masked, for someone to see (``viewer``, or the person
    themselves); the viewing is audited. Empty when none is held."""
    if not account.national_id_sealed:
        return ""
    masked = box.mask(box.open(account.national_id_sealed))
    who = viewer or account
    audit.record_always(
        db,
        "personal_data.view",
        actor=who.username,
        actor_account_id=who.id,
        target=account.username,
        ip=ip,
        **context,
    )
    return masked
