"""A page of its own hosting the unit picker, the way the application form does, for the
picker's tests in the test client and in a browser."""

from __future__ import annotations

from flask import Flask, render_template_string, request

from idp.http.unit_of_work import db
from idp.web.units import picker_state

#: A page of its own hosting the picker, the way the application form does.
PICKER_PAGE = """{% extends "base.html" %}
{% from "shared/_unit_picker.html" import unit_picker %}
{% block main %}
<form method="post">
  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
  {{ unit_picker(state, "unit_code", errors) }}
  <button type="submit" class="primary">送出</button>
</form>
{% if chosen %}<p id="chosen">{{ chosen }}</p>{% endif %}
{% endblock %}"""


def add_picker_page(app: Flask) -> None:
    def picker_page() -> str:
        state = picker_state(db(), request.form)
        submitted = request.method == "POST" and not request.form.get("pick_unit")
        errors = {"unit_code": "請選擇單位"} if submitted and not state.unit_code else {}
        return render_template_string(
            PICKER_PAGE, state=state, errors=errors, chosen=state.unit_code if submitted else ""
        )

    app.add_url_rule("/picker-test", "picker_test", picker_page, methods=["GET", "POST"])
