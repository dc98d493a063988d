"""身分證 numbers: the checksum rules, sealing, the lookup hash and masking."""

from __future__ import annotations

import base64

import pytest

from idp.services.accounts.national_id import NationalIdBox, validate
from idp.services.errors import InvalidInput

SECRET = "test-secret-key-0123456789-abcdefghijklmnop"

# The letter values as 內政部 publishes them (國民身分證統一編號), written out here so the
# test does not share the module's table.
PUBLISHED_VALUES = {
    "A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17, "I": 34,
    "J": 18, "K": 19, "L": 20, "M": 21, "N": 22, "O": 35, "P": 23, "Q": 24, "R": 25,
    "S": 26, "T": 27, "U": 28, "V": 29, "W": 32, "X": 30, "Y": 31, "Z": 33,
}  # fmt: skip


def check_digit(first_nine: str, values: dict[str, int] = PUBLISHED_VALUES) -> str:
    """The tenth character by the rule: the letter as two digits weighted 1 and 9, the
    next eight weighted 8 … 1 (a second letter, in the older resident certificate, as
    the last digit of its value), and a check digit bringing the sum to a multiple of 10."""
    tens, units = divmod(values[first_nine[0]], 10)
    second = first_nine[1]
    digits = [tens, units, values[second] % 10 if second.isalpha() else int(second)]
    digits += [int(c) for c in first_nine[2:]]
    total = sum(w * d for w, d in zip((1, 9, 8, 7, 6, 5, 4, 3, 2, 1), digits, strict=True))
    return str(-total % 10)


def complete(first_nine: str) -> str:
    return first_nine + check_digit(first_nine)


def refusal(value: str) -> str:
    with pytest.raises(InvalidInput) as refused:
        validate(value)
    assert refused.value.field == "national_id"
    return refused.value.message


@pytest.mark.parametrize(
    "sample",
    [
        "A123456789",  # the national ID example in every description of the rule
        "A800000014",  # new resident certificate (2021 on), taiwan-id-validator's example
        "AA00000009",  # old resident certificate, taiwan-id-validator's example
    ],
)
def test_published_samples_are_valid(sample: str) -> None:
    assert validate(sample) == sample
    assert complete(sample[:9]) == sample


def test_input_is_trimmed_and_upper_cased() -> None:
    assert validate("  a123456789 ") == "A123456789"
    assert validate("aa00000009") == "AA00000009"


@pytest.mark.parametrize("letter", list(PUBLISHED_VALUES))
@pytest.mark.parametrize("second", ["1", "2", "8", "9", "A", "B", "C", "D"])
def test_every_letter_and_kind_checks_its_digit(letter: str, second: str) -> None:
    number = complete(letter + second + "3141592")
    assert validate(number) == number
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert refusal(wrong) == "身分證字號或居留證號檢查碼不正確"


# Letters whose published value changes the check digit against plain alphabetical
# numbering (for O and W it does not).
@pytest.mark.parametrize("letter", ["I", "J", "X", "Y", "Z"])
def test_letters_out_of_alphabetical_order_use_their_published_value(letter: str) -> None:
    alphabetical = {c: 10 + i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
    digits = "12345678"
    naive = letter + digits + check_digit(letter + digits, alphabetical)
    assert naive != complete(letter + digits)
    assert refusal(naive) == "身分證字號或居留證號檢查碼不正確"


@pytest.mark.parametrize(
    "value",
    [
        "A12345678",  # nine characters
        "A1234567890",  # eleven
        "A323456789",  # second digit neither 1/2 nor 8/9
        "AE12345678",  # second letter past D
        "1123456789",  # no letter
        "A12345678X",
        "A1234-6789",
        "Ａ123456789",  # full-width letter
    ],
)
def test_malformed_numbers_are_refused(value: str) -> None:
    assert refusal(value) == "身分證字號或居留證號格式不正確"


def test_empty_is_asked_for() -> None:
    assert refusal("   ") == "請輸入身分證字號"


def test_refusal_never_repeats_the_number() -> None:
    with pytest.raises(InvalidInput) as refused:
        validate("A123456788")
    assert "A123456788" not in str(refused.value)
    assert "A123456788" not in repr(refused.value.params)


def test_seal_and_open() -> None:
    box = NationalIdBox(SECRET)
    sealed = box.seal("A123456789")
    assert "A123456789" not in sealed
    assert b"A123456789" not in base64.urlsafe_b64decode(sealed)
    assert len(sealed) <= 200  # the account column
    assert box.open(sealed) == "A123456789"
    assert NationalIdBox(SECRET).open(sealed) == "A123456789"


def test_each_seal_uses_a_new_nonce() -> None:
    box = NationalIdBox(SECRET)
    first, second = box.seal("A123456789"), box.seal("A123456789")
    assert first != second
    assert base64.urlsafe_b64decode(first)[:12] != base64.urlsafe_b64decode(second)[:12]
    assert box.open(first) == box.open(second) == "A123456789"


def test_tampered_or_foreign_seals_are_refused() -> None:
    box = NationalIdBox(SECRET)
    raw = bytearray(base64.urlsafe_b64decode(box.seal("A123456789")))
    raw[-1] ^= 1
    for sealed in (
        base64.urlsafe_b64encode(bytes(raw)).decode(),
        NationalIdBox("another-secret-0123456789-abcdefghij").seal("A123456789"),
        "not a sealed value",
        "",
    ):
        with pytest.raises(ValueError) as refused:
            box.open(sealed)
        assert "A123456789" not in str(refused.value)


def test_lookup_hash_is_stable_and_keyed() -> None:
    box = NationalIdBox(SECRET)
    digest = box.lookup_hash("A123456789")
    assert (
        digest == box.lookup_hash(" a123456789") == NationalIdBox(SECRET).lookup_hash("A123456789")
    )
    assert len(digest) == 64 and "A123456789" not in digest
    assert digest != box.lookup_hash("A800000014")
    assert digest != NationalIdBox("another-secret-0123456789-abcdefghij").lookup_hash("A123456789")


def test_mask_shows_the_letter_and_last_three() -> None:
    assert NationalIdBox.mask("A123456789") == "A******789"
    assert NationalIdBox(SECRET).mask("aa00000009") == "A******009"
    assert NationalIdBox.mask("A12") == "***"
