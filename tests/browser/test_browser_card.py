"""The card pages in headless Chromium, with the card agent running against the SoftHSM2
development cards: 憑證登入, enrolling a personnel card, and what the page says when no
agent answers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from idp.models import AccountRole
from idp.services.accounts.directory import create_account
from idp.services.applications.submission import CONFIRM_PATH
from idp.services.cards.provisioning import DEV_CARD_PIN
from idp.services.units.directory import ensure_unit

from ..support.applications import add_unit, application_data, captcha_fields, confirmation_token
from ..support.cards import INSTITUTION_UNIT, Agent, DevCards, running_agent
from ..support.helpers import PASSWORD, add_account
from ..support.hub import LiveHub, free_port, start_live_hub

# In the browser folder for Chromium, and with the card tests for the development cards.
pytestmark = pytest.mark.card


@pytest.fixture
def agent_port() -> int:
    return free_port()


@pytest.fixture
def card_hub(settings_for, dev_cards: DevCards, agent_port: int) -> Iterator[LiveHub]:  # type: ignore[no-untyped-def]
    yield from start_live_hub(
        settings_for,
        captcha=False,
        card_agent_url=f"http://127.0.0.1:{agent_port}",
        **dev_cards.hub_settings(),
    )


@pytest.fixture
def agent(card_hub: LiveHub, dev_cards: DevCards, agent_port: int) -> Iterator[Agent]:
    with running_agent(dev_cards, card_hub.url, agent_port) as running:
        yield running


def use_card(page: Page, card: str) -> None:
    status = page.locator("[data-card-status]")
    expect(status).to_have_text("請選擇卡片並輸入 PIN 碼")
    choice = page.get_by_label("卡片", exact=True)
    value = choice.locator("option", has_text=card).get_attribute("value")
    assert value
    choice.select_option(value)
    page.get_by_label("PIN 碼", exact=True).fill(DEV_CARD_PIN)


def test_card_sign_in_from_the_page(page: Page, card_hub: LiveHub, agent: Agent) -> None:
    with card_hub.hub.database.unit_of_work() as db:
        create_account(
            db,
            card_hub.hub.passwords,
            username="admin001",
            password=PASSWORD,
            name="陳管理",
            unit=ensure_unit(db, INSTITUTION_UNIT, "測試衛生所"),
            role=AccountRole.UNIT_ADMIN,
        )
    page.goto(card_hub.url + "/signin")
    page.locator("summary", has_text="憑證登入").click()
    expect(page.get_by_label("醫事機構卡（單位業務管理者，另需帳號密碼）")).to_be_checked()
    page.get_by_label("單位業務管理者帳號").fill("admin001")
    page.get_by_label("單位業務管理者密碼").fill(PASSWORD)
    use_card(page, "Institution")
    page.get_by_role("button", name="憑證登入", exact=True).click()
    expect(page.locator("main")).to_contain_text("您好，陳管理")


def test_wrong_pin_is_explained_on_the_page(page: Page, card_hub: LiveHub, agent: Agent) -> None:
    page.goto(card_hub.url + "/signin")
    page.locator("summary", has_text="憑證登入").click()
    page.get_by_label("醫事人員卡（已於帳號註冊）").check()
    expect(page.get_by_label("單位業務管理者帳號")).to_be_hidden()
    use_card(page, "Personnel")
    page.get_by_label("PIN 碼", exact=True).fill("000000")
    page.get_by_role("button", name="憑證登入", exact=True).click()
    expect(page.locator("[data-card-status]")).to_have_text("PIN 碼錯誤，請重新輸入")


def test_enrol_a_personnel_card_then_sign_in_with_it(
    page: Page, card_hub: LiveHub, agent: Agent
) -> None:
    add_account(card_hub.hub, "member01", name="林成員")
    page.goto(card_hub.url + "/signin")
    page.get_by_label("帳號", exact=True).fill("member01")
    page.get_by_label("密碼", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登入", exact=True).click()
    page.get_by_role("link", name="我的醫事人員卡").click()
    use_card(page, "Personnel")
    page.get_by_role("button", name="註冊卡片").click()
    expect(page.get_by_role("status").filter(has_text="已註冊此醫事人員卡")).to_be_visible()
    page.context.clear_cookies()
    page.goto(card_hub.url + "/signin")
    page.locator("summary", has_text="憑證登入").click()
    page.get_by_label("醫事人員卡（已於帳號註冊）").check()
    use_card(page, "Personnel")
    page.get_by_role("button", name="憑證登入", exact=True).click()
    expect(page.locator("main")).to_contain_text("您好，林成員")


def test_no_agent_running_is_said_plainly(page: Page, card_hub: LiveHub) -> None:
    page.goto(card_hub.url + "/signin")
    page.locator("summary", has_text="憑證登入").click()
    expect(page.locator("[data-card-status]")).to_contain_text("無法連線讀卡元件")


def test_unit_admin_application_verified_by_card_on_the_progress_page(
    page: Page, card_hub: LiveHub, agent: Agent
) -> None:
    add_unit(card_hub.hub, INSTITUTION_UNIT, "測試衛生所")
    form = page.request.get(card_hub.url + "/apply").text()
    data = application_data(
        form, role="unit_admin", unit_code=INSTITUTION_UNIT, subsystems=[], username="newadmin01"
    )
    data.update(captcha_fields(card_hub, form))
    answer = page.request.post(card_hub.url + "/apply", form=data, max_redirects=0)  # type: ignore[arg-type]
    assert answer.status == 302
    with card_hub.hub.database.unit_of_work() as db:
        token = confirmation_token(db, "newcomer@example.org")
    page.goto(card_hub.url + CONFIRM_PATH + token)
    expect(page.get_by_role("heading", name="紙本審核")).to_be_visible()
    # The card is asked for only once the person chooses it.
    page.locator("summary", has_text="醫事機構卡驗證").click()
    use_card(page, "Institution")
    page.get_by_role("button", name="驗證機構卡").click()
    expect(page.get_by_role("status").filter(has_text="醫事機構卡驗證成功")).to_be_visible()
