"""The one place that names, in words, every code a person may see: statuses, roles,
review routes, role change kinds, unit kinds, sign-in methods (``amr``), why a sign-in
failed, the security policy's settings, kinds of second factor, and subsystems (from
their catalogues).

Names are zh-TW, like every text of the hub; pages translate them through
``translations/en.json`` (``idp.http.naming``), mail writes both languages. A code this
module does not know is named by a general word, never shown as it is.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from typing import Any

from ..models import (
    AccountRole,
    AccountStatus,
    ApplicationStatus,
    ChangeRequestKind,
    ChangeRequestStatus,
    ChangeStepOutcome,
    PrivacyRequestKind,
    PrivacyRequestStatus,
    ReviewRoute,
    ReviewTier,
    RoleChangeKind,
    UnitKind,
)
from .errors import Text
from .signin.steps import ACR_CARD, ACR_MFA, ACR_PASSWORD, ACR_PHISHING_RESISTANT
from .subsystems.catalogues import Catalogues, Name

ACCOUNT_STATUS = {
    AccountStatus.PENDING: "待審核",
    AccountStatus.ACTIVE: "啟用",
    AccountStatus.RETURNED: "退回",
    AccountStatus.DISABLED: "停用",
    AccountStatus.DORMANT: "待復權",
}
APPLICATION_STATUS = {
    ApplicationStatus.UNCONFIRMED: "待確認電子郵件",
    ApplicationStatus.WAITING: "待前一關核定",
    ApplicationStatus.PENDING: "待審核",
    ApplicationStatus.APPROVED: "核定",
    ApplicationStatus.RETURNED: "退回",
}
ACCOUNT_ROLE = {
    AccountRole.UNIT_ADMIN: "單位業務管理者",
    AccountRole.MEMBER: "一般使用者",
}
REVIEW_ROUTE = {
    ReviewRoute.UNIT_ADMIN: "單位業務管理者審核",
    ReviewRoute.PAPER: "紙本審核",
    ReviewRoute.CARD: "醫事機構卡驗證",
}
ROLE_CHANGE_KIND = {
    RoleChangeKind.CANCEL_ADMIN: "管理者註銷",
    RoleChangeKind.PROMOTE: "一般使用者轉為管理者",
    RoleChangeKind.DEMOTE: "管理者轉為一般使用者",
    RoleChangeKind.OVER_QUOTA: "管理員超額申請",
    RoleChangeKind.EXTRA_MENU: "增加業務選單",
}
UNIT_KIND = {
    UnitKind.HOSPITAL: "醫院",
    UnitKind.CLINIC: "診所",
    UnitKind.HEALTH_STATION: "衛生所",
    UnitKind.HEALTH_BUREAU: "衛生局",
    UnitKind.AUTHORITY: "國健署",
    UnitKind.VENDOR: "廠商",
}
PRIVACY_REQUEST_KIND = {
    PrivacyRequestKind.STOP: "停止蒐集、處理或利用我的個人資料",
    PrivacyRequestKind.DELETE: "刪除我的個人資料",
}
PRIVACY_REQUEST_STATUS = {
    PrivacyRequestStatus.PENDING: "審核中",
    PrivacyRequestStatus.APPROVED: "結案：允許",
    PrivacyRequestStatus.REFUSED: "結案：不允許",
}
CHANGE_REQUEST_KIND = {
    ChangeRequestKind.ACCOUNT: "帳號異動",
    ChangeRequestKind.PROFILE: "個人資料異動",
    ChangeRequestKind.DUTY: "業務異動",
    ChangeRequestKind.IDENTITY: "身分證或所屬單位異動",
    ChangeRequestKind.OTHER: "其他",
}
CHANGE_REQUEST_STATUS = {
    ChangeRequestStatus.PENDING: "審核中",
    ChangeRequestStatus.APPROVED: "結案：允許",
    ChangeRequestStatus.REFUSED: "結案：不允許",
}
REVIEW_TIER = {
    ReviewTier.UNIT_ADMIN: "單位管理者",
    ReviewTier.HEALTH_BUREAU: "衛生局",
    ReviewTier.AUTHORITY: "國健署",
}
CHANGE_STEP_OUTCOME = {
    ChangeStepOutcome.ALLOWED: "允許",
    ChangeStepOutcome.REFUSED: "不允許",
    ChangeStepOutcome.SKIPPED: "此關無其他審核者，移至下一關",
}
_BY_KIND: dict[type[enum.Enum], Mapping[Any, str]] = {
    AccountStatus: ACCOUNT_STATUS,
    ApplicationStatus: APPLICATION_STATUS,
    AccountRole: ACCOUNT_ROLE,
    ReviewRoute: REVIEW_ROUTE,
    RoleChangeKind: ROLE_CHANGE_KIND,
    UnitKind: UNIT_KIND,
    PrivacyRequestKind: PRIVACY_REQUEST_KIND,
    PrivacyRequestStatus: PRIVACY_REQUEST_STATUS,
    ChangeRequestKind: CHANGE_REQUEST_KIND,
    ChangeRequestStatus: CHANGE_REQUEST_STATUS,
    ReviewTier: REVIEW_TIER,
    ChangeStepOutcome: CHANGE_STEP_OUTCOME,
}

#: Authentication methods (RFC 8176 ``amr`` values) as 驗證方式.
AUTH_METHOD = {
    "pwd": "密碼",
    "sc": "智慧卡",
    "pin": "PIN 碼",
    "mfa": "多重要素",
    "otp": "一次性驗證碼",
    "hwk": "硬體金鑰",
    "swk": "軟體金鑰",
    "user": "使用者確認",
}

#: Sign-in levels (``acr``), weakest first: a subsystem's minimum among them.
ACR_LEVEL = {
    ACR_PASSWORD: "密碼",
    ACR_MFA: "兩步驟驗證",
    ACR_PHISHING_RESISTANT: "通行密鑰或醫事人員卡",
    ACR_CARD: "醫事人員卡",
}

#: Why a sign-in was refused (the ``reason`` of a ``signin.failure`` audit row).
SIGNIN_FAILURE = {
    "credentials": "帳號或密碼錯誤",
    "locked": "帳號暫停登入中",
    "captcha": "驗證碼錯誤",
    "address_limited": "同一來源嘗試次數過多",
    "status": "帳號無法使用",
    "card": "卡片驗證失敗",
    "second_factor": "第二步驗證失敗",
    "passkey": "通行密鑰驗證失敗",
}

#: The security policy's sections and settings, as the policy page and its errors name them.
POLICY_SECTION = {
    "password": "密碼",
    "lockout": "鎖定與次數限制",
    "captcha": "驗證碼",
    "session": "閒置登出",
    "dormancy": "待復權",
    "mfa": "兩步驟驗證",
    "account_name": "帳號與姓名",
}
POLICY_SETTING = {
    "account_name.min_length": "帳號最短長度",
    "account_name.max_length": "帳號最長長度",
    "account_name.require_letters_and_digits": "帳號須英數混合",
    "account_name.institution_words": "姓名不可以這些字結尾（機構名稱，以逗號分隔）",
    "password.min_length": "最短長度",
    "password.max_length": "最長長度",
    "password.require_upper": "須含大寫英文字母",
    "password.require_lower": "須含小寫英文字母",
    "password.require_digit": "須含數字",
    "password.require_symbol": "須含符號",
    "password.symbols": "可用的符號",
    "password.only_listed_symbols": "只准可用的符號",
    "password.min_strength": "最低強度（0–4，2 為「中」）",
    "password.forbid_personal_data": "不可含個人資料",
    "password.forbid_common": "不可為常見密碼",
    "password.history": "不可重複使用最近幾次的密碼",
    "password.remind_after_days": "幾天後提醒更換（0 為不提醒）",
    "password.max_age_days": "幾天後強制更換（0 為不強制）",
    "password.reset_link_minutes": "重設密碼連結有效分鐘數",
    "lockout.max_failures": "連續錯誤幾次鎖定",
    "lockout.lock_minutes": "鎖定分鐘數",
    "lockout.address_failures": "同一來源位址錯誤幾次暫停",
    "lockout.address_window_minutes": "同一來源位址計算區間（分鐘）",
    "lockout.signin_per_minute": "同一來源位址每分鐘登入次數上限",
    "lockout.captcha_per_minute": "同一來源位址每分鐘驗證碼次數上限",
    "lockout.forgot_password_per_hour": "同一來源位址每小時忘記密碼次數上限",
    "lockout.status_lookup_per_hour": "同一來源位址每小時申請進度查詢次數上限",
    "lockout.apply_per_hour": "同一來源位址每小時帳號申請次數上限",
    "lockout.trusted_networks": "信任網段及其上限（網段=次數，以逗號分隔）",
    "lockout.client_requests_per_minute": "每個子系統每分鐘權杖、查驗、撤銷要求次數上限",
    "captcha.mode": "何時出現驗證碼",
    "captcha.length": "驗證碼位數",
    "captcha.ttl_seconds": "驗證碼有效秒數",
    "session.idle_minutes": "閒置幾分鐘登出",
    "session.max_hours": "登入後最長幾小時",
    "session.warn_minutes": "逾時前幾分鐘提醒",
    "dormancy.idle_days": "幾天未登入轉為待復權（0 為不轉）",
    "mfa.passwordless": "可只用通行密鑰登入（免輸入密碼）",
    "mfa.member_required": "一般使用者須設定兩步驟驗證",
    "mfa.member_kinds": "一般使用者可用的方式",
    "mfa.member_grace_days": "一般使用者首次登入後幾天內須完成設定",
    "mfa.unit_admin_required": "單位業務管理者須設定兩步驟驗證",
    "mfa.unit_admin_kinds": "單位業務管理者可用的方式",
    "mfa.unit_admin_grace_days": "單位業務管理者首次登入後幾天內須完成設定",
    "mfa.health_bureau_admin_required": "衛生局管理者須設定兩步驟驗證",
    "mfa.health_bureau_admin_kinds": "衛生局管理者可用的方式",
    "mfa.health_bureau_admin_grace_days": "衛生局管理者首次登入後幾天內須完成設定",
    "mfa.authority_required": "國健署管理者須設定兩步驟驗證",
    "mfa.authority_kinds": "國健署管理者可用的方式",
    "mfa.authority_grace_days": "國健署管理者首次登入後幾天內須完成設定",
    "mfa.security_admin_required": "資安管理者須設定兩步驟驗證",
    "mfa.security_admin_kinds": "資安管理者可用的方式",
    "mfa.security_admin_grace_days": "資安管理者首次登入後幾天內須完成設定",
}
#: Settings whose value is one of a few words: each word's name.
POLICY_CHOICE = {
    "captcha.mode": {"always": "每次登入", "after_failure": "登入失敗後"},
}

#: Kinds of second factor (兩步驟驗證) and the roles the policy keeps a rule for.
SECOND_FACTOR_KIND = {"passkey": "通行密鑰或安全金鑰", "totp": "驗證器 App"}
MFA_ROLE = {
    "member": "一般使用者",
    "unit_admin": "單位業務管理者",
    "health_bureau_admin": "衛生局管理者",
    "authority": "國健署管理者",
    "security_admin": "資安管理者",
}

UNKNOWN = "其他"


def name_of(value: enum.Enum) -> str:
    """A status, role, route, role change kind or unit kind, in words."""
    return _BY_KIND.get(type(value), {}).get(value, UNKNOWN)


def auth_method(code: str) -> str:
    return AUTH_METHOD.get(code, UNKNOWN)


def signin_failure(reason: str) -> str:
    """``status:dormant`` and ``card:revoked`` are named by their first part."""
    return SIGNIN_FAILURE.get(reason.partition(":")[0], UNKNOWN)


def policy_setting(key: str) -> str:
    return POLICY_SETTING.get(key, key.partition(".")[2].replace("_", " "))


def policy_choice(key: str, value: str) -> str:
    return POLICY_CHOICE.get(key, {}).get(value, value)


def policy_text(problem: Text) -> Text:
    """A policy refusal for a page: the settings and sections it names by their labels.
    The command line keeps the keys, which are what ``idp policy`` takes."""
    labels = {**POLICY_SETTING, **POLICY_SECTION}
    params = {
        key: labels.get(value, value) if isinstance(value, str) else value
        for key, value in problem.params.items()
    }
    return Text(problem.template, params)


def subsystem(catalogues: Catalogues, code: str) -> Name:
    """A subsystem's short name (婦幼, 癌整, 戒菸); one not in the catalogues is named as
    another subsystem rather than by its code."""
    found = catalogues.get(code)
    return found.abbreviation if found is not None else Name("其他子系統", "another subsystem")


def subsystem_full(catalogues: Catalogues, code: str) -> Name:
    found = catalogues.get(code)
    return found.name if found is not None else Name("其他子系統", "another subsystem")


OTHER = Name(UNKNOWN, "other")


def duty(catalogues: Catalogues, subsystem_code: str, code: str) -> Name:
    found = catalogues.get(subsystem_code)
    held = found.duty(code) if found is not None else None
    return held.name if held is not None else OTHER


def menu_role(catalogues: Catalogues, subsystem_code: str, code: str) -> Name:
    found = catalogues.get(subsystem_code)
    role = found.menu_role(code) if found is not None else None
    return role.name if role is not None else OTHER


def acr_level(code: str) -> str:
    """A subsystem's minimum sign-in level; none set: 不限."""
    return ACR_LEVEL.get(code, UNKNOWN) if code else "不限"


def auth_methods(amr: Sequence[str]) -> list[str]:
    return [auth_method(code) for code in amr]
