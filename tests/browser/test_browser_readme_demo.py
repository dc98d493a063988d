"""README.md's "What the demo shows", walked in Chromium with nothing but what it says:
the demo data of ``idp demo load`` and the three demo subsystems, the accounts and
passwords it names, the links and menu entries it names — from the first sign-in at 婦幼
to switch-in. One test per paragraph, in the README's order."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ..support.applications import national_id
from ..support.browser import answer_captcha
from ..support.demo import Demo, start_demo

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
PASSWORD = "Demo~Pass2026"
LEGACY_PASSWORD = "Legacy~Mch2019"
NEWCOMER_PASSWORD = "Newcomer~Demo2026"


@pytest.fixture
def demo(settings_for) -> Iterator[Demo]:  # type: ignore[no-untyped-def]
    yield from start_demo(settings_for)


def test_the_readme_names_what_this_walk_uses() -> None:
    for words in (
        "open 婦幼 and sign in as `hsadmin01`",
        "`/admin/outbox`",
        "password `Demo~Pass2026`",
        "`hospuser02`",
        "`mch_legacy01`",
        "`Legacy~Mch2019`",
        "帳號申請核定",
        "業務子系統帳號申請審核",
        "帳號/權限異動審核",
    ):
        assert words in README, words


def hub_sign_in(page: Page, demo: Demo, username: str, password: str = PASSWORD) -> None:
    """On the hub's sign-in page: account, password and the captcha."""
    page.get_by_label("帳號", exact=True).fill(username)
    page.get_by_label("密碼", exact=True).fill(password)
    answer_captcha(page, demo.live)
    page.get_by_role("button", name="登入", exact=True).click()


def sign_in_at_hub(page: Page, demo: Demo, username: str, password: str = PASSWORD) -> None:
    page.goto(demo.live.url + "/")
    hub_sign_in(page, demo, username, password)
    expect(page.get_by_text("上次登入時間")).to_be_visible()


def send_and_confirm_from_outbox(page: Page, demo: Demo, address: str) -> None:
    """送出申請 with the captcha, then the confirmation link mailed to ``address``, read
    as ``secadmin01`` at /admin/outbox and opened in the applicant's browser."""
    answer_captcha(page, demo.live)
    page.get_by_role("button", name="送出申請").click()
    expect(page.get_by_role("heading", name="請確認電子郵件")).to_be_visible()
    browser = page.context.browser
    assert browser is not None
    admin = browser.new_context(locale="zh-TW")
    try:
        outbox = admin.new_page()
        sign_in_at_hub(outbox, demo, "secadmin01")
        outbox.goto(demo.live.url + "/admin/outbox")
        mail = outbox.locator("article.mail").filter(has_text=address).first
        expect(mail).to_be_visible()
        body = mail.locator("pre").inner_text()
    finally:
        admin.close()
    link = next(word for word in body.split() if "/apply/confirm/" in word)
    assert link.startswith(demo.live.url), link
    page.goto(link)


def open_subsystem(page: Page, url: str) -> None:
    page.goto(url + "/")
    page.get_by_role("link", name="經單一入口登入 · Sign in through OneDoor").click()


def signed_out_soon(page: Page, url: str) -> None:
    """The subsystem, reloaded until it has heard of the logout (back-channel)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        page.goto(url + "/")
        if page.locator("#signed-out").count():
            return
        time.sleep(0.3)
    expect(page.locator("#signed-out")).to_be_visible()


def test_try_single_sign_on_and_sign_out(page: Page, demo: Demo) -> None:
    mch, cancer = demo.urls["mch"], demo.urls["cancer"]
    # Open 婦幼 and sign in as hsadmin01: account, password and the captcha (audio too).
    open_subsystem(page, mch)
    expect(page.get_by_role("heading", name="服務登入")).to_be_visible()
    expect(page.get_by_role("button", name="語音撥放")).to_be_visible()
    hub_sign_in(page, demo, "hsadmin01")
    expect(page.locator("[data-subsystem-account]")).to_have_text("hsadmin01@376570300I")
    # Open 癌整 and sign in: no password this time.
    open_subsystem(page, cancer)
    expect(page.locator("#signed-in")).to_be_visible()
    assert page.url.startswith(cancer)
    # Sign out at the hub: both subsystems notice.
    page.goto(demo.live.url + "/")
    page.get_by_role("button", name="登出").click()
    expect(page.get_by_role("heading", name="您已登出")).to_be_visible()
    signed_out_soon(page, mch)
    signed_out_soon(page, cancer)
    # Sign out at a subsystem: the hub and the others sign out too.
    open_subsystem(page, mch)
    hub_sign_in(page, demo, "hsadmin01")
    expect(page.locator("#signed-in")).to_be_visible()
    open_subsystem(page, cancer)
    expect(page.locator("#signed-in")).to_be_visible()
    page.goto(mch + "/")
    page.get_by_role("button", name="登出 Sign out").click()
    expect(page.locator("#signed-out")).to_be_visible()
    page.goto(demo.live.url + "/")
    expect(page.get_by_role("heading", name="服務登入")).to_be_visible()
    signed_out_soon(page, cancer)


def test_the_hub_pages_forgot_password_and_the_outbox(page: Page, demo: Demo) -> None:
    sign_in_at_hub(page, demo, "hsadmin01")
    page.get_by_role("link", name="個人資料").click()
    expect(page.get_by_role("heading", name="個人資料")).to_be_visible()
    page.get_by_role("link", name="修改密碼").click()
    page.get_by_label("新密碼", exact=True).fill("Stronger~Demo2026x")
    expect(page.locator("[data-strength-level]")).not_to_have_text("—")
    page.get_by_role("link", name="登入裝置").click()
    expect(page.get_by_role("cell", name="Linux")).to_be_visible()  # in words

    # 忘記密碼 from the sign-in page; the mail is shown to secadmin01 at /admin/outbox.
    page.context.clear_cookies()
    page.goto(demo.live.url + "/")
    page.get_by_role("link", name="忘記密碼").click()
    page.get_by_label("帳號").fill("hsuser01")
    page.get_by_label("電子郵件").fill("hsuser01@example.org")
    answer_captcha(page, demo.live)
    page.get_by_role("button", name="確定").click()
    expect(page.get_by_role("status")).to_contain_text("已寄出變更密碼通知信")
    sign_in_at_hub(page, demo, "secadmin01")
    deadline = time.monotonic() + 15  # the worker writes the mail after the request
    while time.monotonic() < deadline:
        page.goto(demo.live.url + "/admin/outbox")
        if page.get_by_text("hsuser01@example.org").count():
            break
        time.sleep(0.3)
    expect(page.get_by_text("hsuser01@example.org").first).to_be_visible()
    page.get_by_role("link", name="系統管理設定").click()
    page.get_by_role("link", name="安全政策（密碼、鎖定、驗證碼、閒置登出）").click()
    expect(page.get_by_label("最短長度", exact=True)).to_have_value("12")
    page.go_back()
    page.get_by_role("link", name="帳號鎖定與登入狀態").click()
    expect(page.get_by_role("heading", name="帳號鎖定與登入狀態")).to_be_visible()


def test_applying_and_its_approval(page: Page, demo: Demo) -> None:
    live = demo.live
    page.goto(live.url + "/")
    page.get_by_role("link", name="帳號申請").click()
    # 示範綜合醫院 in the unit picker: type its code.
    page.get_by_label("醫事機構代碼或名稱").fill("0101090517")
    page.get_by_label("單位", exact=True).select_option("0101090517")
    page.get_by_label("一般使用者", exact=True).check()
    page.get_by_label("（必填）帳號").fill("newcomer01")
    page.get_by_label("新密碼", exact=True).fill(NEWCOMER_PASSWORD)
    page.get_by_label("再輸入一次新密碼").fill(NEWCOMER_PASSWORD)
    page.get_by_label("（必填）身分證統一編號").fill(national_id("E"))
    page.get_by_label("（必填）姓名").fill("林新人")
    page.get_by_label("（必填）職稱").fill("護理師")
    page.get_by_label("（必填）所屬部門").fill("家醫科")
    page.get_by_label("（必填）市話").fill("0227654321")
    page.get_by_label("（必填）電子郵件").fill("newcomer01@example.org")
    mch = page.locator("fieldset.subsystem").filter(has_text="婦幼健康管理整合系統")
    mch.get_by_role("checkbox", name="婦幼健康管理整合系統").check()
    mch.get_by_label("業務權責").select_option(label="醫事機構")
    mch.get_by_label("產檢院所").check()
    page.get_by_label("我已閱讀並同意").check()
    send_and_confirm_from_outbox(page, demo, "newcomer01@example.org")
    expect(page.get_by_role("heading", name="申請進度")).to_be_visible()

    # 申請進度查詢 with the account and password chosen, and the captcha.
    page.context.clear_cookies()
    page.goto(live.url + "/")
    page.get_by_role("link", name="申請進度查詢").click()
    page.get_by_label("帳號").fill("newcomer01")
    page.get_by_label("密碼").fill(NEWCOMER_PASSWORD)
    answer_captcha(page, live)
    page.get_by_role("button", name="查詢").click()
    expect(page.get_by_role("cell", name="業務子系統帳號審核：婦幼")).to_be_visible()

    # hospadmin01 approves it, then the 婦幼 request, each asked to confirm.
    page.context.clear_cookies()
    sign_in_at_hub(page, demo, "hospadmin01")
    page.get_by_role("link", name="帳號申請核定").click()
    page.get_by_role("checkbox", name="選取 林新人 的申請").check()
    page.get_by_role("button", name="核定所選").click()
    page.get_by_role("button", name="確定").click()
    expect(page.get_by_role("status")).to_contain_text("已核定 1 筆")
    page.get_by_role("link", name="業務子系統帳號申請審核").click()
    page.get_by_role("checkbox", name="選取 林新人 的申請").check()
    page.get_by_role("button", name="核定所選").click()
    page.get_by_role("button", name="確定").click()
    expect(page.get_by_role("status")).to_contain_text("已核定 1 筆")

    # The newcomer signs in; the new 婦幼 account is bound; the decisions are in the inbox.
    page.context.clear_cookies()
    sign_in_at_hub(page, demo, "newcomer01", NEWCOMER_PASSWORD)
    page.get_by_role("link", name="業務子系統帳號管理").click()
    expect(page.get_by_role("cell", name="newcomer01@0101090517")).to_be_visible()
    page.get_by_role("link", name="站內訊息").click()
    expect(page.get_by_text("您的業務子系統帳號申請已核定：婦幼")).to_be_visible()


def test_a_unit_admin_applies_on_paper(page: Page, demo: Demo, tmp_path: Path) -> None:
    live = demo.live
    page.goto(live.url + "/apply")
    page.get_by_label("醫事機構代碼或名稱").fill("0101090517")
    page.get_by_label("單位", exact=True).select_option("0101090517")
    page.get_by_label("單位業務管理者", exact=True).check()
    page.get_by_label("（必填）帳號").fill("newadmin01")
    page.get_by_label("新密碼", exact=True).fill(NEWCOMER_PASSWORD)
    page.get_by_label("再輸入一次新密碼").fill(NEWCOMER_PASSWORD)
    page.get_by_label("（必填）身分證統一編號").fill(national_id("F"))
    page.get_by_label("（必填）姓名").fill("陳管理")
    page.get_by_label("（必填）職稱").fill("主任")
    page.get_by_label("（必填）所屬部門").fill("院長室")
    page.get_by_label("（必填）市話").fill("(02)2765-4321 分機 8")
    page.get_by_label("（必填）電子郵件").fill("newadmin01@example.org")
    page.get_by_label("我已閱讀並同意").check()
    send_and_confirm_from_outbox(page, demo, "newadmin01@example.org")
    # The paper route: no card message unless the card is chosen.
    expect(page.get_by_role("heading", name="紙本審核")).to_be_visible()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("無法連線讀卡元件")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("link", name="下載管理者帳號申請表（PDF）").click()
    scan = tmp_path / "signed.pdf"
    download.value.save_as(scan)
    page.get_by_label("簽章後的申請表掃描檔").set_input_files(scan)
    page.get_by_role("button", name="上傳").click()
    expect(page.get_by_role("status")).to_contain_text("已收到您上傳的紙本申請書")

    page.context.clear_cookies()
    sign_in_at_hub(page, demo, "hpaadmin01")
    page.get_by_role("link", name="帳號申請核定").click()
    page.get_by_role("link", name="陳管理").click()
    expect(page.get_by_role("link", name="紙本申請書")).to_be_visible()
    page.get_by_role("link", name="回帳號申請核定").click()
    page.get_by_role("checkbox", name="選取 陳管理 的申請").check()
    page.get_by_role("button", name="核定所選").click()
    page.get_by_role("button", name="確定").click()
    expect(page.get_by_role("status")).to_contain_text("已核定 1 筆")
    page.go_back()  # Back after a decision is a page, not a resend
    expect(page.get_by_role("heading", name="帳號申請核定")).to_be_visible()


def test_managing_a_units_accounts(page: Page, demo: Demo) -> None:
    sign_in_at_hub(page, demo, "hospadmin01")
    page.get_by_role("link", name="人員帳號管理").click()
    # Add an account: active at once, its password goes by mail.
    page.get_by_role("link", name="新增帳號").click()
    page.get_by_label("（必填）帳號").fill("newhire01")
    page.get_by_label("（必填）身分證統一編號").fill(national_id("G"))
    page.get_by_label("（必填）姓名").fill("Walis·Nokan")
    page.get_by_label("（必填）職稱").fill("個管師")
    page.get_by_label("（必填）市話").fill("+886-2-2765-4321")
    page.get_by_label("（必填）電子郵件").fill("newhire01@example.org")
    page.get_by_role("button", name="新增", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("帳號已新增")
    expect(page.get_by_label("（必填）市話")).to_have_value("02-27654321")
    # Restore a dormant one (復權): hospuser02.
    page.get_by_role("link", name="回人員帳號管理").click()
    page.get_by_label("狀態").select_option(label="待復權")
    page.get_by_role("button", name="查詢").click()
    page.get_by_role("link", name="hospuser02").click()
    page.get_by_role("button", name="復權").click()
    expect(page.get_by_role("status")).to_contain_text("帳號已恢復啟用")
    # A role change: member → admin, decided by hpaadmin01.
    page.get_by_role("link", name="回人員帳號管理").click()
    page.get_by_role("link", name="hospuser01").click()
    page.get_by_label("（必填）申請項目").select_option(label="一般使用者轉為管理者")
    page.get_by_label("（必填）申請說明").fill("接任業務")
    page.get_by_role("button", name="送出申請").click()
    expect(page.get_by_role("status")).to_contain_text("異動申請已送出")
    page.get_by_role("link", name="管理首頁").click()
    expect(page.get_by_role("heading", name="近 24 小時每小時登入次數")).to_be_visible()
    page.get_by_role("link", name="登入紀錄").click()
    expect(page.get_by_role("table", name="人員登入紀錄")).to_contain_text("hospadmin01")

    page.context.clear_cookies()
    sign_in_at_hub(page, demo, "hpaadmin01")
    page.get_by_role("link", name="帳號/權限異動審核").click()
    page.get_by_role("checkbox", name="選取 示範綜合醫院使用者 的申請").check()
    page.get_by_role("button", name="核定所選").click()
    page.get_by_role("button", name="確定").click()
    expect(page.get_by_role("status")).to_contain_text("已核定 1 筆")


def test_binding_and_switch_in(page: Page, demo: Demo) -> None:
    mch, cancer = demo.urls["mch"], demo.urls["cancer"]
    sign_in_at_hub(page, demo, "hospadmin01")
    page.get_by_role("link", name="業務子系統帳號管理").click()
    page.get_by_label("（必填）綁定名稱：").fill("婦幼舊帳號")
    page.get_by_label("（必填）業務子系統：").select_option(label="婦幼健康管理整合系統")
    page.get_by_label("（必填）請輸入子系統帳號：").fill("mch_legacy01")
    page.get_by_label("（必填）請輸入子系統密碼：").fill(LEGACY_PASSWORD)
    page.get_by_role("button", name="驗證綁定").click()
    expect(page.get_by_role("status")).to_contain_text("已完成綁定")

    # 帳號簽入: the 婦幼 admin account — 婦幼 opens signed in as it, no password asked.
    menu = page.locator("details.switch-in-menu")
    menu.locator("summary").click()
    mch_group = menu.locator("li.switch-in-group").filter(has_text="婦幼健康管理整合系統")
    expect(mch_group.get_by_role("link")).to_have_count(3)
    mch_group.get_by_role("link").first.click()
    expect(page.locator("[data-subsystem-account]")).to_have_text("hospadmin01@0101090517")
    assert page.url.startswith(mch)
    # "switch account": the member account at 示範診所 replaces 婦幼's session.
    page.get_by_role("link", name="切換帳號（經單一入口）· Switch account").click()
    page.locator("main").get_by_role("link").filter(has_text="一般").first.click()
    expect(page.locator("[data-subsystem-account]")).to_have_text("hospadmin01@3501200000")
    # Then the 癌整 account.
    page.get_by_role("link", name="切換帳號（經單一入口）· Switch account").click()
    cancer_group = page.locator("main li.switch-in-group").filter(
        has_text="癌症篩檢與追蹤管理資訊整合系統"
    )
    cancer_group.get_by_role("link").first.click()
    expect(page.locator("[data-subsystem-account]")).to_have_text("hospadmin01@0101090517")
    assert page.url.startswith(cancer)
