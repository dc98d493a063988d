"""人員帳號管理 and 帳號/權限異動 in a real browser: a unit admin adds an account (the new
person signs in with the mailed password and must change it), disables it after
confirming, restores it; asks for a role change that the authority approves."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from idp.models import MailMessage, UnitKind
from idp.services.signin import captcha
from idp.services.units.importing import load_demo_units

from ..support.applications import add_admin, add_unit, national_id
from ..support.browser import sign_in
from ..support.hub import LiveHub, start_live_hub

HOSPITAL = "0101090517"  # 示範綜合醫院, in the demo unit list
AUTHORITY = "A000000000"
NEW_PASSWORD = "Second~Chance2026"


@pytest.fixture
def live(settings_for) -> Iterator[LiveHub]:  # type: ignore[no-untyped-def]
    for live_hub in start_live_hub(settings_for):
        with live_hub.hub.database.unit_of_work() as db:
            load_demo_units(db)
        add_unit(live_hub.hub, AUTHORITY, "國民健康署", UnitKind.AUTHORITY)
        add_admin(live_hub.hub, "hospadmin", HOSPITAL)
        add_admin(live_hub.hub, "hpaadmin", AUTHORITY)
        yield live_hub


def mailed_password(live: LiveHub) -> str:
    with live.hub.database.unit_of_work() as db:
        message = db.scalar(select(MailMessage).where(MailMessage.kind == "account_created"))
        assert message is not None
        found = re.search(r"密碼：(\S+)", message.body)
        assert found is not None
        return found.group(1)


def sign_out(page: Page, live: LiveHub) -> None:
    page.goto(live.url + "/")
    page.get_by_role("button", name="登出").click()
    expect(page.get_by_role("heading", name="您已登出")).to_be_visible()


def test_add_disable_and_restore_an_account(page: Page, live: LiveHub) -> None:
    sign_in(page, live, "hospadmin")
    page.get_by_role("link", name="管理首頁").click()
    expect(page.get_by_role("img", name="近 24 小時每小時登入次數")).to_be_visible()
    page.get_by_role("link", name="人員帳號管理").click()
    page.get_by_role("link", name="新增帳號").click()
    page.get_by_label("（必填）帳號").fill("newhire01")
    page.get_by_label("（必填）身分證統一編號").fill(national_id("C", "12345678"))
    page.get_by_label("（必填）姓名").fill("陳新進")
    page.get_by_label("（必填）職稱").fill("個管師")
    page.get_by_label("（必填）市話").fill("27654321")
    page.get_by_label("（必填）電子郵件").fill("newhire@example.org")
    page.get_by_role("button", name="新增", exact=True).click()
    expect(page.locator("#phone-error")).to_contain_text("02-12345678")
    expect(page.get_by_label("（必填）姓名")).to_have_value("陳新進")
    page.get_by_label("（必填）市話").fill("02-27654321#88")
    page.get_by_role("button", name="新增", exact=True).click()
    expect(page.get_by_text("帳號已新增")).to_be_visible()

    # Disabling asks first.
    page.get_by_label("（必填）停用原因").fill("離職")
    page.get_by_role("button", name="停用", exact=True).click()
    expect(page.get_by_role("alertdialog")).to_contain_text("是否確定立即停用此帳號")
    page.get_by_role("button", name="確定").click()
    expect(page.get_by_text("停用已處理")).to_be_visible()
    page.get_by_role("button", name="恢復啟用").click()
    expect(page.get_by_text("帳號已恢復啟用")).to_be_visible()

    # Ask the authority to make the new person an admin.
    page.get_by_label("（必填）申請項目").select_option("promote")
    page.get_by_label("（必填）申請說明").fill("新任主管")
    page.get_by_role("button", name="送出申請").click()
    expect(page.get_by_text("異動申請已送出")).to_be_visible()
    page.get_by_role("link", name="登入紀錄").click()
    expect(page.get_by_role("table", name="人員登入紀錄")).to_contain_text("hospadmin")
    sign_out(page, live)

    # The new person signs in with the mailed password and must change it first.
    sign_in_first_time(page, live)
    sign_out(page, live)

    sign_in(page, live, "hpaadmin")
    page.get_by_role("link", name="帳號/權限異動審核").click()
    page.get_by_role("checkbox", name="選取 陳新進 的申請").check()
    page.get_by_role("button", name="核定所選").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("是否確定核定以下 1 筆申請")
    page.get_by_role("button", name="確定").click()
    expect(page.get_by_text("已核定 1 筆")).to_be_visible()


def sign_in_first_time(page: Page, live: LiveHub) -> None:
    page.goto(live.url + "/signin")
    page.get_by_label("帳號", exact=True).fill("newhire01")
    page.get_by_label("密碼", exact=True).fill(mailed_password(live))
    challenge = page.locator("input[name=captcha_id]").input_value()
    page.get_by_label("驗證碼", exact=True).fill(captcha.answer_of(live.hub.store, challenge) or "")
    page.get_by_role("button", name="登入").click()
    expect(page.get_by_role("heading", name="修改密碼")).to_be_visible()
    page.get_by_label("目前的密碼").fill(mailed_password(live))
    page.get_by_label("新密碼", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("再輸入一次新密碼").fill(NEW_PASSWORD)
    page.get_by_role("button", name="修改", exact=True).click()
    expect(page.get_by_role("heading", name="密碼已更新")).to_be_visible()
