"""A 375 px phone: 人員帳號管理, 登入紀錄 and 帳號申請核定 stay inside their card (the table
scrolls sideways in its own region, the first column in view) and no cell wraps one
character per line. The scroll region is reached and scrolled with the keyboard."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from playwright.sync_api import Browser, Page

from ..support.applications import applying, member_form, national_id, submit_confirmed
from ..support.browser import answer_captcha
from ..support.demo import Demo, start_demo
from ..support.helpers import client_sign_in

PHONE = {"width": 375, "height": 740}
#: Per page: cells of two characters or more that wrap every character onto a line of
#: its own, how wide the page and the card are against what they may be.
LAYOUT = """() => {
  const squeezed = [];
  for (const cell of document.querySelectorAll("main td, main th")) {
    const text = cell.innerText.trim();
    const chars = [...text].length;
    if (chars < 2 || !cell.getClientRects().length) continue;
    const range = document.createRange();
    range.selectNodeContents(cell);
    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
    if (lines > 1 && lines >= chars) squeezed.push(text);
  }
  const card = document.querySelector("main .card");
  return {
    squeezed,
    page: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    card: card.scrollWidth - card.clientWidth,
    regions: document.querySelectorAll(".table-scroll[tabindex='0'][role=region]").length,
  };
}"""


@pytest.fixture
def demo(settings_for) -> Iterator[Demo]:  # type: ignore[no-untyped-def]
    for running in start_demo(settings_for):
        hub = running.live.hub
        with hub.database.unit_of_work() as db:
            for n, letter in enumerate("HJK"):
                form = replace(
                    member_form(),
                    username=f"applicant{n:02d}",
                    national_id=national_id(letter),
                    name="申請人" + "甲乙丙"[n],
                    email=f"applicant{n:02d}@example.org",
                )
                submit_confirmed(db, applying(hub), form)
        client = running.live.app.test_client()
        client_sign_in(client, hub, "hospuser01", "Wrong~Password9", ip="10.9.0.1")
        yield running


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-TW", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_tables_fit_a_phone(phone: Page, demo: Demo) -> None:
    live = demo.live
    phone.goto(live.url + "/")
    phone.get_by_label("帳號", exact=True).fill("hospadmin01")
    phone.get_by_label("密碼", exact=True).fill("Demo~Pass2026")
    answer_captcha(phone, live)
    phone.get_by_role("button", name="登入", exact=True).click()
    phone.get_by_text("上次登入時間").wait_for()
    for path in ("/unit/accounts", "/unit/signins", "/review/applications"):
        phone.goto(live.url + path)
        layout = phone.evaluate(LAYOUT)
        assert layout["squeezed"] == [], (path, layout["squeezed"])
        assert layout["page"] <= layout["viewport"], (path, layout)
        assert layout["card"] <= 1, (path, layout)
        assert layout["regions"] >= 1, path

    # The table region takes the keyboard: focus it and scroll sideways.
    phone.goto(live.url + "/unit/signins")
    region = phone.get_by_role("region", name="人員登入紀錄")
    region.focus()
    before = region.evaluate("r => r.scrollLeft")
    phone.keyboard.press("ArrowRight")
    phone.keyboard.press("ArrowRight")
    phone.wait_for_function(
        "([r, x]) => r.scrollLeft > x", arg=[region.element_handle(), before], timeout=5_000
    )
    first = phone.get_by_role("table", name="人員登入紀錄").locator("tbody td").first
    assert first.evaluate("c => getComputedStyle(c).position") == "sticky"
