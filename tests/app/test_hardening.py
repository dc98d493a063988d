"""What an outside review found, each kept found: open redirects, requests that used to
end in a server error, and the smaller protocol and header items."""

from __future__ import annotations

import pytest
from flask import Flask

from idp.hub import Hub


@pytest.mark.parametrize(
    "next_param",
    ["/%09/evil.example", "/%0d%0ax", "/%5Cevil.example", "%2F%2Fevil.example", "/\\/evil"],
)
def test_language_switch_never_leaves_the_hub(app: Flask, next_param: str) -> None:
    response = app.test_client().get("/lang/en?next=" + next_param)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_language_switch_returns_to_the_page(app: Flask) -> None:
    response = app.test_client().get("/lang/en?next=/bulletins%3Fpage%3D2")
    assert response.headers["Location"] == "/bulletins?page=2"
