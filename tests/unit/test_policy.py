"""The security policy: data with versions, validated in one place."""

from __future__ import annotations

import dataclasses

import pytest

from idp.hub import Hub
from idp.models import Account, AuditEvent, PolicyVersion
from idp.services import policy, policy_sections
from idp.services.policy import PolicyError, change_policy, current_policy, parse_policy
from idp.services.signin.password_rules import PersonalData, evaluate

from ..support.cli import idp
from ..support.helpers import add_account


def test_shipped_defaults_follow_the_seeds() -> None:
    current = parse_policy(policy.default_document())
    assert current.password.min_length == 12
    assert current.password.symbols == "~!#^*"
    assert current.password.min_strength == 2
    assert current.lockout.max_failures == 3 and current.lockout.lock_minutes == 30
    assert current.captcha.mode == "always"
    assert current.password.reset_link_minutes == 60


@pytest.mark.parametrize(
    "changes,problem",
    [
        ({"password.min_length": "7"}, "password.min_length 須介於 8"),
        ({"lockout.lock_minutes": "0"}, "lockout.lock_minutes 須介於 1"),
        ({"password.max_length": "63"}, "password.max_length 須介於 64"),
        ({"password.min_length": "twelve"}, "須為整數"),
        ({"password.require_upper": "maybe"}, "須為 true 或 false"),
        ({"captcha.mode": "sometimes"}, "captcha.mode 須為"),
        ({"session.warn_minutes": "30"}, "session.warn_minutes 須小於"),
        ({"password.symbols": "ab"}, "password.symbols 只能是英文符號"),
        ({"password.no_such_thing": "1"}, "未知的設定"),
    ],
)
def test_nonsense_is_refused_and_changes_nothing(
    hub: Hub, changes: dict[str, str], problem: str
) -> None:
    with hub.database.unit_of_work() as db:
        policy.ensure_policy(db)
    with pytest.raises(PolicyError) as refused, hub.database.unit_of_work() as db:
        change_policy(db, changes, actor="tester", reason="test")
    assert any(problem in str(p) for p in refused.value.problems), refused.value.problems
    with hub.database.unit_of_work() as db:
        assert db.query(PolicyVersion).count() == 1


def test_a_change_is_a_new_version_with_who_and_why(hub: Hub) -> None:
    with hub.database.unit_of_work() as db:
        policy.ensure_policy(db)
        new = change_policy(db, {"password.min_length": "14"}, actor="sec01", reason="資安稽核建議")
    assert new.version == 2
    with hub.database.unit_of_work() as db:
        assert current_policy(db).password.min_length == 14
        versions = policy.history(db)
        assert [v.version for v in versions] == [2, 1]
        assert versions[0].created_by == "sec01" and versions[0].reason == "資安稽核建議"
        event = db.query(AuditEvent).filter_by(action="policy.change").one()
        assert event.details["changed"] == {"password.min_length": 14}
    with pytest.raises(PolicyError), hub.database.unit_of_work() as db:
        change_policy(db, {"password.min_length": "15"}, actor="sec01", reason=" ")


def test_expiring_passwords_makes_everyone_change_at_next_sign_in(hub: Hub) -> None:
    add_account(hub)
    with hub.database.unit_of_work() as db:
        change_policy(
            db, {"password.history": "5"}, actor="sec01", reason="r", expire_passwords=True
        )
    with hub.database.unit_of_work() as db:
        assert db.query(Account).one().must_change_password is True


def test_nist_preset() -> None:
    document = policy.default_document()
    for name, value in policy.preset_changes("nist").items():
        section, key = name.split(".")
        document[section][key] = value
    nist = parse_policy(document).password
    assert nist.min_length == 15 and not nist.require_symbol and nist.max_age_days == 0
    personal = PersonalData(username="wang01")
    assert evaluate(nist, "correct horse battery staple", personal).ok
    assert not evaluate(nist, "Sh0rt~Pass", personal).ok  # too short, composition or not
    assert not evaluate(nist, "wang01-likes-long-phrases", personal).ok  # personal data


def test_policy_command_line(hub: Hub) -> None:
    assert idp(hub, "init").returncode == 0
    refused = idp(hub, "policy", "set", "password.min_length=7", "--reason", "test")
    assert refused.returncode != 0 and "password.min_length" in refused.stderr
    refused = idp(hub, "policy", "set", "lockout.lock_minutes=0", "--reason", "test")
    assert refused.returncode != 0
    done = idp(
        hub, "policy", "set", "password.min_length=14", "lockout.max_failures=5", "--reason", "稽核"
    )
    assert done.returncode == 0, done.stderr
    shown = idp(hub, "policy", "show").stdout
    assert "password.min_length=14" in shown and "lockout.max_failures=5" in shown
    assert idp(hub, "policy", "preset", "nist", "--reason", "NIST").returncode == 0
    assert "password.min_length=15" in idp(hub, "policy", "show").stdout
    history = idp(hub, "policy", "history").stdout.splitlines()
    assert history[0].startswith("v3") and "NIST" in history[0] and history[-1].startswith("v1")


def test_policy_dataclasses_cover_every_yaml_key() -> None:
    document = policy.default_document()
    for section, cls in policy_sections.SECTION_TYPES.items():
        assert set(document[section]) == {f.name for f in dataclasses.fields(cls)}


def test_versions_from_an_older_release_still_load(hub: Hub) -> None:
    document = policy.default_document()
    del document["lockout"]["forgot_password_per_hour"]  # added in a later release
    document["password"]["retired_field"] = True  # removed in a later release
    with hub.database.unit_of_work() as db:
        db.query(PolicyVersion).delete()
        db.add(PolicyVersion(version=7, document=document, created_by="old", reason="old"))
    with hub.database.unit_of_work() as db:
        current = current_policy(db)
    assert current.version == 7 and current.lockout.forgot_password_per_hour == 10
