"""Account names and applicants' names under the policy (seeds 000 and 001): letters and
digits mixed, none a subsystem reserves, and a name that is a person's, not an
institution's — on the application form and when a unit admin adds an account; the
policy's values decide, and changing them changes the rule."""

from __future__ import annotations

import pytest

from idp.hub import Hub
from idp.models import UnitKind
from idp.services import policy
from idp.services.accounts import lifecycle
from idp.services.applications import submission as applications
from idp.services.errors import FormErrors

from ..support.applications import (
    AUTHORITY,
    HOSPITAL,
    add_admin,
    add_unit,
    applying,
    member_form,
    national_id,
)
from ..support.portal import account


@pytest.fixture
def units(hub: Hub) -> Hub:
    add_unit(hub, HOSPITAL, "示範綜合醫院")
    add_unit(hub, AUTHORITY, "國民健康署", UnitKind.AUTHORITY)
    add_admin(hub, "hospadmin", HOSPITAL)
    return hub


def refusals(hub: Hub, **changes: object) -> dict[str, list[str]]:
    with hub.database.unit_of_work() as db, pytest.raises(FormErrors) as refused:
        applications.submit_application(db, applying(hub), member_form(**changes))
    return {k: [str(t) for t in v] for k, v in refused.value.errors.items()}


def accepted(hub: Hub, **changes: object) -> bool:
    with hub.database.unit_of_work() as db:
        applications.submit_application(db, applying(hub), member_form(**changes))
    return True


@pytest.mark.parametrize(
    "username,reason",
    [
        ("12345678", "混合"),
        ("abcdefgh", "混合"),
        ("abc12", "6 至 20"),
        ("abcdefghij1234567890x", "6 至 20"),
        ("wang_01x", "6 至 20"),
        ("adm0012345", "保留給戒菸"),
        ("ADM777abc", "保留給戒菸"),
    ],
)
def test_account_names_follow_the_rules(units: Hub, username: str, reason: str) -> None:
    problems = refusals(units, username=username)
    assert any(reason in p for p in problems["username"]), problems


@pytest.mark.parametrize("name", ["示範綜合醫院", "仁愛診所", "台北市衛生局", " 國民健康署 "])
def test_a_name_that_is_an_institution_is_refused(units: Hub, name: str) -> None:
    assert refusals(units, name=name)["name"] == ["姓名應為人名，不得以機構名稱填寫"]


def test_a_person_s_name_with_an_institution_word_inside_is_accepted(units: Hub) -> None:
    assert accepted(units, name="林醫院生")


def test_the_policy_decides(units: Hub) -> None:
    with units.database.unit_of_work() as db:
        policy.change_policy(
            db,
            {
                "account_name.require_letters_and_digits": "false",
                "account_name.min_length": "8",
                "account_name.institution_words": "醫院",
            },
            actor="secadmin",
            reason="測試",
        )
    units.policy.reload()
    assert "6 至 20" not in str(refusals(units, username="abc1234"))
    assert "8 至 20" in refusals(units, username="abc1234")["username"][0]
    assert accepted(units, username="onlyletters", name="仁愛診所")
    assert refusals(units, username="another01", name="仁愛醫院")["name"] == [
        "姓名應為人名，不得以機構名稱填寫"
    ]


def test_a_unit_admin_adding_an_account_meets_the_same_rules(units: Hub) -> None:
    details = lifecycle.AccountDetails(
        name="仁愛診所",
        title="護理師",
        phone="02-12345678",
        email="new@example.org",
        national_id=national_id("C"),
    )
    with units.database.unit_of_work() as db, pytest.raises(FormErrors) as refused:
        lifecycle.add_account(
            db,
            units.managing(),
            db.merge(account(units, "hospadmin")),
            username="newstaff",
            details=details,
        )
    assert set(refused.value.errors) == {"username", "name"}
