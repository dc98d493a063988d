"""The unit picker's script in a real browser: the lists follow the choices, a typed
code finds its unit, Enter looks units up without sending the form."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from idp.app import create_app
from idp.services.units.districts import districts
from idp.services.units.importing import load_demo_units

from ..support.hub import LiveHub, free_port, prepared_hub
from ..support.picker import add_picker_page


@pytest.fixture
def live_picker(settings_for) -> Iterator[LiveHub]:  # type: ignore[no-untyped-def]
    port = free_port()
    the_hub = prepared_hub(settings_for(port))
    with the_hub.database.unit_of_work() as session:
        load_demo_units(session)
    flask_app = create_app(the_hub.settings, hub=the_hub)
    add_picker_page(flask_app)
    server = make_server("127.0.0.1", port, flask_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveHub(url=the_hub.settings.issuer_url, app=flask_app, hub=the_hub, server=server)
    finally:
        server.shutdown()
        the_hub.close()


def test_the_lists_follow_the_choices_in_a_browser(page: Page, live_picker: LiveHub) -> None:
    page.goto(live_picker.url + "/picker-test")
    expect(page.get_by_role("button", name="查詢單位")).to_be_hidden()
    page.get_by_label("縣市").select_option("臺中市")
    district = page.get_by_label("區域")
    expect(district.locator("option")).to_have_count(len(districts("臺中市")) + 1)
    unit = page.get_by_label("單位", exact=True)
    expect(unit.locator("option")).to_have_count(7)
    district.select_option("大里區")
    expect(unit.locator("option")).to_have_count(3)
    unit.select_option("9906040001")
    page.get_by_role("button", name="送出").click()
    expect(page.locator("#chosen")).to_have_text("9906040001")

    page.goto(live_picker.url + "/picker-test")
    page.get_by_label("醫事機構代碼或名稱").fill("376570300i")
    expect(unit).to_have_value("376570300I")
    expect(page.locator("[data-unit-status]")).to_have_text("找到 1 個單位")
    # Enter looks units up; it does not send the form.
    page.evaluate("window.notReloaded = true")
    page.get_by_label("醫事機構代碼或名稱").press("Enter")
    page.wait_for_timeout(500)
    assert page.evaluate("window.notReloaded") is True
