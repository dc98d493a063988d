"""Subsystem catalogues: the shipped files follow the seeds, mistakes are named, and
requests and admin quotas are judged from them."""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from idp.models.account import AccountRole
from idp.models.unit import UnitKind
from idp.services.errors import Text
from idp.services.subsystems import catalogue_files
from idp.services.subsystems.catalogue_files import CATALOGUE_DIR, load_catalogues
from idp.services.subsystems.catalogues import AdminQuota, CatalogueError, Name, QuotaScope

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_shipped_catalogues_are_the_three_clients() -> None:
    loaded = load_catalogues()
    assert list(loaded) == ["cancer", "cessation", "mch"]
    assert loaded.get("unknown") is None
    assert [s.abbreviation.zh_tw for s in loaded.values()] == ["癌整", "戒菸", "婦幼"]
    for subsystem in loaded.values():
        assert [(r.code, r.name.zh_tw) for r in subsystem.roles] == [
            (AccountRole.UNIT_ADMIN, "單位業務管理者"),
            (AccountRole.MEMBER, "一般使用者"),
        ]


def test_every_name_has_an_english_one() -> None:
    for subsystem in load_catalogues().values():
        names = [subsystem.name, subsystem.abbreviation, *(r.name for r in subsystem.roles)]
        for duty in subsystem.duties:
            names += [duty.name, *(m.name for m in duty.menu_roles)]
        for name in names:
            assert CJK.search(name.zh_tw), name
            assert name.en and not CJK.search(name.en), name


def test_mch_follows_seed_002() -> None:
    mch = load_catalogues()["mch"]
    assert mch.name.zh_tw == "婦幼健康管理整合系統"
    assert mch.admin_quota == AdminQuota(QuotaScope.UNIT, 2)
    duty_names = [d.name.zh_tw for d in mch.duties]
    assert duty_names == ["醫事機構", "衛生所", "衛生局", "評估中心", "國健署"]
    institution = mch.duty("medical_institution")
    assert institution is not None
    assert institution.unit_kinds == (UnitKind.HOSPITAL, UnitKind.CLINIC)
    names = [m.name.zh_tw for m in institution.menu_roles]
    for seed_name in (
        "高風險孕產婦管理醫療院所",
        "乙型鏈球菌檢驗機構",
        "產檢院所",
        "兒健特約醫事機構",
        "兒篩採集醫事機構",
        "篩檢中心",
        "兒篩確診醫事機構",
        "聽力篩檢醫事機構",
        "聽力確診醫事機構",
        "全國遺傳採檢單位",
        "全國遺傳檢驗單位",
    ):
        assert seed_name in names
    bureau = mch.duty("health_bureau")
    assert bureau is not None and bureau.unit_kinds == (UnitKind.HEALTH_BUREAU,)
    assert len(bureau.menu_roles) == 11
    assert bureau.menu_roles[0].name.zh_tw == "衛生局(孕婦產前健康照護衛教指導)"
    assert bureau.menu_roles[8].name.zh_tw == "衛生局(評估中心業務)"
    assert bureau.menu_roles[10].name.zh_tw == "衛生局(特殊群體孕婦生育指導)"


def test_cancer_follows_seeds_000_and_001() -> None:
    cancer = load_catalogues()["cancer"]
    assert cancer.name.zh_tw == "癌症篩檢與追蹤管理資訊整合系統"
    assert cancer.admin_quota == AdminQuota(QuotaScope.BUSINESS_CATEGORY, 1)
    institution = cancer.duty("medical_institution")
    assert institution is not None
    assert [m.name.zh_tw for m in institution.business_categories()] == [
        "大腸癌—採檢機構",
        "子宮頸癌—採檢機構",
        "HPV 檢測—採檢機構",
        "胃癌(糞便抗原)—採檢機構",
        "胃癌(糞便抗原)—檢驗機構",
    ]
    names = {m.name.zh_tw for m in institution.menu_roles}
    assert {"大腸癌篩檢資格查詢", "口腔癌篩檢資格查詢", "乳癌篩檢資格查詢"} <= names
    assert {"子宮頸癌篩檢資格查詢", "大腸癌篩檢補正查詢", "子抹申報系統補正查詢"} <= names


def test_cessation_has_two_admins_per_unit() -> None:
    cessation = load_catalogues()["cessation"]
    assert cessation.name.zh_tw == "戒菸服務系統"
    assert cessation.admin_quota == AdminQuota(QuotaScope.UNIT, 2)


def test_lookups() -> None:
    mch = load_catalogues()["mch"]
    assert mch.duty("nothing") is None
    assert mch.role("unit_admin") is not None and mch.role("owner") is None
    menu_role = mch.menu_role("prenatal_care")
    assert menu_role is not None
    assert menu_role.name == Name("產檢院所", "Prenatal check-up provider")
    bureau = mch.duty("health_bureau")
    assert bureau is not None and bureau.menu_role("prenatal_care") is None
    assert [d.code for d in mch.duties_for(UnitKind.HOSPITAL)] == [
        "medical_institution",
        "assessment_center",
    ]
    assert mch.duties_for(UnitKind.VENDOR) == ()
    assert menu_role.name.in_locale("en") == "Prenatal check-up provider"
    assert menu_role.name.in_locale("zh-TW") == str(menu_role.name) == "產檢院所"


def templates(problems: list[Text]) -> list[str]:
    return [p.template for p in problems]


def test_a_valid_request_has_no_problems() -> None:
    mch = load_catalogues()["mch"]
    menu_roles = ["prenatal_care", "hearing_screening"]
    assert mch.validate_request("medical_institution", menu_roles, UnitKind.CLINIC) == []
    admin = AccountRole.UNIT_ADMIN
    bureau_roles = ["bureau_genetics"]
    assert (
        mch.validate_request("health_bureau", bureau_roles, UnitKind.HEALTH_BUREAU, role=admin)
        == []
    )


def test_request_problems() -> None:
    mch = load_catalogues()["mch"]
    assert templates(mch.validate_request("", ["prenatal_care"], UnitKind.CLINIC)) == [
        "請選擇業務權責"
    ]
    unknown = mch.validate_request("school", ["prenatal_care"], UnitKind.CLINIC)
    assert templates(unknown) == ["未知的業務權責 {duty}"]
    assert unknown[0].params == {"duty": "school"}
    assert templates(
        mch.validate_request("medical_institution", ["prenatal_care"], UnitKind.HEALTH_BUREAU)
    ) == ["此單位類型不可申請所選的業務權責"]
    assert templates(mch.validate_request("medical_institution", [], UnitKind.HOSPITAL)) == [
        "請至少選擇一項選單角色"
    ]
    foreign = mch.validate_request(
        "health_bureau", ["bureau_genetics", "prenatal_care"], UnitKind.HEALTH_BUREAU
    )
    assert templates(foreign) == ["所選的業務權責沒有選單角色 {menu_role}"]
    assert foreign[0].params == {"menu_role": "prenatal_care"}


def test_a_cancer_admin_needs_a_business_category() -> None:
    cancer = load_catalogues()["cancer"]
    admin = AccountRole.UNIT_ADMIN
    queries = ["oral_eligibility", "breast_eligibility"]
    assert cancer.validate_request("medical_institution", queries, UnitKind.CLINIC) == []
    assert templates(
        cancer.validate_request("medical_institution", queries, UnitKind.CLINIC, role=admin)
    ) == ["單位業務管理者須至少選擇一項業務類別"]
    with_category = [*queries, "hpv_collection"]
    assert (
        cancer.validate_request("medical_institution", with_category, UnitKind.CLINIC, role=admin)
        == []
    )
    bureau_role = ["bureau_cancer_screening"]
    assert (
        cancer.validate_request("health_bureau", bureau_role, UnitKind.HEALTH_BUREAU, role=admin)
        == []
    )


def test_mch_admins_count_per_unit() -> None:
    mch = load_catalogues()["mch"]
    assert mch.admin_quota_keys("medical_institution", ["prenatal_care"]) == ("mch",)
    assert mch.admin_quota_keys("assessment_center", ["joint_assessment_center"]) == ("mch",)


def test_cancer_admins_count_per_business_category() -> None:
    cancer = load_catalogues()["cancer"]
    keys = cancer.admin_quota_keys(
        "medical_institution", ["gastric_laboratory", "oral_eligibility", "colorectal_collection"]
    )
    assert keys == (
        "cancer:medical_institution:colorectal_collection",
        "cancer:medical_institution:gastric_laboratory",
    )
    assert cancer.admin_quota_keys("health_bureau", ["bureau_cancer_screening"]) == (
        "cancer:health_bureau",
    )
    admins = [["colorectal_collection"], ["colorectal_collection", "hpv_collection"]]
    counted = Counter(
        key for codes in admins for key in cancer.admin_quota_keys("medical_institution", codes)
    )
    over = [key for key, count in counted.items() if count > cancer.admin_quota.count]
    assert over == ["cancer:medical_institution:colorectal_collection"]


def name(zh_tw: str, english: str) -> dict[str, str]:
    return {"zh-TW": zh_tw, "en": english}


MINIMAL: dict[str, Any] = {
    "name": name("示範系統", "Demo system"),
    "abbreviation": name("示範", "Demo"),
    "roles": [
        {"code": "unit_admin", "name": name("單位業務管理者", "Unit admin")},
        {"code": "member", "name": name("一般使用者", "Member")},
    ],
    "admin_quota": {"per": "unit", "count": 2},
    "duties": [
        {
            "code": "medical_institution",
            "name": name("醫事機構", "Medical institution"),
            "unit_kinds": ["hospital", "clinic"],
            "menu_roles": [
                {"code": "prenatal_care", "name": name("產檢院所", "Prenatal care")},
                {"code": "gbs_laboratory", "name": name("乙型鏈球菌檢驗機構", "GBS laboratory")},
            ],
        },
        {
            "code": "health_bureau",
            "name": name("衛生局", "Health bureau"),
            "unit_kinds": ["health_bureau"],
            "menu_roles": [
                {"code": "bureau_newborn", "name": name("衛生局(新生兒篩檢業務)", "Newborn")}
            ],
        },
    ],
}


def write(directory: Path, stem: str, document: Any) -> Path:
    path = directory / f"{stem}.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def problems_in(directory: Path) -> list[str]:
    with pytest.raises(CatalogueError) as refused:
        load_catalogues(directory)
    assert str(refused.value) == "\n".join(refused.value.problems)
    return refused.value.problems


def test_a_minimal_catalogue_loads(tmp_path: Path) -> None:
    write(tmp_path, "demo", {"demo": MINIMAL})
    demo = load_catalogues(tmp_path)["demo"]
    assert demo.admin_quota == AdminQuota(QuotaScope.UNIT, 2)
    assert [d.code for d in demo.duties] == ["medical_institution", "health_bureau"]
    assert demo.duties[1].menu_roles[0].name.en == "Newborn"


def set_in(path: tuple[str | int, ...], value: Any) -> Callable[[Any], None]:
    def change(body: Any) -> None:
        for step in path[:-1]:
            body = body[step]
        body[path[-1]] = value

    return change


def delete(path: tuple[str | int, ...]) -> Callable[[Any], None]:
    def change(body: Any) -> None:
        for step in path[:-1]:
            body = body[step]
        del body[path[-1]]

    return change


KINDS = "hospital, clinic, health_station, health_bureau, authority, vendor"


@pytest.mark.parametrize(
    "change,problem",
    [
        (set_in(("colour",), "red"), "unknown key 'colour'"),
        (
            set_in(("duties", 0, "menu_roles", 1, "icon"), "x"),
            "duties[0].menu_roles[1]: unknown key 'icon'",
        ),
        (delete(("duties", 1, "menu_roles", 0, "code")), "duties[1].menu_roles[0]: code missing"),
        (delete(("admin_quota",)), "admin_quota missing"),
        (delete(("duties", 0, "name", "en")), "duties[0].name: en missing"),
        (set_in(("name", "zh-TW"), " "), "name.zh-TW: must be a non-empty text"),
        (
            set_in(("duties", 1, "code"), "medical_institution"),
            "duties[1].code: duplicate code 'medical_institution' (first at duties[0].code)",
        ),
        (
            set_in(("duties", 1, "menu_roles", 0, "code"), "prenatal_care"),
            "duties[1].menu_roles[0].code: duplicate code 'prenatal_care'"
            " (first at duties[0].menu_roles[0].code)",
        ),
        (
            set_in(("duties", 0, "code"), "醫事機構"),
            "duties[0].code: '醫事機構' must be lower-case ASCII letters, digits and _"
            " (at most 40)",
        ),
        (
            set_in(("duties", 0, "unit_kinds"), ["hospital", "school"]),
            f"duties[0].unit_kinds[1]: unknown unit kind 'school' (known: {KINDS})",
        ),
        (set_in(("admin_quota", "count"), 0), "admin_quota.count: 0 is not a positive integer"),
        (
            set_in(("admin_quota", "count"), "two"),
            "admin_quota.count: 'two' is not a positive integer",
        ),
        (
            set_in(("admin_quota", "count"), True),
            "admin_quota.count: True is not a positive integer",
        ),
        (
            set_in(("admin_quota", "count"), 1.5),
            "admin_quota.count: 1.5 is not a positive integer",
        ),
        (
            set_in(("admin_quota", "per"), "county"),
            "admin_quota.per: must be one of unit, business_category",
        ),
        (
            set_in(("roles", 1, "code"), "owner"),
            "roles[1].code: unknown role 'owner' (known: unit_admin, member)",
        ),
        (set_in(("roles",), MINIMAL["roles"][:1]), "roles: must list unit_admin and member"),
        (set_in(("duties", 0, "menu_roles"), []), "duties[0].menu_roles: must be a non-empty list"),
        (set_in(("duties",), {"code": "x"}), "duties: must be a non-empty list"),
        (
            set_in(("duties", 0, "menu_roles", 0), "產檢院所"),
            "duties[0].menu_roles[0]: must be a mapping",
        ),
        (
            set_in(("duties", 0, "menu_roles", 0, "business_category"), "yes"),
            "duties[0].menu_roles[0].business_category: must be true or false",
        ),
    ],
)
def test_each_mistake_is_named_by_file_and_place(
    tmp_path: Path, change: Callable[[Any], None], problem: str
) -> None:
    body = copy.deepcopy(MINIMAL)
    change(body)
    path = write(tmp_path, "demo", {"demo": body})
    assert problems_in(tmp_path) == [f"{path}: {problem}"]


def test_the_short_name_must_match_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "demo", {"other": MINIMAL})
    assert problems_in(tmp_path) == [
        f"{path}: short name 'other' does not match the file name 'demo'"
    ]


def test_one_subsystem_per_file(tmp_path: Path) -> None:
    path = write(tmp_path, "demo", {"demo": MINIMAL, "other": MINIMAL})
    assert problems_in(tmp_path) == [
        f"{path}: must hold one mapping, keyed by the subsystem's short name"
    ]


def test_broken_yaml_is_named(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text("demo:\n  name: [unclosed\n", encoding="utf-8")
    (problem,) = problems_in(tmp_path)
    assert problem.startswith(f"{path}: not valid YAML (")


def test_every_problem_of_every_file_is_listed(tmp_path: Path) -> None:
    first = copy.deepcopy(MINIMAL)
    first["admin_quota"]["count"] = -1
    del first["duties"][0]["menu_roles"][0]["code"]
    second = copy.deepcopy(MINIMAL)
    second["duties"][1]["unit_kinds"] = ["bureau"]
    first_path = write(tmp_path, "alpha", {"alpha": first})
    second_path = write(tmp_path, "beta", {"beta": second})
    write(tmp_path, "gamma", {"gamma": MINIMAL})
    assert problems_in(tmp_path) == [
        f"{first_path}: admin_quota.count: -1 is not a positive integer",
        f"{first_path}: duties[0].menu_roles[0]: code missing",
        f"{second_path}: duties[1].unit_kinds[0]: unknown unit kind 'bureau' (known: {KINDS})",
    ]


def test_an_empty_directory_is_refused(tmp_path: Path) -> None:
    assert problems_in(tmp_path) == [f"{tmp_path}: no subsystem catalogues (*.yaml)"]


def test_shipped_files_are_named_from_the_repository() -> None:
    assert catalogue_files._label(CATALOGUE_DIR / "mch.yaml") == "policies/subsystems/mch.yaml"
