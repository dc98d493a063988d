"""Contact details as the seeds write them: 市話 ``02-12345678#123``, 手機
``0912-345678``, e-mail. One place for the formats, used by every form."""

from __future__ import annotations

import re

PHONE = re.compile(r"^0\d{1,3}-\d{5,8}(#\d{1,6})?$")
MOBILE = re.compile(r"^09\d{2}-\d{6}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")

PHONE_HINT = "電話格式如 02-12345678#123"
MOBILE_HINT = "手機格式如 0912-345678"


def phone_problem(value: str, required: bool) -> str | None:
    if not value:
        return "此欄位必填" if required else None
    return None if PHONE.fullmatch(value) else PHONE_HINT


def mobile_problem(value: str, required: bool) -> str | None:
    if not value:
        return "此欄位必填" if required else None
    return None if MOBILE.fullmatch(value) else MOBILE_HINT


def email_problem(value: str, required: bool) -> str | None:
    if not value:
        return "此欄位必填" if required else None
    if len(value) > 254 or not EMAIL.fullmatch(value):
        return "電子郵件格式不正確"
    return None
