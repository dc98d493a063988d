"""The unit picker: its state without JavaScript, its JSON answers and the macro inside
a form with a CSRF token (the script in a browser: tests/browser/test_browser_unit_picker.py)."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask, render_template_string

from idp.app import create_app
from idp.hub import Hub
from idp.services.units.districts import districts
from idp.services.units.importing import HEADER, import_units, load_demo_units
from idp.web.units import LIST_LIMIT, PickerState, UnitChoice, picker_state

from ..support.picker import add_picker_page


@pytest.fixture
def demo_units(hub: Hub) -> Hub:
    with hub.database.unit_of_work() as session:
        load_demo_units(session)
    return hub


def state_for(hub: Hub, **form: str) -> PickerState:
    with hub.database.unit_of_work() as session:
        return picker_state(session, form)


def codes(units: list[UnitChoice]) -> list[str]:
    return [unit.code for unit in units]


# State without JavaScript ----------------------------------------------------------------


def test_an_empty_picker_offers_the_counties_only(demo_units: Hub) -> None:
    state = state_for(demo_units)
    assert len(state.counties) == 22
    assert (state.districts, state.units, state.unit_code, state.status) == ([], [], "", None)


def test_a_county_narrows_districts_and_units(demo_units: Hub) -> None:
    state = state_for(demo_units, unit_code_county="臺中市")
    assert state.districts == districts("臺中市")
    assert codes(state.units) == [
        "3501200000",
        "376570300I",
        "9906000001",
        "9906020001",
        "9906030001",
        "9906040001",
    ]
    assert str(state.status) == "找到 6 個單位"
    in_district = state_for(demo_units, unit_code_county="臺中市", unit_code_district="大里區")
    assert codes(in_district.units) == ["9906020001", "9906040001"]
    unknown = state_for(demo_units, unit_code_county="火星市", unit_code_district="大里區")
    assert (unknown.county, unknown.district, unknown.units) == ("", "", [])


def test_a_typed_code_chooses_the_unit_and_fills_its_place(demo_units: Hub) -> None:
    state = state_for(demo_units, unit_code_query=" 376570300i ")
    assert state.unit_code == "376570300I"
    assert (state.county, state.district) == ("臺中市", "西屯區")
    assert codes(state.units) == ["376570300I"]
    by_name = state_for(demo_units, unit_code_query="牙醫")
    assert (codes(by_name.units), by_name.unit_code) == (["9906020001"], "")


def test_a_unit_chosen_from_the_list_is_kept_while_it_fits(demo_units: Hub) -> None:
    kept = state_for(demo_units, unit_code_county="臺中市", unit_code="3501200000")
    assert kept.unit_code == "3501200000" and kept.district == "南屯區"
    moved = state_for(demo_units, unit_code_county="高雄市", unit_code="3501200000")
    assert moved.unit_code == "" and "3501200000" not in codes(moved.units)
    missing = state_for(demo_units, unit_code="0000000000")
    assert (missing.unit_code, missing.problem) == ("", None)


def test_a_closed_unit_cannot_be_chosen(demo_units: Hub) -> None:
    state = state_for(demo_units, unit_code_query="9901020002")
    assert state.unit_code == "" and state.units == []
    assert state.problem is not None and state.problem.params == {"unit": "示範歇業診所"}
    assert str(state.status) == "查無符合的單位"


def test_long_lists_are_capped(hub: Hub) -> None:
    rows = [
        f"{9800000000 + n},示範第{n}診所,西醫診所,02-12345678,臺北市大安區示範路{n}號,,,,,,,"
        for n in range(LIST_LIMIT + 5)
    ]
    with hub.database.unit_of_work() as session:
        import_units(session, [",".join(HEADER), *rows])
    state = state_for(hub, unit_code_county="臺北市")
    assert len(state.units) == LIST_LIMIT and state.more
    assert state.status is not None and state.status.params == {"count": LIST_LIMIT}


# JSON answers -----------------------------------------------------------------------------


def test_districts_and_search_answer_without_sign_in(app: Flask, demo_units: Hub) -> None:
    client = app.test_client()
    answer = client.get("/units/districts", query_string={"county": "臺中市"})
    assert answer.status_code == 200 and answer.is_json
    assert answer.json == {"county": "臺中市", "districts": districts("臺中市")}
    assert client.get("/units/districts?county=火星市").json == {
        "county": "火星市",
        "districts": [],
    }
    found = client.get(
        "/units/search", query_string={"q": "示範", "county": "臺中市", "district": "大里區"}
    ).json
    assert found == {
        "units": [
            {
                "code": "9906020001",
                "name": "示範牙醫診所",
                "county": "臺中市",
                "district": "大里區",
            },
            {
                "code": "9906040001",
                "name": "臺中市大里區示範衛生所",
                "county": "臺中市",
                "district": "大里區",
            },
        ],
        "more": False,
    }
    assert client.get("/units/search?q=").json == {"units": [], "more": False}


# The macro in a form ----------------------------------------------------------------------


def options(page: str, name: str) -> list[tuple[str, bool]]:
    select = re.search(rf'<select id="{name}" name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, name
    return [
        (html.unescape(value), bool(selected))
        for value, selected in re.findall(r'<option value="([^"]*)"( selected)?>', select.group(1))
    ]


def chosen(page: str, name: str) -> str:
    return next((value for value, selected in options(page, name) if selected), "")


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_the_picker_works_in_a_form_without_javascript(demo_units: Hub) -> None:
    app = create_app(demo_units.settings, hub=demo_units)
    add_picker_page(app)
    client = app.test_client()
    page = client.get("/picker-test").get_data(as_text=True)
    for name in ("unit_code_query", "unit_code_county", "unit_code_district", "unit_code"):
        assert f'<label for="{name}">' in page and f'id="{name}"' in page
    assert re.search(
        r'<button type="submit" name="pick_unit" value="1" formnovalidate[^>]*>查詢單位', page
    )
    assert "/static/unit_picker.js" in page
    assert [value for value, _ in options(page, "unit_code")] == [""]
    token = csrf_of(page)

    narrowed = client.post(
        "/picker-test",
        data={"csrf_token": token, "unit_code_county": "臺中市", "pick_unit": "1"},
    ).get_data(as_text=True)
    assert chosen(narrowed, "unit_code_county") == "臺中市"
    assert [value for value, _ in options(narrowed, "unit_code_district")][1:] == districts(
        "臺中市"
    )
    assert "376570300I" in [value for value, _ in options(narrowed, "unit_code")]
    assert "找到 6 個單位" in narrowed

    typed = client.post(
        "/picker-test",
        data={"csrf_token": token, "unit_code_query": "376570300I", "pick_unit": "1"},
    ).get_data(as_text=True)
    assert chosen(typed, "unit_code") == "376570300I"
    assert chosen(typed, "unit_code_district") == "西屯區"

    submitted = client.post(
        "/picker-test",
        data={"csrf_token": token, "unit_code_county": "臺中市", "unit_code": "3501200000"},
    ).get_data(as_text=True)
    assert '<p id="chosen">3501200000</p>' in submitted

    refused = client.post("/picker-test", data={"csrf_token": token}).get_data(as_text=True)
    assert 'aria-invalid="true"' in refused and 'id="unit_code-error"' in refused


def test_the_macro_names_its_fields_after_the_field_name(app: Flask, demo_units: Hub) -> None:
    with demo_units.database.unit_of_work() as session:
        state = picker_state(session, {"sub_unit_county": "臺北市"}, "sub_unit")
    with app.test_request_context():
        page = render_template_string(
            '{% from "shared/_unit_picker.html" import unit_picker %}'
            '{{ unit_picker(state, "sub_unit") }}',
            state=state,
        )
    assert 'name="sub_unit_query"' in page and 'name="sub_unit"' in page
    assert chosen(page, "sub_unit_county") == "臺北市"
    assert "0101090517" in [value for value, _ in options(page, "sub_unit")]
