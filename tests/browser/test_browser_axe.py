"""The accessibility check itself: axe-core runs on a page the browser loads and reports
its serious and critical violations (the ``page`` fixture fails a test on them)."""

from __future__ import annotations

from playwright.sync_api import Browser

from ..support import axe

BROKEN = (
    "data:text/html;charset=utf-8,<!doctype html><html><head><title>t</title></head>"
    "<body><main><img src='x.png'><input type='text'></main></body></html>"
)


def test_axe_reports_what_a_page_gets_wrong(browser: Browser) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        log = axe.watch(page)
        page.goto(BROKEN)
        page.wait_for_function("window.__axeDone === true")
        found = {v["id"] for _, v in log.violations}
        assert {"image-alt", "label"} <= found, log.summary()
        assert log.checked == [BROKEN]
    finally:
        context.close()
