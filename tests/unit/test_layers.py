"""The layers of the hub import one way only: ``web`` and ``oidc`` → ``http`` →
``services`` → ``models``, ``store`` and ``db``. Nothing below imports what is above it,
the domain imports no web framework, and no module reaches into another package's
private names."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IDP = ROOT / "idp"

#: What each layer must never import (module name prefixes).
FORBIDDEN = {
    "idp.models": (
        "idp.services",
        "idp.http",
        "idp.web",
        "idp.oidc",
        "idp.app",
        "idp.cli",
        "flask",
    ),
    "idp.store": ("idp.services", "idp.http", "idp.web", "idp.oidc", "idp.app", "idp.cli", "flask"),
    "idp.db": ("idp.services", "idp.http", "idp.web", "idp.oidc", "idp.app", "idp.cli", "flask"),
    "idp.services": (
        "idp.http",
        "idp.web",
        "idp.oidc",
        "idp.app",
        "idp.cli",
        "idp.hub",
        "flask",
        "werkzeug",
    ),
    "idp.http": ("idp.web", "idp.oidc", "idp.app", "idp.cli"),
    "idp.oidc": ("idp.web", "idp.app", "idp.cli"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, name: str) -> Iterator[tuple[int, str, list[str]]]:
    """(line, imported module, names) for every import in the file of module ``name``,
    relative ones resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield node.lineno, module, [alias.name for alias in node.names]


def sources() -> list[Path]:
    return sorted(IDP.rglob("*.py"))


def layer_of(module: str) -> str | None:
    for layer in FORBIDDEN:
        if module == layer or module.startswith(layer + "."):
            return layer
    return None


def test_the_tree_is_read() -> None:
    assert len(sources()) > 100
    assert any(layer_of(module_name(p)) == "idp.services" for p in sources())


def upward_imports(path: Path, name: str) -> list[str]:
    layer = layer_of(name)
    if layer is None:
        return []
    return [
        f"{name}:{line} imports {module}"
        for line, module, _ in imports(path, name)
        for banned in FORBIDDEN[layer]
        if module == banned or module.startswith(banned + ".")
    ]


def test_no_import_runs_up() -> None:
    wrong = [line for path in sources() for line in upward_imports(path, module_name(path))]
    assert not wrong, "\n".join(wrong)


def package_of(module: str) -> str:
    """The package a module belongs to (``idp.services.cards`` for its modules)."""
    return module.rpartition(".")[0]


def private_names_taken(path: Path, here: str) -> list[str]:
    """Private names (``_x``) this module imports from a module of another package."""
    own_package = here if path.name == "__init__.py" else package_of(here)
    return [
        f"{here}:{line} takes {module}.{name}"
        for line, module, names in imports(path, here)
        if module.startswith("idp")
        for name in names
        if name.startswith("_")
        and not name.startswith("__")
        and package_of(module) != own_package
        and module != own_package
    ]


def test_no_private_names_of_another_package() -> None:
    wrong = [line for path in sources() for line in private_names_taken(path, module_name(path))]
    assert not wrong, "\n".join(wrong)


def test_the_check_catches_an_upward_import(tmp_path: Path) -> None:
    """The check itself: a service importing the web or the request layer is found, a
    service importing a model is not."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from ...web import portal\n"
        "from ...http.context import client_ip\n"
        "from ...models import Account\n"
        "import flask\n"
    )
    assert upward_imports(probe, "idp.services.cards.probe") == [
        "idp.services.cards.probe:1 imports idp.web",
        "idp.services.cards.probe:2 imports idp.http.context",
        "idp.services.cards.probe:4 imports flask",
    ]
