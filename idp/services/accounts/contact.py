"""Contact details, one place for every form: Taiwanese phone numbers are read in the
spellings people type (``0912345678``, ``+886 912 345 678``, ``(02)1234-5678 ext 123``)
and stored in the one spelling of the seeds (市話 ``02-12345678#123``, 手機
``0912-345678``); e-mail addresses are checked and normalised by email-validator.

Each ``*_problem`` function answers a problem text or None; each ``clean_*`` the stored
spelling of a value that has no problem.
"""

from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

from ...models import Account

REQUIRED = "此欄位必填"
PHONE_HINT = "請填區碼與號碼，如 02-12345678 或 02-12345678#123（分機）"
PHONE_IS_MOBILE = "這是手機號碼，請填在「手機」欄；市話請填區碼與號碼，如 02-12345678"
MOBILE_HINT = "手機號碼為 09 開頭的 10 碼，如 0912-345678"
EMAIL_INVALID = "電子郵件格式不正確，請填如 name@example.org 的地址"

#: Area codes (長途區碼) and how many digits their numbers have; the longest code that
#: fits is taken when the person wrote no separator after it.
AREA_CODES: dict[str, tuple[int, ...]] = {
    "02": (8,),
    "03": (7,),
    "037": (6,),
    "04": (7, 8),
    "049": (7,),
    "05": (7,),
    "06": (7,),
    "07": (7,),
    "08": (7,),
    "082": (6,),
    "0826": (5,),
    "0836": (5,),
    "089": (6,),
}
#: How people mark an extension (分機) after the number.
EXTENSION_MARKS = ("#", "extension", "ext.", "ext", "x", "分機", "轉")
EXTENSION = re.compile(
    "(?:" + "|".join(map(re.escape, EXTENSION_MARKS)) + r")\s*(\d{1,6})$", re.IGNORECASE
)
SEPARATORS = re.compile(r"[\s\-‐‑–—.()（）/]+")


def _plain(value: str) -> str:
    """Full-width digits and signs as ASCII, surrounding space removed."""
    return unicodedata.normalize("NFKC", value).strip()


def _national(digits: str) -> str:
    """+886 / 886 / 00886 as the leading 0 of a national number; ``(0)`` dropped."""
    for prefix in ("+886", "00886", "886"):
        if digits.startswith(prefix):
            rest = digits[len(prefix) :]
            return rest if rest.startswith("0") else "0" + rest
    return digits


def _split(value: str) -> tuple[str, str, str] | None:
    """(area code as typed or "", all digits with the leading 0, extension) or None."""
    value = _plain(value)
    extension = ""
    found = EXTENSION.search(value)
    if found:
        extension = found.group(1)
        value = value[: found.start()].rstrip(" ,;")
    value = value.replace("(0)", "")
    if not re.fullmatch(r"\+?[\d\s\-‐‑–—.()（）/]+", value):
        return None
    typed_area = ""
    head = re.match(r"^\(?(0\d{1,3})\)?[\s\-‐‑–—.()（）/]", value)
    if head:
        typed_area = head.group(1)
    digits = _national(SEPARATORS.sub("", value))
    if not digits.isdigit():
        return None
    return typed_area, digits, extension


def _mobile(digits: str) -> str | None:
    return f"{digits[:4]}-{digits[4:]}" if re.fullmatch(r"09\d{8}", digits) else None


def _landline(typed_area: str, digits: str) -> str | None:
    candidates = [typed_area] if typed_area in AREA_CODES else []
    candidates += sorted(AREA_CODES, key=len, reverse=True)
    for area in candidates:
        if digits.startswith(area) and len(digits) - len(area) in AREA_CODES[area]:
            return f"{area}-{digits[len(area) :]}"
    return None


def clean_phone(value: str) -> str | None:
    """A landline number (市話) with its area code, and an extension if any, in the one
    stored spelling ``02-12345678#123``; None if it is not one."""
    parts = _split(value)
    if parts is None:
        return None
    typed_area, digits, extension = parts
    number = _landline(typed_area, digits)
    if number is None:
        return None
    return f"{number}#{extension}" if extension else number


def clean_mobile(value: str) -> str | None:
    """A mobile number (手機) as ``0912-345678``; None if it is not one."""
    parts = _split(value)
    if parts is None or parts[2]:
        return None
    return _mobile(parts[1])


def phone_problem(value: str, required: bool) -> str | None:
    if not value.strip():
        return REQUIRED if required else None
    if clean_phone(value) is not None:
        return None
    parts = _split(value)
    if parts is not None and _mobile(parts[1]) is not None:
        return PHONE_IS_MOBILE
    return PHONE_HINT


def mobile_problem(value: str, required: bool) -> str | None:
    if not value.strip():
        return REQUIRED if required else None
    return None if clean_mobile(value) is not None else MOBILE_HINT


def clean_email(value: str) -> str | None:
    """The address as email-validator normalises it (domain in lower case, Unicode
    normalised), or None. Deliverability is not asked of the DNS: a form must not wait on
    it, and the confirmation mail shows whether the address works. The top-level domain
    must have two letters at least, as every delegated one has."""
    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        return None
    top_level = checked.ascii_domain.rsplit(".", 1)[-1]
    if len(top_level) < 2 or top_level.isdigit():
        return None
    return str(checked.normalized)


def email_problem(value: str, required: bool) -> str | None:
    if not value.strip():
        return REQUIRED if required else None
    if len(value.strip()) > 254 or clean_email(value) is None:
        return EMAIL_INVALID
    return None


#: The addresses a reset link can go to, and the column that says when each was confirmed.
ADDRESSES = {"email": "email_confirmed_at", "email_backup": "email_backup_confirmed_at"}


def confirmed_addresses(account: Account) -> set[str]:
    """The person's addresses that were confirmed by link, lower-cased: the only ones a
    reset link goes to."""
    return {
        getattr(account, name).strip().lower()
        for name, confirmed_at in ADDRESSES.items()
        if getattr(account, name).strip() and getattr(account, confirmed_at) is not None
    }
