"""Units, admins and filled-in application forms for the application workflow tests,
in the domain and through the hub's pages (帳號申請, 帳號申請核定)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from idp.hub import Hub
from idp.models import (
    Account,
    AccountRole,
    AccountStatus,
    Application,
    Binding,
    MailMessage,
    SubsystemAccount,
    UnitKind,
)
from idp.services.accounts.directory import create_account
from idp.services.accounts.national_id import LETTER_VALUES, WEIGHTS
from idp.services.applications import submission
from idp.services.applications.submission import ApplicationForm, Applying
from idp.services.signin import captcha
from idp.services.subsystems.quotas import SubsystemChoice
from idp.services.units.directory import ensure_unit, find_by_code

from .helpers import PASSWORD, Person, form_with
from .hub import LiveHub

HOSPITAL = "0101090517"
OTHER_HOSPITAL = "0401180014"
AUTHORITY = "A000000000"
APPLICANT_PASSWORD = "Apply~Form2026x"


def national_id(letter: str = "B", body: str = "2" + "3456780") -> str:
    """A valid 身分證 number: the check digit computed by the national rule."""
    tens, units = divmod(LETTER_VALUES[letter], 10)
    digits = [tens, units, *(int(c) for c in body)]
    total = sum(w * d for w, d in zip(WEIGHTS[:-1], digits, strict=True))
    return f"{letter}{body}{(10 - total % 10) % 10}"


def add_unit(hub: Hub, code: str, name: str, kind: UnitKind = UnitKind.HOSPITAL) -> int:
    with hub.database.unit_of_work() as db:
        unit = ensure_unit(db, code, name)
        unit.kind = kind
        unit.county = "臺北市"
        db.flush()
        return unit.id


def add_admin(
    hub: Hub,
    username: str,
    unit_code: str,
    *,
    subsystems: dict[str, tuple[str, list[str]]] | None = None,
    email: str = "",
) -> int:
    """An active unit admin, holding (bound) admin accounts of the given subsystems:
    ``{"mch": ("medical_institution", ["prenatal_care"])}``."""
    with hub.database.unit_of_work() as db:
        unit = find_by_code(db, unit_code)
        assert unit is not None, unit_code
        account = create_account(
            db,
            hub.passwords,
            username=username,
            password=PASSWORD,
            name=f"管理者{username}",
            email=email or f"{username}@example.org",
            phone="02-23456789",
            unit=unit,
            role=AccountRole.UNIT_ADMIN,
        )
        for subsystem, (duty, menu_roles) in (subsystems or {}).items():
            held = SubsystemAccount(
                subsystem=subsystem,
                username=f"{username}@{subsystem}",
                unit_id=unit.id,
                role=AccountRole.UNIT_ADMIN,
                duty=duty,
                menu_roles=menu_roles,
                status=AccountStatus.ACTIVE,
            )
            db.add(held)
            db.flush()
            db.add(Binding(account_id=account.id, subsystem_account_id=held.id, label="管理"))
        return account.id


def applying(hub: Hub) -> Applying:
    return Applying(
        passwords=hub.passwords,
        password_policy=hub.policy.current().password,
        catalogues=hub.catalogues,
        national_ids=hub.national_ids,
        issuer_url=hub.settings.issuer_url,
        account_names=hub.policy.current().account_name,
    )


def submit_confirmed(db: Session, applying: Applying, form: ApplicationForm) -> Application:
    """帳號申請 sent, and its address confirmed by the link mailed to it: the application
    is with its reviewers."""
    sent = submission.submit_application(db, applying, form, ip="127.0.0.1")
    assert sent is not None, "the application was not taken"
    db.flush()
    return submission.confirm_application(db, confirmation_token(db, sent.account.email)) or sent


def confirmation_token(db: Session, address: str) -> str:
    """The token of the newest 帳號申請 confirmation link mailed to ``address``."""
    message = db.scalars(
        select(MailMessage)
        .where(MailMessage.kind == "application_confirm", MailMessage.to == address)
        .order_by(MailMessage.id.desc())
    ).first()
    assert message is not None, f"no confirmation mailed to {address}"
    link = next(w for w in message.body.split() if submission.CONFIRM_PATH in w)
    return link.rsplit("/", 1)[1]


MCH_MEMBER = SubsystemChoice(
    "mch", AccountRole.MEMBER, "medical_institution", ("prenatal_care", "hearing_screening")
)


def member_form(**changes: Any) -> ApplicationForm:
    form = ApplicationForm(
        unit_code=HOSPITAL,
        role="member",
        username="newcomer01",
        password=APPLICANT_PASSWORD,
        password_confirm=APPLICANT_PASSWORD,
        national_id=national_id(),
        name="林新人",
        title="護理師",
        department="家醫科",
        phone="02-27654321#12",
        mobile="0912-345678",
        email="newcomer@example.org",
        subsystems=(MCH_MEMBER,),
        consent=True,
    )
    return replace(form, **changes)


def account_named(hub: Hub, username: str) -> Account | None:
    from idp.services.accounts.directory import find_by_username

    with hub.database.unit_of_work() as db:
        account = find_by_username(db, username)
        if account is not None:
            db.expunge(account)
        return account


# Through the pages ---------------------------------------------------------------------


def application_data(page: str, **changes: str | list[str]) -> dict[str, str | list[str]]:
    """The fields of the 帳號申請 form on ``page``, filled in, with ``changes``."""
    data: dict[str, str | list[str]] = {
        "csrf_token": form_with(page, "csrf_token")["fields"]["csrf_token"],
        "unit_code": HOSPITAL,
        "role": "member",
        "username": "newcomer01",
        "new_password": APPLICANT_PASSWORD,
        "confirm": APPLICANT_PASSWORD,
        "national_id": national_id(),
        "name": "林新人",
        "title": "護理師",
        "department": "家醫科",
        "phone": "02-27654321#12",
        "email": "newcomer@example.org",
        "subsystems": ["mch"],
        "mch-role": "member",
        "mch-duty": "medical_institution",
        "mch-menu_roles": ["prenatal_care"],
        "consent": "yes",
    }
    data.update(changes)
    return data


def captcha_fields(live: LiveHub, page: str) -> dict[str, str | list[str]]:
    """The captcha on ``page`` and its answer, read from the hub's store; nothing when the
    hub asks for no captcha."""
    if not live.hub.settings.captcha:
        return {}
    challenge = form_with(page, "captcha_id")["fields"]["captcha_id"]
    return {
        "captcha_id": challenge,
        "captcha_answer": captcha.answer_of(live.hub.store, challenge) or "",
    }


def apply(
    live: LiveHub, http: requests.Session | None = None, **changes: str | list[str]
) -> requests.Response:
    """Sends the 帳號申請 form at the live hub, from a new browser unless ``http``."""
    http = http or requests.Session()
    page = http.get(live.url + "/apply")
    assert page.status_code == 200
    data = {**captcha_fields(live, page.text), **application_data(page.text, **changes)}
    return http.post(live.url + "/apply", data=data, allow_redirects=False)


def confirm_by_mail(live: LiveHub, http: requests.Session, address: str) -> requests.Response:
    """Opens the confirmation link mailed to ``address``, in the browser ``http``."""
    with live.hub.database.unit_of_work() as db:
        token = confirmation_token(db, address)
    return http.get(live.url + submission.CONFIRM_PATH + token, allow_redirects=False)


def apply_confirmed(
    live: LiveHub, http: requests.Session | None = None, **changes: str | list[str]
) -> requests.Response:
    """帳號申請 sent and its address confirmed: the answer redirects to 申請進度."""
    http = http or requests.Session()
    sent = apply(live, http, **changes)
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/apply/sent"), (
        sent.status_code,
        sent.text[:1500],
    )
    address = changes.get("email", "newcomer@example.org")
    assert isinstance(address, str)
    return confirm_by_mail(live, http, address)


def decide(
    person: Person, url: str, ids: list[int], decision: str, reason: str = ""
) -> requests.Response:
    """Decides ``ids`` on the review page at ``url``, confirming when the page asks."""
    page = person.http.get(url)
    token = form_with(page.text, "csrf_token")["fields"]["csrf_token"]
    data = {
        "csrf_token": token,
        "ids": [str(i) for i in ids],
        "decision": decision,
        "reason": reason,
    }
    asked = person.http.post(url, data=data)
    if asked.status_code != 200 or "是否確定" not in asked.text:
        return asked
    return person.http.post(url, data={**data, "confirmed": "yes"})
