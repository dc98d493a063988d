"""A person's details as forms give them (name, title, phones, e-mails, 身分證), checked
in one place for the application form and the accounts a unit admin adds or edits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ..errors import FormErrors, InvalidInput, Text, text
from .contact import email_problem, mobile_problem, phone_problem
from .national_id import validate as validate_national_id


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


def check_person(
    problems: Problems, form: PersonDetails, national_id_required: bool = True
) -> None:
    problems.check("name", "此欄位必填" if not form.name.strip() else None)
    if len(form.name) > 100:
        problems.add("name", text("姓名不可超過 100 字"))
    problems.check("title", "此欄位必填" if not form.title.strip() else None)
    if len(form.title) > 100:
        problems.add("title", text("職稱不可超過 100 字"))
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
