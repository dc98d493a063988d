"""Second factors without a server: authenticator-app codes (RFC 6238 window, single
use), recovery codes, who must hold a factor under the policy and by when, who may reset
one, and the acr levels and the step-up decisions they drive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from authlib.oidc.core.errors import InteractionRequiredError, LoginRequiredError

from idp.http.interaction import Next
from idp.hub import Hub
from idp.models import (
    AccountRole,
    AccountStatus,
    AuditEvent,
    AuthenticatorApp,
    RecoveryCode,
    UnitKind,
)
from idp.oidc.authorize import Interaction, next_step, required_acr
from idp.services import permissions, policy, policy_sections
from idp.services.accounts.directory import create_account, find_by_username
from idp.services.errors import DomainError, InvalidInput, NotAllowed
from idp.services.factors import manage, recovery, totp
from idp.services.factors.passkeys import RelyingParty
from idp.services.factors.requirement import (
    enrolment_due,
    held_kinds,
    kinds_used,
    requirement_for,
    roles_of,
)
from idp.services.key_derivation import Sealer
from idp.services.signin.steps import (
    ACR_CARD,
    ACR_MFA,
    ACR_PASSWORD,
    ACR_PHISHING_RESISTANT,
    acr_for,
    acr_satisfies,
)
from idp.services.units.directory import ensure_unit

from ..support.cli import idp
from ..support.factors import enrol_app
from ..support.helpers import PASSWORD, add_account

NOW = datetime(2026, 5, 1, 8, 0, 0, tzinfo=UTC)
SECRET = pyotp.random_base32()


def code(offset_steps: int, at: datetime = NOW) -> str:
    return pyotp.TOTP(SECRET).at(at + timedelta(seconds=30 * offset_steps))


# Levels -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amr,acr",
    [
        (["pwd"], ACR_PASSWORD),
        (["pwd", "otp", "mfa"], ACR_MFA),
        (["pwd", "mfa"], ACR_MFA),  # a recovery code
        (["pwd", "hwk", "user", "mfa"], ACR_PHISHING_RESISTANT),
        (["swk", "user", "pin", "mfa"], ACR_PHISHING_RESISTANT),
        (["sc", "pin"], ACR_CARD),
        (["sc", "pin", "pwd", "mfa"], ACR_CARD),
    ],
)
def test_the_level_follows_from_the_methods(amr: list[str], acr: str) -> None:
    assert acr_for(amr) == acr


def test_levels_are_ordered_and_the_card_is_asked_for_by_name() -> None:
    assert acr_satisfies(ACR_MFA, ACR_PASSWORD)
    assert not acr_satisfies(ACR_PASSWORD, ACR_MFA)
    assert acr_satisfies(ACR_PHISHING_RESISTANT, ACR_MFA)
    assert acr_satisfies(ACR_CARD, ACR_PHISHING_RESISTANT)
    assert not acr_satisfies(ACR_MFA, ACR_PHISHING_RESISTANT)
    # A client that asks for the card (as before there were passkeys) gets a card.
    assert acr_satisfies(ACR_CARD, ACR_CARD)
    assert not acr_satisfies(ACR_PHISHING_RESISTANT, ACR_CARD)
    assert not acr_satisfies("urn:other", ACR_PASSWORD)


def test_required_level_is_the_weakest_asked_raised_to_the_clients_minimum() -> None:
    assert required_acr(f"{ACR_CARD} {ACR_PHISHING_RESISTANT}") == ACR_PHISHING_RESISTANT
    assert required_acr(f"urn:unknown {ACR_MFA}") == ACR_MFA
    assert required_acr(ACR_PASSWORD, ACR_MFA) == ACR_MFA
    assert required_acr(ACR_PHISHING_RESISTANT, ACR_CARD) == ACR_CARD
    assert required_acr(None, "") is None


def decide(required: str | None, acr: str, prompt: str = "", overdue: bool = False) -> Next:
    interaction = Interaction(frozenset(prompt.split()), None, None, True, required)
    return next_step(
        interaction,
        subject="alice",
        auth_time=999_000,
        signed_in_for_this_request=False,
        consented=False,
        acr=acr,
        enrolment_overdue=overdue,
        now=1_000_000.0,
    )


def test_a_weaker_session_steps_up_to_the_level_asked() -> None:
    assert decide(ACR_MFA, ACR_PASSWORD) is Next.STEP_UP
    assert decide(ACR_PHISHING_RESISTANT, ACR_MFA) is Next.STEP_UP
    assert decide(ACR_CARD, ACR_PHISHING_RESISTANT) is Next.STEP_UP
    assert decide(ACR_MFA, ACR_PHISHING_RESISTANT) is Next.ISSUE
    assert decide(ACR_PASSWORD, ACR_PASSWORD) is Next.ISSUE
    with pytest.raises(LoginRequiredError):
        decide(ACR_PHISHING_RESISTANT, ACR_MFA, prompt="none")


def test_an_overdue_second_factor_is_enrolled_before_a_code() -> None:
    assert decide(None, ACR_PASSWORD, overdue=True) is Next.ENROL_SECOND_FACTOR
    with pytest.raises(InteractionRequiredError):
        decide(None, ACR_PASSWORD, prompt="none", overdue=True)


def test_kinds_used_in_a_session() -> None:
    assert kinds_used(["pwd", "otp", "mfa"]) == {"totp"}
    assert kinds_used(["swk", "user"]) == {"passkey"}
    assert kinds_used(["sc", "pin"]) == frozenset()


# Authenticator-app codes ------------------------------------------------------------------


def test_app_codes_within_one_step_once_each(hub: Hub) -> None:
    add_account(hub)
    with hub.database.unit_of_work() as db:
        account = find_by_username(db, "tester01")
        assert account is not None
        with pytest.raises(InvalidInput):
            totp.enrol(db, hub.store, hub.totp_box, account, SECRET, "12345", NOW, "")
        app = totp.enrol(db, hub.store, hub.totp_box, account, SECRET, code(0), NOW, "")
        assert SECRET not in app.secret_sealed and hub.totp_box.open(app.secret_sealed) == SECRET
        with pytest.raises(DomainError):
            totp.enrol(db, hub.store, hub.totp_box, account, SECRET, code(1), NOW, "")

        def check(value: str) -> bool:
            return totp.check_code(hub.store, hub.totp_box, app, value, NOW)

        assert not check(code(0))  # taken at enrolment
        assert not check(code(2)) and not check(code(-2))  # two steps away
        assert check(code(1))  # the next step, within the window
        assert not check(code(1))  # once
        assert not check(code(-1))  # older than one taken
        later = NOW + timedelta(minutes=5)
        assert totp.check_code(hub.store, hub.totp_box, app, code(0, later), later)
        assert not totp.check_code(hub.store, hub.totp_box, app, "abcdef", later)


def test_a_step_is_taken_once_across_processes(hub: Hub) -> None:
    """Two requests with the same code, each with the row as it was before either
    committed: the store lets one through."""
    first = AuthenticatorApp(account_id=1, secret_sealed=hub.totp_box.seal(SECRET), last_step=0)
    second = AuthenticatorApp(account_id=1, secret_sealed=first.secret_sealed, last_step=0)
    assert totp.check_code(hub.store, hub.totp_box, first, code(0), NOW)
    assert not totp.check_code(hub.store, hub.totp_box, second, code(0), NOW)


def test_the_qr_code_and_the_key_for_typing() -> None:
    uri = totp.provisioning_uri(SECRET, "tester01")
    assert uri.startswith("otpauth://totp/OneDoor:tester01?secret=" + SECRET)
    assert totp.qr_code(uri).startswith("data:image/svg+xml;base64,")
    assert totp.grouped("ABCDEFGHIJ") == "ABCD EFGH IJ"


def test_sealer_refuses_tampering() -> None:
    sealer = Sealer("secret-one", "totp-secret")
    sealed = sealer.seal(SECRET)
    assert sealer.open(sealed) == SECRET and sealer.seal(SECRET) != sealed
    with pytest.raises(ValueError):
        Sealer("secret-two", "totp-secret").open(sealed)
    with pytest.raises(ValueError):
        Sealer("secret-one", "national-id").open(sealed)


# Recovery codes --------------------------------------------------------------------------


def test_recovery_codes_are_kept_hashed_and_work_once(hub: Hub) -> None:
    add_account(hub)
    with hub.database.unit_of_work() as db:
        account = find_by_username(db, "tester01")
        assert account is not None
        codes = recovery.generate(db, hub.recovery_codes, account, "")
        assert len(set(codes)) == recovery.COUNT == 10
        assert all(len(c) == 11 and c[5] == "-" for c in codes)
        stored = {r.code_hash for r in db.query(RecoveryCode)}
        assert not stored & set(codes)
        assert recovery.use(db, hub.recovery_codes, account, codes[0].upper(), NOW) == 9
        assert recovery.use(db, hub.recovery_codes, account, codes[0], NOW) is None
        assert recovery.use(db, hub.recovery_codes, account, " " + codes[1].replace("-", ""), NOW)
        assert recovery.use(db, hub.recovery_codes, account, "wrong-codes", NOW) is None
        renewed = recovery.generate(db, hub.recovery_codes, account, "")
        assert recovery.use(db, hub.recovery_codes, account, codes[2], NOW) is None
        assert recovery.remaining(db, account) == 10
        assert recovery.use(db, hub.recovery_codes, account, renewed[0], NOW) == 9


# Who must hold a second factor -----------------------------------------------------------


def mfa_policy(**changes: object) -> policy_sections.MfaPolicy:
    document = policy.default_document()
    document["mfa"].update(changes)
    return policy.parse_policy(document).mfa


def test_rules_per_role(hub: Hub) -> None:
    add_account(hub, "member01")
    add_account(hub, "admin01", role=AccountRole.UNIT_ADMIN)
    add_account(hub, "hpaadm01", role=AccountRole.UNIT_ADMIN)
    rules = mfa_policy(
        unit_admin_required=True,
        unit_admin_kinds="passkey,totp",
        unit_admin_grace_days=14,
        authority_required=True,
        authority_kinds="passkey",
        authority_grace_days=3,
        security_admin_required=True,
    )
    with hub.database.unit_of_work() as db:
        authority = ensure_unit(db, "A000000000", "國民健康署")
        authority.kind = UnitKind.AUTHORITY
        hpa = find_by_username(db, "hpaadm01")
        member = find_by_username(db, "member01")
        admin = find_by_username(db, "admin01")
        assert hpa is not None and member is not None and admin is not None
        hpa.unit = authority
        member.is_security_admin = True
        db.flush()
        assert roles_of(admin) == ["unit_admin"]
        bureau = ensure_unit(db, "B000000001", "臺中市政府衛生局")
        bureau.kind = UnitKind.HEALTH_BUREAU
        admin.unit = bureau
        db.flush()
        assert roles_of(admin) == ["unit_admin", "health_bureau_admin"]
        assert requirement_for(mfa_policy(health_bureau_admin_required=True), admin).required
        assert roles_of(hpa) == ["unit_admin", "authority"]
        assert roles_of(member) == ["member", "security_admin"]

        for_hpa = requirement_for(rules, hpa)
        assert for_hpa.required and for_hpa.kinds == {"passkey"} and for_hpa.grace_days == 3
        assert not for_hpa.met_by({"totp"}) and for_hpa.met_by({"passkey"})
        assert requirement_for(rules, admin).met_by({"totp"})
        assert not requirement_for(mfa_policy(), admin).required
        assert requirement_for(rules, member).required  # as a security admin


def test_enrolment_is_due_after_the_grace_period_from_the_first_sign_in(hub: Hub) -> None:
    add_account(hub, "admin01", role=AccountRole.UNIT_ADMIN)
    rules = mfa_policy(unit_admin_required=True, unit_admin_grace_days=14)
    with hub.database.unit_of_work() as db:
        admin = find_by_username(db, "admin01")
        assert admin is not None
        due = enrolment_due(db, rules, admin, frozenset(), NOW)
        assert due == NOW + timedelta(days=14)
        later = NOW + timedelta(days=3)
        assert enrolment_due(db, rules, admin, frozenset(), later) == due  # not restarted
        assert enrolment_due(db, rules, admin, frozenset({"totp"}), later) is None
        assert admin.second_factor_due_at is None
        assert enrolment_due(db, mfa_policy(), admin, frozenset(), later) is None


def test_reset_by_a_manager(hub: Hub) -> None:
    """The unit admin of the member's unit or the authority may; nobody resets their own
    (that is what recovery codes are for), nor another unit's members."""
    add_account(hub, "member01")
    add_account(hub, "admin01", role=AccountRole.UNIT_ADMIN)
    with hub.database.unit_of_work() as db:
        stranger = create_account(
            db,
            hub.passwords,
            username="admin02",
            password=PASSWORD,
            unit=ensure_unit(db, "3501200000", "示範診所"),
            role=AccountRole.UNIT_ADMIN,
            status=AccountStatus.ACTIVE,
        )
        member = find_by_username(db, "member01")
        admin = find_by_username(db, "admin01")
        assert member is not None and admin is not None
        totp.enrol(db, hub.store, hub.totp_box, member, SECRET, code(0), NOW, "")
        recovery.generate(db, hub.recovery_codes, member, "")
        rules = mfa_policy(member_required=True)
        assert not permissions.may_reset_second_factors(admin, admin)
        assert not permissions.may_reset_second_factors(stranger, member)
        with pytest.raises(NotAllowed):
            manage.reset(db, rules, stranger, member, "遺失", "")
        with pytest.raises(DomainError):
            manage.reset(db, rules, admin, member, " ", "")
        manage.reset(db, rules, admin, member, "手機遺失", "")
        assert held_kinds(db, member) == frozenset()
        assert recovery.remaining(db, member) == 0
        assert member.second_factor_due_at is not None  # must enrol again, at once


def test_changing_ones_own_factors_needs_a_session_with_one() -> None:
    assert permissions.may_change_own_second_factors(False, ["pwd"])
    assert not permissions.may_change_own_second_factors(True, ["pwd"])
    assert permissions.may_change_own_second_factors(True, ["pwd", "otp", "mfa"])
    assert permissions.may_change_own_second_factors(True, ["sc", "pin"])


def test_the_last_factor_a_role_requires_stays(hub: Hub) -> None:
    add_account(hub, "admin01", role=AccountRole.UNIT_ADMIN)
    rules = mfa_policy(unit_admin_required=True, unit_admin_kinds="totp")
    with hub.database.unit_of_work() as db:
        admin = find_by_username(db, "admin01")
        assert admin is not None
        totp.enrol(db, hub.store, hub.totp_box, admin, SECRET, code(0), NOW, "")
        recovery.generate(db, hub.recovery_codes, admin, "")
        with pytest.raises(DomainError, match="須保留至少一種"):
            manage.remove_app(db, rules, admin, "")
        manage.remove_app(db, mfa_policy(), admin, "")
        assert held_kinds(db, admin) == frozenset()
        assert recovery.remaining(db, admin) == 0  # nothing left for them to stand in for


# The policy --------------------------------------------------------------------------------


def test_kinds_are_checked_and_kept_in_order() -> None:
    assert mfa_policy(member_kinds="totp, passkey").member_kinds == "passkey,totp"
    for wrong in ("", "sms", "passkey,sms"):
        with pytest.raises(policy.PolicyError, match="其中至少一項"):
            mfa_policy(member_kinds=wrong)
    assert mfa_policy().rule("security_admin").grace_days == 7
    assert policy.subset_choices("mfa.member_kinds") == ("passkey", "totp")
    assert policy.subset_choices("mfa.member_required") == ()


def test_relying_party_is_the_issuers_host_and_origin() -> None:
    rp = RelyingParty.of_issuer("https://sso.example.tw")
    assert (rp.id, rp.origin) == ("sso.example.tw", "https://sso.example.tw")
    local = RelyingParty.of_issuer("http://localhost:5000")
    assert (local.id, local.origin) == ("localhost", "http://localhost:5000")


def test_policy_command_line_sets_the_rules(hub: Hub) -> None:
    assert idp(hub, "init").returncode == 0
    done = idp(
        hub,
        "policy",
        "set",
        "mfa.security_admin_required=true",
        "mfa.security_admin_kinds=passkey",
        "--reason",
        "ASVS",
    )
    assert done.returncode == 0, done.stderr
    shown = idp(hub, "policy", "show").stdout
    assert "mfa.security_admin_required=True" in shown
    assert "mfa.security_admin_kinds=passkey" in shown
    refused = idp(hub, "policy", "set", "mfa.member_kinds=sms", "--reason", "x")
    assert refused.returncode != 0 and "mfa.member_kinds" in refused.stderr


def test_an_operator_resets_a_security_admins_second_factors(hub: Hub) -> None:
    """No manager may reset a security admin's; the command line can."""
    add_account(hub, "secadmin1")
    with hub.database.unit_of_work() as db:
        account = find_by_username(db, "secadmin1")
        assert account is not None
        account.is_security_admin = True
    enrol_app(hub, "secadmin1")
    refused = idp(hub, "accounts", "reset-second-factors", "--username", "nobody1", "--reason", "x")
    assert refused.returncode != 0
    done = idp(
        hub, "accounts", "reset-second-factors", "--username", "secadmin1", "--reason", "遺失"
    )
    assert done.returncode == 0, done.stderr
    with hub.database.unit_of_work() as db:
        account = find_by_username(db, "secadmin1")
        assert account is not None and held_kinds(db, account) == frozenset()
        event = db.query(AuditEvent).filter_by(action="second_factor.reset").one()
        assert (event.actor, event.details["reason"]) == ("cli", "遺失")
