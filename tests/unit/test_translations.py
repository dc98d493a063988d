"""Every text a person can see exists in English too."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from idp.http.i18n import catalog

ROOT = Path(__file__).resolve().parents[2] / "idp"
CJK = re.compile(r"[\u4e00-\u9fff]")
TEMPLATE_TEXT = re.compile(r"""_\(\s*(["'])(.*?)\1""", re.S)
#: Modules whose Chinese strings are data (names of demo units and subsystems), not UI text.
DATA_MODULES = {"demo.py"}


def template_texts() -> set[str]:
    texts = set()
    for path in (ROOT / "templates").rglob("*.html"):
        texts |= {m.group(2) for m in TEMPLATE_TEXT.finditer(path.read_text(encoding="utf-8"))}
    return texts


def python_texts() -> set[str]:
    texts = set()
    for _path, tree in python_trees():
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and CJK.search(node.value)
            ):
                texts.add(node.value)
    return texts


def python_trees() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(encoding="utf-8")))
        for path in ROOT.rglob("*.py")
        if path.name not in DATA_MODULES and "migrations" not in path.parts
    ]


def test_texts_are_templates_not_f_strings() -> None:
    """A formatted string cannot be looked up in the catalog: use ``text(template, …)``."""
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, tree in python_trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        and any(isinstance(v, ast.Constant) and CJK.search(str(v.value)) for v in node.values)
    ]
    assert not found, found


def test_every_text_has_an_english_translation() -> None:
    english = catalog("en")
    missing = sorted(t for t in template_texts() | python_texts() if t not in english)
    assert not missing, "add to idp/translations/en.json:\n" + "\n".join(missing)


def test_translations_keep_their_placeholders() -> None:
    placeholder = re.compile(r"\{\w+\}")
    for source, english in catalog("en").items():
        assert set(placeholder.findall(source)) == set(placeholder.findall(english)), source


def test_no_stale_translations() -> None:
    used = template_texts() | python_texts()
    assert sorted(set(catalog("en")) - used) == []
