"""Page language: Traditional Chinese (zh-TW) first, English available.

Texts are written in zh-TW in the code and templates; ``translations/en.json`` maps
each to English. The language comes from, in order: the OpenID Connect ``ui_locales``
of the sign-in in progress, the visitor's choice (a cookie), the configured default.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import current_app, g, request

from ..services.errors import Text
from ..services.subsystems.catalogues import Name
from ..translations import catalog

LOCALES = ("zh-TW", "en")
COOKIE = "onedoor_lang"


def pick_locale(ui_locales: str | None) -> str | None:
    """The first supported tag of a space-separated BCP 47 list (``ui_locales``)."""
    for tag in (ui_locales or "").split():
        lowered = tag.lower()
        if lowered.startswith("zh"):
            return "zh-TW"
        if lowered.startswith("en"):
            return "en"
    return None


def current_locale() -> str:
    locale: str | None = g.get("locale")
    if locale is None:
        chosen = request.cookies.get(COOKIE)
        locale = chosen if chosen in LOCALES else current_app.config["IDP_DEFAULT_LOCALE"]
        g.locale = locale
    return locale


def set_locale(locale: str) -> None:
    g.locale = locale


def gettext(text: str | Text | Sequence[Text], **params: Any) -> str:
    """The text in the page's language: a template with ``params``, a ``Text`` from the
    domain, or a list of them (joined)."""
    if isinstance(text, Text):
        return gettext(text.template, **text.params)
    if not isinstance(text, str):
        return "；".join(gettext(item) for item in text)
    locale = current_locale()
    translated = text if locale == "zh-TW" else catalog(locale).get(text, text)
    if not params:
        return translated
    named = {k: v.in_locale(locale) if isinstance(v, Name) else v for k, v in params.items()}
    return translated.format(**named)
