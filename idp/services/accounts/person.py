"""A person's details as forms give them (name, title, 所屬部門, phones, e-mails, 身分證), checked
in one place for the application form and the accounts a unit admin adds or edits.

A name is a person's name: Chinese characters, Latin letters (with their accents), the
romanised names of 原住民族 with spaces, hyphens and apostrophes, and the middle dot that
joins given name and surname (``Walis·Nokan``, ``瓦歷斯·諾幹``). Digits, markup and emoji
are not part of anyone's name."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Protocol

from ..errors import FormErrors, InvalidInput, Text, text
from .contact import (
    clean_email,
    clean_mobile,
    clean_phone,
    email_problem,
    mobile_problem,
    phone_problem,
)
from .national_id import validate as validate_national_id

NAME_LENGTH = 100
TITLE_LENGTH = 100
DEPARTMENT_LENGTH = 100
#: Marks that join or separate the parts of a name, besides letters: space, hyphen,
#: apostrophe (and its typographic forms), the middle dots (· ‧ ・ •) and a period.
NAME_JOINERS = " -‐'’ʼ·‧・•."
NAME_HINT = "姓名只能有中文、英文字母、空格、連字號（-）、撇號（'）及間隔號（·）"


@dataclass
class Problems:
    """What is wrong with a form so far, by field."""

    errors: dict[str, list[Text]] = field(default_factory=dict)

    def add(self, name: str, *texts: Text) -> None:
        if texts:
            self.errors.setdefault(name, []).extend(texts)

    def check(self, name: str, problem: str | None) -> None:
        if problem:
            self.add(name, text(problem))

    def check_text(self, name: str, problem: Text | None) -> None:
        if problem is not None:
            self.add(name, problem)

    def raise_any(self) -> None:
        if self.errors:
            raise FormErrors(self.errors)


class PersonDetails(Protocol):
    @property
    def national_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def department(self) -> str: ...
    @property
    def phone(self) -> str: ...
    @property
    def phone_backup(self) -> str: ...
    @property
    def unit_phone(self) -> str: ...
    @property
    def mobile(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def email_backup(self) -> str: ...


def clean_name(value: str) -> str:
    """Full-width forms folded (NFKC), runs of space as one, the ends trimmed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value)).strip()


def name_problem(value: str) -> str | None:
    name = clean_name(value)
    if not name:
        return "此欄位必填"
    if len(name) > NAME_LENGTH:
        return "姓名不可超過 100 字"
    letters = 0
    for char in name:
        kind = unicodedata.category(char)
        if kind.startswith("L"):
            letters += 1
        elif not (kind.startswith("M") and letters) and char not in NAME_JOINERS:
            return NAME_HINT
    return None if letters else NAME_HINT


def title_problem(value: str, required: bool = True) -> str | None:
    title = value.strip()
    if not title:
        return "此欄位必填" if required else None
    if len(title) > TITLE_LENGTH:
        return "職稱不可超過 100 字"
    if "<" in title or ">" in title:
        return "職稱不可含 < 或 >"
    return None


def department_problem(value: str, required: bool = False) -> str | None:
    """所屬部門: free text, like 職稱."""
    department = value.strip()
    if not department:
        return "此欄位必填" if required else None
    if len(department) > DEPARTMENT_LENGTH:
        return "所屬部門不可超過 100 字"
    if "<" in department or ">" in department:
        return "所屬部門不可含 < 或 >"
    return None


def clean_contacts(values: dict[str, str]) -> dict[str, str]:
    """Contact fields (phones, e-mails) that passed their checks, in their stored
    spelling; an empty optional field stays empty."""
    cleaners = {
        "phone": clean_phone,
        "phone_backup": clean_phone,
        "unit_phone": clean_phone,
        "mobile": clean_mobile,
        "email": clean_email,
        "email_backup": clean_email,
    }
    return {
        name: (cleaners[name](value) or "") if value.strip() and name in cleaners else value.strip()
        for name, value in values.items()
    }


def check_person(
    problems: Problems,
    form: PersonDetails,
    national_id_required: bool = True,
    department_required: bool = False,
) -> dict[str, str]:
    """Every problem of the person's fields goes to ``problems``; the answer is the fields
    as they are stored (name, title and department trimmed, phones and e-mails in one
    spelling). An application must name its department (所屬部門); accounts from before
    the field may leave it empty."""
    problems.check("name", name_problem(form.name))
    problems.check("title", title_problem(form.title))
    problems.check("department", department_problem(form.department, department_required))
    problems.check("phone", phone_problem(form.phone, required=True))
    problems.check("phone_backup", phone_problem(form.phone_backup, required=False))
    problems.check("unit_phone", phone_problem(form.unit_phone, required=False))
    problems.check("mobile", mobile_problem(form.mobile, required=False))
    problems.check("email", email_problem(form.email, required=True))
    problems.check("email_backup", email_problem(form.email_backup, required=False))
    if form.national_id or national_id_required:
        try:
            validate_national_id(form.national_id)
        except InvalidInput as refused:
            problems.add("national_id", *refused.texts)
    cleaned = clean_contacts(
        {
            "phone": form.phone,
            "phone_backup": form.phone_backup,
            "unit_phone": form.unit_phone,
            "mobile": form.mobile,
            "email": form.email,
            "email_backup": form.email_backup,
        }
    )
    return {
        "name": clean_name(form.name),
        "title": form.title.strip(),
        "department": form.department.strip(),
        **cleaned,
    }
