"""The hub's texts in other languages: ``en.json`` maps each zh-TW text to English.
Pages read it through ``idp.http.i18n``; mail, written in both languages, reads it here."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


@cache
def catalog(locale: str) -> dict[str, str]:
    path = HERE / f"{locale}.json"
    if not path.exists():
        return {}
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


def english(text: str) -> str:
    return catalog("en").get(text, text)
