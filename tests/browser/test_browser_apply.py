"""帳號申請 and 帳號申請核定 in a real browser: the form with its unit picker, status
lookup, the signed-in subsystem request page, the inbox, and the batch approval page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from idp.services.units.importing import load_demo_units

from ..support.applications import (
    APPLICANT_PASSWORD,
    add_admin,
    national_id,
)
from ..support.browser import answer_captcha, send_application, sign_in
from ..support.hub import LiveHub, start_live_hub

HOSPITAL = "0101090517"  # 示範綜合醫院, 臺北市中正區, in the demo unit list


@pytest.fixture
def live(settings_for) -> Iterator[LiveHub]:  # type: ignore[no-untyped-def]
    for live_hub in start_live_hub(settings_for):
        with live_hub.hub.database.unit_of_work() as db:
            load_demo_units(db)
        add_admin(
            live_hub.hub,
            "hospadmin",
            HOSPITAL,
            subsystems={"mch": ("medical_institution", ["prenatal_care"])},
        )
        yield live_hub


def fill_application(page: Page, username: str, id_letter: str) -> None:
    page.get_by_label("縣市").select_option("臺北市")
    page.get_by_label("區域").select_option("中正區")
    page.get_by_label("單位", exact=True).select_option(HOSPITAL)
    page.get_by_label("一般使用者", exact=True).check()
    page.get_by_label("（必填）帳號").fill(username)
    page.get_by_label("新密碼", exact=True).fill(APPLICANT_PASSWORD)
    page.get_by_label("再輸入一次新密碼").fill(APPLICANT_PASSWORD)
    page.get_by_label("（必填）身分證統一編號").fill(national_id(id_letter))
    page.get_by_label("（必填）姓名").fill("林新人")
    page.get_by_label("（必填）職稱").fill("護理師")
    page.get_by_label("（必填）所屬部門").fill("家醫科")
    page.get_by_label("（必填）市話").fill("02-27654321#12")
    page.get_by_label("（必填）電子郵件").fill(f"{username}@example.org")
    mch = page.locator("fieldset.subsystem").filter(has_text="婦幼健康管理整合系統")
    mch.get_by_role("checkbox", name="婦幼健康管理整合系統").check()
    mch.get_by_label("業務權責").select_option("medical_institution")
    mch.get_by_label("產檢院所").check()
    page.get_by_label("我已閱讀並同意").check()


def test_apply_check_progress_and_be_approved(page: Page, live: LiveHub) -> None:
    page.goto(live.url + "/signin")
    page.get_by_role("link", name="帳號申請").click()
    expect(page.get_by_role("heading", name="帳號申請")).to_be_visible()
    fill_application(page, "newcomer01", "B")
    # A mistake is shown next to its field and what was typed stays.
    page.get_by_label("（必填）市話").fill("12345")
    answer_captcha(page, live)
    page.get_by_role("button", name="送出申請").click()
    expect(page.locator("#phone-error")).to_contain_text("02-12345678")
    expect(page.get_by_label("（必填）姓名")).to_have_value("林新人")
    expect(page.get_by_label("單位", exact=True)).to_have_value(HOSPITAL)
    page.get_by_label("（必填）市話").fill("02-27654321#12")
    page.get_by_label("新密碼", exact=True).fill(APPLICANT_PASSWORD)
    page.get_by_label("再輸入一次新密碼").fill(APPLICANT_PASSWORD)
    send_application(page, live, "newcomer01@example.org")
    expect(page.get_by_role("heading", name="申請進度")).to_be_visible()
    expect(page.get_by_text("待審核").first).to_be_visible()

    page.goto(live.url + "/apply/status")
    page.get_by_label("帳號").fill("newcomer01")
    page.get_by_label("密碼").fill(APPLICANT_PASSWORD)
    answer_captcha(page, live)
    page.get_by_role("button", name="查詢").click()
    expect(page.get_by_text("管理者hospadmin")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, live, "hospadmin")
    page.get_by_role("link", name="帳號申請核定").click()
    page.get_by_role("checkbox", name="選取 林新人 的申請").check()
    page.get_by_role("button", name="核定所選").click()
    expect(page.get_by_role("heading", name="是否確定核定以下 1 筆申請？")).to_be_visible()
    page.get_by_role("button", name="確定").click()
    expect(page.get_by_text("已核定 1 筆")).to_be_visible()

    page.get_by_role("link", name="業務子系統帳號申請審核").click()
    page.get_by_role("checkbox", name="選取 林新人 的申請").check()
    page.get_by_role("button", name="核定所選").click()
    page.get_by_role("button", name="確定").click()
    expect(page.get_by_text("已核定 1 筆")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, live, "newcomer01", APPLICANT_PASSWORD)
    page.get_by_role("link", name="站內訊息").click()
    expect(page.get_by_text("您的帳號申請已核定")).to_be_visible()
    page.get_by_role("link", name="業務子系統帳號管理").click()
    expect(page.get_by_role("cell", name="newcomer01@" + HOSPITAL)).to_be_visible()


def test_batch_return_needs_a_reason(page: Page, live: LiveHub) -> None:
    for username, letter in (("first0001", "C"), ("second001", "D")):
        page.goto(live.url + "/apply")
        fill_application(page, username, letter)
        send_application(page, live, f"{username}@example.org")
        expect(page.get_by_role("heading", name="申請進度")).to_be_visible()
        page.context.clear_cookies()
    sign_in(page, live, "hospadmin")
    page.goto(live.url + "/review/applications")
    boxes = page.get_by_role("checkbox", name="選取 林新人 的申請")
    expect(boxes).to_have_count(2)
    for n in range(2):
        boxes.nth(n).check()
    page.get_by_role("button", name="退回所選").click()
    # Said at once, before any 是否確定.
    expect(page.get_by_role("alert")).to_contain_text("退回時請填寫原因")
    expect(page.get_by_role("heading", name="是否確定退回以下 2 筆申請？")).to_have_count(0)
    page.get_by_role("checkbox", name="選取 林新人 的申請").first.check()
    page.get_by_role("checkbox", name="選取 林新人 的申請").nth(1).check()
    page.get_by_label("審核說明（退回時必填）").fill("請改用單位信箱")
    page.get_by_role("button", name="退回所選").click()
    page.get_by_role("button", name="確定").click()
    expect(page.get_by_text("已退回 2 筆")).to_be_visible()
