"""Browser tests: the hub's pages in headless Chromium (Debian's), driven by Playwright.
Every test here is marked ``browser``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from ..support import axe

HERE = Path(__file__).parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A new page in a new context; every HTML page it loads is checked by axe-core."""
    context = browser.new_context(locale="zh-TW")
    page = context.new_page()
    page.set_default_timeout(15_000)
    log = axe.watch(page)
    yield page
    try:
        axe.finish(page, log)
    finally:
        context.close()
